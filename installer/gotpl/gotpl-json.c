/*
 * gotpl-json.c - Go's encoding/json over template values: json.Marshal / MarshalIndent output
 * (map keys sorted, HTML characters escaped as \u003c unless asked not to, floats in Go's JSON
 * form: 'f' between 1e-6 and 1e21, else 'e' with a short exponent), and the conversion of parsed
 * JSON/YAML to Go's interface{} model (every number a float64).
 */
#include "pot.h"
#include <math.h>
#include <string.h>
#include "base/xalloc.h"
#include "gotpl/gotpl-int.h"

static void json_string(const char *s, size_t len, bool escape_html, struct buf *out)
{
    static const char hex[] = "0123456789abcdef";

    buf_addc(out, '"');
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];

        if (c < 0x80) {
            if (c == '"' || c == '\\') {
                buf_addc(out, '\\');
                buf_addc(out, (char)c);
            } else if (c == '\n') {
                buf_adds(out, "\\n");
            } else if (c == '\r') {
                buf_adds(out, "\\r");
            } else if (c == '\t') {
                buf_adds(out, "\\t");
            } else if (c < 0x20 || (escape_html && (c == '<' || c == '>' || c == '&'))) {
                buf_adds(out, "\\u00");
                buf_addc(out, hex[c >> 4]);
                buf_addc(out, hex[c & 15]);
            } else {
                buf_addc(out, (char)c);
            }
            i++;
            continue;
        }
        {
            uint32_t cp;
            size_t n = gotpl_utf8_next(s + i, len - i, &cp);

            if (n == 0) {
                buf_adds(out, "\\ufffd");
                i++;
            } else if (cp == 0x2028 || cp == 0x2029) {
                buf_adds(out, cp == 0x2028 ? "\\u2028" : "\\u2029");
                i += n;
            } else {
                buf_add(out, s + i, n);
                i += n;
            }
        }
    }
    buf_addc(out, '"');
}

/* encoding/json's float64 form. */
static void json_float(double d, struct buf *out)
{
    double a = fabs(d);

    if (a != 0 && (a < 1e-6 || a >= 1e21)) {
        struct buf tmp = BUF_INIT;
        char *e;

        gotpl_fmt_float(d, &tmp); /* exponent form for these magnitudes */
        e = strstr(tmp.ptr, "e-0");
        if (e) {
            memmove(e + 2, e + 3, strlen(e + 3) + 1);
            tmp.len--;
        }
        buf_add(out, tmp.ptr, tmp.len);
        buf_release(&tmp);
        return;
    }
    {
        /* 'f' with the shortest digits */
        struct buf tmp = BUF_INIT;
        char *e;

        gotpl_fmt_float(d, &tmp);
        e = strchr(tmp.ptr, 'e');
        if (!e) {
            buf_add(out, tmp.ptr, tmp.len);
        } else {
            /* d.ddde+XX -> plain decimal */
            int exp = (int)strtol(e + 1, NULL, 10);
            bool neg = tmp.ptr[0] == '-';
            char digits[40];
            size_t nd = 0;
            int dp;

            for (char *p = tmp.ptr + neg; p < e; p++) {
                if (*p != '.' && nd + 1 < sizeof(digits)) {
                    digits[nd++] = *p;
                }
            }
            digits[nd] = 0;
            dp = exp + 1;
            if (neg) {
                buf_addc(out, '-');
            }
            if (dp <= 0) {
                buf_adds(out, "0.");
                buf_addn(out, '0', (size_t)-dp);
                buf_adds(out, digits);
            } else if ((size_t)dp >= nd) {
                buf_adds(out, digits);
                buf_addn(out, '0', (size_t)dp - nd);
            } else {
                buf_add(out, digits, (size_t)dp);
                buf_addc(out, '.');
                buf_adds(out, digits + dp);
            }
        }
        buf_release(&tmp);
    }
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void newline(struct buf *out, const char *indent, int level)
{
    buf_addc(out, '\n');
    for (int i = 0; i < level; i++) {
        buf_adds(out, indent);
    }
}

static int emit(const struct val *v, struct buf *out, const char *indent, bool escape_html,
                int level)
{
    switch (v ? v->type : VAL_NULL) {
    case VAL_NULL:
        buf_adds(out, "null");
        return 0;
    case VAL_BOOL:
        buf_adds(out, v->u.b ? "true" : "false");
        return 0;
    case VAL_INT:
        buf_addf(out, "%lld", (long long)v->u.i);
        return 0;
    case VAL_DOUBLE:
        if (isnan(v->u.d) || isinf(v->u.d)) {
            return -1;
        }
        json_float(v->u.d, out);
        return 0;
    case VAL_STR:
        json_string(v->u.s.ptr, v->u.s.len, escape_html, out);
        return 0;
    case VAL_LIST:
        if (v->u.list.len == 0) {
            buf_adds(out, "[]");
            return 0;
        }
        buf_addc(out, '[');
        for (size_t i = 0; i < v->u.list.len; i++) {
            if (i > 0) {
                buf_addc(out, ',');
            }
            if (indent) {
                newline(out, indent, level + 1);
            }
            if (emit(v->u.list.items[i], out, indent, escape_html, level + 1) < 0) {
                return -1;
            }
        }
        if (indent) {
            newline(out, indent, level);
        }
        buf_addc(out, ']');
        return 0;
    case VAL_DICT: {
        size_t n = v->u.dict.len;
        const char **keys;
        int rc = 0;

        if (n == 0) {
            buf_adds(out, "{}");
            return 0;
        }
        keys = xcalloc(n, sizeof(*keys));
        for (size_t i = 0; i < n; i++) {
            keys[i] = v->u.dict.keys[i];
        }
        qsort(keys, n, sizeof(*keys), key_cmp);
        buf_addc(out, '{');
        for (size_t i = 0; i < n && rc == 0; i++) {
            if (i > 0) {
                buf_addc(out, ',');
            }
            if (indent) {
                newline(out, indent, level + 1);
            }
            json_string(keys[i], strlen(keys[i]), escape_html, out);
            buf_adds(out, indent ? ": " : ":");
            rc = emit(val_dict_get(v, keys[i]), out, indent, escape_html, level + 1);
        }
        free(keys);
        if (rc < 0) {
            return -1;
        }
        if (indent) {
            newline(out, indent, level);
        }
        buf_addc(out, '}');
        return 0;
    }
    }
    return 0;
}

int gotpl_to_json(const struct val *v, struct buf *out, const char *indent, bool escape_html)
{
    size_t start = out->len;

    if (emit(v, out, indent, escape_html, 0) < 0) {
        buf_truncate(out, start);
        return -1;
    }
    return 0;
}

struct val *gotpl_float_numbers(struct val *v)
{
    struct val *out;

    switch (v->type) {
    case VAL_INT:
        return val_double((double)v->u.i);
    case VAL_LIST:
        out = val_list();
        for (size_t i = 0; i < v->u.list.len; i++) {
            val_list_push_take(out, gotpl_float_numbers(v->u.list.items[i]));
        }
        return out;
    case VAL_DICT:
        out = val_dict();
        for (size_t i = 0; i < v->u.dict.len; i++) {
            val_dict_set_take(out, v->u.dict.keys[i], gotpl_float_numbers(v->u.dict.values[i]));
        }
        return out;
    default:
        return val_ref(v);
    }
}
