/*
 * gotpl-sprig-list.c - sprig's list functions (list, first, rest, last, initial, append/push,
 * prepend, concat, reverse, uniq, without, has, compact, slice, chunk and their must- forms,
 * which fail the same way here since a template error is all a panic becomes), and Go's
 * reflect.DeepEqual over template values, which uniq/has/without compare with.
 */
#include "pot.h"
#include <string.h>
#include "gotpl/gotpl-int.h"

/* reflect.DeepEqual's rule for one pair: the same Go type, and the same scalar value. */
static bool go_same(const struct val *a, const struct val *b)
{
    if (a->type != b->type || ((a->flags ^ b->flags) & GOTPL_VAL_CHART_VALUES)) {
        return false;
    }
    switch (a->type) {
    case VAL_BOOL:
        return a->u.b == b->u.b;
    case VAL_INT:
        return a->u.i == b->u.i && (a->flags & GOTPL_VAL_GOINT) == (b->flags & GOTPL_VAL_GOINT);
    case VAL_DOUBLE:
        return a->u.d == b->u.d;
    case VAL_STR:
        return a->u.s.len == b->u.s.len && memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0;
    default:
        return true; /* nil, and lists and maps whose contents val_equal_by compares */
    }
}

bool gotpl_deep_equal(const struct val *a, const struct val *b)
{
    return val_equal_by(a, b, go_same);
}

/* The error sprig raises for a non-list (Go panics on reflect.TypeOf(nil).Kind()). */
static int not_list(struct val *v, const char *what, struct err *err)
{
    if (v->type == VAL_NULL) {
        return err_set(err, ERR_TEMPLATE,
                       "runtime error: invalid memory address or nil pointer dereference");
    }
    return err_set(err, ERR_TEMPLATE, "Cannot %s on type %s", what, gotpl_kind_name(v));
}

static int fn_list(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)err;
    *res = val_list();
    for (size_t i = 0; i < n; i++) {
        val_list_push(*res, a[i]);
    }
    return 0;
}

static int fn_first(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    if (a[0]->type != VAL_LIST) {
        return not_list(a[0], "find first", err);
    }
    *res = a[0]->u.list.len ? val_ref(a[0]->u.list.items[0]) : val_null();
    return 0;
}

static int fn_last(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    size_t len = a[0]->type == VAL_LIST ? a[0]->u.list.len : 0;

    (void)x;
    (void)n;
    if (a[0]->type != VAL_LIST) {
        return not_list(a[0], "find last", err);
    }
    *res = len ? val_ref(a[0]->u.list.items[len - 1]) : val_null();
    return 0;
}

static int sublist(struct val *l, size_t from, size_t to, struct val **res)
{
    *res = val_list();
    for (size_t i = from; i < to; i++) {
        val_list_push(*res, l->u.list.items[i]);
    }
    return 0;
}

static int fn_rest(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    if (a[0]->type != VAL_LIST) {
        return not_list(a[0], "find rest", err);
    }
    return sublist(a[0], a[0]->u.list.len ? 1 : 0, a[0]->u.list.len, res);
}

static int fn_initial(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    if (a[0]->type != VAL_LIST) {
        return not_list(a[0], "find initial", err);
    }
    return sublist(a[0], 0, a[0]->u.list.len ? a[0]->u.list.len - 1 : 0, res);
}

static int fn_append(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    if (a[0]->type != VAL_LIST) {
        return not_list(a[0], "push", err);
    }
    *res = val_copy(a[0]);
    val_list_push(*res, a[1]);
    return 0;
}

static int fn_prepend(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    if (a[0]->type != VAL_LIST) {
        return not_list(a[0], "prepend", err);
    }
    *res = val_list();
    val_list_push(*res, a[1]);
    for (size_t i = 0; i < a[0]->u.list.len; i++) {
        val_list_push(*res, a[0]->u.list.items[i]);
    }
    return 0;
}

static int fn_concat(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    for (size_t i = 0; i < n; i++) {
        if (a[i]->type != VAL_LIST) {
            if (a[i]->type == VAL_NULL) {
                return not_list(a[i], "concat", err);
            }
            return err_set(err, ERR_TEMPLATE, "Cannot concat type %s as list",
                           gotpl_kind_name(a[i]));
        }
    }
    *res = val_list();
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < a[i]->u.list.len; k++) {
            val_list_push(*res, a[i]->u.list.items[k]);
        }
    }
    return 0;
}

static int fn_reverse(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    if (a[0]->type != VAL_LIST) {
        return not_list(a[0], "find reverse", err);
    }
    *res = val_list();
    for (size_t i = a[0]->u.list.len; i > 0; i--) {
        val_list_push(*res, a[0]->u.list.items[i - 1]);
    }
    return 0;
}

static bool in_list(const struct val *l, const struct val *v)
{
    for (size_t i = 0; i < l->u.list.len; i++) {
        if (gotpl_deep_equal(l->u.list.items[i], v)) {
            return true;
        }
    }
    return false;
}

static int fn_uniq(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    if (a[0]->type != VAL_LIST) {
        return not_list(a[0], "find uniq", err);
    }
    *res = val_list();
    for (size_t i = 0; i < a[0]->u.list.len; i++) {
        if (!in_list(*res, a[0]->u.list.items[i])) {
            val_list_push(*res, a[0]->u.list.items[i]);
        }
    }
    return 0;
}

static int fn_without(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    if (a[0]->type != VAL_LIST) {
        return not_list(a[0], "find without", err);
    }
    *res = val_list();
    for (size_t i = 0; i < a[0]->u.list.len; i++) {
        bool omit = false;

        for (size_t k = 1; k < n && !omit; k++) {
            omit = gotpl_deep_equal(a[0]->u.list.items[i], a[k]);
        }
        if (!omit) {
            val_list_push(*res, a[0]->u.list.items[i]);
        }
    }
    return 0;
}

static int fn_has(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    if (a[1]->type == VAL_NULL) {
        *res = val_bool(false);
        return 0;
    }
    if (a[1]->type != VAL_LIST) {
        return not_list(a[1], "find has", err);
    }
    *res = val_bool(in_list(a[1], a[0]));
    return 0;
}

static int fn_compact(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    if (a[0]->type != VAL_LIST) {
        return not_list(a[0], "compact", err);
    }
    *res = val_list();
    for (size_t i = 0; i < a[0]->u.list.len; i++) {
        if (gotpl_truth(a[0]->u.list.items[i])) {
            val_list_push(*res, a[0]->u.list.items[i]);
        }
    }
    return 0;
}

static int fn_slice(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    int64_t start = 0, end, len;

    (void)x;
    if (a[0]->type != VAL_LIST) {
        if (a[0]->type == VAL_NULL) {
            return not_list(a[0], "slice", err);
        }
        return err_set(err, ERR_TEMPLATE, "list should be type of slice or array but %s",
                       gotpl_kind_name(a[0]));
    }
    len = (int64_t)a[0]->u.list.len;
    end = len;
    if (n > 1) {
        start = gotpl_to_int64(a[1]);
    }
    if (n > 2) {
        end = gotpl_to_int64(a[2]);
    }
    if (start < 0 || end < start || end > len) {
        return err_set(err, ERR_TEMPLATE, "reflect: slice index out of range");
    }
    return sublist(a[0], (size_t)start, (size_t)end, res);
}

static int fn_chunk(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    int64_t size = a[0]->u.i;
    struct val *l = a[1];

    (void)x;
    (void)n;
    if (l->type != VAL_LIST) {
        return not_list(l, "chunk", err);
    }
    if (size <= 0) {
        return err_set(err, ERR_TEMPLATE, "runtime error: integer divide by zero");
    }
    *res = val_list();
    for (size_t i = 0; i < l->u.list.len; i += (size_t)size) {
        struct val *c = val_list();

        for (size_t k = i; k < l->u.list.len && k < i + (size_t)size; k++) {
            val_list_push(c, l->u.list.items[k]);
        }
        val_list_push_take(*res, c);
    }
    return 0;
}

const struct gfunc gotpl_sprig_list_funcs[] = {
    { "append", fn_append, "aa" },
    { "chunk", fn_chunk, "ia" },
    { "compact", fn_compact, "a" },
    { "concat", fn_concat, "a." },
    { "first", fn_first, "a" },
    { "has", fn_has, "aa" },
    { "initial", fn_initial, "a" },
    { "last", fn_last, "a" },
    { "list", fn_list, "a." },
    { "mustAppend", fn_append, "aa" },
    { "mustChunk", fn_chunk, "ia" },
    { "mustCompact", fn_compact, "a" },
    { "mustFirst", fn_first, "a" },
    { "mustHas", fn_has, "aa" },
    { "mustInitial", fn_initial, "a" },
    { "mustLast", fn_last, "a" },
    { "mustPrepend", fn_prepend, "aa" },
    { "mustPush", fn_append, "aa" },
    { "mustRest", fn_rest, "a" },
    { "mustReverse", fn_reverse, "a" },
    { "mustSlice", fn_slice, "aa." },
    { "mustUniq", fn_uniq, "a" },
    { "mustWithout", fn_without, "aa." },
    { "prepend", fn_prepend, "aa" },
    { "push", fn_append, "aa" },
    { "rest", fn_rest, "a" },
    { "reverse", fn_reverse, "a" },
    { "slice", fn_slice, "aa." },
    { "tuple", fn_list, "a." },
    { "uniq", fn_uniq, "a" },
    { "without", fn_without, "aa." },
};
const size_t gotpl_sprig_list_nfuncs = ARRAY_SIZE(gotpl_sprig_list_funcs);
