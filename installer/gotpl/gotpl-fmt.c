/*
 * gotpl-fmt.c - Go's fmt over template values: %v of every type (float64 in strconv's shortest
 * 'g' form with Go's exponent rules, maps as map[k:v] in sorted key order, lists as [a b], nil as
 * <nil>), fmt.Sprint/Sprintln spacing, and fmt.Sprintf's verbs, flags, width and precision with
 * Go's error forms (%!d(string=x), %!v(MISSING), %!(EXTRA ...)). Also Go's truth, type and kind
 * names, and strconv.Quote.
 */
#include "pot.h"
#include <math.h>
#include <string.h>
#include "base/xalloc.h"
#include "gotpl/gotpl-int.h"

struct val *gotpl_goint(int64_t i)
{
    struct val *v = val_int(i);

    v->flags |= GOTPL_VAL_GOINT;
    return v;
}

struct val *gotpl_take_buf(struct buf *b)
{
    size_t len;
    char *s = buf_detach(b, &len);

    return val_str_take(s, len);
}

bool gotpl_truth(const struct val *v)
{
    return v && val_truthy(v); /* Go's and Python's rules agree on these types */
}

const char *gotpl_type_name(const struct val *v)
{
    if (!v) {
        return "<nil>";
    }
    switch (v->type) {
    case VAL_NULL:
        return "<nil>";
    case VAL_BOOL:
        return "bool";
    case VAL_INT:
        return (v->flags & GOTPL_VAL_GOINT) ? "int" : "int64";
    case VAL_DOUBLE:
        return "float64";
    case VAL_STR:
        return "string";
    case VAL_LIST:
        return (v->flags & GOTPL_VAL_STRS)   ? "[]string"
               : (v->flags & GOTPL_VAL_INTS) ? "[]int"
                                             : "[]interface {}";
    case VAL_DICT:
        return (v->flags & GOTPL_VAL_SEMVER_VALUE)   ? "semver.Version"
               : (v->flags & GOTPL_VAL_SEMVER)       ? "*semver.Version"
               : (v->flags & GOTPL_VAL_STRMAP)       ? "map[string]string"
               : (v->flags & GOTPL_VAL_CHART_VALUES) ? "chartutil.Values"
                                                     : "map[string]interface {}";
    }
    return "<nil>";
}

const char *gotpl_kind_name(const struct val *v)
{
    if (!v || v->type == VAL_NULL) {
        return "invalid";
    }
    switch (v->type) {
    case VAL_LIST:
        return "slice";
    case VAL_DICT:
        return (v->flags & GOTPL_VAL_SEMVER_VALUE) ? "struct"
               : (v->flags & GOTPL_VAL_SEMVER)     ? "ptr"
                                                   : "map";
    default:
        return gotpl_type_name(v);
    }
}

/* Shortest decimal digits that read back as 'd' (d finite, > 0): digits without a point in
 * 'digits', and the decimal exponent such that d = 0.DIGITS * 10^dp. */
static void shortest_digits(double d, char *digits, size_t size, int *dp)
{
    char tmp[40];

    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
        if (strtod(tmp, NULL) == d || prec == 17) {
            break;
        }
    }
    {
        char *e = strchr(tmp, 'e');
        size_t n = 0;

        for (char *p = tmp; p < e && n + 1 < size; p++) {
            if (*p >= '0' && *p <= '9') {
                digits[n++] = *p;
            }
        }
        while (n > 1 && digits[n - 1] == '0') {
            n--;
        }
        digits[n] = 0;
        *dp = (int)strtol(e + 1, NULL, 10) + 1;
    }
}

/* strconv.FormatFloat(d, 'g' or 'f', -1, 64): the shortest digits, with fmt's %v exponent form
 * unless 'fixed'. */
static void format_shortest(double d, bool fixed, struct buf *out)
{
    char digits[32];
    int dp, nd, exp;

    if (isnan(d)) {
        buf_adds(out, "NaN");
        return;
    }
    if (isinf(d)) {
        buf_adds(out, d > 0 ? "+Inf" : "-Inf");
        return;
    }
    if (d == 0) {
        buf_adds(out, signbit(d) ? "-0" : "0");
        return;
    }
    if (d < 0) {
        buf_addc(out, '-');
        d = -d;
    }
    shortest_digits(d, digits, sizeof(digits), &dp);
    nd = (int)strlen(digits);
    exp = dp - 1;
    if (!fixed && (exp < -4 || exp >= 6)) {
        goto efmt;
    }
    /* %f form */
    if (dp <= 0) {
        buf_adds(out, "0.");
        buf_addn(out, '0', (size_t)-dp);
        buf_adds(out, digits);
    } else if (dp >= nd) {
        buf_adds(out, digits);
        buf_addn(out, '0', (size_t)(dp - nd));
    } else {
        buf_add(out, digits, (size_t)dp);
        buf_addc(out, '.');
        buf_adds(out, digits + dp);
    }
    return;
efmt:
    buf_addc(out, digits[0]);
    if (nd > 1) {
        buf_addc(out, '.');
        buf_adds(out, digits + 1);
    }
    buf_addf(out, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
}

void gotpl_fmt_float(double d, struct buf *out)
{
    format_shortest(d, false, out);
}

void gotpl_fmt_float_fixed(double d, struct buf *out)
{
    format_shortest(d, true, out);
}

/* ---- printf machinery ---- */

struct spec {
    bool minus, plus, sharp, space, zero;
    bool sharp_v; /* %#v: Go syntax */
    int width;    /* -1: none */
    int prec;     /* -1: none */
    char verb;
};

static void pad(struct buf *out, const char *s, size_t len, const struct spec *sp, bool number)
{
    size_t w = 0;

    /* width counts runes */
    for (size_t i = 0; i < len; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            w++;
        }
    }
    if (sp->width < 0 || (size_t)sp->width <= w) {
        buf_add(out, s, len);
        return;
    }
    if (sp->minus) {
        buf_add(out, s, len);
        buf_addn(out, ' ', (size_t)sp->width - w);
    } else if (sp->zero && number && len > 0 && (s[0] == '-' || s[0] == '+' || s[0] == ' ')) {
        buf_addc(out, s[0]);
        buf_addn(out, '0', (size_t)sp->width - w);
        buf_add(out, s + 1, len - 1);
    } else {
        buf_addn(out, sp->zero && !sp->minus ? '0' : ' ', (size_t)sp->width - w);
        buf_add(out, s, len);
    }
}

bool gotpl_is_print(uint32_t cp)
{
    static const uint32_t ranges[][2] = {
        { 0x7F, 0xA0 },     { 0xAD, 0xAD },     { 0x2000, 0x200F },   { 0x2028, 0x202F },
        { 0x205F, 0x206F }, { 0x3000, 0x3000 }, { 0xD800, 0xF8FF },   { 0xFEFF, 0xFEFF },
        { 0xFFF9, 0xFFFB }, { 0xFFFE, 0xFFFF }, { 0xE0000, 0xE007F }, { 0xF0000, 0x10FFFF },
    };

    if (cp < 0x20) {
        return false;
    }
    for (size_t i = 0; i < ARRAY_SIZE(ranges); i++) {
        if (cp >= ranges[i][0] && cp <= ranges[i][1]) {
            return false;
        }
    }
    return true;
}

size_t gotpl_utf8_next(const char *s, size_t len, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = u[0] < 0x80                   ? 1
               : u[0] >= 0xC2 && u[0] < 0xE0 ? 2
               : u[0] >= 0xE0 && u[0] < 0xF0 ? 3
               : u[0] >= 0xF0 && u[0] < 0xF5 ? 4
                                             : 0;
    uint32_t c;

    if (n == 0 || n > len) {
        return 0;
    }
    c = n == 1 ? u[0] : n == 2 ? u[0] & 0x1Fu : n == 3 ? u[0] & 0x0Fu : u[0] & 0x07u;
    for (size_t k = 1; k < n; k++) {
        if ((u[k] & 0xC0) != 0x80) {
            return 0;
        }
        c = c << 6 | (u[k] & 0x3Fu);
    }
    if ((n == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) ||
        (n == 4 && (c < 0x10000 || c > 0x10FFFF))) {
        return 0;
    }
    *cp = c;
    return n;
}

static void quote(const char *s, size_t len, bool ascii, struct buf *out);

void gotpl_quote(const char *s, size_t len, struct buf *out)
{
    quote(s, len, false, out);
}

static void quote(const char *s, size_t len, bool ascii, struct buf *out)
{
    buf_addc(out, '"');
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];

        if (c < 0x80) {
            switch (c) {
            case '"':
                buf_adds(out, "\\\"");
                break;
            case '\\':
                buf_adds(out, "\\\\");
                break;
            case '\a':
                buf_adds(out, "\\a");
                break;
            case '\b':
                buf_adds(out, "\\b");
                break;
            case '\f':
                buf_adds(out, "\\f");
                break;
            case '\n':
                buf_adds(out, "\\n");
                break;
            case '\r':
                buf_adds(out, "\\r");
                break;
            case '\t':
                buf_adds(out, "\\t");
                break;
            case '\v':
                buf_adds(out, "\\v");
                break;
            default:
                if (c < 0x20 || c == 0x7F) {
                    buf_addf(out, "\\x%02x", c);
                } else {
                    buf_addc(out, (char)c);
                }
            }
            i++;
            continue;
        }
        /* a UTF-8 sequence: copied when valid and printable, else escaped */
        {
            uint32_t cp;
            size_t n = gotpl_utf8_next(s + i, len - i, &cp);

            if (n && (ascii || !gotpl_is_print(cp))) {
                buf_addf(out, cp > 0xFFFF ? "\\U%08x" : "\\u%04x", (unsigned)cp);
                i += n;
            } else if (n) {
                buf_add(out, s + i, n);
                i += n;
            } else {
                buf_addf(out, "\\x%02x", c);
                i++;
            }
        }
    }
    buf_addc(out, '"');
}

static void fmt_value_verb(const struct val *v, const struct spec *sp, bool top, struct buf *out);

static void bad_verb(const struct val *v, char verb, struct buf *out)
{
    buf_addf(out, "%%!%c(", verb);
    if (!v || v->type == VAL_NULL) {
        buf_adds(out, "<nil>");
    } else {
        struct spec plain = { .width = -1, .prec = -1, .verb = 'v' };

        buf_adds(out, gotpl_type_name(v));
        buf_addc(out, '=');
        fmt_value_verb(v, &plain, false, out);
    }
    buf_addc(out, ')');
}

static void fmt_int(int64_t i, const struct spec *sp, struct buf *out, const struct val *v)
{
    char tmp[96];
    struct buf num = BUF_INIT;
    uint64_t u = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
    const char *sign = i < 0 ? "-" : sp->plus ? "+" : sp->space ? " " : "";

    switch (sp->verb) {
    case 'v':
    case 'd':
        snprintf(tmp, sizeof(tmp), "%s%llu", sign, (unsigned long long)u);
        break;
    case 'x':
    case 'X':
        snprintf(tmp, sizeof(tmp), sp->verb == 'x' ? "%s%s%llx" : "%s%s%llX", sign,
                 sp->sharp ? (sp->verb == 'x' ? "0x" : "0X") : "", (unsigned long long)u);
        break;
    case 'o':
    case 'O':
        snprintf(tmp, sizeof(tmp), "%s%s%llo", sign,
                 sp->verb == 'O' ? "0o"
                 : sp->sharp     ? "0"
                                 : "",
                 (unsigned long long)u);
        break;
    case 'b': {
        char bits[72];
        int n = 0;

        do {
            bits[n++] = (char)('0' + (u & 1));
            u >>= 1;
        } while (u);
        snprintf(tmp, sizeof(tmp), "%s", sign);
        for (size_t k = strlen(tmp); n > 0 && k + 1 < sizeof(tmp); k++) {
            tmp[k] = bits[--n];
            tmp[k + 1] = 0;
        }
        break;
    }
    case 'c':
        buf_add_utf8(&num, i >= 0 && i <= 0x10FFFF ? (uint32_t)i : 0xFFFD);
        pad(out, num.ptr, num.len, sp, false);
        buf_release(&num);
        return;
    case 'q':
        buf_addc(&num, '\'');
        if (i == '\'') {
            buf_adds(&num, "\\'");
        } else if (i == '\\') {
            buf_adds(&num, "\\\\");
        } else if (i == '\n') {
            buf_adds(&num, "\\n");
        } else if (i == '\t') {
            buf_adds(&num, "\\t");
        } else if (i >= 0 && i < 0x20) {
            buf_addf(&num, "\\x%02x", (unsigned)i);
        } else {
            buf_add_utf8(&num, i >= 0 && i <= 0x10FFFF ? (uint32_t)i : 0xFFFD);
        }
        buf_addc(&num, '\'');
        pad(out, num.ptr, num.len, sp, false);
        buf_release(&num);
        return;
    case 'U':
        snprintf(tmp, sizeof(tmp), "U+%04llX", (unsigned long long)u);
        break;
    default:
        bad_verb(v, sp->verb, out);
        return;
    }
    if (sp->prec >= 0 && sp->verb != 'U') {
        /* precision: minimum digits */
        const char *digits = tmp + strlen(sign);
        size_t nd = strlen(digits);

        buf_adds(&num, sign);
        if ((size_t)sp->prec > nd) {
            buf_addn(&num, '0', (size_t)sp->prec - nd);
        }
        if (!(sp->prec == 0 && u == 0)) {
            buf_adds(&num, digits);
        }
        {
            struct spec nz = *sp;

            nz.zero = false;
            pad(out, num.ptr, num.len, &nz, true);
        }
        buf_release(&num);
        return;
    }
    pad(out, tmp, strlen(tmp), sp, true);
}

static void fmt_float(double d, const struct spec *sp, struct buf *out, const struct val *v)
{
    struct buf num = BUF_INIT;
    char cfmt[16];
    char verb = sp->verb;

    if (verb == 'v') {
        verb = 'g';
    }
    if (!strchr("eEfFgGbxX", verb)) {
        bad_verb(v, sp->verb, out);
        return;
    }
    if (isnan(d) || isinf(d)) {
        const char *s = isnan(d) ? "NaN" : d > 0 ? (sp->plus ? "+Inf" : "+Inf") : "-Inf";
        struct spec nz = *sp;

        if (isinf(d) && d > 0 && !sp->plus) {
            s = sp->space ? " Inf" : "+Inf";
        }
        nz.zero = false;
        pad(out, s, strlen(s), &nz, false);
        return;
    }
    if ((verb == 'g' || verb == 'G') && sp->prec < 0) {
        if (d >= 0 && (sp->plus || sp->space)) {
            buf_addc(&num, sp->plus ? '+' : ' ');
        }
        gotpl_fmt_float(d, &num);
        if (verb == 'G') {
            for (size_t i = 0; i < num.len; i++) {
                if (num.ptr[i] == 'e') {
                    num.ptr[i] = 'E';
                }
            }
        }
    } else {
        int n = 0;

        cfmt[n++] = '%';
        if (sp->plus) {
            cfmt[n++] = '+';
        } else if (sp->space) {
            cfmt[n++] = ' ';
        }
        if (sp->sharp) {
            cfmt[n++] = '#';
        }
        cfmt[n++] = '.';
        cfmt[n++] = '*';
        cfmt[n++] = verb == 'x' ? 'a' : verb == 'X' ? 'A' : verb == 'b' ? 'e' : verb;
        cfmt[n] = 0;
        buf_addf(&num, cfmt, sp->prec < 0 ? (verb == 'g' || verb == 'G' ? -1 : 6) : sp->prec, d);
    }
    pad(out, num.ptr, num.len, sp, true);
    buf_release(&num);
}

static void fmt_string(const char *s, size_t len, const struct spec *sp, struct buf *out,
                       const struct val *v)
{
    struct buf tmp = BUF_INIT;

    if (sp->prec >= 0 && (sp->verb == 's' || sp->verb == 'v' || sp->verb == 'q')) {
        size_t runes = 0, i = 0;

        for (; i < len; i++) {
            if (((unsigned char)s[i] & 0xC0) != 0x80) {
                if (runes == (size_t)sp->prec) {
                    break;
                }
                runes++;
            }
        }
        len = i;
    }
    switch (sp->verb) {
    case 'v':
    case 's':
        pad(out, s, len, sp, false);
        break;
    case 'q':
        quote(s, len, sp->plus, &tmp);
        pad(out, tmp.ptr, tmp.len, sp, false);
        break;
    case 'x':
    case 'X':
        for (size_t i = 0; i < len; i++) {
            if (sp->space && i > 0) {
                buf_addc(&tmp, ' ');
            }
            buf_addf(&tmp, sp->verb == 'x' ? "%02x" : "%02X", (unsigned char)s[i]);
        }
        pad(out, tmp.ptr, tmp.len, sp, false);
        break;
    default:
        bad_verb(v, sp->verb, out);
        break;
    }
    buf_release(&tmp);
}

/* %#v: Go-syntax representation. */
static void go_syntax(const struct val *v, bool top, struct buf *out)
{
    if (!v || v->type == VAL_NULL) {
        buf_adds(out, top ? "<nil>" : "interface {}(nil)");
        return;
    }
    switch (v->type) {
    case VAL_NULL:
        break;
    case VAL_BOOL:
    case VAL_INT:
    case VAL_DOUBLE:
        gotpl_fmt_value(v, out);
        break;
    case VAL_STR:
        gotpl_quote(v->u.s.ptr, v->u.s.len, out);
        break;
    case VAL_LIST:
        buf_adds(out, gotpl_type_name(v));
        buf_addc(out, '{');
        for (size_t i = 0; i < v->u.list.len; i++) {
            if (i > 0) {
                buf_adds(out, ", ");
            }
            go_syntax(v->u.list.items[i], false, out);
        }
        buf_addc(out, '}');
        break;
    case VAL_DICT: {
        size_t n = v->u.dict.len;
        const char **keys = val_dict_sorted_keys(v);
        buf_adds(out, gotpl_type_name(v));
        buf_addc(out, '{');
        for (size_t i = 0; i < n; i++) {
            if (i > 0) {
                buf_adds(out, ", ");
            }
            gotpl_quote(keys[i], strlen(keys[i]), out);
            buf_addc(out, ':');
            go_syntax(val_dict_get(v, keys[i]), false, out);
        }
        buf_addc(out, '}');
        free(keys);
        break;
    }
    }
}

/* A semver value prints as Version.String(). */
static void semver_string(const struct val *v, struct buf *out)
{
    const char *pre = val_dict_get_str(v, "Prerelease");
    const char *meta = val_dict_get_str(v, "Metadata");
    struct val *ma = val_dict_get(v, "Major"), *mi = val_dict_get(v, "Minor");
    struct val *pa = val_dict_get(v, "Patch");

    buf_addf(out, "%lld.%lld.%lld", ma ? (long long)ma->u.i : 0, mi ? (long long)mi->u.i : 0,
             pa ? (long long)pa->u.i : 0);
    if (pre && *pre) {
        buf_addf(out, "-%s", pre);
    }
    if (meta && *meta) {
        buf_addf(out, "+%s", meta);
    }
}

static void fmt_value_verb(const struct val *v, const struct spec *sp, bool top, struct buf *out)
{
    if (sp->sharp_v) {
        go_syntax(v, top, out);
        return;
    }
    if (v && v->type == VAL_DICT && (v->flags & GOTPL_VAL_SEMVER) &&
        (sp->verb == 'v' || sp->verb == 's')) {
        struct buf tmp = BUF_INIT;

        semver_string(v, &tmp);
        pad(out, tmp.ptr, tmp.len, sp, false);
        buf_release(&tmp);
        return;
    }
    if (!v || v->type == VAL_NULL) {
        if (!top || sp->verb == 'v' || sp->verb == 'T') {
            pad(out, "<nil>", 5, sp, false);
        } else {
            bad_verb(v, sp->verb, out);
        }
        return;
    }
    if (sp->verb == 'T') {
        const char *t = gotpl_type_name(v);

        pad(out, t, strlen(t), sp, false);
        return;
    }
    switch (v->type) {
    case VAL_NULL:
        break;
    case VAL_BOOL:
        if (sp->verb == 'v' || sp->verb == 't') {
            pad(out, v->u.b ? "true" : "false", v->u.b ? 4 : 5, sp, false);
        } else {
            bad_verb(v, sp->verb, out);
        }
        break;
    case VAL_INT:
        fmt_int(v->u.i, sp, out, v);
        break;
    case VAL_DOUBLE:
        fmt_float(v->u.d, sp, out, v);
        break;
    case VAL_STR:
        fmt_string(v->u.s.ptr, v->u.s.len, sp, out, v);
        break;
    case VAL_LIST:
        buf_addc(out, '[');
        for (size_t i = 0; i < v->u.list.len; i++) {
            if (i > 0) {
                buf_addc(out, ' ');
            }
            fmt_value_verb(v->u.list.items[i], sp, false, out);
        }
        buf_addc(out, ']');
        break;
    case VAL_DICT: {
        size_t n = v->u.dict.len;
        const char **keys = val_dict_sorted_keys(v);
        buf_adds(out, "map[");
        for (size_t i = 0; i < n; i++) {
            if (i > 0) {
                buf_addc(out, ' ');
            }
            fmt_string(keys[i], strlen(keys[i]), sp, out, NULL);
            buf_addc(out, ':');
            fmt_value_verb(val_dict_get(v, keys[i]), sp, false, out);
        }
        buf_addc(out, ']');
        free(keys);
        break;
    }
    }
}

void gotpl_fmt_value(const struct val *v, struct buf *out)
{
    struct spec sp = { .width = -1, .prec = -1, .verb = 'v' };

    fmt_value_verb(v, &sp, true, out);
}

void gotpl_strval(const struct val *v, struct buf *out)
{
    if (v && v->type == VAL_STR) {
        buf_add(out, v->u.s.ptr, v->u.s.len);
        return;
    }
    gotpl_fmt_value(v, out);
}

void gotpl_sprint(struct val **args, size_t n, bool ln, struct buf *out)
{
    bool prev_string = false;

    for (size_t i = 0; i < n; i++) {
        bool is_string = args[i] && args[i]->type == VAL_STR;

        if (i > 0 && (ln || (!is_string && !prev_string))) {
            buf_addc(out, ' ');
        }
        gotpl_fmt_value(args[i], out);
        prev_string = is_string;
    }
    if (ln) {
        buf_addc(out, '\n');
    }
}

/* Reads a decimal number at fmt[*i]; -1 when there is none. */
static int parse_num(const char *fmt, size_t flen, size_t *i)
{
    int n = -1;

    while (*i < flen && fmt[*i] >= '0' && fmt[*i] <= '9') {
        n = (n < 0 ? 0 : n) * 10 + (fmt[*i] - '0');
        if (n > 1000000) {
            n = 1000000;
        }
        (*i)++;
    }
    return n;
}

/* A '*' width or precision from the next argument; false (and an error text) when it is not an
 * int. */
static bool star_arg(struct val **args, size_t n, size_t *argi, int *out, struct buf *o)
{
    if (*argi < n && args[*argi] && args[*argi]->type == VAL_INT) {
        int64_t w = args[(*argi)++]->u.i;

        *out = w > 1000000 ? 1000000 : w < -1000000 ? -1000000 : (int)w;
        return true;
    }
    if (*argi < n) {
        (*argi)++;
    }
    buf_adds(o, "%!(BADWIDTH)");
    return false;
}

void gotpl_sprintf(const char *fmt, size_t flen, struct val **args, size_t n, struct buf *out)
{
    size_t argi = 0;

    for (size_t i = 0; i < flen;) {
        struct spec sp = { .width = -1, .prec = -1 };

        if (fmt[i] != '%') {
            buf_addc(out, fmt[i++]);
            continue;
        }
        i++;
        for (; i < flen; i++) {
            char c = fmt[i];

            if (c == '-') {
                sp.minus = true;
                sp.zero = false;
            } else if (c == '+') {
                sp.plus = true;
            } else if (c == '#') {
                sp.sharp = true;
            } else if (c == ' ') {
                sp.space = true;
            } else if (c == '0') {
                sp.zero = !sp.minus;
            } else {
                break;
            }
        }
        if (i < flen && fmt[i] == '*') {
            i++;
            if (star_arg(args, n, &argi, &sp.width, out) && sp.width < 0) {
                sp.minus = true;
                sp.width = -sp.width;
            }
        } else {
            sp.width = parse_num(fmt, flen, &i);
        }
        if (i < flen && fmt[i] == '.') {
            i++;
            if (i < flen && fmt[i] == '*') {
                i++;
                if (!star_arg(args, n, &argi, &sp.prec, out) || sp.prec < 0) {
                    sp.prec = -1;
                }
            } else {
                sp.prec = parse_num(fmt, flen, &i);
                if (sp.prec < 0) {
                    sp.prec = 0;
                }
            }
        }
        if (i >= flen) {
            buf_adds(out, "%!(NOVERB)");
            break;
        }
        sp.verb = fmt[i++];
        if (sp.verb == 'v') {
            sp.sharp_v = sp.sharp;
            sp.sharp = false;
            sp.plus = false;
        }
        if (sp.verb == '%') {
            buf_addc(out, '%');
            continue;
        }
        if (argi >= n) {
            buf_addf(out, "%%!%c(MISSING)", sp.verb);
            continue;
        }
        fmt_value_verb(args[argi++], &sp, true, out);
    }
    if (argi < n) {
        buf_adds(out, "%!(EXTRA ");
        for (size_t k = argi; k < n; k++) {
            struct spec plain = { .width = -1, .prec = -1, .verb = 'v' };

            if (k > argi) {
                buf_adds(out, ", ");
            }
            if (!args[k] || args[k]->type == VAL_NULL) {
                buf_adds(out, "<nil>");
                continue;
            }
            buf_adds(out, gotpl_type_name(args[k]));
            buf_addc(out, '=');
            fmt_value_verb(args[k], &plain, false, out);
        }
        buf_addc(out, ')');
    }
}
