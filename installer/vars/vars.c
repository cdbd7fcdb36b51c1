/*
 * vars.c - merging Ansible's variable precedence layers and resolving templated variables
 * lazily through a tpl_scope, with cycle detection ("a: '{{ b }}', b: '{{ a }}'").
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/strutil.h"
#include "vars/vars.h"
#include "value/val.h"

struct val *vars_merge(const struct vars_layers *layers)
{
    struct val *out = val_dict();

    for (size_t l = 0; l < VARS_NLAYERS; l++) {
        struct val *d = layers->layer[l];

        for (size_t i = 0; d && d->type == VAL_DICT && i < val_dict_len(d); i++) {
            val_dict_set(out, val_dict_key_at(d, i), val_dict_value_at(d, i));
        }
    }
    return out;
}

void vars_inject_facts(struct val *out, struct val *facts)
{
    if (!facts || facts->type != VAL_DICT) {
        return;
    }
    val_dict_set(out, "ansible_facts", facts);
    for (size_t i = 0; i < val_dict_len(facts); i++) {
        const char *key = val_dict_key_at(facts, i);
        struct buf name = BUF_INIT;

        if (!str_starts_with(key, "ansible_")) {
            buf_adds(&name, "ansible_");
        }
        buf_adds(&name, key);
        val_dict_set(out, name.ptr, val_dict_value_at(facts, i));
        buf_release(&name);
    }
}

/* True when 'v' holds template markup anywhere (strings in lists and dicts too). */
static bool needs_templating(const struct val *v)
{
    switch (v->type) {
    case VAL_STR:
        return !(v->flags & VAL_UNSAFE) && tpl_is_template(v->u.s.ptr);
    case VAL_LIST:
        for (size_t i = 0; i < v->u.list.len; i++) {
            if (needs_templating(v->u.list.items[i])) {
                return true;
            }
        }
        return false;
    case VAL_DICT:
        for (size_t i = 0; i < v->u.dict.len; i++) {
            if (needs_templating(v->u.dict.values[i])) {
                return true;
            }
        }
        return false;
    default:
        return false;
    }
}

static struct val *resolve(struct vars_scope *s, const char *name, struct val *raw,
                           struct err *err)
{
    struct val *v = NULL;

    if (!needs_templating(raw)) {
        return val_ref(raw);
    }
    if (svec_contains(&s->resolving, name)) {
        err_at(err, ERR_TEMPLATE, &raw->pos,
               "recursive loop detected in template of variable '%s'", name);
        return NULL;
    }
    svec_push(&s->resolving, name);
    v = tpl_template_value(raw, &s->tpl, &raw->pos, err);
    s->resolving.len--;
    free(s->resolving.items[s->resolving.len]);
    s->resolving.items[s->resolving.len] = NULL;
    if (v) {
        val_dict_set(s->cache, name, v);
    }
    return v;
}

struct val *vars_get(struct vars_scope *s, const char *name, struct err *err)
{
    struct val *v = s->overlay ? val_dict_get(s->overlay, name) : NULL;

    if (v) {
        return val_ref(v);
    }
    v = val_dict_get(s->cache, name);
    if (v) {
        return val_ref(v);
    }
    v = val_dict_get(s->flat, name);
    if (v) {
        return resolve(s, name, v, err);
    }
    if (strcmp(name, "hostvars") == 0 && s->hostvars) {
        v = s->hostvars(s->hostvars_ctx);
        val_dict_set(s->cache, name, v);
        return v;
    }
    if (strcmp(name, "vars") == 0) {
        return vars_snapshot(s);
    }
    return NULL;
}

static struct val *scope_lookup(void *ctx, const char *name, struct err *err)
{
    return vars_get(ctx, name, err);
}

/* The raw value of 'name' (item overlay first, then the merged layers), for the template engine's
 * SINGLE_VAR shortcut; NULL for undefined and for the computed hostvars/vars. */
static struct val *scope_lookup_raw(void *ctx, const char *name)
{
    struct vars_scope *s = ctx;
    struct val *v = s->overlay ? val_dict_get(s->overlay, name) : NULL;

    return v ? v : val_dict_get(s->flat, name);
}

void vars_scope_init(struct vars_scope *s, struct val *flat, const char *search_dir)
{
    memset(s, 0, sizeof(*s));
    s->tpl.lookup = scope_lookup;
    s->tpl.lookup_raw = scope_lookup_raw;
    s->tpl.ctx = s;
    s->tpl.search_dir = search_dir;
    s->flat = flat;
    s->cache = val_dict();
}

void vars_scope_set_overlay(struct vars_scope *s, struct val *overlay)
{
    val_unref(s->overlay);
    s->overlay = overlay;
    /* resolved values may have used the previous item */
    val_unref(s->cache);
    s->cache = val_dict();
}

void vars_scope_release(struct vars_scope *s)
{
    val_unref(s->flat);
    val_unref(s->overlay);
    val_unref(s->cache);
    svec_release(&s->resolving);
    memset(s, 0, sizeof(*s));
}

struct val *vars_snapshot(struct vars_scope *s)
{
    struct val *out = val_dict();

    for (size_t i = 0; i < val_dict_len(s->flat); i++) {
        const char *key = val_dict_key_at(s->flat, i);
        struct err err = ERR_INIT;
        struct val *v = vars_get(s, key, &err);

        val_dict_set_take(out, key, v ? v : val_ref(val_dict_value_at(s->flat, i)));
    }
    for (size_t i = 0; s->overlay && i < val_dict_len(s->overlay); i++) {
        val_dict_set(out, val_dict_key_at(s->overlay, i), val_dict_value_at(s->overlay, i));
    }
    return out;
}
