/*
 * tpl-regex.c - Python `re` on top of PCRE2 for the regex filters and tests: pattern translation
 * (\Z -> \z; PCRE2 already knows (?P<name>), \d \w \s with UCP), match/search/fullmatch at a
 * position, and expansion of Python replacement templates (\1, \g<1>, \g<name>, \n, \\).
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "template/tpl-regex.h"

int tpl_re_compile(struct tpl_re *re, const char *pattern, size_t len, unsigned flags,
                   char *errbuf, size_t errsize)
{
    struct buf p = BUF_INIT;
    uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;
    int code;
    PCRE2_SIZE off;

    for (size_t i = 0; i < len; i++) {
        if (pattern[i] == '\\' && i + 1 < len) {
            buf_addc(&p, '\\');
            buf_addc(&p, pattern[i + 1] == 'Z' ? 'z' : pattern[i + 1]);
            i++;
        } else {
            buf_addc(&p, pattern[i]);
        }
    }
    if (flags & TPL_RE_IGNORECASE) {
        opts |= PCRE2_CASELESS;
    }
    if (flags & TPL_RE_MULTILINE) {
        opts |= PCRE2_MULTILINE;
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

void tpl_re_free(struct tpl_re *re)
{
    pcre2_match_data_free(re->md);
    pcre2_code_free(re->code);
    re->md = NULL;
    re->code = NULL;
}

int tpl_re_exec(struct tpl_re *re, const char *s, size_t len, size_t start, uint32_t opts)
{
    int rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, start, opts, re->md, NULL);

    return rc < 0 ? (rc == PCRE2_ERROR_NOMATCH ? 0 : -1) : 1;
}

size_t tpl_re_ngroups(const struct tpl_re *re)
{
    uint32_t n = 0;

    pcre2_pattern_info(re->code, PCRE2_INFO_CAPTURECOUNT, &n);
    return n;
}

bool tpl_re_group(const struct tpl_re *re, size_t g, size_t *start, size_t *end)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re->md);

    if (g >= pcre2_get_ovector_count(re->md) || ov[2 * g] == PCRE2_UNSET) {
        return false;
    }
    *start = ov[2 * g];
    *end = ov[2 * g + 1];
    return true;
}

int tpl_re_group_by_name(const struct tpl_re *re, const char *name)
{
    int n = pcre2_substring_number_from_name(re->code, (PCRE2_SPTR)name);

    return n < 0 ? -1 : n;
}

static void add_group(const struct tpl_re *re, const char *s, size_t g, struct buf *out)
{
    size_t a, b;

    if (tpl_re_group(re, g, &a, &b)) {
        buf_add(out, s + a, b - a);
    }
}

/* Parses "\g<...>" at t[*i] ('\\' at *i); returns the group number or -1. */
static int parse_g_ref(const struct tpl_re *re, const char *t, size_t len, size_t *i)
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
    return tpl_re_group_by_name(re, name);
}

int tpl_re_expand(const struct tpl_re *re, const char *s, const char *t, size_t len,
                  struct buf *out, char *errbuf, size_t errsize)
{
    static const char esc_from[] = "ntrfvab\\";
    static const char esc_to[] = "\n\t\r\f\v\a\b\\";
    size_t ngroups = tpl_re_ngroups(re);

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
