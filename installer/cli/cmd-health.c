/*
 * cmd-health.c - `pot health`: the base components' health on the cluster (pipe-health.c), one
 * line per switched-on component on stdout, redacted.
 */
#include "pot.h"
#include "base/err.h"
#include "base/log.h"
#include "base/vec.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "pipeline/pipe.h"

int cmd_health(int argc, char **argv, struct err *err)
{
    const char *inventory = NULL, *kit_dir = ".", *data_dir = POT_DEFAULT_DATA_DIR;
    int verbose = 0;
    struct svec positional = SVEC_INIT;
    struct pipe_opts o = { 0 };
    const struct opt opts[] = {
        { OPT_STRING, "inventory", 'i', &inventory, "INV", "inventory (default KIT/hosts)" },
        { OPT_STRING, "kit-dir", 0, &kit_dir, "DIR", "the kit directory (default: cwd)" },
        { OPT_STRING, "data-dir", 0, &data_dir, "DIR", "tke-installer data dir" },
        { OPT_COUNT, "verbose", 'v', &verbose, NULL, "more diagnostics" },
        { 0 },
    };
    int ret = -1;

    if (opt_parse(opts, argc - 1, argv + 1, &positional, err) < 0) {
        goto out;
    }
    if (positional.len) {
        err_set(err, ERR_USAGE, "unexpected argument '%s'", positional.items[0]);
        goto out;
    }
    log_set_level(verbose);
    o.kit_dir = kit_dir;
    o.inventory = inventory;
    o.data_dir = data_dir;
    o.report = (struct pipe_report){ .say = cli_say_line };
    ret = pipe_health(&o, err);
out:
    svec_release(&positional);
    return ret;
}
