/*
 * cmd-diff-host.c - `pot diff-host [--record [--replace]] HOST|PATTERN...`: the hosts compared
 * with the residue snapshots taken before pot first changed them (or those snapshots taken),
 * one line per difference or "HOST: clean" (residue/residue.h).
 */
#include "pot.h"
#include <string.h>
#include "base/err.h"
#include "base/log.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "inventory/inv.h"
#include "residue/residue.h"

/* The inventory hosts matching any of 'patterns', in inventory order, once each. Every pattern
 * must match a host (ERR_USAGE). */
static int match_hosts(const char *inventory, const struct svec *patterns, struct svec *names,
                       struct err *err)
{
    struct inventory *inv = inv_new();
    struct vec all = VEC_INIT;
    int ret = -1;

    if (inv_load(inv, inventory, err) < 0 || inv_finish(inv, err) < 0) {
        goto out;
    }
    for (size_t i = 0; i < patterns->len; i++) {
        struct vec matched = VEC_INIT;
        int rc = inv_match(inv, patterns->items[i], NULL, &matched, NULL, err);

        if (rc == 0 && matched.len == 0) {
            rc = err_set(err, ERR_USAGE, "host '%s' is not in the inventory '%s'",
                         patterns->items[i], inventory);
        }
        for (size_t k = 0; rc == 0 && k < matched.len; k++) {
            if (!vec_contains(&all, matched.items[k])) {
                vec_push(&all, matched.items[k]);
            }
        }
        vec_release(&matched);
        if (rc < 0) {
            goto out;
        }
    }
    for (size_t i = 0; i < inv_host_count(inv); i++) {
        if (vec_contains(&all, inv_host_at(inv, i))) {
            svec_push(names, inv_host_at(inv, i)->name);
        }
    }
    ret = 0;
out:
    vec_release(&all);
    inv_free(inv);
    return ret;
}

struct diff_host_args {
    const char *inventory, *kit_dir, *data_dir; /* borrowed from argv */
    bool record, replace;
    int verbose;
};

#define AT(field) OPT_AT(struct diff_host_args, field)
const struct opt diff_host_options[] = {
    { OPT_STRING, "inventory", 'i', AT(inventory), "INV",
      "inventory (default KIT/hosts); every HOST must be in it" },
    { OPT_STRING, "kit-dir", 0, AT(kit_dir), "DIR", "the kit (default cwd)" },
    { OPT_STRING, "data-dir", 0, AT(data_dir), "DIR",
      "tke-installer data (default " POT_DEFAULT_DATA_DIR ")" },
    { OPT_BOOL, "record", 0, AT(record), NULL,
      "take the snapshots of hosts that have none, compare nothing" },
    { OPT_BOOL, "replace", 0, AT(replace), NULL,
      "with --record: take them again, replacing the old ones" },
    { OPT_COUNT, "verbose", 'v', AT(verbose), NULL, "more diagnostics" },
    { 0 },
};
#undef AT

int cmd_diff_host(int argc, char **argv, struct err *err)
{
    struct diff_host_args a = { .kit_dir = ".", .data_dir = POT_DEFAULT_DATA_DIR };
    int dirty = 0;
    struct svec patterns = SVEC_INIT, hosts = SVEC_INIT;
    struct residue_report rep = { .say = cli_say_line };
    char *inv_path = NULL, *dir = NULL;
    int ret = -1;

    if (opt_parse(diff_host_options, &a, argc - 1, argv + 1, &patterns, err) < 0) {
        goto out;
    }
    if (patterns.len == 0) {
        err_set(err, ERR_USAGE, "pot diff-host: name the hosts (inventory names or patterns)");
        goto out;
    }
    if (a.replace && !a.record) {
        err_set(err, ERR_USAGE, "pot diff-host: --replace goes with --record");
        goto out;
    }
    log_set_level(a.verbose);
    inv_path = a.inventory ? xstrdup(a.inventory) : xasprintf("%s/hosts", a.kit_dir);
    dir = residue_dir(a.data_dir);
    if (match_hosts(inv_path, &patterns, &hosts, err) < 0) {
        goto out;
    }
    if (a.record) {
        ret = residue_baseline(inv_path, &hosts, dir, a.replace, &rep, err);
    } else if (residue_check(inv_path, &hosts, dir, &rep, &dirty, err) == 0) {
        ret = dirty ? POT_EXIT_ERROR : POT_EXIT_OK;
    }
out:
    free(dir);
    free(inv_path);
    svec_release(&hosts);
    svec_release(&patterns);
    return ret;
}
