/*
 * val.c - construction, reference counting, containers, truth, equality, ordering and Python-style
 * printing of struct val.
 */
#include "pot.h"
#include <math.h>
#include <string.h>
#include "base/buf.h"
#include "base/xalloc.h"
#include "value/val.h"

#define DICT_INDEX_MIN 8

struct dict_index {
    size_t cap;      /* power of two */
    size_t *slots;   /* index+1 into keys, 0 = empty */
};

/* malloc + a zeroed struct rather than calloc: glibc's calloc skips its per-thread cache, and
 * measured about three times a malloc per value on hot template paths (callgrind). */
static struct val *val_new(enum val_type type)
{
    struct val *v = xmalloc(sizeof(*v));

    *v = (struct val){ .type = type, .refs = 1 };
    return v;
}

struct val *val_null(void)
{
    return val_new(VAL_NULL);
}

struct val *val_bool(bool b)
{
    struct val *v = val_new(VAL_BOOL);

    v->u.b = b;
    return v;
}

struct val *val_int(int64_t i)
{
    struct val *v = val_new(VAL_INT);

    v->u.i = i;
    return v;
}

struct val *val_double(double d)
{
    struct val *v = val_new(VAL_DOUBLE);

    v->u.d = d;
    return v;
}

struct val *val_str_take(char *s, size_t len)
{
    struct val *v = val_new(VAL_STR);

    v->u.s.ptr = s;
    v->u.s.len = len;
    return v;
}

struct val *val_strn(const char *s, size_t len)
{
    return val_str_take(xstrndup(s, len), len);
}

struct val *val_str(const char *s)
{
    return val_strn(s, strlen(s));
}

struct val *val_strf(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = xvasprintf(fmt, ap);
    va_end(ap);
    return val_str_take(s, strlen(s));
}

struct val *val_list(void)
{
    return val_new(VAL_LIST);
}

struct val *val_dict(void)
{
    return val_new(VAL_DICT);
}

struct val *val_ref(struct val *v)
{
    if (v) {
        __atomic_add_fetch(&v->refs, 1, __ATOMIC_RELAXED);
    }
    return v;
}

static void index_free(struct dict_index *idx)
{
    if (idx) {
        free(idx->slots);
        free(idx);
    }
}

static void val_destroy(struct val *v)
{
    switch (v->type) {
    case VAL_STR:
        free(v->u.s.ptr);
        break;
    case VAL_LIST:
        for (size_t i = 0; i < v->u.list.len; i++) {
            val_unref(v->u.list.items[i]);
        }
        free(v->u.list.items);
        break;
    case VAL_DICT:
        for (size_t i = 0; i < v->u.dict.len; i++) {
            free(v->u.dict.keys[i]);
            val_unref(v->u.dict.values[i]);
        }
        free(v->u.dict.keys);
        free(v->u.dict.values);
        index_free(v->u.dict.index);
        break;
    default:
        break;
    }
    free(v);
}

void val_unref(struct val *v)
{
    if (v && __atomic_sub_fetch(&v->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        val_destroy(v);
    }
}

struct val *val_copy(struct val *v)
{
    struct val *c;

    if (v->type == VAL_LIST) {
        c = val_list();
        for (size_t i = 0; i < v->u.list.len; i++) {
            val_list_push(c, v->u.list.items[i]);
        }
    } else if (v->type == VAL_DICT) {
        c = val_dict();
        for (size_t i = 0; i < v->u.dict.len; i++) {
            val_dict_set(c, v->u.dict.keys[i], v->u.dict.values[i]);
        }
    } else {
        return val_ref(v);
    }
    c->pos = v->pos;
    c->flags = v->flags;
    return c;
}

struct val *val_deep_copy(struct val *v)
{
    struct val *c;

    if (v->type == VAL_LIST) {
        c = val_list();
        for (size_t i = 0; i < v->u.list.len; i++) {
            val_list_push_take(c, val_deep_copy(v->u.list.items[i]));
        }
    } else if (v->type == VAL_DICT) {
        c = val_dict();
        for (size_t i = 0; i < v->u.dict.len; i++) {
            val_dict_set_take(c, v->u.dict.keys[i], val_deep_copy(v->u.dict.values[i]));
        }
    } else {
        return val_ref(v);
    }
    c->pos = v->pos;
    c->flags = v->flags;
    return c;
}

size_t val_list_len(const struct val *list)
{
    return list->type == VAL_LIST ? list->u.list.len : 0;
}

struct val *val_list_get(const struct val *list, size_t i)
{
    if (list->type != VAL_LIST || i >= list->u.list.len) {
        return NULL;
    }
    return list->u.list.items[i];
}

void val_list_push_take(struct val *list, struct val *item)
{
    if (list->type != VAL_LIST) {
        BUG("val_list_push on a non-list");
    }
    xgrow((void **)&list->u.list.items, &list->u.list.cap, list->u.list.len + 1,
          sizeof(*list->u.list.items));
    list->u.list.items[list->u.list.len++] = item;
}

void val_list_push(struct val *list, struct val *item)
{
    val_list_push_take(list, val_ref(item));
}

static size_t hash_key(const char *s)
{
    size_t h = 1469598103934665603ULL;

    for (; *s; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    }
    return h;
}

static void index_insert(struct dict_index *idx, const char *key, size_t pos)
{
    size_t mask = idx->cap - 1;
    size_t h = hash_key(key) & mask;

    while (idx->slots[h]) {
        h = (h + 1) & mask;
    }
    idx->slots[h] = pos + 1;
}

static void index_rebuild(struct val *dict)
{
    struct dict_index *idx;
    size_t cap = 16;

    index_free(dict->u.dict.index);
    dict->u.dict.index = NULL;
    if (dict->u.dict.len < DICT_INDEX_MIN) {
        return;
    }
    while (cap < dict->u.dict.len * 2) {
        cap *= 2;
    }
    idx = xmalloc(sizeof(*idx));
    idx->cap = cap;
    idx->slots = xcalloc(cap, sizeof(*idx->slots));
    for (size_t i = 0; i < dict->u.dict.len; i++) {
        index_insert(idx, dict->u.dict.keys[i], i);
    }
    dict->u.dict.index = idx;
}

static long dict_find(const struct val *dict, const char *key)
{
    const struct dict_index *idx = dict->u.dict.index;

    if (idx) {
        size_t mask = idx->cap - 1;

        for (size_t h = hash_key(key) & mask; idx->slots[h]; h = (h + 1) & mask) {
            size_t pos = idx->slots[h] - 1;

            if (strcmp(dict->u.dict.keys[pos], key) == 0) {
                return (long)pos;
            }
        }
        return -1;
    }
    for (size_t i = 0; i < dict->u.dict.len; i++) {
        if (strcmp(dict->u.dict.keys[i], key) == 0) {
            return (long)i;
        }
    }
    return -1;
}

size_t val_dict_len(const struct val *dict)
{
    return dict->type == VAL_DICT ? dict->u.dict.len : 0;
}

struct val *val_dict_get(const struct val *dict, const char *key)
{
    long pos;

    if (dict->type != VAL_DICT) {
        return NULL;
    }
    pos = dict_find(dict, key);
    return pos < 0 ? NULL : dict->u.dict.values[pos];
}

bool val_dict_has(const struct val *dict, const char *key)
{
    return dict->type == VAL_DICT && dict_find(dict, key) >= 0;
}

const char *val_dict_get_str(const struct val *dict, const char *key)
{
    return val_cstr(val_dict_get(dict, key));
}

const char *val_dict_key_at(const struct val *dict, size_t i)
{
    return i < val_dict_len(dict) ? dict->u.dict.keys[i] : NULL;
}

static int compare_key_ptrs(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **val_dict_sorted_keys(const struct val *dict)
{
    size_t n = val_dict_len(dict);
    const char **keys = xcalloc(n + 1, sizeof(*keys));

    for (size_t i = 0; i < n; i++) {
        keys[i] = dict->u.dict.keys[i];
    }
    qsort(keys, n, sizeof(*keys), compare_key_ptrs);
    return keys;
}

struct val *val_dict_value_at(const struct val *dict, size_t i)
{
    return i < val_dict_len(dict) ? dict->u.dict.values[i] : NULL;
}

void val_dict_set_take(struct val *dict, const char *key, struct val *value)
{
    long pos;
    size_t keys_cap;

    if (dict->type != VAL_DICT) {
        BUG("val_dict_set on a non-dict");
    }
    pos = dict_find(dict, key);
    if (pos >= 0) {
        val_unref(dict->u.dict.values[pos]);
        dict->u.dict.values[pos] = value;
        return;
    }
    keys_cap = dict->u.dict.cap;
    xgrow((void **)&dict->u.dict.keys, &keys_cap, dict->u.dict.len + 1, sizeof(char *));
    xgrow((void **)&dict->u.dict.values, &dict->u.dict.cap, dict->u.dict.len + 1,
          sizeof(struct val *));
    dict->u.dict.keys[dict->u.dict.len] = xstrdup(key);
    dict->u.dict.values[dict->u.dict.len] = value;
    dict->u.dict.len++;
    if (dict->u.dict.index && dict->u.dict.len * 2 <= dict->u.dict.index->cap) {
        index_insert(dict->u.dict.index, key, dict->u.dict.len - 1);
    } else if (dict->u.dict.len >= DICT_INDEX_MIN) {
        index_rebuild(dict);
    }
}

void val_dict_set(struct val *dict, const char *key, struct val *value)
{
    val_dict_set_take(dict, key, val_ref(value));
}

bool val_dict_del(struct val *dict, const char *key)
{
    long pos = dict->type == VAL_DICT ? dict_find(dict, key) : -1;
    size_t n;

    if (pos < 0) {
        return false;
    }
    free(dict->u.dict.keys[pos]);
    val_unref(dict->u.dict.values[pos]);
    n = dict->u.dict.len - (size_t)pos - 1;
    memmove(&dict->u.dict.keys[pos], &dict->u.dict.keys[pos + 1], n * sizeof(char *));
    memmove(&dict->u.dict.values[pos], &dict->u.dict.values[pos + 1], n * sizeof(struct val *));
    dict->u.dict.len--;
    index_rebuild(dict);
    return true;
}

const char *val_type_name(enum val_type type)
{
    static const char *const names[] = {
        [VAL_NULL] = "NoneType", [VAL_BOOL] = "bool", [VAL_INT] = "int", [VAL_DOUBLE] = "float",
        [VAL_STR] = "str",       [VAL_LIST] = "list", [VAL_DICT] = "dict",
    };

    return names[type];
}

bool val_is_str(const struct val *v)
{
    return v && v->type == VAL_STR;
}

const char *val_cstr(const struct val *v)
{
    return val_is_str(v) ? v->u.s.ptr : NULL;
}

bool val_truthy(const struct val *v)
{
    switch (v->type) {
    case VAL_NULL:
        return false;
    case VAL_BOOL:
        return v->u.b;
    case VAL_INT:
        return v->u.i != 0;
    case VAL_DOUBLE:
        return v->u.d != 0.0;
    case VAL_STR:
        return v->u.s.len != 0;
    case VAL_LIST:
        return v->u.list.len != 0;
    case VAL_DICT:
        return v->u.dict.len != 0;
    }
    return false;
}

static bool is_number(const struct val *v)
{
    return v->type == VAL_BOOL || v->type == VAL_INT || v->type == VAL_DOUBLE;
}

static double as_double(const struct val *v)
{
    if (v->type == VAL_BOOL) {
        return v->u.b;
    }
    if (v->type == VAL_INT) {
        return (double)v->u.i;
    }
    return v->u.d;
}

static int64_t as_int(const struct val *v)
{
    return v->type == VAL_BOOL ? v->u.b : v->u.i;
}

bool val_equal_by(const struct val *a, const struct val *b,
                  bool (*same)(const struct val *a, const struct val *b))
{
    if (!same(a, b)) {
        return false;
    }
    if (a->type == VAL_LIST && b->type == VAL_LIST) {
        if (a->u.list.len != b->u.list.len) {
            return false;
        }
        for (size_t i = 0; i < a->u.list.len; i++) {
            if (!val_equal_by(a->u.list.items[i], b->u.list.items[i], same)) {
                return false;
            }
        }
    } else if (a->type == VAL_DICT && b->type == VAL_DICT) {
        if (a->u.dict.len != b->u.dict.len) {
            return false;
        }
        for (size_t i = 0; i < a->u.dict.len; i++) {
            struct val *other = val_dict_get(b, a->u.dict.keys[i]);

            if (!other || !val_equal_by(a->u.dict.values[i], other, same)) {
                return false;
            }
        }
    }
    return true;
}

/* Python's == on scalars (numbers across bool, int and float); containers of one type pass. */
static bool python_same(const struct val *a, const struct val *b)
{
    if (is_number(a) && is_number(b)) {
        if (a->type != VAL_DOUBLE && b->type != VAL_DOUBLE) {
            return as_int(a) == as_int(b);
        }
        return as_double(a) == as_double(b);
    }
    if (a->type != b->type) {
        return false;
    }
    if (a->type == VAL_STR) {
        return a->u.s.len == b->u.s.len && memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0;
    }
    return a->type == VAL_NULL || a->type == VAL_LIST || a->type == VAL_DICT;
}

bool val_equal(const struct val *a, const struct val *b)
{
    return val_equal_by(a, b, python_same);
}

int val_compare(const struct val *a, const struct val *b, bool *incomparable)
{
    if (incomparable) {
        *incomparable = false;
    }
    if (is_number(a) && is_number(b)) {
        if (a->type != VAL_DOUBLE && b->type != VAL_DOUBLE) {
            int64_t x = as_int(a);
            int64_t y = as_int(b);

            return x < y ? -1 : x > y;
        }
        double x = as_double(a);
        double y = as_double(b);

        return x < y ? -1 : x > y;
    }
    if (a->type == VAL_STR && b->type == VAL_STR) {
        size_t n = a->u.s.len < b->u.s.len ? a->u.s.len : b->u.s.len;
        int c = memcmp(a->u.s.ptr, b->u.s.ptr, n);

        if (c) {
            return c < 0 ? -1 : 1;
        }
        return a->u.s.len < b->u.s.len ? -1 : a->u.s.len > b->u.s.len;
    }
    if (a->type == VAL_LIST && b->type == VAL_LIST) {
        size_t n = a->u.list.len < b->u.list.len ? a->u.list.len : b->u.list.len;

        for (size_t i = 0; i < n; i++) {
            int c = val_compare(a->u.list.items[i], b->u.list.items[i], incomparable);

            if (c || (incomparable && *incomparable)) {
                return c;
            }
        }
        return a->u.list.len < b->u.list.len ? -1 : a->u.list.len > b->u.list.len;
    }
    if (incomparable) {
        *incomparable = true;
    }
    return strcmp(val_type_name(a->type), val_type_name(b->type));
}

void val_format_double(double d, struct buf *out)
{
    char tmp[64];
    char digits[32];
    int exp10 = 0;
    int ndigits = 0;
    int decpt;

    if (isnan(d)) {
        buf_adds(out, "nan");
        return;
    }
    if (isinf(d)) {
        buf_adds(out, d < 0 ? "-inf" : "inf");
        return;
    }
    if (d == 0.0) {
        buf_adds(out, signbit(d) ? "-0.0" : "0.0");
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
        if (strtod(tmp, NULL) == d) {
            break;
        }
    }
    /* tmp is "-d.ddde[+-]XX": collect the digits and the exponent. */
    for (const char *p = tmp; *p && *p != 'e'; p++) {
        if (*p >= '0' && *p <= '9') {
            digits[ndigits++] = *p;
        }
    }
    while (ndigits > 1 && digits[ndigits - 1] == '0') {
        ndigits--;
    }
    digits[ndigits] = '\0';
    exp10 = (int)strtol(strchr(tmp, 'e') + 1, NULL, 10);
    decpt = exp10 + 1;
    if (d < 0) {
        buf_addc(out, '-');
    }
    if (decpt <= -4 || decpt > 16) {
        buf_addc(out, digits[0]);
        if (ndigits > 1) {
            buf_addc(out, '.');
            buf_adds(out, digits + 1);
        }
        buf_addf(out, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
    } else if (decpt <= 0) {
        buf_adds(out, "0.");
        buf_addn(out, '0', (size_t)-decpt);
        buf_adds(out, digits);
    } else if (decpt >= ndigits) {
        buf_adds(out, digits);
        buf_addn(out, '0', (size_t)(decpt - ndigits));
        buf_adds(out, ".0");
    } else {
        buf_add(out, digits, (size_t)decpt);
        buf_addc(out, '.');
        buf_adds(out, digits + decpt);
    }
}

static void add_pyrepr_str(const char *s, size_t len, struct buf *out)
{
    char quote = '\'';

    if (memchr(s, '\'', len) && !memchr(s, '"', len)) {
        quote = '"';
    }
    buf_addc(out, quote);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '\\' || c == (unsigned char)quote) {
            buf_addc(out, '\\');
            buf_addc(out, (char)c);
        } else if (c == '\n') {
            buf_adds(out, "\\n");
        } else if (c == '\r') {
            buf_adds(out, "\\r");
        } else if (c == '\t') {
            buf_adds(out, "\\t");
        } else if (c < 0x20 || c == 0x7f) {
            buf_addf(out, "\\x%02x", c);
        } else {
            buf_addc(out, (char)c);
        }
    }
    buf_addc(out, quote);
}

static void add_py(const struct val *v, struct buf *out, bool repr)
{
    switch (v->type) {
    case VAL_NULL:
        buf_adds(out, "None");
        break;
    case VAL_BOOL:
        buf_adds(out, v->u.b ? "True" : "False");
        break;
    case VAL_INT:
        buf_addf(out, "%lld", (long long)v->u.i);
        break;
    case VAL_DOUBLE:
        val_format_double(v->u.d, out);
        break;
    case VAL_STR:
        if (repr) {
            add_pyrepr_str(v->u.s.ptr, v->u.s.len, out);
        } else {
            buf_add(out, v->u.s.ptr, v->u.s.len);
        }
        break;
    case VAL_LIST:
        buf_addc(out, '[');
        for (size_t i = 0; i < v->u.list.len; i++) {
            if (i) {
                buf_adds(out, ", ");
            }
            add_py(v->u.list.items[i], out, true);
        }
        buf_addc(out, ']');
        break;
    case VAL_DICT:
        buf_addc(out, '{');
        for (size_t i = 0; i < v->u.dict.len; i++) {
            if (i) {
                buf_adds(out, ", ");
            }
            add_pyrepr_str(v->u.dict.keys[i], strlen(v->u.dict.keys[i]), out);
            buf_adds(out, ": ");
            add_py(v->u.dict.values[i], out, true);
        }
        buf_addc(out, '}');
        break;
    }
}

void val_to_pystr(const struct val *v, struct buf *out)
{
    add_py(v, out, false);
}

void val_to_pyrepr(const struct val *v, struct buf *out)
{
    add_py(v, out, true);
}
