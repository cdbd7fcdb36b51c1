/*
 * tpl-global.c - global functions callable from templates: range(), dict(), and Ansible's
 * lookup()/query()/q() over the lookup plugins of tpl-lookup.c.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
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

/* The list of results of lookup plugin a->pos[0] over terms a->pos[1..] (tpl-lookup.c). */
static struct val *run_lookup(struct tpl_ctx *c, const struct tpl_args *a)
{
    const char *plugin = a->npos && a->pos[0]->type == VAL_STR ? a->pos[0]->u.s.ptr : NULL;
    struct val *terms, *kw, *out;
    struct err e = ERR_INIT;

    if (!plugin) {
        return tpl_fail(c, "lookup needs a plugin name");
    }
    terms = val_list();
    kw = val_dict();
    for (size_t i = 1; i < a->npos; i++) {
        val_list_push(terms, a->pos[i]);
    }
    for (size_t i = 0; i < a->nkw; i++) {
        val_dict_set(kw, a->kwnames[i], a->kw[i]);
    }
    out = tpl_lookup(plugin, terms, kw, NULL, tpl_ctx_scope(c), &e);
    val_unref(terms);
    val_unref(kw);
    return out ? out : tpl_fail(c, "%s", e.msg);
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
