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
    gotpl_fmt_float_fixed(d, out);
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
    if (gotpl_has_methods(v)) {
        struct buf text = BUF_INIT; /* a semver marshals as its version string */

        gotpl_fmt_value(v, &text);
        json_string(text.ptr, text.len, escape_html, out);
        buf_release(&text);
        return 0;
    }
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
        keys = val_dict_sorted_keys(v);
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

/* ---- decoding: encoding/json's Unmarshal into interface{} ---- */

#define JSON_MAX_DEPTH 10000 /* encoding/json's maxNestingDepth */

static bool json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Go's SyntaxError text for the byte 'c' in 'context'. */
static void syntax_error(unsigned char c, const char *context, struct buf *msg)
{
    char utf8[3];
    size_t n = 1;

    buf_adds(msg, "invalid character ");
    if (c == '\'' || c == '"') {
        buf_adds(msg, c == '\'' ? "'\\''" : "'\"'");
    } else {
        struct buf q = BUF_INIT;

        /* strconv.Quote(string(rune(c))), between single quotes */
        utf8[0] = (char)c;
        if (c >= 0x80) {
            utf8[0] = (char)(0xC0 | (c >> 6));
            utf8[1] = (char)(0x80 | (c & 0x3F));
            n = 2;
        }
        gotpl_quote(utf8, n, &q);
        buf_addc(msg, '\'');
        buf_add(msg, q.ptr + 1, q.len - 2);
        buf_addc(msg, '\'');
        buf_release(&q);
    }
    buf_addf(msg, " %s", context);
}

enum jstate {
    J_BEGIN_VALUE,
    J_BEGIN_VALUE_OR_EMPTY,
    J_BEGIN_STRING,
    J_BEGIN_STRING_OR_EMPTY,
    J_END_VALUE,
    J_END_TOP,
    J_IN_STRING,
    J_IN_ESC,
    J_IN_ESC_U,
    J_NEG,
    J_1,
    J_0,
    J_DOT,
    J_DOT0,
    J_E,
    J_ESIGN,
    J_E0,
    J_LITERAL,
};

/* Go's scanner (checkValid) over the whole input: true, or false with Go's message in 'msg'. */
static bool json_check(const char *s, size_t len, struct buf *msg)
{
    char *stack = xmalloc(JSON_MAX_DEPTH + 1); /* 'k' object key, 'v' object value, 'a' array */
    size_t depth = 0, hex = 0;
    enum jstate st = J_BEGIN_VALUE;
    const char *lit = NULL, *litname = NULL;
    bool ok = false;

    for (size_t i = 0; i <= len; i++) {
        /* at the end, a space is stepped through as the scanner's eof() does: it ends a number,
         * fails a literal, or leaves the input unfinished */
        unsigned char c = i < len ? (unsigned char)s[i] : ' ';
        bool at_end = i == len;

again:
        switch (st) {
        case J_BEGIN_VALUE_OR_EMPTY:
            if (json_space((char)c)) {
                continue;
            }
            if (c == ']') {
                depth--;
                st = J_END_VALUE;
                continue;
            }
            st = J_BEGIN_VALUE;
            goto again;
        case J_BEGIN_VALUE:
            if (json_space((char)c)) {
                if (at_end) {
                    goto eof;
                }
                continue;
            }
            if (c == '{' || c == '[') {
                if (depth >= JSON_MAX_DEPTH) {
                    syntax_error(c, "exceeded max depth", msg);
                    goto out;
                }
                stack[depth++] = c == '{' ? 'k' : 'a';
                st = c == '{' ? J_BEGIN_STRING_OR_EMPTY : J_BEGIN_VALUE_OR_EMPTY;
            } else if (c == '"') {
                st = J_IN_STRING;
            } else if (c == '-') {
                st = J_NEG;
            } else if (c == '0') {
                st = J_0;
            } else if (c >= '1' && c <= '9') {
                st = J_1;
            } else if (c == 't' || c == 'f' || c == 'n') {
                litname = c == 't' ? "true" : c == 'f' ? "false" : "null";
                lit = litname + 1;
                st = J_LITERAL;
            } else {
                syntax_error(c, "looking for beginning of value", msg);
                goto out;
            }
            continue;
        case J_BEGIN_STRING_OR_EMPTY:
            if (json_space((char)c)) {
                if (at_end) {
                    goto eof;
                }
                continue;
            }
            if (c == '}') {
                depth--;
                st = J_END_VALUE;
                continue;
            }
            st = J_BEGIN_STRING;
            goto again;
        case J_BEGIN_STRING:
            if (json_space((char)c)) {
                if (at_end) {
                    goto eof;
                }
                continue;
            }
            if (c != '"') {
                syntax_error(c, "looking for beginning of object key string", msg);
                goto out;
            }
            st = J_IN_STRING;
            continue;
        case J_END_VALUE:
            if (depth == 0) {
                st = J_END_TOP;
                goto again;
            }
            if (json_space((char)c)) {
                if (at_end) {
                    goto eof;
                }
                continue;
            }
            if (stack[depth - 1] == 'k') {
                if (c != ':') {
                    syntax_error(c, "after object key", msg);
                    goto out;
                }
                stack[depth - 1] = 'v';
                st = J_BEGIN_VALUE;
            } else if (stack[depth - 1] == 'v') {
                if (c == ',') {
                    stack[depth - 1] = 'k';
                    st = J_BEGIN_STRING;
                } else if (c == '}') {
                    depth--;
                } else {
                    syntax_error(c, "after object key:value pair", msg);
                    goto out;
                }
            } else if (c == ',') {
                st = J_BEGIN_VALUE;
            } else if (c == ']') {
                depth--;
            } else {
                syntax_error(c, "after array element", msg);
                goto out;
            }
            continue;
        case J_END_TOP:
            if (!json_space((char)c)) {
                syntax_error(c, "after top-level value", msg);
                goto out;
            }
            continue;
        case J_IN_STRING:
            if (at_end) {
                goto eof;
            }
            if (c == '"') {
                st = J_END_VALUE;
            } else if (c == '\\') {
                st = J_IN_ESC;
            } else if (c < 0x20) {
                syntax_error(c, "in string literal", msg);
                goto out;
            }
            continue;
        case J_IN_ESC:
            if (c == 'u') {
                st = J_IN_ESC_U;
                hex = 0;
            } else if (strchr("bfnrt\\/\"", c) && c) {
                st = J_IN_STRING;
            } else {
                syntax_error(c, "in string escape code", msg);
                goto out;
            }
            continue;
        case J_IN_ESC_U:
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                syntax_error(c, "in \\u hexadecimal character escape", msg);
                goto out;
            }
            if (++hex == 4) {
                st = J_IN_STRING;
            }
            continue;
        case J_NEG:
            if (c == '0') {
                st = J_0;
            } else if (c >= '1' && c <= '9') {
                st = J_1;
            } else {
                syntax_error(c, "in numeric literal", msg);
                goto out;
            }
            continue;
        case J_1:
            if (c >= '0' && c <= '9') {
                continue;
            }
            st = J_0;
            goto again;
        case J_0:
            if (c == '.') {
                st = J_DOT;
            } else if (c == 'e' || c == 'E') {
                st = J_E;
            } else {
                st = J_END_VALUE;
                goto again;
            }
            continue;
        case J_DOT:
            if (!(c >= '0' && c <= '9')) {
                syntax_error(c, "after decimal point in numeric literal", msg);
                goto out;
            }
            st = J_DOT0;
            continue;
        case J_DOT0:
            if (c >= '0' && c <= '9') {
                continue;
            }
            if (c == 'e' || c == 'E') {
                st = J_E;
                continue;
            }
            st = J_END_VALUE;
            goto again;
        case J_E:
            if (c == '+' || c == '-') {
                st = J_ESIGN;
                continue;
            }
            st = J_ESIGN;
            goto again;
        case J_ESIGN:
            if (!(c >= '0' && c <= '9')) {
                syntax_error(c, "in exponent of numeric literal", msg);
                goto out;
            }
            st = J_E0;
            continue;
        case J_E0:
            if (c >= '0' && c <= '9') {
                continue;
            }
            st = J_END_VALUE;
            goto again;
        case J_LITERAL:
            if (c != (unsigned char)*lit) {
                char ctx[64];

                snprintf(ctx, sizeof(ctx), "in literal %s (expecting '%c')", litname, *lit);
                syntax_error(c, ctx, msg);
                goto out;
            }
            if (!*++lit) {
                st = J_END_VALUE;
            }
            continue;
        }
    }
    if (st == J_END_TOP) {
        ok = true;
        goto out;
    }
eof:
    buf_reset(msg);
    buf_adds(msg, "unexpected end of JSON input");
out:
    free(stack);
    return ok;
}

static size_t skip_ws(const char *s, size_t len, size_t i)
{
    while (i < len && json_space(s[i])) {
        i++;
    }
    return i;
}

static unsigned hex4(const char *p)
{
    unsigned v = 0;

    for (int k = 0; k < 4; k++) {
        char c = p[k];

        v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

/* A checked string at s[*i] (the quote): its value as Go's unquote makes it. */
static char *json_unquote(const char *s, size_t len, size_t *i, size_t *out_len)
{
    struct buf b = BUF_INIT;
    size_t p = *i + 1;

    while (p < len && s[p] != '"') {
        if (s[p] == '\\') {
            char e = s[p + 1];
            uint32_t cp;

            p += 2;
            switch (e) {
            case 'b':
                buf_addc(&b, '\b');
                break;
            case 'f':
                buf_addc(&b, '\f');
                break;
            case 'n':
                buf_addc(&b, '\n');
                break;
            case 'r':
                buf_addc(&b, '\r');
                break;
            case 't':
                buf_addc(&b, '\t');
                break;
            case 'u':
                cp = hex4(s + p);
                p += 4;
                if (cp >= 0xD800 && cp < 0xDC00 && p + 6 <= len && s[p] == '\\' &&
                    s[p + 1] == 'u') {
                    uint32_t lo = hex4(s + p + 2);

                    if (lo >= 0xDC00 && lo < 0xE000) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        p += 6;
                    }
                }
                buf_add_utf8(&b, cp >= 0xD800 && cp < 0xE000 ? 0xFFFD : cp);
                break;
            default:
                buf_addc(&b, e);
                break;
            }
            continue;
        }
        {
            uint32_t cp;
            size_t n = gotpl_utf8_next(s + p, len - p, &cp);

            if (n == 0) {
                buf_adds(&b, "\xEF\xBF\xBD");
                p++;
            } else {
                buf_add(&b, s + p, n);
                p += n;
            }
        }
    }
    *i = p + 1;
    if (!b.ptr) {
        buf_adds(&b, "");
    }
    return buf_detach(&b, out_len);
}

struct jframe {
    struct val *c; /* owned: the list or dict being filled */
    char *key;     /* owned: the dict's pending key */
};

/* A checked scalar at s[*i]. A number out of float64's range is nil, with 'msg' set. */
static struct val *json_scalar(const char *s, size_t len, size_t *i, struct buf *msg)
{
    size_t start = *i, n;
    char *text, *str;
    double d;

    if (s[start] == '"') {
        str = json_unquote(s, len, i, &n);
        return val_str_take(str, n);
    }
    if (s[start] == 't' || s[start] == 'f' || s[start] == 'n') {
        *i += s[start] == 'f' ? 5 : 4;
        return s[start] == 'n' ? val_null() : val_bool(s[start] == 't');
    }
    while (*i < len && strchr("0123456789+-.eE", s[*i]) && s[*i]) {
        (*i)++;
    }
    text = xstrndup(s + start, *i - start);
    d = strtod(text, NULL);
    if (isinf(d)) {
        if (msg->len == 0) {
            buf_addf(msg, "json: cannot unmarshal number %s into Go value of type float64", text);
        }
        free(text);
        return val_null();
    }
    free(text);
    return val_double(d);
}

/* Reads the object key at s[*i] (checked input) and the ':' after it into f->key. */
static void json_key(const char *s, size_t len, size_t *i, struct jframe *f)
{
    size_t n;

    *i = skip_ws(s, len, *i);
    f->key = json_unquote(s, len, i, &n);
    *i = skip_ws(s, len, *i) + 1;
}

struct val *gotpl_from_json(const char *s, size_t len, struct buf *msg)
{
    struct jframe *stack = NULL;
    size_t depth = 0, cap = 0, i = 0;
    struct val *v;

    if (!json_check(s, len, msg)) {
        return NULL;
    }
    for (;;) {
        i = skip_ws(s, len, i);
        if (s[i] == '{' || s[i] == '[') {
            bool obj = s[i] == '{';

            xgrow((void **)&stack, &cap, depth + 1, sizeof(*stack));
            stack[depth].c = obj ? val_dict() : val_list();
            stack[depth].key = NULL;
            depth++;
            i = skip_ws(s, len, i + 1);
            if (s[i] == '}' || s[i] == ']') {
                i++;
                v = stack[--depth].c;
            } else {
                if (obj) {
                    json_key(s, len, &i, &stack[depth - 1]);
                }
                continue;
            }
        } else {
            v = json_scalar(s, len, &i, msg);
        }
        /* hand 'v' to its container; close the containers that end here */
        for (;;) {
            struct jframe *top;

            if (depth == 0) {
                free(stack);
                return v;
            }
            top = &stack[depth - 1];
            if (top->c->type == VAL_DICT) {
                val_dict_set_take(top->c, top->key, v);
                free(top->key);
                top->key = NULL;
            } else {
                val_list_push_take(top->c, v);
            }
            i = skip_ws(s, len, i);
            if (s[i] == ',') {
                i++;
                if (top->c->type == VAL_DICT) {
                    json_key(s, len, &i, top);
                }
                break;
            }
            i++; /* '}' or ']' */
            v = top->c;
            depth--;
        }
    }
}
