/*
 * gotpl.c - the template set behind gotpl.h: creating and freeing it, its named templates (Go's
 * replacement rule: a later definition wins unless its body is empty), the constants its parse
 * trees hold, added function tables, and the public parse/execute entry points.
 */
#include "pot.h"
#include <string.h>
#include "base/xalloc.h"
#include "gotpl/gotpl-int.h"

struct gotpl *gotpl_new(enum gotpl_mode mode)
{
    struct gotpl *t = xcalloc(1, sizeof(*t));

    t->mode = mode;
    t->index = val_dict();
    return t;
}

void gotpl_free(struct gotpl *t)
{
    if (!t) {
        return;
    }
    for (size_t i = 0; i < t->nconsts; i++) {
        val_unref(t->consts[i]);
    }
    free(t->consts);
    free(t->tmpls);
    free(t->user);
    val_unref(t->index);
    arena_release(&t->arena);
    free(t);
}

void gotpl_add_funcs(struct gotpl *t, const struct gotpl_fn_def *defs, void *ctx)
{
    t->user = xrealloc(t->user, (t->nuser + 1) * sizeof(*t->user));
    t->user[t->nuser].defs = defs;
    t->user[t->nuser].ctx = ctx;
    t->nuser++;
}

struct val *gotpl_keep_const(struct gotpl *t, struct val *v)
{
    xgrow((void **)&t->consts, &t->consts_cap, t->nconsts + 1, sizeof(*t->consts));
    t->consts[t->nconsts++] = v;
    return v;
}

/* Go's parse.IsEmptyTree: nothing but whitespace text. */
static bool is_empty_tree(const struct gnode *n)
{
    for (; n; n = n->next) {
        if (n->kind != GN_TEXT) {
            return false;
        }
        for (size_t i = 0; i < n->len; i++) {
            if (!strchr(" \t\r\n\v\f", n->text[i])) {
                return false;
            }
        }
    }
    return true;
}

struct gtmpl *gotpl_find_template(const struct gotpl *t, const char *name)
{
    struct val *at = val_dict_get(t->index, name);

    return at ? t->tmpls[at->u.i] : NULL;
}

void gotpl_set_template(struct gotpl *t, const char *name, struct gnode *root)
{
    struct gtmpl *old = gotpl_find_template(t, name);
    struct gtmpl *tm;

    if (old) {
        if (!is_empty_tree(root) || !old->root) {
            old->root = root;
        }
        return;
    }
    tm = arena_alloc(&t->arena, sizeof(*tm));
    tm->name = arena_strdup(&t->arena, name);
    tm->root = root;
    xgrow((void **)&t->tmpls, &t->cap, t->ntmpls + 1, sizeof(*t->tmpls));
    val_dict_set_take(t->index, name, val_int((int64_t)t->ntmpls));
    t->tmpls[t->ntmpls++] = tm;
}

int gotpl_parse(struct gotpl *t, const char *name, const char *text, struct err *err)
{
    return gotpl_parse_into(t, name, name, text, err);
}

/* Helm replaces every "<no value>" of a rendered file by nothing. */
static void strip_no_value(struct buf *out, size_t from)
{
    static const char marker[] = "<no value>";
    size_t w = from;

    for (size_t r = from; r < out->len;) {
        if (out->ptr[r] == '<' && out->len - r >= sizeof(marker) - 1 &&
            memcmp(out->ptr + r, marker, sizeof(marker) - 1) == 0) {
            r += sizeof(marker) - 1;
            continue;
        }
        out->ptr[w++] = out->ptr[r++];
    }
    buf_truncate(out, w);
}

int gotpl_execute(struct gotpl *t, const char *name, struct val *dot, struct buf *out,
                  struct err *err)
{
    size_t start = out->len;

    if (gotpl_exec_named(t, NULL, name, dot, out, err) < 0) {
        buf_truncate(out, start);
        return -1;
    }
    if (t->mode == GOTPL_HELM) {
        strip_no_value(out, start);
    }
    return 0;
}
