/*
 * gotpl-sprig-semver.c - sprig's semver and semverCompare over Masterminds/semver v3's rules:
 * loose versions ("v1.2" is 1.2.0), precedence with prereleases, and constraints: || groups of
 * space- or comma-separated =, !=, >, <, >=, <=, ~, ~>, ^ terms, wildcards (1.x, 1.2.*), hyphen
 * ranges (1.2 - 1.4), and v3's rule that a prerelease version only satisfies a term that names a
 * prerelease. A semver value is a dict (Major, Minor, Patch, Prerelease, Metadata, Original)
 * flagged GOTPL_VAL_SEMVER: it prints as its version string, and templates reach it only through
 * the methods of *semver.Version (gotpl_semver_methods: .Compare, .LessThan, .IncMinor, .Major...).
 */
#include "pot.h"
#include <ctype.h>
#include <string.h>
#include "gotpl/gotpl-int.h"

struct ver {
    uint64_t major, minor, patch;
    char pre[128];
    char meta[128];
};

static bool parse_num(const char **p, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;

    if (!isdigit((unsigned char)*s)) {
        return false;
    }
    while (isdigit((unsigned char)*s)) {
        if (v > UINT64_MAX / 10) {
            return false;
        }
        v = v * 10 + (uint64_t)(*s++ - '0');
    }
    *p = s;
    *out = v;
    return true;
}

/* [0-9A-Za-z-]+ identifiers separated by dots, up to 'stop' chars; copied into out. */
static bool parse_idents(const char **p, char *out, size_t size)
{
    const char *s = *p;
    size_t n = 0;
    bool need = true;

    while (*s && (isalnum((unsigned char)*s) || *s == '-' || *s == '.')) {
        if (*s == '.') {
            if (need) {
                return false;
            }
            need = true;
        } else {
            need = false;
        }
        if (n + 1 < size) {
            out[n++] = *s;
        }
        s++;
    }
    out[n] = 0;
    *p = s;
    return !need;
}

/* semver.NewVersion. */
static bool parse_version(const char *s, struct ver *v)
{
    memset(v, 0, sizeof(*v));
    if (*s == 'v') {
        s++;
    }
    if (!parse_num(&s, &v->major)) {
        return false;
    }
    if (*s == '.') {
        s++;
        if (!parse_num(&s, &v->minor)) {
            return false;
        }
        if (*s == '.') {
            s++;
            if (!parse_num(&s, &v->patch)) {
                return false;
            }
        }
    }
    if (*s == '-') {
        s++;
        if (!parse_idents(&s, v->pre, sizeof(v->pre))) {
            return false;
        }
    }
    if (*s == '+') {
        s++;
        if (!parse_idents(&s, v->meta, sizeof(v->meta))) {
            return false;
        }
    }
    return *s == 0;
}

static int cmp_u(uint64_t a, uint64_t b)
{
    return a < b ? -1 : a > b;
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) {
            return false;
        }
    }
    return n > 0;
}

/* Prerelease precedence (semver 2.0 section 11). */
static int cmp_pre(const char *a, const char *b)
{
    if (!*a || !*b) {
        return *a ? -1 : *b ? 1 : 0;
    }
    while (*a && *b) {
        size_t la = strcspn(a, "."), lb = strcspn(b, ".");
        bool na = all_digits(a, la), nb = all_digits(b, lb);
        int c;

        if (na && nb) {
            c = la != lb ? (la < lb ? -1 : 1) : memcmp(a, b, la);
        } else if (na || nb) {
            c = na ? -1 : 1;
        } else {
            c = memcmp(a, b, la < lb ? la : lb);
            if (c == 0) {
                c = la < lb ? -1 : la > lb;
            }
        }
        if (c) {
            return c < 0 ? -1 : 1;
        }
        a += la + (a[la] == '.');
        b += lb + (b[lb] == '.');
    }
    return *a ? 1 : *b ? -1 : 0;
}

static int ver_cmp(const struct ver *a, const struct ver *b)
{
    int c = cmp_u(a->major, b->major);

    if (!c) {
        c = cmp_u(a->minor, b->minor);
    }
    if (!c) {
        c = cmp_u(a->patch, b->patch);
    }
    return c ? c : cmp_pre(a->pre, b->pre);
}

struct term {
    char op[3];
    struct ver con;
    bool dirty, minor_dirty, patch_dirty;
};

static bool is_wild(const char *s, size_t n)
{
    return n == 1 && (*s == 'x' || *s == 'X' || *s == '*');
}

/* One term: optional operator, then a version that may use wildcards. */
static bool parse_term(const char *s, size_t len, struct term *t)
{
    static const char *const ops[] = {
        "!=", ">=", "=>", "<=", "=<", "~>", "=", ">", "<", "~", "^"
    };
    char buf[256];
    const char *p;
    int part = 0;

    memset(t, 0, sizeof(*t));
    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
        size_t ol = strlen(ops[i]);

        if (len >= ol && strncmp(s, ops[i], ol) == 0) {
            snprintf(t->op, sizeof(t->op), "%s", ops[i]);
            s += ol;
            len -= ol;
            break;
        }
    }
    if (strcmp(t->op, "=>") == 0) {
        snprintf(t->op, sizeof(t->op), ">=");
    } else if (strcmp(t->op, "=<") == 0) {
        snprintf(t->op, sizeof(t->op), "<=");
    } else if (strcmp(t->op, "~>") == 0) {
        snprintf(t->op, sizeof(t->op), "~");
    }
    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len && isspace((unsigned char)s[len - 1])) {
        len--;
    }
    if (len == 0 || len >= sizeof(buf)) {
        return false;
    }
    memcpy(buf, s, len);
    buf[len] = 0;
    p = buf;
    if (*p == 'v') {
        p++;
    }
    /* major[.minor[.patch]] with wildcards (Masterminds v3: a wildcard or missing major makes
     * the term dirty, a wildcard or missing minor minor-dirty, likewise the patch) */
    for (part = 0; part < 3; part++) {
        size_t n = strspn(p, "0123456789xX*");
        uint64_t *dst = part == 0 ? &t->con.major : part == 1 ? &t->con.minor : &t->con.patch;
        const char *q = p;

        if (n == 0) {
            return false;
        }
        if (is_wild(p, n)) {
            if (part == 1) {
                t->minor_dirty = true;
            } else if (part == 2) {
                t->patch_dirty = true;
            }
            t->dirty = true;
            p += n;
            part = 3;
            break;
        }
        if (!all_digits(p, n) || !parse_num(&q, dst)) {
            return false;
        }
        p += n;
        if (*p != '.') {
            break;
        }
        p++;
    }
    if (part == 0) {
        t->minor_dirty = t->dirty = true;
    } else if (part == 1) {
        t->patch_dirty = t->dirty = true;
    }
    if (*p == '-') {
        p++;
        if (!parse_idents(&p, t->con.pre, sizeof(t->con.pre))) {
            return false;
        }
    }
    if (*p == '+') {
        p++;
        if (!parse_idents(&p, t->con.meta, sizeof(t->con.meta))) {
            return false;
        }
    }
    return *p == 0;
}

static bool tilde(const struct ver *v, const struct term *t)
{
    if (ver_cmp(v, &t->con) < 0) {
        return false;
    }
    if (t->con.major == 0 && t->con.minor == 0 && t->con.patch == 0 && !t->minor_dirty &&
        !t->patch_dirty) {
        return true;
    }
    if (v->major != t->con.major) {
        return false;
    }
    return !(v->minor != t->con.minor && !t->minor_dirty);
}

static bool check_term(const struct ver *v, const struct term *t)
{
    const char *op = t->op;

    if (v->pre[0] && !t->con.pre[0]) {
        return false;
    }
    if (!*op || strcmp(op, "=") == 0) {
        return t->dirty ? tilde(v, t) : ver_cmp(v, &t->con) == 0;
    }
    if (strcmp(op, "!=") == 0) {
        return t->dirty ? !tilde(v, t) : ver_cmp(v, &t->con) != 0;
    }
    if (strcmp(op, ">") == 0) {
        if (!t->dirty) {
            return ver_cmp(v, &t->con) > 0;
        }
        if (v->major != t->con.major) {
            return v->major > t->con.major;
        }
        if (t->minor_dirty) {
            return false;
        }
        if (t->patch_dirty) {
            return v->minor > t->con.minor;
        }
        return ver_cmp(v, &t->con) > 0;
    }
    if (strcmp(op, "<") == 0) {
        return ver_cmp(v, &t->con) < 0;
    }
    if (strcmp(op, ">=") == 0) {
        return ver_cmp(v, &t->con) >= 0;
    }
    if (strcmp(op, "<=") == 0) {
        if (!t->dirty) {
            return ver_cmp(v, &t->con) <= 0;
        }
        if (v->major > t->con.major) {
            return false;
        }
        return !(v->major == t->con.major && v->minor > t->con.minor && !t->minor_dirty);
    }
    if (strcmp(op, "~") == 0) {
        return tilde(v, t);
    }
    /* ^ */
    if (ver_cmp(v, &t->con) < 0) {
        return false;
    }
    if (t->con.major > 0 || t->minor_dirty) {
        return v->major == t->con.major;
    }
    if (v->major > 0) {
        return false;
    }
    if (t->con.minor > 0 || t->patch_dirty) {
        return v->minor == t->con.minor;
    }
    if (v->minor > 0) {
        return false;
    }
    return v->patch == t->con.patch;
}

/* Checks 'v' against constraint text 'c'; -1 when 'c' does not parse. */
static int check_constraint(const struct ver *v, const char *c)
{
    bool any = false;

    for (const char *group = c; group;) {
        const char *bar = strstr(group, "||");
        size_t glen = bar ? (size_t)(bar - group) : strlen(group);
        char g[512];
        bool all = true;
        const char *p;

        if (glen >= sizeof(g)) {
            return -1;
        }
        memcpy(g, group, glen);
        g[glen] = 0;
        p = g;
        /* a hyphen range "A - B" */
        {
            char *dash = strstr(g, " - ");

            if (dash) {
                struct term lo, hi;

                if (!parse_term(g, (size_t)(dash - g), &lo) ||
                    !parse_term(dash + 3, strlen(dash + 3), &hi) || lo.op[0] || hi.op[0]) {
                    return -1;
                }
                snprintf(lo.op, sizeof(lo.op), ">=");
                snprintf(hi.op, sizeof(hi.op), "<=");
                any = any || (check_term(v, &lo) && check_term(v, &hi));
                group = bar ? bar + 2 : NULL;
                continue;
            }
        }
        while (*p) {
            size_t n;
            struct term t;

            p += strspn(p, " \t,");
            if (!*p) {
                break;
            }
            /* an operator may be followed by spaces before its version */
            n = strspn(p, "=!<>~^");
            n += strspn(p + n, " \t");
            n += strcspn(p + n, " \t,");
            if (!parse_term(p, n, &t)) {
                return -1;
            }
            all = all && check_term(v, &t);
            p += n;
        }
        if (glen == strspn(group, " \t,")) {
            return -1;
        }
        any = any || all;
        group = bar ? bar + 2 : NULL;
    }
    return any;
}

static int fn_semver_compare(struct gx *x, struct val **a, size_t n, struct val **res,
                             struct err *err)
{
    struct ver v;
    int r;

    (void)x;
    (void)n;
    if (!parse_version(a[1]->u.s.ptr, &v)) {
        return err_set(err, ERR_TEMPLATE, "Invalid Semantic Version");
    }
    r = check_constraint(&v, a[0]->u.s.ptr);
    if (r < 0) {
        return err_set(err, ERR_TEMPLATE, "improper constraint: %s", a[0]->u.s.ptr);
    }
    *res = val_bool(r);
    return 0;
}

/* A new semver value. */
static struct val *ver_value(const struct ver *v, const char *original)
{
    struct val *d = val_dict();

    d->flags |= GOTPL_VAL_SEMVER;
    val_dict_set_take(d, "Major", val_int((int64_t)v->major));
    val_dict_set_take(d, "Minor", val_int((int64_t)v->minor));
    val_dict_set_take(d, "Patch", val_int((int64_t)v->patch));
    val_dict_set_take(d, "Prerelease", val_str(v->pre));
    val_dict_set_take(d, "Metadata", val_str(v->meta));
    val_dict_set_take(d, "Original", val_str(original));
    return d;
}

/* The version a semver value holds. */
static void ver_of(const struct val *d, struct ver *v)
{
    const struct val *f;
    const char *s;

    memset(v, 0, sizeof(*v));
    f = val_dict_get(d, "Major");
    v->major = f && f->type == VAL_INT ? (uint64_t)f->u.i : 0;
    f = val_dict_get(d, "Minor");
    v->minor = f && f->type == VAL_INT ? (uint64_t)f->u.i : 0;
    f = val_dict_get(d, "Patch");
    v->patch = f && f->type == VAL_INT ? (uint64_t)f->u.i : 0;
    s = val_dict_get_str(d, "Prerelease");
    snprintf(v->pre, sizeof(v->pre), "%s", s ? s : "");
    s = val_dict_get_str(d, "Metadata");
    snprintf(v->meta, sizeof(v->meta), "%s", s ? s : "");
}

/* Version.String(). */
static void ver_string(const struct ver *v, struct buf *out)
{
    buf_addf(out, "%llu.%llu.%llu", (unsigned long long)v->major, (unsigned long long)v->minor,
             (unsigned long long)v->patch);
    if (v->pre[0]) {
        buf_addf(out, "-%s", v->pre);
    }
    if (v->meta[0]) {
        buf_addf(out, "+%s", v->meta);
    }
}

static int fn_semver(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct ver v;

    (void)x;
    (void)n;
    if (!parse_version(a[0]->u.s.ptr, &v)) {
        return err_set(err, ERR_TEMPLATE, "Invalid Semantic Version");
    }
    *res = ver_value(&v, a[0]->u.s.ptr);
    return 0;
}

const struct gfunc gotpl_sprig_semver_funcs[] = {
    { "semver", fn_semver, "s" },
    { "semverCompare", fn_semver_compare, "ss" },
};
const size_t gotpl_sprig_semver_nfuncs = ARRAY_SIZE(gotpl_sprig_semver_funcs);

/* ---- methods of *semver.Version: a[0] is the receiver ---- */

static int compare_with(struct val **a)
{
    struct ver v, o;

    ver_of(a[0], &v);
    ver_of(a[1], &o);
    return ver_cmp(&v, &o);
}

static int m_compare(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    (void)err;
    *res = gotpl_goint(compare_with(a));
    return 0;
}

#define SEMVER_TEST(fname, test)                                                                   \
    static int fname(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)    \
    {                                                                                              \
        int c = compare_with(a);                                                                   \
                                                                                                   \
        (void)x;                                                                                   \
        (void)n;                                                                                   \
        (void)err;                                                                                 \
        *res = val_bool(test);                                                                     \
        return 0;                                                                                  \
    }
SEMVER_TEST(m_equal, c == 0)
SEMVER_TEST(m_greater_than, c > 0)
SEMVER_TEST(m_greater_than_equal, c >= 0)
SEMVER_TEST(m_less_than, c < 0)
SEMVER_TEST(m_less_than_equal, c <= 0)

/* IncMajor/IncMinor/IncPatch: the next version, its Original keeping a "v" prefix. */
static int increment(struct val **a, char part, struct val **res)
{
    const char *orig = val_dict_get_str(a[0], "Original");
    struct buf s = BUF_INIT;
    struct ver v;

    ver_of(a[0], &v);
    if (part == 'M') {
        v.major++;
        v.minor = v.patch = 0;
    } else if (part == 'm') {
        v.minor++;
        v.patch = 0;
    } else if (!v.pre[0]) {
        v.patch++; /* a prerelease's next patch is its release */
    }
    v.pre[0] = v.meta[0] = '\0';
    if (orig && orig[0] == 'v') {
        buf_addc(&s, 'v');
    }
    ver_string(&v, &s);
    *res = ver_value(&v, s.ptr);
    (*res)->flags |= GOTPL_VAL_SEMVER_VALUE;
    buf_release(&s);
    return 0;
}

static int m_inc_major(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    (void)err;
    return increment(a, 'M', res);
}

static int m_inc_minor(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    (void)err;
    return increment(a, 'm', res);
}

static int m_inc_patch(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    (void)err;
    return increment(a, 'p', res);
}

/* Major, Minor, Patch, Prerelease, Metadata, Original: the stored part. */
#define SEMVER_PART(fname, key)                                                                    \
    static int fname(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)    \
    {                                                                                              \
        struct val *f = val_dict_get(a[0], key);                                                   \
                                                                                                   \
        (void)x;                                                                                   \
        (void)n;                                                                                   \
        (void)err;                                                                                 \
        *res = f ? val_ref(f) : val_str("");                                                       \
        return 0;                                                                                  \
    }
SEMVER_PART(m_major, "Major")
SEMVER_PART(m_metadata, "Metadata")
SEMVER_PART(m_minor, "Minor")
SEMVER_PART(m_original, "Original")
SEMVER_PART(m_patch, "Patch")
SEMVER_PART(m_prerelease, "Prerelease")

static int m_string(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf s = BUF_INIT;
    struct ver v;

    (void)x;
    (void)n;
    (void)err;
    ver_of(a[0], &v);
    ver_string(&v, &s);
    *res = gotpl_take_buf(&s);
    return 0;
}

/* Sorted by name; 'V' is a *semver.Version parameter. */
const struct gfunc gotpl_semver_methods[] = {
    { "IncMajor", m_inc_major, "" }, { "IncMinor", m_inc_minor, "" },
    { "IncPatch", m_inc_patch, "" }, { "Major", m_major, "" },
    { "Metadata", m_metadata, "" },  { "Minor", m_minor, "" },
    { "Patch", m_patch, "" },        { "Prerelease", m_prerelease, "" },
    { "String", m_string, "" },
};
const size_t gotpl_semver_nmethods = ARRAY_SIZE(gotpl_semver_methods);

const struct gfunc gotpl_semver_ptr_methods[] = {
    { "Compare", m_compare, "V" },          { "Equal", m_equal, "V" },
    { "GreaterThan", m_greater_than, "V" }, { "GreaterThanEqual", m_greater_than_equal, "V" },
    { "LessThan", m_less_than, "V" },       { "LessThanEqual", m_less_than_equal, "V" },
    { "Original", m_original, "" },
};
const size_t gotpl_semver_ptr_nmethods = ARRAY_SIZE(gotpl_semver_ptr_methods);
