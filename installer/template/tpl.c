/*
 * tpl.c - a template's life cycle: compile (normalise newlines, lex, parse into the arena),
 * render (into a scratch buffer, appended to the caller's only on success, trailing newlines
 * restored like Ansible's do_template), free.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/xalloc.h"
#include "template/tpl-eval.h"

bool tpl_is_template(const char *s)
{
    for (const char *p = s ? strchr(s, '{') : NULL; p; p = strchr(p + 1, '{')) {
        if (p[1] == '{' || p[1] == '%' || p[1] == '#') {
            return true;
        }
    }
    return false;
}

/* Copies 'text' into the arena with \r\n and \r turned into \n (Jinja2's newline_sequence) and,
 * like Jinja2 without keep_trailing_newline, one trailing newline removed. */
static void load_source(struct tpl *t, const char *text, size_t len)
{
    char *dst = arena_alloc(&t->arena, len + 1);
    size_t n = 0;

    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\r') {
            dst[n++] = '\n';
            if (i + 1 < len && text[i + 1] == '\n') {
                i++;
            }
        } else {
            dst[n++] = text[i];
        }
    }
    for (size_t i = n; i > 0 && dst[i - 1] == '\n'; i--) {
        t->trailing_newlines++;
    }
    if (n > 0 && dst[n - 1] == '\n') {
        n--;
    }
    dst[n] = 0;
    t->src = dst;
    t->len = n;
}

/* tpl_compile with the first column given as is (it may be below 1 for a wrapped expression). */
static struct tpl *tpl_compile_shifted(const char *text, size_t len, const struct tpl_opts *opts,
                                       int first_col, struct err *err)
{
    struct tpl *t = xcalloc(1, sizeof(*t));
    struct tpl_tok *toks = NULL;
    size_t ntoks = 0;

    err_clear(err); /* the parser detects its own failures through err->kind */
    t->opts = *opts;
    t->name = pos_intern(opts->name ? opts->name : "<template>");
    t->first_line = opts->first_line > 0 ? opts->first_line : 1;
    t->first_col = first_col;
    load_source(t, text, len);
    if (tpl_lex(t, &toks, &ntoks, err) < 0 || tpl_parse(t, toks, ntoks, err) < 0) {
        free(toks);
        tpl_free(t);
        return NULL;
    }
    free(toks);
    return t;
}

struct tpl *tpl_compile(const char *text, size_t len, const struct tpl_opts *opts, struct err *err)
{
    return tpl_compile_shifted(text, len, opts, opts->first_col > 0 ? opts->first_col : 1, err);
}

int tpl_render(const struct tpl *t, const struct tpl_scope *scope, struct buf *out,
               struct err *err)
{
    struct buf tmp = BUF_INIT;
    size_t have = 0;

    buf_grow(&tmp, t->len + 64); /* the source size is a good guess of the output size */
    if (tpl_render_raw(t, scope, &tmp, err) < 0) {
        buf_release(&tmp);
        return -1;
    }
    if (t->opts.keep_trailing_newline) {
        for (size_t i = tmp.len; i > 0 && tmp.ptr[i - 1] == '\n'; i--) {
            have++;
        }
        if (t->trailing_newlines > have) {
            buf_addn(&tmp, '\n', t->trailing_newlines - have);
        }
    }
    buf_add(out, tmp.ptr, tmp.len);
    buf_release(&tmp);
    return 0;
}

void tpl_free(struct tpl *t)
{
    if (!t) {
        return;
    }
    for (size_t i = 0; i < t->consts.len; i++) {
        val_unref(t->consts.items[i]);
    }
    vec_release(&t->consts);
    free(t->names);
    arena_release(&t->arena);
    free(t);
}

struct tpl *tpl_compile_expr(const char *expr, const struct srcpos *pos, struct err *err)
{
    struct tpl_opts o = { .name = pos && pos->file ? pos->file : "<expression>" };
    char *text = xasprintf("{{ %s }}", expr);
    struct tpl *t;

    o.first_line = pos && pos->line ? pos->line : 1;
    o.first_col = 1;
    t = tpl_compile_shifted(text, strlen(text), &o, (pos && pos->line ? pos->col : 1) - 3, err);
    free(text);
    return t;
}
