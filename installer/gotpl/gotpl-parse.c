/*
 * gotpl-parse.c - text/template's parser: tokens -> parse tree, following Go's
 * text/template/parse/parse.go: pipelines with declarations, commands and operands, field chains,
 * if/else if/range/with/else with/define/template/block/break/continue, variables checked at
 * parse time ("undefined variable"), functions checked at parse time ("function %q not defined").
 * define and block bodies join the set (gotpl.c); the file's own body is the template 'name'.
 */
#include "pot.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <string.h>
#include "base/xalloc.h"
#include "gotpl/gotpl-int.h"

struct parser {
    struct gotpl *t;
    const char *name; /* interned */
    const char *src;
    struct gtoks toks;
    size_t i;
    const char **vars; /* owned array of declared variable names (borrowed strings) */
    size_t nvars, vars_cap;
    int range_depth;
    int depth;
    struct val *defined; /* owned: template name -> whether its body is empty, this parse */
    struct err *err;
};

enum action_end {
    ACT_NODE,
    ACT_END,
    ACT_ELSE,
};

static const char *tok_desc(const struct gtok *tk, char *tmp, size_t size)
{
    switch (tk->kind) {
    case GT_EOF:
        return "EOF";
    case GT_RIGHT:
        return "\"}}\"";
    case GT_LEFT:
        return "\"{{\"";
    case GT_SPACE:
        return "space";
    case GT_BLOCK:
        return "<block>";
    case GT_BREAK:
        return "<break>";
    case GT_CONTINUE:
        return "<continue>";
    case GT_DEFINE:
        return "<define>";
    case GT_ELSE:
        return "<else>";
    case GT_END:
        return "<end>";
    case GT_IF:
        return "<if>";
    case GT_RANGE:
        return "<range>";
    case GT_TEMPLATE:
        return "<template>";
    case GT_WITH:
        return "<with>";
    case GT_STRING:
        return "quoted string";
    case GT_FIELD:
        snprintf(tmp, size, "<.%.60s>", tk->str);
        return tmp;
    default:
        snprintf(tmp, size, "\"%.60s\"", tk->str);
        return tmp;
    }
}

static struct srcpos tok_pos(const struct parser *p, const struct gtok *tk)
{
    struct srcpos pos = { p->name, tk->line, tk->col };

    return pos;
}

static int fail_tok(struct parser *p, const struct gtok *tk, const char *fmt, const char *a,
                    const char *b)
{
    struct srcpos pos = tok_pos(p, tk);

    return err_at(p->err, ERR_PARSE, &pos, fmt, a, b);
}

static struct gtok *peek(struct parser *p)
{
    return &p->toks.items[p->i];
}

static struct gtok *next(struct parser *p)
{
    struct gtok *tk = &p->toks.items[p->i];

    if (tk->kind != GT_EOF) {
        p->i++;
    }
    return tk;
}

static struct gtok *peek_nonspace(struct parser *p)
{
    while (peek(p)->kind == GT_SPACE) {
        p->i++;
    }
    return peek(p);
}

static struct gtok *next_nonspace(struct parser *p)
{
    peek_nonspace(p);
    return next(p);
}

static int unexpected(struct parser *p, const struct gtok *tk, const char *context)
{
    char tmp[128];

    return fail_tok(p, tk, "unexpected %s in %s", tok_desc(tk, tmp, sizeof(tmp)), context);
}

static int expect(struct parser *p, enum gtok_kind kind, const char *context)
{
    struct gtok *tk = next_nonspace(p);

    if (tk->kind != kind) {
        return unexpected(p, tk, context);
    }
    return 0;
}

static void push_var(struct parser *p, const char *name)
{
    xgrow((void **)&p->vars, &p->vars_cap, p->nvars + 1, sizeof(*p->vars));
    p->vars[p->nvars++] = name;
}

static bool has_var(const struct parser *p, const char *name)
{
    for (size_t i = 0; i < p->nvars; i++) {
        if (strcmp(p->vars[i], name) == 0) {
            return true;
        }
    }
    return false;
}

static char *span_text(struct parser *p, size_t from, size_t to)
{
    return arena_strndup(&p->t->arena, p->src + from, to > from ? to - from : 0);
}

/* The end offset of the last non-space token consumed. */
static size_t last_end(const struct parser *p)
{
    size_t j = p->i;

    while (j > 0) {
        j--;
        if (p->toks.items[j].kind != GT_SPACE) {
            return p->toks.items[j].end;
        }
    }
    return 0;
}

static void *alloc(struct parser *p, size_t size)
{
    return arena_alloc(&p->t->arena, size);
}

static void append_ptr(struct parser *p, void ***arr, size_t *n, void *item)
{
    void **grown = alloc(p, (*n + 1) * sizeof(void *));

    if (*n) {
        memcpy(grown, *arr, *n * sizeof(void *));
    }
    grown[*n] = item;
    *arr = grown;
    (*n)++;
}

/* strconv's underscoreOK: '_' only between digits, or between a base prefix and a digit. */
static bool underscores_ok(const char *s)
{
    char saw = '^';
    bool hex = false;

    if (*s == '+' || *s == '-') {
        s++;
    }
    if (s[0] == '0' && s[1] && strchr("bBoOxX", s[1])) {
        hex = s[1] == 'x' || s[1] == 'X';
        saw = '0';
        s += 2;
    }
    for (; *s; s++) {
        if (isdigit((unsigned char)*s) || (hex && isxdigit((unsigned char)*s))) {
            saw = '0';
        } else if (*s == '_') {
            if (saw != '0') {
                return false;
            }
            saw = '_';
        } else if (saw == '_') {
            return false;
        } else {
            saw = '!';
        }
    }
    return saw != '_';
}

/* strconv.ParseUint(s, 0, 64): a 0x/0o/0b prefix or a leading 0 (octal) picks the base. */
static bool parse_go_uint(const char *s, uint64_t *out)
{
    const char *s0 = s;
    size_t len = strlen(s);
    unsigned base = 10;
    uint64_t n = 0;
    bool underscores = false;

    if (len == 0) {
        return false;
    }
    if (s[0] == '0') {
        char p = len >= 3 ? (char)(s[1] | 0x20) : 0;

        base = p == 'b' ? 2 : p == 'x' ? 16 : 8;
        s += p == 'b' || p == 'o' || p == 'x' ? 2 : 1;
    }
    for (; *s; s++) {
        unsigned d;

        if (*s == '_') {
            underscores = true;
            continue;
        }
        if (!isxdigit((unsigned char)*s)) {
            return false;
        }
        d = isdigit((unsigned char)*s) ? (unsigned)(*s - '0') : (unsigned)((*s | 0x20) - 'a' + 10);
        if (d >= base || n > (UINT64_MAX - d) / base) {
            return false;
        }
        n = n * base + d;
    }
    *out = n;
    return !underscores || underscores_ok(s0);
}

/* strconv.ParseFloat(s, 64) on what the lexer passes: decimal, or hex with its 'p' exponent;
 * out of range is an error (underflow is not). */
static bool parse_go_float(const char *text, double *out)
{
    char clean[128];
    size_t n = 0;
    const char *s = text + (*text == '+' || *text == '-');
    char *end;
    bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');

    if ((strchr(text, '_') && !underscores_ok(text)) || strlen(text) >= sizeof(clean) ||
        (hex && !strpbrk(s, "pP"))) {
        return false;
    }
    for (const char *c = text; *c; c++) {
        if (*c != '_') {
            clean[n++] = *c;
        }
    }
    clean[n] = 0;
    *out = strtod(clean, &end);
    return !*end && isfinite(*out);
}

/* Go's number constant (parse.newNumber, then exec's idealConstant): an int when it parses as
 * one and has no '.', 'e' or 'p' (hex ints aside), else a float64. Returns NULL with Go's
 * reason in '*why' when it is none. */
static struct val *parse_number(const char *text, bool is_char, const char **why)
{
    const char *digits = text + (*text == '+' || *text == '-');
    bool neg = *text == '-';
    bool is_uint = false, is_int = false;
    uint64_t u = 0;
    double d = 0;

    *why = "illegal number syntax";
    if (is_char) {
        return gotpl_goint(strtoll(text, NULL, 10));
    }
    if (text[strlen(text) - 1] == 'i') {
        return NULL; /* complex constants are not supported */
    }
    if (parse_go_uint(digits, &u)) {
        is_uint = digits == text; /* ParseUint takes no sign */
        is_int = u <= (uint64_t)INT64_MAX + neg;
    }
    if (is_int || is_uint) {
        d = neg ? -(double)u : (double)u;
    } else if (parse_go_float(text, &d)) {
        if (!strpbrk(text, ".eEpP")) {
            *why = "integer overflow";
            return NULL;
        }
    } else {
        return NULL;
    }
    /* isHexInt looks at the text with its sign: -0x1E is a float64 */
    if (strpbrk(text, ".eEpP") &&
        !(text[0] == '0' && (text[1] == 'x' || text[1] == 'X') && !strpbrk(text, "pP"))) {
        return val_double(d);
    }
    if (is_int) {
        return gotpl_goint(neg ? (int64_t)(0 - u) : (int64_t)u);
    }
    return val_double(d);
}

static struct gpipe *parse_pipeline(struct parser *p, const char *context, enum gtok_kind end);

static int parse_term(struct parser *p, struct garg **out)
{
    struct gtok *tk = next_nonspace(p);
    struct garg *a;

    *out = NULL;
    switch (tk->kind) {
    case GT_IDENT:
    case GT_DOT:
    case GT_NIL:
    case GT_VAR:
    case GT_FIELD:
    case GT_BOOL:
    case GT_CHAR:
    case GT_NUMBER:
    case GT_LPAREN:
    case GT_STRING:
        break;
    default:
        p->i--;
        return 0;
    }
    a = alloc(p, sizeof(*a));
    a->pos = tok_pos(p, tk);
    switch (tk->kind) {
    case GT_IDENT: {
        struct gfunc_ref ref;

        if (!gotpl_find_func(p->t, tk->str, &ref)) {
            return fail_tok(p, tk, "function \"%s\" not defined%s", tk->str, "");
        }
        a->kind = GA_IDENT;
        a->name = tk->str;
        break;
    }
    case GT_DOT:
        a->kind = GA_DOT;
        break;
    case GT_NIL:
        a->kind = GA_NIL;
        break;
    case GT_VAR:
        if (!has_var(p, tk->str)) {
            return fail_tok(p, tk, "undefined variable \"%s\"%s", tk->str, "");
        }
        a->kind = GA_VAR;
        a->name = tk->str;
        break;
    case GT_FIELD:
        a->kind = GA_FIELD;
        append_ptr(p, (void ***)&a->fields, &a->nfields, (void *)tk->str);
        break;
    case GT_BOOL:
        a->kind = GA_CONST;
        a->value = gotpl_keep_const(p->t, val_bool(strcmp(tk->str, "true") == 0));
        break;
    case GT_CHAR:
    case GT_NUMBER: {
        const char *why;
        struct val *v = parse_number(tk->str, tk->kind == GT_CHAR, &why);

        if (!v) {
            return fail_tok(p, tk, "%s: \"%s\"", why, tk->str);
        }
        a->kind = GA_CONST;
        a->value = gotpl_keep_const(p->t, v);
        break;
    }
    case GT_STRING:
        a->kind = GA_CONST;
        a->value = gotpl_keep_const(p->t, val_strn(tk->str, tk->len));
        break;
    case GT_LPAREN:
        if (++p->depth > GOTPL_MAX_PARSE_DEPTH) {
            return fail_tok(p, tk, "max expression depth exceeded%s%s", "", "");
        }
        a->kind = GA_PIPE;
        a->pipe = parse_pipeline(p, "parenthesized pipeline", GT_RPAREN);
        p->depth--;
        if (!a->pipe) {
            return -1;
        }
        break;
    default:
        BUG("term kind");
    }
    a->text = span_text(p, tk->off, last_end(p));
    *out = a;
    return 0;
}

static int parse_operand(struct parser *p, struct garg **out)
{
    size_t start = peek_nonspace(p)->off;
    struct garg *a;

    if (parse_term(p, out) < 0) {
        return -1;
    }
    a = *out;
    if (!a || peek(p)->kind != GT_FIELD) {
        return 0;
    }
    if (a->kind == GA_CONST || a->kind == GA_NIL || a->kind == GA_DOT) {
        return fail_tok(p, peek(p), "unexpected . after term \"%s\"%s", a->text, "");
    }
    while (peek(p)->kind == GT_FIELD) {
        append_ptr(p, (void ***)&a->fields, &a->nfields, (void *)next(p)->str);
    }
    a->text = span_text(p, start, last_end(p));
    return 0;
}

static struct gcmd *parse_command(struct parser *p)
{
    struct gcmd *cmd = alloc(p, sizeof(*cmd));
    struct gtok *first = peek_nonspace(p);

    cmd->pos = tok_pos(p, first);
    for (;;) {
        struct garg *a;
        struct gtok *tk;

        peek_nonspace(p);
        if (parse_operand(p, &a) < 0) {
            return NULL;
        }
        if (a) {
            append_ptr(p, (void ***)&cmd->args, &cmd->nargs, a);
        }
        tk = next(p);
        if (tk->kind == GT_SPACE) {
            continue;
        }
        if (tk->kind == GT_RIGHT || tk->kind == GT_RPAREN) {
            p->i--;
        } else if (tk->kind != GT_PIPE) {
            unexpected(p, tk, "operand");
            return NULL;
        }
        break;
    }
    if (cmd->nargs == 0) {
        fail_tok(p, first, "empty command%s%s", "", "");
        return NULL;
    }
    cmd->text = span_text(p, first->off, last_end(p));
    return cmd;
}

static int check_pipeline(struct parser *p, struct gpipe *pipe, const char *context,
                          const struct gtok *at)
{
    if (pipe->ncmds == 0) {
        return fail_tok(p, at, "missing value for %s%s", context, "");
    }
    for (size_t i = 1; i < pipe->ncmds; i++) {
        struct garg *a = pipe->cmds[i]->args[0];

        if (a->kind == GA_CONST || a->kind == GA_DOT || a->kind == GA_NIL) {
            char num[24];
            struct srcpos pos = a->pos;

            snprintf(num, sizeof(num), "%zu", i + 1);
            return err_at(p->err, ERR_PARSE, &pos, "non executable command in pipeline stage %s",
                          num);
        }
    }
    return 0;
}

static struct gpipe *parse_pipeline(struct parser *p, const char *context, enum gtok_kind end)
{
    struct gpipe *pipe = alloc(p, sizeof(*pipe));
    struct gtok *tk = peek_nonspace(p);

    pipe->pos = tok_pos(p, tk);
    for (;;) {
        size_t save = p->i;
        struct gtok *v = peek_nonspace(p);
        struct gtok *after, *op;

        if (v->kind != GT_VAR) {
            break;
        }
        next(p);
        after = peek(p);
        op = peek_nonspace(p);
        if (op->kind == GT_ASSIGN || op->kind == GT_DECLARE) {
            pipe->is_assign = op->kind == GT_ASSIGN;
            next(p);
            append_ptr(p, (void ***)&pipe->decl, &pipe->ndecl, (void *)v->str);
            push_var(p, v->str);
            break;
        }
        if (op->kind == GT_COMMA) {
            next(p);
            append_ptr(p, (void ***)&pipe->decl, &pipe->ndecl, (void *)v->str);
            push_var(p, v->str);
            if (strcmp(context, "range") == 0 && pipe->ndecl < 2) {
                enum gtok_kind k = peek_nonspace(p)->kind;

                if (k == GT_VAR || k == GT_RIGHT || k == GT_RPAREN) {
                    continue;
                }
                fail_tok(p, peek(p), "range can only initialize variables%s%s", "", "");
                return NULL;
            }
            fail_tok(p, op, "too many declarations in %s%s", context, "");
            return NULL;
        }
        (void)after;
        p->i = save;
        break;
    }
    for (;;) {
        struct gtok *t2 = next_nonspace(p);
        struct gcmd *cmd;

        if (t2->kind == end) {
            if (check_pipeline(p, pipe, context, t2) < 0) {
                return NULL;
            }
            return pipe;
        }
        switch (t2->kind) {
        case GT_BOOL:
        case GT_CHAR:
        case GT_DOT:
        case GT_FIELD:
        case GT_IDENT:
        case GT_NUMBER:
        case GT_NIL:
        case GT_STRING:
        case GT_VAR:
        case GT_LPAREN:
            p->i--;
            cmd = parse_command(p);
            if (!cmd) {
                return NULL;
            }
            append_ptr(p, (void ***)&pipe->cmds, &pipe->ncmds, cmd);
            break;
        default:
            unexpected(p, t2, context);
            return NULL;
        }
    }
}

static int parse_item_list(struct parser *p, struct gnode **list, enum action_end *how,
                           struct gtok **end_tok);

static struct gnode *new_node(struct parser *p, enum gnode_kind kind, const struct gtok *tk)
{
    struct gnode *n = alloc(p, sizeof(*n));

    n->kind = kind;
    n->pos = tok_pos(p, tk);
    return n;
}

/* if / range / with after their keyword. */
static struct gnode *parse_control(struct parser *p, enum gnode_kind kind, const struct gtok *kw)
{
    const char *context = kind == GN_IF ? "if" : kind == GN_RANGE ? "range" : "with";
    struct gnode *n = new_node(p, kind, kw);
    size_t mark = p->nvars;
    enum action_end how;
    struct gtok *end_tok;

    if (++p->depth > GOTPL_MAX_PARSE_DEPTH) {
        fail_tok(p, kw, "max expression depth exceeded%s%s", "", "");
        return NULL;
    }
    n->pipe = parse_pipeline(p, context, GT_RIGHT);
    if (!n->pipe) {
        return NULL;
    }
    if (kind == GN_RANGE) {
        p->range_depth++;
    }
    if (parse_item_list(p, &n->list, &how, &end_tok) < 0) {
        return NULL;
    }
    if (kind == GN_RANGE) {
        p->range_depth--;
    }
    if (how == ACT_ELSE) {
        struct gtok *pk = peek(p);

        if ((kind == GN_IF && pk->kind == GT_IF) || (kind == GN_WITH && pk->kind == GT_WITH)) {
            struct gtok *kw2 = next(p);

            n->else_list = parse_control(p, kind, kw2);
            if (!n->else_list) {
                return NULL;
            }
        } else {
            if (pk->kind == GT_IF || pk->kind == GT_WITH) {
                unexpected(p, pk, "input");
                return NULL;
            }
            if (parse_item_list(p, &n->else_list, &how, &end_tok) < 0) {
                return NULL;
            }
            if (how != ACT_END) {
                fail_tok(p, end_tok, "expected end; found {{else}}%s%s", "", "");
                return NULL;
            }
        }
    }
    p->depth--;
    p->nvars = mark;
    return n;
}

static int template_name(struct parser *p, const char *context, const char **name)
{
    struct gtok *tk = next_nonspace(p);

    if (tk->kind != GT_STRING) {
        return unexpected(p, tk, context);
    }
    *name = tk->str;
    return 0;
}

static bool empty_tree(const struct gnode *n)
{
    for (; n; n = n->next) {
        if (n->kind != GN_TEXT || n->len != strspn(n->text, " \t\r\n")) {
            return false;
        }
    }
    return true;
}

/* Go's treeSet rule within one parse: a second non-empty definition of a name is an error. */
static int add_template(struct parser *p, const char *name, struct gnode *root,
                        const struct gtok *at)
{
    struct val *was_empty = val_dict_get(p->defined, name);
    bool empty = empty_tree(root);

    if (was_empty && !was_empty->u.b && !empty) {
        return fail_tok(p, at, "template: multiple definition of template \"%s\"%s", name, "");
    }
    if (!was_empty || was_empty->u.b) {
        val_dict_set_take(p->defined, name, val_bool(empty));
    }
    gotpl_set_template(p->t, name, root);
    return 0;
}

/* Parses a define or block body with a fresh variable scope; adds it to the set. */
static int parse_body(struct parser *p, const char *name, const char *context)
{
    const char **saved_vars = p->vars;
    size_t saved_n = p->nvars, saved_cap = p->vars_cap;
    int saved_range = p->range_depth;
    enum action_end how;
    struct gtok *end_tok;
    struct gnode *root = NULL;
    int rc;

    p->vars = NULL;
    p->nvars = p->vars_cap = 0;
    p->range_depth = 0;
    push_var(p, "$");
    rc = parse_item_list(p, &root, &how, &end_tok);
    if (rc == 0 && how != ACT_END) {
        rc = fail_tok(p, end_tok, "unexpected {{else}} in %s%s", context, "");
    }
    free(p->vars);
    p->vars = saved_vars;
    p->nvars = saved_n;
    p->vars_cap = saved_cap;
    p->range_depth = saved_range;
    if (rc == 0) {
        rc = add_template(p, name, root, end_tok);
    }
    return rc;
}

/* After "{{": one action. Sets *how for end/else, else returns the node in *out. */
static int parse_action(struct parser *p, struct gnode **out, enum action_end *how)
{
    struct gtok *kw = next_nonspace(p);
    struct gnode *n;

    *out = NULL;
    *how = ACT_NODE;
    switch (kw->kind) {
    case GT_IF:
        *out = parse_control(p, GN_IF, kw);
        return *out ? 0 : -1;
    case GT_RANGE:
        *out = parse_control(p, GN_RANGE, kw);
        return *out ? 0 : -1;
    case GT_WITH:
        *out = parse_control(p, GN_WITH, kw);
        return *out ? 0 : -1;
    case GT_END:
        *how = ACT_END;
        return expect(p, GT_RIGHT, "end");
    case GT_ELSE: {
        enum gtok_kind k = peek_nonspace(p)->kind;

        *how = ACT_ELSE;
        if (k == GT_IF || k == GT_WITH) {
            return 0;
        }
        return expect(p, GT_RIGHT, "else");
    }
    case GT_BREAK:
    case GT_CONTINUE:
        if (p->range_depth == 0) {
            return fail_tok(p, kw, "{{%s}} outside {{range}}%s",
                            kw->kind == GT_BREAK ? "break" : "continue", "");
        }
        *out = new_node(p, kw->kind == GT_BREAK ? GN_BREAK : GN_CONTINUE, kw);
        return expect(p, GT_RIGHT, kw->kind == GT_BREAK ? "{{break}}" : "{{continue}}");
    case GT_TEMPLATE:
    case GT_BLOCK: {
        bool block = kw->kind == GT_BLOCK;
        const char *context = block ? "block clause" : "template clause";

        n = new_node(p, GN_TEMPLATE, kw);
        if (template_name(p, context, &n->name) < 0) {
            return -1;
        }
        if (block || peek_nonspace(p)->kind != GT_RIGHT) {
            n->pipe = parse_pipeline(p, context, GT_RIGHT);
            if (!n->pipe) {
                return -1;
            }
        } else {
            next(p);
        }
        if (block && parse_body(p, n->name, context) < 0) {
            return -1;
        }
        *out = n;
        return 0;
    }
    default:
        p->i--;
        n = new_node(p, GN_ACTION, peek_nonspace(p));
        n->pipe = parse_pipeline(p, "command", GT_RIGHT);
        if (!n->pipe) {
            return -1;
        }
        *out = n;
        return 0;
    }
}

/* Parses nodes until {{end}} / {{else}} (reported in *how) or, at top level, EOF. */
static int parse_nodes(struct parser *p, struct gnode **list, bool top, enum action_end *how,
                       struct gtok **end_tok)
{
    struct gnode **tail = list;

    *list = NULL;
    for (;;) {
        struct gtok *tk = next(p);
        struct gnode *n = NULL;

        if (tk->kind == GT_EOF) {
            if (top) {
                *how = ACT_NODE;
                return 0;
            }
            return fail_tok(p, tk, "unexpected EOF%s%s", "", "");
        }
        if (tk->kind == GT_TEXT) {
            n = new_node(p, GN_TEXT, tk);
            n->text = tk->str;
            n->len = tk->len;
        } else if (tk->kind == GT_LEFT) {
            enum action_end h;

            if (top && peek_nonspace(p)->kind == GT_DEFINE) {
                const char *name = NULL;

                next(p);
                if (template_name(p, "define clause", &name) < 0 ||
                    expect(p, GT_RIGHT, "define clause") < 0 ||
                    parse_body(p, name, "define clause") < 0) {
                    return -1;
                }
                continue;
            }
            if (parse_action(p, &n, &h) < 0) {
                return -1;
            }
            if (h != ACT_NODE) {
                if (top) {
                    return fail_tok(p, tk, "unexpected {{%s}}%s", h == ACT_END ? "end" : "else",
                                    "");
                }
                *how = h;
                *end_tok = tk;
                return 0;
            }
        } else {
            return unexpected(p, tk, "input");
        }
        *tail = n;
        tail = &n->next;
    }
}

static int parse_item_list(struct parser *p, struct gnode **list, enum action_end *how,
                           struct gtok **end_tok)
{
    return parse_nodes(p, list, false, how, end_tok);
}

int gotpl_parse_into(struct gotpl *t, const char *key, const char *file, const char *text,
                     struct err *err)
{
    struct parser p = { .t = t,
                        .name = pos_intern(file),
                        .src = text,
                        .err = err,
                        .defined = val_dict() };
    struct gnode *root = NULL;
    enum action_end how;
    int rc = -1;

    if (gotpl_lex(p.name, text, &t->arena, &p.toks, err) < 0) {
        goto out;
    }
    push_var(&p, "$");
    if (parse_nodes(&p, &root, true, &how, NULL) < 0) {
        goto out;
    }
    if (add_template(&p, key, root, &p.toks.items[p.toks.len - 1]) < 0) {
        goto out;
    }
    rc = 0;
out:
    val_unref(p.defined);
    free(p.vars);
    free(p.toks.items);
    return rc;
}
