/*
 * cmd-inventory.c - `pot inventory -i INV [--list | --host NAME | --graph [GROUP]]
 * [--limit PATTERN]`: prints the inventory exactly as `ansible-inventory` does.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/vec.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "inventory/inv.h"
#include "value/val-json.h"
#include "value/val.h"

struct inventory_args {
    struct svec sources;
    struct svec positional;
    bool list;
    bool graph;
    const char *host;
    const char *limit;
};

#define AT(field) OPT_AT(struct inventory_args, field)
const struct opt inventory_options[] = {
    { OPT_LIST, "inventory", 'i', AT(sources), "INV",
      "inventory file, directory or comma host list \"h1,h2,\" (repeatable)" },
    { OPT_BOOL, "list", 0, AT(list), NULL, "every group and host as JSON, like ansible-inventory" },
    { OPT_STRING, "host", 0, AT(host), "NAME", "the merged variables of one host as JSON" },
    { OPT_BOOL, "graph", 0, AT(graph), NULL,
      "the group tree below GROUP, the argument after it (default all)" },
    { OPT_STRING, "limit", 'l', AT(limit), "PATTERN",
      "only hosts matching PATTERN (Ansible host pattern)" },
    { 0 },
};
#undef AT

static int parse_args(int argc, char **argv, struct inventory_args *a, struct err *err)
{
    int actions;

    if (opt_parse(inventory_options, a, argc - 1, argv + 1, &a->positional, err) < 0) {
        return -1;
    }
    actions = a->list + a->graph + (a->host != NULL);
    if (actions != 1) {
        return err_set(err, ERR_USAGE, "give exactly one of --list, --host NAME or --graph");
    }
    if (a->sources.len == 0) {
        return err_set(err, ERR_USAGE, "no inventory given: use -i INVENTORY");
    }
    if (a->positional.len > (a->graph ? 1u : 0u)) {
        return err_set(err, ERR_USAGE, "unexpected argument '%s'", a->positional.items[0]);
    }
    return 0;
}

static struct inventory *load(const struct svec *sources, struct err *err)
{
    struct inventory *inv = inv_new();

    for (size_t i = 0; i < sources->len; i++) {
        if (inv_load(inv, sources->items[i], err) < 0) {
            inv_free(inv);
            return NULL;
        }
    }
    if (inv_finish(inv, err) < 0) {
        inv_free(inv);
        return NULL;
    }
    return inv;
}

static void print_warnings(const struct svec *warnings)
{
    for (size_t i = 0; i < warnings->len; i++) {
        fprintf(stderr, "[WARNING]: %s\n", warnings->items[i]);
    }
}

static void print_json(struct val *v)
{
    struct buf out = BUF_INIT;

    val_to_json(v, &out, 4, VAL_JSON_SORT_KEYS);
    buf_addc(&out, '\n');
    fwrite(out.ptr, 1, out.len, stdout);
    buf_release(&out);
}

static int show_host(const struct inventory *inv, const struct inventory_args *a,
                     struct svec *warnings, struct err *err)
{
    struct vec hosts = VEC_INIT;
    struct val *vars;
    int ret = inv_match(inv, a->host, a->limit, &hosts, warnings, err);

    print_warnings(warnings);
    if (ret == 0 && hosts.len != 1) {
        ret = err_set(err, ERR_USAGE, "--host needs a pattern matching one host; '%s' matches %zu",
                      a->host, hosts.len);
    }
    if (ret == 0) {
        vars = inv_host_vars(inv, hosts.items[0]);
        print_json(vars);
        val_unref(vars);
    }
    vec_release(&hosts);
    return ret;
}

static int show_all(const struct inventory *inv, const struct inventory_args *a,
                    struct svec *warnings, struct err *err)
{
    const char *top_name = a->positional.len > 0 ? a->positional.items[0] : "all";
    const struct inv_group *top = inv_find_group(inv, top_name);
    struct vec only = VEC_INIT;
    struct buf out = BUF_INIT;
    struct val *list;

    if (a->limit && inv_match(inv, "all", a->limit, &only, warnings, err) < 0) {
        return -1;
    }
    print_warnings(warnings);
    if (a->list) {
        list = inv_list(inv, a->limit ? &only : NULL);
        print_json(list);
        val_unref(list);
    } else if (!top) {
        vec_release(&only);
        return err_set(err, ERR_USAGE, "--graph needs a group name; there is no group '%s'",
                       top_name);
    } else {
        inv_graph(top, a->limit ? &only : NULL, &out);
        fwrite(out.ptr, 1, out.len, stdout);
    }
    buf_release(&out);
    vec_release(&only);
    return 0;
}

int cmd_inventory(int argc, char **argv, struct err *err)
{
    struct inventory_args a = { SVEC_INIT, SVEC_INIT, false, false, NULL, NULL };
    struct svec warnings = SVEC_INIT;
    struct inventory *inv = NULL;
    int ret = -1;

    if (parse_args(argc, argv, &a, err) < 0) {
        goto out;
    }
    inv = load(&a.sources, err);
    if (!inv) {
        goto out;
    }
    ret = a.host ? show_host(inv, &a, &warnings, err) : show_all(inv, &a, &warnings, err);
out:
    inv_free(inv);
    svec_release(&warnings);
    svec_release(&a.sources);
    svec_release(&a.positional);
    return ret;
}
