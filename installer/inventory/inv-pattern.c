/*
 * inv-pattern.c - host patterns as ansible-core's InventoryManager.get_hosts() evaluates them:
 * "a,b" or "a:b" unions, "&" intersections, "!" exclusions (applied after the plain
 * patterns), group and host names, shell wildcards, "~regex" (POSIX extended syntax here),
 * subscripts "g[0]", "g[1:3]", "g[2:]", and a --limit subset applied on top.
 */
#include "pot.h"
#include <fnmatch.h>
#include <regex.h>
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/strutil.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "inventory/inv-impl.h"
#include "inventory/inv.h"

struct matcher {
    const struct inventory *inv;
    struct svec *warnings; /* borrowed, may be NULL */
    struct err *err;
};

/* findall of (?:[^\s:\[\]]|\[[^\]]*\])+ : the old ':'-separated pattern list. */
static void split_colons(const char *s, struct svec *out)
{
    struct buf cur = BUF_INIT;

    while (*s) {
        const char *close = *s == '[' ? strchr(s, ']') : NULL;

        if (close) {
            buf_add(&cur, s, (size_t)(close - s) + 1);
            s = close + 1;
        } else if (strchr(" \t\r\n\v\f:[]", *s)) {
            if (cur.len > 0) {
                svec_push(out, cur.ptr);
            }
            buf_reset(&cur);
            s++;
        } else {
            buf_addc(&cur, *s++);
        }
    }
    if (cur.len > 0) {
        svec_push(out, cur.ptr);
    }
    buf_release(&cur);
}

/* split_host_pattern(): commas split; else a valid address stays whole; else ':' splits. */
static void split_pattern(const char *pattern, struct svec *out)
{
    struct svec raw = SVEC_INIT;

    if (strchr(pattern, ',')) {
        svec_split(&raw, pattern, ',');
    } else if (inv_valid_address(pattern)) {
        svec_push(&raw, pattern);
    } else {
        split_colons(pattern, &raw);
    }
    for (size_t i = 0; i < raw.len; i++) {
        char *p = str_trim(raw.items[i]);

        if (p[0]) {
            svec_push_take(out, p);
        } else {
            free(p);
        }
    }
    svec_release(&raw);
}

/* Names matching 'pattern': '~' = regex anchored at the start, otherwise fnmatch. */
static int match_name(const char *pattern, const char *name, regex_t *re)
{
    regmatch_t m;

    if (pattern[0] != '~') {
        return fnmatch(pattern, name, FNM_NOESCAPE) == 0;
    }
    return regexec(re, name, 1, &m, 0) == 0 && m.rm_so == 0;
}

static void push_unique(struct vec *out, struct inv_host *host)
{
    for (size_t i = 0; i < out->len; i++) {
        if (out->items[i] == host) {
            return;
        }
    }
    vec_push(out, host);
}

/* _enumerate_matches: hosts of matching groups, then matching host names. */
static int enumerate(struct matcher *m, const char *pattern, struct vec *out)
{
    const struct inventory *inv = m->inv;
    bool group_matched = false;
    regex_t re;

    if (pattern[0] == '~' && regcomp(&re, pattern + 1, REG_EXTENDED) != 0) {
        return err_set(m->err, ERR_USAGE, "invalid regular expression in host pattern '%s'",
                       pattern);
    }
    for (size_t i = 0; i < inv_group_count(inv); i++) {
        struct inv_group *group = inv_group_at(inv, i);

        if (match_name(pattern, group->name, &re)) {
            group_matched = true;
            inv_group_hosts(inv, group, out);
        }
    }
    if (!group_matched || pattern[0] == '~' || strpbrk(pattern, ".?*[")) {
        for (size_t i = 0; i < inv_host_count(inv); i++) {
            struct inv_host *host = inv_host_at(inv, i);

            if (match_name(pattern, host->name, &re)) {
                vec_push(out, host);
            }
        }
    }
    if (pattern[0] == '~') {
        regfree(&re);
    }
    if (out->len == 0 && !group_matched && strcmp(pattern, "all") != 0 && m->warnings) {
        svec_pushf(m->warnings, "could not match supplied host pattern, ignoring: '%s'",
                   pattern);
    }
    return 0;
}

struct subscript {
    bool present;
    int64_t start;
    int64_t end; /* 0: single index; -1: to the end */
};

static bool digits_only(const char *s, size_t len)
{
    return len > 0 && strspn(s, "0123456789") == len;
}

/* Parses the inside of a subscript: "-?[0-9]+" or "[0-9]+[:-][0-9]*". */
static bool parse_subscript(const char *inner, struct subscript *sub)
{
    size_t len = strlen(inner);
    size_t head = strspn(inner, "0123456789");
    const char *tail = inner + head + 1;
    char *start;
    bool ok;

    if (digits_only(inner + (inner[0] == '-'), len - (inner[0] == '-'))) {
        sub->end = 0;
        return parse_int(inner, &sub->start) == 0;
    }
    if (head == 0 || (inner[head] != ':' && inner[head] != '-') ||
        strspn(tail, "0123456789") != strlen(tail)) {
        return false;
    }
    sub->end = -1;
    if (*tail && parse_int(tail, &sub->end) < 0) {
        return false;
    }
    start = xstrndup(inner, head);
    ok = parse_int(start, &sub->start) == 0;
    free(start);
    return ok;
}

/* PATTERN_WITH_SUBSCRIPT: (.+)\[(...)\]$ ; cuts the subscript off 'expr'. */
static void split_subscript(char *expr, struct subscript *sub)
{
    size_t len = strlen(expr);
    char *open = strrchr(expr, '[');
    char *inner;

    sub->present = false;
    if (expr[0] == '~' || len < 3 || expr[len - 1] != ']' || !open || open == expr) {
        return;
    }
    inner = xstrndup(open + 1, (size_t)(expr + len - 1 - open - 1));
    sub->present = parse_subscript(inner, sub);
    if (sub->present) {
        *open = '\0';
    }
    free(inner);
}

/* _apply_subscript, with Python's slicing and indexing rules. */
static int apply_subscript(struct matcher *m, const char *pattern, const struct subscript *sub,
                           struct vec *hosts)
{
    int64_t n = (int64_t)hosts->len;
    int64_t from;
    int64_t to;
    struct vec kept = VEC_INIT;

    if (!sub->present || n == 0) {
        return 0;
    }
    if (sub->end == 0) {
        from = sub->start < 0 ? sub->start + n : sub->start;
        if (from < 0 || from >= n) {
            return err_set(m->err, ERR_USAGE, "no hosts matched the subscripted pattern '%s'",
                           pattern);
        }
        to = from + 1;
    } else {
        from = sub->start < n ? sub->start : n;
        to = sub->end == -1 ? n : (sub->end + 1 < n ? sub->end + 1 : n);
    }
    for (int64_t i = from; i < to; i++) {
        vec_push(&kept, hosts->items[i]);
    }
    vec_release(hosts);
    *hosts = kept;
    return 0;
}

/* _match_one_pattern: the hosts one pattern (without its & or !) selects. */
static int match_one(struct matcher *m, const char *pattern, struct vec *out)
{
    char *expr = xstrdup(pattern[0] == '&' || pattern[0] == '!' ? pattern + 1 : pattern);
    struct subscript sub;
    int ret = -1;

    split_subscript(expr, &sub);
    if (expr[0] && enumerate(m, expr, out) == 0) {
        ret = apply_subscript(m, pattern, &sub, out);
    } else if (!expr[0]) {
        ret = 0;
    }
    free(expr);
    return ret;
}

static void filter(struct vec *hosts, const struct vec *that, bool keep)
{
    size_t w = 0;

    for (size_t i = 0; i < hosts->len; i++) {
        bool found = false;

        for (size_t j = 0; j < that->len && !found; j++) {
            found = that->items[j] == hosts->items[i];
        }
        if (found == keep) {
            hosts->items[w++] = hosts->items[i];
        }
    }
    hosts->len = w;
}

/* order_patterns(): plain ones first ('all' when there are none), then &, then !. */
static void order_patterns(const struct svec *in, struct svec *out)
{
    const char kinds[] = { 0, '&', '!' };
    bool plain = false;

    for (size_t i = 0; i < in->len; i++) {
        plain |= in->items[i][0] != '&' && in->items[i][0] != '!';
    }
    if (!plain) {
        svec_push(out, "all");
    }
    for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
        for (size_t i = 0; i < in->len; i++) {
            char c = in->items[i][0];
            char kind = c == '&' || c == '!' ? c : 0;

            if (kind == kinds[k]) {
                svec_push(out, in->items[i]);
            }
        }
    }
}

/* _evaluate_patterns over already split patterns. */
static int evaluate(struct matcher *m, const struct svec *patterns, struct vec *hosts)
{
    struct svec ordered = SVEC_INIT;
    int ret = 0;

    order_patterns(patterns, &ordered);
    for (size_t i = 0; i < ordered.len && ret == 0; i++) {
        const char *p = ordered.items[i];
        struct inv_host *exact = inv_find_host(m->inv, p);
        struct vec that = VEC_INIT;

        if (exact) {
            vec_push(hosts, exact);
            continue;
        }
        ret = match_one(m, p, &that);
        if (p[0] == '!' || p[0] == '&') {
            filter(hosts, &that, p[0] == '&');
        } else {
            for (size_t j = 0; j < that.len; j++) {
                push_unique(hosts, that.items[j]);
            }
        }
        vec_release(&that);
    }
    svec_release(&ordered);
    return ret;
}

/* The --limit subset: patterns, where "@file" names a file of patterns, one a line. */
static int limit_patterns(const char *limit, struct svec *out, struct err *err)
{
    struct svec parts = SVEC_INIT;
    int ret = 0;

    split_pattern(limit, &parts);
    for (size_t i = 0; i < parts.len && ret == 0; i++) {
        struct buf text = BUF_INIT;
        struct svec lines = SVEC_INIT;

        if (parts.items[i][0] != '@') {
            svec_push(out, parts.items[i]);
            continue;
        }
        ret = fs_read_file(parts.items[i] + 1, &text, err);
        svec_split_lines(&lines, text.ptr);
        for (size_t j = 0; j < lines.len; j++) {
            svec_push_take(out, str_trim(lines.items[j]));
        }
        svec_release(&lines);
        buf_release(&text);
    }
    svec_release(&parts);
    return ret;
}

int inv_match(const struct inventory *inv, const char *pattern, const char *limit,
              struct vec *out, struct svec *warnings, struct err *err)
{
    struct matcher m = { inv, warnings, err };
    struct svec patterns = SVEC_INIT;
    struct svec subset = SVEC_INIT;
    struct vec hosts = VEC_INIT;
    struct vec allowed = VEC_INIT;
    int ret;

    split_pattern(pattern, &patterns);
    ret = evaluate(&m, &patterns, &hosts);
    if (ret == 0 && limit) {
        ret = limit_patterns(limit, &subset, err);
        if (ret == 0) {
            ret = evaluate(&m, &subset, &allowed);
        }
        filter(&hosts, &allowed, true);
    }
    for (size_t i = 0; ret == 0 && i < hosts.len; i++) {
        push_unique(out, hosts.items[i]);
    }
    vec_release(&hosts);
    vec_release(&allowed);
    svec_release(&patterns);
    svec_release(&subset);
    return ret;
}
