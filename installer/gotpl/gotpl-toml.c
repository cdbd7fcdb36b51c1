/*
 * gotpl-toml.c - Helm's toToml and fromToml over BurntSushi/toml. Encoding writes as its encoder
 * does: a table's plain keys sorted, then its sub-tables (a blank line before each top-level
 * one, nested ones indented two spaces per level), arrays inline, lists of maps as [[arrays of
 * tables]], floats always with a decimal point, nil map values left out. Decoding reads the
 * TOML that values use: comments, bare, quoted and dotted keys, [tables] and [[arrays of
 * tables]], basic and literal strings (one-line and multi-line), integers (with _ and 0x/0o/0b),
 * floats (with inf and nan), booleans, arrays and inline tables; dates and times are refused.
 */
#include "pot.h"
#include <errno.h>
#include <math.h>
#include <string.h>
#include "base/xalloc.h"
#include "gotpl/gotpl-int.h"

/* ---- encoding ---- */

static bool is_table(const struct val *v)
{
    return v->type == VAL_DICT ||
           (v->type == VAL_LIST && v->u.list.len > 0 && v->u.list.items[0]->type == VAL_DICT);
}

static void quoted(const char *s, size_t len, struct buf *out)
{
    buf_addc(out, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        switch (c) {
        case '"':
            buf_adds(out, "\\\"");
            break;
        case '\\':
            buf_adds(out, "\\\\");
            break;
        case '\b':
            buf_adds(out, "\\b");
            break;
        case '\t':
            buf_adds(out, "\\t");
            break;
        case '\n':
            buf_adds(out, "\\n");
            break;
        case '\f':
            buf_adds(out, "\\f");
            break;
        case '\r':
            buf_adds(out, "\\r");
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                buf_addf(out, "\\u%04x", c);
            } else {
                buf_addc(out, (char)c);
            }
        }
    }
    buf_addc(out, '"');
}

static void key_part(const char *k, struct buf *out)
{
    size_t n = strlen(k);

    if (n > 0 &&
        strspn(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n) {
        buf_adds(out, k);
    } else {
        quoted(k, n, out);
    }
}

struct tenc {
    struct buf *out;
    bool written;
    const char *error; /* the first error, BurntSushi's text */
};

static void newline(struct tenc *e)
{
    if (e->written) {
        buf_addc(e->out, '\n');
    }
}

static void element(struct tenc *e, const struct val *v, int depth);

/* The keys of 'd' whose values are (or are not) tables, sorted, NULL after the last; the caller
 * frees the array. */
static const char **table_keys(const struct val *d, bool tables, size_t *n)
{
    const char **keys = val_dict_sorted_keys(d);

    *n = 0;
    for (size_t i = 0; keys[i]; i++) {
        if (is_table(val_dict_get(d, keys[i])) == tables) {
            keys[(*n)++] = keys[i];
        }
    }
    keys[*n] = NULL;
    return keys;
}

static void inline_table(struct tenc *e, const struct val *d, int depth)
{
    size_t nd, nt;
    const char **direct = table_keys(d, false, &nd), **sub = table_keys(d, true, &nt);
    bool first = true;

    buf_addc(e->out, '{');
    for (int pass = 0; pass < 2; pass++) {
        const char **keys = pass ? sub : direct;

        for (size_t i = 0; i < (pass ? nt : nd); i++) {
            const struct val *v = val_dict_get(d, keys[i]);

            if (v->type == VAL_NULL) {
                continue;
            }
            if (!first) {
                buf_adds(e->out, ", ");
            }
            first = false;
            key_part(keys[i], e->out);
            buf_adds(e->out, " = ");
            element(e, v, depth + 1);
        }
    }
    buf_addc(e->out, '}');
    free(direct);
    free(sub);
}

static void element(struct tenc *e, const struct val *v, int depth)
{
    struct buf num = BUF_INIT;

    if (depth > 1000) {
        e->error = e->error ? e->error : "toml: nesting too deep";
        return;
    }
    switch (v->type) {
    case VAL_NULL:
        e->error = e->error ? e->error : "toml: cannot encode array with nil element";
        break;
    case VAL_BOOL:
        buf_adds(e->out, v->u.b ? "true" : "false");
        break;
    case VAL_INT:
        buf_addf(e->out, "%lld", (long long)v->u.i);
        break;
    case VAL_DOUBLE:
        if (isnan(v->u.d)) {
            buf_adds(e->out, "nan");
        } else if (isinf(v->u.d)) {
            buf_adds(e->out, v->u.d < 0 ? "-inf" : "+inf");
        } else {
            gotpl_fmt_float_fixed(v->u.d, &num);
            buf_add(e->out, num.ptr, num.len);
            if (!strchr(num.ptr, '.')) {
                buf_adds(e->out, ".0");
            }
        }
        break;
    case VAL_STR:
        quoted(v->u.s.ptr, v->u.s.len, e->out);
        break;
    case VAL_LIST:
        buf_addc(e->out, '[');
        for (size_t i = 0; i < v->u.list.len; i++) {
            element(e, v->u.list.items[i], depth + 1);
            if (i + 1 < v->u.list.len) {
                buf_adds(e->out, ", ");
            }
        }
        buf_addc(e->out, ']');
        break;
    case VAL_DICT:
        inline_table(e, v, depth);
        break;
    }
    buf_release(&num);
    e->written = true;
}

/* A key path as a table header: parts joined by dots, quoted where not bare. */
static void header(const char *const *path, size_t n, struct buf *out)
{
    for (size_t i = 0; i < n; i++) {
        if (i) {
            buf_addc(out, '.');
        }
        key_part(path[i], out);
    }
}

static void table(struct tenc *e, const struct val *d, const char **path, size_t n);

/* One key of a table at 'path' (n parts, the key last). */
static void entry(struct tenc *e, const struct val *v, const char **path, size_t n)
{
    if (n > 1000) {
        e->error = e->error ? e->error : "toml: nesting too deep";
        return;
    }
    if (v->type == VAL_DICT) {
        if (n == 1) {
            newline(e);
        }
        buf_addn(e->out, ' ', 2 * (n - 1));
        buf_addc(e->out, '[');
        header(path, n, e->out);
        buf_addc(e->out, ']');
        e->written = true;
        newline(e);
        table(e, v, path, n);
    } else if (is_table(v)) {
        for (size_t i = 0; i < v->u.list.len; i++) {
            const struct val *t = v->u.list.items[i];

            if (t->type == VAL_NULL) {
                continue;
            }
            if (t->type != VAL_DICT) {
                e->error = e->error ? e->error : "toml: cannot encode mixed array of tables";
                return;
            }
            newline(e);
            buf_addn(e->out, ' ', 2 * (n - 1));
            buf_adds(e->out, "[[");
            header(path, n, e->out);
            buf_adds(e->out, "]]");
            e->written = true;
            newline(e);
            table(e, t, path, n);
        }
    } else {
        buf_addn(e->out, ' ', 2 * (n - 1));
        key_part(path[n - 1], e->out);
        buf_adds(e->out, " = ");
        element(e, v, (int)n);
        newline(e);
    }
}

static void table(struct tenc *e, const struct val *d, const char **path, size_t n)
{
    size_t nd, nt;
    const char **direct = table_keys(d, false, &nd), **sub = table_keys(d, true, &nt);
    const char **p = xcalloc(n + 1, sizeof(*p));

    if (n > 0) {
        memcpy(p, path, n * sizeof(*p));
    }
    for (int pass = 0; pass < 2 && !e->error; pass++) {
        const char **keys = pass ? sub : direct;

        for (size_t i = 0; i < (pass ? nt : nd) && !e->error; i++) {
            const struct val *v = val_dict_get(d, keys[i]);

            if (v->type == VAL_NULL) {
                continue;
            }
            p[n] = keys[i];
            entry(e, v, p, n + 1);
        }
    }
    free(p);
    free(direct);
    free(sub);
}

/* BurntSushi/toml's Encode(v): the document, or its error's text. */
static void to_toml(const struct val *v, struct buf *out)
{
    struct tenc e = { .out = out };

    if (v->type == VAL_NULL || (v->type != VAL_DICT && is_table(v))) {
        buf_adds(out, "toml: top-level values must be Go maps or structs");
        return;
    }
    if (v->type == VAL_DICT) {
        table(&e, v, NULL, 0);
    } else {
        element(&e, v, 0); /* a top-level array or scalar is written bare */
    }
    if (e.error) {
        buf_reset(out);
        buf_adds(out, e.error);
    }
}

static int fn_to_toml(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf out = BUF_INIT;

    (void)x;
    (void)n;
    (void)err;
    to_toml(a[0], &out);
    *res = gotpl_take_buf(&out);
    return 0;
}

/* ---- decoding ---- */

struct tdec {
    const char *s;
    size_t len, i;
    int line;
    struct buf msg; /* the error, when set */
    int depth;
};

static bool fail(struct tdec *d, const char *what)
{
    if (d->msg.len == 0) {
        buf_addf(&d->msg, "toml: line %d: %s", d->line, what);
    }
    return false;
}

static int peek(const struct tdec *d)
{
    return d->i < d->len ? (unsigned char)d->s[d->i] : -1;
}

static void skip_blank(struct tdec *d)
{
    while (peek(d) == ' ' || peek(d) == '\t') {
        d->i++;
    }
}

static void skip_comment(struct tdec *d)
{
    if (peek(d) == '#') {
        while (d->i < d->len && d->s[d->i] != '\n') {
            d->i++;
        }
    }
}

/* Blanks, newlines and comments (inside arrays). */
static void skip_space(struct tdec *d)
{
    for (;;) {
        skip_blank(d);
        skip_comment(d);
        if (peek(d) == '\n' || peek(d) == '\r') {
            d->line += peek(d) == '\n';
            d->i++;
            continue;
        }
        return;
    }
}

/* Appends the UTF-8 form of 'cp'. */
static bool add_utf8(struct tdec *d, uint32_t cp, struct buf *out)
{
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return fail(d, "invalid unicode escape");
    }
    buf_add_utf8(out, cp);
    return true;
}

static bool escape(struct tdec *d, struct buf *out)
{
    int c = peek(d);
    uint32_t cp = 0;
    int digits;

    d->i++;
    switch (c) {
    case 'b':
        buf_addc(out, '\b');
        return true;
    case 't':
        buf_addc(out, '\t');
        return true;
    case 'n':
        buf_addc(out, '\n');
        return true;
    case 'f':
        buf_addc(out, '\f');
        return true;
    case 'r':
        buf_addc(out, '\r');
        return true;
    case '"':
    case '\\':
        buf_addc(out, (char)c);
        return true;
    case 'u':
    case 'U':
        digits = c == 'u' ? 4 : 8;
        for (int k = 0; k < digits; k++) {
            int h = peek(d);

            if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F'))) {
                return fail(d, "invalid unicode escape");
            }
            cp = cp * 16 + (uint32_t)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
            d->i++;
        }
        return add_utf8(d, cp, out);
    default:
        return fail(d, "invalid escape in string");
    }
}

/* A string starting at the quote; 'out' gets its value. */
static bool string(struct tdec *d, struct buf *out)
{
    char q = d->s[d->i];
    bool multi = d->i + 2 < d->len && d->s[d->i + 1] == q && d->s[d->i + 2] == q;

    d->i += multi ? 3 : 1;
    if (multi && peek(d) == '\n') {
        d->i++;
        d->line++;
    } else if (multi && peek(d) == '\r' && d->i + 1 < d->len && d->s[d->i + 1] == '\n') {
        d->i += 2;
        d->line++;
    }
    for (;;) {
        int c = peek(d);

        if (c < 0) {
            return fail(d, "unterminated string");
        }
        if (c == q &&
            (!multi || (d->i + 2 < d->len && d->s[d->i + 1] == q && d->s[d->i + 2] == q))) {
            d->i += multi ? 3 : 1;
            /* up to two more quotes belong to a multi-line string */
            for (int extra = 0; multi && extra < 2 && peek(d) == q; extra++) {
                buf_addc(out, q);
                d->i++;
            }
            return true;
        }
        if (c == '\n') {
            if (!multi) {
                return fail(d, "newline in string");
            }
            d->line++;
        } else if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
            return fail(d, "control character in string");
        }
        if (c == '\\' && q == '"') {
            d->i++;
            if (multi &&
                (peek(d) == ' ' || peek(d) == '\t' || peek(d) == '\n' || peek(d) == '\r')) {
                /* a line-ending backslash trims the whitespace that follows */
                while (peek(d) == ' ' || peek(d) == '\t' || peek(d) == '\n' || peek(d) == '\r') {
                    d->line += peek(d) == '\n';
                    d->i++;
                }
                continue;
            }
            if (!escape(d, out)) {
                return false;
            }
            continue;
        }
        buf_addc(out, (char)c);
        d->i++;
    }
}

/* A key (bare or quoted) into 'out'. */
static bool key(struct tdec *d, struct buf *out)
{
    size_t start;

    skip_blank(d);
    buf_reset(out);
    if (peek(d) == '"' || peek(d) == '\'') {
        if (d->i + 2 < d->len && d->s[d->i + 1] == d->s[d->i] && d->s[d->i + 2] == d->s[d->i]) {
            return fail(d, "multi-line string used as a key");
        }
        return string(d, out);
    }
    start = d->i;
    while (d->i < d->len &&
           strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", d->s[d->i])) {
        d->i++;
    }
    if (d->i == start) {
        return fail(d, "expected a key");
    }
    buf_add(out, d->s + start, d->i - start);
    return true;
}

/* A dotted key into 'parts' (a list of strings). */
static bool dotted_key(struct tdec *d, struct val *parts)
{
    struct buf k = BUF_INIT;

    for (;;) {
        if (!key(d, &k)) {
            buf_release(&k);
            return false;
        }
        val_list_push_take(parts, val_strn(k.ptr, k.len));
        skip_blank(d);
        if (peek(d) != '.') {
            break;
        }
        d->i++;
    }
    buf_release(&k);
    return true;
}

static struct val *value(struct tdec *d);

static struct val *number(struct tdec *d)
{
    size_t start = d->i, n;
    char *text, *clean, *end;
    size_t m = 0;
    struct val *v = NULL;
    bool is_float;

    while (d->i < d->len && strchr("0123456789abcdefABCDEFxXoO_+-.ni", d->s[d->i])) {
        d->i++;
    }
    n = d->i - start;
    text = xstrndup(d->s + start, n);
    clean = xmalloc(n + 1);
    for (size_t k = 0; k < n; k++) {
        if (text[k] == '_') {
            bool ok = k > 0 && k + 1 < n && strchr("0123456789abcdefABCDEF", text[k - 1]) &&
                      strchr("0123456789abcdefABCDEF", text[k + 1]);

            if (!ok) {
                goto out;
            }
            continue;
        }
        clean[m++] = text[k];
    }
    clean[m] = '\0';
    if (strcmp(clean, "inf") == 0 || strcmp(clean, "+inf") == 0 || strcmp(clean, "-inf") == 0) {
        v = val_double(clean[0] == '-' ? -INFINITY : INFINITY);
        goto out;
    }
    if (strcmp(clean, "nan") == 0 || strcmp(clean, "+nan") == 0 || strcmp(clean, "-nan") == 0) {
        v = val_double(NAN);
        goto out;
    }
    if (clean[0] == '0' && (clean[1] == 'x' || clean[1] == 'o' || clean[1] == 'b')) {
        int base = clean[1] == 'x' ? 16 : clean[1] == 'o' ? 8 : 2;
        unsigned long long u;

        if (!clean[2] || strchr(clean + 2, '-') || strchr(clean + 2, '+')) {
            goto out;
        }
        u = strtoull(clean + 2, &end, base);
        if (*end == '\0' && u <= INT64_MAX) {
            v = val_int((int64_t)u);
        }
        goto out;
    }
    is_float = strpbrk(clean, ".eE") != NULL;
    {
        const char *p = clean + (clean[0] == '+' || clean[0] == '-');

        /* no leading zeros; digits around a decimal point */
        if (!(*p >= '0' && *p <= '9') || (p[0] == '0' && p[1] >= '0' && p[1] <= '9')) {
            goto out;
        }
        if (strstr(p, ".") && !(strchr(p, '.')[1] >= '0' && strchr(p, '.')[1] <= '9')) {
            goto out;
        }
    }
    if (is_float) {
        double f = strtod(clean, &end);

        if (*end == '\0' && !isinf(f)) {
            v = val_double(f);
        }
    } else {
        long long i;

        errno = 0;
        i = strtoll(clean, &end, 10);
        if (*end == '\0' && errno == 0) {
            v = val_int(i);
        }
    }
out:
    if (!v) {
        fail(d, n && strchr(text, '-') && strchr(text + 1, '-')
                    ? "dates and times are not supported"
                    : "invalid number");
    }
    free(text);
    free(clean);
    return v;
}

static struct val *array(struct tdec *d)
{
    struct val *list = val_list();

    d->i++;
    for (;;) {
        struct val *item;

        skip_space(d);
        if (peek(d) == ']') {
            d->i++;
            return list;
        }
        item = value(d);
        if (!item) {
            val_unref(list);
            return NULL;
        }
        val_list_push_take(list, item);
        skip_space(d);
        if (peek(d) == ',') {
            d->i++;
            continue;
        }
        if (peek(d) == ']') {
            d->i++;
            return list;
        }
        val_unref(list);
        fail(d, "expected ',' or ']' in array");
        return NULL;
    }
}

static bool assign(struct tdec *d, struct val *table, struct val *path, struct val *v);

static struct val *inline_tbl(struct tdec *d)
{
    struct val *t = val_dict();

    d->i++;
    skip_blank(d);
    if (peek(d) == '}') {
        d->i++;
        return t;
    }
    for (;;) {
        struct val *path = val_list(), *v;

        if (!dotted_key(d, path)) {
            val_unref(path);
            break;
        }
        skip_blank(d);
        if (peek(d) != '=') {
            val_unref(path);
            fail(d, "expected '=' after a key");
            break;
        }
        d->i++;
        skip_blank(d);
        v = value(d);
        if (!v || !assign(d, t, path, v)) {
            val_unref(path);
            break;
        }
        val_unref(path);
        skip_blank(d);
        if (peek(d) == ',') {
            d->i++;
            continue;
        }
        if (peek(d) == '}') {
            d->i++;
            return t;
        }
        fail(d, "expected ',' or '}' in inline table");
        break;
    }
    val_unref(t);
    return NULL;
}

static struct val *value(struct tdec *d)
{
    int c = peek(d);
    struct val *v = NULL;

    if (++d->depth > 500) {
        fail(d, "nesting too deep");
    } else if (c == '"' || c == '\'') {
        struct buf s = BUF_INIT;

        if (string(d, &s)) {
            v = val_strn(s.ptr ? s.ptr : "", s.len);
        }
        buf_release(&s);
    } else if (c == '[') {
        v = array(d);
    } else if (c == '{') {
        v = inline_tbl(d);
    } else if (d->len - d->i >= 4 && strncmp(d->s + d->i, "true", 4) == 0) {
        d->i += 4;
        v = val_bool(true);
    } else if (d->len - d->i >= 5 && strncmp(d->s + d->i, "false", 5) == 0) {
        d->i += 5;
        v = val_bool(false);
    } else if (c >= 0 && strchr("0123456789+-in", c)) {
        v = number(d);
    } else {
        fail(d, "expected a value");
    }
    d->depth--;
    return v;
}

/* The table at 'path' under 'root', made as needed; an array of tables means its last one. */
static struct val *walk(struct tdec *d, struct val *root, struct val *path, size_t n)
{
    struct val *t = root;

    for (size_t i = 0; i < n; i++) {
        const char *k = val_cstr(val_list_get(path, i));
        struct val *next = val_dict_get(t, k);

        if (!next) {
            next = val_dict();
            val_dict_set_take(t, k, next);
        }
        if (next->type == VAL_LIST && next->u.list.len > 0 &&
            next->u.list.items[next->u.list.len - 1]->type == VAL_DICT) {
            next = next->u.list.items[next->u.list.len - 1];
        }
        if (next->type != VAL_DICT) {
            fail(d, "key is already defined as a value");
            return NULL;
        }
        t = next;
    }
    return t;
}

/* table[path] = v; steals 'v'. */
static bool assign(struct tdec *d, struct val *table, struct val *path, struct val *v)
{
    size_t n = val_list_len(path);
    struct val *t = walk(d, table, path, n - 1);
    const char *k = val_cstr(val_list_get(path, n - 1));

    if (!t || val_dict_has(t, k)) {
        val_unref(v);
        return t ? fail(d, "key is defined twice") : false;
    }
    val_dict_set_take(t, k, v);
    return true;
}

/* A [table] or [[array of tables]] header: returns the table that follows it. */
static struct val *header_line(struct tdec *d, struct val *root)
{
    bool aot = d->i + 1 < d->len && d->s[d->i + 1] == '[';
    struct val *path = val_list(), *t = NULL;

    d->i += aot ? 2 : 1;
    if (dotted_key(d, path)) {
        skip_blank(d);
        if (peek(d) != ']' || (aot && (d->i + 1 >= d->len || d->s[d->i + 1] != ']'))) {
            fail(d, "expected ']' after a table name");
        } else if (aot) {
            size_t n = val_list_len(path);
            struct val *parent = walk(d, root, path, n - 1);
            const char *k = val_cstr(val_list_get(path, n - 1));

            d->i += 2;
            if (parent) {
                struct val *list = val_dict_get(parent, k);

                if (!list) {
                    list = val_list();
                    val_dict_set_take(parent, k, list);
                }
                if (list->type != VAL_LIST) {
                    fail(d, "key is already defined as a table");
                } else {
                    t = val_dict();
                    val_list_push_take(list, t);
                }
            }
        } else {
            d->i++;
            t = walk(d, root, path, val_list_len(path));
        }
    }
    val_unref(path);
    return t;
}

/* BurntSushi/toml's Unmarshal into a map: NULL with d->msg set on an error. */
static struct val *from_toml(struct tdec *d)
{
    struct val *root = val_dict(), *cur = root;

    for (;;) {
        skip_space(d);
        if (d->i >= d->len) {
            return root;
        }
        if (peek(d) == '[') {
            cur = header_line(d, root);
        } else {
            struct val *path = val_list(), *v = NULL;

            if (dotted_key(d, path)) {
                skip_blank(d);
                if (peek(d) == '=') {
                    d->i++;
                    skip_blank(d);
                    v = value(d);
                } else {
                    fail(d, "expected '=' after a key");
                }
            }
            if (!v || !assign(d, cur, path, v)) {
                cur = NULL;
            }
            val_unref(path);
        }
        if (!cur) {
            break;
        }
        skip_blank(d);
        skip_comment(d);
        if (peek(d) == '\r') {
            d->i++;
        }
        if (d->i < d->len && peek(d) != '\n') {
            fail(d, "expected a newline after a value");
            break;
        }
    }
    val_unref(root);
    return NULL;
}

static int fn_from_toml(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct tdec d = { .s = a[0]->u.s.ptr, .len = a[0]->u.s.len, .line = 1 };
    struct val *v;

    (void)x;
    (void)n;
    (void)err;
    v = from_toml(&d);
    if (!v) {
        v = val_dict();
        val_dict_set_take(v, "Error", gotpl_take_buf(&d.msg));
    }
    buf_release(&d.msg);
    *res = v;
    return 0;
}

const struct gfunc gotpl_toml_funcs[] = {
    { "fromToml", fn_from_toml, "s" },
    { "toToml", fn_to_toml, "a" },
};
const size_t gotpl_toml_nfuncs = ARRAY_SIZE(gotpl_toml_funcs);
