/*
 * py-literal.c - Python's ast.literal_eval (py-literal.h): a recursive descent over Python's
 * grammar for the literal forms, on NUL-terminated text.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "python/py-escape.h"
#include "python/py-literal.h"
#include "value/val.h"

struct lit {
    const char *s;
    size_t i;
    int depth; /* brackets open: newlines are blanks inside them */
    const struct py_literal_opts *o;
};

static struct val *parse_test(struct lit *p);

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_ident(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           (unsigned char)c >= 0x80;
}

static bool is_blank(const struct lit *p, char c)
{
    return c == ' ' || c == '\t' || c == '\f' || (p->depth > 0 && (c == '\n' || c == '\r'));
}

/* Skips blanks and '#' comments (to the end of their line); newlines only inside brackets. */
static void skip_space(struct lit *p)
{
    for (;;) {
        while (is_blank(p, p->s[p->i])) {
            p->i++;
        }
        if (p->s[p->i] != '#') {
            return;
        }
        p->i += strcspn(p->s + p->i, "\n");
        if (p->depth == 0) {
            return; /* a newline after the comment ends the expression */
        }
    }
}

static bool accept(struct lit *p, char c)
{
    skip_space(p);
    if (p->s[p->i] != c) {
        return false;
    }
    p->i += c != '\0';
    return true;
}

/* Digits with single underscores between them, in 'base'. Appends them to 'out' without the
 * underscores; returns the count of digits or -1. */
static int digit_part(struct lit *p, int base, struct buf *out)
{
    int count = 0;

    while (true) {
        char c = p->s[p->i];
        int v = str_hex_digit(c);

        if (v >= 0 && v < base && (base == 16 || is_digit(c))) {
            buf_addc(out, c);
            count++;
            p->i++;
        } else if (c == '_' && count > 0 && str_hex_digit(p->s[p->i + 1]) >= 0) {
            p->i++;
        } else {
            return count;
        }
    }
}

static struct val *finish_number(struct lit *p, struct val *v)
{
    if (v && (is_ident(p->s[p->i]) || p->s[p->i] == '.')) {
        val_unref(v);
        return NULL; /* 1j (complex), 1x, 1.2.3: not a literal pot supports */
    }
    return v;
}

static struct val *radix_int(struct lit *p, int base)
{
    struct buf digits = BUF_INIT;
    struct val *v = NULL;
    char *end;
    unsigned long long n;

    p->i += 2;
    if (digit_part(p, base, &digits) > 0) {
        n = strtoull(digits.ptr, &end, base);
        if (*end == '\0' && n <= INT64_MAX) {
            v = val_int((int64_t)n);
        }
    }
    buf_release(&digits);
    return finish_number(p, v);
}

static struct val *parse_number(struct lit *p)
{
    struct buf text = BUF_INIT;
    struct val *v = NULL;
    char c1 = p->s[p->i + 1];
    int64_t n;
    double d;
    bool is_float = false;

    if (p->s[p->i] == '0' && strchr("xXoObB", c1) && c1) {
        return radix_int(p, strchr("xX", c1) ? 16 : strchr("oO", c1) ? 8 : 2);
    }
    digit_part(p, 10, &text);
    if (p->s[p->i] == '.') {
        is_float = true;
        buf_addc(&text, '.');
        p->i++;
        digit_part(p, 10, &text);
    }
    if ((p->s[p->i] == 'e' || p->s[p->i] == 'E') &&
        (is_digit(p->s[p->i + 1]) ||
         (strchr("+-", p->s[p->i + 1]) && p->s[p->i + 1] && is_digit(p->s[p->i + 2])))) {
        is_float = true;
        buf_addc(&text, 'e');
        p->i++;
        if (p->s[p->i] == '+' || p->s[p->i] == '-') {
            buf_addc(&text, p->s[p->i++]);
        }
        digit_part(p, 10, &text);
    }
    if (is_float && parse_double(text.ptr, &d) == 0) {
        v = val_double(d);
    } else if (!is_float && (text.ptr[0] != '0' || strspn(text.ptr, "0") == text.len) &&
               parse_int(text.ptr, &n) == 0) {
        v = val_int(n);
    }
    buf_release(&text);
    return finish_number(p, v);
}

/* Python's escapes in a str or b'' literal; what pot cannot decode (\N{NAME}) fails. */
static int escape(const char *s, bool bytes, struct buf *out)
{
    unsigned flags = PYESC_CONTROL | PYESC_OCTAL | PYESC_CONTINUATION | PYESC_STRICT |
                     PYESC_NAME_FAILS;

    return pyesc_decode(s, SIZE_MAX, bytes ? flags | PYESC_BYTES : flags, out);
}

/* One quoted string with optional r/u/b prefix. *bytes reports a b'' literal. */
static int string_piece(struct lit *p, struct buf *out, bool *bytes)
{
    bool raw = false;
    const char *s;
    char quote;
    size_t qlen;

    *bytes = false;
    for (int k = 0; k < 2 && strchr("rRbBuU", p->s[p->i]) && p->s[p->i]; k++) {
        char c = p->s[p->i++];

        raw |= c == 'r' || c == 'R';
        *bytes |= c == 'b' || c == 'B';
    }
    quote = p->s[p->i];
    if (quote != '\'' && quote != '"') {
        return -1;
    }
    qlen = (p->s[p->i + 1] == quote && p->s[p->i + 2] == quote) ? 3 : 1;
    p->i += qlen;
    s = p->s;
    while (s[p->i]) {
        if (s[p->i] == quote && (qlen == 1 || (s[p->i + 1] == quote && s[p->i + 2] == quote))) {
            p->i += qlen;
            return 0;
        }
        if ((*bytes && (unsigned char)s[p->i] >= 0x80) || (qlen == 1 && s[p->i] == '\n')) {
            return -1; /* bytes are ASCII; a one-quote string ends on its line */
        }
        if (s[p->i] == '\\' && raw) {
            buf_add(out, s + p->i, s[p->i + 1] ? 2 : 1);
            p->i += s[p->i + 1] ? 2 : 1;
        } else if (s[p->i] == '\\') {
            int used = escape(s + p->i, *bytes, out);

            if (used < 0) {
                return -1;
            }
            p->i += (size_t)used;
        } else {
            buf_addc(out, s[p->i++]);
        }
    }
    return -1;
}

static bool starts_string(const struct lit *p)
{
    const char *s = p->s + p->i;
    size_t k = 0;

    while (k < 2 && s[k] && strchr("rRbBuU", s[k])) {
        k++;
    }
    return s[k] == '\'' || s[k] == '"';
}

/* Adjacent string literals concatenate; bytes and str cannot mix. */
static struct val *parse_strings(struct lit *p)
{
    struct buf out = BUF_INIT;
    char *text;
    size_t len;
    bool first_bytes = false;
    bool bytes;
    bool first = true;

    do {
        if (string_piece(p, &out, &bytes) < 0 || (!first && bytes != first_bytes)) {
            buf_release(&out);
            return NULL;
        }
        first_bytes = first ? bytes : first_bytes;
        first = false;
        skip_space(p);
    } while (starts_string(p));
    text = buf_detach(&out, &len);
    return val_str_take(text, len);
}

/* True, False, None; with json_names also true, false, null. */
static struct val *parse_name(struct lit *p)
{
    static const char *const names[] = { "True", "False", "None", "true", "false", "null" };
    size_t len = 0, count = p->o->json_names ? 6 : 3;

    while (is_ident(p->s[p->i + len])) {
        len++;
    }
    for (size_t k = 0; k < count; k++) {
        if (strlen(names[k]) == len && strncmp(p->s + p->i, names[k], len) == 0) {
            p->i += len;
            return k % 3 == 2 ? val_null() : val_bool(k % 3 == 0);
        }
    }
    return NULL;
}

/* Items up to 'close', comma separated, trailing comma allowed. *tuple_comma tells whether
 * a comma was seen (for parentheses). Items go into 'list'. */
static int parse_items(struct lit *p, char close, struct val *list, bool *saw_comma)
{
    *saw_comma = false;
    while (!accept(p, close)) {
        struct val *item = parse_test(p);

        if (!item) {
            return -1;
        }
        val_list_push_take(list, item);
        if (accept(p, ',')) {
            *saw_comma = true;
        } else if (!accept(p, close)) {
            return -1;
        } else {
            return 0;
        }
    }
    return 0;
}

static struct val *parse_sequence(struct lit *p, char close)
{
    struct val *list = val_list();
    bool comma;

    if (parse_items(p, close, list, &comma) < 0) {
        val_unref(list);
        return NULL;
    }
    if (close == ')' && !comma && val_list_len(list) == 1) {
        struct val *inner = val_ref(val_list_get(list, 0));

        val_unref(list);
        return inner;
    }
    if (close == ')') {
        list->flags |= p->o->tuple_flags;
    }
    return list;
}

/* A dict key as pot's string keys hold it: int, float, bool and None keys as json.dumps writes
 * them; lists and dicts are unhashable (NULL). */
static char *key_string(const struct val *key)
{
    struct buf b = BUF_INIT;

    switch (key->type) {
    case VAL_STR:
        return xstrdup(key->u.s.ptr);
    case VAL_INT:
    case VAL_DOUBLE:
        val_to_pystr(key, &b);
        return buf_detach(&b, NULL);
    case VAL_BOOL:
        return xstrdup(key->u.b ? "true" : "false");
    case VAL_NULL:
        return xstrdup("null");
    default:
        return NULL;
    }
}

static int dict_entry(struct lit *p, struct val *key, struct val *dict)
{
    char *name = key_string(key);
    struct val *value;

    if (!name || !accept(p, ':')) {
        free(name);
        return -1;
    }
    value = parse_test(p);
    if (!value) {
        free(name);
        return -1;
    }
    val_dict_set_take(dict, name, value);
    free(name);
    return 0;
}

/* {k: v, ...} or a set {a, b} (kept as a list). */
static struct val *parse_braces(struct lit *p)
{
    struct val *dict = val_dict();
    struct val *set = NULL;
    bool comma;

    if (accept(p, '}')) {
        return dict;
    }
    while (true) {
        struct val *key = parse_test(p);
        int ret;

        if (!key) {
            break;
        }
        skip_space(p);
        if (val_dict_len(dict) == 0 && p->s[p->i] != ':') {
            set = val_list();
            val_list_push_take(set, key);
            if (!accept(p, '}') && (!accept(p, ',') || parse_items(p, '}', set, &comma) < 0)) {
                val_unref(set);
                set = NULL;
            }
            val_unref(dict);
            return set;
        }
        ret = dict_entry(p, key, dict);
        val_unref(key);
        if (ret < 0) {
            break;
        }
        if (accept(p, '}')) {
            return dict;
        }
        if (!accept(p, ',')) {
            break;
        }
        if (accept(p, '}')) {
            return dict;
        }
    }
    val_unref(dict);
    return NULL;
}

static struct val *parse_atom(struct lit *p)
{
    struct val *v;
    char c;

    skip_space(p);
    c = p->s[p->i];
    if (starts_string(p)) {
        return parse_strings(p);
    }
    if (is_digit(c) || (c == '.' && is_digit(p->s[p->i + 1]))) {
        return parse_number(p);
    }
    if (c != '[' && c != '(' && c != '{') {
        return is_ident(c) ? parse_name(p) : NULL;
    }
    if (p->depth >= PY_LITERAL_MAX_NESTING) {
        return NULL;
    }
    p->depth++;
    p->i++;
    v = c == '{' ? parse_braces(p) : parse_sequence(p, c == '[' ? ']' : ')');
    p->depth--;
    return v;
}

/* A signed number: one '+' or '-' before a numeric literal (possibly parenthesised). */
static struct val *parse_test(struct lit *p)
{
    struct val *v;
    char sign;

    skip_space(p);
    sign = p->s[p->i];
    if (sign != '-' && sign != '+') {
        return parse_atom(p);
    }
    p->i++;
    v = parse_atom(p);
    if (!v || (v->type != VAL_INT && v->type != VAL_DOUBLE)) {
        val_unref(v);
        return NULL;
    }
    if (sign == '-') {
        struct val *neg = v->type == VAL_INT ? val_int(-v->u.i) : val_double(-v->u.d);

        val_unref(v);
        v = neg;
    }
    return v;
}

/* The whole expression: a bare "1, 2" is a tuple as in Python. */
static struct val *parse_expr(struct lit *p)
{
    struct val *first = parse_test(p);
    struct val *tuple;
    bool comma;

    if (!first || !accept(p, ',')) {
        return first;
    }
    tuple = val_list();
    tuple->flags |= p->o->tuple_flags;
    val_list_push_take(tuple, first);
    skip_space(p);
    if (p->s[p->i] && parse_items(p, '\0', tuple, &comma) < 0) {
        val_unref(tuple);
        return NULL;
    }
    return tuple;
}

struct val *py_literal_eval(const char *text, size_t len, const struct py_literal_opts *o)
{
    char *copy;
    struct lit p = { NULL, 0, 0, o };
    struct val *v;

    if (memchr(text, '\0', len)) {
        return NULL; /* "source code string cannot contain null bytes" */
    }
    while (len > 0 && strchr(" \t\f\r\n", text[len - 1])) {
        len--; /* blank lines after the expression end it */
    }
    copy = xstrndup(text, len);
    p.s = copy;
    while (copy[p.i] == ' ' || copy[p.i] == '\t') {
        p.i++; /* literal_eval strips leading blanks (Python 3.10+) */
    }
    v = parse_expr(&p);
    skip_space(&p);
    if (v && copy[p.i] != '\0') {
        val_unref(v);
        v = NULL;
    }
    free(copy);
    return v;
}
