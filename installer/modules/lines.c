/*
 * lines.c - line lists that keep their endings, and PCRE2 regexps with Python's search/expand.
 */
#include "pot.h"
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>
#include "base/buf.h"
#include "base/xalloc.h"
#include "modules/lines.h"
#include "value/val.h"

struct rx {
    pcre2_code *code;             /* owned */
    pcre2_match_data *match;      /* owned: the last rx_search's groups */
};

void lines_split(struct svec *out, const char *text, size_t len)
{
    size_t start = 0;

    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n') {
            svec_push_take(out, xstrndup(text + start, i + 1 - start));
            start = i + 1;
        }
    }
    if (start < len) {
        svec_push_take(out, xstrndup(text + start, len - start));
    }
}

void lines_join(const struct svec *lines, struct buf *out)
{
    for (size_t i = 0; i < lines->len; i++) {
        buf_adds(out, lines->items[i]);
    }
}

void lines_insert(struct svec *lines, size_t at, const char *s)
{
    char *copy;

    svec_push(lines, s);
    copy = lines->items[lines->len - 1];
    memmove(lines->items + at + 1, lines->items + at, (lines->len - 1 - at) * sizeof(char *));
    lines->items[at] = copy;
}

void lines_remove(struct svec *lines, size_t at)
{
    free(lines->items[at]);
    memmove(lines->items + at, lines->items + at + 1, (lines->len - at) * sizeof(char *));
    lines->len--;
}

char *lines_rstrip(const char *line)
{
    size_t n = strlen(line);

    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) {
        n--;
    }
    return xstrndup(line, n);
}

struct rx *rx_compile(const char *pattern, char **why)
{
    return rx_compile_flags(pattern, false, why);
}

struct rx *rx_compile_flags(const char *pattern, bool multiline, char **why)
{
    int code = 0;
    PCRE2_SIZE offset = 0;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   multiline ? PCRE2_MULTILINE : 0, &code, &offset, NULL);
    struct rx *rx;

    if (!re) {
        PCRE2_UCHAR msg[256];

        pcre2_get_error_message(code, msg, sizeof(msg));
        *why = xasprintf("%s at position %zu", (const char *)msg, (size_t)offset);
        return NULL;
    }
    rx = xcalloc(1, sizeof(*rx));
    rx->code = re;
    rx->match = pcre2_match_data_create_from_pattern(re, NULL);
    return rx;
}

void rx_free(struct rx *rx)
{
    if (!rx) {
        return;
    }
    pcre2_match_data_free(rx->match);
    pcre2_code_free(rx->code);
    free(rx);
}

bool rx_search(struct rx *rx, const char *subject)
{
    return pcre2_match(rx->code, (PCRE2_SPTR)subject, strlen(subject), 0, 0, rx->match, NULL) > 0;
}

/* Group n of the last match as a new string value, or null when it did not take part. */
static struct val *group_val(struct rx *rx, const char *subject, uint32_t n)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(rx->match);

    if (n >= pcre2_get_ovector_count(rx->match) || ov[2 * n] == PCRE2_UNSET) {
        return val_null();
    }
    return val_strn(subject + ov[2 * n], ov[2 * n + 1] - ov[2 * n]);
}

void rx_groups(struct rx *rx, const char *subject, struct val *groups, struct val *groupdict)
{
    uint32_t count = 0, names = 0, entry = 0;
    PCRE2_SPTR table = NULL;

    pcre2_pattern_info(rx->code, PCRE2_INFO_CAPTURECOUNT, &count);
    for (uint32_t g = 1; g <= count; g++) {
        val_list_push_take(groups, group_val(rx, subject, g));
    }
    pcre2_pattern_info(rx->code, PCRE2_INFO_NAMECOUNT, &names);
    pcre2_pattern_info(rx->code, PCRE2_INFO_NAMEENTRYSIZE, &entry);
    pcre2_pattern_info(rx->code, PCRE2_INFO_NAMETABLE, &table);
    for (uint32_t i = 0; i < names; i++) {
        PCRE2_SPTR e = table + (size_t)i * entry;
        uint32_t g = ((uint32_t)e[0] << 8) | e[1];

        val_dict_set_take(groupdict, (const char *)e + 2, group_val(rx, subject, g));
    }
}

static void add_group(struct rx *rx, const char *subject, int n, struct buf *out)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(rx->match);

    if (n < 0 || (uint32_t)n >= pcre2_get_ovector_count(rx->match) ||
        ov[2 * n] == PCRE2_UNSET) {
        return;
    }
    buf_add(out, subject + ov[2 * n], ov[2 * n + 1] - ov[2 * n]);
}

/* \g<...>: a number or a group name; returns the characters consumed after the backslash. */
static size_t expand_named(struct rx *rx, const char *subject, const char *t, struct buf *out)
{
    const char *end = strchr(t + 2, '>');
    char *name;
    int n;

    if (t[1] != '<' || !end) {
        buf_adds(out, "\\g");
        return 1;
    }
    name = xstrndup(t + 2, (size_t)(end - t - 2));
    n = name[0] >= '0' && name[0] <= '9'
            ? (int)strtol(name, NULL, 10)
            : pcre2_substring_number_from_name(rx->code, (PCRE2_SPTR)name);
    add_group(rx, subject, n, out);
    free(name);
    return (size_t)(end - t) + 1;
}

char *rx_expand(struct rx *rx, const char *subject, const char *tmpl)
{
    struct buf out = BUF_INIT;

    for (const char *t = tmpl; *t; t++) {
        if (*t != '\\' || !t[1]) {
            buf_addc(&out, *t);
        } else if (t[1] >= '0' && t[1] <= '9') {
            int n = t[1] - '0';

            t++;
            if (t[1] >= '0' && t[1] <= '9') {
                n = n * 10 + (*++t - '0');
            }
            add_group(rx, subject, n, &out);
        } else if (t[1] == 'g') {
            t += expand_named(rx, subject, t + 1, &out);
        } else {
            t++;
            buf_addc(&out, *t == 'n' ? '\n' : *t == 't' ? '\t' : *t);
        }
    }
    return buf_detach(&out, NULL);
}
