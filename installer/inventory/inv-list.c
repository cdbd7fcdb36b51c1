/*
 * inv-list.c - the data behind `pot inventory --list` and `--graph`, built the way
 * ansible-inventory 2.14's json_inventory() and inventory_graph() build them: every group
 * reachable from 'all' with its direct 'hosts' and 'children' (empty ones left out), and
 * '_meta.hostvars' with the merged variables of every host that has any.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "inventory/inv-impl.h"
#include "inventory/inv.h"
#include "value/val.h"

static bool wanted(const struct vec *only, const struct inv_host *host)
{
    if (!only) {
        return true;
    }
    for (size_t i = 0; i < only->len; i++) {
        if (only->items[i] == host) {
            return true;
        }
    }
    return false;
}

/* format_group(): adds the group (unless empty) and, once each, its descendants. */
static void format_group(const struct inv_group *group, const struct vec *only, bool *seen,
                         struct val *results)
{
    struct val *entry = val_dict();
    struct val *hosts = val_list();
    struct val *children = val_list();

    for (size_t i = 0; strcmp(group->name, "all") != 0 && i < group->hosts.len; i++) {
        const struct inv_host *host = group->hosts.items[i];

        if (wanted(only, host)) {
            val_list_push_take(hosts, val_str(host->name));
        }
    }
    for (size_t i = 0; i < group->children.len; i++) {
        const struct inv_group *child = group->children.items[i];

        val_list_push_take(children, val_str(child->name));
        if (!seen[child->index]) {
            seen[child->index] = true;
            format_group(child, only, seen, results);
        }
    }
    if (val_list_len(hosts) > 0) {
        val_dict_set(entry, "hosts", hosts);
    }
    if (val_list_len(children) > 0) {
        val_dict_set(entry, "children", children);
    }
    if (val_dict_len(entry) > 0) {
        val_dict_set(results, group->name, entry);
    }
    val_unref(entry);
    val_unref(hosts);
    val_unref(children);
}

struct val *inv_list(const struct inventory *inv, const struct vec *only)
{
    struct val *results = val_dict();
    struct val *meta = val_dict();
    struct val *hostvars = val_dict();
    bool *seen = xcalloc(inv_group_count(inv), sizeof(bool));
    struct vec hosts = VEC_INIT;

    format_group(inv_group_at(inv, 0), only, seen, results);
    inv_group_hosts(inv, inv_group_at(inv, 0), &hosts);
    for (size_t i = 0; i < hosts.len; i++) {
        const struct inv_host *host = hosts.items[i];
        struct val *vars;

        if (!wanted(only, host)) {
            continue;
        }
        vars = inv_host_vars(inv, host);
        if (val_dict_len(vars) > 0) {
            val_dict_set(hostvars, host->name, vars);
        }
        val_unref(vars);
    }
    val_dict_set_take(meta, "hostvars", hostvars);
    val_dict_set_take(results, "_meta", meta);
    vec_release(&hosts);
    free(seen);
    return results;
}

static void graph_line(struct buf *out, int depth, const char *text)
{
    for (int i = 0; i < depth; i++) {
        buf_adds(out, "  |");
    }
    buf_addf(out, "%s%s\n", depth ? "--" : "", text);
}

/* _graph_group(): the group, its children's subtrees, then its hosts ('all' lists none). */
static void graph_group(const struct inv_group *group, int depth, const struct vec *only,
                        struct buf *out)
{
    char *title = xasprintf("@%s:", group->name);

    graph_line(out, depth, title);
    free(title);
    for (size_t i = 0; i < group->children.len; i++) {
        graph_group(group->children.items[i], depth + 1, only, out);
    }
    for (size_t i = 0; strcmp(group->name, "all") != 0 && i < group->hosts.len; i++) {
        const struct inv_host *host = group->hosts.items[i];

        if (wanted(only, host)) {
            graph_line(out, depth + 1, host->name);
        }
    }
}

void inv_graph(const struct inv_group *top, const struct vec *only, struct buf *out)
{
    graph_group(top, 0, only, out);
}
