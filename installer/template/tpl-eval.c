/*
 * tpl-eval.c - the tree-walking evaluator: expressions with Python semantics (arithmetic,
 * comparisons, attribute/item access with Jinja2's fallbacks, Ansible's undefined), and statements
 * (output, if, for with loop.*, set, macro/call, filter blocks) rendered into a buffer.
 * Every error carries the template name, the line:col of the failing node and the text of the
 * enclosing expression.
 */
#include "pot.h"
#include <math.h>
#include <string.h>
#include "base/buf.h"
#include "base/xalloc.h"
#include "template/tpl-eval.h"

#define MAX_CALL_DEPTH 100
#define MAX_ITERATIONS 2000000L /* loop iterations plus macro calls in one render */
#define MAX_RESULT_BYTES (64u << 20)
#define SCRATCH_DEPTH 8
/* Kept out of eval()'s body so that its hot cases (constants, names) stay a small function. */
#define NOINLINE __attribute__((noinline))

struct local {
    int slot;                     /* the name's slot in tpl->names */
    struct val *v;                /* owned reference; NULL for a macro */
    const struct tpl_node *macro; /* TN_MACRO or TN_CALL_BLOCK (as 'caller') */
};

struct loop {
    struct val *items; /* borrowed from the for statement */
    size_t index0;
    struct loop *parent;
};

struct tpl_ctx {
    const struct tpl *t;
    const struct tpl_scope *scope;
    struct err *err;
    struct local *locals; /* owned */
    size_t nlocals, cap;
    struct val **globals; /* owned: scope lookups of this render, by name slot */
    struct loop *loop;
    const struct tpl_node *node; /* being evaluated: position of errors */
    const struct tpl_node *expr; /* enclosing top-level expression: text of errors */
    int call_depth;
    long iterations;
    /* Macro output is rendered into scratch[call_depth] (when shallow enough) and copied into
     * its string: kept across calls, the buffers stop growing after the first calls. */
    struct buf scratch[SCRATCH_DEPTH];
};

static struct val *eval(struct tpl_ctx *c, const struct tpl_node *n);
static int render_body(struct tpl_ctx *c, const struct tpl_node *n, struct buf *out);

/* ----- errors ----- */

static void vfail(struct tpl_ctx *c, const struct tpl_node *n, int line, int col, const char *fmt,
                  va_list ap)
{
    struct srcpos pos = { c->t->name, line, col };
    char msg[1024];
    const struct tpl_node *e = c->expr ? c->expr : n;

    vsnprintf(msg, sizeof(msg), fmt, ap);
    if (e && e->end > e->start) {
        unsigned len = e->end - e->start;

        err_at(c->err, ERR_TEMPLATE, &pos, "%s (in '%.*s%s')", msg, len > 120 ? 120 : (int)len,
               c->t->src + e->start, len > 120 ? "..." : "");
    } else {
        err_at(c->err, ERR_TEMPLATE, &pos, "%s", msg);
    }
}

struct val *tpl_fail(struct tpl_ctx *c, const char *fmt, ...)
{
    va_list ap;
    const struct tpl_node *n = c->node;

    va_start(ap, fmt);
    vfail(c, n, n ? n->line : 0, n ? n->col : 0, fmt, ap);
    va_end(ap);
    return NULL;
}

int tpl_failn(struct tpl_ctx *c, const char *fmt, ...)
{
    va_list ap;
    const struct tpl_node *n = c->node;

    va_start(ap, fmt);
    vfail(c, n, n ? n->line : 0, n ? n->col : 0, fmt, ap);
    va_end(ap);
    return -1;
}

static void fail_undef_at(struct tpl_ctx *c, const struct val *undef, ...)
{
    va_list ap;

    va_start(ap, undef);
    vfail(c, c->node, undef->pos.line, undef->pos.col, "%s", ap);
    va_end(ap);
}

struct val *tpl_fail_undefined(struct tpl_ctx *c, const struct val *undef)
{
    fail_undef_at(c, undef, undef->u.s.ptr);
    return NULL;
}

struct val *tpl_undefined(struct tpl_ctx *c, const char *fmt, ...)
{
    va_list ap;
    struct val *v;

    va_start(ap, fmt);
    v = val_str_take(xvasprintf(fmt, ap), 0);
    va_end(ap);
    v->u.s.len = strlen(v->u.s.ptr);
    v->flags |= TPL_UNDEFINED;
    v->pos.file = c->t->name;
    v->pos.line = c->node ? c->node->line : 0;
    v->pos.col = c->node ? c->node->col : 0;
    return v;
}

const struct tpl_scope *tpl_ctx_scope(struct tpl_ctx *c)
{
    return c->scope;
}

/* The first strict undefined value in 'v' or inside it (list items, dict values), or NULL. */
static const struct val *first_undefined(const struct val *v)
{
    const struct val *u = NULL;

    if (tpl_is_undefined(v)) {
        return v->flags & TPL_LENIENT ? NULL : v;
    }
    if (v->type == VAL_LIST) {
        for (size_t i = 0; !u && i < val_list_len(v); i++) {
            u = first_undefined(val_list_get(v, i));
        }
    } else if (v->type == VAL_DICT) {
        for (size_t i = 0; !u && i < val_dict_len(v); i++) {
            u = first_undefined(val_dict_value_at(v, i));
        }
    }
    return u;
}

int tpl_check_defined(struct tpl_ctx *c, const struct val *v)
{
    const struct val *u = first_undefined(v);

    if (u) {
        tpl_fail_undefined(c, u);
        return -1;
    }
    return 0;
}

/* Returns 'v' unless it is undefined, in which case raises its error and returns NULL. */
static struct val *defined_or_fail(struct tpl_ctx *c, struct val *v)
{
    if (tpl_is_undefined(v)) {
        tpl_fail_undefined(c, v);
        val_unref(v);
        return NULL;
    }
    return v;
}

/* ----- arguments ----- */

struct val *tpl_arg(const struct tpl_args *a, size_t i, const char *name)
{
    if (i < a->npos) {
        return a->pos[i];
    }
    for (size_t k = 0; name && k < a->nkw; k++) {
        if (strcmp(a->kwnames[k], name) == 0) {
            return a->kw[k];
        }
    }
    return NULL;
}

int tpl_check_args(struct tpl_ctx *c, const char *fname, const struct tpl_args *a, size_t max,
                   const char *known)
{
    if (a->npos > max) {
        return tpl_failn(c, "'%s' takes at most %zu argument(s), %zu given", fname, max, a->npos);
    }
    for (size_t k = 0; k < a->nkw; k++) {
        const char *name = a->kwnames[k], *p = known;
        size_t n = strlen(name);
        bool ok = false;

        while (p && *p && !ok) {
            const char *comma = strchr(p, ',');
            size_t len = comma ? (size_t)(comma - p) : strlen(p);

            ok = len == n && memcmp(p, name, n) == 0;
            p = comma ? comma + 1 : NULL;
        }
        if (!ok) {
            return tpl_failn(c, "'%s' got an unexpected keyword argument '%s'", fname, name);
        }
    }
    return 0;
}

/* ----- names and locals ----- */

static void local_set(struct tpl_ctx *c, size_t frame, int slot, struct val *v_take)
{
    for (size_t i = c->nlocals; i > frame; i--) {
        struct local *l = &c->locals[i - 1];

        if (l->slot == slot) {
            val_unref(l->v);
            l->v = v_take;
            l->macro = NULL;
            return;
        }
    }
    xgrow((void **)&c->locals, &c->cap, c->nlocals + 1, sizeof(*c->locals));
    c->locals[c->nlocals++] = (struct local){ .slot = slot, .v = v_take };
}

static void locals_pop_to(struct tpl_ctx *c, size_t depth)
{
    while (c->nlocals > depth) {
        val_unref(c->locals[--c->nlocals].v);
    }
}

static const struct local *local_find(const struct tpl_ctx *c, int slot)
{
    for (size_t i = c->nlocals; i > 0; i--) {
        if (c->locals[i - 1].slot == slot) {
            return &c->locals[i - 1];
        }
    }
    return NULL;
}

static struct val *loop_value(struct tpl_ctx *c, const struct loop *lp, const char *attr);

static struct val *lookup_name(struct tpl_ctx *c, const struct tpl_node *n)
{
    const struct local *l = local_find(c, n->slot);
    struct val *v;

    c->node = n;
    if (l) {
        if (!l->v) {
            return tpl_fail(c, "macro '%s' used as a value; call it", n->str);
        }
        return val_ref(l->v);
    }
    if (c->loop && n->slot == c->t->loop_slot) {
        return loop_value(c, c->loop, NULL);
    }
    if (c->globals[n->slot]) {
        return val_ref(c->globals[n->slot]);
    }
    err_clear(c->err);
    v = c->scope && c->scope->lookup ? c->scope->lookup(c->scope->ctx, n->str, c->err) : NULL;
    if (v) {
        c->globals[n->slot] = val_ref(v);
        return v;
    }
    if (c->err->kind != ERR_NONE) {
        /* A variable cycle is reported where the outermost template uses it. */
        if (c->err->pos.line == 0 ||
            strncmp(c->err->msg, TPL_CYCLE_MSG, strlen(TPL_CYCLE_MSG)) == 0) {
            c->err->pos = (struct srcpos){ c->t->name, n->line, n->col };
        }
        return NULL;
    }
    return tpl_undefined(c, "'%s' is undefined", n->str);
}

/* ----- loop.* ----- */

static struct val *loop_value(struct tpl_ctx *c, const struct loop *lp, const char *attr)
{
    size_t len = val_list_len(lp->items), i = lp->index0;

    if (!attr) {
        struct val *d = val_dict();
        static const char *const keys[] = { "index", "index0", "revindex", "revindex0", "first",
                                            "last", "length", "depth", "depth0" };

        for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
            val_dict_set_take(d, keys[k], loop_value(c, lp, keys[k]));
        }
        return d;
    }
    if (strcmp(attr, "index") == 0) {
        return val_int((int64_t)i + 1);
    }
    if (strcmp(attr, "index0") == 0) {
        return val_int((int64_t)i);
    }
    if (strcmp(attr, "revindex") == 0) {
        return val_int((int64_t)(len - i));
    }
    if (strcmp(attr, "revindex0") == 0) {
        return val_int((int64_t)(len - i - 1));
    }
    if (strcmp(attr, "first") == 0) {
        return val_bool(i == 0);
    }
    if (strcmp(attr, "last") == 0) {
        return val_bool(i + 1 == len);
    }
    if (strcmp(attr, "length") == 0) {
        return val_int((int64_t)len);
    }
    if (strcmp(attr, "depth") == 0 || strcmp(attr, "depth0") == 0) {
        return val_int(attr[5] == '0' ? 0 : 1); /* counts recursive loops only */
    }
    if (strcmp(attr, "previtem") == 0) {
        return i > 0 ? val_ref(val_list_get(lp->items, i - 1))
                     : tpl_undefined(c, "there is no previous item");
    }
    if (strcmp(attr, "nextitem") == 0) {
        return i + 1 < len ? val_ref(val_list_get(lp->items, i + 1))
                           : tpl_undefined(c, "there is no next item");
    }
    return tpl_undefined(c, "'LoopContext object' has no attribute '%s'", attr);
}

/* ----- attribute and item access ----- */

static const char *type_name(const struct val *v)
{
    return val_type_name(v->type);
}

/* Methods Python would find as attributes (so d.items is the method, not d['items']). */
static bool is_method_name(const struct val *obj, const char *name)
{
    static const char *const dict_methods[] = { "items", "keys", "values", "get", "copy", NULL };
    static const char *const str_methods[] = {
        "split", "strip", "lstrip", "rstrip", "startswith", "endswith", "replace", "lower",
        "upper", "format", "join", "find", "count", "capitalize", "title", "splitlines",
        "isdigit", "isalpha", "index", NULL };
    static const char *const list_methods[] = { "index", "count", "copy", "append", "extend",
                                                NULL };
    const char *const *m = obj->type == VAL_DICT ? dict_methods
                           : obj->type == VAL_STR ? str_methods
                           : obj->type == VAL_LIST ? list_methods : NULL;

    for (; m && *m; m++) {
        if ((*m)[0] == name[0] && strcmp(*m, name) == 0) {
            return true;
        }
    }
    return false;
}

/* Index of the start of UTF-8 character 'idx' in s (len bytes), or len when past the end. */
static size_t utf8_offset(const char *s, size_t len, size_t idx)
{
    size_t off = 0;

    while (off < len && idx > 0) {
        off++;
        while (off < len && ((unsigned char)s[off] & 0xC0) == 0x80) {
            off++;
        }
        idx--;
    }
    return off;
}

static size_t utf8_len(const char *s, size_t len)
{
    size_t n = 0;

    for (size_t i = 0; i < len; i++) {
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    }
    return n;
}

static struct val *index_item(struct tpl_ctx *c, struct val *obj, int64_t i)
{
    size_t len = obj->type == VAL_LIST ? val_list_len(obj) : utf8_len(obj->u.s.ptr, obj->u.s.len);
    int64_t k = i < 0 ? i + (int64_t)len : i;

    if (k < 0 || k >= (int64_t)len) {
        return tpl_undefined(c, "'%s object' has no element %lld", type_name(obj), (long long)i);
    }
    if (obj->type == VAL_LIST) {
        return val_ref(val_list_get(obj, (size_t)k));
    }
    size_t a = utf8_offset(obj->u.s.ptr, obj->u.s.len, (size_t)k);
    size_t b = utf8_offset(obj->u.s.ptr, obj->u.s.len, (size_t)k + 1);
    return val_strn(obj->u.s.ptr + a, b - a);
}

struct val *tpl_getattr(struct tpl_ctx *c, struct val *obj, const char *name)
{
    if (tpl_is_undefined(obj)) {
        return val_ref(obj);
    }
    if (is_method_name(obj, name)) {
        return tpl_fail(c, "'%s' is a method of '%s object'; call it", name, type_name(obj));
    }
    if (obj->type == VAL_DICT) {
        struct val *v = val_dict_get(obj, name);

        if (v) {
            return val_ref(v);
        }
    }
    return tpl_undefined(c, "'%s object' has no attribute '%s'", type_name(obj), name);
}

struct val *tpl_getitem(struct tpl_ctx *c, struct val *obj, struct val *key)
{
    if (tpl_is_undefined(obj)) {
        return val_ref(obj);
    }
    if (key->type == VAL_INT || key->type == VAL_BOOL) {
        int64_t i = key->type == VAL_INT ? key->u.i : key->u.b;

        if (obj->type == VAL_LIST || obj->type == VAL_STR) {
            return index_item(c, obj, i);
        }
        if (obj->type == VAL_DICT) {
            char tmp[32];
            struct val *v;

            snprintf(tmp, sizeof(tmp), "%lld", (long long)i);
            v = val_dict_get(obj, tmp);
            if (v) {
                return val_ref(v);
            }
        }
        return tpl_undefined(c, "'%s object' has no element %lld", type_name(obj), (long long)i);
    }
    if (key->type == VAL_STR) {
        if (obj->type == VAL_DICT) {
            struct val *v = val_dict_get(obj, key->u.s.ptr);

            if (v) {
                return val_ref(v);
            }
        }
        if (is_method_name(obj, key->u.s.ptr)) {
            return tpl_fail(c, "'%s' is a method of '%s object'; call it", key->u.s.ptr,
                            type_name(obj));
        }
        return tpl_undefined(c, "'%s object' has no attribute '%s'", type_name(obj),
                             key->u.s.ptr);
    }
    struct buf b = BUF_INIT;
    tpl_pyrepr(key, &b);
    struct val *u = tpl_undefined(c, "'%s object' has no element %s", type_name(obj), b.ptr);
    buf_release(&b);
    return u;
}

/* Python slice bounds for a sequence of 'len' items. */
static void slice_bounds(int64_t len, struct val *lo, struct val *hi, int64_t step, int64_t *start,
                         int64_t *stop)
{
    int64_t def_start = step > 0 ? 0 : len - 1, def_stop = step > 0 ? len : -1;
    int64_t lower = step > 0 ? 0 : -1, upper = step > 0 ? len : len - 1;

    *start = def_start;
    *stop = def_stop;
    if (lo && lo->type != VAL_NULL) {
        *start = lo->u.i < 0 ? lo->u.i + len : lo->u.i;
        *start = *start < lower ? lower : *start > upper ? upper : *start;
    }
    if (hi && hi->type != VAL_NULL) {
        *stop = hi->u.i < 0 ? hi->u.i + len : hi->u.i;
        *stop = *stop < lower ? lower : *stop > upper ? upper : *stop;
    }
}

static bool slice_arg_ok(const struct val *v)
{
    return !v || v->type == VAL_NULL || v->type == VAL_INT;
}

static struct val *do_slice(struct tpl_ctx *c, struct val *obj, struct val *lo, struct val *hi,
                            struct val *st)
{
    int64_t step = st && st->type == VAL_INT ? st->u.i : 1, start, stop, len;
    bool is_str = obj->type == VAL_STR;
    struct val *out;

    if (obj->type != VAL_LIST && !is_str) {
        return tpl_fail(c, "'%s' object is not subscriptable", type_name(obj));
    }
    if (!slice_arg_ok(lo) || !slice_arg_ok(hi) || !slice_arg_ok(st)) {
        return tpl_fail(c, "slice indices must be integers or None");
    }
    if (step == 0) {
        return tpl_fail(c, "slice step cannot be zero");
    }
    len = is_str ? (int64_t)utf8_len(obj->u.s.ptr, obj->u.s.len) : (int64_t)val_list_len(obj);
    slice_bounds(len, lo, hi, step, &start, &stop);
    if (is_str) {
        struct buf b = BUF_INIT;

        for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
            size_t a = utf8_offset(obj->u.s.ptr, obj->u.s.len, (size_t)i);
            size_t e = utf8_offset(obj->u.s.ptr, obj->u.s.len, (size_t)i + 1);

            buf_add(&b, obj->u.s.ptr + a, e - a);
        }
        size_t n;
        char *s = buf_detach(&b, &n);
        return val_str_take(s, n);
    }
    out = val_list();
    for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
        val_list_push(out, val_list_get(obj, (size_t)i));
    }
    return out;
}

/* ----- operators ----- */

static bool is_num(const struct val *v)
{
    return v->type == VAL_INT || v->type == VAL_DOUBLE || v->type == VAL_BOOL;
}

static double num_d(const struct val *v)
{
    return v->type == VAL_DOUBLE ? v->u.d : v->type == VAL_INT ? (double)v->u.i : v->u.b;
}

static int64_t num_i(const struct val *v)
{
    return v->type == VAL_INT ? v->u.i : v->u.b;
}

static const char *op_symbol(int op)
{
    static const char *const s[] = { "+", "-", "*", "/", "//", "%", "**", "~",
                                     "==", "!=", "<", "<=", ">", ">=", "in", "not in" };
    return s[op];
}

static struct val *type_error(struct tpl_ctx *c, int op, const struct val *a, const struct val *b)
{
    return tpl_fail(c, "unsupported operand type(s) for %s: '%s' and '%s'", op_symbol(op),
                    type_name(a), type_name(b));
}

static struct val *repeat(struct tpl_ctx *c, struct val *seq, int64_t times)
{
    size_t unit = seq->type == VAL_STR ? seq->u.s.len : val_list_len(seq);

    if (times > 0 && unit > 0 && (uint64_t)times > MAX_RESULT_BYTES / unit) {
        return tpl_fail(c, "result of '*' too large");
    }
    if (seq->type == VAL_STR) {
        struct buf b = BUF_INIT;
        size_t n;

        for (int64_t i = 0; i < times; i++) {
            buf_add(&b, seq->u.s.ptr, seq->u.s.len);
        }
        char *s = buf_detach(&b, &n);
        return val_str_take(s, n);
    }
    struct val *out = val_list();
    for (int64_t i = 0; i < times; i++) {
        for (size_t k = 0; k < unit; k++) {
            val_list_push(out, val_list_get(seq, k));
        }
    }
    return out;
}

static struct val *concat2(struct val *a, struct val *b)
{
    if (a->type == VAL_STR) {
        char *s = xmalloc(a->u.s.len + b->u.s.len + 1);

        memcpy(s, a->u.s.ptr, a->u.s.len);
        memcpy(s + a->u.s.len, b->u.s.ptr, b->u.s.len);
        s[a->u.s.len + b->u.s.len] = 0;
        return val_str_take(s, a->u.s.len + b->u.s.len);
    }
    struct val *out = val_list();
    for (size_t i = 0; i < val_list_len(a); i++) {
        val_list_push(out, val_list_get(a, i));
    }
    for (size_t i = 0; i < val_list_len(b); i++) {
        val_list_push(out, val_list_get(b, i));
    }
    return out;
}

static double py_fmod(double a, double b)
{
    double m = fmod(a, b);

    if (m != 0 && ((m < 0) != (b < 0))) {
        m += b;
    }
    return m;
}

static struct val *int_result(struct tpl_ctx *c, bool overflow, const int64_t *r)
{
    return overflow ? tpl_fail(c, "integer overflow") : val_int(*r);
}

static struct val *arith_int(struct tpl_ctx *c, int op, int64_t x, int64_t y)
{
    int64_t r = 0;

    switch (op) {
    case OP_ADD:
        return int_result(c, __builtin_add_overflow(x, y, &r), &r);
    case OP_SUB:
        return int_result(c, __builtin_sub_overflow(x, y, &r), &r);
    case OP_MUL:
        return int_result(c, __builtin_mul_overflow(x, y, &r), &r);
    case OP_FLOORDIV:
    case OP_MOD:
        if (y == 0) {
            return tpl_fail(c, op == OP_MOD ? "integer modulo by zero"
                                            : "integer division or modulo by zero");
        }
        if (x == INT64_MIN && y == -1) {
            return op == OP_MOD ? val_int(0) : tpl_fail(c, "integer overflow");
        }
        r = x % y;
        if (r != 0 && ((r < 0) != (y < 0))) {
            r += y;
        }
        return op == OP_MOD ? val_int(r) : val_int((x - r) / y);
    case OP_POW:
        if (y < 0) {
            return val_double(pow((double)x, (double)y));
        }
        r = 1;
        for (int64_t i = 0; i < y; i++) {
            if (__builtin_mul_overflow(r, x, &r)) {
                return tpl_fail(c, "integer overflow");
            }
            if (r == 0 || r == 1) {
                break;
            }
        }
        return val_int(r);
    default:
        return NULL;
    }
}

static struct val *arith_double(struct tpl_ctx *c, int op, double x, double y)
{
    switch (op) {
    case OP_ADD:
        return val_double(x + y);
    case OP_SUB:
        return val_double(x - y);
    case OP_MUL:
        return val_double(x * y);
    case OP_DIV:
        return y == 0 ? tpl_fail(c, "division by zero") : val_double(x / y);
    case OP_FLOORDIV:
        return y == 0 ? tpl_fail(c, "float floor division by zero") : val_double(floor(x / y));
    case OP_MOD:
        return y == 0 ? tpl_fail(c, "float modulo") : val_double(py_fmod(x, y));
    case OP_POW:
        if (x == 0 && y < 0) {
            return tpl_fail(c, "0.0 cannot be raised to a negative power");
        }
        return val_double(pow(x, y));
    default:
        return NULL;
    }
}

struct val *tpl_to_str(struct val *v)
{
    struct buf b = BUF_INIT;
    size_t n;
    char *s;

    if (v->type == VAL_STR) {
        return val_ref(v);
    }
    tpl_pystr(v, &b);
    s = buf_detach(&b, &n);
    return val_str_take(s, n);
}

static int compare(struct tpl_ctx *c, int op, struct val *a, struct val *b, bool *res);

struct val *tpl_binop(struct tpl_ctx *c, int op, struct val *a, struct val *b)
{
    bool res = false;

    if (op == OP_CONCAT) {
        struct val *sa = a->flags & TPL_LENIENT ? val_str("") : tpl_to_str(a);
        struct val *sb = b->flags & TPL_LENIENT ? val_str("") : tpl_to_str(b);
        struct val *r = tpl_is_undefined(sa) || tpl_is_undefined(sb)
                            ? tpl_fail_undefined(c, tpl_is_undefined(sa) ? sa : sb)
                            : concat2(sa, sb);

        val_unref(sa);
        val_unref(sb);
        return r;
    }
    if (tpl_is_undefined(a) || tpl_is_undefined(b)) {
        return tpl_fail_undefined(c, tpl_is_undefined(a) ? a : b);
    }
    if (op >= OP_EQ) {
        return compare(c, op, a, b, &res) < 0 ? NULL : val_bool(res);
    }
    if (is_num(a) && is_num(b)) {
        if (a->type != VAL_DOUBLE && b->type != VAL_DOUBLE && op != OP_DIV) {
            return arith_int(c, op, num_i(a), num_i(b));
        }
        return arith_double(c, op, num_d(a), num_d(b));
    }
    if (op == OP_ADD && a->type == b->type && (a->type == VAL_STR || a->type == VAL_LIST)) {
        if (a->u.s.len + b->u.s.len > MAX_RESULT_BYTES) {
            return tpl_fail(c, "result of '+' too large");
        }
        return concat2(a, b);
    }
    if (op == OP_MUL && (a->type == VAL_STR || a->type == VAL_LIST) &&
        (b->type == VAL_INT || b->type == VAL_BOOL)) {
        return repeat(c, a, num_i(b));
    }
    if (op == OP_MUL && (b->type == VAL_STR || b->type == VAL_LIST) &&
        (a->type == VAL_INT || a->type == VAL_BOOL)) {
        return repeat(c, b, num_i(a));
    }
    if (op == OP_MOD && a->type == VAL_STR) {
        return tpl_percent_format(c, a, b);
    }
    return type_error(c, op, a, b);
}

static int contains(struct tpl_ctx *c, struct val *hay, struct val *needle, bool *res)
{
    switch (hay->type) {
    case VAL_STR:
        if (needle->type != VAL_STR) {
            return tpl_failn(c, "'in <string>' requires string as left operand, not %s",
                             type_name(needle));
        }
        *res = memmem(hay->u.s.ptr, hay->u.s.len, needle->u.s.ptr, needle->u.s.len) != NULL;
        return 0;
    case VAL_LIST:
        *res = false;
        for (size_t i = 0; i < val_list_len(hay) && !*res; i++) {
            *res = val_equal(val_list_get(hay, i), needle);
        }
        return 0;
    case VAL_DICT:
        *res = needle->type == VAL_STR && val_dict_has(hay, needle->u.s.ptr);
        return 0;
    default:
        return tpl_failn(c, "argument of type '%s' is not iterable", type_name(hay));
    }
}

static int compare(struct tpl_ctx *c, int op, struct val *a, struct val *b, bool *res)
{
    bool incomparable = false;
    int r;

    switch (op) {
    case OP_EQ:
        *res = val_equal(a, b);
        return 0;
    case OP_NE:
        *res = !val_equal(a, b);
        return 0;
    case OP_IN:
    case OP_NOTIN:
        if (contains(c, b, a, res) < 0) {
            return -1;
        }
        *res = op == OP_IN ? *res : !*res;
        return 0;
    default:
        r = val_compare(a, b, &incomparable);
        if (incomparable) {
            return tpl_failn(c, "'%s' not supported between instances of '%s' and '%s'",
                             op_symbol(op), type_name(a), type_name(b));
        }
        *res = op == OP_LT ? r < 0 : op == OP_LE ? r <= 0 : op == OP_GT ? r > 0 : r >= 0;
        return 0;
    }
}

/* ----- evaluation ----- */

/* Evaluates a node and fails on undefined (operands of operators). */
static struct val *eval_defined(struct tpl_ctx *c, const struct tpl_node *n)
{
    struct val *v = eval(c, n);

    return v ? defined_or_fail(c, v) : NULL;
}

static int eval_truth(struct tpl_ctx *c, const struct tpl_node *n, bool *res)
{
    struct val *v;

    if (n->kind == TN_NOT) { /* what eval_unary does, without making the bool */
        v = eval_defined(c, n->a);
        if (!v) {
            return -1;
        }
        c->node = n;
        *res = !val_truthy(v);
        val_unref(v);
        return 0;
    }
    v = eval(c, n);

    if (v && (v->flags & TPL_LENIENT)) {
        val_unref(v);
        *res = false;
        return 0;
    }
    v = v ? defined_or_fail(c, v) : NULL;

    if (!v) {
        return -1;
    }
    *res = val_truthy(v);
    val_unref(v);
    return 0;
}

NOINLINE static struct val *eval_seq(struct tpl_ctx *c, const struct tpl_node *n)
{
    struct val *list = val_list();

    for (size_t i = 0; i < n->nargs; i++) {
        struct val *v = eval_defined(c, n->args[i]);

        if (!v) {
            val_unref(list);
            return NULL;
        }
        val_list_push_take(list, v);
    }
    return list;
}

NOINLINE static struct val *eval_dict(struct tpl_ctx *c, const struct tpl_node *n)
{
    struct val *d = val_dict();

    for (size_t i = 0; i < n->nargs; i++) {
        struct val *k = eval_defined(c, n->args[i]), *v, *ks;

        if (!k) {
            val_unref(d);
            return NULL;
        }
        v = eval_defined(c, n->vals[i]);
        if (!v) {
            val_unref(k);
            val_unref(d);
            return NULL;
        }
        ks = tpl_to_str(k);
        val_dict_set_take(d, ks->u.s.ptr, v);
        val_unref(ks);
        val_unref(k);
    }
    return d;
}

NOINLINE static struct val *eval_binop(struct tpl_ctx *c, const struct tpl_node *n)
{
    struct val *a = n->op == OP_CONCAT ? eval(c, n->a) : eval_defined(c, n->a), *b, *r;

    if (!a) {
        return NULL;
    }
    b = n->op == OP_CONCAT ? eval(c, n->b) : eval_defined(c, n->b);
    if (!b) {
        val_unref(a);
        return NULL;
    }
    c->node = n;
    r = tpl_binop(c, n->op, a, b);
    val_unref(a);
    val_unref(b);
    return r;
}

NOINLINE static struct val *eval_compare(struct tpl_ctx *c, const struct tpl_node *n)
{
    struct val *left = eval_defined(c, n->args[0]);
    bool res = true;

    if (!left) {
        return NULL;
    }
    for (size_t i = 1; i < n->nargs && res; i++) {
        struct val *right = eval_defined(c, n->args[i]);

        if (!right) {
            val_unref(left);
            return NULL;
        }
        c->node = n;
        if (compare(c, n->ops[i - 1], left, right, &res) < 0) {
            val_unref(left);
            val_unref(right);
            return NULL;
        }
        val_unref(left);
        left = right;
    }
    val_unref(left);
    return val_bool(res);
}

NOINLINE static struct val *eval_unary(struct tpl_ctx *c, const struct tpl_node *n)
{
    struct val *a = eval_defined(c, n->a), *r = NULL;

    if (!a) {
        return NULL;
    }
    c->node = n;
    if (n->kind == TN_NOT) {
        r = val_bool(!val_truthy(a));
    } else if (a->type == VAL_DOUBLE) {
        r = val_double(n->kind == TN_NEG ? -a->u.d : a->u.d);
    } else if (a->type == VAL_INT || a->type == VAL_BOOL) {
        int64_t i = num_i(a);

        r = n->kind == TN_POS ? val_int(i)
            : i == INT64_MIN  ? tpl_fail(c, "integer overflow")
                              : val_int(-i);
    } else {
        r = tpl_fail(c, "bad operand type for unary %s: '%s'", n->kind == TN_NEG ? "-" : "+",
                     type_name(a));
    }
    val_unref(a);
    return r;
}

NOINLINE static struct val *eval_andor(struct tpl_ctx *c, const struct tpl_node *n)
{
    struct val *a = eval_defined(c, n->a);

    if (!a) {
        return NULL;
    }
    if (val_truthy(a) == (n->kind == TN_OR)) {
        return a;
    }
    val_unref(a);
    return eval(c, n->b);
}

NOINLINE static struct val *eval_condexpr(struct tpl_ctx *c, const struct tpl_node *n)
{
    bool cond;

    if (eval_truth(c, n->b, &cond) < 0) {
        return NULL;
    }
    if (cond) {
        return eval(c, n->a);
    }
    if (n->c) {
        return eval(c, n->c);
    }
    c->node = n;
    struct val *u = tpl_undefined(c, "the inline if-expression on line %d evaluated to false and "
                                     "no else section was defined", n->line);
    u->flags |= TPL_LENIENT;
    return u;
}

NOINLINE static struct val *eval_getitem(struct tpl_ctx *c, const struct tpl_node *n)
{
    struct val *obj = eval(c, n->a), *r = NULL;

    if (!obj) {
        return NULL;
    }
    if (n->b->kind == TN_SLICE) {
        struct val *parts[3] = { NULL, NULL, NULL };
        const struct tpl_node *pn[3] = { n->b->a, n->b->b, n->b->c };
        bool ok = true;

        for (int k = 0; k < 3 && ok; k++) {
            if (pn[k]) {
                parts[k] = eval_defined(c, pn[k]);
                ok = parts[k] != NULL;
            }
        }
        c->node = n;
        if (ok) {
            obj = defined_or_fail(c, obj);
            if (obj != NULL) {
                r = do_slice(c, obj, parts[0], parts[1], parts[2]);
            }
        }
        for (int k = 0; k < 3; k++) {
            val_unref(parts[k]);
        }
        val_unref(obj);
        return r;
    }
    struct val *key = eval_defined(c, n->b);
    if (key) {
        c->node = n;
        r = tpl_getitem(c, obj, key);
        val_unref(key);
    }
    val_unref(obj);
    return r;
}

/* Whether 'n' is the name `loop` of the innermost for loop (no local shadows it). */
static bool is_loop_name(struct tpl_ctx *c, const struct tpl_node *n)
{
    return n->kind == TN_NAME && c->loop && n->slot == c->t->loop_slot &&
           !local_find(c, c->t->loop_slot);
}

NOINLINE static struct val *eval_getattr(struct tpl_ctx *c, const struct tpl_node *n)
{
    struct val *obj, *r;

    if (is_loop_name(c, n->a)) {
        c->node = n;
        return loop_value(c, c->loop, n->str);
    }
    obj = eval(c, n->a);
    if (!obj) {
        return NULL;
    }
    c->node = n;
    r = tpl_getattr(c, obj, n->str);
    val_unref(obj);
    return r;
}

/* Evaluates call arguments into 'a' (values owned by the caller: release_args). */
static int eval_args(struct tpl_ctx *c, const struct tpl_node *n, struct tpl_args *a,
                     struct val **storage)
{
    a->pos = storage;
    a->npos = n->nargs;
    a->kw = storage + n->nargs;
    a->nkw = n->nkw;
    a->kwnames = n->kwnames;
    for (size_t i = 0; i < n->nargs + n->nkw; i++) {
        const struct tpl_node *arg = i < n->nargs ? n->args[i] : n->kwargs[i - n->nargs];

        storage[i] = eval(c, arg);
        if (!storage[i]) {
            for (size_t k = 0; k < i; k++) {
                val_unref(storage[k]);
            }
            return -1;
        }
    }
    return 0;
}

static void release_args(struct tpl_args *a)
{
    for (size_t i = 0; i < a->npos; i++) {
        val_unref(a->pos[i]);
    }
    for (size_t i = 0; i < a->nkw; i++) {
        val_unref(a->kw[i]);
    }
}

/* Fails when an argument is undefined. */
static int args_defined(struct tpl_ctx *c, const struct tpl_args *a)
{
    for (size_t i = 0; i < a->npos + a->nkw; i++) {
        struct val *v = i < a->npos ? a->pos[i] : a->kw[i - a->npos];

        if (tpl_is_undefined(v)) {
            tpl_fail_undefined(c, v);
            return -1;
        }
    }
    return 0;
}

#define MAX_ARGS 32

static int emit(struct tpl_ctx *c, struct val *v, struct buf *out);

/* Applies filter node 'n' to 'subject' (a reference it consumes). Without 'out', returns the
 * filter's result (a new reference) and *rc is unused. With 'out' (an output statement ending in
 * this filter), prints the result into 'out' instead, through the filter's output fast path when
 * it has one, sets *rc to 0 or -1 and returns NULL. */
static struct val *run_filter(struct tpl_ctx *c, const struct tpl_node *n, struct val *subject,
                              struct buf *out, int *rc)
{
    struct val *storage[MAX_ARGS], *r = NULL;
    struct tpl_args a;

    if (n->nargs + n->nkw > MAX_ARGS) {
        c->node = n;
        val_unref(subject);
        return tpl_fail(c, "too many arguments");
    }
    if (eval_args(c, n, &a, storage) < 0) {
        val_unref(subject);
        return NULL;
    }
    c->node = n;
    if (!(n->filter->flags & TPL_UNDEF_OK) && tpl_is_undefined(subject)) {
        tpl_fail_undefined(c, subject);
    } else if ((n->filter->flags & TPL_UNDEF_OK) || args_defined(c, &a) == 0) {
        /* default(x.missing) fails only when the undefined argument is used */
        int done = out && n->filter_out ? n->filter_out(c, subject, &a, out) : 0;

        if (done == 0) {
            r = n->filter->fn(c, subject, &a);
        } else if (done > 0) {
            *rc = out->len > MAX_RESULT_BYTES ? tpl_failn(c, "template output too large") : 0;
        }
    }
    release_args(&a);
    val_unref(subject);
    if (out && r) {
        *rc = emit(c, r, out);
        val_unref(r);
        r = NULL;
    }
    return r;
}

static struct val *apply_filter(struct tpl_ctx *c, const struct tpl_node *n, struct val *subject)
{
    return run_filter(c, n, subject, NULL, NULL);
}

/* A filter chain; 'subject' (a new reference) replaces the innermost missing operand (filter
 * blocks and {% set x | f %}). */
static struct val *eval_filter_chain(struct tpl_ctx *c, const struct tpl_node *n,
                                     struct val *subject)
{
    struct val *v = n->a ? (n->a->kind == TN_FILTER ? eval_filter_chain(c, n->a, subject)
                                                     : eval(c, n->a))
                         : subject;

    if (n->a && n->a->kind != TN_FILTER) {
        val_unref(subject);
    }
    return v ? apply_filter(c, n, v) : NULL;
}

NOINLINE static struct val *eval_test(struct tpl_ctx *c, const struct tpl_node *n)
{
    struct val *storage[MAX_ARGS], *subject;
    struct tpl_args a;
    bool res = false;
    int rc = -1;

    if (n->nargs + n->nkw > MAX_ARGS) {
        c->node = n;
        return tpl_fail(c, "too many arguments");
    }
    subject = eval(c, n->a);
    if (!subject) {
        return NULL;
    }
    if (eval_args(c, n, &a, storage) < 0) {
        val_unref(subject);
        return NULL;
    }
    c->node = n;
    if (!(n->test->flags & TPL_UNDEF_OK) && tpl_is_undefined(subject)) {
        tpl_fail_undefined(c, subject);
    } else if (args_defined(c, &a) == 0) {
        rc = n->test->fn(c, subject, &a, &res);
    }
    release_args(&a);
    val_unref(subject);
    return rc < 0 ? NULL : val_bool(n->op ? !res : res);
}

struct val *tpl_call_filter(struct tpl_ctx *c, const char *name, struct val *v,
                            const struct tpl_args *a)
{
    const struct tpl_filter *f = tpl_filter_find(name, strlen(name));

    if (!f) {
        return tpl_fail(c, "no filter named '%s'", name);
    }
    if (!(f->flags & TPL_UNDEF_OK) && tpl_is_undefined(v)) {
        return tpl_fail_undefined(c, v);
    }
    return f->fn(c, v, a);
}

int tpl_call_test(struct tpl_ctx *c, const char *name, struct val *v, const struct tpl_args *a,
                  bool *result)
{
    const struct tpl_test *t = tpl_test_find(name, strlen(name));

    if (!t) {
        return tpl_failn(c, "no test named '%s'", name);
    }
    if (!(t->flags & TPL_UNDEF_OK) && tpl_is_undefined(v)) {
        tpl_fail_undefined(c, v);
        return -1;
    }
    return t->fn(c, v, a, result);
}

/* ----- macros ----- */

static struct val *call_macro(struct tpl_ctx *c, const struct local *m, const struct tpl_args *a,
                              const struct tpl_node *site, const struct tpl_node *call_block)
{
    const struct tpl_node *def = m->macro;
    size_t frame = c->nlocals;
    struct buf local = BUF_INIT, *out;
    struct val *r = NULL;
    const struct tpl_node *saved_expr = c->expr;

    if (a->npos > def->nkw) {
        return tpl_fail(c, "macro '%s' takes not more than %zu argument(s)", def->str, def->nkw);
    }
    if (c->call_depth >= MAX_CALL_DEPTH) {
        return tpl_fail(c, "macro calls nested too deeply");
    }
    if (++c->iterations > MAX_ITERATIONS) {
        return tpl_fail(c, "more than %ld loop iterations and macro calls", MAX_ITERATIONS);
    }
    for (size_t i = 0; i < def->nkw; i++) {
        struct val *v = tpl_arg(a, i, def->kwnames[i]);

        if (v) {
            v = val_ref(v);
        } else if (def->kwargs[i]) {
            v = eval(c, def->kwargs[i]);
            if (!v) {
                locals_pop_to(c, frame);
                return NULL;
            }
        } else {
            c->node = site;
            v = tpl_undefined(c, "parameter '%s' was not provided", def->kwnames[i]);
        }
        local_set(c, c->nlocals, def->kwslots[i], v);
    }
    for (size_t k = 0; k < a->nkw; k++) {
        bool known = false;

        for (size_t i = 0; i < def->nkw && !known; i++) {
            known = strcmp(a->kwnames[k], def->kwnames[i]) == 0;
        }
        if (!known) {
            locals_pop_to(c, frame);
            c->node = site;
            return tpl_fail(c, "macro '%s' takes no keyword argument '%s'", def->str,
                            a->kwnames[k]);
        }
    }
    if (call_block) {
        xgrow((void **)&c->locals, &c->cap, c->nlocals + 1, sizeof(*c->locals));
        c->locals[c->nlocals++] = (struct local){ .slot = c->t->caller_slot,
                                                  .macro = call_block };
    }
    out = c->call_depth < SCRATCH_DEPTH ? &c->scratch[c->call_depth] : &local;
    buf_reset(out);
    c->call_depth++;
    if (render_body(c, def->body, out) == 0) {
        r = val_strn(out->ptr, out->len);
    }
    c->call_depth--;
    c->expr = saved_expr;
    buf_release(&local);
    locals_pop_to(c, frame);
    return r;
}

/* loop.cycle(a, b, ...): the argument at index0 modulo their count. */
static struct val *loop_cycle(struct tpl_ctx *c, const struct tpl_node *n)
{
    struct val *storage[MAX_ARGS], *r = NULL;
    struct tpl_args a;

    if (eval_args(c, n, &a, storage) < 0) {
        return NULL;
    }
    c->node = n;
    if (a.nkw > 0 || a.npos == 0) {
        r = tpl_fail(c, a.npos == 0 ? "no items for cycling given"
                                    : "cycle() got an unexpected keyword argument");
    } else {
        r = val_ref(a.pos[c->loop->index0 % a.npos]);
    }
    release_args(&a);
    return r;
}

static struct val *eval_call(struct tpl_ctx *c, const struct tpl_node *n,
                             const struct tpl_node *call_block)
{
    struct val *storage[MAX_ARGS], *r = NULL;
    struct tpl_args a;
    bool found = false;
    const struct tpl_node *fn = n->a;

    c->node = n;
    if (n->nargs + n->nkw > MAX_ARGS) {
        return tpl_fail(c, "too many arguments");
    }
    if (fn->kind == TN_GETATTR && is_loop_name(c, fn->a) && strcmp(fn->str, "cycle") == 0) {
        return loop_cycle(c, n);
    }
    if (fn->kind == TN_GETATTR) {
        struct val *obj = eval_defined(c, fn->a);

        if (!obj) {
            return NULL;
        }
        if (eval_args(c, n, &a, storage) == 0) {
            c->node = n;
            if (args_defined(c, &a) == 0) {
                r = tpl_call_method(c, obj, fn->str, &a, &found);
                if (!r && !found && !c->err->kind) {
                    tpl_fail(c, "'%s object' has no method '%s'", type_name(obj), fn->str);
                }
            }
            release_args(&a);
        }
        val_unref(obj);
        return r;
    }
    if (fn->kind != TN_NAME) {
        struct val *v = eval_defined(c, fn);

        if (v) {
            c->node = n;
            tpl_fail(c, "'%s' object is not callable", type_name(v));
            val_unref(v);
        }
        return NULL;
    }
    if (eval_args(c, n, &a, storage) < 0) {
        return NULL;
    }
    c->node = n;
    const struct local *l = local_find(c, fn->slot);
    if (l && l->macro && l->macro->kind == TN_CALL_BLOCK) {
        struct local caller = *l;
        struct tpl_node def = *l->macro;

        def.str = "caller";
        caller.macro = &def;
        r = call_macro(c, &caller, &a, n, NULL);
    } else if (l && l->macro) {
        r = call_macro(c, l, &a, n, call_block);
    } else if (l) {
        tpl_fail(c, "'%s' object is not callable", type_name(l->v));
    } else if (args_defined(c, &a) == 0) {
        r = tpl_call_global(c, fn->str, &a, &found);
        if (!r && !found && !c->err->kind) {
            tpl_fail(c, "'%s' is undefined", fn->str);
        }
    }
    release_args(&a);
    return r;
}

static struct val *eval(struct tpl_ctx *c, const struct tpl_node *n)
{
    switch (n->kind) {
    case TN_CONST:
        return val_ref(n->cval);
    case TN_NAME:
        return lookup_name(c, n);
    case TN_LIST: {
        struct val *l = eval_seq(c, n);

        if (l) {
            l->flags |= TPL_MUTABLE;
        }
        return l;
    }
    case TN_TUPLE: {
        struct val *t = eval_seq(c, n);

        if (t) {
            t->flags |= TPL_TUPLE;
        }
        return t;
    }
    case TN_DICT:
        return eval_dict(c, n);
    case TN_GETATTR:
        return eval_getattr(c, n);
    case TN_GETITEM:
        return eval_getitem(c, n);
    case TN_BINOP:
        return eval_binop(c, n);
    case TN_NEG:
    case TN_POS:
    case TN_NOT:
        return eval_unary(c, n);
    case TN_AND:
    case TN_OR:
        return eval_andor(c, n);
    case TN_COMPARE:
        return eval_compare(c, n);
    case TN_CONDEXPR:
        return eval_condexpr(c, n);
    case TN_FILTER:
        return eval_filter_chain(c, n, NULL);
    case TN_TEST:
        return eval_test(c, n);
    case TN_CALL:
        return eval_call(c, n, NULL);
    default:
        c->node = n;
        return tpl_fail(c, "unexpected node in expression");
    }
}

struct val *tpl_iter_list(struct tpl_ctx *c, struct val *v)
{
    struct val *list;

    if (v->flags & TPL_LENIENT) {
        return val_list();
    }
    if (tpl_is_undefined(v)) {
        return tpl_fail_undefined(c, v);
    }
    switch (v->type) {
    case VAL_LIST:
        return val_ref(v);
    case VAL_DICT:
        list = val_list();
        for (size_t i = 0; i < val_dict_len(v); i++) {
            val_list_push_take(list, val_str(val_dict_key_at(v, i)));
        }
        return list;
    case VAL_STR:
        list = val_list();
        for (size_t i = 0; i < v->u.s.len;) {
            size_t e = i + 1;

            while (e < v->u.s.len && ((unsigned char)v->u.s.ptr[e] & 0xC0) == 0x80) {
                e++;
            }
            val_list_push_take(list, val_strn(v->u.s.ptr + i, e - i));
            i = e;
        }
        return list;
    default:
        return tpl_fail(c, "'%s' object is not iterable", type_name(v));
    }
}

/* ----- statements ----- */

static int assign(struct tpl_ctx *c, const struct tpl_node *target, struct val *v)
{
    if (target->kind == TN_NAME) {
        local_set(c, c->nlocals, target->slot, val_ref(v));
        return 0;
    }
    struct val *items = tpl_iter_list(c, v);
    if (!items) {
        return -1;
    }
    if (val_list_len(items) != target->nargs) {
        size_t got = val_list_len(items);

        c->node = target;
        val_unref(items);
        return tpl_failn(c, "%s values to unpack (expected %zu, got %zu)",
                         got > target->nargs ? "too many" : "not enough", target->nargs, got);
    }
    for (size_t i = 0; i < target->nargs; i++) {
        local_set(c, c->nlocals, target->args[i]->slot, val_ref(val_list_get(items, i)));
    }
    val_unref(items);
    return 0;
}

void tpl_add_int(struct buf *out, int64_t i)
{
    char tmp[24], *p = tmp + sizeof(tmp);
    uint64_t u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;

    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (i < 0) {
        *--p = '-';
    }
    buf_add(out, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* Appends the printed form of an output value (Ansible's finalize: None prints nothing). */
static int emit(struct tpl_ctx *c, struct val *v, struct buf *out)
{
    if (v->flags & TPL_LENIENT) {
        return 0;
    }
    if (tpl_is_undefined(v)) {
        tpl_fail_undefined(c, v);
        return -1;
    }
    if (v->type == VAL_STR) {
        buf_add(out, v->u.s.ptr, v->u.s.len);
    } else if (v->type == VAL_INT) {
        tpl_add_int(out, v->u.i);
    } else if (v->type != VAL_NULL) {
        if (tpl_check_defined(c, v) < 0) {
            return -1; /* Ansible's finalize: an undefined item is an error, not text */
        }
        tpl_pystr(v, out);
    }
    if (out->len > MAX_RESULT_BYTES) {
        return tpl_failn(c, "template output too large");
    }
    return 0;
}

static int render_output(struct tpl_ctx *c, const struct tpl_node *n, struct buf *out)
{
    const struct tpl_node *e = n->a;
    struct val *v;
    int rc;

    c->expr = e;
    if (e->kind == TN_FILTER && e->filter_out && e->a) {
        /* {{ x | to_json }}: the last filter prints straight into 'out' (run_filter) */
        v = e->a->kind == TN_FILTER ? eval_filter_chain(c, e->a, NULL) : eval(c, e->a);
        rc = -1;
        if (v) {
            run_filter(c, e, v, out, &rc);
        }
        return rc;
    }
    v = eval(c, n->a);
    if (!v) {
        return -1;
    }
    rc = emit(c, v, out);
    val_unref(v);
    return rc;
}

static int render_if(struct tpl_ctx *c, const struct tpl_node *n, struct buf *out)
{
    while (n) {
        bool cond;

        c->expr = n->a;
        if (eval_truth(c, n->a, &cond) < 0) {
            return -1;
        }
        if (cond) {
            return render_body(c, n->body, out);
        }
        if (n->else_body && n->else_body->kind == TN_IF && n->else_body->op == TPL_ELIF) {
            n = n->else_body;
        } else {
            return render_body(c, n->else_body, out);
        }
    }
    return 0;
}

static int filter_items(struct tpl_ctx *c, const struct tpl_node *n, struct val **items)
{
    struct val *kept = val_list();
    size_t frame = c->nlocals;

    for (size_t i = 0; i < val_list_len(*items); i++) {
        struct val *item = val_list_get(*items, i);
        bool keep;
        int rc = assign(c, n->a, item);

        if (rc >= 0) {
            c->expr = n->c;
            rc = eval_truth(c, n->c, &keep);
        }
        if (rc < 0) {
            locals_pop_to(c, frame);
            val_unref(kept);
            return -1;
        }
        locals_pop_to(c, frame);
        if (keep) {
            val_list_push(kept, item);
        }
    }
    val_unref(*items);
    *items = kept;
    return 0;
}

static int render_for(struct tpl_ctx *c, const struct tpl_node *n, struct buf *out)
{
    struct val *seq, *items;
    struct loop lp = { .parent = c->loop };
    size_t frame = c->nlocals;
    int rc = 0;

    c->expr = n->b;
    seq = eval(c, n->b);
    if (!seq) {
        return -1;
    }
    c->node = n->b;
    items = tpl_iter_list(c, seq);
    val_unref(seq);
    if (!items || (n->c && filter_items(c, n, &items) < 0)) {
        val_unref(items);
        return -1;
    }
    lp.items = items;
    for (size_t i = 0; i < val_list_len(items) && rc == 0; i++) {
        if (++c->iterations > MAX_ITERATIONS) {
            c->node = n;
            rc = tpl_failn(c, "more than %ld loop iterations and macro calls", MAX_ITERATIONS);
            break;
        }
        lp.index0 = i;
        c->loop = &lp;
        rc = assign(c, n->a, val_list_get(items, i));
        if (rc == 0) {
            rc = render_body(c, n->body, out);
        }
        c->loop = lp.parent;
        locals_pop_to(c, frame);
    }
    if (rc == 0 && val_list_len(items) == 0 && n->else_body) {
        rc = render_body(c, n->else_body, out);
    }
    val_unref(items);
    return rc;
}

static int render_set(struct tpl_ctx *c, const struct tpl_node *n)
{
    struct val *v;
    int rc;

    c->expr = n->b;
    v = eval(c, n->b);
    if (!v) {
        return -1;
    }
    rc = assign(c, n->a, v);
    val_unref(v);
    return rc;
}

/* Renders a body into a new string value (set blocks, filter blocks). */
static struct val *render_to_value(struct tpl_ctx *c, const struct tpl_node *body)
{
    struct buf b = BUF_INIT;
    size_t len;
    char *s;

    if (render_body(c, body, &b) < 0) {
        buf_release(&b);
        return NULL;
    }
    s = buf_detach(&b, &len);
    return val_str_take(s, len);
}

static int render_set_block(struct tpl_ctx *c, const struct tpl_node *n)
{
    struct val *v = render_to_value(c, n->body);

    if (v && n->c) {
        c->expr = n->c;
        v = eval_filter_chain(c, n->c, v);
    }
    if (!v) {
        return -1;
    }
    local_set(c, c->nlocals, n->a->slot, v);
    return 0;
}

static int render_filter_block(struct tpl_ctx *c, const struct tpl_node *n, struct buf *out)
{
    struct val *v = render_to_value(c, n->body);
    int rc;

    if (!v) {
        return -1;
    }
    c->expr = n->c;
    v = eval_filter_chain(c, n->c, v);
    if (!v) {
        return -1;
    }
    rc = emit(c, v, out);
    val_unref(v);
    return rc;
}

static int render_call_block(struct tpl_ctx *c, const struct tpl_node *n, struct buf *out)
{
    struct val *v;
    int rc;

    c->expr = n->a;
    v = eval_call(c, n->a, n);
    if (!v) {
        return -1;
    }
    rc = emit(c, v, out);
    val_unref(v);
    return rc;
}

static int render_stmt(struct tpl_ctx *c, const struct tpl_node *n, struct buf *out)
{
    switch (n->kind) {
    case TN_DATA:
        buf_add(out, n->str, n->len);
        return 0;
    case TN_OUTPUT:
        return render_output(c, n, out);
    case TN_IF:
        return render_if(c, n, out);
    case TN_FOR:
        return render_for(c, n, out);
    case TN_SET:
        return render_set(c, n);
    case TN_SET_BLOCK:
        return render_set_block(c, n);
    case TN_MACRO:
        xgrow((void **)&c->locals, &c->cap, c->nlocals + 1, sizeof(*c->locals));
        c->locals[c->nlocals++] = (struct local){ .slot = n->slot, .macro = n };
        return 0;
    case TN_CALL_BLOCK:
        return render_call_block(c, n, out);
    case TN_FILTER_BLOCK:
        return render_filter_block(c, n, out);
    default:
        c->node = n;
        return tpl_failn(c, "unexpected statement");
    }
}

static int render_body(struct tpl_ctx *c, const struct tpl_node *n, struct buf *out)
{
    for (; n; n = n->next) {
        if (n->kind == TN_DATA && out->len + n->len < out->cap) {
            /* literal text with room in the buffer: what buf_add does, without the call */
            memcpy(out->ptr + out->len, n->str, n->len);
            out->len += n->len;
            out->ptr[out->len] = '\0';
        } else if (render_stmt(c, n, out) < 0) {
            return -1;
        }
    }
    return 0;
}

static void ctx_init(struct tpl_ctx *c, const struct tpl *t, const struct tpl_scope *scope,
                     struct err *err)
{
    memset(c, 0, sizeof(*c));
    c->t = t;
    c->scope = scope;
    c->err = err;
    err_clear(err); /* callers below test err->kind to tell "not found" from "failed" */
    c->globals = xcalloc(t->nnames + 1, sizeof(*c->globals));
    for (size_t i = 0; i < SCRATCH_DEPTH; i++) {
        buf_init(&c->scratch[i]);
    }
}

static void ctx_release(struct tpl_ctx *c)
{
    locals_pop_to(c, 0);
    free(c->locals);
    for (size_t i = 0; i < c->t->nnames; i++) {
        val_unref(c->globals[i]);
    }
    free(c->globals);
    for (size_t i = 0; i < SCRATCH_DEPTH; i++) {
        buf_release(&c->scratch[i]);
    }
}

int tpl_render_raw(const struct tpl *t, const struct tpl_scope *scope, struct buf *out,
                   struct err *err)
{
    struct tpl_ctx c;
    int rc;

    ctx_init(&c, t, scope, err);
    rc = render_body(&c, t->root, out);
    ctx_release(&c);
    return rc;
}

/* Values leaving a render must not stay appendable (other threads may share them later); only
 * lists this render made carry the flag, so clearing it writes to nothing shared. */
static void seal(struct val *v)
{
    if (v->type == VAL_LIST) {
        if (v->flags & TPL_MUTABLE) {
            v->flags &= ~TPL_MUTABLE;
        }
        for (size_t i = 0; i < val_list_len(v); i++) {
            seal(val_list_get(v, i));
        }
    } else if (v->type == VAL_DICT) {
        for (size_t i = 0; i < val_dict_len(v); i++) {
            seal(val_dict_value_at(v, i));
        }
    }
}

struct val *tpl_eval_single(const struct tpl *t, const struct tpl_scope *scope, bool finalize,
                            struct err *err)
{
    struct tpl_ctx c;
    struct val *v = NULL;

    ctx_init(&c, t, scope, err);
    if (!t->root || t->root->kind != TN_OUTPUT || t->root->next) {
        c.node = t->root;
        tpl_fail(&c, "expected a single expression");
    } else {
        c.expr = t->root->a;
        v = eval(&c, t->root->a);
        if (v) {
            v = defined_or_fail(&c, v);
        }
        if (v && finalize && tpl_check_defined(&c, v) < 0) {
            val_unref(v);
            v = NULL;
        }
        if (v) {
            seal(v);
        }
    }
    ctx_release(&c);
    return v;
}

struct val *tpl_str_from_buf(struct buf *b)
{
    size_t n;
    char *s = buf_detach(b, &n);

    return val_str_take(s, n);
}

struct val *tpl_pair(struct val *a, struct val *b)
{
    struct val *t = val_list();

    t->flags |= TPL_TUPLE;
    val_list_push(t, a);
    val_list_push(t, b);
    return t;
}
