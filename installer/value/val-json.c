/*
 * val-json.c - JSON parsing with jansson and Python-compatible JSON emitting.
 */
#include "pot.h"
#include <jansson.h>
#include <math.h>
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "value/val-json.h"
#include "value/val.h"

static struct val *from_jansson(json_t *j)
{
    struct val *v = NULL;
    const char *key;
    json_t *item;
    size_t i;

    switch (json_typeof(j)) {
    case JSON_OBJECT:
        v = val_dict();
        json_object_foreach(j, key, item) {
            val_dict_set_take(v, key, from_jansson(item));
        }
        break;
    case JSON_ARRAY:
        v = val_list();
        json_array_foreach(j, i, item) {
            val_list_push_take(v, from_jansson(item));
        }
        break;
    case JSON_STRING:
        v = val_strn(json_string_value(j), json_string_length(j));
        break;
    case JSON_INTEGER:
        v = val_int(json_integer_value(j));
        break;
    case JSON_REAL:
        v = val_double(json_real_value(j));
        break;
    case JSON_TRUE:
        v = val_bool(true);
        break;
    case JSON_FALSE:
        v = val_bool(false);
        break;
    case JSON_NULL:
        v = val_null();
        break;
    }
    return v;
}

/* Refuses text whose arrays and objects nest deeper than VAL_MAX_DEPTH before jansson (whose
 * limit is its own, and which keeps no positions) builds it: -1 with 'err' set at the bracket
 * one level too deep. Brackets inside strings do not count. */
static int check_depth(const char *text, size_t len, const char *name, struct err *err)
{
    bool in_string = false;
    int depth = 0, line = 1, col = 0;

    for (size_t i = 0; i < len; i++) {
        char c = text[i];

        col++;
        if (c == '\n') {
            line++;
            col = 0;
        } else if (in_string) {
            if (c == '\\') {
                i++;
                col++;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > VAL_MAX_DEPTH) {
                struct srcpos pos = { pos_intern(name), line, col };

                return err_at(err, ERR_PARSE, &pos, "nested too deeply (more than %d levels)",
                              VAL_MAX_DEPTH);
            }
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return 0;
}

struct val *val_from_json(const char *text, size_t len, const char *name, struct err *err)
{
    json_error_t jerr;
    json_t *j;
    struct val *v;

    name = name ? name : "<string>";
    if (check_depth(text, len, name, err) < 0) {
        return NULL;
    }
    j = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!j) {
        struct srcpos pos = { pos_intern(name), jerr.line, jerr.column };

        err_at(err, ERR_PARSE, &pos, "invalid JSON: %s", jerr.text);
        return NULL;
    }
    v = from_jansson(j);
    json_decref(j);
    return v;
}

struct val *val_from_json_file(const char *path, struct err *err)
{
    struct buf text = BUF_INIT;
    struct val *v = NULL;

    if (fs_read_file(path, &text, err) == 0) {
        v = val_from_json(text.ptr, text.len, path, err);
    }
    buf_release(&text);
    return v;
}

/* Decodes one UTF-8 sequence at s (n bytes left); returns its length, 0 if invalid. */
static size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xe0) == 0xc0 && n >= 2 && (s[1] & 0xc0) == 0x80) {
        *cp = (unsigned)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
        return 2;
    }
    if ((s[0] & 0xf0) == 0xe0 && n >= 3 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
        *cp = (unsigned)(s[0] & 0x0f) << 12 | (unsigned)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
        return 3;
    }
    if ((s[0] & 0xf8) == 0xf0 && n >= 4 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80 &&
        (s[3] & 0xc0) == 0x80) {
        *cp = (unsigned)(s[0] & 0x07) << 18 | (unsigned)(s[1] & 0x3f) << 12 |
              (unsigned)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
        return 4;
    }
    return 0;
}

static void emit_string(const char *s, size_t len, struct buf *out, unsigned flags)
{
    const unsigned char *p = (const unsigned char *)s;

    buf_addc(out, '"');
    for (size_t i = 0; i < len;) {
        unsigned char c = p[i];
        unsigned cp;
        size_t n;

        switch (c) {
        case '"':
            buf_adds(out, "\\\"");
            i++;
            continue;
        case '\\':
            buf_adds(out, "\\\\");
            i++;
            continue;
        case '\n':
            buf_adds(out, "\\n");
            i++;
            continue;
        case '\r':
            buf_adds(out, "\\r");
            i++;
            continue;
        case '\t':
            buf_adds(out, "\\t");
            i++;
            continue;
        case '\b':
            buf_adds(out, "\\b");
            i++;
            continue;
        case '\f':
            buf_adds(out, "\\f");
            i++;
            continue;
        default:
            break;
        }
        if (c < 0x20 || (c == 0x7f && (flags & VAL_JSON_ENSURE_ASCII))) {
            buf_addf(out, "\\u%04x", c);
            i++;
            continue;
        }
        if (c < 0x80 || !(flags & VAL_JSON_ENSURE_ASCII)) {
            buf_addc(out, (char)c);
            i++;
            continue;
        }
        n = utf8_decode(p + i, len - i, &cp);
        if (!n) {
            buf_addf(out, "\\u%04x", c);
            i++;
            continue;
        }
        if (cp >= 0x10000) {
            cp -= 0x10000;
            buf_addf(out, "\\u%04x\\u%04x", 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
        } else {
            buf_addf(out, "\\u%04x", cp);
        }
        i += n;
    }
    buf_addc(out, '"');
}

static void newline_indent(struct buf *out, int indent, int depth)
{
    buf_addc(out, '\n');
    buf_addn(out, ' ', (size_t)indent * (size_t)depth);
}

static int compare_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void emit(const struct val *v, struct buf *out, int indent, unsigned flags, int depth);

static void emit_dict(const struct val *v, struct buf *out, int indent, unsigned flags, int depth)
{
    size_t n = val_dict_len(v);
    const char **keys;

    if (!n) {
        buf_adds(out, "{}");
        return;
    }
    keys = xmalloc(n * sizeof(*keys));
    for (size_t i = 0; i < n; i++) {
        keys[i] = val_dict_key_at(v, i);
    }
    if (flags & VAL_JSON_SORT_KEYS) {
        qsort(keys, n, sizeof(*keys), compare_keys);
    }
    buf_addc(out, '{');
    for (size_t i = 0; i < n; i++) {
        if (i) {
            buf_adds(out, indent >= 0 ? "," : ", ");
        }
        if (indent >= 0) {
            newline_indent(out, indent, depth + 1);
        }
        emit_string(keys[i], strlen(keys[i]), out, flags);
        buf_adds(out, ": ");
        emit(val_dict_get(v, keys[i]), out, indent, flags, depth + 1);
    }
    if (indent >= 0) {
        newline_indent(out, indent, depth);
    }
    buf_addc(out, '}');
    free(keys);
}

static void emit_list(const struct val *v, struct buf *out, int indent, unsigned flags, int depth)
{
    size_t n = val_list_len(v);

    if (!n) {
        buf_adds(out, "[]");
        return;
    }
    buf_addc(out, '[');
    for (size_t i = 0; i < n; i++) {
        if (i) {
            buf_adds(out, indent >= 0 ? "," : ", ");
        }
        if (indent >= 0) {
            newline_indent(out, indent, depth + 1);
        }
        emit(val_list_get(v, i), out, indent, flags, depth + 1);
    }
    if (indent >= 0) {
        newline_indent(out, indent, depth);
    }
    buf_addc(out, ']');
}

static void emit(const struct val *v, struct buf *out, int indent, unsigned flags, int depth)
{
    switch (v->type) {
    case VAL_NULL:
        buf_adds(out, "null");
        break;
    case VAL_BOOL:
        buf_adds(out, v->u.b ? "true" : "false");
        break;
    case VAL_INT:
        buf_addf(out, "%lld", (long long)v->u.i);
        break;
    case VAL_DOUBLE:
        if (isnan(v->u.d)) {
            buf_adds(out, "NaN");
        } else if (isinf(v->u.d)) {
            buf_adds(out, v->u.d < 0 ? "-Infinity" : "Infinity");
        } else {
            val_format_double(v->u.d, out);
        }
        break;
    case VAL_STR:
        emit_string(v->u.s.ptr, v->u.s.len, out, flags);
        break;
    case VAL_LIST:
        emit_list(v, out, indent, flags, depth);
        break;
    case VAL_DICT:
        emit_dict(v, out, indent, flags, depth);
        break;
    }
}

void val_to_json(const struct val *v, struct buf *out, int indent, unsigned flags)
{
    emit(v, out, indent, flags, 0);
}
