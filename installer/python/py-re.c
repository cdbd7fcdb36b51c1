/*
 * py-re.c - Python's `re` on top of PCRE2 (see py-re.h): pattern translation (\Z -> \z; PCRE2
 * already knows (?P<name>), \d \w \s with UCP), matching at a position, match.expand(),
 * re.subn() with Python's empty-match rules, and groups()/groupdict() as values.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "value/val.h"
#include "python/py-re.h"

int py_re_compile(struct py_re *re, const char *pattern, size_t len, unsigned flags,
                  char *errbuf, size_t errsize)
{
    struct buf p = BUF_INIT;
    uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;
    int code;
    PCRE2_SIZE off;

    re->md = NULL;
    for (size_t i = 0; i < len; i++) {
        if (pattern[i] == '\\' && i + 1 < len) {
            buf_addc(&p, '\\');
            buf_addc(&p, pattern[i + 1] == 'Z' ? 'z' : pattern[i + 1]);
            i++;
        } else {
            buf_addc(&p, pattern[i]);
        }
    }
    if (flags & PY_RE_IGNORECASE) {
        opts |= PCRE2_CASELESS;
    }
    if (flags & PY_RE_MULTILINE) { /* Python's ^ also matches after a newline that ends it all */
        opts |= PCRE2_MULTILINE | PCRE2_ALT_CIRCUMFLEX;
    }
    if (flags & PY_RE_DOTALL) {
        opts |= PCRE2_DOTALL;
    }
    re->code = pcre2_compile((PCRE2_SPTR)p.ptr, p.len, opts, &code, &off, NULL);
    buf_release(&p);
    if (!re->code) {
        PCRE2_UCHAR msg[256];

        pcre2_get_error_message(code, msg, sizeof(msg));
        snprintf(errbuf, errsize, "%s at position %zu", (const char *)msg, (size_t)off);
        return -1;
    }
    re->md = pcre2_match_data_create_from_pattern(re->code, NULL);
    return 0;
}

void py_re_free(struct py_re *re)
{
    pcre2_match_data_free(re->md);
    pcre2_code_free(re->code);
    re->md = NULL;
    re->code = NULL;
}

int py_re_exec(struct py_re *re, const char *s, size_t len, size_t start, uint32_t opts)
{
    int rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, start, opts, re->md, NULL);

    return rc < 0 ? (rc == PCRE2_ERROR_NOMATCH ? 0 : -1) : 1;
}

bool py_re_search(struct py_re *re, const char *s)
{
    return py_re_exec(re, s, strlen(s), 0, 0) > 0;
}

size_t py_re_ngroups(const struct py_re *re)
{
    uint32_t n = 0;

    pcre2_pattern_info(re->code, PCRE2_INFO_CAPTURECOUNT, &n);
    return n;
}

bool py_re_group(const struct py_re *re, size_t g, size_t *start, size_t *end)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re->md);

    if (g >= pcre2_get_ovector_count(re->md) || ov[2 * g] == PCRE2_UNSET) {
        return false;
    }
    *start = ov[2 * g];
    *end = ov[2 * g + 1];
    return true;
}

int py_re_group_by_name(const struct py_re *re, const char *name)
{
    int n = pcre2_substring_number_from_name(re->code, (PCRE2_SPTR)name);

    return n < 0 ? -1 : n;
}

static void add_group(const struct py_re *re, const char *s, size_t g, struct buf *out)
{
    size_t a, b;

    if (py_re_group(re, g, &a, &b)) {
        buf_add(out, s + a, b - a);
    }
}

/* Parses "\g<...>" at t[*i] ('\\' at *i); returns the group number or -1. */
static int parse_g_ref(const struct py_re *re, const char *t, size_t len, size_t *i)
{
    const char *close;
    char name[128];
    size_t n;

    if (*i + 3 >= len || t[*i + 2] != '<') {
        return -1;
    }
    close = memchr(t + *i + 3, '>', len - *i - 3);
    if (!close) {
        return -1;
    }
    n = (size_t)(close - (t + *i + 3));
    if (n == 0 || n >= sizeof(name)) {
        return -1;
    }
    memcpy(name, t + *i + 3, n);
    name[n] = 0;
    *i = (size_t)(close - t) + 1;
    if (strspn(name, "0123456789") == n) {
        return (int)strtol(name, NULL, 10);
    }
    return py_re_group_by_name(re, name);
}

int py_re_expand(const struct py_re *re, const char *s, const char *t, size_t len,
                 struct buf *out, char *errbuf, size_t errsize)
{
    static const char esc_from[] = "ntrfvab\\";
    static const char esc_to[] = "\n\t\r\f\v\a\b\\";
    size_t ngroups = py_re_ngroups(re);

    for (size_t i = 0; i < len;) {
        const char *e;

        if (t[i] != '\\' || i + 1 >= len) {
            buf_addc(out, t[i++]);
            continue;
        }
        e = strchr(esc_from, t[i + 1]);
        if (t[i + 1] == 'g') {
            int g = parse_g_ref(re, t, len, &i);

            if (g < 0 || (size_t)g > ngroups) {
                snprintf(errbuf, errsize, "invalid group reference in replacement");
                return -1;
            }
            add_group(re, s, (size_t)g, out);
        } else if (t[i + 1] >= '0' && t[i + 1] <= '9') {
            size_t g = (size_t)(t[i + 1] - '0');

            i += 2;
            if (i < len && t[i] >= '0' && t[i] <= '9' && g * 10 + (size_t)(t[i] - '0') <= ngroups) {
                g = g * 10 + (size_t)(t[i++] - '0');
            }
            if (g > ngroups || g == 0) {
                snprintf(errbuf, errsize, "invalid group reference %zu", g);
                return -1;
            }
            add_group(re, s, g, out);
        } else if (e != NULL) {
            buf_addc(out, esc_to[e - esc_from]);
            i += 2;
        } else if ((t[i + 1] >= 'a' && t[i + 1] <= 'z') || (t[i + 1] >= 'A' && t[i + 1] <= 'Z')) {
            snprintf(errbuf, errsize, "bad escape \\%c", t[i + 1]);
            return -1;
        } else {
            buf_addc(out, '\\');
            buf_addc(out, t[i + 1]);
            i += 2;
        }
    }
    return 0;
}

int py_re_subn(struct py_re *re, const char *s, size_t len, const char *repl, size_t repl_len,
               struct buf *out, size_t *count, char *errbuf, size_t errsize)
{
    size_t pos = 0, copied = 0, ms = 0, me = 0;
    bool empty_here = false;
    int rc = 0;

    *count = 0;
    while (pos <= len) {
        /* Python 3.7+: no empty match where the previous match ended empty */
        rc = py_re_exec(re, s, len, pos, empty_here ? PCRE2_NOTEMPTY_ATSTART : 0);
        if (rc <= 0) {
            break;
        }
        py_re_group(re, 0, &ms, &me);
        buf_add(out, s + copied, ms - copied);
        if (repl && py_re_expand(re, s, repl, repl_len, out, errbuf, errsize) < 0) {
            return -1;
        }
        (*count)++;
        copied = me;
        empty_here = ms == me;
        pos = me;
    }
    if (rc < 0) {
        snprintf(errbuf, errsize, "regular expression failed (match limit?)");
        return -1;
    }
    buf_add(out, s + copied, len - copied);
    return 0;
}

struct val *py_re_group_val(const struct py_re *re, const char *s, size_t g)
{
    size_t a, b;

    return py_re_group(re, g, &a, &b) ? val_strn(s + a, b - a) : val_null();
}

void py_re_groups(const struct py_re *re, const char *s, struct val *groups,
                  struct val *groupdict)
{
    uint32_t names = 0, entry = 0;
    PCRE2_SPTR table = NULL;
    size_t count = py_re_ngroups(re);

    for (size_t g = 1; g <= count; g++) {
        val_list_push_take(groups, py_re_group_val(re, s, g));
    }
    pcre2_pattern_info(re->code, PCRE2_INFO_NAMECOUNT, &names);
    pcre2_pattern_info(re->code, PCRE2_INFO_NAMEENTRYSIZE, &entry);
    pcre2_pattern_info(re->code, PCRE2_INFO_NAMETABLE, &table);
    for (uint32_t i = 0; i < names; i++) {
        PCRE2_SPTR e = table + (size_t)i * entry;
        size_t g = ((size_t)e[0] << 8) | e[1];

        val_dict_set_take(groupdict, (const char *)e + 2, py_re_group_val(re, s, g));
    }
}
