/*
 * gotpl-sprig-math.c - sprig's math functions: int64 arithmetic over cast.ToInt64 (add, sub, mul,
 * div, mod, max, min, add1), conversions (int, int64, float64, atoi, toDecimal), float rounding
 * (floor, ceil, round), the decimal-exact float functions (addf, subf, mulf, divf with
 * shopspring/decimal's 16-place division; maxf, minf), and sequences (until, untilStep, seq).
 */
#include "pot.h"
#include <errno.h>
#include <math.h>
#include <string.h>
#include "gotpl/gotpl-int.h"

/* cast's trimZeroDecimal: "1.00" -> "1". */
static void trim_zero_decimal(char *s)
{
    bool zero = false;

    for (size_t i = strlen(s); i > 0; i--) {
        if (s[i - 1] == '.') {
            if (zero) {
                s[i - 1] = 0;
            }
            return;
        }
        if (s[i - 1] != '0') {
            return;
        }
        zero = true;
    }
}

/* strconv.ParseInt(s, 0, 64); false when it fails. */
static bool go_parse_int(const char *s, int64_t *out)
{
    const char *p = s;
    bool neg = false;
    int base = 10;
    unsigned long long u;
    char *end;

    if (*p == '+' || *p == '-') {
        neg = *p == '-';
        p++;
    }
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    } else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O')) {
        base = 8;
        p += 2;
    } else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
        base = 2;
        p += 2;
    } else if (p[0] == '0' && p[1]) {
        base = 8;
        p += 1;
    }
    if (!*p || *p == '+' || *p == '-' || *p == ' ') {
        return false;
    }
    errno = 0;
    u = strtoull(p, &end, base);
    if (*end || errno || u > (unsigned long long)INT64_MAX + (neg ? 1 : 0)) {
        return false;
    }
    *out = neg ? (int64_t)(0 - u) : (int64_t)u;
    return true;
}

int64_t gotpl_to_int64(const struct val *v)
{
    switch (v->type) {
    case VAL_BOOL:
        return v->u.b;
    case VAL_INT:
        return v->u.i;
    case VAL_DOUBLE:
        if (isnan(v->u.d)) {
            return INT64_MIN;
        }
        if (v->u.d >= 9.2233720368547758e18 || v->u.d <= -9.2233720368547758e18) {
            return INT64_MIN;
        }
        return (int64_t)v->u.d;
    case VAL_STR: {
        char tmp[128];
        int64_t i;

        if (v->u.s.len >= sizeof(tmp)) {
            return 0;
        }
        memcpy(tmp, v->u.s.ptr, v->u.s.len + 1);
        trim_zero_decimal(tmp);
        return go_parse_int(tmp, &i) ? i : 0;
    }
    default:
        return 0;
    }
}

double gotpl_to_float64(const struct val *v)
{
    switch (v->type) {
    case VAL_BOOL:
        return v->u.b;
    case VAL_INT:
        return (double)v->u.i;
    case VAL_DOUBLE:
        return v->u.d;
    case VAL_STR: {
        char *end;
        double d;

        if (v->u.s.len == 0 || strchr(" \t\n\r\v\f", v->u.s.ptr[0])) {
            return 0;
        }
        errno = 0;
        d = strtod(v->u.s.ptr, &end);
        return *end || (errno == ERANGE && isinf(d)) ? 0 : d;
    }
    default:
        return 0;
    }
}

#define UNUSED3                                                                                    \
    (void)x;                                                                                       \
    (void)n;                                                                                       \
    (void)err

static int fn_add(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    int64_t sum = 0;

    UNUSED3;
    for (size_t i = 0; i < n; i++) {
        sum = (int64_t)((uint64_t)sum + (uint64_t)gotpl_to_int64(a[i]));
    }
    *res = val_int(sum);
    return 0;
}

static int fn_add1(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    UNUSED3;
    *res = val_int((int64_t)((uint64_t)gotpl_to_int64(a[0]) + 1));
    return 0;
}

static int fn_sub(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    UNUSED3;
    *res = val_int((int64_t)((uint64_t)gotpl_to_int64(a[0]) - (uint64_t)gotpl_to_int64(a[1])));
    return 0;
}

static int fn_mul(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    uint64_t p = (uint64_t)gotpl_to_int64(a[0]);

    UNUSED3;
    for (size_t i = 1; i < n; i++) {
        p *= (uint64_t)gotpl_to_int64(a[i]);
    }
    *res = val_int((int64_t)p);
    return 0;
}

static int fn_div(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    int64_t l = gotpl_to_int64(a[0]), r = gotpl_to_int64(a[1]);

    (void)x;
    (void)n;
    if (r == 0) {
        return err_set(err, ERR_TEMPLATE, "runtime error: integer divide by zero");
    }
    *res = val_int(r == -1 ? (int64_t)(0 - (uint64_t)l) : l / r);
    return 0;
}

static int fn_mod(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    int64_t l = gotpl_to_int64(a[0]), r = gotpl_to_int64(a[1]);

    (void)x;
    (void)n;
    if (r == 0) {
        return err_set(err, ERR_TEMPLATE, "runtime error: integer divide by zero");
    }
    *res = val_int(r == -1 ? 0 : l % r);
    return 0;
}

static int minmax(struct val **a, size_t n, struct val **res, bool want_max)
{
    int64_t m = gotpl_to_int64(a[0]);

    for (size_t i = 1; i < n; i++) {
        int64_t b = gotpl_to_int64(a[i]);

        if (want_max ? b > m : b < m) {
            m = b;
        }
    }
    *res = val_int(m);
    return 0;
}

static int fn_max(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)err;
    return minmax(a, n, res, true);
}

static int fn_min(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)err;
    return minmax(a, n, res, false);
}

static int minmaxf(struct val **a, size_t n, struct val **res, bool want_max)
{
    double m = gotpl_to_float64(a[0]);

    for (size_t i = 1; i < n; i++) {
        m = want_max ? fmax(m, gotpl_to_float64(a[i])) : fmin(m, gotpl_to_float64(a[i]));
    }
    *res = val_double(m);
    return 0;
}

static int fn_maxf(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)err;
    return minmaxf(a, n, res, true);
}

static int fn_minf(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)err;
    return minmaxf(a, n, res, false);
}

static int fn_floor(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    UNUSED3;
    *res = val_double(floor(gotpl_to_float64(a[0])));
    return 0;
}

static int fn_ceil(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    UNUSED3;
    *res = val_double(ceil(gotpl_to_float64(a[0])));
    return 0;
}

static int fn_round(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    double round_on = n > 2 ? a[2]->u.d : .5;
    double v = gotpl_to_float64(a[0]);
    double pw = pow(10, (double)a[1]->u.i);
    double digit = pw * v;
    double ip;
    double frac = modf(digit, &ip);

    (void)x;
    (void)err;
    *res = val_double((frac >= round_on ? ceil(digit) : floor(digit)) / pw);
    return 0;
}

static int fn_int(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    UNUSED3;
    *res = gotpl_goint(gotpl_to_int64(a[0]));
    return 0;
}

static int fn_int64(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    UNUSED3;
    *res = val_int(gotpl_to_int64(a[0]));
    return 0;
}

static int fn_float64(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    UNUSED3;
    *res = val_double(gotpl_to_float64(a[0]));
    return 0;
}

static int fn_atoi(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    const char *s = a[0]->u.s.ptr;
    char *end;
    long long v;

    UNUSED3;
    errno = 0;
    v = strtoll(s, &end, 10);
    *res = gotpl_goint(*s && !*end && !errno && *s != ' ' ? v : 0);
    return 0;
}

/* sprig's toDecimal: an octal string to its value (0 when it is not octal). */
static int fn_to_decimal(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf b = BUF_INIT;
    char *end;
    long long v;

    UNUSED3;
    gotpl_strval(a[0], &b);
    errno = 0;
    v = strtoll(b.ptr, &end, 8);
    *res = val_int(b.len && !*end && !errno ? v : 0);
    buf_release(&b);
    return 0;
}

/* ---- shopspring/decimal arithmetic: a float as its shortest decimal, exact ops ---- */

struct dec {
    __int128 m; /* value = m * 10^e */
    int e;
};

static struct dec dec_from(double d)
{
    struct dec r = { 0, 0 };
    char tmp[40], digits[40];
    size_t nd = 0;
    char *ep;
    bool neg = d < 0;

    if (d == 0 || !isfinite(d)) {
        return r;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, fabs(d));
        if (strtod(tmp, NULL) == fabs(d)) {
            break;
        }
    }
    ep = strchr(tmp, 'e');
    for (char *p = tmp; p < ep; p++) {
        if (*p != '.') {
            digits[nd++] = *p;
        }
    }
    for (size_t i = 0; i < nd; i++) {
        r.m = r.m * 10 + (digits[i] - '0');
    }
    r.e = (int)strtol(ep + 1, NULL, 10) - (int)(nd - 1);
    if (neg) {
        r.m = -r.m;
    }
    return r;
}

static double dec_to_double(struct dec d)
{
    char tmp[64];
    int n = 0;
    unsigned __int128 u = d.m < 0 ? (unsigned __int128)(-d.m) : (unsigned __int128)d.m;
    char digits[48];
    int nd = 0;

    do {
        digits[nd++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    if (d.m < 0) {
        tmp[n++] = '-';
    }
    while (nd > 0) {
        tmp[n++] = digits[--nd];
    }
    snprintf(tmp + n, sizeof(tmp) - (size_t)n, "e%d", d.e);
    return strtod(tmp, NULL);
}

static const __int128 DEC_LIMIT = (__int128)1000000000000000000LL * 1000000000000000000LL;

/* Brings both to the smaller exponent; false when that would overflow. */
static bool dec_align(struct dec *a, struct dec *b)
{
    struct dec *hi = a->e > b->e ? a : b, *lo = a->e > b->e ? b : a;

    while (hi->e > lo->e) {
        if (hi->m > DEC_LIMIT || hi->m < -DEC_LIMIT) {
            return false;
        }
        hi->m *= 10;
        hi->e--;
    }
    return true;
}

enum dec_op {
    D_ADD,
    D_SUB,
    D_MUL,
    D_DIV,
};

/* One decimal operation; returns false (for a double fallback) when 128 bits do not suffice. */
static bool dec_op(struct dec *acc, struct dec b, enum dec_op op)
{
    switch (op) {
    case D_ADD:
    case D_SUB:
        if (!dec_align(acc, &b)) {
            return false;
        }
        acc->m = op == D_ADD ? acc->m + b.m : acc->m - b.m;
        return true;
    case D_MUL:
        if ((acc->m > 0 ? acc->m : -acc->m) > DEC_LIMIT / 1000 ||
            (b.m > 0 ? b.m : -b.m) > 100000000000000000LL) {
            return false;
        }
        acc->m *= b.m;
        acc->e += b.e;
        return true;
    case D_DIV: {
        /* round(acc / b) to 16 decimal places */
        __int128 num = acc->m, q, r;
        int shift = 16 + acc->e - b.e; /* num * 10^shift / b.m gives units of 10^-16 */

        if (b.m == 0) {
            return false;
        }
        for (; shift > 0; shift--) {
            if (num > DEC_LIMIT || num < -DEC_LIMIT) {
                return false;
            }
            num *= 10;
        }
        for (; shift < 0; shift++) {
            num /= 10;
        }
        q = num / b.m;
        r = num % b.m;
        if ((r < 0 ? -r : r) * 2 >= (b.m < 0 ? -b.m : b.m)) {
            q += ((num < 0) != (b.m < 0)) ? -1 : 1;
        }
        acc->m = q;
        acc->e = -16;
        return true;
    }
    }
    return false;
}

static int decimal_fn(struct val **a, size_t n, struct val **res, struct err *err, enum dec_op op)
{
    double first = gotpl_to_float64(a[0]);
    struct dec acc = dec_from(first);
    double fallback = first;
    bool exact = isfinite(first);

    for (size_t i = 1; i < n; i++) {
        double d = gotpl_to_float64(a[i]);

        if (op == D_DIV && d == 0) {
            return err_set(err, ERR_TEMPLATE, "decimal division by zero");
        }
        fallback = op == D_ADD   ? fallback + d
                   : op == D_SUB ? fallback - d
                   : op == D_MUL ? fallback * d
                                 : fallback / d;
        exact = exact && isfinite(d) && dec_op(&acc, dec_from(d), op);
    }
    *res = val_double(exact ? dec_to_double(acc) : fallback);
    return 0;
}

static int fn_addf(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    if (n == 0) {
        *res = val_double(0);
        return 0;
    }
    return decimal_fn(a, n, res, err, D_ADD);
}

static int fn_add1f(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct val *one = val_double(1);
    struct val *args[2] = { a[0], one };
    int rc;

    (void)x;
    (void)n;
    rc = decimal_fn(args, 2, res, err, D_ADD);
    val_unref(one);
    return rc;
}

static int fn_subf(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    return decimal_fn(a, n, res, err, D_SUB);
}

static int fn_mulf(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    return decimal_fn(a, n, res, err, D_MUL);
}

static int fn_divf(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    return decimal_fn(a, n, res, err, D_DIV);
}

/* ---- sequences ---- */

static struct val *until_step(int64_t start, int64_t stop, int64_t step, struct err *err)
{
    struct val *out = val_list();
    size_t count = 0;

    out->flags |= GOTPL_VAL_INTS;
    if (stop < start) {
        if (step >= 0) {
            return out;
        }
        for (int64_t i = start; i > stop; i += step) {
            if (++count > 10000000) {
                val_unref(out);
                err_set(err, ERR_TEMPLATE, "sequence longer than 10000000 items");
                return NULL;
            }
            val_list_push_take(out, gotpl_goint(i));
        }
        return out;
    }
    if (step <= 0) {
        return out;
    }
    for (int64_t i = start; i < stop; i += step) {
        if (++count > 10000000) {
            val_unref(out);
            err_set(err, ERR_TEMPLATE, "sequence longer than 10000000 items");
            return NULL;
        }
        val_list_push_take(out, gotpl_goint(i));
    }
    return out;
}

static int fn_until(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    int64_t c = a[0]->u.i;

    (void)x;
    (void)n;
    *res = until_step(0, c, c < 0 ? -1 : 1, err);
    return *res ? 0 : -1;
}

static int fn_until_step(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    *res = until_step(a[0]->u.i, a[1]->u.i, a[2]->u.i, err);
    return *res ? 0 : -1;
}

static int fn_seq(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct val *list = NULL;
    struct buf out = BUF_INIT;

    (void)x;
    if (n == 1) {
        int64_t end = a[0]->u.i, inc = end < 1 ? -1 : 1;

        list = until_step(1, end + inc, inc, err);
    } else if (n == 2) {
        int64_t start = a[0]->u.i, end = a[1]->u.i, step = end < start ? -1 : 1;

        list = until_step(start, end + step, step, err);
    } else if (n == 3) {
        int64_t start = a[0]->u.i, step = a[1]->u.i, end = a[2]->u.i, inc = 1;

        if (end < start) {
            inc = -1;
            if (step > 0) {
                *res = val_str("");
                return 0;
            }
        }
        list = until_step(start, end + inc, step, err);
    } else {
        *res = val_str("");
        return 0;
    }
    if (!list) {
        return -1;
    }
    for (size_t i = 0; i < list->u.list.len; i++) {
        buf_addf(&out, i ? " %lld" : "%lld", (long long)list->u.list.items[i]->u.i);
    }
    val_unref(list);
    *res = gotpl_take_buf(&out);
    return 0;
}

const struct gfunc gotpl_sprig_math_funcs[] = {
    { "add", fn_add, "a." },
    { "add1", fn_add1, "a" },
    { "add1f", fn_add1f, "a" },
    { "addf", fn_addf, "a." },
    { "atoi", fn_atoi, "s" },
    { "biggest", fn_max, "aa." },
    { "ceil", fn_ceil, "a" },
    { "div", fn_div, "aa" },
    { "divf", fn_divf, "aa." },
    { "float64", fn_float64, "a" },
    { "floor", fn_floor, "a" },
    { "int", fn_int, "a" },
    { "int64", fn_int64, "a" },
    { "max", fn_max, "aa." },
    { "maxf", fn_maxf, "aa." },
    { "min", fn_min, "aa." },
    { "minf", fn_minf, "aa." },
    { "mod", fn_mod, "aa" },
    { "mul", fn_mul, "aa." },
    { "mulf", fn_mulf, "aa." },
    { "round", fn_round, "aif." },
    { "seq", fn_seq, "i." },
    { "sub", fn_sub, "aa" },
    { "subf", fn_subf, "aa." },
    { "toDecimal", fn_to_decimal, "a" },
    { "until", fn_until, "i" },
    { "untilStep", fn_until_step, "iii" },
};
const size_t gotpl_sprig_math_nfuncs = ARRAY_SIZE(gotpl_sprig_math_funcs);
