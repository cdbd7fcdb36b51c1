/*
 * tpl-pyformat.c - Python string formatting used from templates: "fmt" % args (%s %r %d %i %f %x
 * %o %e %g %%, with flags, width and precision) and "fmt".format(...) ({}, {0}, {name},
 * {0[1]}/{0.attr} not supported, format specs passed to the % engine: {:>10}, {:.2f}).
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "template/tpl-eval.h"

/* The largest width or precision a format may ask for: ten million characters of padding or
 * digits. Python goes up to sys.maxsize (and runs out of memory first); printf stops at INT_MAX. */
#define MAX_WIDTH 10000000

/* The number in 'p' (digits), or MAX_WIDTH + 1 when bigger than MAX_WIDTH; *p moves past it. */
static long read_width(const char **p)
{
    long n = 0;

    for (; **p >= '0' && **p <= '9'; (*p)++) {
        n = n > MAX_WIDTH ? n : n * 10 + (**p - '0');
    }
    return n > MAX_WIDTH ? MAX_WIDTH + 1 : n;
}

/* Fails when printf flags 'spec' ("%-10.2") ask for a width or precision above MAX_WIDTH. */
static int check_width(struct tpl_ctx *c, const char *spec)
{
    const char *p = spec + 1;
    long width, prec = 0;

    p += strspn(p, "-+ #0");
    width = read_width(&p);
    if (*p == '.') {
        p++;
        prec = read_width(&p);
    }
    if (width > MAX_WIDTH || prec > MAX_WIDTH) {
        return tpl_failn(c, "format %s too big in '%s' (at most %d)",
                         width > MAX_WIDTH ? "width" : "precision", spec, MAX_WIDTH);
    }
    return 0;
}

/* Formats one value for conversion 'conv' with printf flags 'spec' ("%-10.2"); 0 or -1. */
static int format_one(struct tpl_ctx *c, struct buf *out, const char *spec, char conv,
                      struct val *v)
{
    char fmt[64];
    bool num = v->type == VAL_INT || v->type == VAL_BOOL || v->type == VAL_DOUBLE;
    double d = v->type == VAL_DOUBLE ? v->u.d
               : v->type == VAL_INT  ? (double)v->u.i
                                     : (double)(v->type == VAL_BOOL && v->u.b);

    if (check_width(c, spec) < 0) {
        return -1;
    }
    if (conv == 's' || conv == 'r') {
        struct buf s = BUF_INIT;

        if (conv == 'r') {
            tpl_pyrepr(v, &s);
        } else {
            tpl_pystr(v, &s);
        }
        snprintf(fmt, sizeof(fmt), "%ss", spec);
        buf_addf(out, fmt, s.ptr);
        buf_release(&s);
        return 0;
    }
    if (!num) {
        return tpl_failn(c, "%%%c format: a real number is required, not %s", conv,
                         val_type_name(v->type));
    }
    if (strchr("dixXo", conv)) {
        long long i = v->type == VAL_DOUBLE ? (long long)v->u.d
                                            : v->type == VAL_INT ? (long long)v->u.i : v->u.b;

        if (conv != 'd' && conv != 'i' && v->type == VAL_DOUBLE) {
            return tpl_failn(c, "%%%c format: an integer is required, not float", conv);
        }
        snprintf(fmt, sizeof(fmt), "%sll%c", spec, conv == 'i' ? 'd' : conv);
        buf_addf(out, fmt, i);
        return 0;
    }
    snprintf(fmt, sizeof(fmt), "%s%c", spec, conv);
    buf_addf(out, fmt, d);
    return 0;
}

/* Reads "[flags][width][.prec]" into spec ("%...") and returns the conversion char or 0. */
static char read_spec(const char **p, char *spec, size_t size)
{
    size_t n = 0;

    spec[n++] = '%';
    while (**p && strchr("-+ #0123456789.", **p) && n + 2 < size) {
        spec[n++] = *(*p)++;
    }
    spec[n] = 0;
    return **p ? *(*p)++ : 0;
}

struct val *tpl_percent_format(struct tpl_ctx *c, struct val *fmt, struct val *args)
{
    struct buf out = BUF_INIT;
    bool many = args->type == VAL_LIST && (args->flags & TPL_TUPLE);
    size_t next = 0, nargs = many ? val_list_len(args) : 1;
    const char *p = fmt->u.s.ptr, *end = p + fmt->u.s.len;

    while (p < end) {
        char spec[32], conv;
        struct val *v;

        if (*p != '%') {
            buf_addc(&out, *p++);
            continue;
        }
        p++;
        if (p < end && *p == '%') {
            buf_addc(&out, *p++);
            continue;
        }
        conv = read_spec(&p, spec, sizeof(spec));
        if (!conv || !strchr("srdixXofeEgG", conv)) {
            buf_release(&out);
            return tpl_fail(c, "unsupported format character in '%s'", fmt->u.s.ptr);
        }
        if (next >= nargs) {
            buf_release(&out);
            return tpl_fail(c, "not enough arguments for format string");
        }
        v = many ? val_list_get(args, next) : args;
        next++;
        if (format_one(c, &out, spec, conv, v) < 0) {
            buf_release(&out);
            return NULL;
        }
    }
    if (next < nargs && !(args->type == VAL_DICT)) {
        buf_release(&out);
        return tpl_fail(c, "not all arguments converted during string formatting");
    }
    return tpl_str_from_buf(&out);
}

/* Converts a str.format spec "[[fill]align][0][width][.prec][type]" to printf; 0 or -1. */
static int format_field(struct tpl_ctx *c, struct buf *out, const char *spec, size_t len,
                        struct val *v)
{
    char pspec[32] = "%", conv = v->type == VAL_DOUBLE ? 'g' : v->type == VAL_INT ? 'd' : 's';
    size_t n = 1, i = 0;

    if (len == 0) {
        tpl_pystr(v, out);
        return 0;
    }
    if (i < len && (spec[i] == '<' || spec[i] == '>')) {
        if (spec[i] == '<') {
            pspec[n++] = '-';
        }
        i++;
    } else if (v->type == VAL_STR) {
        pspec[n++] = '-'; /* strings align left by default */
    }
    while (i < len && n + 2 < sizeof(pspec) && strchr("0123456789.", spec[i])) {
        pspec[n++] = spec[i++];
    }
    if (i < len && strchr("sdfeEgGxXo%", spec[i])) {
        conv = spec[i++];
    }
    if (i != len || conv == '%') {
        return tpl_failn(c, "unsupported format spec '%.*s'", (int)len, spec);
    }
    pspec[n] = 0;
    if (conv == 'g' && v->type == VAL_DOUBLE && !strchr(pspec, '.')) {
        tpl_pystr(v, out); /* {:} of a float is str(float) */
        return 0;
    }
    return format_one(c, out, pspec, conv, v);
}

struct val *tpl_str_format(struct tpl_ctx *c, struct val *fmt, const struct tpl_args *a)
{
    struct buf out = BUF_INIT;
    const char *p = fmt->u.s.ptr, *end = p + fmt->u.s.len;
    size_t auto_index = 0;

    while (p < end) {
        const char *close, *colon;
        struct val *v;
        char name[64];
        size_t nlen;

        if ((*p == '{' && p + 1 < end && p[1] == '{') ||
            (*p == '}' && p + 1 < end && p[1] == '}')) {
            buf_addc(&out, *p);
            p += 2;
            continue;
        }
        if (*p != '{') {
            buf_addc(&out, *p++);
            continue;
        }
        close = memchr(p, '}', (size_t)(end - p));
        if (!close) {
            buf_release(&out);
            return tpl_fail(c, "single '{' encountered in format string");
        }
        colon = memchr(p, ':', (size_t)(close - p));
        nlen = (size_t)((colon ? colon : close) - (p + 1));
        if (nlen >= sizeof(name)) {
            buf_release(&out);
            return tpl_fail(c, "format field name too long");
        }
        memcpy(name, p + 1, nlen);
        name[nlen] = 0;
        if (nlen == 0) {
            v = tpl_arg(a, auto_index++, NULL);
        } else if (strspn(name, "0123456789") == nlen) {
            v = tpl_arg(a, (size_t)strtoul(name, NULL, 10), NULL);
        } else {
            v = tpl_arg(a, SIZE_MAX, name);
        }
        if (!v) {
            buf_release(&out);
            return tpl_fail(c, "format: no argument for field '{%s}'", name);
        }
        if (format_field(c, &out, colon ? colon + 1 : close,
                         colon ? (size_t)(close - colon - 1) : 0, v) < 0) {
            buf_release(&out);
            return NULL;
        }
        p = close + 1;
    }
    return tpl_str_from_buf(&out);
}
