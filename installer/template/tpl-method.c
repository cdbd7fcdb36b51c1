/*
 * tpl-method.c - Python methods called from templates: str (split, strip, startswith, replace,
 * format, join, find, count...), dict (items, keys, values, get, copy) and list (index, count,
 * copy, and append/extend on lists the template itself created).
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "template/tpl-eval.h"

static bool py_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
           c == '\x1c' || c == '\x1d' || c == '\x1e' || c == '\x1f';
}

static struct val *s_split(struct tpl_ctx *c, struct val *s, const struct tpl_args *a)
{
    struct val *sep = tpl_arg(a, 0, "sep"), *max = tpl_arg(a, 1, "maxsplit"), *out;
    int64_t left = max && max->type == VAL_INT ? max->u.i : -1;
    const char *p = s->u.s.ptr, *end = p + s->u.s.len;

    if (sep && sep->type == VAL_STR && sep->u.s.len == 0) {
        return tpl_fail(c, "empty separator");
    }
    out = val_list();
    if (sep && sep->type == VAL_STR) {
        for (;;) {
            const char *hit = left == 0 ? NULL : memmem(p, (size_t)(end - p), sep->u.s.ptr,
                                                        sep->u.s.len);

            if (!hit) {
                val_list_push_take(out, val_strn(p, (size_t)(end - p)));
                return out;
            }
            val_list_push_take(out, val_strn(p, (size_t)(hit - p)));
            p = hit + sep->u.s.len;
            left--;
        }
    }
    while (p < end) {
        const char *w;

        while (p < end && py_space(*p)) {
            p++;
        }
        if (p == end) {
            break;
        }
        if (left == 0) {
            const char *e = end;

            while (e > p && py_space(e[-1])) {
                e--;
            }
            val_list_push_take(out, val_strn(p, (size_t)(e - p)));
            break;
        }
        w = p;
        while (p < end && !py_space(*p)) {
            p++;
        }
        val_list_push_take(out, val_strn(w, (size_t)(p - w)));
        left--;
    }
    return out;
}

/* strip/lstrip/rstrip: which = 3 both, 1 left, 2 right. */
static struct val *s_strip(struct tpl_ctx *c, struct val *s, const struct tpl_args *a, int which)
{
    struct val *chars = tpl_arg(a, 0, NULL);
    size_t b = 0, e = s->u.s.len;

    if (chars && chars->type == VAL_NULL) {
        chars = NULL;
    }
    if (chars && chars->type != VAL_STR) {
        return tpl_fail(c, "strip arg must be None or str");
    }
    while ((which & 1) && b < e &&
           (chars ? memchr(chars->u.s.ptr, s->u.s.ptr[b], chars->u.s.len) != NULL
                  : py_space(s->u.s.ptr[b]))) {
        b++;
    }
    while ((which & 2) && e > b &&
           (chars ? memchr(chars->u.s.ptr, s->u.s.ptr[e - 1], chars->u.s.len) != NULL
                  : py_space(s->u.s.ptr[e - 1]))) {
        e--;
    }
    return val_strn(s->u.s.ptr + b, e - b);
}

/* startswith/endswith with a string or a tuple/list of strings. */
static struct val *s_affix(struct tpl_ctx *c, struct val *s, const struct tpl_args *a, bool end)
{
    struct val *x = tpl_arg(a, 0, NULL);
    size_t n = x && x->type == VAL_LIST ? val_list_len(x) : 1;

    if (!x) {
        return tpl_fail(c, "%s() takes at least 1 argument", end ? "endswith" : "startswith");
    }
    for (size_t i = 0; i < n; i++) {
        struct val *p = x->type == VAL_LIST ? val_list_get(x, i) : x;

        if (p->type != VAL_STR) {
            return tpl_fail(c, "%s first arg must be str or a tuple of str",
                            end ? "endswith" : "startswith");
        }
        if (p->u.s.len <= s->u.s.len &&
            memcmp(s->u.s.ptr + (end ? s->u.s.len - p->u.s.len : 0), p->u.s.ptr, p->u.s.len) ==
                0) {
            return val_bool(true);
        }
    }
    return val_bool(false);
}

static struct val *s_find(struct tpl_ctx *c, struct val *s, const struct tpl_args *a, bool index)
{
    struct val *x = tpl_arg(a, 0, NULL);
    const char *hit;
    int64_t chars = 0;

    if (!x || x->type != VAL_STR) {
        return tpl_fail(c, "must be str");
    }
    hit = memmem(s->u.s.ptr, s->u.s.len, x->u.s.ptr, x->u.s.len);
    if (!hit) {
        return index ? tpl_fail(c, "substring not found") : val_int(-1);
    }
    for (const char *p = s->u.s.ptr; p < hit; p++) {
        chars += ((unsigned char)*p & 0xC0) != 0x80;
    }
    return val_int(chars);
}

static struct val *s_count(struct tpl_ctx *c, struct val *s, const struct tpl_args *a)
{
    struct val *x = tpl_arg(a, 0, NULL);
    int64_t n = 0;

    if (!x || x->type != VAL_STR) {
        return tpl_fail(c, "must be str");
    }
    if (x->u.s.len == 0) {
        for (size_t i = 0; i < s->u.s.len; i++) {
            n += ((unsigned char)s->u.s.ptr[i] & 0xC0) != 0x80;
        }
        return val_int(n + 1);
    }
    const char *end = s->u.s.ptr + s->u.s.len;
    const char *p = memmem(s->u.s.ptr, s->u.s.len, x->u.s.ptr, x->u.s.len);

    while (p != NULL) {
        n++;
        p += x->u.s.len;
        p = memmem(p, (size_t)(end - p), x->u.s.ptr, x->u.s.len);
    }
    return val_int(n);
}

static struct val *s_join(struct tpl_ctx *c, struct val *s, const struct tpl_args *a)
{
    struct val *x = tpl_arg(a, 0, NULL), *items;
    struct buf b = BUF_INIT;

    if (!x) {
        return tpl_fail(c, "join() takes exactly one argument");
    }
    items = tpl_iter_list(c, x);
    if (!items) {
        return NULL;
    }
    for (size_t i = 0; i < val_list_len(items); i++) {
        struct val *it = val_list_get(items, i);

        if (it->type != VAL_STR) {
            val_unref(items);
            buf_release(&b);
            return tpl_fail(c, "sequence item %zu: expected str instance, %s found", i,
                            val_type_name(it->type));
        }
        if (i) {
            buf_add(&b, s->u.s.ptr, s->u.s.len);
        }
        buf_add(&b, it->u.s.ptr, it->u.s.len);
    }
    val_unref(items);
    return tpl_str_from_buf(&b);
}

static struct val *s_splitlines(struct val *s)
{
    struct val *out = val_list();
    size_t i = 0;

    while (i < s->u.s.len) {
        const char *nl = memchr(s->u.s.ptr + i, '\n', s->u.s.len - i);
        size_t e = nl ? (size_t)(nl - s->u.s.ptr) : s->u.s.len;

        val_list_push_take(out, val_strn(s->u.s.ptr + i, e - i));
        i = e + 1;
    }
    return out;
}

static struct val *s_isclass(struct val *s, bool digits)
{
    bool ok = s->u.s.len > 0;

    for (size_t i = 0; i < s->u.s.len && ok; i++) {
        char ch = s->u.s.ptr[i];

        ok = digits ? (ch >= '0' && ch <= '9')
                    : ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'));
    }
    return val_bool(ok);
}

static struct val *str_method(struct tpl_ctx *c, struct val *s, const char *m,
                              const struct tpl_args *a, bool *found)
{
    *found = true;
    if (strcmp(m, "split") == 0) {
        return s_split(c, s, a);
    }
    if (strcmp(m, "strip") == 0 || strcmp(m, "lstrip") == 0 || strcmp(m, "rstrip") == 0) {
        return s_strip(c, s, a, m[0] == 'l' ? 1 : m[0] == 'r' ? 2 : 3);
    }
    if (strcmp(m, "startswith") == 0 || strcmp(m, "endswith") == 0) {
        return s_affix(c, s, a, m[0] == 'e');
    }
    if (strcmp(m, "replace") == 0) {
        return tpl_str_replace(c, s, a);
    }
    if (strcmp(m, "lower") == 0 || strcmp(m, "upper") == 0 || strcmp(m, "capitalize") == 0 ||
        strcmp(m, "title") == 0) {
        return tpl_str_case(s, m[0] == 'l'   ? TPL_CASE_LOWER
                               : m[0] == 'u' ? TPL_CASE_UPPER
                               : m[0] == 'c' ? TPL_CASE_CAPITALIZE
                                             : TPL_CASE_TITLE_PY);
    }
    if (strcmp(m, "format") == 0) {
        return tpl_str_format(c, s, a);
    }
    if (strcmp(m, "join") == 0) {
        return s_join(c, s, a);
    }
    if (strcmp(m, "find") == 0 || strcmp(m, "index") == 0) {
        return s_find(c, s, a, m[0] == 'i');
    }
    if (strcmp(m, "count") == 0) {
        return s_count(c, s, a);
    }
    if (strcmp(m, "splitlines") == 0) {
        return s_splitlines(s);
    }
    if (strcmp(m, "isdigit") == 0 || strcmp(m, "isalpha") == 0) {
        return s_isclass(s, m[2] == 'd');
    }
    *found = false;
    return NULL;
}

static struct val *dict_method(struct tpl_ctx *c, struct val *d, const char *m,
                               const struct tpl_args *a, bool *found)
{
    struct val *out;

    *found = true;
    if (strcmp(m, "get") == 0) {
        struct val *k = tpl_arg(a, 0, NULL), *def = tpl_arg(a, 1, NULL), *v;

        if (!k) {
            return tpl_fail(c, "get expected at least 1 argument, got 0");
        }
        v = k->type == VAL_STR ? val_dict_get(d, k->u.s.ptr) : NULL;
        return v ? val_ref(v) : def ? val_ref(def) : val_null();
    }
    if (strcmp(m, "copy") == 0) {
        return val_copy(d);
    }
    if (strcmp(m, "items") && strcmp(m, "keys") && strcmp(m, "values")) {
        *found = false;
        return NULL;
    }
    out = val_list();
    for (size_t i = 0; i < val_dict_len(d); i++) {
        struct val *k = val_str(val_dict_key_at(d, i)), *v = val_dict_value_at(d, i);

        if (m[0] == 'i') {
            val_list_push_take(out, tpl_pair(k, v));
        } else {
            val_list_push(out, m[0] == 'k' ? k : v);
        }
        val_unref(k);
    }
    return out;
}

/* append/extend: only lists made by a literal in this render may change (see TPL_MUTABLE). */
static struct val *list_grow(struct tpl_ctx *c, struct val *l, const char *m, struct val *x)
{
    if (!(l->flags & TPL_MUTABLE)) {
        return tpl_fail(c, "pot only lets %s() change a list written as a literal in this "
                           "template", m);
    }
    if (!x) {
        return tpl_fail(c, "%s() takes exactly one argument", m);
    }
    if (m[0] == 'a') {
        val_list_push(l, x);
        return val_null();
    }
    struct val *items = tpl_iter_list(c, x);
    if (!items) {
        return NULL;
    }
    for (size_t i = 0; i < val_list_len(items); i++) {
        val_list_push(l, val_list_get(items, i));
    }
    val_unref(items);
    return val_null();
}

static struct val *list_method(struct tpl_ctx *c, struct val *l, const char *m,
                               const struct tpl_args *a, bool *found)
{
    struct val *x = tpl_arg(a, 0, NULL);
    int64_t n = 0;

    *found = true;
    if (strcmp(m, "copy") == 0) {
        return val_copy(l);
    }
    if (strcmp(m, "append") == 0 || strcmp(m, "extend") == 0) {
        return list_grow(c, l, m, x);
    }
    if (strcmp(m, "index") && strcmp(m, "count")) {
        *found = false;
        return NULL;
    }
    if (!x) {
        return tpl_fail(c, "%s() takes exactly one argument", m);
    }
    for (size_t i = 0; i < val_list_len(l); i++) {
        if (val_equal(val_list_get(l, i), x)) {
            if (m[0] == 'i') {
                return val_int((int64_t)i);
            }
            n++;
        }
    }
    if (m[0] == 'i') {
        struct buf b = BUF_INIT;
        struct val *r;

        tpl_pyrepr(x, &b);
        r = tpl_fail(c, "%s is not in list", b.ptr);
        buf_release(&b);
        return r;
    }
    return val_int(n);
}

struct val *tpl_call_method(struct tpl_ctx *c, struct val *obj, const char *name,
                            const struct tpl_args *a, bool *found)
{
    switch (obj->type) {
    case VAL_STR:
        return str_method(c, obj, name, a, found);
    case VAL_DICT:
        return dict_method(c, obj, name, a, found);
    case VAL_LIST:
        return list_method(c, obj, name, a, found);
    default:
        *found = false;
        return NULL;
    }
}
