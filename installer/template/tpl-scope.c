/*
 * tpl-scope.c - a struct tpl_scope over a dict of variables whose values may themselves be
 * templates: each is templated lazily on first use (recursively, like Ansible's lazy variable
 * templating), cached, and a cycle ("a: '{{ b }}', b: '{{ a }}'") is an error naming the chain.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/vec.h"
#include "template/tpl-eval.h"

static struct val *dict_scope_lookup(void *ctx, const char *name, struct err *err)
{
    struct tpl_dict_scope *s = ctx;
    struct val *raw, *v;

    v = val_dict_get(s->cache, name);
    if (v != NULL) {
        return val_ref(v);
    }
    raw = val_dict_get(s->vars, name);
    if (!raw) {
        return NULL;
    }
    if (raw->type != VAL_LIST && raw->type != VAL_DICT &&
        (raw->type != VAL_STR || (raw->flags & VAL_UNSAFE) || !tpl_is_template(raw->u.s.ptr))) {
        return val_ref(raw); /* a plain scalar: nothing to render or cache */
    }
    if (raw->type != VAL_STR && !tpl_needs_templating(raw)) {
        /* what tpl_template_value would return (it shares such containers), without walking
         * them a second time; a value being templated always needs it, so no cycle here */
        val_dict_set(s->cache, name, raw);
        return val_ref(raw);
    }
    if (svec_contains(&s->resolving, name)) {
        struct buf chain = BUF_INIT;

        for (size_t i = 0; i < s->resolving.len; i++) {
            buf_addf(&chain, "'%s' -> ", s->resolving.items[i]);
        }
        buf_addf(&chain, "'%s'", name);
        err_set(err, ERR_TEMPLATE, TPL_CYCLE_MSG "%s", chain.ptr);
        buf_release(&chain);
        return NULL;
    }
    svec_push(&s->resolving, name);
    v = tpl_template_value(raw, &s->scope, NULL, err);
    free(s->resolving.items[--s->resolving.len]);
    s->resolving.items[s->resolving.len] = NULL;
    if (!v) {
        if (err->pos.line != 0 && !strstr(err->msg, "while templating variable") &&
            strncmp(err->msg, TPL_CYCLE_MSG, strlen(TPL_CYCLE_MSG)) != 0) {
            err_prefix(err, "while templating variable '%s': ", name); /* pos is in the vars */
        }
        return NULL;
    }
    val_dict_set(s->cache, name, v);
    return v;
}

static struct val *dict_scope_lookup_raw(void *ctx, const char *name)
{
    struct tpl_dict_scope *s = ctx;

    return val_dict_get(s->vars, name);
}

void tpl_dict_scope_init(struct tpl_dict_scope *s, struct val *vars, const char *search_dir)
{
    memset(s, 0, sizeof(*s));
    s->vars = val_ref(vars);
    s->cache = val_dict();
    s->scope.lookup = dict_scope_lookup;
    s->scope.lookup_raw = dict_scope_lookup_raw;
    s->scope.ctx = s;
    s->scope.search_dir = search_dir;
}

void tpl_dict_scope_release(struct tpl_dict_scope *s)
{
    val_unref(s->vars);
    val_unref(s->cache);
    svec_release(&s->resolving);
    s->vars = s->cache = NULL;
}
