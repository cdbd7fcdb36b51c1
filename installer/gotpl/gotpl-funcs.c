/*
 * gotpl-funcs.c - the one place functions are looked up (added tables first, then each built-in
 * family by binary search; env/expandenv only in GOTPL_HELMFILE, as Helm removes them) and the
 * methods of values (a semver's), and
 * text/template's own built-ins: and, or (short-circuited by gotpl-exec.c), not, len, index,
 * slice (replaced by sprig's, as in Helm), eq/ne/lt/le/gt/ge with Go's comparison rules,
 * print/printf/println, html, js, urlquery, call.
 */
#include "pot.h"
#include <string.h>
#include "base/xalloc.h"
#include "gotpl/gotpl-int.h"

static const struct {
    const struct gfunc *funcs;
    const size_t *n;
} families[] = {
    { gotpl_helm_funcs, &gotpl_helm_nfuncs },
    { gotpl_sprig_dict_funcs, &gotpl_sprig_dict_nfuncs },
    { gotpl_sprig_list_funcs, &gotpl_sprig_list_nfuncs },
    { gotpl_sprig_math_funcs, &gotpl_sprig_math_nfuncs },
    { gotpl_sprig_misc_funcs, &gotpl_sprig_misc_nfuncs },
    { gotpl_sprig_regex_funcs, &gotpl_sprig_regex_nfuncs },
    { gotpl_sprig_semver_funcs, &gotpl_sprig_semver_nfuncs },
    { gotpl_sprig_str_funcs, &gotpl_sprig_str_nfuncs },
    { gotpl_toml_funcs, &gotpl_toml_nfuncs },
    { gotpl_core_funcs, &gotpl_core_nfuncs }, /* last: sprig's slice replaces Go's, as in Helm */
};

static int func_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct gfunc *)elem)->name);
}

bool gotpl_find_func(const struct gotpl *t, const char *name, struct gfunc_ref *out)
{
    for (size_t i = t->nuser; i > 0; i--) {
        for (const struct gotpl_fn_def *d = t->user[i - 1].defs; d->name; d++) {
            if (strcmp(d->name, name) == 0) {
                out->builtin = NULL;
                out->user = d;
                out->ctx = t->user[i - 1].ctx;
                return true;
            }
        }
    }
    if (t->mode == GOTPL_HELMFILE) {
        const struct gfunc *f = bsearch(name, gotpl_sprig_env_funcs, gotpl_sprig_env_nfuncs,
                                        sizeof(struct gfunc), func_cmp);

        if (f) {
            out->builtin = f;
            out->user = NULL;
            out->ctx = NULL;
            return true;
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
        const struct gfunc *f = bsearch(name, families[i].funcs, *families[i].n,
                                        sizeof(struct gfunc), func_cmp);

        if (f) {
            out->builtin = f;
            out->user = NULL;
            out->ctx = NULL;
            return true;
        }
    }
    return false;
}

bool gotpl_has_methods(const struct val *v)
{
    return v && v->type == VAL_DICT && (v->flags & GOTPL_VAL_SEMVER);
}

const struct gfunc *gotpl_find_method(const struct val *receiver, const char *name)
{
    const struct gfunc *m;

    if (receiver && receiver->type == VAL_DICT && (receiver->flags & GOTPL_VAL_CHART_VALUES)) {
        return bsearch(name, gotpl_values_methods, gotpl_values_nmethods, sizeof(struct gfunc),
                       func_cmp);
    }
    if (!gotpl_has_methods(receiver)) {
        return NULL;
    }
    m = bsearch(name, gotpl_semver_methods, gotpl_semver_nmethods, sizeof(struct gfunc), func_cmp);
    if (!m && !(receiver->flags & GOTPL_VAL_SEMVER_VALUE)) {
        m = bsearch(name, gotpl_semver_ptr_methods, gotpl_semver_ptr_nmethods, sizeof(struct gfunc),
                    func_cmp);
    }
    return m;
}

/* ---- comparisons ---- */

enum basic_kind {
    K_INVALID,
    K_BOOL,
    K_INT,
    K_FLOAT,
    K_STRING,
};

static enum basic_kind basic_kind(const struct val *v)
{
    switch (v->type) {
    case VAL_BOOL:
        return K_BOOL;
    case VAL_INT:
        return K_INT;
    case VAL_DOUBLE:
        return K_FLOAT;
    case VAL_STR:
        return K_STRING;
    default:
        return K_INVALID;
    }
}

static bool str_eq(const struct val *a, const struct val *b)
{
    return a->u.s.len == b->u.s.len && memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0;
}

static int str_cmp(const struct val *a, const struct val *b)
{
    size_t n = a->u.s.len < b->u.s.len ? a->u.s.len : b->u.s.len;
    int c = memcmp(a->u.s.ptr, b->u.s.ptr, n);

    if (c != 0) {
        return c;
    }
    return a->u.s.len < b->u.s.len ? -1 : a->u.s.len > b->u.s.len;
}

/* Go's eq for two values: 0 false, 1 true, -1 error. */
static int eq2(const struct val *a, const struct val *b, struct err *err)
{
    enum basic_kind ka = basic_kind(a), kb = basic_kind(b);
    bool a_nil = a->type == VAL_NULL, b_nil = b->type == VAL_NULL;

    if (ka != kb) {
        if (!a_nil && !b_nil) {
            return err_set(err, ERR_TEMPLATE, "incompatible types for comparison");
        }
        return 0;
    }
    switch (ka) {
    case K_BOOL:
        return a->u.b == b->u.b;
    case K_INT:
        return a->u.i == b->u.i;
    case K_FLOAT:
        return a->u.d == b->u.d;
    case K_STRING:
        return str_eq(a, b);
    case K_INVALID:
        break;
    }
    if (a_nil || b_nil) {
        return a_nil && b_nil;
    }
    return err_set(err, ERR_TEMPLATE, "non-comparable type %s", gotpl_type_name(b));
}

static int fn_eq(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    if (n < 2) {
        return err_set(err, ERR_TEMPLATE, "missing argument for comparison");
    }
    for (size_t i = 1; i < n; i++) {
        int r = eq2(a[0], a[i], err);

        if (r < 0) {
            return -1;
        }
        if (r) {
            *res = val_bool(true);
            return 0;
        }
    }
    *res = val_bool(false);
    return 0;
}

static int fn_ne(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    int r = eq2(a[0], a[1], err);

    (void)x;
    (void)n;
    if (r < 0) {
        return -1;
    }
    *res = val_bool(!r);
    return 0;
}

/* Go's lessThan: 0/1, -1 on error. */
static int less(const struct val *a, const struct val *b, struct err *err)
{
    enum basic_kind ka = basic_kind(a), kb = basic_kind(b);

    if (ka == K_INVALID || kb == K_INVALID || ka == K_BOOL || kb == K_BOOL) {
        return err_set(err, ERR_TEMPLATE, "invalid type for comparison");
    }
    if (ka != kb) {
        return err_set(err, ERR_TEMPLATE, "incompatible types for comparison");
    }
    switch (ka) {
    case K_INT:
        return a->u.i < b->u.i;
    case K_FLOAT:
        return a->u.d < b->u.d;
    case K_STRING:
        return str_cmp(a, b) < 0;
    default:
        return 0;
    }
}

static int compare_fn(struct val **a, struct val **res, struct err *err, bool want_less,
                      bool or_equal, bool negate)
{
    int lt = less(a[0], a[1], err);
    int r;

    if (lt < 0) {
        return -1;
    }
    r = lt;
    if (or_equal && !r) {
        r = eq2(a[0], a[1], err);
        if (r < 0) {
            return -1;
        }
    }
    (void)want_less;
    *res = val_bool(negate ? !r : r);
    return 0;
}

static int fn_lt(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    return compare_fn(a, res, err, true, false, false);
}

static int fn_le(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    return compare_fn(a, res, err, true, true, false);
}

static int fn_gt(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    return compare_fn(a, res, err, true, true, true);
}

static int fn_ge(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    return compare_fn(a, res, err, true, false, true);
}

/* ---- the rest ---- */

static int fn_and_or(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)err;
    *res = val_ref(a[n - 1]);
    return 0;
}

static int fn_not(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    (void)err;
    *res = val_bool(!gotpl_truth(a[0]));
    return 0;
}

static int fn_len(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    switch (a[0]->type) {
    case VAL_STR:
        *res = gotpl_goint((int64_t)a[0]->u.s.len);
        return 0;
    case VAL_LIST:
        *res = gotpl_goint((int64_t)a[0]->u.list.len);
        return 0;
    case VAL_DICT:
        *res = gotpl_goint((int64_t)a[0]->u.dict.len);
        return 0;
    case VAL_NULL:
        return err_set(err, ERR_TEMPLATE, "len of nil pointer");
    default:
        return err_set(err, ERR_TEMPLATE, "len of type %s", gotpl_type_name(a[0]));
    }
}

/* An index argument for a list or string of length 'len' ('cap': the largest allowed value). */
static int index_arg(const struct val *i, size_t cap, int64_t *out, struct err *err)
{
    if (i->type == VAL_NULL) {
        return err_set(err, ERR_TEMPLATE, "cannot index slice/array with nil");
    }
    if (i->type != VAL_INT) {
        return err_set(err, ERR_TEMPLATE, "cannot index slice/array with type %s",
                       gotpl_type_name(i));
    }
    if (i->u.i < 0 || (uint64_t)i->u.i > cap) {
        return err_set(err, ERR_TEMPLATE, "index out of range: %lld", (long long)i->u.i);
    }
    *out = i->u.i;
    return 0;
}

static int fn_index(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct val *item = a[0];

    (void)x;
    if (item->type == VAL_NULL) {
        return err_set(err, ERR_TEMPLATE, "index of untyped nil");
    }
    for (size_t k = 1; k < n; k++) {
        int64_t i = 0;

        if (item->type == VAL_NULL) {
            return err_set(err, ERR_TEMPLATE, "index of nil pointer");
        }
        if (item->type == VAL_LIST || item->type == VAL_STR) {
            size_t len = item->type == VAL_LIST ? item->u.list.len : item->u.s.len;

            if (index_arg(a[k], len, &i, err) < 0) {
                return -1;
            }
            if ((size_t)i >= len) {
                return err_set(err, ERR_TEMPLATE, "index out of range: %lld", (long long)i);
            }
            if (item->type == VAL_STR) {
                if (k + 1 < n) {
                    return err_set(err, ERR_TEMPLATE, "can't index item of type uint8");
                }
                *res = gotpl_goint((unsigned char)item->u.s.ptr[i]);
                return 0;
            }
            item = item->u.list.items[i];
        } else if (item->type == VAL_DICT) {
            struct val *v;

            if (a[k]->type == VAL_NULL) {
                return err_set(err, ERR_TEMPLATE, "value is nil; should be of type string");
            }
            if (a[k]->type != VAL_STR) {
                return err_set(err, ERR_TEMPLATE, "value has type %s; should be string",
                               gotpl_type_name(a[k]));
            }
            v = val_dict_get(item, a[k]->u.s.ptr);
            if (!v) {
                if (k + 1 < n) {
                    return err_set(err, ERR_TEMPLATE, "index of nil pointer");
                }
                *res = val_null();
                return 0;
            }
            item = v;
        } else {
            return err_set(err, ERR_TEMPLATE, "can't index item of type %s", gotpl_type_name(item));
        }
    }
    *res = val_ref(item);
    return 0;
}

static int fn_slice(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct val *item = a[0];
    int64_t idx[3] = { 0, 0, 0 };
    size_t len;

    (void)x;
    if (item->type == VAL_NULL) {
        return err_set(err, ERR_TEMPLATE, "slice of untyped nil");
    }
    if (n > 4) {
        return err_set(err, ERR_TEMPLATE, "too many slice indexes: %zu", n - 1);
    }
    if (item->type == VAL_STR) {
        if (n == 4) {
            return err_set(err, ERR_TEMPLATE, "cannot 3-index slice a string");
        }
        len = item->u.s.len;
    } else if (item->type == VAL_LIST) {
        len = item->u.list.len;
    } else {
        return err_set(err, ERR_TEMPLATE, "can't slice item of type %s", gotpl_type_name(item));
    }
    idx[1] = (int64_t)len;
    for (size_t k = 1; k < n; k++) {
        if (index_arg(a[k], len, &idx[k - 1], err) < 0) {
            return -1;
        }
    }
    if (idx[0] > idx[1]) {
        return err_set(err, ERR_TEMPLATE, "invalid slice index: %lld > %lld", (long long)idx[0],
                       (long long)idx[1]);
    }
    if (item->type == VAL_STR) {
        *res = val_strn(item->u.s.ptr + idx[0], (size_t)(idx[1] - idx[0]));
        return 0;
    }
    *res = val_list();
    for (int64_t i = idx[0]; i < idx[1]; i++) {
        val_list_push(*res, item->u.list.items[i]);
    }
    return 0;
}

/* evalArgs of html/js/urlquery: one string as is, else fmt.Sprint. */
static void eval_args(struct val **a, size_t n, struct buf *out)
{
    struct val *no_value;
    struct val **args;

    if (n == 1 && a[0]->type == VAL_STR) {
        buf_add(out, a[0]->u.s.ptr, a[0]->u.s.len);
        return;
    }
    /* text/template's printableValue: a nil argument is the string "<no value>" */
    no_value = val_str("<no value>");
    args = xcalloc(n ? n : 1, sizeof(*args));
    for (size_t i = 0; i < n; i++) {
        args[i] = a[i]->type == VAL_NULL ? no_value : a[i];
    }
    gotpl_sprint(args, n, false, out);
    free(args);
    val_unref(no_value);
}

static int fn_html(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf s = BUF_INIT, out = BUF_INIT;

    (void)x;
    (void)err;
    eval_args(a, n, &s);
    buf_add_html(&out, s.ptr ? s.ptr : "", s.len);
    buf_release(&s);
    *res = gotpl_take_buf(&out);
    return 0;
}

static int fn_js(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf s = BUF_INIT, out = BUF_INIT;

    (void)x;
    (void)err;
    eval_args(a, n, &s);
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];

        switch (c) {
        case '\\':
            buf_adds(&out, "\\\\");
            break;
        case '\'':
            buf_adds(&out, "\\'");
            break;
        case '"':
            buf_adds(&out, "\\\"");
            break;
        case '<':
            buf_adds(&out, "\\u003C");
            break;
        case '>':
            buf_adds(&out, "\\u003E");
            break;
        case '&':
            buf_adds(&out, "\\u0026");
            break;
        case '=':
            buf_adds(&out, "\\u003D");
            break;
        default:
            if (c < ' ') {
                buf_addf(&out, "\\u%04X", c);
            } else if (c >= 0x80) {
                uint32_t cp;
                size_t n2 = gotpl_utf8_next(s.ptr + i, s.len - i, &cp);

                if (n2 && !gotpl_is_print(cp)) {
                    buf_addf(&out, "\\u%04X", (unsigned)cp);
                    i += n2 - 1;
                } else {
                    buf_addc(&out, (char)c);
                }
            } else {
                buf_addc(&out, (char)c);
            }
        }
    }
    buf_release(&s);
    *res = gotpl_take_buf(&out);
    return 0;
}

static int fn_urlquery(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf s = BUF_INIT, out = BUF_INIT;

    (void)x;
    (void)err;
    eval_args(a, n, &s);
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            buf_addc(&out, (char)c);
        } else if (c == ' ') {
            buf_addc(&out, '+');
        } else {
            buf_addf(&out, "%%%02X", c);
        }
    }
    buf_release(&s);
    *res = gotpl_take_buf(&out);
    return 0;
}

static int fn_print(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf out = BUF_INIT;

    (void)x;
    (void)err;
    gotpl_sprint(a, n, false, &out);
    *res = gotpl_take_buf(&out);
    return 0;
}

static int fn_println(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf out = BUF_INIT;

    (void)x;
    (void)err;
    gotpl_sprint(a, n, true, &out);
    *res = gotpl_take_buf(&out);
    return 0;
}

static int fn_printf(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf out = BUF_INIT;

    (void)x;
    if (a[0]->type != VAL_STR) {
        return err_set(err, ERR_TEMPLATE, "wrong type for value; expected string; got %s",
                       gotpl_type_name(a[0]));
    }
    gotpl_sprintf(a[0]->u.s.ptr, a[0]->u.s.len, a + 1, n - 1, &out);
    *res = gotpl_take_buf(&out);
    return 0;
}

static int fn_call(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    (void)res;
    if (a[0]->type == VAL_NULL) {
        return err_set(err, ERR_TEMPLATE, "call of nil");
    }
    return err_set(err, ERR_TEMPLATE, "non-function of type %s", gotpl_type_name(a[0]));
}

const struct gfunc gotpl_core_funcs[] = {
    { "and", fn_and_or, "aa." },
    { "call", fn_call, "aa." },
    { "eq", fn_eq, "aa." },
    { "ge", fn_ge, "aa" },
    { "gt", fn_gt, "aa" },
    { "html", fn_html, "a." },
    { "index", fn_index, "aa." },
    { "js", fn_js, "a." },
    { "le", fn_le, "aa" },
    { "len", fn_len, "a" },
    { "lt", fn_lt, "aa" },
    { "ne", fn_ne, "aa" },
    { "not", fn_not, "a" },
    { "or", fn_and_or, "aa." },
    { "print", fn_print, "a." },
    { "printf", fn_printf, "sa." },
    { "println", fn_println, "a." },
    { "slice", fn_slice, "aa." },
    { "urlquery", fn_urlquery, "a." },
};
const size_t gotpl_core_nfuncs = ARRAY_SIZE(gotpl_core_funcs);
