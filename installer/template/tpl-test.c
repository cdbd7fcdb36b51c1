/*
 * tpl-test.c - THE table of tests (`x is defined`, `v is version('1.16', '>=')`...): Jinja2's
 * builtin tests plus Ansible's (version, match/search/regex, truthy/falsy, failed/changed/
 * succeeded/skipped, subset/superset, ansible.utils.in_network).
 */
#include "pot.h"
#include <string.h>
#include "template/tpl-eval.h"

static bool is_num(const struct val *v)
{
    return v->type == VAL_INT || v->type == VAL_DOUBLE || v->type == VAL_BOOL;
}

static struct val *need_arg(struct tpl_ctx *c, const struct tpl_args *a, const char *test)
{
    struct val *x = tpl_arg(a, 0, NULL);

    if (!x) {
        tpl_fail(c, "test '%s' needs an argument", test);
    }
    return x;
}

#define TYPE_TEST(fname, expr)                                                                     \
    static int fname(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, bool *r)          \
    {                                                                                              \
        (void)c;                                                                                   \
        (void)a;                                                                                   \
        *r = !tpl_is_undefined(v) && (expr);                                                       \
        return 0;                                                                                  \
    }

TYPE_TEST(t_defined, true)
TYPE_TEST(t_none, v->type == VAL_NULL)
TYPE_TEST(t_string, v->type == VAL_STR)
TYPE_TEST(t_number, is_num(v))
TYPE_TEST(t_mapping, v->type == VAL_DICT)
TYPE_TEST(t_iterable, v->type == VAL_STR || v->type == VAL_LIST || v->type == VAL_DICT)
TYPE_TEST(t_sequence, v->type == VAL_STR || v->type == VAL_LIST || v->type == VAL_DICT)
TYPE_TEST(t_boolean, v->type == VAL_BOOL)
TYPE_TEST(t_integer, v->type == VAL_INT)
TYPE_TEST(t_float, v->type == VAL_DOUBLE)
TYPE_TEST(t_true, v->type == VAL_BOOL && v->u.b)
TYPE_TEST(t_false, v->type == VAL_BOOL && !v->u.b)
TYPE_TEST(t_truthy, val_truthy(v))
TYPE_TEST(t_falsy, !val_truthy(v))

static int t_undefined(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, bool *r)
{
    (void)c;
    (void)a;
    *r = tpl_is_undefined(v);
    return 0;
}

static int t_eq(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, bool *r)
{
    struct val *x = need_arg(c, a, "eq");

    *r = x && val_equal(v, x);
    return x ? 0 : -1;
}

static int t_ne(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, bool *r)
{
    struct val *x = need_arg(c, a, "ne");

    *r = x && !val_equal(v, x);
    return x ? 0 : -1;
}

static int order(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, const char *op,
                 int *cmp)
{
    struct val *x = need_arg(c, a, op);
    bool bad = false;

    if (!x) {
        return -1;
    }
    *cmp = val_compare(v, x, &bad);
    if (bad) {
        return tpl_failn(c, "'%s' not supported between instances of '%s' and '%s'", op,
                         val_type_name(v->type), val_type_name(x->type));
    }
    return 0;
}

#define ORDER_TEST(fname, op, cond)                                                                \
    static int fname(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, bool *r)          \
    {                                                                                              \
        int cmp;                                                                                   \
        if (order(c, v, a, op, &cmp) < 0) {                                                        \
            return -1;                                                                             \
        }                                                                                          \
        *r = (cond);                                                                               \
        return 0;                                                                                  \
    }

ORDER_TEST(t_lt, "<", cmp < 0)
ORDER_TEST(t_le, "<=", cmp <= 0)
ORDER_TEST(t_gt, ">", cmp > 0)
ORDER_TEST(t_ge, ">=", cmp >= 0)

static int t_sameas(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, bool *r)
{
    struct val *x = need_arg(c, a, "sameas");

    if (!x) {
        return -1;
    }
    /* Python identity: singletons (None, True, False) and small ints are shared. */
    *r = v == x || (v->type == x->type &&
                    ((v->type == VAL_NULL) || (v->type == VAL_BOOL && v->u.b == x->u.b) ||
                     (v->type == VAL_INT && v->u.i == x->u.i && v->u.i >= -5 && v->u.i <= 256)));
    return 0;
}

static int t_in(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, bool *r)
{
    struct val *seq = need_arg(c, a, "in"), *res;

    if (!seq) {
        return -1;
    }
    res = tpl_binop(c, OP_IN, v, seq);
    if (!res) {
        return -1;
    }
    *r = val_truthy(res);
    val_unref(res);
    return 0;
}

static int t_contains(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, bool *r)
{
    struct val *x = need_arg(c, a, "contains"), *res;

    if (!x) {
        return -1;
    }
    res = tpl_binop(c, OP_IN, x, v);
    if (!res) {
        return -1;
    }
    *r = val_truthy(res);
    val_unref(res);
    return 0;
}

static int t_divisibleby(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, bool *r)
{
    struct val *x = need_arg(c, a, "divisibleby"), *m;

    if (!x) {
        return -1;
    }
    m = tpl_binop(c, OP_MOD, v, x);
    if (!m) {
        return -1;
    }
    *r = !val_truthy(m);
    val_unref(m);
    return 0;
}

static int parity(struct tpl_ctx *c, struct val *v, bool *r, int want)
{
    if (v->type != VAL_INT && v->type != VAL_BOOL) {
        return tpl_failn(c, "even/odd need an integer, got %s", val_type_name(v->type));
    }
    *r = (((v->type == VAL_INT ? v->u.i : v->u.b) % 2 + 2) % 2) == want;
    return 0;
}

static int t_even(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, bool *r)
{
    (void)a;
    return parity(c, v, r, 0);
}

static int t_odd(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, bool *r)
{
    (void)a;
    return parity(c, v, r, 1);
}

/* str.islower()/isupper(): has cased characters and none of the other case. */
static int case_test(struct tpl_ctx *c, struct val *v, bool *r, bool lower)
{
    bool cased = false, wrong = false;
    struct val *s = tpl_to_str(v);

    (void)c;
    for (size_t i = 0; i < s->u.s.len; i++) {
        char ch = s->u.s.ptr[i];

        cased |= (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
        wrong |= lower ? (ch >= 'A' && ch <= 'Z') : (ch >= 'a' && ch <= 'z');
    }
    val_unref(s);
    *r = cased && !wrong;
    return 0;
}

static int t_lower(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, bool *r)
{
    (void)a;
    return case_test(c, v, r, true);
}

static int t_upper(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, bool *r)
{
    (void)a;
    return case_test(c, v, r, false);
}

static int t_match(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, bool *r)
{
    return tpl_regex_test(c, v, a, TPL_RE_MATCH, r);
}

static int t_search(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, bool *r)
{
    return tpl_regex_test(c, v, a, TPL_RE_SEARCH, r);
}

/* ----- version (distutils LooseVersion, Ansible's default version_type) ----- */

struct vpart {
    bool num;
    int64_t n;
    const char *s;
    size_t len;
};

/* Splits like LooseVersion: runs of digits, runs of letters, anything else but '.' alone. */
static size_t loose_split(const char *s, struct vpart *parts, size_t max)
{
    size_t n = 0;

    while (*s && n < max) {
        const char *b = s;

        if (*s >= '0' && *s <= '9') {
            while (*s >= '0' && *s <= '9') {
                s++;
            }
            parts[n++] = (struct vpart){ .num = true, .n = strtoll(b, NULL, 10) };
        } else if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')) {
            while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')) {
                s++;
            }
            parts[n++] = (struct vpart){ .s = b, .len = (size_t)(s - b) };
        } else if (*s == '.') {
            s++;
        } else {
            s++;
            parts[n++] = (struct vpart){ .s = b, .len = 1 };
        }
    }
    return n;
}

static int loose_compare(struct tpl_ctx *c, const char *x, const char *y, int *out)
{
    struct vpart px[64], py[64];
    size_t nx = loose_split(x, px, 64), ny = loose_split(y, py, 64);

    for (size_t i = 0; i < nx && i < ny; i++) {
        if (px[i].num != py[i].num) {
            return tpl_failn(c, "version comparison failed: cannot compare '%s' and '%s'", x, y);
        }
        if (px[i].num && px[i].n != py[i].n) {
            *out = px[i].n < py[i].n ? -1 : 1;
            return 0;
        }
        if (!px[i].num) {
            size_t n = px[i].len < py[i].len ? px[i].len : py[i].len;
            int r = memcmp(px[i].s, py[i].s, n);

            if (r || px[i].len != py[i].len) {
                *out = r ? r : (px[i].len < py[i].len ? -1 : 1);
                return 0;
            }
        }
    }
    *out = nx < ny ? -1 : nx > ny ? 1 : 0;
    return 0;
}

static int t_version(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, bool *r)
{
    static const struct { const char *name; int lo, hi; } ops[] = {
        { "==", 0, 0 }, { "=", 0, 0 }, { "eq", 0, 0 }, { "<", -1, -1 }, { "lt", -1, -1 },
        { "<=", -1, 0 }, { "le", -1, 0 }, { ">", 1, 1 }, { "gt", 1, 1 }, { ">=", 0, 1 },
        { "ge", 0, 1 }, { "!=", 2, 2 }, { "<>", 2, 2 }, { "ne", 2, 2 },
    };
    struct val *other = tpl_arg(a, 0, "version"), *op = tpl_arg(a, 1, "operator");
    struct val *sv, *so;
    const char *opname = op && op->type == VAL_STR ? op->u.s.ptr : "eq";
    int cmp, rc;

    if (!other) {
        return tpl_failn(c, "version test needs the version to compare with");
    }
    for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
        if (strcmp(ops[i].name, opname) == 0) {
            sv = tpl_to_str(v);
            so = tpl_to_str(other);
            rc = loose_compare(c, sv->u.s.ptr, so->u.s.ptr, &cmp);
            val_unref(sv);
            val_unref(so);
            if (rc < 0) {
                return -1;
            }
            *r = ops[i].lo == 2 ? cmp != 0 : (cmp >= ops[i].lo && cmp <= ops[i].hi);
            return 0;
        }
    }
    return tpl_failn(c, "invalid operator type (%s)", opname);
}

/* ----- task results ----- */

static int result_flag(struct tpl_ctx *c, struct val *v, const char *key, const char *test,
                       bool *r)
{
    struct val *f;

    if (v->type != VAL_DICT) {
        return tpl_failn(c, "the '%s' test expects a dictionary", test);
    }
    f = val_dict_get(v, key);
    *r = f && val_truthy(f);
    if (f && f->type == VAL_STR) {
        *r = strcasecmp(f->u.s.ptr, "yes") == 0 || strcasecmp(f->u.s.ptr, "true") == 0 ||
             strcmp(f->u.s.ptr, "1") == 0 || strcasecmp(f->u.s.ptr, "on") == 0;
    }
    return 0;
}

static int t_failed(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, bool *r)
{
    (void)a;
    return result_flag(c, v, "failed", "failed", r);
}

static int t_succeeded(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, bool *r)
{
    int rc = result_flag(c, v, "failed", "succeeded", r);

    (void)a;
    *r = !*r;
    return rc;
}

static int t_changed(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, bool *r)
{
    (void)a;
    return result_flag(c, v, "changed", "changed", r);
}

static int t_skipped(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, bool *r)
{
    (void)a;
    return result_flag(c, v, "skipped", "skipped", r);
}

static int subset_of(struct tpl_ctx *c, struct val *small, struct val *big, bool *r)
{
    if (small->type != VAL_LIST || big->type != VAL_LIST) {
        return tpl_failn(c, "subset/superset compare two lists");
    }
    *r = true;
    for (size_t i = 0; i < val_list_len(small) && *r; i++) {
        bool found = false;

        for (size_t j = 0; j < val_list_len(big) && !found; j++) {
            found = val_equal(val_list_get(small, i), val_list_get(big, j));
        }
        *r = found;
    }
    return 0;
}

static int t_subset(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, bool *r)
{
    struct val *x = need_arg(c, a, "subset");

    return x ? subset_of(c, v, x, r) : -1;
}

static int t_superset(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, bool *r)
{
    struct val *x = need_arg(c, a, "superset");

    return x ? subset_of(c, x, v, r) : -1;
}

static const struct tpl_test tests[] = {
    { "!=", t_ne, 0 },
    { "<", t_lt, 0 },
    { "<=", t_le, 0 },
    { "==", t_eq, 0 },
    { ">", t_gt, 0 },
    { ">=", t_ge, 0 },
    { "ansible.utils.in_network", tpl_in_network_test, 0 },
    { "boolean", t_boolean, TPL_UNDEF_OK },
    { "change", t_changed, 0 },
    { "changed", t_changed, 0 },
    { "contains", t_contains, 0 },
    { "defined", t_defined, TPL_UNDEF_OK },
    { "divisibleby", t_divisibleby, 0 },
    { "eq", t_eq, 0 },
    { "equalto", t_eq, 0 },
    { "even", t_even, 0 },
    { "failed", t_failed, 0 },
    { "failure", t_failed, 0 },
    { "false", t_false, TPL_UNDEF_OK },
    { "falsy", t_falsy, 0 },
    { "float", t_float, TPL_UNDEF_OK },
    { "ge", t_ge, 0 },
    { "greaterthan", t_gt, 0 },
    { "gt", t_gt, 0 },
    { "in", t_in, 0 },
    { "integer", t_integer, TPL_UNDEF_OK },
    { "iterable", t_iterable, 0 },
    { "le", t_le, 0 },
    { "lessthan", t_lt, 0 },
    { "lower", t_lower, 0 },
    { "lt", t_lt, 0 },
    { "mapping", t_mapping, TPL_UNDEF_OK },
    { "match", t_match, 0 },
    { "ne", t_ne, 0 },
    { "none", t_none, TPL_UNDEF_OK },
    { "number", t_number, TPL_UNDEF_OK },
    { "odd", t_odd, 0 },
    { "regex", t_search, 0 },
    { "sameas", t_sameas, 0 },
    { "search", t_search, 0 },
    { "sequence", t_sequence, 0 },
    { "skip", t_skipped, 0 },
    { "skipped", t_skipped, 0 },
    { "string", t_string, TPL_UNDEF_OK },
    { "subset", t_subset, 0 },
    { "succeeded", t_succeeded, 0 },
    { "success", t_succeeded, 0 },
    { "superset", t_superset, 0 },
    { "true", t_true, TPL_UNDEF_OK },
    { "truthy", t_truthy, 0 },
    { "undefined", t_undefined, TPL_UNDEF_OK },
    { "upper", t_upper, 0 },
    { "version", t_version, 0 },
    { "version_compare", t_version, 0 },
};

const struct tpl_test *tpl_test_at(size_t i)
{
    return i < ARRAY_SIZE(tests) ? &tests[i] : NULL;
}

const struct tpl_test *tpl_test_find(const char *name, size_t len)
{
    size_t plen = tpl_fqcn_prefix_len(name, len);

    name += plen;
    len -= plen;
    for (size_t i = 0; i < ARRAY_SIZE(tests); i++) {
        if (strlen(tests[i].name) == len && memcmp(tests[i].name, name, len) == 0) {
            return &tests[i];
        }
    }
    return NULL;
}
