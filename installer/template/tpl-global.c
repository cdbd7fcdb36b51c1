/*
 * tpl-global.c - global functions callable from templates: range(), dict(), and Ansible's
 * lookup()/query()/q() with the 'env', 'file' and 'template' lookup plugins.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "template/tpl-eval.h"

#define MAX_RANGE 1000000

static struct val *g_range(struct tpl_ctx *c, const struct tpl_args *a)
{
    int64_t v[3] = { 0, 0, 1 }, start, stop, step;
    struct val *out;

    if (a->npos < 1 || a->npos > 3 || a->nkw) {
        return tpl_fail(c, "range expected 1 to 3 integer arguments, got %zu", a->npos);
    }
    for (size_t i = 0; i < a->npos; i++) {
        if (a->pos[i]->type != VAL_INT && a->pos[i]->type != VAL_BOOL) {
            return tpl_fail(c, "'%s' object cannot be interpreted as an integer",
                            val_type_name(a->pos[i]->type));
        }
        v[i] = a->pos[i]->type == VAL_INT ? a->pos[i]->u.i : a->pos[i]->u.b;
    }
    start = a->npos == 1 ? 0 : v[0];
    stop = a->npos == 1 ? v[0] : v[1];
    step = a->npos == 3 ? v[2] : 1;
    if (step == 0) {
        return tpl_fail(c, "range() arg 3 must not be zero");
    }
    if ((step > 0 && stop > start && (stop - start) / step > MAX_RANGE) ||
        (step < 0 && start > stop && (start - stop) / -step > MAX_RANGE)) {
        return tpl_fail(c, "range() would produce more than %d items", MAX_RANGE);
    }
    out = val_list();
    for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
        val_list_push_take(out, val_int(i));
    }
    return out;
}

static struct val *g_dict(struct tpl_ctx *c, const struct tpl_args *a)
{
    struct val *out = val_dict();

    if (a->npos > 1) {
        val_unref(out);
        return tpl_fail(c, "dict expected at most 1 argument, got %zu", a->npos);
    }
    if (a->npos == 1) {
        struct val *src = a->pos[0];

        if (src->type == VAL_DICT) {
            val_unref(out);
            out = val_copy(src);
        } else if (src->type == VAL_LIST) {
            for (size_t i = 0; i < val_list_len(src); i++) {
                struct val *pair = val_list_get(src, i), *k;

                if (pair->type != VAL_LIST || val_list_len(pair) != 2) {
                    val_unref(out);
                    return tpl_fail(c, "dictionary update sequence element #%zu has the wrong "
                                       "length", i);
                }
                k = tpl_to_str(val_list_get(pair, 0));
                val_dict_set(out, k->u.s.ptr, val_list_get(pair, 1));
                val_unref(k);
            }
        } else {
            val_unref(out);
            return tpl_fail(c, "'%s' object is not iterable", val_type_name(src->type));
        }
    }
    for (size_t i = 0; i < a->nkw; i++) {
        val_dict_set(out, a->kwnames[i], a->kw[i]);
    }
    return out;
}

static char *resolve_path(struct tpl_ctx *c, const char *name)
{
    const struct tpl_scope *s = tpl_ctx_scope(c);

    return fs_join(s && s->search_dir ? s->search_dir : "", name);
}

/* One term of lookup('file') or lookup('template'); a new reference or NULL. */
static struct val *lookup_file(struct tpl_ctx *c, const char *plugin, struct val *term,
                               bool rstrip)
{
    struct buf text = BUF_INIT, out = BUF_INIT;
    struct err e = ERR_INIT;
    char *path;

    if (term->type != VAL_STR) {
        return tpl_fail(c, "lookup('%s'): terms must be strings", plugin);
    }
    path = resolve_path(c, term->u.s.ptr);
    if (fs_read_file(path, &text, &e) < 0) {
        free(path);
        buf_release(&text);
        return tpl_fail(c, "could not locate file in lookup: '%s'", term->u.s.ptr);
    }
    if (strcmp(plugin, "template") == 0) {
        struct tpl_opts o = { .name = path, .trim_blocks = true, .keep_trailing_newline = true };
        struct tpl *t = tpl_compile(text.ptr, text.len, &o, &e);

        if (!t || tpl_render(t, tpl_ctx_scope(c), &out, &e) < 0) {
            struct val *r = tpl_fail(c, "lookup('template'): %s:%d:%d: %s", path, e.pos.line,
                                     e.pos.col, e.msg);

            tpl_free(t);
            free(path);
            buf_release(&text);
            buf_release(&out);
            return r;
        }
        tpl_free(t);
        buf_release(&text);
    } else {
        out = text;
        while (rstrip && out.len > 0 && strchr(" \t\r\n\v\f", out.ptr[out.len - 1])) {
            out.len--;
        }
        out.ptr[out.len] = 0;
    }
    free(path);
    return tpl_str_from_buf(&out);
}

/* The list of results of lookup plugin 'plugin' over terms a->pos[1..]. */
static struct val *run_lookup(struct tpl_ctx *c, const struct tpl_args *a)
{
    const char *plugin = a->npos && a->pos[0]->type == VAL_STR ? a->pos[0]->u.s.ptr : NULL;
    struct val *out, *def = tpl_arg(a, SIZE_MAX, "default"), *rs = tpl_arg(a, SIZE_MAX, "rstrip");

    if (!plugin) {
        return tpl_fail(c, "lookup needs a plugin name");
    }
    if (strcmp(plugin, "env") && strcmp(plugin, "file") && strcmp(plugin, "template")) {
        return tpl_fail(c, "lookup plugin '%s' not found (pot has env, file, template)", plugin);
    }
    out = val_list();
    for (size_t i = 1; i < a->npos; i++) {
        struct val *term = a->pos[i], *r;

        if (strcmp(plugin, "env") == 0) {
            const char *e = term->type == VAL_STR ? getenv(term->u.s.ptr) : NULL;

            r = e ? val_str(e) : def ? val_ref(def) : val_str("");
        } else {
            r = lookup_file(c, plugin, term, !rs || val_truthy(rs));
        }
        if (!r) {
            val_unref(out);
            return NULL;
        }
        val_list_push_take(out, r);
    }
    return out;
}

/* lookup(): the results joined with ',' unless wantlist=True. */
static struct val *g_lookup(struct tpl_ctx *c, const struct tpl_args *a)
{
    struct val *wl = tpl_arg(a, SIZE_MAX, "wantlist"), *list = run_lookup(c, a);
    struct buf b = BUF_INIT;

    if (!list || (wl && val_truthy(wl))) {
        return list;
    }
    for (size_t i = 0; i < val_list_len(list); i++) {
        struct val *s = val_list_get(list, i);

        if (s->type != VAL_STR) {
            buf_release(&b);
            if (val_list_len(list) == 1) {
                struct val *only = val_ref(s);

                val_unref(list);
                return only;
            }
            return list;
        }
        if (i) {
            buf_addc(&b, ',');
        }
        buf_add(&b, s->u.s.ptr, s->u.s.len);
    }
    val_unref(list);
    return tpl_str_from_buf(&b);
}

struct val *tpl_call_global(struct tpl_ctx *c, const char *name, const struct tpl_args *a,
                            bool *found)
{
    *found = true;
    if (strcmp(name, "range") == 0) {
        return g_range(c, a);
    }
    if (strcmp(name, "dict") == 0) {
        return g_dict(c, a);
    }
    if (strcmp(name, "lookup") == 0) {
        return g_lookup(c, a);
    }
    if (strcmp(name, "query") == 0 || strcmp(name, "q") == 0) {
        return run_lookup(c, a);
    }
    *found = false;
    return NULL;
}
