/*
 * gotpl-sprig-regex.c - sprig's regular-expression functions (regexMatch, regexFind,
 * regexFindAll, regexReplaceAll with Go's $1/${name} expansion, regexReplaceAllLiteral,
 * regexSplit, regexQuoteMeta, and the must- forms) over PCRE2, iterating matches as Go's regexp
 * does (an empty match right after a previous match is skipped).
 *
 * Go uses RE2. PCRE2 is compiled with UTF, DOLLAR_ENDONLY (Go's $ is end of text without (?m))
 * and MATCH_INVALID_UTF, which covers the common subset identically. Differences: PCRE2 also
 * accepts backreferences, lookaround and possessive quantifiers, which RE2 rejects; RE2's \C,
 * \pN one-letter classes and (?U) ungreedy flag differ; compile error messages are PCRE2's.
 */
#include "pot.h"
#include <string.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include "gotpl/gotpl-int.h"

struct re {
    pcre2_code *code;
    pcre2_match_data *md;
};

static int re_compile(struct re *re, const struct val *pattern, struct err *err)
{
    int code;
    PCRE2_SIZE off;

    re->md = NULL;
    re->code = pcre2_compile((PCRE2_SPTR)pattern->u.s.ptr, pattern->u.s.len,
                             PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_MATCH_INVALID_UTF, &code,
                             &off, NULL);
    if (!re->code) {
        PCRE2_UCHAR msg[256];

        pcre2_get_error_message(code, msg, sizeof(msg));
        return err_set(err, ERR_TEMPLATE, "error parsing regexp: %s: `%s`", (const char *)msg,
                       pattern->u.s.ptr);
    }
    re->md = pcre2_match_data_create_from_pattern(re->code, NULL);
    return 0;
}

static void re_free(struct re *re)
{
    pcre2_match_data_free(re->md);
    pcre2_code_free(re->code);
}

/* Go's FindAll iteration: calls 'each' with every accepted match (start/end of group 0) up to
 * 'limit' matches (< 0: all). Returns the number of matches, or -1 on a matching error. */
static int find_all(struct re *re, const char *s, size_t len, int64_t limit,
                    void (*each)(void *ctx, const struct re *re, size_t start, size_t end),
                    void *ctx)
{
    size_t pos = 0;
    long prev_end = -1;
    int count = 0;

    while (pos <= len && (limit < 0 || count < limit)) {
        int rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, pos, 0, re->md, NULL);
        PCRE2_SIZE *ov;

        if (rc == PCRE2_ERROR_NOMATCH) {
            break;
        }
        if (rc < 0) {
            return -1;
        }
        ov = pcre2_get_ovector_pointer(re->md);
        if (ov[1] == ov[0] && (long)ov[0] == prev_end) {
            /* empty match abutting the previous one: skip one character */
        } else {
            each(ctx, re, ov[0], ov[1]);
            count++;
        }
        prev_end = (long)ov[1];
        if (ov[1] > ov[0]) {
            pos = ov[1];
        } else {
            size_t k = ov[0] + 1;

            while (k < len && ((unsigned char)s[k] & 0xC0) == 0x80) {
                k++;
            }
            pos = k;
        }
    }
    return count;
}

struct collect {
    const char *s;
    struct val *list;
};

static void collect_match(void *ctx, const struct re *re, size_t start, size_t end)
{
    struct collect *c = ctx;

    (void)re;
    val_list_push_take(c->list, val_strn(c->s + start, end - start));
}

static int fn_match(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct re re;
    int rc;

    (void)x;
    (void)n;
    if (re_compile(&re, a[0], err) < 0) {
        return -1;
    }
    rc = pcre2_match(re.code, (PCRE2_SPTR)a[1]->u.s.ptr, a[1]->u.s.len, 0, 0, re.md, NULL);
    re_free(&re);
    *res = val_bool(rc >= 0);
    return 0;
}

/* regexMatch returns false for a bad pattern. */
static int fn_match_lenient(struct gx *x, struct val **a, size_t n, struct val **res,
                            struct err *err)
{
    struct err ignored = ERR_INIT;

    (void)err;
    if (fn_match(x, a, n, res, &ignored) < 0) {
        *res = val_bool(false);
    }
    return 0;
}

static int fn_find_all(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct re re;
    struct collect c = { a[1]->u.s.ptr, val_list() };

    (void)x;
    (void)n;
    c.list->flags |= GOTPL_VAL_STRS;
    if (re_compile(&re, a[0], err) < 0) {
        val_unref(c.list);
        return -1;
    }
    find_all(&re, a[1]->u.s.ptr, a[1]->u.s.len, a[2]->u.i, collect_match, &c);
    re_free(&re);
    *res = c.list;
    return 0;
}

static int fn_find(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct re re;
    struct collect c = { a[1]->u.s.ptr, val_list() };

    (void)x;
    (void)n;
    if (re_compile(&re, a[0], err) < 0) {
        val_unref(c.list);
        return -1;
    }
    find_all(&re, a[1]->u.s.ptr, a[1]->u.s.len, 1, collect_match, &c);
    re_free(&re);
    *res = c.list->u.list.len ? val_ref(c.list->u.list.items[0]) : val_str("");
    val_unref(c.list);
    return 0;
}

struct replace {
    const char *s;
    const char *repl;
    bool literal;
    size_t last; /* end of the previous match */
    struct buf out;
};

/* Go's Regexp.Expand of 'repl' for the current match. */
static void expand(struct replace *r, const struct re *re)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re->md);
    uint32_t ngroups = pcre2_get_ovector_count(re->md);
    const char *t = r->repl;

    while (*t) {
        const char *name;
        size_t nlen;
        long group = -1;
        bool braced = false;

        if (*t != '$') {
            buf_addc(&r->out, *t++);
            continue;
        }
        if (t[1] == '$') {
            buf_addc(&r->out, '$');
            t += 2;
            continue;
        }
        name = t + 1;
        if (*name == '{') {
            braced = true;
            name++;
        }
        for (nlen = 0;
             name[nlen] == '_' || (name[nlen] >= 'a' && name[nlen] <= 'z') ||
             (name[nlen] >= 'A' && name[nlen] <= 'Z') || (name[nlen] >= '0' && name[nlen] <= '9');
             nlen++) {
        }
        if (nlen == 0 || (braced && name[nlen] != '}')) {
            buf_addc(&r->out, '$');
            t++;
            continue;
        }
        {
            bool numeric = true;

            for (size_t k = 0; k < nlen; k++) {
                numeric = numeric && name[k] >= '0' && name[k] <= '9';
            }
            if (numeric) {
                group = nlen < 9 ? strtol(name, NULL, 10) : -1;
            } else {
                char gname[128];

                if (nlen < sizeof(gname)) {
                    memcpy(gname, name, nlen);
                    gname[nlen] = 0;
                    group = pcre2_substring_number_from_name(re->code, (PCRE2_SPTR)gname);
                }
            }
        }
        if (group >= 0 && (uint32_t)group < ngroups && ov[2 * group] != PCRE2_UNSET) {
            buf_add(&r->out, r->s + ov[2 * group], ov[2 * group + 1] - ov[2 * group]);
        }
        t = name + nlen + (braced ? 1 : 0);
    }
}

static void replace_match(void *ctx, const struct re *re, size_t start, size_t end)
{
    struct replace *r = ctx;

    buf_add(&r->out, r->s + r->last, start - r->last);
    if (r->literal) {
        buf_adds(&r->out, r->repl);
    } else {
        expand(r, re);
    }
    r->last = end;
}

static int replace_all(struct val **a, struct val **res, struct err *err, bool literal)
{
    struct re re;
    struct replace r = { a[1]->u.s.ptr, a[2]->u.s.ptr, literal, 0, BUF_INIT };

    if (re_compile(&re, a[0], err) < 0) {
        return -1;
    }
    find_all(&re, a[1]->u.s.ptr, a[1]->u.s.len, -1, replace_match, &r);
    buf_add(&r.out, r.s + r.last, a[1]->u.s.len - r.last);
    re_free(&re);
    *res = gotpl_take_buf(&r.out);
    return 0;
}

static int fn_replace_all(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    return replace_all(a, res, err, false);
}

static int fn_replace_all_literal(struct gx *x, struct val **a, size_t n, struct val **res,
                                  struct err *err)
{
    (void)x;
    (void)n;
    return replace_all(a, res, err, true);
}

struct split {
    const char *s;
    int64_t limit;
    size_t beg, end;
    struct val *list;
};

static void split_match(void *ctx, const struct re *re, size_t start, size_t end)
{
    struct split *sp = ctx;

    (void)re;
    if (sp->limit > 0 && (int64_t)sp->list->u.list.len == sp->limit - 1) {
        return;
    }
    sp->end = start;
    if (end != 0) {
        val_list_push_take(sp->list, val_strn(sp->s + sp->beg, sp->end - sp->beg));
    }
    sp->beg = end;
}

static int fn_split(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct re re;
    size_t len = a[1]->u.s.len;
    struct split sp = { a[1]->u.s.ptr, a[2]->u.i, 0, 0, val_list() };

    (void)x;
    (void)n;
    sp.list->flags |= GOTPL_VAL_STRS;
    if (re_compile(&re, a[0], err) < 0) {
        val_unref(sp.list);
        return -1;
    }
    if (sp.limit == 0) {
        re_free(&re);
        *res = sp.list;
        return 0;
    }
    if (a[0]->u.s.len > 0 && len == 0) {
        re_free(&re);
        val_list_push_take(sp.list, val_str(""));
        *res = sp.list;
        return 0;
    }
    find_all(&re, sp.s, len, sp.limit, split_match, &sp);
    if (sp.end != len) {
        val_list_push_take(sp.list, val_strn(sp.s + sp.beg, len - sp.beg));
    }
    re_free(&re);
    *res = sp.list;
    return 0;
}

static int fn_quote_meta(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf out = BUF_INIT;

    (void)x;
    (void)n;
    (void)err;
    for (size_t i = 0; i < a[0]->u.s.len; i++) {
        char c = a[0]->u.s.ptr[i];

        if (c && strchr("\\.+*?()|[]{}^$", c)) {
            buf_addc(&out, '\\');
        }
        buf_addc(&out, c);
    }
    *res = gotpl_take_buf(&out);
    return 0;
}

const struct gfunc gotpl_sprig_regex_funcs[] = {
    { "mustRegexFind", fn_find, "ss" },
    { "mustRegexFindAll", fn_find_all, "ssi" },
    { "mustRegexMatch", fn_match, "ss" },
    { "mustRegexReplaceAll", fn_replace_all, "sss" },
    { "mustRegexReplaceAllLiteral", fn_replace_all_literal, "sss" },
    { "mustRegexSplit", fn_split, "ssi" },
    { "regexFind", fn_find, "ss" },
    { "regexFindAll", fn_find_all, "ssi" },
    { "regexMatch", fn_match_lenient, "ss" },
    { "regexQuoteMeta", fn_quote_meta, "s" },
    { "regexReplaceAll", fn_replace_all, "sss" },
    { "regexReplaceAllLiteral", fn_replace_all_literal, "sss" },
    { "regexSplit", fn_split, "ssi" },
};
const size_t gotpl_sprig_regex_nfuncs = ARRAY_SIZE(gotpl_sprig_regex_funcs);
