/*
 * tpl-pyliteral.c - Python's ast.literal_eval over the literals Ansible's ansible_eval_concat
 * meets: numbers, strings (with escapes, adjacent ones joined), True/False/None and JSON's
 * true/false/null, lists, tuples and dicts. Anything else is "not a literal" (NULL).
 */
#include "pot.h"
#include <errno.h>
#include <string.h>
#include "base/buf.h"
#include "python/py-escape.h"
#include "template/tpl-eval.h"

struct lit {
    const char *p, *end;
    int depth;
};

static void skip_ws(struct lit *l)
{
    while (l->p < l->end && strchr(" \t\n\r\f\v", *l->p) && *l->p) {
        l->p++;
    }
}

static bool accept(struct lit *l, char c)
{
    skip_ws(l);
    if (l->p < l->end && *l->p == c) {
        l->p++;
        return true;
    }
    return false;
}

static struct val *parse_value(struct lit *l);

/* One quoted string at l->p into b; returns 0 or -1. */
static int parse_quoted(struct lit *l, struct buf *b)
{
    char q = *l->p++;

    while (l->p < l->end && *l->p != q) {
        int used;

        if (*l->p == '\n') {
            return -1;
        }
        if (*l->p != '\\' || l->p + 1 >= l->end) {
            buf_addc(b, *l->p++);
            continue;
        }
        /* strict for \x \u \U; no octal, no \a \b \f \v (a gap against Python) */
        used = pyesc_decode(l->p, (size_t)(l->end - l->p), PYESC_CONTINUATION | PYESC_STRICT, b);
        if (used < 0) {
            return -1;
        }
        l->p += used;
    }
    if (l->p >= l->end) {
        return -1;
    }
    l->p++;
    return 0;
}

static struct val *parse_string(struct lit *l)
{
    struct buf b = BUF_INIT;

    do {
        if (parse_quoted(l, &b) < 0) {
            buf_release(&b);
            return NULL;
        }
        skip_ws(l);
    } while (l->p < l->end && (*l->p == '\'' || *l->p == '"'));
    return tpl_str_from_buf(&b);
}

static struct val *parse_number(struct lit *l)
{
    const char *s = l->p;
    char tmp[64];
    size_t n = 0;
    bool is_float = false;

    if (*l->p == '-' || *l->p == '+') {
        tmp[n++] = *l->p++;
        skip_ws(l);
    }
    while (l->p < l->end && n + 1 < sizeof(tmp) &&
           (strchr("0123456789_.eE", *l->p) ||
            ((*l->p == '-' || *l->p == '+') && (l->p[-1] == 'e' || l->p[-1] == 'E'))) && *l->p) {
        if (*l->p != '_') {
            is_float |= *l->p == '.' || *l->p == 'e' || *l->p == 'E';
            tmp[n++] = *l->p;
        }
        l->p++;
    }
    tmp[n] = 0;
    if (l->p == s || n == 0 || (n == 1 && (tmp[0] == '-' || tmp[0] == '+'))) {
        return NULL;
    }
    char *end;
    const char *digits = tmp + (tmp[0] == '-' || tmp[0] == '+');

    errno = 0;
    if (is_float) {
        double d = strtod(tmp, &end);

        return *end ? NULL : val_double(d);
    }
    long long i = strtoll(tmp, &end, 10);
    if (*end || errno || (digits[0] == '0' && strspn(digits, "0") != strlen(digits))) {
        return NULL; /* Python rejects 007 */
    }
    return val_int(i);
}

static bool word(struct lit *l, const char *w)
{
    size_t n = strlen(w);

    if ((size_t)(l->end - l->p) >= n && memcmp(l->p, w, n) == 0 &&
        ((size_t)(l->end - l->p) == n ||
         !strchr("abcdefghijklmnopqrstuvwxyz"
                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", l->p[n]) ||
         !l->p[n])) {
        l->p += n;
        return true;
    }
    return false;
}

/* Items up to 'close'; for dicts keys and values alternate. */
static struct val *parse_seq(struct lit *l, char close, bool tuple)
{
    struct val *list = val_list();
    bool comma = true, saw_comma = false;

    if (tuple) {
        list->flags |= TPL_TUPLE;
    }
    while (!accept(l, close)) {
        struct val *v = NULL;

        if (comma) {
            v = parse_value(l);
        }
        if (!v) {
            val_unref(list);
            return NULL;
        }
        val_list_push_take(list, v);
        comma = accept(l, ',');
        saw_comma |= comma;
    }
    if (tuple && val_list_len(list) == 1 && !saw_comma) {
        struct val *only = val_ref(val_list_get(list, 0));

        val_unref(list);
        return only;
    }
    return list;
}

static struct val *parse_dict(struct lit *l)
{
    struct val *d = val_dict();
    bool comma = true;

    while (!accept(l, '}')) {
        struct val *k = NULL, *v = NULL, *ks;

        if (comma) {
            k = parse_value(l);
        }
        if (!k) {
            val_unref(d);
            return NULL;
        }
        if (accept(l, ':')) {
            v = parse_value(l);
        }
        if (!v) {
            val_unref(k);
            val_unref(d);
            return NULL;
        }
        ks = tpl_to_str(k);
        val_dict_set_take(d, ks->u.s.ptr, v);
        val_unref(ks);
        val_unref(k);
        comma = accept(l, ',');
    }
    return d;
}

static struct val *parse_value(struct lit *l)
{
    struct val *v = NULL;

    skip_ws(l);
    if (l->p >= l->end || ++l->depth > 100) {
        return NULL;
    }
    char c = *l->p;
    if (c == '[' || c == '(') {
        l->p++;
        v = parse_seq(l, c == '[' ? ']' : ')', c == '(');
    } else if (c == '{') {
        l->p++;
        v = parse_dict(l);
    } else if (c == '\'' || c == '"') {
        v = parse_string(l);
    } else if (word(l, "True") || word(l, "true")) {
        v = val_bool(true);
    } else if (word(l, "False") || word(l, "false")) {
        v = val_bool(false);
    } else if (word(l, "None") || word(l, "null")) {
        v = val_null();
    } else {
        v = parse_number(l);
    }
    l->depth--;
    return v;
}

struct val *tpl_literal_eval(const char *text, size_t len)
{
    struct lit l = { text, text + len, 0 };
    struct val *v = parse_value(&l);

    skip_ws(&l);
    if (v && l.p != l.end) {
        val_unref(v);
        return NULL;
    }
    return v;
}
