/*
 * tpl-ast.h - the compiled form of a template: tokens (tpl-lex.c), the syntax tree (tpl-parse.c)
 * and struct tpl itself. Everything here lives in the template's arena and is freed with it by
 * tpl_free(); constants (struct val) are referenced from the arena and released there too.
 * Private to installer/template/.
 */
#ifndef TPL_AST_H
#define TPL_AST_H

#include "base/arena.h"
#include "base/vec.h"
#include "template/tpl.h"

enum tpl_tok_kind {
    TK_EOF,
    TK_DATA,        /* literal text between tags (whitespace control already applied) */
    TK_VAR_BEGIN,   /* {{ */
    TK_VAR_END,     /* }} */
    TK_BLOCK_BEGIN, /* {% */
    TK_BLOCK_END,   /* %} */
    TK_NAME,
    TK_STRING,      /* 'text' with escapes decoded into 'str' */
    TK_INT,
    TK_FLOAT,
    TK_OP,          /* operator or punctuation, spelled in 'str' */
};

struct tpl_tok {
    enum tpl_tok_kind kind;
    const char *str; /* arena: name, decoded string, data text, operator */
    size_t len;
    int64_t i;
    double d;
    unsigned start, end; /* byte offsets in the source */
    int line, col;       /* in the file (opts->first_line/first_col applied) */
};

enum tpl_node_kind {
    /* statements */
    TN_DATA,
    TN_OUTPUT,
    TN_IF,
    TN_FOR,
    TN_SET,
    TN_SET_BLOCK,
    TN_MACRO,
    TN_CALL_BLOCK,
    TN_FILTER_BLOCK,
    /* expressions */
    TN_CONST,
    TN_NAME,
    TN_LIST,
    TN_TUPLE,
    TN_DICT,
    TN_GETATTR,
    TN_GETITEM,
    TN_SLICE,
    TN_BINOP,
    TN_NEG,
    TN_POS,
    TN_NOT,
    TN_AND,
    TN_OR,
    TN_COMPARE,
    TN_CONDEXPR,
    TN_FILTER,
    TN_TEST,
    TN_CALL,
};

/* Binary operators and comparison operators (TN_BINOP.op, TN_COMPARE.ops[]). */
enum tpl_op {
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_FLOORDIV, OP_MOD, OP_POW, OP_CONCAT,
    OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN, OP_NOTIN,
};

#define TPL_ELIF 1 /* TN_IF.op of an {% elif %} branch */

struct tpl_filter;
struct tpl_test;
struct tpl_ctx;
struct tpl_args;
struct buf;

struct tpl_node {
    enum tpl_node_kind kind;
    int op;                 /* enum tpl_op for TN_BINOP; 1 = negated for TN_TEST; TPL_ELIF */
    int line, col;          /* in the file */
    unsigned start, end;    /* source bytes of an expression */
    const char *str;        /* arena: data text, name, attribute, filter/test/macro name */
    int slot;               /* TN_NAME, TN_MACRO: index of the name in tpl->names */
    size_t len;
    int height;             /* of an expression: levels of nodes in its tree, its own included */
    struct val *cval;       /* TN_CONST: borrowed from the tpl's constant list */
    struct tpl_node *a, *b, *c; /* operands; TN_FOR: a = target, b = iterable, c = filter */
    struct tpl_node **args; /* arena: positional args, items, compare operands, dict keys */
    size_t nargs;
    struct tpl_node **vals; /* arena: TN_DICT values */
    int *ops;               /* arena: TN_COMPARE operators, nargs - 1 of them */
    const char **kwnames;   /* arena: keyword argument names */
    int *kwslots;           /* arena: TN_MACRO/TN_CALL_BLOCK parameters' name slots */
    struct tpl_node **kwargs;
    size_t nkw;
    struct tpl_node *body;      /* first statement of the body */
    struct tpl_node *else_body; /* else/elif branch (an TN_IF node for elif) */
    struct tpl_node *next;      /* next statement in a body */
    const struct tpl_filter *filter; /* TN_FILTER, TN_FILTER_BLOCK: resolved at compile time */
    int (*filter_out)(struct tpl_ctx *, struct val *, const struct tpl_args *, struct buf *);
                                     /* TN_FILTER: its output fast path or NULL (tpl-eval.h) */
    const struct tpl_test *test;     /* TN_TEST */
};

struct tpl {
    struct arena arena;
    char *src;  /* arena: the source text (newlines normalised to \n) */
    size_t len;
    const char *name; /* interned by pos_intern() */
    int first_line, first_col;
    struct tpl_opts opts;
    struct tpl_node *root;
    struct vec consts;   /* owned references to constant values */
    const char **names;  /* owned array of arena strings: every variable name, by slot */
    size_t nnames, names_cap;
    int loop_slot, caller_slot;
    size_t trailing_newlines; /* in the source, for keep_trailing_newline */
};

/* tpl-lex.c: splits t->src into tokens ending with TK_EOF. *toks_out is malloc'd (the caller
 * frees it); the strings the tokens point at live in t->src or t->arena. */
int tpl_lex(struct tpl *t, struct tpl_tok **toks_out, size_t *count_out, struct err *err);

/* tpl-parse.c: the slot of a variable name (added when new). */
int tpl_name_slot(struct tpl *t, const char *name, size_t len);
/* tpl-parse.c: tokens -> t->root. */
int tpl_parse(struct tpl *t, const struct tpl_tok *toks, size_t count, struct err *err);

#endif
