/*
 * inv.c - the inventory model: hosts and groups, parent/child links, inline variables, and the
 * reconcile step (top groups under 'all', group-less hosts under 'ungrouped', depths) that
 * ansible-core's InventoryData performs after parsing. File formats live in inv-ini.c,
 * inv-yaml.c and inv-load.c; variable merging in inv-vars.c.
 */
#include "pot.h"
#include <string.h>
#include "base/err.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "inventory/inv-impl.h"
#include "inventory/inv.h"
#include "value/val.h"

struct inventory *inv_new(void)
{
    struct inventory *inv = xcalloc(1, sizeof(*inv));

    inv->host_index = val_dict();
    inv->group_index = val_dict();
    inv->file_vars = val_list();
    inv_add_group(inv, "all");
    inv_add_group(inv, "ungrouped");
    inv_add_child(inv, inv_group_at(inv, 0), inv_group_at(inv, 1), NULL, NULL);
    return inv;
}

static void host_free(struct inv_host *host)
{
    free(host->name);
    val_unref(host->vars);
    vec_release(&host->groups);
    free(host);
}

static void group_free(struct inv_group *group)
{
    free(group->name);
    val_unref(group->vars);
    vec_release(&group->children);
    vec_release(&group->parents);
    vec_release(&group->hosts);
    free(group);
}

void inv_free(struct inventory *inv)
{
    if (!inv) {
        return;
    }
    for (size_t i = 0; i < inv->hosts.len; i++) {
        host_free(inv->hosts.items[i]);
    }
    for (size_t i = 0; i < inv->groups.len; i++) {
        group_free(inv->groups.items[i]);
    }
    vec_release(&inv->hosts);
    vec_release(&inv->groups);
    val_unref(inv->host_index);
    val_unref(inv->group_index);
    val_unref(inv->file_vars);
    val_unref(inv->play_vars);
    svec_release(&inv->var_dirs);
    free(inv);
}

size_t inv_host_count(const struct inventory *inv)
{
    return inv->hosts.len;
}

struct inv_host *inv_host_at(const struct inventory *inv, size_t i)
{
    return i < inv->hosts.len ? inv->hosts.items[i] : NULL;
}

size_t inv_group_count(const struct inventory *inv)
{
    return inv->groups.len;
}

struct inv_group *inv_group_at(const struct inventory *inv, size_t i)
{
    return i < inv->groups.len ? inv->groups.items[i] : NULL;
}

struct inv_host *inv_find_host(const struct inventory *inv, const char *name)
{
    struct val *index = val_dict_get(inv->host_index, name);

    return index ? inv->hosts.items[index->u.i] : NULL;
}

struct inv_group *inv_find_group(const struct inventory *inv, const char *name)
{
    struct val *index = val_dict_get(inv->group_index, name);

    return index ? inv->groups.items[index->u.i] : NULL;
}

struct inv_group *inv_add_group(struct inventory *inv, const char *name)
{
    struct inv_group *group = inv_find_group(inv, name);

    if (group) {
        return group;
    }
    group = xcalloc(1, sizeof(*group));
    group->name = xstrdup(name);
    group->vars = val_dict();
    group->priority = 1;
    group->index = inv->groups.len;
    val_dict_set_take(inv->group_index, name, val_int((int64_t)group->index));
    vec_push(&inv->groups, group);
    return group;
}

static bool vec_has(const struct vec *v, const void *item)
{
    for (size_t i = 0; i < v->len; i++) {
        if (v->items[i] == item) {
            return true;
        }
    }
    return false;
}

static void vec_remove(struct vec *v, const void *item)
{
    for (size_t i = 0; i < v->len; i++) {
        if (v->items[i] == item) {
            memmove(&v->items[i], &v->items[i + 1], (v->len - i - 1) * sizeof(void *));
            v->len--;
            return;
        }
    }
}

static void group_add_host(struct inv_group *group, struct inv_host *host)
{
    if (!vec_has(&group->hosts, host)) {
        vec_push(&group->hosts, host);
        vec_push(&host->groups, group);
    }
}

struct inv_host *inv_add_host(struct inventory *inv, const char *name, struct inv_group *group,
                              int port)
{
    struct inv_host *host = inv_find_host(inv, name);

    if (!host) {
        host = xcalloc(1, sizeof(*host));
        host->name = xstrdup(name);
        host->vars = val_dict();
        host->source = inv->current;
        host->index = inv->hosts.len;
        if (port > 0) {
            val_dict_set_take(host->vars, "ansible_port", val_int(port));
        }
        val_dict_set_take(inv->host_index, name, val_int((int64_t)host->index));
        vec_push(&inv->hosts, host);
    }
    if (group) {
        group_add_host(group, host);
    }
    return host;
}

/* True when 'ancestor' is 'group' or is reachable from it through parents. */
static bool is_ancestor_or_self(const struct inv_group *ancestor, const struct inv_group *group)
{
    if (ancestor == group) {
        return true;
    }
    for (size_t i = 0; i < group->parents.len; i++) {
        if (is_ancestor_or_self(ancestor, group->parents.items[i])) {
            return true;
        }
    }
    return false;
}

int inv_add_child(struct inventory *inv, struct inv_group *parent, struct inv_group *child,
                  const struct srcpos *pos, struct err *err)
{
    (void)inv;
    if (vec_has(&parent->children, child)) {
        return 0;
    }
    if (is_ancestor_or_self(child, parent)) {
        return err_at(err, ERR_PARSE, pos,
                      "adding group '%s' as a child of '%s' creates a dependency loop",
                      child->name, parent->name);
    }
    vec_push(&parent->children, child);
    vec_push(&child->parents, parent);
    return 0;
}

/* Ansible's set_variable: a dict set over a dict is merged one level (combine_vars). */
static void set_var(struct val *vars, const char *key, struct val *value)
{
    struct val *old = val_dict_get(vars, key);

    if (old && old->type == VAL_DICT && value->type == VAL_DICT) {
        struct val *merged = val_copy(old);

        for (size_t i = 0; i < val_dict_len(value); i++) {
            val_dict_set(merged, val_dict_key_at(value, i), val_dict_value_at(value, i));
        }
        val_dict_set_take(vars, key, merged);
        return;
    }
    val_dict_set(vars, key, value);
}

void inv_set_group_var(struct inv_group *group, const char *key, struct val *value)
{
    int64_t priority;

    if (strcmp(key, "ansible_group_priority") == 0) {
        if (value->type == VAL_INT) {
            group->priority = (int)value->u.i;
        } else if (val_is_str(value) && parse_int(val_cstr(value), &priority) == 0) {
            group->priority = (int)priority;
        }
        return;
    }
    set_var(group->vars, key, value);
}

void inv_set_host_var(struct inv_host *host, const char *key, struct val *value)
{
    set_var(host->vars, key, value);
}

void inv_host_groups(const struct inventory *inv, const struct inv_host *host, struct vec *out)
{
    bool *seen = xcalloc(inv->groups.len, sizeof(bool));
    struct vec todo = VEC_INIT;

    for (size_t i = 0; i < host->groups.len; i++) {
        vec_push(&todo, host->groups.items[i]);
    }
    while (todo.len > 0) {
        struct inv_group *group = vec_pop(&todo);

        if (seen[group->index]) {
            continue;
        }
        seen[group->index] = true;
        vec_push(out, group);
        for (size_t i = 0; i < group->parents.len; i++) {
            vec_push(&todo, group->parents.items[i]);
        }
    }
    vec_release(&todo);
    free(seen);
}

/* Appends the not yet seen children of every group in 'level' to 'next', by creation order. */
static void next_level(const struct inventory *inv, const struct vec *level, bool *seen,
                       struct vec *next)
{
    bool *wanted = xcalloc(inv->groups.len, sizeof(bool));

    for (size_t i = 0; i < level->len; i++) {
        const struct inv_group *group = level->items[i];

        for (size_t j = 0; j < group->children.len; j++) {
            const struct inv_group *child = group->children.items[j];

            wanted[child->index] = !seen[child->index];
        }
    }
    for (size_t i = 0; i < inv->groups.len; i++) {
        if (wanted[i]) {
            seen[i] = true;
            vec_push(next, inv->groups.items[i]);
        }
    }
    free(wanted);
}

/* The group and its descendants in _walk_relationship(preserve_ordering=True) order: the group,
 * its children in order, then each deeper level (Python walks a set there; pot uses creation
 * order, which is what CPython yields for groups created one after another). */
static void descendants(const struct inventory *inv, const struct inv_group *group,
                        struct vec *out)
{
    bool *seen = xcalloc(inv->groups.len, sizeof(bool));
    struct vec level = VEC_INIT;

    seen[group->index] = true;
    vec_push(out, (void *)group);
    for (size_t i = 0; i < group->children.len; i++) {
        struct inv_group *child = group->children.items[i];

        if (!seen[child->index]) {
            seen[child->index] = true;
            vec_push(out, child);
        }
    }
    for (size_t i = 1; i < out->len; i++) {
        vec_push(&level, out->items[i]);
    }
    while (level.len > 0) {
        struct vec next = VEC_INIT;

        next_level(inv, &level, seen, &next);
        for (size_t i = 0; i < next.len; i++) {
            vec_push(out, next.items[i]);
        }
        vec_release(&level);
        level = next;
    }
    vec_release(&level);
    free(seen);
}

void inv_group_hosts(const struct inventory *inv, const struct inv_group *group, struct vec *out)
{
    bool *seen = xcalloc(inv->hosts.len + 1, sizeof(bool));
    struct vec groups = VEC_INIT;

    descendants(inv, group, &groups);
    for (size_t i = 0; i < groups.len; i++) {
        const struct inv_group *g = groups.items[i];

        for (size_t j = 0; j < g->hosts.len; j++) {
            struct inv_host *host = g->hosts.items[j];

            if (!seen[host->index]) {
                seen[host->index] = true;
                vec_push(out, host);
            }
        }
    }
    vec_release(&groups);
    free(seen);
}

const struct inv_host *inv_group_first(const struct inventory *inv, const char *name)
{
    const struct inv_group *group = inv_find_group(inv, name);
    struct vec hosts = VEC_INIT;
    const struct inv_host *first = NULL;

    if (group) {
        inv_group_hosts(inv, group, &hosts);
    }
    if (hosts.len) {
        first = hosts.items[0];
    }
    vec_release(&hosts);
    return first;
}

static int group_depth(struct inv_group *group, int *memo)
{
    int depth = 0;

    if (memo[group->index] >= 0) {
        return memo[group->index];
    }
    for (size_t i = 0; i < group->parents.len; i++) {
        int d = group_depth(group->parents.items[i], memo) + 1;

        depth = d > depth ? d : depth;
    }
    memo[group->index] = depth;
    return depth;
}

/* reconcile_inventory: host membership of 'ungrouped' follows whether it has another group. */
static void reconcile_host(struct inventory *inv, struct inv_host *host)
{
    struct inv_group *all = inv->groups.items[0];
    struct inv_group *ungrouped = inv->groups.items[1];
    struct vec groups = VEC_INIT;
    bool in_ungrouped = false;
    bool in_other = false;

    inv_host_groups(inv, host, &groups);
    for (size_t i = 0; i < groups.len; i++) {
        if (groups.items[i] == ungrouped) {
            in_ungrouped = true;
        } else if (groups.items[i] != all) {
            in_other = true;
        }
    }
    if (in_ungrouped && in_other) {
        vec_remove(&ungrouped->hosts, host);
        vec_remove(&host->groups, ungrouped);
    } else if (!in_ungrouped && !in_other) {
        group_add_host(ungrouped, host);
    }
    vec_release(&groups);
}

int inv_reconcile(struct inventory *inv, struct err *err)
{
    struct inv_group *all = inv->groups.items[0];
    int *memo = xmalloc(inv->groups.len * sizeof(int));

    for (size_t i = 1; i < inv->groups.len; i++) {
        struct inv_group *group = inv->groups.items[i];

        if (group->parents.len == 0 && inv_add_child(inv, all, group, NULL, err) < 0) {
            free(memo);
            return -1;
        }
    }
    for (size_t i = 0; i < inv->hosts.len; i++) {
        reconcile_host(inv, inv->hosts.items[i]);
    }
    for (size_t i = 0; i < inv->groups.len; i++) {
        memo[i] = -1;
    }
    for (size_t i = 0; i < inv->groups.len; i++) {
        struct inv_group *group = inv->groups.items[i];

        group->depth = group_depth(group, memo);
    }
    free(memo);
    return 0;
}
