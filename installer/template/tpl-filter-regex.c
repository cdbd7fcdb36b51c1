/*
 * tpl-filter-regex.c - regex_replace, regex_search, regex_findall, regex_escape with Python `re`
 * semantics (python/py-re.h), and tpl_regex_test() behind the match/search/regex tests.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "template/tpl-eval.h"
#include "python/py-re.h"

static unsigned re_flags(const struct tpl_args *a, size_t ic_pos, size_t ml_pos)
{
    struct val *ic = tpl_arg(a, ic_pos, "ignorecase"), *ml = tpl_arg(a, ml_pos, "multiline");

    return (ic && val_truthy(ic) ? PY_RE_IGNORECASE : 0) |
           (ml && val_truthy(ml) ? PY_RE_MULTILINE : 0);
}

static int compile(struct tpl_ctx *c, struct py_re *re, struct val *pattern, unsigned flags)
{
    char msg[300];

    if (!pattern || pattern->type != VAL_STR) {
        return tpl_failn(c, "the regular expression must be a string");
    }
    if (py_re_compile(re, pattern->u.s.ptr, pattern->u.s.len, flags, msg, sizeof(msg)) < 0) {
        return tpl_failn(c, "invalid regular expression '%s': %s", pattern->u.s.ptr, msg);
    }
    return 0;
}

/* Runs the search at 'pos' with Python's empty-match rules; returns 1/0/-1 like py_re_exec. */
static int next_match(struct tpl_ctx *c, struct py_re *re, struct val *s, size_t pos,
                      bool last_empty_here)
{
    int rc = py_re_exec(re, s->u.s.ptr, s->u.s.len, pos,
                         last_empty_here ? PCRE2_NOTEMPTY_ATSTART : 0);

    if (rc < 0) {
        tpl_failn(c, "regular expression failed (match limit?)");
    }
    return rc;
}

static struct val *f_regex_replace(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *pattern = tpl_arg(a, 0, "pattern"), *repl = tpl_arg(a, 1, "replacement");
    struct val *s, *r = NULL;
    struct py_re re = { 0 };
    struct buf out = BUF_INIT;
    size_t count;
    char msg[200];

    if (tpl_check_args(c, "regex_replace", a, 4, "pattern,replacement,ignorecase,multiline") < 0 ||
        compile(c, &re, pattern, re_flags(a, 2, 3)) < 0) {
        return NULL;
    }
    if (repl && repl->type != VAL_STR) {
        py_re_free(&re);
        return tpl_fail(c, "regex_replace: the replacement must be a string");
    }
    s = tpl_to_str(v);
    if (py_re_subn(&re, s->u.s.ptr, s->u.s.len, repl ? repl->u.s.ptr : NULL,
                   repl ? repl->u.s.len : 0, &out, &count, msg, sizeof(msg)) < 0) {
        tpl_fail(c, "regex_replace: %s", msg);
    } else {
        r = tpl_str_from_buf(&out);
    }
    buf_release(&out);
    val_unref(s);
    py_re_free(&re);
    return r;
}

/* regex_search(pattern, '\\1', '\\g<name>', ignorecase=, multiline=) */
static struct val *f_regex_search(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *pattern = tpl_arg(a, 0, NULL), *s, *r = NULL;
    struct py_re re = { 0 };
    int rc;

    if (tpl_check_args(c, "regex_search", a, SIZE_MAX, "ignorecase,multiline") < 0 ||
        compile(c, &re, pattern, re_flags(a, SIZE_MAX, SIZE_MAX)) < 0) {
        return NULL;
    }
    s = tpl_to_str(v);
    rc = py_re_exec(&re, s->u.s.ptr, s->u.s.len, 0, 0);
    if (rc < 0) {
        tpl_fail(c, "regular expression failed (match limit?)");
    } else if (rc == 0) {
        r = val_null();
    } else if (a->npos <= 1) {
        r = py_re_group_val(&re, s->u.s.ptr, 0);
    } else {
        r = val_list();
        for (size_t i = 1; i < a->npos && r; i++) {
            struct val *ref = a->pos[i];
            int g = -1;

            if (ref->type == VAL_STR && ref->u.s.len > 1 && ref->u.s.ptr[0] == '\\') {
                if (strncmp(ref->u.s.ptr, "\\g<", 3) == 0 &&
                    ref->u.s.ptr[ref->u.s.len - 1] == '>') {
                    char name[128];

                    snprintf(name, sizeof(name), "%.*s", (int)ref->u.s.len - 4, ref->u.s.ptr + 3);
                    g = strspn(name, "0123456789") == strlen(name) ? (int)strtol(name, NULL, 10)
                                                                  : py_re_group_by_name(&re, name);
                } else if (strspn(ref->u.s.ptr + 1, "0123456789") == ref->u.s.len - 1) {
                    g = (int)strtol(ref->u.s.ptr + 1, NULL, 10);
                }
            }
            if (g < 0 || (size_t)g > py_re_ngroups(&re)) {
                val_unref(r);
                r = tpl_fail(c, "regex_search: unknown argument or group reference");
            } else {
                val_list_push_take(r, py_re_group_val(&re, s->u.s.ptr, (size_t)g));
            }
        }
    }
    val_unref(s);
    py_re_free(&re);
    return r;
}

static struct val *f_regex_findall(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *pattern = tpl_arg(a, 0, "regex"), *s, *r;
    struct py_re re = { 0 };
    size_t pos = 0, ms, me, ng;
    bool empty_here = false;
    int rc = 0;

    if (tpl_check_args(c, "regex_findall", a, 3, "regex,multiline,ignorecase") < 0 ||
        compile(c, &re, pattern, re_flags(a, 2, 1)) < 0) {
        return NULL;
    }
    s = tpl_to_str(v);
    r = val_list();
    ng = py_re_ngroups(&re);
    while (pos <= s->u.s.len) {
        rc = next_match(c, &re, s, pos, empty_here);
        if (rc <= 0) {
            break;
        }
        py_re_group(&re, 0, &ms, &me);
        if (ng <= 1) {
            struct val *g = py_re_group_val(&re, s->u.s.ptr, ng);

            if (g->type == VAL_NULL) {
                val_unref(g);
                g = val_str("");
            }
            val_list_push_take(r, g);
        } else {
            struct val *t = val_list();

            t->flags |= TPL_TUPLE;
            for (size_t g = 1; g <= ng; g++) {
                struct val *gv = py_re_group_val(&re, s->u.s.ptr, g);

                val_list_push_take(t, gv->type == VAL_NULL ? (val_unref(gv), val_str("")) : gv);
            }
            val_list_push_take(r, t);
        }
        empty_here = ms == me;
        pos = me;
    }
    if (rc < 0) {
        val_unref(r);
        r = NULL;
    }
    val_unref(s);
    py_re_free(&re);
    return r;
}

/* re.escape (Python 3.7+): backslash before ()[]{}?*+-|^$\.&~# and whitespace. */
static struct val *f_regex_escape(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *s = tpl_to_str(v);
    struct buf b = BUF_INIT;

    (void)c;
    (void)a;
    for (size_t i = 0; i < s->u.s.len; i++) {
        char ch = s->u.s.ptr[i];

        if (ch && strchr("()[]{}?*+-|^$\\.&~# \t\n\r\v\f", ch)) {
            buf_addc(&b, '\\');
        }
        buf_addc(&b, ch);
    }
    val_unref(s);
    return tpl_str_from_buf(&b);
}

int tpl_regex_test(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, int mode,
                   bool *result)
{
    struct val *pattern = tpl_arg(a, 0, "pattern"), *mt = tpl_arg(a, 3, "match_type"), *s;
    struct py_re re = { 0 };
    size_t ms, me;
    int rc;

    if (mt && mt->type == VAL_STR) {
        mode = strcmp(mt->u.s.ptr, "match") == 0       ? TPL_RE_MATCH
               : strcmp(mt->u.s.ptr, "fullmatch") == 0 ? TPL_RE_FULLMATCH
                                                       : TPL_RE_SEARCH;
    }
    if (compile(c, &re, pattern, re_flags(a, 1, 2)) < 0) {
        return -1;
    }
    s = tpl_to_str(v);
    rc = py_re_exec(&re, s->u.s.ptr, s->u.s.len, 0, mode == TPL_RE_SEARCH ? 0 : PCRE2_ANCHORED);
    if (rc > 0 && mode == TPL_RE_FULLMATCH) {
        py_re_group(&re, 0, &ms, &me);
        if (me != s->u.s.len) {
            rc = py_re_exec(&re, s->u.s.ptr, s->u.s.len, 0, PCRE2_ANCHORED | PCRE2_ENDANCHORED);
        }
    }
    *result = rc > 0;
    val_unref(s);
    py_re_free(&re);
    return rc < 0 ? tpl_failn(c, "regular expression failed (match limit?)") : 0;
}

const struct tpl_filter tpl_filters_regex[] = {
    { "regex_escape", f_regex_escape, 0 },
    { "regex_findall", f_regex_findall, 0 },
    { "regex_replace", f_regex_replace, 0 },
    { "regex_search", f_regex_search, 0 },
    { 0 },
};
