/*
 * tpl-eval.h - what the evaluator (tpl-eval.c) offers the filter, test, method and global-function
 * tables: argument access, errors placed at the current expression, calls back into filters and
 * tests (for map/select), and the undefined marker. Private to installer/template/.
 *
 * Undefined values: a Jinja2 Undefined is represented as a string value flagged TPL_UNDEFINED whose
 * text is the error it raises when used ("'x' is undefined") and whose pos is where it arose. It
 * never leaves the evaluator: printing it, iterating it, or passing it to a filter or test that
 * does not declare TPL_UNDEF_OK raises that error.
 */
#ifndef TPL_EVAL_H
#define TPL_EVAL_H

#include "template/tpl-ast.h"
#include "value/val.h"

#define TPL_UNDEFINED (1u << 15) /* in val->flags: see above */
#define TPL_TUPLE (1u << 14)     /* in val->flags: a list that Python would hold as a tuple */
#define TPL_LENIENT (1u << 13)   /* with TPL_UNDEFINED: Jinja2's plain Undefined of an inline if
                                    without else: prints as '', is false, iterates as empty */
#define TPL_MUTABLE (1u << 12)   /* a list made by a literal in this render: append() allowed */

struct tpl_ctx;

/* Arguments of a filter, test, method or function call; all borrowed. */
struct tpl_args {
    struct val **pos;
    size_t npos;
    const char **kwnames;
    struct val **kw;
    size_t nkw;
};

enum tpl_fn_flags {
    TPL_UNDEF_OK = 1 << 0, /* receives undefined subjects (default, mandatory, defined) */
};

/* Filters return a new reference, or NULL after tpl_fail(). */
typedef struct val *(*tpl_filter_fn)(struct tpl_ctx *c, struct val *v, const struct tpl_args *a);
/* Tests return 0 and set *result, or -1 after tpl_fail(). */
typedef int (*tpl_test_fn)(struct tpl_ctx *c, struct val *v, const struct tpl_args *a,
                           bool *result);

struct tpl_filter {
    const char *name;
    tpl_filter_fn fn;
    unsigned flags;
};

struct tpl_test {
    const char *name;
    tpl_test_fn fn;
    unsigned flags;
};

/* Output fast path of a filter that ends an output statement ({{ x | to_json }}): appends what
 * printing the filter's result would append, straight into 'out', sparing the temporary string.
 * Returns 1 when done, 0 when it leaves this case to the filter itself (having appended nothing;
 * the evaluator then calls the filter and prints its result), -1 after tpl_fail(). Arguments and
 * subject are checked by the evaluator exactly as for the filter (undefined, TPL_UNDEF_OK). */
typedef int (*tpl_filter_out_fn)(struct tpl_ctx *c, struct val *v, const struct tpl_args *a,
                                 struct buf *out);

/* Pairs a filter function with its output fast path; arrays end with { 0 }. */
struct tpl_filter_out {
    tpl_filter_fn fn;
    tpl_filter_out_fn out;
};

/* tpl-filter.c and tpl-test.c: the tables (names may carry ansible.builtin./ansible.netcommon.). */
const struct tpl_filter *tpl_filter_find(const char *name, size_t len);
const struct tpl_test *tpl_test_find(const char *name, size_t len);
/* The i-th test of tpl-test.c's table, NULL past the last (the test of the table walks it). */
const struct tpl_test *tpl_test_at(size_t i);
/* The output fast path of filter 'f', or NULL (resolved at compile time, tpl-parse.c). */
tpl_filter_out_fn tpl_filter_out_find(const struct tpl_filter *f);

/* The filter families, each an array ending with { 0 } (tpl-filter-<family>.c). */
extern const struct tpl_filter tpl_filters_str[];
extern const struct tpl_filter tpl_filters_list[];
extern const struct tpl_filter tpl_filters_data[];
extern const struct tpl_filter tpl_filters_regex[];
extern const struct tpl_filter tpl_filters_net[];
extern const struct tpl_filter_out tpl_filter_outs_str[];
extern const struct tpl_filter_out tpl_filter_outs_data[];

/* Sets a ERR_TEMPLATE error at the expression being evaluated; returns NULL. */
struct val *tpl_fail(struct tpl_ctx *c, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Same for functions returning int; returns -1. */
int tpl_failn(struct tpl_ctx *c, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* The error an undefined value raises, placed where it arose; returns NULL. */
struct val *tpl_fail_undefined(struct tpl_ctx *c, const struct val *undef);
/* Ansible's finalize (_fail_on_undefined): raises the error of the first undefined value that is
 * 'v' or inside it (list items and dict values, recursively; not Jinja2's lenient undefined of an
 * inline if). For values turned into output text, JSON or YAML, or kept as a template's result.
 * Returns 0, or -1 after failing. */
int tpl_check_defined(struct tpl_ctx *c, const struct val *v);
/* A new undefined value with message 'fmt' at the current node. */
struct val *tpl_undefined(struct tpl_ctx *c, const char *fmt, ...) PRINTF_LIKE(2, 3);

static inline bool tpl_is_undefined(const struct val *v)
{
    return v && (v->flags & TPL_UNDEFINED);
}

/* Argument 'i' by position, or by keyword 'name' (NULL: positional only); NULL when absent. */
struct val *tpl_arg(const struct tpl_args *a, size_t i, const char *name);
/* Fails unless at most 'max' positional args were given and every keyword is in 'known'
 * (comma-separated). */
int tpl_check_args(struct tpl_ctx *c, const char *fname, const struct tpl_args *a, size_t max,
                   const char *known);

/* Calls a filter or test by name (map, select...). */
struct val *tpl_call_filter(struct tpl_ctx *c, const char *name, struct val *v,
                            const struct tpl_args *a);
int tpl_call_test(struct tpl_ctx *c, const char *name, struct val *v, const struct tpl_args *a,
                  bool *result);

/* The scope and options of the running render (lookup plugins, template lookup). */
const struct tpl_scope *tpl_ctx_scope(struct tpl_ctx *c);

/* Python's a <op> b for enum tpl_op arithmetic; a new reference or NULL after tpl_fail. */
struct val *tpl_binop(struct tpl_ctx *c, int op, struct val *a, struct val *b);
/* Python's str.replace(old, new[, count]) (the replace filter and method). */
struct val *tpl_str_replace(struct tpl_ctx *c, struct val *s, const struct tpl_args *a);
/* Python str() of a value as a new string value (strings: a new reference). */
struct val *tpl_to_str(struct val *v);
/* tpl-pystr.c: Python's str()/repr() like val_to_pystr/val_to_pyrepr, but printing TPL_TUPLE
 * lists as tuples: (1, 'a'). */
void tpl_pystr(const struct val *v, struct buf *out);
void tpl_pyrepr(const struct val *v, struct buf *out);
/* Appends a decimal integer (Python's str() of an int) without printf. */
void tpl_add_int(struct buf *out, int64_t i);
/* A new string value holding (and emptying) the buffer's bytes. */
struct val *tpl_str_from_buf(struct buf *b);
/* A new tuple of two items (both borrowed). */
struct val *tpl_pair(struct val *a, struct val *b);
/* Jinja2's environment.getattr/getitem: attribute then item (or the reverse); an undefined value
 * naming what is missing when neither exists. */
struct val *tpl_getattr(struct tpl_ctx *c, struct val *obj, const char *name);
struct val *tpl_getitem(struct tpl_ctx *c, struct val *obj, struct val *key);
/* Turns any iterable (list, dict keys, string characters) into a list; NULL after tpl_fail. */
struct val *tpl_iter_list(struct tpl_ctx *c, struct val *v);

/* tpl-method.c: obj.name(args) for str, dict and list methods; *found false when no such method. */
struct val *tpl_call_method(struct tpl_ctx *c, struct val *obj, const char *name,
                            const struct tpl_args *a, bool *found);
/* tpl-global.c: range(), lookup()/query(), dict()... ; *found false when no such function. */
struct val *tpl_call_global(struct tpl_ctx *c, const char *name, const struct tpl_args *a,
                            bool *found);

/* tpl-native.c: true when some string in 'v' (dict keys included) would be rendered by
 * tpl_template_value. */
bool tpl_needs_templating(const struct val *v);


/* tpl-filter-regex.c: the match/search/regex tests (match_type= overrides 'mode'). */
enum { TPL_RE_SEARCH, TPL_RE_MATCH, TPL_RE_FULLMATCH };
int tpl_regex_test(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, int mode,
                   bool *result);
/* tpl-filter-net.c: the ansible.utils.in_network test. */
int tpl_in_network_test(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, bool *result);

/* tpl-scope.c: the start of a variable-cycle error (positioned by the outermost use). */
#define TPL_CYCLE_MSG "recursive loop detected in variables: "

/* tpl-case.c: Unicode case mapping; returns a new string. */
enum tpl_case {
    TPL_CASE_LOWER,
    TPL_CASE_UPPER,
    TPL_CASE_CAPITALIZE, /* first character upper, the rest lower */
    TPL_CASE_TITLE_PY,   /* str.title(): words start after any non-letter */
    TPL_CASE_TITLE_JINJA /* the title filter: words start after whitespace or -({[< */
};
struct val *tpl_str_case(const struct val *s, enum tpl_case mode);

/* tpl-pyformat.c: Python's "fmt % args" and "fmt".format(...). */
struct val *tpl_percent_format(struct tpl_ctx *c, struct val *fmt, struct val *args);
struct val *tpl_str_format(struct tpl_ctx *c, struct val *fmt, const struct tpl_args *a);

/* tpl.c: compiles "{{ expr }}" so that errors point into 'expr' at 'pos'. */
struct tpl *tpl_compile_expr(const char *expr, const struct srcpos *pos, struct err *err);

/* tpl-eval.c entry points for tpl.c and tpl-native.c. */
int tpl_render_raw(const struct tpl *t, const struct tpl_scope *scope, struct buf *out,
                   struct err *err);
/* Evaluates a template that is exactly one {{ expression }} to its value (not printed). With
 * 'finalize', an undefined value inside the result is an error too (tpl_check_defined), as when
 * Ansible templates a value; conditionals (Ansible's {% if %} wrapper) pass false. */
struct val *tpl_eval_single(const struct tpl *t, const struct tpl_scope *scope, bool finalize,
                            struct err *err);

#endif
