/*
 * tpl-parse.c - Jinja2's parser: tokens -> syntax tree, with Jinja2's operator precedence
 * (condexpr < or < and < not < compare < + - < ~ < * / // % < ** < unary < filter/test < postfix)
 * and statements if/elif/else, for/else, set (also the block form), macro, call, filter.
 * Filters and tests are resolved here, so an unknown name is a syntax error at its position.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/xalloc.h"
#include "template/tpl-eval.h"

struct parser {
    struct tpl *t;
    const struct tpl_tok *toks;
    size_t n, i;
    struct err *err;
    int depth;
};

/* How deeply the parser may recurse (brackets, unary operators, statements inside statements),
 * and how high an expression's syntax tree may grow: a chain of n operators, filters, tests,
 * attributes or inline ifs is n levels, which compiling and evaluating walk recursively. Past
 * either, the template fails to compile with "... nested too deeply at <token>". */
#define MAX_DEPTH 200
#define MAX_HEIGHT 1000

static const struct tpl_tok *peek(const struct parser *p)
{
    return &p->toks[p->i];
}

static const struct tpl_tok *peek2(const struct parser *p)
{
    return p->i + 1 < p->n ? &p->toks[p->i + 1] : &p->toks[p->n - 1];
}

static const struct tpl_tok *advance(struct parser *p)
{
    const struct tpl_tok *tk = &p->toks[p->i];

    if (tk->kind != TK_EOF) {
        p->i++;
    }
    return tk;
}

static bool is_op(const struct tpl_tok *tk, const char *op)
{
    return tk->kind == TK_OP && strcmp(tk->str, op) == 0;
}

static bool is_name(const struct tpl_tok *tk, const char *name)
{
    return tk->kind == TK_NAME && tk->len == strlen(name) && memcmp(tk->str, name, tk->len) == 0;
}

static bool accept_op(struct parser *p, const char *op)
{
    if (is_op(peek(p), op)) {
        advance(p);
        return true;
    }
    return false;
}

static bool accept_name(struct parser *p, const char *name)
{
    if (is_name(peek(p), name)) {
        advance(p);
        return true;
    }
    return false;
}

/* A name for a structural token in messages ("end of print statement"). */
static const char *describe(const struct tpl_tok *tk)
{
    switch (tk->kind) {
    case TK_EOF:
        return "end of template";
    case TK_VAR_END:
        return "end of print statement";
    case TK_BLOCK_END:
        return "end of statement block";
    case TK_DATA:
        return "template data";
    case TK_VAR_BEGIN:
        return "begin of print statement";
    case TK_BLOCK_BEGIN:
        return "begin of statement block";
    default:
        return NULL;
    }
}

static int fail_tok(struct parser *p, const struct tpl_tok *tk, const char *fmt, const char *arg)
{
    struct srcpos pos = { p->t->name, tk->line, tk->col };
    char what[80];
    const char *got = describe(tk);

    if (!got) {
        unsigned n = tk->end - tk->start > 40 ? 40 : tk->end - tk->start;

        snprintf(what, sizeof(what), "'%.*s'", (int)n, p->t->src + tk->start);
        got = what;
    }
    return err_at(p->err, ERR_PARSE, &pos, fmt, arg ? arg : got, got);
}

static int expect_op(struct parser *p, const char *op)
{
    char want[16];

    if (accept_op(p, op)) {
        return 0;
    }
    snprintf(want, sizeof(want), "'%s'", op);
    return fail_tok(p, peek(p), "expected %s, got %s", want);
}

static struct tpl_node *node_new(struct parser *p, enum tpl_node_kind kind,
                                 const struct tpl_tok *at)
{
    struct tpl_node *n = arena_alloc(&p->t->arena, sizeof(*n));

    n->kind = kind;
    n->line = at->line;
    n->col = at->col;
    n->start = at->start;
    n->end = at->end;
    return n;
}

static int max_height(int h, struct tpl_node *const *nodes, size_t n)
{
    for (size_t i = 0; nodes && i < n; i++) {
        h = nodes[i] && nodes[i]->height > h ? nodes[i]->height : h;
    }
    return h;
}

/* The expression 'n' is complete: extends it to end where the previous token ended and sets its
 * height. Returns 'n', or NULL with the error set when the tree grew higher than MAX_HEIGHT. */
static struct tpl_node *finish(struct parser *p, struct tpl_node *n, unsigned start)
{
    struct tpl_node *const abc[] = { n->a, n->b, n->c };
    int h = max_height(0, abc, ARRAY_SIZE(abc));

    h = max_height(h, n->args, n->nargs);
    h = max_height(h, n->vals, n->kind == TN_DICT ? n->nargs : 0);
    h = max_height(h, n->kwargs, n->nkw);
    n->height = h + 1;
    if (n->height > MAX_HEIGHT) {
        struct srcpos pos = { p->t->name, n->line, n->col };

        err_at(p->err, ERR_PARSE, &pos, "expression nested too deeply (more than %d levels)",
               MAX_HEIGHT);
        return NULL;
    }
    n->start = start;
    n->end = p->i > 0 ? p->toks[p->i - 1].end : n->end;
    return n;
}

static struct tpl_node *const_node(struct parser *p, const struct tpl_tok *at, struct val *v)
{
    struct tpl_node *n = node_new(p, TN_CONST, at);

    vec_push(&p->t->consts, v);
    n->cval = v;
    return n;
}

/* A growable list of nodes built in malloc memory, then frozen into the arena. */
struct nodelist {
    struct tpl_node **items;
    size_t len, cap;
};

static void nl_push(struct nodelist *l, struct tpl_node *n)
{
    xgrow((void **)&l->items, &l->cap, l->len + 1, sizeof(*l->items));
    l->items[l->len++] = n;
}

static struct tpl_node **nl_freeze(struct parser *p, struct nodelist *l)
{
    struct tpl_node **out = NULL;

    if (l->len) {
        out = arena_alloc(&p->t->arena, l->len * sizeof(*out));
        memcpy(out, l->items, l->len * sizeof(*out));
    }
    free(l->items);
    l->items = NULL;
    return out;
}

static struct tpl_node *parse_expr(struct parser *p);
static struct tpl_node *parse_or(struct parser *p);
static struct tpl_node *parse_unary(struct parser *p, bool with_filter);
static struct tpl_node *parse_primary(struct parser *p);
static struct tpl_node *parse_postfix(struct parser *p, struct tpl_node *n, unsigned start);

static const char *const reserved_end[] = { "and", "or", "not", "in", "is", "if", "else", NULL };

/* Parses '(' args ')' into n->args / n->kwargs; the '(' is already consumed. */
static int parse_call_args(struct parser *p, struct tpl_node *n)
{
    struct nodelist pos = { 0 }, kw = { 0 };
    const char **names = NULL;
    size_t nnames = 0, cap = 0;

    while (!is_op(peek(p), ")")) {
        struct tpl_node *arg;

        if (pos.len + kw.len > 0 && expect_op(p, ",") < 0) {
            goto fail;
        }
        if (is_op(peek(p), ")")) {
            break;
        }
        if (peek(p)->kind == TK_NAME && is_op(peek2(p), "=")) {
            const struct tpl_tok *name = advance(p);

            advance(p);
            xgrow((void **)&names, &cap, nnames + 1, sizeof(*names));
            names[nnames++] = arena_strndup(&p->t->arena, name->str, name->len);
            arg = parse_expr(p);
            if (!arg) {
                goto fail;
            }
            nl_push(&kw, arg);
        } else {
            if (kw.len) {
                fail_tok(p, peek(p), "positional argument %s follows keyword arguments", NULL);
                goto fail;
            }
            arg = parse_expr(p);
            if (!arg) {
                goto fail;
            }
            nl_push(&pos, arg);
        }
    }
    advance(p);
    n->nargs = pos.len;
    n->args = nl_freeze(p, &pos);
    n->nkw = kw.len;
    n->kwargs = nl_freeze(p, &kw);
    if (nnames) {
        n->kwnames = arena_alloc(&p->t->arena, nnames * sizeof(*names));
        memcpy(n->kwnames, names, nnames * sizeof(*names));
    }
    free(names);
    return 0;
fail:
    free(pos.items);
    free(kw.items);
    free(names);
    return -1;
}

/* Test arguments may be written without parentheses: `x is divisibleby 3`. */
static bool starts_bare_arg(const struct tpl_tok *tk)
{
    if (tk->kind == TK_NAME) {
        for (const char *const *r = reserved_end; *r; r++) {
            if (is_name(tk, *r)) {
                return false;
            }
        }
        return true;
    }
    return tk->kind == TK_STRING || tk->kind == TK_INT || tk->kind == TK_FLOAT ||
           is_op(tk, "[") || is_op(tk, "{") || is_op(tk, "-");
}

static struct tpl_node *parse_filter(struct parser *p, struct tpl_node *subject, unsigned start)
{
    const struct tpl_tok *name = advance(p);
    struct tpl_node *n;
    size_t len;

    if (name->kind != TK_NAME) {
        fail_tok(p, name, "expected a filter name, got %s", NULL);
        return NULL;
    }
    len = name->len;
    while (is_op(peek(p), ".") && peek2(p)->kind == TK_NAME) { /* ansible.builtin.x */
        advance(p);
        len = advance(p)->end - name->start;
    }
    n = node_new(p, TN_FILTER, name);
    n->a = subject;
    n->str = arena_strndup(&p->t->arena, p->t->src + name->start, len);
    n->len = len;
    n->filter = tpl_filter_find(n->str, len);
    if (!n->filter) {
        struct srcpos pos = { p->t->name, name->line, name->col };

        err_at(p->err, ERR_PARSE, &pos, "no filter named '%s'", n->str);
        return NULL;
    }
    n->filter_out = tpl_filter_out_find(n->filter);
    if (accept_op(p, "(") && parse_call_args(p, n) < 0) {
        return NULL;
    }
    return finish(p, n, start);
}

static struct tpl_node *parse_test(struct parser *p, struct tpl_node *subject, unsigned start)
{
    bool negated = accept_name(p, "not");
    const struct tpl_tok *name = advance(p);
    struct tpl_node *n;
    size_t len;

    if (name->kind != TK_NAME) {
        fail_tok(p, name, "expected a test name, got %s", NULL);
        return NULL;
    }
    len = name->len;
    while (is_op(peek(p), ".") && peek2(p)->kind == TK_NAME) {
        advance(p);
        len = advance(p)->end - name->start;
    }
    n = node_new(p, TN_TEST, name);
    n->a = subject;
    n->op = negated;
    n->str = arena_strndup(&p->t->arena, p->t->src + name->start, len);
    n->len = len;
    n->test = tpl_test_find(n->str, len);
    if (!n->test) {
        struct srcpos pos = { p->t->name, name->line, name->col };

        err_at(p->err, ERR_PARSE, &pos, "no test named '%s'", n->str);
        return NULL;
    }
    if (accept_op(p, "(")) {
        if (parse_call_args(p, n) < 0) {
            return NULL;
        }
    } else if (starts_bare_arg(peek(p))) {
        unsigned astart = peek(p)->start;
        struct tpl_node *arg = parse_primary(p);

        if (arg) {
            arg = parse_postfix(p, arg, astart);
        }
        if (!arg) {
            return NULL;
        }
        n->args = arena_alloc(&p->t->arena, sizeof(*n->args));
        n->args[0] = arg;
        n->nargs = 1;
    }
    return finish(p, n, start);
}

static struct tpl_node *parse_filter_expr(struct parser *p, struct tpl_node *n, unsigned start)
{
    for (;;) {
        if (accept_op(p, "|")) {
            n = parse_filter(p, n, start);
        } else if (accept_name(p, "is")) {
            n = parse_test(p, n, start);
        } else {
            return n;
        }
        if (!n) {
            return NULL;
        }
    }
}

static struct tpl_node *parse_subscript(struct parser *p)
{
    const struct tpl_tok *at = peek(p);
    struct tpl_node *parts[3] = { NULL, NULL, NULL };
    int k = 0;

    if (!is_op(at, ":")) {
        struct tpl_node *e = parse_expr(p);

        if (!e || !is_op(peek(p), ":")) {
            return e;
        }
        parts[0] = e;
    }
    while (k < 2 && accept_op(p, ":")) {
        k++;
        if (!is_op(peek(p), ":") && !is_op(peek(p), "]")) {
            parts[k] = parse_expr(p);
            if (!parts[k]) {
                return NULL;
            }
        }
    }
    struct tpl_node *n = node_new(p, TN_SLICE, at);
    n->a = parts[0];
    n->b = parts[1];
    n->c = parts[2];
    return finish(p, n, at->start);
}

static struct tpl_node *parse_postfix(struct parser *p, struct tpl_node *n, unsigned start)
{
    for (;;) {
        const struct tpl_tok *at = peek(p);

        if (accept_op(p, ".")) {
            const struct tpl_tok *attr = advance(p);
            struct tpl_node *g;

            if (attr->kind == TK_INT) {
                g = node_new(p, TN_GETITEM, attr);
                g->b = const_node(p, attr, val_int(attr->i));
            } else if (attr->kind == TK_NAME) {
                g = node_new(p, TN_GETATTR, attr);
                g->str = arena_strndup(&p->t->arena, attr->str, attr->len);
                g->len = attr->len;
            } else {
                fail_tok(p, attr, "expected an attribute name after '.', got %s", NULL);
                return NULL;
            }
            g->a = n;
            n = finish(p, g, start);
            if (!n) {
                return NULL;
            }
        } else if (accept_op(p, "[")) {
            struct tpl_node *g = node_new(p, TN_GETITEM, at);

            g->a = n;
            g->b = parse_subscript(p);
            if (!g->b || expect_op(p, "]") < 0) {
                return NULL;
            }
            n = finish(p, g, start);
            if (!n) {
                return NULL;
            }
        } else if (accept_op(p, "(")) {
            struct tpl_node *c = node_new(p, TN_CALL, at);

            c->a = n;
            if (parse_call_args(p, c) < 0) {
                return NULL;
            }
            n = finish(p, c, start);
            if (!n) {
                return NULL;
            }
        } else {
            return n;
        }
    }
}

/* Parses items up to 'close' separated by commas (trailing comma allowed). */
static int parse_items(struct parser *p, const char *close, struct nodelist *keys,
                       struct nodelist *vals)
{
    while (!is_op(peek(p), close)) {
        struct tpl_node *e;

        if (keys->len && expect_op(p, ",") < 0) {
            return -1;
        }
        if (is_op(peek(p), close)) {
            break;
        }
        e = parse_expr(p);
        if (!e) {
            return -1;
        }
        nl_push(keys, e);
        if (vals) {
            if (expect_op(p, ":") < 0) {
                return -1;
            }
            e = parse_expr(p);
            if (!e) {
                return -1;
            }
            nl_push(vals, e);
        }
    }
    advance(p);
    return 0;
}

static struct tpl_node *parse_collection(struct parser *p, const struct tpl_tok *at)
{
    bool is_dict = is_op(at, "{");
    struct nodelist keys = { 0 }, vals = { 0 };
    struct tpl_node *n = node_new(p, is_dict ? TN_DICT : TN_LIST, at);

    if (parse_items(p, is_dict ? "}" : "]", &keys, is_dict ? &vals : NULL) < 0) {
        free(keys.items);
        free(vals.items);
        return NULL;
    }
    n->nargs = keys.len;
    n->args = nl_freeze(p, &keys);
    n->vals = nl_freeze(p, &vals);
    return finish(p, n, at->start);
}

/* '(' already consumed: a parenthesised expression or a tuple. */
static struct tpl_node *parse_paren(struct parser *p, const struct tpl_tok *at)
{
    struct nodelist items = { 0 };
    bool tuple = false;
    struct tpl_node *n;

    while (!is_op(peek(p), ")")) {
        struct tpl_node *e = parse_expr(p);

        if (!e) {
            free(items.items);
            return NULL;
        }
        nl_push(&items, e);
        if (!accept_op(p, ",")) {
            break;
        }
        tuple = true;
    }
    if (expect_op(p, ")") < 0) {
        free(items.items);
        return NULL;
    }
    if (items.len == 1 && !tuple) {
        n = items.items[0];
        free(items.items);
        return n;
    }
    n = node_new(p, TN_TUPLE, at);
    n->nargs = items.len;
    n->args = nl_freeze(p, &items);
    return finish(p, n, at->start);
}

int tpl_name_slot(struct tpl *t, const char *name, size_t len)
{
    for (size_t i = 0; i < t->nnames; i++) {
        if (strlen(t->names[i]) == len && memcmp(t->names[i], name, len) == 0) {
            return (int)i;
        }
    }
    xgrow((void **)&t->names, &t->names_cap, t->nnames + 1, sizeof(*t->names));
    t->names[t->nnames] = arena_strndup(&t->arena, name, len);
    return (int)t->nnames++;
}

static struct tpl_node *parse_name_const(struct parser *p, const struct tpl_tok *tk)
{
    if (is_name(tk, "true") || is_name(tk, "True")) {
        return const_node(p, tk, val_bool(true));
    }
    if (is_name(tk, "false") || is_name(tk, "False")) {
        return const_node(p, tk, val_bool(false));
    }
    if (is_name(tk, "none") || is_name(tk, "None")) {
        return const_node(p, tk, val_null());
    }
    struct tpl_node *n = node_new(p, TN_NAME, tk);
    n->slot = tpl_name_slot(p->t, tk->str, tk->len);
    n->str = p->t->names[n->slot];
    n->len = tk->len;
    return n;
}

static struct tpl_node *parse_primary(struct parser *p)
{
    const struct tpl_tok *tk = advance(p);

    switch (tk->kind) {
    case TK_NAME:
        return parse_name_const(p, tk);
    case TK_STRING: {
        struct buf b = BUF_INIT;
        unsigned end = tk->end;

        buf_add(&b, tk->str, tk->len);
        while (peek(p)->kind == TK_STRING) { /* adjacent literals concatenate */
            buf_add(&b, peek(p)->str, peek(p)->len);
            end = advance(p)->end;
        }
        struct tpl_node *n = const_node(p, tk, val_strn(b.ptr, b.len));
        n->end = end;
        buf_release(&b);
        return n;
    }
    case TK_INT:
        return const_node(p, tk, val_int(tk->i));
    case TK_FLOAT:
        return const_node(p, tk, val_double(tk->d));
    case TK_OP:
        if (is_op(tk, "(")) {
            return parse_paren(p, tk);
        }
        if (is_op(tk, "[") || is_op(tk, "{")) {
            return parse_collection(p, tk);
        }
        break;
    default:
        break;
    }
    fail_tok(p, tk, "unexpected %s", NULL);
    return NULL;
}

static struct tpl_node *parse_unary(struct parser *p, bool with_filter)
{
    const struct tpl_tok *at = peek(p);
    struct tpl_node *n;

    if (++p->depth > MAX_DEPTH) {
        fail_tok(p, at, "expression nested too deeply at %s", NULL);
        return NULL;
    }
    if (is_op(at, "-") || is_op(at, "+")) {
        advance(p);
        n = node_new(p, is_op(at, "-") ? TN_NEG : TN_POS, at);
        n->a = parse_unary(p, false);
        if (!n->a || !finish(p, n, at->start)) {
            return NULL;
        }
    } else {
        n = parse_primary(p);
        if (!n) {
            return NULL;
        }
    }
    n = parse_postfix(p, n, at->start);
    if (n && with_filter) {
        n = parse_filter_expr(p, n, at->start);
    }
    p->depth--;
    return n;
}

/* One operator of a binary precedence level: a symbol token, or a keyword ('and', 'or'). */
struct binop_spec {
    const char *tok;
    bool keyword;
    enum tpl_node_kind kind; /* TN_BINOP, TN_AND or TN_OR */
    int op;                  /* OP_* for TN_BINOP */
};

typedef struct tpl_node *(*operand_fn)(struct parser *p);

static const struct binop_spec *match_binop(const struct tpl_tok *tk,
                                            const struct binop_spec *ops, size_t nops)
{
    for (size_t k = 0; k < nops; k++) {
        if (ops[k].keyword ? is_name(tk, ops[k].tok) : is_op(tk, ops[k].tok)) {
            return &ops[k];
        }
    }
    return NULL;
}

/* operand (op operand)*, left-associative: every binary precedence level. */
static struct tpl_node *parse_binary(struct parser *p, operand_fn operand,
                                     const struct binop_spec *ops, size_t nops)
{
    struct tpl_node *l = operand(p);

    while (l) {
        const struct binop_spec *spec = match_binop(peek(p), ops, nops);
        const struct tpl_tok *at;
        struct tpl_node *n, *r;

        if (!spec) {
            break;
        }
        at = advance(p);
        r = operand(p);
        if (!r) {
            return NULL;
        }
        n = node_new(p, spec->kind, at);
        n->op = spec->op;
        n->a = l;
        n->b = r;
        l = finish(p, n, l->start);
    }
    return l;
}

static struct tpl_node *parse_filtered_unary(struct parser *p)
{
    return parse_unary(p, true);
}

static struct tpl_node *parse_pow(struct parser *p)
{
    static const struct binop_spec ops[] = { { "**", false, TN_BINOP, OP_POW } };

    return parse_binary(p, parse_filtered_unary, ops, ARRAY_SIZE(ops));
}

static struct tpl_node *parse_math2(struct parser *p)
{
    static const struct binop_spec ops[] = {
        { "*", false, TN_BINOP, OP_MUL }, { "/", false, TN_BINOP, OP_DIV },
        { "//", false, TN_BINOP, OP_FLOORDIV }, { "%", false, TN_BINOP, OP_MOD },
    };

    return parse_binary(p, parse_pow, ops, ARRAY_SIZE(ops));
}

static struct tpl_node *parse_concat(struct parser *p)
{
    static const struct binop_spec ops[] = { { "~", false, TN_BINOP, OP_CONCAT } };

    return parse_binary(p, parse_math2, ops, ARRAY_SIZE(ops));
}

static struct tpl_node *parse_math1(struct parser *p)
{
    static const struct binop_spec ops[] = {
        { "+", false, TN_BINOP, OP_ADD }, { "-", false, TN_BINOP, OP_SUB },
    };

    return parse_binary(p, parse_concat, ops, ARRAY_SIZE(ops));
}

static int compare_op(struct parser *p)
{
    static const struct { const char *s; int op; } ops[] = {
        { "==", OP_EQ }, { "!=", OP_NE }, { "<", OP_LT }, { "<=", OP_LE },
        { ">", OP_GT }, { ">=", OP_GE },
    };
    const struct tpl_tok *tk = peek(p);

    for (size_t k = 0; k < ARRAY_SIZE(ops); k++) {
        if (is_op(tk, ops[k].s)) {
            advance(p);
            return ops[k].op;
        }
    }
    if (is_name(tk, "in")) {
        advance(p);
        return OP_IN;
    }
    if (is_name(tk, "not") && is_name(peek2(p), "in")) {
        advance(p);
        advance(p);
        return OP_NOTIN;
    }
    return -1;
}

static struct tpl_node *parse_compare(struct parser *p)
{
    struct tpl_node *first = parse_math1(p), *n;
    struct nodelist operands = { 0 };
    int *ops = NULL;
    size_t nops = 0, cap = 0;
    const struct tpl_tok *at = peek(p);
    int op;

    if (!first) {
        return NULL;
    }
    nl_push(&operands, first);
    op = compare_op(p);
    while (op >= 0) {
        struct tpl_node *r = parse_math1(p);

        if (!r) {
            free(operands.items);
            free(ops);
            return NULL;
        }
        xgrow((void **)&ops, &cap, nops + 1, sizeof(*ops));
        ops[nops++] = op;
        nl_push(&operands, r);
        op = compare_op(p);
    }
    if (nops == 0) {
        free(operands.items);
        return first;
    }
    n = node_new(p, TN_COMPARE, at);
    n->nargs = operands.len;
    n->args = nl_freeze(p, &operands);
    n->ops = arena_alloc(&p->t->arena, nops * sizeof(*ops));
    memcpy(n->ops, ops, nops * sizeof(*ops));
    free(ops);
    return finish(p, n, first->start);
}

static struct tpl_node *parse_not(struct parser *p)
{
    const struct tpl_tok *at = peek(p);

    if (is_name(at, "not")) {
        struct tpl_node *n;

        advance(p);
        if (++p->depth > MAX_DEPTH) {
            fail_tok(p, at, "expression nested too deeply at %s", NULL);
            return NULL;
        }
        n = node_new(p, TN_NOT, at);
        n->a = parse_not(p);
        p->depth--;
        return n->a ? finish(p, n, at->start) : NULL;
    }
    return parse_compare(p);
}

static struct tpl_node *parse_and(struct parser *p)
{
    static const struct binop_spec ops[] = { { "and", true, TN_AND, 0 } };

    return parse_binary(p, parse_not, ops, ARRAY_SIZE(ops));
}

static struct tpl_node *parse_or(struct parser *p)
{
    static const struct binop_spec ops[] = { { "or", true, TN_OR, 0 } };

    return parse_binary(p, parse_and, ops, ARRAY_SIZE(ops));
}

/* expr := or ['if' or ['else' expr]] */
static struct tpl_node *parse_expr(struct parser *p)
{
    struct tpl_node *n = parse_or(p);

    while (n && is_name(peek(p), "if")) {
        const struct tpl_tok *at = advance(p);
        struct tpl_node *c = node_new(p, TN_CONDEXPR, at);

        c->a = n;
        c->b = parse_or(p);
        if (!c->b) {
            return NULL;
        }
        if (accept_name(p, "else")) {
            if (++p->depth > MAX_DEPTH) {
                fail_tok(p, at, "expression nested too deeply at %s", NULL);
                return NULL;
            }
            c->c = parse_expr(p);
            p->depth--;
            if (!c->c) {
                return NULL;
            }
        }
        n = finish(p, c, n->start);
    }
    return n;
}

/* expr [',' expr]* -> one node or a TN_TUPLE ('a, b' in for targets and output). The iterable
 * of a for loop takes no inline if ('for x in xs if cond' filters). */
static struct tpl_node *parse_tuple(struct parser *p, bool names_only, bool with_condexpr)
{
    const struct tpl_tok *at = peek(p);
    struct nodelist items = { 0 };
    bool comma = false;

    do {
        struct tpl_node *e;

        if (names_only) {
            const struct tpl_tok *tk = advance(p);

            if (tk->kind != TK_NAME) {
                free(items.items);
                fail_tok(p, tk, "expected a name, got %s", NULL);
                return NULL;
            }
            e = parse_name_const(p, tk);
            if (e->kind != TN_NAME) {
                free(items.items);
                fail_tok(p, tk, "cannot assign to %s", NULL);
                return NULL;
            }
        } else {
            e = with_condexpr ? parse_expr(p) : parse_or(p);
            if (!e) {
                free(items.items);
                return NULL;
            }
        }
        nl_push(&items, e);
        comma = accept_op(p, ",");
    } while (comma && peek(p)->kind != TK_VAR_END && peek(p)->kind != TK_BLOCK_END &&
             !is_name(peek(p), "in") && !is_op(peek(p), "="));
    if (items.len == 1 && !comma) {
        struct tpl_node *n = items.items[0];

        free(items.items);
        return n;
    }
    struct tpl_node *t = node_new(p, TN_TUPLE, at);
    t->nargs = items.len;
    t->args = nl_freeze(p, &items);
    return finish(p, t, at->start);
}

/* ----- statements ----- */

static struct tpl_node *parse_body(struct parser *p, const char *const *ends);

static int expect_block_end(struct parser *p)
{
    if (advance(p)->kind != TK_BLOCK_END) {
        return fail_tok(p, &p->toks[p->i - 1], "expected end of statement block, got %s", NULL);
    }
    return 0;
}

/* The body of a block statement, its end tag (one of 'ends') and that tag's '%}': returns 'n'
 * holding the body, or NULL with p->err set. */
static struct tpl_node *parse_block_rest(struct parser *p, struct tpl_node *n,
                                         const char *const *ends)
{
    n->body = parse_body(p, ends);
    if (p->err->kind) {
        return NULL;
    }
    advance(p);
    return expect_block_end(p) < 0 ? NULL : n;
}

static struct tpl_node *parse_if(struct parser *p, const struct tpl_tok *at)
{
    static const char *const ends[] = { "elif", "else", "endif", NULL };
    struct tpl_node *n = node_new(p, TN_IF, at);

    n->a = parse_tuple(p, false, true);
    if (!n->a || expect_block_end(p) < 0) {
        return NULL;
    }
    n->body = parse_body(p, ends);
    if (p->err->kind) {
        return NULL;
    }
    const struct tpl_tok *end = advance(p);
    if (is_name(end, "elif")) {
        n->else_body = parse_if(p, end);
        if (!n->else_body) {
            return NULL;
        }
        n->else_body->op = TPL_ELIF;
        return n;
    }
    if (is_name(end, "else")) {
        static const char *const endif[] = { "endif", NULL };

        if (expect_block_end(p) < 0) {
            return NULL;
        }
        n->else_body = parse_body(p, endif);
        if (p->err->kind) {
            return NULL;
        }
        advance(p);
    }
    return expect_block_end(p) < 0 ? NULL : n;
}

static struct tpl_node *parse_for(struct parser *p, const struct tpl_tok *at)
{
    static const char *const ends[] = { "else", "endfor", NULL };
    static const char *const endfor[] = { "endfor", NULL };
    struct tpl_node *n = node_new(p, TN_FOR, at);

    n->a = parse_tuple(p, true, false);
    if (!n->a) {
        return NULL;
    }
    if (!accept_name(p, "in")) {
        fail_tok(p, peek(p), "expected 'in', got %s", NULL);
        return NULL;
    }
    n->b = parse_tuple(p, false, false);
    if (!n->b) {
        return NULL;
    }
    if (accept_name(p, "if")) {
        n->c = parse_expr(p);
        if (!n->c) {
            return NULL;
        }
    }
    if (is_name(peek(p), "recursive")) {
        fail_tok(p, peek(p), "recursive loops are not supported (%s)", NULL);
        return NULL;
    }
    if (expect_block_end(p) < 0) {
        return NULL;
    }
    n->body = parse_body(p, ends);
    if (p->err->kind) {
        return NULL;
    }
    if (is_name(advance(p), "else")) {
        if (expect_block_end(p) < 0) {
            return NULL;
        }
        n->else_body = parse_body(p, endfor);
        if (p->err->kind) {
            return NULL;
        }
        advance(p);
    }
    return expect_block_end(p) < 0 ? NULL : n;
}

static struct tpl_node *parse_set(struct parser *p, const struct tpl_tok *at)
{
    struct tpl_node *n = node_new(p, TN_SET, at);

    n->a = parse_tuple(p, true, false);
    if (!n->a) {
        return NULL;
    }
    if (accept_op(p, "=")) {
        n->b = parse_tuple(p, false, true);
        return n->b && expect_block_end(p) == 0 ? n : NULL;
    }
    static const char *const ends[] = { "endset", NULL };
    n->kind = TN_SET_BLOCK;
    if (n->a->kind != TN_NAME) {
        fail_tok(p, at, "a block 'set' assigns one name (%s)", NULL);
        return NULL;
    }
    while (accept_op(p, "|")) { /* {% set x | filter %} */
        n->c = parse_filter(p, n->c, at->start);
        if (!n->c) {
            return NULL;
        }
    }
    if (expect_block_end(p) < 0) {
        return NULL;
    }
    return parse_block_rest(p, n, ends);
}

/* Macro signature: name '(' [arg ['=' default]] ... ')'. Args in n->kwnames, defaults in n->args
 * (NULL when none). */
static int parse_signature(struct parser *p, struct tpl_node *n)
{
    struct nodelist defs = { 0 };
    const char **names = NULL;
    size_t cap = 0;

    if (expect_op(p, "(") < 0) {
        return -1;
    }
    while (!accept_op(p, ")")) {
        const struct tpl_tok *tk;

        if (defs.len && expect_op(p, ",") < 0) {
            goto fail;
        }
        tk = advance(p);
        if (tk->kind != TK_NAME) {
            fail_tok(p, tk, "expected an argument name, got %s", NULL);
            goto fail;
        }
        xgrow((void **)&names, &cap, defs.len + 1, sizeof(*names));
        names[defs.len] = arena_strndup(&p->t->arena, tk->str, tk->len);
        if (accept_op(p, "=")) {
            struct tpl_node *d = parse_expr(p);

            if (!d) {
                goto fail;
            }
            nl_push(&defs, d);
        } else {
            nl_push(&defs, NULL);
        }
    }
    n->nkw = defs.len;
    n->kwargs = nl_freeze(p, &defs);
    if (n->nkw) {
        n->kwnames = arena_alloc(&p->t->arena, n->nkw * sizeof(*names));
        memcpy(n->kwnames, names, n->nkw * sizeof(*names));
        n->kwslots = arena_alloc(&p->t->arena, n->nkw * sizeof(*n->kwslots));
        for (size_t i = 0; i < n->nkw; i++) {
            n->kwslots[i] = tpl_name_slot(p->t, names[i], strlen(names[i]));
        }
    }
    free(names);
    return 0;
fail:
    free(defs.items);
    free(names);
    return -1;
}

static struct tpl_node *parse_macro(struct parser *p, const struct tpl_tok *at)
{
    static const char *const ends[] = { "endmacro", NULL };
    const struct tpl_tok *name = advance(p);
    struct tpl_node *n = node_new(p, TN_MACRO, at);

    if (name->kind != TK_NAME) {
        fail_tok(p, name, "expected a macro name, got %s", NULL);
        return NULL;
    }
    n->slot = tpl_name_slot(p->t, name->str, name->len);
    n->str = p->t->names[n->slot];
    n->len = name->len;
    if (parse_signature(p, n) < 0 || expect_block_end(p) < 0) {
        return NULL;
    }
    return parse_block_rest(p, n, ends);
}

static struct tpl_node *parse_call_block(struct parser *p, const struct tpl_tok *at)
{
    static const char *const ends[] = { "endcall", NULL };
    struct tpl_node *n = node_new(p, TN_CALL_BLOCK, at);

    if (is_op(peek(p), "(")) {
        n->str = "caller";
        if (parse_signature(p, n) < 0) {
            return NULL;
        }
    }
    n->a = parse_expr(p);
    if (!n->a) {
        return NULL;
    }
    if (n->a->kind != TN_CALL) {
        fail_tok(p, at, "expected a macro call after 'call' (%s)", NULL);
        return NULL;
    }
    if (expect_block_end(p) < 0) {
        return NULL;
    }
    return parse_block_rest(p, n, ends);
}

static struct tpl_node *parse_filter_block(struct parser *p, const struct tpl_tok *at)
{
    static const char *const ends[] = { "endfilter", NULL };
    struct tpl_node *n = node_new(p, TN_FILTER_BLOCK, at);

    n->c = parse_filter(p, NULL, at->start);
    while (n->c && accept_op(p, "|")) {
        n->c = parse_filter(p, n->c, at->start);
    }
    if (!n->c || expect_block_end(p) < 0) {
        return NULL;
    }
    return parse_block_rest(p, n, ends);
}

static struct tpl_node *parse_statement_at(struct parser *p, const struct tpl_tok *tk);

static struct tpl_node *parse_statement(struct parser *p)
{
    const struct tpl_tok *tk = advance(p);
    struct tpl_node *n;

    if (++p->depth > MAX_DEPTH) {
        fail_tok(p, tk, "statements nested too deeply at %s", NULL);
        return NULL;
    }
    n = parse_statement_at(p, tk);
    p->depth--;
    return n;
}

static struct tpl_node *parse_statement_at(struct parser *p, const struct tpl_tok *tk)
{
    if (is_name(tk, "if")) {
        return parse_if(p, tk);
    }
    if (is_name(tk, "for")) {
        return parse_for(p, tk);
    }
    if (is_name(tk, "set")) {
        return parse_set(p, tk);
    }
    if (is_name(tk, "macro")) {
        return parse_macro(p, tk);
    }
    if (is_name(tk, "call")) {
        return parse_call_block(p, tk);
    }
    if (is_name(tk, "filter")) {
        return parse_filter_block(p, tk);
    }
    if (tk->kind == TK_NAME) {
        fail_tok(p, tk, "unknown or unsupported tag %s", NULL);
    } else {
        fail_tok(p, tk, "expected a tag name, got %s", NULL);
    }
    return NULL;
}

static bool is_end_word(const struct tpl_tok *tk, const char *const *ends)
{
    for (; ends && *ends; ends++) {
        if (is_name(tk, *ends)) {
            return true;
        }
    }
    return false;
}

static const char *const all_ends[] = { "elif", "else", "endif", "endfor", "endset", "endmacro",
                                        "endcall", "endfilter", NULL };

/* Parses statements until EOF (ends == NULL) or a block tag starting with one of 'ends'; leaves
 * p->i at that name. On error returns NULL with p->err set. */
static struct tpl_node *parse_body(struct parser *p, const char *const *ends)
{
    struct tpl_node *head = NULL, **tail = &head;

    for (;;) {
        const struct tpl_tok *tk = peek(p);
        struct tpl_node *n = NULL;

        if (tk->kind == TK_EOF) {
            if (ends) {
                const char *const *last = ends;
                char want[64];

                while (last[1]) {
                    last++;
                }
                snprintf(want, sizeof(want), "'%s'", *last);
                fail_tok(p, tk, "unexpected end of template, expected %s", want);
                return NULL;
            }
            return head;
        }
        advance(p);
        if (tk->kind == TK_DATA) {
            n = node_new(p, TN_DATA, tk);
            n->str = tk->str;
            n->len = tk->len;
        } else if (tk->kind == TK_VAR_BEGIN) {
            n = node_new(p, TN_OUTPUT, tk);
            n->a = parse_tuple(p, false, true);
            if (!n->a) {
                return NULL;
            }
            if (advance(p)->kind != TK_VAR_END) {
                fail_tok(p, &p->toks[p->i - 1], "expected end of print statement, got %s", NULL);
                return NULL;
            }
        } else if (tk->kind == TK_BLOCK_BEGIN) {
            if (is_end_word(peek(p), ends)) {
                return head;
            }
            if (is_end_word(peek(p), all_ends)) {
                fail_tok(p, peek(p), "unexpected tag %s", NULL);
                return NULL;
            }
            n = parse_statement(p);
            if (!n) {
                return NULL;
            }
        } else {
            fail_tok(p, tk, "unexpected %s", NULL);
            return NULL;
        }
        *tail = n;
        tail = &n->next;
    }
}

int tpl_parse(struct tpl *t, const struct tpl_tok *toks, size_t count, struct err *err)
{
    struct parser p = { .t = t, .toks = toks, .n = count, .err = err };

    t->loop_slot = tpl_name_slot(t, "loop", 4);
    t->caller_slot = tpl_name_slot(t, "caller", 6);
    t->root = parse_body(&p, NULL);
    return err->kind ? -1 : 0;
}
