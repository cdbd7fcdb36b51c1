/*
 * tpl-filter-list.c - filters over lists and dicts: first, last, min, max, sum, sort, unique,
 * reverse, list, join, map, select/reject, selectattr/rejectattr, dict2items, items2dict, combine,
 * zip, flatten, product, union/intersect/difference, extract, attr, batch, slice, dictsort.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/xalloc.h"
#include "template/tpl-eval.h"

/* Jinja2's make_attrgetter: "a.b.0" walks attributes and indexes. Returns a new reference (maybe
 * undefined) or NULL after an error. */
static struct val *attr_path(struct tpl_ctx *c, struct val *item, const struct val *attr)
{
    struct val *cur = val_ref(item);
    const char *p;

    if (attr->type == VAL_INT) {
        struct val *r = tpl_getitem(c, cur, (struct val *)attr);

        val_unref(cur);
        return r;
    }
    p = attr->u.s.ptr;
    while (cur && p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        char *part = xstrndup(p, n);
        struct val *key = strspn(part, "0123456789") == n && n ? val_int(strtoll(part, NULL, 10))
                                                               : val_str(part);
        struct val *next = tpl_getitem(c, cur, key);

        val_unref(key);
        free(part);
        val_unref(cur);
        cur = next;
        p = dot ? dot + 1 : NULL;
    }
    return cur;
}

static struct val *lower_if_str(struct val *v, bool case_sensitive)
{
    if (v->type != VAL_STR || case_sensitive) {
        return val_ref(v);
    }
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < v->u.s.len; i++) {
        char ch = v->u.s.ptr[i];

        buf_addc(&b, ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch);
    }
    return tpl_str_from_buf(&b);
}

/* The sort key of an item: attribute (if any), lowercased unless case_sensitive. */
static struct val *sort_key(struct tpl_ctx *c, struct val *item, const struct val *attr,
                            bool case_sensitive)
{
    struct val *k = attr ? attr_path(c, item, attr) : val_ref(item), *r;

    if (!k) {
        return NULL;
    }
    if (tpl_is_undefined(k)) {
        tpl_fail_undefined(c, k);
        val_unref(k);
        return NULL;
    }
    r = lower_if_str(k, case_sensitive);
    val_unref(k);
    return r;
}

struct keyed {
    struct val *key;  /* owned */
    struct val *item; /* borrowed */
    size_t index;
};

struct keyed_order {
    bool reverse;      /* Python's sorted(reverse=True): descending, equal keys kept in order */
    bool incomparable; /* set when two keys could not be compared */
};

static int cmp_keyed(const void *pa, const void *pb, void *order)
{
    const struct keyed *a = pa, *b = pb;
    struct keyed_order *o = order;
    bool bad = false;
    int r = val_compare(a->key, b->key, &bad);

    o->incomparable |= bad;
    if (o->reverse) {
        r = -r;
    }
    return r ? r : (a->index < b->index ? -1 : 1);
}

/* Items of 'seq' with their keys; *n set; NULL after an error. */
static struct keyed *keyed_items(struct tpl_ctx *c, struct val *list, const struct val *attr,
                                 bool case_sensitive, size_t *n)
{
    struct keyed *k = xcalloc(val_list_len(list) + 1, sizeof(*k));

    *n = val_list_len(list);
    for (size_t i = 0; i < *n; i++) {
        k[i].item = val_list_get(list, i);
        k[i].index = i;
        k[i].key = sort_key(c, k[i].item, attr, case_sensitive);
        if (!k[i].key) {
            for (size_t j = 0; j < i; j++) {
                val_unref(k[j].key);
            }
            free(k);
            return NULL;
        }
    }
    return k;
}

static void keyed_free(struct keyed *k, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        val_unref(k[i].key);
    }
    free(k);
}

/* Sorts stably as Python's sorted(); fails when Python could not compare the keys. */
static int sort_keyed(struct tpl_ctx *c, struct keyed *k, size_t n, bool reverse)
{
    struct keyed_order order = { .reverse = reverse };

    qsort_r(k, n, sizeof(*k), cmp_keyed, &order);
    if (order.incomparable) {
        return tpl_failn(c, "'<' not supported between these values");
    }
    return 0;
}

/* The items of 'list' sorted by their keys (attribute 'attr' or the item), as Python's
 * sorted(key=..., reverse=...); NULL after an error. */
static struct val *sorted_by_key(struct tpl_ctx *c, struct val *list, const struct val *attr,
                                 bool case_sensitive, bool reverse)
{
    struct val *out = NULL;
    size_t n;
    struct keyed *k = keyed_items(c, list, attr, case_sensitive, &n);

    if (k && sort_keyed(c, k, n, reverse) == 0) {
        out = val_list();
        for (size_t i = 0; i < n; i++) {
            val_list_push(out, k[i].item);
        }
    }
    if (k) {
        keyed_free(k, n);
    }
    return out;
}

static struct val *as_list(struct tpl_ctx *c, struct val *v)
{
    return tpl_iter_list(c, v);
}

static struct val *f_sort(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *rev = tpl_arg(a, 0, "reverse"), *cs = tpl_arg(a, 1, "case_sensitive"),
               *attr = tpl_arg(a, 2, "attribute"), *list, *out;

    if (tpl_check_args(c, "sort", a, 3, "reverse,case_sensitive,attribute") < 0) {
        return NULL;
    }
    list = as_list(c, v);
    if (!list) {
        return NULL;
    }
    out = sorted_by_key(c, list, attr && attr->type != VAL_NULL ? attr : NULL,
                        cs && val_truthy(cs), rev && val_truthy(rev));
    val_unref(list);
    return out;
}

static struct val *min_max(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, bool max)
{
    struct val *cs = tpl_arg(a, 0, "case_sensitive"), *attr = tpl_arg(a, 1, "attribute"), *list;
    struct val *out = NULL;
    struct keyed *k;
    size_t n;

    if (tpl_check_args(c, max ? "max" : "min", a, 2, "case_sensitive,attribute") < 0) {
        return NULL;
    }
    list = as_list(c, v);
    if (!list) {
        return NULL;
    }
    k = keyed_items(c, list, attr, cs && val_truthy(cs), &n);
    if (k && n == 0) {
        out = tpl_undefined(c, "no %s item, sequence was empty", max ? "largest" : "smallest");
    } else if (k) {
        size_t best = 0;
        bool incomparable = false;

        for (size_t i = 1; i < n; i++) {
            bool bad = false;
            int r = val_compare(k[i].key, k[best].key, &bad);

            incomparable |= bad;
            best = (max ? r > 0 : r < 0) ? i : best;
        }
        out = incomparable ? tpl_fail(c, "'<' not supported between these values")
                                : val_ref(k[best].item);
    }
    if (k) {
        keyed_free(k, n);
    }
    val_unref(list);
    return out;
}

static struct val *f_min(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    return min_max(c, v, a, false);
}

static struct val *f_max(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    return min_max(c, v, a, true);
}

static struct val *f_unique(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *cs = tpl_arg(a, 0, "case_sensitive"), *attr = tpl_arg(a, 1, "attribute"), *list;
    struct val *out = NULL, *seen;
    struct keyed *k;
    size_t n;

    if (tpl_check_args(c, "unique", a, 2, "case_sensitive,attribute") < 0) {
        return NULL;
    }
    list = as_list(c, v);
    if (!list) {
        return NULL;
    }
    k = keyed_items(c, list, attr, cs && val_truthy(cs), &n);
    if (k) {
        out = val_list();
        seen = val_list();
        for (size_t i = 0; i < n; i++) {
            bool dup = false;

            for (size_t j = 0; j < val_list_len(seen) && !dup; j++) {
                dup = val_equal(val_list_get(seen, j), k[i].key);
            }
            if (!dup) {
                val_list_push(seen, k[i].key);
                val_list_push(out, k[i].item);
            }
        }
        val_unref(seen);
        keyed_free(k, n);
    }
    val_unref(list);
    return out;
}

static struct val *f_first(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *list = as_list(c, v), *r;

    (void)a;
    if (!list) {
        return NULL;
    }
    r = val_list_len(list) ? val_ref(val_list_get(list, 0))
                           : tpl_undefined(c, "No first item, sequence was empty.");
    val_unref(list);
    return r;
}

static struct val *f_last(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *list = as_list(c, v), *r;
    size_t n;

    (void)a;
    if (!list) {
        return NULL;
    }
    n = val_list_len(list);
    r = n ? val_ref(val_list_get(list, n - 1))
          : tpl_undefined(c, "No last item, sequence was empty.");
    val_unref(list);
    return r;
}

static struct val *f_reverse(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *list, *out;
    size_t n;

    (void)a;
    if (v->type == VAL_STR) {
        struct val *chars = as_list(c, v);
        struct buf b = BUF_INIT;

        for (size_t i = val_list_len(chars); i > 0; i--) {
            struct val *ch = val_list_get(chars, i - 1);

            buf_add(&b, ch->u.s.ptr, ch->u.s.len);
        }
        val_unref(chars);
        return tpl_str_from_buf(&b);
    }
    list = as_list(c, v);
    if (!list) {
        return NULL;
    }
    out = val_list();
    n = val_list_len(list);
    for (size_t i = n; i > 0; i--) {
        val_list_push(out, val_list_get(list, i - 1));
    }
    val_unref(list);
    return out;
}

static struct val *f_list(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *l, *out;

    (void)a;
    l = as_list(c, v);
    if (!l) {
        return NULL;
    }
    if (!(l->flags & TPL_TUPLE)) {
        return l;
    }
    out = val_copy(l);
    out->flags &= ~TPL_TUPLE;
    val_unref(l);
    return out;
}

static struct val *f_join(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *sep = tpl_arg(a, 0, "d"), *attr = tpl_arg(a, 1, "attribute"), *list;
    struct buf b = BUF_INIT;

    if (tpl_check_args(c, "join", a, 2, "d,attribute") < 0) {
        return NULL;
    }
    list = as_list(c, v);
    if (!list) {
        return NULL;
    }
    for (size_t i = 0; i < val_list_len(list); i++) {
        struct val *item = attr ? attr_path(c, val_list_get(list, i), attr)
                                : val_ref(val_list_get(list, i));
        struct val *s;

        if (!item || tpl_is_undefined(item)) {
            if (item) {
                tpl_fail_undefined(c, item);
                val_unref(item);
            }
            val_unref(list);
            buf_release(&b);
            return NULL;
        }
        if (i && sep) {
            s = tpl_to_str(sep);
            buf_add(&b, s->u.s.ptr, s->u.s.len);
            val_unref(s);
        }
        s = tpl_to_str(item);
        buf_add(&b, s->u.s.ptr, s->u.s.len);
        val_unref(s);
        val_unref(item);
    }
    val_unref(list);
    return tpl_str_from_buf(&b);
}

static struct val *f_sum(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *attr = tpl_arg(a, 0, "attribute"), *start = tpl_arg(a, 1, "start"), *list, *acc;

    if (tpl_check_args(c, "sum", a, 2, "attribute,start") < 0) {
        return NULL;
    }
    list = as_list(c, v);
    if (!list) {
        return NULL;
    }
    acc = start ? val_ref(start) : val_int(0);
    for (size_t i = 0; i < val_list_len(list) && acc; i++) {
        struct val *item = attr ? attr_path(c, val_list_get(list, i), attr)
                                : val_ref(val_list_get(list, i));
        struct val *next = item ? tpl_binop(c, OP_ADD, acc, item) : NULL;

        val_unref(item);
        val_unref(acc);
        acc = next;
    }
    val_unref(list);
    return acc;
}

/* map('filter', args...) or map(attribute='x', default=...). */
static struct val *f_map(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *attr = tpl_arg(a, SIZE_MAX, "attribute"), *def = tpl_arg(a, SIZE_MAX, "default");
    struct val *list, *out;

    list = as_list(c, v);
    if (!list) {
        return NULL;
    }
    if (!attr && (a->npos == 0 || a->pos[0]->type != VAL_STR)) {
        val_unref(list);
        return tpl_fail(c, "map requires a filter argument");
    }
    out = val_list();
    for (size_t i = 0; i < val_list_len(list); i++) {
        struct val *item = val_list_get(list, i), *r;

        if (attr) {
            r = attr_path(c, item, attr);
            if (r && tpl_is_undefined(r) && def) {
                val_unref(r);
                r = val_ref(def);
            }
        } else {
            struct tpl_args rest = { .pos = a->pos + 1, .npos = a->npos - 1,
                                     .kwnames = a->kwnames, .kw = a->kw, .nkw = a->nkw };

            r = tpl_call_filter(c, a->pos[0]->u.s.ptr, item, &rest);
        }
        if (!r) {
            val_unref(out);
            val_unref(list);
            return NULL;
        }
        val_list_push_take(out, r);
    }
    val_unref(list);
    return out;
}

/* select/reject/selectattr/rejectattr: keep items whose test result equals 'keep'. */
static struct val *select_items(struct tpl_ctx *c, struct val *v, const struct tpl_args *a,
                                bool keep, bool by_attr)
{
    size_t t = by_attr ? 1 : 0;
    struct val *attr = by_attr ? tpl_arg(a, 0, NULL) : NULL, *list, *out;
    const char *test = a->npos > t && a->pos[t]->type == VAL_STR ? a->pos[t]->u.s.ptr : NULL;
    struct tpl_args rest = { .pos = a->pos + (a->npos > t ? t + 1 : a->npos),
                             .npos = a->npos > t ? a->npos - t - 1 : 0,
                             .kwnames = a->kwnames, .kw = a->kw, .nkw = a->nkw };

    if (by_attr && (!attr || (attr->type != VAL_STR && attr->type != VAL_INT))) {
        return tpl_fail(c, "selectattr/rejectattr need an attribute name");
    }
    list = as_list(c, v);
    if (!list) {
        return NULL;
    }
    out = val_list();
    for (size_t i = 0; i < val_list_len(list); i++) {
        struct val *item = val_list_get(list, i);
        struct val *subject = by_attr ? attr_path(c, item, attr) : val_ref(item);
        bool res = false;
        int rc = subject ? 0 : -1;

        if (rc == 0 && test) {
            rc = tpl_call_test(c, test, subject, &rest, &res);
        } else if (rc == 0) {
            rc = tpl_is_undefined(subject) ? (tpl_fail_undefined(c, subject), -1) : 0;
            res = rc == 0 && val_truthy(subject);
        }
        val_unref(subject);
        if (rc < 0) {
            val_unref(out);
            val_unref(list);
            return NULL;
        }
        if (res == keep) {
            val_list_push(out, item);
        }
    }
    val_unref(list);
    return out;
}

static struct val *f_select(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    return select_items(c, v, a, true, false);
}

static struct val *f_reject(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    return select_items(c, v, a, false, false);
}

static struct val *f_selectattr(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    return select_items(c, v, a, true, true);
}

static struct val *f_rejectattr(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    return select_items(c, v, a, false, true);
}

static const char *name_arg(const struct tpl_args *a, size_t i, const char *kw, const char *def)
{
    struct val *v = tpl_arg(a, i, kw);

    return v && v->type == VAL_STR ? v->u.s.ptr : def;
}

static struct val *f_dict2items(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    const char *kn = name_arg(a, 0, "key_name", "key"), *vn = name_arg(a, 1, "value_name", "value");
    struct val *out;

    if (v->type != VAL_DICT) {
        return tpl_fail(c, "dict2items requires a dictionary, got %s instead.",
                        val_type_name(v->type));
    }
    out = val_list();
    for (size_t i = 0; i < val_dict_len(v); i++) {
        struct val *d = val_dict();

        val_dict_set_take(d, kn, val_str(val_dict_key_at(v, i)));
        val_dict_set(d, vn, val_dict_value_at(v, i));
        val_list_push_take(out, d);
    }
    return out;
}

static struct val *f_items2dict(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    const char *kn = name_arg(a, 0, "key_name", "key"), *vn = name_arg(a, 1, "value_name", "value");
    struct val *out;

    if (v->type != VAL_LIST) {
        return tpl_fail(c, "items2dict requires a list, got %s instead.", val_type_name(v->type));
    }
    out = val_dict();
    for (size_t i = 0; i < val_list_len(v); i++) {
        struct val *item = val_list_get(v, i), *k = NULL, *val = NULL, *ks;

        if (item->type == VAL_DICT) {
            k = val_dict_get(item, kn);
            val = val_dict_get(item, vn);
        }
        if (!k || !val) {
            val_unref(out);
            return tpl_fail(c, "items2dict: each item needs '%s' and '%s'", kn, vn);
        }
        ks = tpl_to_str(k);
        val_dict_set(out, ks->u.s.ptr, val);
        val_unref(ks);
    }
    return out;
}

static struct val *merge(struct val *x, struct val *y, bool recursive)
{
    struct val *out = val_copy(x);

    for (size_t i = 0; i < val_dict_len(y); i++) {
        const char *k = val_dict_key_at(y, i);
        struct val *yv = val_dict_value_at(y, i), *xv = val_dict_get(out, k);

        if (recursive && xv && xv->type == VAL_DICT && yv->type == VAL_DICT) {
            val_dict_set_take(out, k, merge(xv, yv, true));
        } else {
            val_dict_set(out, k, yv);
        }
    }
    return out;
}

static struct val *f_combine(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *rec = tpl_arg(a, SIZE_MAX, "recursive"), *out;

    if (tpl_check_args(c, "combine", a, SIZE_MAX, "recursive,list_merge") < 0) {
        return NULL;
    }
    if (v->type != VAL_DICT) {
        return tpl_fail(c, "failed to combine variables, expected dicts but got a '%s'",
                        val_type_name(v->type));
    }
    out = val_ref(v);
    for (size_t i = 0; i < a->npos; i++) {
        struct val *next;

        if (a->pos[i]->type != VAL_DICT) {
            val_unref(out);
            return tpl_fail(c, "failed to combine variables, expected dicts but got a '%s'",
                            val_type_name(a->pos[i]->type));
        }
        next = merge(out, a->pos[i], rec && val_truthy(rec));
        val_unref(out);
        out = next;
    }
    return out;
}

static struct val *f_zip(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *lists[33], *out = NULL;
    size_t n = a->npos + 1, len = SIZE_MAX, k;

    if (n > 33) {
        return tpl_fail(c, "zip: too many arguments");
    }
    for (k = 0; k < n; k++) {
        lists[k] = as_list(c, k == 0 ? v : a->pos[k - 1]);
        if (!lists[k]) {
            goto out;
        }
        len = val_list_len(lists[k]) < len ? val_list_len(lists[k]) : len;
    }
    out = val_list();
    for (size_t i = 0; i < len; i++) {
        struct val *t = val_list();

        t->flags |= TPL_TUPLE;
        for (size_t j = 0; j < n; j++) {
            val_list_push(t, val_list_get(lists[j], i));
        }
        val_list_push_take(out, t);
    }
out:
    for (size_t j = 0; j < k; j++) {
        val_unref(lists[j]);
    }
    return out;
}

static void flatten_into(struct val *out, struct val *list, int64_t levels)
{
    for (size_t i = 0; i < val_list_len(list); i++) {
        struct val *item = val_list_get(list, i);

        if (item->type == VAL_NULL ||
            (item->type == VAL_STR &&
             (strcmp(item->u.s.ptr, "None") == 0 || strcmp(item->u.s.ptr, "null") == 0))) {
            continue;
        }
        if (item->type == VAL_LIST && levels != 0) {
            flatten_into(out, item, levels - 1);
        } else {
            val_list_push(out, item);
        }
    }
}

static struct val *f_flatten(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *levels = tpl_arg(a, 0, "levels"), *out;

    if (v->type != VAL_LIST) {
        return tpl_fail(c, "flatten expects a list, got %s", val_type_name(v->type));
    }
    out = val_list();
    flatten_into(out, v, levels && levels->type == VAL_INT ? levels->u.i : -1);
    return out;
}

static struct val *f_product(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *out = val_list(), *first = as_list(c, v);

    if (!first) {
        val_unref(out);
        return NULL;
    }
    for (size_t i = 0; i < val_list_len(first); i++) {
        struct val *t = val_list();

        t->flags |= TPL_TUPLE;
        val_list_push(t, val_list_get(first, i));
        val_list_push_take(out, t);
    }
    val_unref(first);
    for (size_t k = 0; k < a->npos; k++) {
        struct val *next = val_list(), *other = as_list(c, a->pos[k]);

        if (!other || val_list_len(out) * val_list_len(other) > 1000000) {
            val_unref(next);
            val_unref(out);
            val_unref(other);
            return other ? tpl_fail(c, "product: result too large") : NULL;
        }
        for (size_t i = 0; i < val_list_len(out); i++) {
            for (size_t j = 0; j < val_list_len(other); j++) {
                struct val *t = val_copy(val_list_get(out, i));

                t->flags |= TPL_TUPLE;
                val_list_push(t, val_list_get(other, j));
                val_list_push_take(next, t);
            }
        }
        val_unref(other);
        val_unref(out);
        out = next;
    }
    return out;
}

static bool list_has(struct val *list, struct val *x)
{
    for (size_t i = 0; i < val_list_len(list); i++) {
        if (val_equal(val_list_get(list, i), x)) {
            return true;
        }
    }
    return false;
}

/* union/intersect/difference: 0 = union, 1 = intersect, 2 = difference (unique results). */
static struct val *set_op(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, int op)
{
    struct val *x, *y, *out;

    if (a->npos != 1) {
        return tpl_fail(c, "expected one list argument");
    }
    x = as_list(c, v);
    if (!x) {
        return NULL;
    }
    y = as_list(c, a->pos[0]);
    if (!y) {
        val_unref(x);
        return NULL;
    }
    out = val_list();
    for (size_t i = 0; i < val_list_len(x); i++) {
        struct val *item = val_list_get(x, i);

        if (!list_has(out, item) && (op == 0 || (op == 1) == list_has(y, item))) {
            val_list_push(out, item);
        }
    }
    for (size_t i = 0; op == 0 && i < val_list_len(y); i++) {
        if (!list_has(out, val_list_get(y, i))) {
            val_list_push(out, val_list_get(y, i));
        }
    }
    val_unref(x);
    val_unref(y);
    return out;
}

static struct val *f_union(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    return set_op(c, v, a, 0);
}

static struct val *f_intersect(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    return set_op(c, v, a, 1);
}

static struct val *f_difference(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    return set_op(c, v, a, 2);
}

/* extract(container, morekeys=None): container[item][key]... */
static struct val *f_extract(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *container = tpl_arg(a, 0, "container"), *more = tpl_arg(a, 1, "morekeys"), *cur;

    if (!container) {
        return tpl_fail(c, "extract needs a container");
    }
    cur = tpl_getitem(c, container, v);
    if (cur && more && more->type != VAL_NULL) {
        size_t n = more->type == VAL_LIST ? val_list_len(more) : 1;

        for (size_t i = 0; i < n && cur; i++) {
            struct val *next = tpl_getitem(c, cur, more->type == VAL_LIST ? val_list_get(more, i)
                                                                           : more);

            val_unref(cur);
            cur = next;
        }
    }
    return cur;
}

/* attr(name): Python's getattr(value, name). The values pot holds have no attributes but their
 * methods, and Jinja's attr does not fall back to items, so the result is undefined. */
static struct val *f_attr(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *name = tpl_arg(a, 0, "name");

    if (tpl_check_args(c, "attr", a, 1, "name") < 0) {
        return NULL;
    }
    if (!name || name->type != VAL_STR) {
        return tpl_fail(c, "attr: the attribute name must be a string");
    }
    return tpl_undefined(c, "'%s object' has no attribute '%s'", val_type_name(v->type),
                         name->u.s.ptr);
}

/* A positive int argument of 'fname', or -1 after failing. */
static int64_t count_arg(struct tpl_ctx *c, const char *fname, const struct val *n)
{
    if (!n || n->type != VAL_INT || n->u.i <= 0) {
        tpl_failn(c, "%s: the count must be a positive integer", fname);
        return -1;
    }
    return n->u.i;
}

/* batch(linecount, fill_with=None): the items in lists of linecount; the last one filled up. */
static struct val *f_batch(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *fill = tpl_arg(a, 1, "fill_with"), *list, *out, *cur = NULL;
    int64_t n;

    if (tpl_check_args(c, "batch", a, 2, "linecount,fill_with") < 0) {
        return NULL;
    }
    n = count_arg(c, "batch", tpl_arg(a, 0, "linecount"));
    list = n > 0 ? as_list(c, v) : NULL;
    if (!list) {
        return NULL;
    }
    out = val_list();
    for (size_t i = 0; i < val_list_len(list); i++) {
        if (!cur || (int64_t)val_list_len(cur) == n) {
            cur = val_list();
            val_list_push_take(out, cur);
        }
        val_list_push(cur, val_list_get(list, i));
    }
    while (cur && fill && fill->type != VAL_NULL && (int64_t)val_list_len(cur) < n) {
        val_list_push(cur, fill);
    }
    val_unref(list);
    return out;
}

/* slice(slices, fill_with=None): the items in 'slices' columns, the longer ones first. */
static struct val *f_slice(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *fill = tpl_arg(a, 1, "fill_with"), *list, *out;
    size_t len, per, extra, offset = 0;
    int64_t slices;

    if (tpl_check_args(c, "slice", a, 2, "slices,fill_with") < 0) {
        return NULL;
    }
    slices = count_arg(c, "slice", tpl_arg(a, 0, "slices"));
    list = slices > 0 ? as_list(c, v) : NULL;
    if (!list) {
        return NULL;
    }
    len = val_list_len(list);
    per = len / (size_t)slices;
    extra = len % (size_t)slices;
    out = val_list();
    for (size_t k = 0; k < (size_t)slices; k++) {
        struct val *part = val_list();
        size_t start = offset + k * per, end;

        offset += k < extra;
        end = offset + (k + 1) * per;
        for (size_t i = start; i < end; i++) {
            val_list_push(part, val_list_get(list, i));
        }
        if (fill && fill->type != VAL_NULL && k >= extra) {
            val_list_push(part, fill);
        }
        val_list_push_take(out, part);
    }
    val_unref(list);
    return out;
}

/* dictsort(case_sensitive=False, by='key', reverse=False): the (key, value) pairs, sorted. */
static struct val *f_dictsort(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *cs = tpl_arg(a, 0, "case_sensitive"), *by = tpl_arg(a, 1, "by");
    struct val *rev = tpl_arg(a, 2, "reverse"), *pairs, *out, *pos;

    if (tpl_check_args(c, "dictsort", a, 3, "case_sensitive,by,reverse") < 0) {
        return NULL;
    }
    if (v->type != VAL_DICT) {
        return tpl_fail(c, "dictsort: '%s' object has no attribute 'items'",
                        val_type_name(v->type));
    }
    if (by && !(by->type == VAL_STR && (strcmp(by->u.s.ptr, "key") == 0 ||
                                        strcmp(by->u.s.ptr, "value") == 0))) {
        return tpl_fail(c, "You can only sort by either \"key\" or \"value\"");
    }
    pairs = val_list();
    for (size_t i = 0; i < val_dict_len(v); i++) {
        struct val *pair = val_list();

        pair->flags |= TPL_TUPLE;
        val_list_push_take(pair, val_str(val_dict_key_at(v, i)));
        val_list_push(pair, val_dict_value_at(v, i));
        val_list_push_take(pairs, pair);
    }
    pos = val_int(by && strcmp(by->u.s.ptr, "value") == 0 ? 1 : 0);
    out = sorted_by_key(c, pairs, pos, cs && val_truthy(cs), rev && val_truthy(rev));
    val_unref(pos);
    val_unref(pairs);
    return out;
}

const struct tpl_filter tpl_filters_list[] = {
    { "attr", f_attr, 0 },
    { "batch", f_batch, 0 },
    { "combine", f_combine, 0 },
    { "dict2items", f_dict2items, 0 },
    { "dictsort", f_dictsort, 0 },
    { "difference", f_difference, 0 },
    { "extract", f_extract, 0 },
    { "first", f_first, 0 },
    { "flatten", f_flatten, 0 },
    { "intersect", f_intersect, 0 },
    { "items2dict", f_items2dict, 0 },
    { "join", f_join, 0 },
    { "last", f_last, 0 },
    { "list", f_list, 0 },
    { "map", f_map, 0 },
    { "max", f_max, 0 },
    { "min", f_min, 0 },
    { "product", f_product, 0 },
    { "reject", f_reject, 0 },
    { "rejectattr", f_rejectattr, 0 },
    { "reverse", f_reverse, 0 },
    { "select", f_select, 0 },
    { "selectattr", f_selectattr, 0 },
    { "slice", f_slice, 0 },
    { "sort", f_sort, 0 },
    { "sum", f_sum, 0 },
    { "union", f_union, 0 },
    { "unique", f_unique, 0 },
    { "zip", f_zip, 0 },
    { 0 },
};
