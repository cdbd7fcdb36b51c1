/*
 * tpl-filter-str.c - string and scalar filters: case, trim, replace, indent, center, wordcount,
 * quote, basename/dirname, format, default/mandatory/ternary, bool/int/float/string, abs, round,
 * length, truncate, filesizeformat, urlencode.
 */
#include "pot.h"
#include <errno.h>
#include <math.h>
#include <string.h>
#include "base/buf.h"
#include "base/strutil.h"
#include "template/tpl-eval.h"

/* The value as a string (Python str()); a new reference. */
static struct val *as_str(struct val *v)
{
    return tpl_to_str(v);
}

static bool ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static struct val *recase(struct tpl_ctx *c, struct val *v, const struct tpl_args *a,
                          const char *name, enum tpl_case mode)
{
    struct val *s, *r;

    if (tpl_check_args(c, name, a, 0, NULL) < 0) {
        return NULL;
    }
    s = as_str(v);
    r = tpl_str_case(s, mode);
    val_unref(s);
    return r;
}

static struct val *f_lower(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    return recase(c, v, a, "lower", TPL_CASE_LOWER);
}

static struct val *f_upper(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    return recase(c, v, a, "upper", TPL_CASE_UPPER);
}

static struct val *f_capitalize(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    return recase(c, v, a, "capitalize", TPL_CASE_CAPITALIZE);
}

static struct val *f_title(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    return recase(c, v, a, "title", TPL_CASE_TITLE_JINJA);
}

static struct val *f_trim(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *s, *chars, *r;
    size_t b = 0, e;

    if (tpl_check_args(c, "trim", a, 1, "chars") < 0) {
        return NULL;
    }
    chars = tpl_arg(a, 0, "chars");
    if (chars && chars->type != VAL_STR && chars->type != VAL_NULL) {
        return tpl_fail(c, "trim: 'chars' must be a string");
    }
    s = as_str(v);
    e = s->u.s.len;
    if (chars && chars->type == VAL_STR) {
        while (b < e && memchr(chars->u.s.ptr, s->u.s.ptr[b], chars->u.s.len)) {
            b++;
        }
        while (e > b && memchr(chars->u.s.ptr, s->u.s.ptr[e - 1], chars->u.s.len)) {
            e--;
        }
    } else {
        while (b < e && ascii_space(s->u.s.ptr[b])) {
            b++;
        }
        while (e > b && ascii_space(s->u.s.ptr[e - 1])) {
            e--;
        }
    }
    r = val_strn(s->u.s.ptr + b, e - b);
    val_unref(s);
    return r;
}

struct val *tpl_str_replace(struct tpl_ctx *c, struct val *s, const struct tpl_args *a)
{
    struct val *from = tpl_arg(a, 0, "old"), *to = tpl_arg(a, 1, "new");
    struct val *cnt = tpl_arg(a, 2, "count");
    int64_t limit = cnt && cnt->type == VAL_INT ? cnt->u.i : -1;
    struct buf b = BUF_INIT;
    size_t i = 0;

    if (!from || !to || from->type != VAL_STR || to->type != VAL_STR) {
        return tpl_fail(c, "replace() expects two strings");
    }
    if (from->u.s.len == 0) {
        for (size_t k = 0; k <= s->u.s.len; k++) {
            if (limit < 0 || (int64_t)k < limit) {
                buf_add(&b, to->u.s.ptr, to->u.s.len);
            }
            if (k < s->u.s.len) {
                buf_addc(&b, s->u.s.ptr[k]);
            }
        }
        return tpl_str_from_buf(&b);
    }
    while (i < s->u.s.len) {
        const char *hit = limit == 0 ? NULL
                                     : memmem(s->u.s.ptr + i, s->u.s.len - i, from->u.s.ptr,
                                              from->u.s.len);

        if (!hit) {
            buf_add(&b, s->u.s.ptr + i, s->u.s.len - i);
            break;
        }
        buf_add(&b, s->u.s.ptr + i, (size_t)(hit - (s->u.s.ptr + i)));
        buf_add(&b, to->u.s.ptr, to->u.s.len);
        i = (size_t)(hit - s->u.s.ptr) + from->u.s.len;
        limit = limit > 0 ? limit - 1 : limit;
    }
    return tpl_str_from_buf(&b);
}

static struct val *f_replace(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *s, *r;

    if (tpl_check_args(c, "replace", a, 3, "old,new,count") < 0) {
        return NULL;
    }
    s = as_str(v);
    r = tpl_str_replace(c, s, a);
    val_unref(s);
    return r;
}

/* Jinja2's indent(width=4, first=False, blank=False), appended to 'out'; -1 (nothing appended)
 * after tpl_fail(). */
static int indent_into(struct tpl_ctx *c, struct val *v, const struct tpl_args *a,
                       struct buf *out)
{
    static const char spaces[] = "                                ";
    struct val *w = tpl_arg(a, 0, "width"), *first = tpl_arg(a, 1, "first"),
               *blank = tpl_arg(a, 2, "blank"), *s;
    struct buf wide = BUF_INIT;
    const char *ind, *text;
    size_t ind_len, len, i = 0;
    bool first_on, blank_on;

    if (tpl_check_args(c, "indent", a, 3, "width,first,blank") < 0) {
        return -1;
    }
    if (w && w->type == VAL_STR) {
        ind = w->u.s.ptr;
        ind_len = w->u.s.len;
    } else if (!w || w->type == VAL_INT) {
        ind_len = w ? (size_t)(w->u.i < 0 ? 0 : w->u.i) : 4;
        if (ind_len < sizeof(spaces)) {
            ind = spaces;
        } else {
            buf_addn(&wide, ' ', ind_len);
            ind = wide.ptr;
        }
    } else {
        return tpl_failn(c, "indent: 'width' must be an integer or a string");
    }
    s = as_str(v);
    text = s->u.s.ptr;
    len = s->u.s.len;
    first_on = first && val_truthy(first);
    blank_on = blank && val_truthy(blank);
    if (first_on) {
        buf_add(out, ind, ind_len);
    }
    for (size_t line = 0;; line++) { /* the lines of (s + "\n").splitlines(): s split on '\n' */
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        bool indented = line > 0 && (end > i || blank_on);
        size_t need = (line > 0) + (indented ? ind_len : 0) + (end - i);
        char *o;

        if (out->len + need >= out->cap) {
            buf_grow(out, need + (len - end)); /* this line and, as a guess, the rest */
        }
        o = out->ptr + out->len;
        if (line > 0) {
            *o++ = '\n';
        }
        if (indented) {
            memcpy(o, ind, ind_len);
            o += ind_len;
        }
        memcpy(o, text + i, end - i);
        out->len += need;
        out->ptr[out->len] = '\0';
        if (!nl) {
            break;
        }
        i = end + 1;
    }
    val_unref(s);
    buf_release(&wide);
    return 0;
}

static struct val *f_indent(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct buf out = BUF_INIT;

    if (indent_into(c, v, a, &out) < 0) {
        return NULL;
    }
    return tpl_str_from_buf(&out);
}

static int out_indent(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, struct buf *out)
{
    return indent_into(c, v, a, out) < 0 ? -1 : 1;
}

static size_t u8len(const char *s, size_t len)
{
    size_t n = 0;

    for (size_t i = 0; i < len; i++) {
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    }
    return n;
}

static struct val *f_center(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *w = tpl_arg(a, 0, "width"), *s;
    int64_t width = w && w->type == VAL_INT ? w->u.i : 80;
    struct buf b = BUF_INIT;
    size_t len, pad, left;

    if (tpl_check_args(c, "center", a, 1, "width") < 0) {
        return NULL;
    }
    s = as_str(v);
    len = u8len(s->u.s.ptr, s->u.s.len);
    if (width <= (int64_t)len || width > 1 << 20) {
        return s;
    }
    pad = (size_t)width - len;
    left = pad / 2 + (pad & (size_t)width & 1); /* CPython's str.center */
    buf_addn(&b, ' ', left);
    buf_add(&b, s->u.s.ptr, s->u.s.len);
    buf_addn(&b, ' ', pad - left);
    val_unref(s);
    return tpl_str_from_buf(&b);
}

static struct val *f_wordcount(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *s = as_str(v);
    int64_t n = 0;
    bool in_word = false;

    (void)c;
    (void)a;
    for (size_t i = 0; i < s->u.s.len; i++) {
        unsigned char ch = (unsigned char)s->u.s.ptr[i];
        bool w = ch >= 0x80 || ch == '_' || (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
                 (ch >= 'A' && ch <= 'Z');

        n += w && !in_word;
        in_word = w;
    }
    val_unref(s);
    return val_int(n);
}

/* shlex.quote */
static struct val *f_quote(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *s = as_str(v);
    struct buf b = BUF_INIT;
    bool safe = s->u.s.len > 0;

    (void)c;
    (void)a;
    for (size_t i = 0; i < s->u.s.len && safe; i++) {
        char ch = s->u.s.ptr[i];

        safe = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
               strchr("@%+=:,./-_", ch) != NULL;
    }
    if (safe) {
        return s;
    }
    buf_addc(&b, '\'');
    for (size_t i = 0; i < s->u.s.len; i++) {
        if (s->u.s.ptr[i] == '\'') {
            buf_adds(&b, "'\"'\"'");
        } else {
            buf_addc(&b, s->u.s.ptr[i]);
        }
    }
    buf_addc(&b, '\'');
    val_unref(s);
    return tpl_str_from_buf(&b);
}

static struct val *f_basename(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *s = as_str(v), *r;
    const char *slash = memrchr(s->u.s.ptr, '/', s->u.s.len);
    size_t off = slash ? (size_t)(slash - s->u.s.ptr) + 1 : 0;

    (void)c;
    (void)a;
    r = val_strn(s->u.s.ptr + off, s->u.s.len - off);
    val_unref(s);
    return r;
}

/* posixpath.dirname */
static struct val *f_dirname(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *s = as_str(v), *r;
    const char *slash = memrchr(s->u.s.ptr, '/', s->u.s.len);
    size_t n = slash ? (size_t)(slash - s->u.s.ptr) + 1 : 0, k = n;

    (void)c;
    (void)a;
    while (k > 0 && s->u.s.ptr[k - 1] == '/') {
        k--;
    }
    r = val_strn(s->u.s.ptr, k == 0 ? n : k);
    val_unref(s);
    return r;
}

static struct val *f_format(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *s = as_str(v), *args = val_list(), *r;

    args->flags |= TPL_TUPLE;
    for (size_t i = 0; i < a->npos; i++) {
        val_list_push(args, a->pos[i]);
    }
    r = tpl_percent_format(c, s, args);
    val_unref(args);
    val_unref(s);
    return r;
}

static struct val *f_default(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *def = tpl_arg(a, 0, "default_value"), *boolean = tpl_arg(a, 1, "boolean");

    if (tpl_check_args(c, "default", a, 2, "default_value,boolean") < 0) {
        return NULL;
    }
    if (tpl_is_undefined(v) || (boolean && val_truthy(boolean) && !val_truthy(v))) {
        return def ? val_ref(def) : val_str("");
    }
    return val_ref(v);
}

static struct val *f_mandatory(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *msg = tpl_arg(a, 0, "msg");

    if (!tpl_is_undefined(v)) {
        return val_ref(v);
    }
    if (msg && msg->type == VAL_STR) {
        return tpl_fail(c, "%s", msg->u.s.ptr);
    }
    return tpl_fail(c, "mandatory variable not defined: %s", v->u.s.ptr);
}

static struct val *f_ternary(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *t = tpl_arg(a, 0, "true_val"), *f = tpl_arg(a, 1, "false_val"),
               *n = tpl_arg(a, 2, "none_val");

    if (tpl_check_args(c, "ternary", a, 3, "true_val,false_val,none_val") < 0) {
        return NULL;
    }
    if (v->type == VAL_NULL && n && n->type != VAL_NULL) {
        return val_ref(n);
    }
    if (val_truthy(v)) {
        return t ? val_ref(t) : val_bool(true);
    }
    return f ? val_ref(f) : val_bool(false);
}

/* Ansible's to_bool: only yes/on/1/true (any case) and 1 are true. */
static struct val *f_bool(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    (void)c;
    (void)a;
    if (v->type == VAL_BOOL || v->type == VAL_NULL) {
        return val_ref(v); /* Ansible's bool filter passes None through */
    }
    if (v->type == VAL_STR) {
        static const char *const yes[] = { "yes", "on", "1", "true" };

        for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
            if (strcasecmp(v->u.s.ptr, yes[i]) == 0) {
                return val_bool(true);
            }
        }
        return val_bool(false);
    }
    return val_bool((v->type == VAL_INT && v->u.i == 1) || (v->type == VAL_DOUBLE && v->u.d == 1));
}

/* The common case of int(str): 1 to 18 ASCII digits without a leading zero (or "0"), which
 * parse_py_int would accept as the same number. */
static bool parse_plain_decimal(const struct val *v, int64_t *out)
{
    const char *p = v->u.s.ptr;
    size_t n = v->u.s.len;
    int64_t r = 0;

    if (n == 0 || n > 18 || (p[0] == '0' && n > 1)) {
        return false;
    }
    for (size_t k = 0; k < n; k++) {
        if (p[k] < '0' || p[k] > '9') {
            return false;
        }
        r = r * 10 + (p[k] - '0');
    }
    *out = r;
    return true;
}

/* Python int(str, base) for a stripped string; -1 when invalid. */
static int parse_py_int(const char *s, int base, int64_t *out)
{
    char *clean;
    char *end = NULL;
    int rc = -1;
    size_t n = 0;

    if (base != 0 && (base < 2 || base > 36)) {
        return -1; /* Python: int() base must be >= 2 and <= 36, or 0 */
    }
    clean = str_trim(s);
    end = clean;

    for (char *p = clean; *p; p++) { /* drop '_' separators between digits */
        if (*p != '_') {
            clean[n++] = *p;
        }
    }
    clean[n] = 0;
    if (n > 0 && !(base == 10 && n > 1 && clean[0] == '0' && strspn(clean, "0") != n)) {
        errno = 0;
        *out = strtoll(clean, &end, base);
        rc = (*end || errno) ? -1 : 0;
    }
    free(clean);
    return rc;
}

static struct val *f_int(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *def = tpl_arg(a, 0, "default"), *base = tpl_arg(a, 1, "base");
    int64_t i;
    double d;

    if (tpl_check_args(c, "int", a, 2, "default,base") < 0) {
        return NULL;
    }
    switch (v->type) {
    case VAL_INT:
        return val_ref(v);
    case VAL_BOOL:
        return val_int(v->u.b);
    case VAL_DOUBLE:
        if (isfinite(v->u.d) && fabs(v->u.d) < 9.2e18) {
            return val_int((int64_t)v->u.d);
        }
        break;
    case VAL_STR:
        if (!base && parse_plain_decimal(v, &i)) {
            return val_int(i);
        }
        if (parse_py_int(v->u.s.ptr, base && base->type == VAL_INT ? (int)base->u.i : 10, &i) ==
            0) {
            return val_int(i);
        }
        if (parse_double(v->u.s.ptr, &d) == 0 && isfinite(d) && fabs(d) < 9.2e18) {
            return val_int((int64_t)d);
        }
        break;
    default:
        break;
    }
    return def ? val_ref(def) : val_int(0);
}

/* {{ x | int }} without arguments, for ints, bools and plain decimal strings. */
static int out_int(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, struct buf *out)
{
    int64_t i;

    (void)c;
    if (a->npos || a->nkw) {
        return 0;
    }
    if (v->type == VAL_INT) {
        i = v->u.i;
    } else if (v->type == VAL_BOOL) {
        i = v->u.b;
    } else if (v->type != VAL_STR || !parse_plain_decimal(v, &i)) {
        return 0;
    }
    tpl_add_int(out, i);
    return 1;
}

static struct val *f_float(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *def = tpl_arg(a, 0, "default");
    double d;

    if (tpl_check_args(c, "float", a, 1, "default") < 0) {
        return NULL;
    }
    if (v->type == VAL_DOUBLE) {
        return val_ref(v);
    }
    if (v->type == VAL_INT || v->type == VAL_BOOL) {
        return val_double(v->type == VAL_INT ? (double)v->u.i : v->u.b);
    }
    if (v->type == VAL_STR && parse_double(v->u.s.ptr, &d) == 0) {
        return val_double(d);
    }
    return def ? val_ref(def) : val_double(0.0);
}

static struct val *f_string(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    (void)c;
    (void)a;
    return as_str(v);
}

static struct val *f_abs(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    (void)a;
    if (v->type == VAL_INT) {
        return v->u.i == INT64_MIN ? tpl_fail(c, "integer overflow")
                                   : val_int(v->u.i < 0 ? -v->u.i : v->u.i);
    }
    if (v->type == VAL_BOOL) {
        return val_int(v->u.b);
    }
    if (v->type == VAL_DOUBLE) {
        return val_double(fabs(v->u.d));
    }
    return tpl_fail(c, "bad operand type for abs(): '%s'", val_type_name(v->type));
}

/* Jinja2's round(precision=0, method='common'|'ceil'|'floor'). */
static struct val *f_round(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *p = tpl_arg(a, 0, "precision"), *m = tpl_arg(a, 1, "method");
    int64_t prec = p && p->type == VAL_INT ? p->u.i : 0;
    const char *method = m && m->type == VAL_STR ? m->u.s.ptr : "common";
    double d, scale;
    char tmp[400];

    if (tpl_check_args(c, "round", a, 2, "precision,method") < 0) {
        return NULL;
    }
    if (strcmp(method, "common") && strcmp(method, "ceil") && strcmp(method, "floor")) {
        return tpl_fail(c, "method must be common, ceil or floor");
    }
    if (v->type != VAL_INT && v->type != VAL_DOUBLE && v->type != VAL_BOOL) {
        return tpl_fail(c, "type %s doesn't define __round__ method", val_type_name(v->type));
    }
    if (prec < -300 || prec > 300) {
        return tpl_fail(c, "round: precision out of range");
    }
    d = v->type == VAL_DOUBLE ? v->u.d : v->type == VAL_INT ? (double)v->u.i : v->u.b;
    if (strcmp(method, "common") == 0) {
        if (v->type != VAL_DOUBLE) {
            return val_int(v->type == VAL_INT ? v->u.i : v->u.b);
        }
        if (!isfinite(d) || prec < 0) {
            scale = pow(10, (double)-prec);
            return val_double(isfinite(d) ? nearbyint(d / scale) * scale : d);
        }
        snprintf(tmp, sizeof(tmp), "%.*f", (int)prec, d); /* exact, ties to even: like Python */
        return val_double(strtod(tmp, NULL));
    }
    scale = pow(10, (double)prec);
    return val_double((strcmp(method, "ceil") == 0 ? ceil(d * scale) : floor(d * scale)) / scale);
}

static struct val *f_length(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    (void)a;
    switch (v->type) {
    case VAL_STR:
        return val_int((int64_t)u8len(v->u.s.ptr, v->u.s.len));
    case VAL_LIST:
        return val_int((int64_t)val_list_len(v));
    case VAL_DICT:
        return val_int((int64_t)val_dict_len(v));
    default:
        return tpl_fail(c, "object of type '%s' has no len()", val_type_name(v->type));
    }
}

/* The byte offset of character 'chars' of UTF-8 text (its length when shorter). */
static size_t u8offset(const char *s, size_t len, size_t chars)
{
    size_t i = 0;

    for (; i < len; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && chars-- == 0) {
            break;
        }
    }
    return i;
}

/* truncate(length=255, killwords=False, end='...', leeway=5), Jinja's do_truncate. */
static struct val *f_truncate(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *lv = tpl_arg(a, 0, "length"), *kw = tpl_arg(a, 1, "killwords");
    struct val *ev = tpl_arg(a, 2, "end"), *lw = tpl_arg(a, 3, "leeway"), *s;
    int64_t length = lv && lv->type == VAL_INT ? lv->u.i : 255;
    int64_t leeway = lw && lw->type == VAL_INT ? lw->u.i : 5;
    const char *end = ev && ev->type == VAL_STR ? ev->u.s.ptr : "...";
    size_t end_chars = u8len(end, strlen(end)), cut;
    struct buf b = BUF_INIT;

    if (tpl_check_args(c, "truncate", a, 4, "length,killwords,end,leeway") < 0) {
        return NULL;
    }
    if (length < (int64_t)end_chars) {
        return tpl_fail(c, "expected length >= %zu, got %lld", end_chars, (long long)length);
    }
    if (leeway < 0) {
        return tpl_fail(c, "expected leeway >= 0, got %lld", (long long)leeway);
    }
    s = as_str(v);
    if ((int64_t)u8len(s->u.s.ptr, s->u.s.len) <= length + leeway) {
        return s;
    }
    cut = u8offset(s->u.s.ptr, s->u.s.len, (size_t)length - end_chars);
    if (!(kw && val_truthy(kw))) { /* s[:cut].rsplit(" ", 1)[0] */
        const char *space = memrchr(s->u.s.ptr, ' ', cut);

        cut = space ? (size_t)(space - s->u.s.ptr) : cut;
    }
    buf_add(&b, s->u.s.ptr, cut);
    buf_adds(&b, end);
    val_unref(s);
    return tpl_str_from_buf(&b);
}

/* filesizeformat(binary=False): "1 Byte", "12 Bytes", "1.5 kB" (or KiB, ...). */
static struct val *f_filesizeformat(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    static const char *const decimal[] = { "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB" };
    static const char *const binary[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB",
                                          "YiB" };
    struct val *bin = tpl_arg(a, 0, "binary");
    bool is_bin = bin && val_truthy(bin);
    double bytes, base = is_bin ? 1024 : 1000, unit = base;
    size_t i = 0;

    if (tpl_check_args(c, "filesizeformat", a, 1, "binary") < 0) {
        return NULL;
    }
    if (v->type == VAL_INT || v->type == VAL_BOOL) {
        bytes = v->type == VAL_INT ? (double)v->u.i : v->u.b;
    } else if (v->type == VAL_DOUBLE) {
        bytes = v->u.d;
    } else if (v->type != VAL_STR || parse_double(v->u.s.ptr, &bytes) < 0) {
        return tpl_fail(c, "filesizeformat: could not convert the value to float");
    }
    if (bytes == 1) {
        return val_str("1 Byte");
    }
    if (bytes < base) {
        return val_strf("%lld Bytes", (long long)bytes);
    }
    for (i = 0; i < ARRAY_SIZE(decimal); i++) {
        unit *= base;
        if (bytes < unit || i + 1 == ARRAY_SIZE(decimal)) {
            break;
        }
    }
    return val_strf("%.1f %s", base * bytes / unit, is_bin ? binary[i] : decimal[i]);
}

/* Python's quote_from_bytes(str(x).encode(), safe), with "+" for spaces in a query string. */
static void url_quote(const struct val *v, bool for_qs, struct buf *out)
{
    struct buf text = BUF_INIT;

    val_to_pystr(v, &text);
    for (size_t i = 0; i < text.len; i++) {
        unsigned char ch = (unsigned char)text.ptr[i];

        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            strchr("_.-~", ch) || (ch == '/' && !for_qs)) {
            buf_addc(out, (char)ch);
        } else if (ch == ' ' && for_qs) {
            buf_addc(out, '+');
        } else {
            buf_addf(out, "%%%02X", ch);
        }
    }
    buf_release(&text);
}

/* urlencode: a string quoted for a URL path; a dict or a list of pairs as a query string. */
static struct val *f_urlencode(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct buf b = BUF_INIT;

    if (tpl_check_args(c, "urlencode", a, 0, "") < 0) {
        return NULL;
    }
    if (v->type == VAL_DICT) {
        for (size_t i = 0; i < val_dict_len(v); i++) {
            struct val *k = val_str(val_dict_key_at(v, i));

            buf_adds(&b, i ? "&" : "");
            url_quote(k, true, &b);
            buf_addc(&b, '=');
            url_quote(val_dict_value_at(v, i), true, &b);
            val_unref(k);
        }
    } else if (v->type == VAL_LIST) {
        for (size_t i = 0; i < val_list_len(v); i++) {
            struct val *pair = val_list_get(v, i);

            if (pair->type != VAL_LIST || val_list_len(pair) != 2) {
                buf_release(&b);
                return tpl_fail(c, "urlencode: each item must be a (key, value) pair");
            }
            buf_adds(&b, i ? "&" : "");
            url_quote(val_list_get(pair, 0), true, &b);
            buf_addc(&b, '=');
            url_quote(val_list_get(pair, 1), true, &b);
        }
    } else {
        url_quote(v, false, &b);
    }
    return tpl_str_from_buf(&b);
}

const struct tpl_filter tpl_filters_str[] = {
    { "abs", f_abs, 0 },
    { "basename", f_basename, 0 },
    { "bool", f_bool, 0 },
    { "capitalize", f_capitalize, 0 },
    { "center", f_center, 0 },
    { "count", f_length, 0 },
    { "d", f_default, TPL_UNDEF_OK },
    { "default", f_default, TPL_UNDEF_OK },
    { "dirname", f_dirname, 0 },
    { "filesizeformat", f_filesizeformat, 0 },
    { "float", f_float, 0 },
    { "format", f_format, 0 },
    { "indent", f_indent, 0 },
    { "int", f_int, 0 },
    { "length", f_length, 0 },
    { "lower", f_lower, 0 },
    { "mandatory", f_mandatory, TPL_UNDEF_OK },
    { "quote", f_quote, 0 },
    { "replace", f_replace, 0 },
    { "round", f_round, 0 },
    { "string", f_string, 0 },
    { "ternary", f_ternary, 0 },
    { "title", f_title, 0 },
    { "trim", f_trim, 0 },
    { "truncate", f_truncate, 0 },
    { "upper", f_upper, 0 },
    { "urlencode", f_urlencode, 0 },
    { "wordcount", f_wordcount, 0 },
    { 0 },
};

const struct tpl_filter_out tpl_filter_outs_str[] = {
    { f_indent, out_indent },
    { f_int, out_int },
    { 0 },
};
