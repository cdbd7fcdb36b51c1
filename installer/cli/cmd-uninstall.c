/*
 * cmd-uninstall.c - `pot uninstall`: options -> the scopes and struct pipe_opts of
 * pipe_uninstall, and the operator's confirmation (--yes, or "yes" typed on a terminal).
 */
#include "pot.h"
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "cli/pipe-cli.h"
#include "cli/prompt.h"
#include "pipeline/pipe.h"

struct uninstall_args {
    struct pipe_cli common;
    const char *mode, *container, *wipe;
    bool business, components, cluster, hosts, all, yes;
    struct svec positional;
};

#define AT(field) OPT_AT(struct uninstall_args, field)
const struct opt uninstall_options[] = {
    PIPE_CLI_OPTIONS(struct uninstall_args, common),
    { OPT_BOOL, "business", 0, AT(business), NULL, "only the business releases" },
    { OPT_BOOL, "components", 0, AT(components), NULL, "only the base components" },
    { OPT_BOOL, "cluster", 0, AT(cluster), NULL, "the cluster, with the releases on it" },
    { OPT_BOOL, "hosts", 0, AT(hosts), NULL, "only undo host-init" },
    { OPT_BOOL, "all", 0, AT(all), NULL, "everything (the default)" },
    { OPT_STRING, "wipe-data-disk", 0, AT(wipe), "DEV",
      "also put the data disk pot set up back to raw; DEV must name it again (data_disk_name, "
      "e.g. vdb)" },
    { OPT_BOOL, "yes", 'y', AT(yes), NULL, "do not ask for confirmation (required without a tty)" },
    { OPT_STRING, "mode", 0, AT(mode), "MODE",
      "full, tkestack or business instead of detecting it" },
    { OPT_STRING, "container", 0, AT(container), "NAME",
      "the tke-installer container name (default tke-installer)" },
    { 0 },
};
#undef AT

static int parse_args(int argc, char **argv, struct uninstall_args *a, unsigned *scopes,
                      struct err *err)
{
    if (opt_parse(uninstall_options, a, argc - 1, argv + 1, &a->positional, err) < 0) {
        return -1;
    }
    if (a->positional.len) {
        return err_set(err, ERR_USAGE, "unexpected argument '%s'", a->positional.items[0]);
    }
    *scopes = (a->business ? PIPE_UNDO_BUSINESS : 0) | (a->components ? PIPE_UNDO_COMPONENTS : 0) |
              (a->cluster ? PIPE_UNDO_CLUSTER : 0) | (a->hosts ? PIPE_UNDO_HOSTS : 0);
    if (a->all || !*scopes) {
        *scopes = PIPE_UNDO_ALL;
    }
    if (a->wipe && !(*scopes & PIPE_UNDO_HOSTS)) {
        return err_set(err, ERR_USAGE, "--wipe-data-disk goes with --hosts or --all");
    }
    if (a->wipe && (!a->wipe[0] || strchr(a->wipe, ' ') || strchr(a->wipe, '='))) {
        return err_set(err, ERR_USAGE,
                       "--wipe-data-disk needs the data disk's device (as "
                       "data_disk_name says, e.g. vdb), not '%s'",
                       a->wipe);
    }
    return 0;
}

static void scope_names(unsigned scopes, struct buf *out)
{
    static const struct {
        unsigned scope;
        const char *name;
    } names[] = {
        { PIPE_UNDO_BUSINESS, "business releases" },
        { PIPE_UNDO_COMPONENTS, "components" },
        { PIPE_UNDO_CLUSTER, "the cluster" },
        { PIPE_UNDO_HOSTS, "the host initialisation" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (scopes & names[i].scope) {
            buf_addf(out, "%s%s", out->len ? ", " : "", names[i].name);
        }
    }
}

/* --yes, or "yes" typed on a terminal; otherwise ERR_USAGE. */
static int confirm(const struct uninstall_args *a, unsigned scopes, const char *inventory,
                   struct err *err)
{
    struct buf what = BUF_INIT;
    struct buf answer = BUF_INIT;
    int ret = 0;

    if (a->yes || a->common.check) {
        return 0;
    }
    scope_names(scopes |
                    (scopes & PIPE_UNDO_CLUSTER ? PIPE_UNDO_BUSINESS | PIPE_UNDO_COMPONENTS : 0),
                &what);
    if (!isatty(STDIN_FILENO)) {
        ret = err_set(err, ERR_USAGE,
                      "pot uninstall removes %s from the hosts of '%s'; give "
                      "--yes to go ahead (or --check to see the plan)",
                      what.ptr, inventory);
    } else {
        char *question = xasprintf("This removes %s from the hosts of '%s'%s.\nType yes to go on: ",
                                   what.ptr, inventory,
                                   a->wipe ? " and wipes their data disk" : "");

        if (cli_ask(question, false, &answer, err) < 0 || !answer.ptr ||
            strcmp(answer.ptr, "yes") != 0) {
            ret = err_set(err, ERR_USAGE, "not confirmed; nothing was changed");
        }
        free(question);
    }
    buf_release(&answer);
    buf_release(&what);
    return ret;
}

int cmd_uninstall(int argc, char **argv, struct err *err)
{
    struct uninstall_args a = { 0 };
    struct pipe_opts o = { 0 };
    struct run_log l = { 0 };
    unsigned scopes = 0;
    char *inv = NULL;
    int ret = -1;

    if (parse_args(argc, argv, &a, &scopes, err) < 0) {
        goto out;
    }
    o.mode = a.mode ? pipe_mode_parse(a.mode, err) : PIPE_MODE_AUTO;
    inv = a.common.inventory ? xstrdup(a.common.inventory)
                             : xasprintf("%s/hosts", a.common.kit_dir ? a.common.kit_dir : ".");
    if (err->kind != ERR_NONE || confirm(&a, scopes, inv, err) < 0) {
        goto out;
    }
    o.container = a.container;
    o.wipe_data_disk = a.wipe;
    pipe_cli_start(&a.common, &o, &l);
    ret = pipe_cli_finish(&a.common, &l, pipe_uninstall(&o, scopes, err), err);
out:
    svec_release(&a.positional);
    free(inv);
    return ret;
}
