/*
 * gotpl-int.h - what the files of installer/gotpl/ share and nobody else sees: the tokens of the
 * lexer, the parse tree (arena-allocated, never freed piece by piece), the template set, the
 * execution state, and the built-in function tables with their one lookup.
 *
 * Value conventions of the evaluator: a struct val * is Go's interface{} value; VAL_NULL is a nil
 * interface, and a NULL pointer is Go's invalid reflect.Value ("<no value>": what a nil
 * interface becomes between the commands of a pipeline). VAL_INT is int64 unless flagged
 * GOTPL_VAL_GOINT (Go's int: template number constants, sprig's int results); VAL_DOUBLE is
 * float64; VAL_LIST is []interface {}, VAL_DICT is map[string]interface {} (printed and iterated
 * in sorted key order).
 */
#ifndef GOTPL_INT_H
#define GOTPL_INT_H

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "gotpl/gotpl.h"
#include "value/val.h"

/* val->flags bits giving the Go type of fresh values where it is not the default one. */
#define GOTPL_VAL_GOINT (1u << 8)         /* an int (VAL_INT is int64 otherwise) */
#define GOTPL_VAL_STRS (1u << 9)          /* a []string */
#define GOTPL_VAL_INTS (1u << 10)         /* a []int */
#define GOTPL_VAL_STRMAP (1u << 11)       /* a map[string]string */
#define GOTPL_VAL_SEMVER (1u << 12)       /* a *semver.Version (a dict printed as its version) */
#define GOTPL_VAL_SEMVER_VALUE (1u << 13) /* with GOTPL_VAL_SEMVER: a semver.Version (IncMajor's) */
#define GOTPL_VAL_CHART_VALUES (1u << 14) /* a chartutil.Values: Helm's .Values and root object */

/* Nesting of template/include/tpl calls and of parsed structures, as Helm's include limit. */
#define GOTPL_MAX_DEPTH 1000
/* Parse nesting (parentheses, control structures) before "max expression depth exceeded". */
#define GOTPL_MAX_PARSE_DEPTH 500

/* ---- lexer (gotpl-lex.c) ---- */

enum gtok_kind {
    GT_EOF,
    GT_TEXT,
    GT_LEFT,  /* {{ */
    GT_RIGHT, /* }} */
    GT_SPACE,
    GT_IDENT,
    GT_FIELD, /* .name (str excludes the dot) */
    GT_VAR,   /* $ or $name (str includes the $) */
    GT_DOT,
    GT_STRING, /* "..." or `...`: str is the decoded value */
    GT_CHAR,   /* 'x': num holds the code point */
    GT_NUMBER,
    GT_BOOL,
    GT_NIL,
    GT_PIPE,
    GT_LPAREN,
    GT_RPAREN,
    GT_DECLARE, /* := */
    GT_ASSIGN,  /* = */
    GT_COMMA,
    /* keywords */
    GT_BLOCK,
    GT_BREAK,
    GT_CONTINUE,
    GT_DEFINE,
    GT_ELSE,
    GT_END,
    GT_IF,
    GT_RANGE,
    GT_TEMPLATE,
    GT_WITH,
};

struct gtok {
    enum gtok_kind kind;
    const char *str; /* arena: the token text (decoded for strings), NUL-terminated */
    size_t len;
    size_t off; /* byte offset in the source */
    size_t end; /* byte offset just past the token */
    int line, col;
};

struct gtoks {
    struct gtok *items; /* owned */
    size_t len, cap;
};

/* Tokenizes 'text'; tokens borrow from 'arena'. Returns 0, or -1 with an ERR_PARSE error. */
int gotpl_lex(const char *name, const char *text, struct arena *arena, struct gtoks *out,
              struct err *err);

/* ---- parse tree (gotpl-parse.c) ---- */

enum garg_kind {
    GA_DOT,
    GA_NIL,
    GA_CONST, /* bool, number, string, char: 'value' */
    GA_FIELD, /* .a.b on dot: 'fields' */
    GA_VAR,   /* $x.a.b: 'name' then 'fields' */
    GA_IDENT, /* a function name */
    GA_PIPE,  /* (pipeline) followed by optional 'fields' */
};

struct gpipe;

struct garg {
    enum garg_kind kind;
    struct srcpos pos;
    const char *text;    /* arena: source text, for error messages */
    const char *name;    /* GA_VAR, GA_IDENT */
    const char **fields; /* arena */
    size_t nfields;
    struct val *value; /* GA_CONST: owned by the set (released in gotpl_free) */
    struct gpipe *pipe;
};

struct gcmd {
    struct srcpos pos;
    const char *text; /* arena: source text of the command */
    struct garg **args;
    size_t nargs;
};

struct gpipe {
    struct srcpos pos;
    bool is_assign; /* $x = ... rather than $x := ... */
    const char **decl;
    size_t ndecl;
    struct gcmd **cmds;
    size_t ncmds;
};

enum gnode_kind {
    GN_TEXT,
    GN_ACTION,
    GN_IF,
    GN_RANGE,
    GN_WITH,
    GN_TEMPLATE,
    GN_BREAK,
    GN_CONTINUE,
};

struct gnode {
    enum gnode_kind kind;
    struct srcpos pos;
    struct gnode *next;
    const char *text; /* GN_TEXT */
    size_t len;
    struct gpipe *pipe;      /* ACTION, IF, RANGE, WITH, TEMPLATE (may be NULL) */
    struct gnode *list;      /* IF, RANGE, WITH */
    struct gnode *else_list; /* IF, RANGE, WITH */
    const char *name;        /* GN_TEMPLATE */
};

/* One named template of the set. */
struct gtmpl {
    const char *name; /* arena */
    struct gnode *root;
};

/* ---- the set (gotpl.c) ---- */

struct gfunc;

struct user_funcs {
    const struct gotpl_fn_def *defs; /* borrowed */
    void *ctx;
};

struct gotpl {
    enum gotpl_mode mode;
    struct arena arena;
    struct gtmpl **tmpls; /* owned array; the gtmpl structs live in the arena */
    size_t ntmpls, cap;
    struct val *index;   /* owned dict: name -> int position in tmpls */
    struct val **consts; /* owned references of GA_CONST values */
    size_t nconsts, consts_cap;
    struct user_funcs *user; /* owned array */
    size_t nuser;
    unsigned tpl_serial; /* names the templates that `tpl` parses */
};

/* Adds or replaces the template 'name' (Go's rule: an empty body does not replace a non-empty
 * one). */
void gotpl_set_template(struct gotpl *t, const char *name, struct gnode *root);
struct gtmpl *gotpl_find_template(const struct gotpl *t, const char *name);
/* Keeps a constant value alive for the set's life; returns it (borrowed). */
struct val *gotpl_keep_const(struct gotpl *t, struct val *v);

/* Parses 'text' as the template 'key' into the set (gotpl-parse.c); errors and positions name
 * 'file'. */
int gotpl_parse_into(struct gotpl *t, const char *key, const char *file, const char *text,
                     struct err *err);

/* ---- execution (gotpl-exec.c) ---- */

struct gvar {
    const char *name;
    struct val *value; /* owned reference, may be NULL (no value) */
};

struct gx {
    struct gotpl *t;
    const char *tmpl_name; /* the template being executed, for messages */
    struct gvar *vars;     /* owned stack */
    size_t nvars, vars_cap;
    size_t var_base;       /* variables below belong to a calling template */
    int depth;             /* template/include/tpl nesting */
    uint64_t *steps;       /* shared by nested executions: loop iterations and calls so far */
    uintptr_t stack_floor; /* below this address the thread's stack is too close to its end */
};

/* Executes template 'name' with 'dot' appending to 'out' in a fresh variable scope; used by
 * gotpl_execute (parent NULL), include and tpl (parent: the calling execution, for the nesting
 * depth and the step budget). */
int gotpl_exec_named(struct gotpl *t, struct gx *parent, const char *name, struct val *dot,
                     struct buf *out, struct err *err);

/* ---- functions (gotpl-funcs.c and the family files) ---- */

/* A built-in: borrowed arguments (never NULL: a missing value arrives as VAL_NULL), '*res' set
 * to a new reference. Returns 0, or -1 with err's message set (the caller adds the position and
 * "error calling NAME: "). */
typedef int (*gfunc_fn)(struct gx *x, struct val **args, size_t n, struct val **res,
                        struct err *err);

/* 'sig' gives Go's parameter types, one letter each: a interface{}, s string, i int, I int64,
 * u uint32 (constants only), f float64, b bool, l []interface {}, m map[string]interface {},
 * V *semver.Version; a final '.' makes the letter
 * before it variadic ("sa." is printf's (string, ...interface{})). Arguments are checked and
 * converted as Go's evalArg/validateType do before 'fn' sees them; 'l' and 'm' arguments that are
 * nil or missing arrive as an empty list or dict. */
struct gfunc {
    const char *name;
    gfunc_fn fn;
    const char *sig;
};

/* A resolved function: exactly one of 'builtin' and 'user' is set. */
struct gfunc_ref {
    const struct gfunc *builtin;
    const struct gotpl_fn_def *user;
    void *ctx;
};

/* Finds a function by name: added ones first (latest wins), then the built-in families. */
bool gotpl_find_func(const struct gotpl *t, const char *name, struct gfunc_ref *out);

/* The families, each sorted by name. */
extern const struct gfunc gotpl_core_funcs[];
extern const size_t gotpl_core_nfuncs;
extern const struct gfunc gotpl_sprig_str_funcs[];
extern const size_t gotpl_sprig_str_nfuncs;
extern const struct gfunc gotpl_sprig_math_funcs[];
extern const size_t gotpl_sprig_math_nfuncs;
extern const struct gfunc gotpl_sprig_list_funcs[];
extern const size_t gotpl_sprig_list_nfuncs;
extern const struct gfunc gotpl_sprig_dict_funcs[];
extern const size_t gotpl_sprig_dict_nfuncs;
extern const struct gfunc gotpl_sprig_env_funcs[]; /* GOTPL_HELMFILE only */
extern const size_t gotpl_sprig_env_nfuncs;
extern const struct gfunc gotpl_sprig_misc_funcs[];
extern const size_t gotpl_sprig_misc_nfuncs;
extern const struct gfunc gotpl_sprig_semver_funcs[];
extern const size_t gotpl_sprig_semver_nfuncs;
extern const struct gfunc gotpl_sprig_regex_funcs[];
extern const size_t gotpl_sprig_regex_nfuncs;
extern const struct gfunc gotpl_helm_funcs[];
extern const size_t gotpl_helm_nfuncs;
extern const struct gfunc gotpl_toml_funcs[]; /* Helm's toToml/fromToml */
extern const size_t gotpl_toml_nfuncs;

/* Methods of the values standing for Go types that have some, sorted by name: 'fn' gets the
 * receiver as args[0], 'sig' gives the parameters after it. semver.Version's (value receivers),
 * and those only *semver.Version has (pointer receivers: not callable on IncMajor's result). */
extern const struct gfunc gotpl_semver_methods[];
extern const size_t gotpl_semver_nmethods;
extern const struct gfunc gotpl_semver_ptr_methods[];
extern const size_t gotpl_semver_ptr_nmethods;
/* chartutil.Values's (gotpl-helm.c): AsMap, PathValue, YAML. */
extern const struct gfunc gotpl_values_methods[];
extern const size_t gotpl_values_nmethods;
/* Whether 'v' is of a Go type with methods and no map keys (a semver): its fields are those
 * methods. */
bool gotpl_has_methods(const struct val *v);
/* The method 'name' of such a value or of a chartutil.Values (whose other fields are its map
 * keys), or NULL when its type has none of that name. */
const struct gfunc *gotpl_find_method(const struct val *receiver, const char *name);

/* ---- values and Go's fmt (gotpl-fmt.c) ---- */

/* Go's truth for if/with/and/or/not: invalid, nil, false, 0, "", empty list/map are false. */
bool gotpl_truth(const struct val *v);
/* Go's reflect type name: "int", "int64", "float64", "string", "bool", "[]interface {}",
 * "map[string]interface {}", "<nil>" for nil and invalid. */
const char *gotpl_type_name(const struct val *v);
/* Go's reflect kind name: "int", "int64", "float64", "string", "bool", "slice", "map",
 * "invalid". */
const char *gotpl_kind_name(const struct val *v);
/* fmt's %v of a float64 (strconv 'g' shortest with Go's exponent rules: 1e+06, 3.14, 1e-05). */
void gotpl_fmt_float(double d, struct buf *out);
/* strconv.FormatFloat(d, 'f', -1, 64): the shortest digits, never an exponent (1e+21 is
 * 1000000000000000000000). */
void gotpl_fmt_float_fixed(double d, struct buf *out);
/* Appends fmt.Sprint's %v of 'v' (NULL and nil print "<nil>"). */
void gotpl_fmt_value(const struct val *v, struct buf *out);
/* fmt.Sprint / fmt.Sprintln / fmt.Sprintf over template values. */
void gotpl_sprint(struct val **args, size_t n, bool ln, struct buf *out);
void gotpl_sprintf(const char *fmt, size_t flen, struct val **args, size_t n, struct buf *out);
/* sprig's strval: a string as is, anything else as %v. */
void gotpl_strval(const struct val *v, struct buf *out);
/* A new string val from a buf (the buf is emptied). */
struct val *gotpl_take_buf(struct buf *b);
/* Go int (flagged GOTPL_VAL_GOINT) and int64 constructors. */
struct val *gotpl_goint(int64_t i);
/* The length (1-4) of the valid UTF-8 sequence at 's' (at most 'len' bytes), its code point in
 * *cp; 0 when the bytes are not valid UTF-8 (overlong forms and surrogates included). */
size_t gotpl_utf8_next(const char *s, size_t len, uint32_t *cp);
/* Go's unicode.IsPrint (approximated by the ranges of non-printing characters). */
bool gotpl_is_print(uint32_t cp);
/* Appends strconv.Quote(s). */
void gotpl_quote(const char *s, size_t len, struct buf *out);

/* Go's reflect.DeepEqual: same type (int and int64 differ) and equal contents
 * (gotpl-sprig-list.c). */
bool gotpl_deep_equal(const struct val *a, const struct val *b);

/* ---- conversions shared by the sprig families (gotpl-sprig-math.c) ---- */

/* cast.ToInt64 / cast.ToFloat64 as sprig uses them: numbers, bools, numeric strings; 0 else. */
int64_t gotpl_to_int64(const struct val *v);
double gotpl_to_float64(const struct val *v);

/* ---- data formats (gotpl-json.c, gotpl-yaml.c) ---- */

/* A copy of 'v' with every number a float64, as Helm sees chart values and JSON/YAML data (it
 * decodes them through encoding/json). Returns a new reference; lists and dicts are new. */
struct val *gotpl_float_numbers(struct val *v);

/* json.Marshal (indent NULL) or json.MarshalIndent(v, "", indent); escape_html as Go's default
 * encoder. Returns 0, or -1 for NaN/Inf (Go's "unsupported value"), 'out' then unchanged. */
int gotpl_to_json(const struct val *v, struct buf *out, const char *indent, bool escape_html);
/* encoding/json's Unmarshal into an interface{}: numbers are float64s, later duplicate keys win,
 * invalid UTF-8 becomes U+FFFD. Returns a new reference, or NULL with Go's syntax error in 'msg'
 * ("invalid character 'x' looking for beginning of value", "unexpected end of JSON input"). A
 * number beyond float64 is nil, and 'msg' then holds Go's error while a value is returned. */
struct val *gotpl_from_json(const char *s, size_t len, struct buf *msg);
/* sigs.k8s.io/yaml.Marshal: JSON semantics first (integral floats become ints), then go-yaml v2
 * output (libyaml's emitter, keys in go-yaml's order, quoting by go-yaml's resolver). Appends the
 * document with its trailing newline. Returns 0, or -1 with err's message set. */
int gotpl_to_yaml(const struct val *v, struct buf *out, struct err *err);
/* Helm's toYamlPretty: yaml.v3's encoder (SetIndent(2)) on the values as they are (ints stay
 * ints, floats as strconv's 'g', .inf/.nan), no line width, sequences indented under their key.
 * Appends the document with its trailing newline. Returns 0, or -1 with err's message set. */
int gotpl_to_yaml_pretty(const struct val *v, struct buf *out, struct err *err);

#endif
