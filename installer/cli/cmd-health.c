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

struct health_args {
    const char *inventory, *kit_dir, *data_dir; /* borrowed from argv */
    int verbose;
};

#define AT(field) OPT_AT(struct health_args, field)
const struct opt health_options[] = {
    { OPT_STRING, "inventory", 'i', AT(inventory), "INV", "inventory (default KIT/hosts)" },
    { OPT_STRING, "kit-dir", 0, AT(kit_dir), "DIR", "the kit (default cwd)" },
    { OPT_STRING, "data-dir", 0, AT(data_dir), "DIR",
      "tke-installer data (default " POT_DEFAULT_DATA_DIR ")" },
    { OPT_COUNT, "verbose", 'v', AT(verbose), NULL, "more diagnostics" },
    { 0 },
};
#undef AT

int cmd_health(int argc, char **argv, struct err *err)
{
    struct health_args a = { .kit_dir = ".", .data_dir = POT_DEFAULT_DATA_DIR };
    struct svec positional = SVEC_INIT;
    struct pipe_opts o = { 0 };
    int ret = -1;

    if (opt_parse(health_options, &a, argc - 1, argv + 1, &positional, err) < 0) {
        goto out;
    }
    if (positional.len) {
        err_set(err, ERR_USAGE, "unexpected argument '%s'", positional.items[0]);
        goto out;
    }
    log_set_level(a.verbose);
    o.kit_dir = a.kit_dir;
    o.inventory = a.inventory;
    o.data_dir = a.data_dir;
    o.report = (struct pipe_report){ .say = cli_say_line };
    ret = pipe_health(&o, err);
out:
    svec_release(&positional);
    return ret;
}
