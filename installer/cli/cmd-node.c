/*
 * cmd-node.c - `pot node add|remove HOST...`: options -> struct pipe_opts and pipe_node.
 */
#include "pot.h"
#include <string.h>
#include "base/err.h"
#include "base/vec.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "cli/pipe-cli.h"
#include "pipeline/pipe.h"

#define POLL_MS 1000

struct node_args {
    struct pipe_cli common;
    struct svec positional; /* the action, then the hosts */
};

const struct opt node_options[] = {
    PIPE_CLI_OPTIONS(struct node_args, common),
    { 0 },
};

static int parse_args(int argc, char **argv, struct node_args *a, struct err *err)
{
    if (opt_parse(node_options, a, argc - 1, argv + 1, &a->positional, err) < 0) {
        return -1;
    }
    if (a->positional.len == 0 || (strcmp(a->positional.items[0], "add") != 0 &&
                                   strcmp(a->positional.items[0], "remove") != 0)) {
        return err_set(err, ERR_USAGE, "pot node: give 'add' or 'remove', then the hosts");
    }
    if (a->positional.len < 2) {
        return err_set(err, ERR_USAGE, "pot node %s: name the hosts (inventory names)",
                       a->positional.items[0]);
    }
    return 0;
}

int cmd_node(int argc, char **argv, struct err *err)
{
    struct node_args a = { 0 };
    struct pipe_opts o = { 0 };
    struct run_log l = { 0 };
    struct svec hosts = SVEC_INIT;
    int ret = -1;

    if (parse_args(argc, argv, &a, err) == 0) {
        for (size_t i = 1; i < a.positional.len; i++) {
            svec_push(&hosts, a.positional.items[i]);
        }
        o.poll_ms = POLL_MS;
        pipe_cli_start(&a.common, &o, &l);
        ret = pipe_cli_finish(&a.common, &l,
                              pipe_node(&o, &hosts, strcmp(a.positional.items[0], "add") == 0,
                                        err),
                              err);
    }
    svec_release(&hosts);
    svec_release(&a.positional);
    return ret;
}
