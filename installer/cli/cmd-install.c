/*
 * cmd-install.c - `pot install`: options -> struct pipe_opts; what the operator sees is
 * cli/pipe-cli.c's.
 */
#include "pot.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/strutil.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "cli/pipe-cli.h"
#include "pipeline/pipe.h"

#define HOOK_TIMEOUT_S 3600
#define POLL_MS 500

struct install_args {
    struct pipe_cli common;
    struct pipe_opts pipe; /* --tags, --skip-tags and --remove go straight in; the rest after */
    const char *from, *only, *mode, *image, *container;
    bool resume, reset;
    struct svec positional;
};

#define AT(field) OPT_AT(struct install_args, field)
const struct opt install_options[] = {
    PIPE_CLI_OPTIONS(struct install_args, common),
    { OPT_BOOL, "resume", 0, AT(resume), NULL,
      "continue after a failure (what a rerun does anyway)" },
    { OPT_STRING, "from", 0, AT(from), "STAGE", "rerun STAGE and the stages after it" },
    { OPT_STRING, "only", 0, AT(only), "STAGE",
      "run only STAGE (unless done with the same inputs)" },
    { OPT_BOOL, "reset", 0, AT(reset), NULL, "forget the recorded progress; tke.json step 0" },
    { OPT_LIST, "tags", 't', AT(pipe.tags), "T", "only playbook tasks tagged T (repeatable)" },
    { OPT_LIST, "skip-tags", 0, AT(pipe.skip_tags), "T",
      "skip playbook tasks tagged T (repeatable)" },
    { OPT_STRING, "mode", 0, AT(mode), "MODE",
      "full, tkestack or business instead of detecting it" },
    { OPT_STRING, "installer-image", 0, AT(image), "REF",
      "tke-installer image (default " POT_DEFAULT_INSTALLER_IMAGE ")" },
    { OPT_STRING, "container", 0, AT(container), "NAME",
      "tke-installer's container name (default tke-installer)" },
    { OPT_LIST, "remove", 0, AT(pipe.remove), "NAME",
      "uninstall component NAME's release (stage components only; repeatable; its switch on "
      "deploys it again), or with 'business' every business release" },
    { 0 },
};
#undef AT

static int parse_args(int argc, char **argv, struct install_args *a, struct err *err)
{
    struct pipe_opts *o = &a->pipe;

    if (opt_parse(install_options, a, argc - 1, argv + 1, &a->positional, err) < 0) {
        return -1;
    }
    if (a->positional.len) {
        return err_set(err, ERR_USAGE, "unexpected argument '%s'", a->positional.items[0]);
    }
    /* --reset --only STAGE is allowed: it reruns that stage from scratch (tke.json step 0) */
    if (a->resume + (a->reset && !a->only) + (a->from != NULL) + (a->only != NULL) > 1) {
        return err_set(err, ERR_USAGE, "give at most one of --resume, --from STAGE, --only STAGE "
                       "and --reset (--reset may go with --only)");
    }
    /* --remove business: every business release (stage business); --remove NAME: that base
     * component's release (stage components) */
    if (o->remove.len) {
        const char *stage = svec_contains(&o->remove, "business") ? "business" : "components";

        if (strcmp(stage, "business") == 0 && o->remove.len > 1) {
            return err_set(err, ERR_USAGE, "--remove business goes alone (it removes every "
                           "business release)");
        }
        if (a->only && strcmp(a->only, stage) != 0) {
            return err_set(err, ERR_USAGE, "--remove %s goes with --only %s, not --only %s",
                           o->remove.items[0], stage, a->only);
        }
        if (a->from || a->reset) {
            return err_set(err, ERR_USAGE, "--remove runs only stage %s; give no --from or "
                           "--reset with it", stage);
        }
        a->only = stage;
    }
    o->mode = a->mode ? pipe_mode_parse(a->mode, err) : PIPE_MODE_AUTO;
    return err->kind == ERR_NONE ? 0 : -1;
}

int cmd_install(int argc, char **argv, struct err *err)
{
    struct install_args a = { 0 };
    struct pipe_opts *o = &a.pipe;
    struct run_log l = { 0 };
    int ret = -1;

    if (parse_args(argc, argv, &a, err) == 0) {
        o->from = a.from;
        o->only = a.only;
        o->reset = a.reset;
        o->image = a.image;
        o->container = a.container;
        o->poll_ms = POLL_MS;
        o->hook_timeout = HOOK_TIMEOUT_S;
        pipe_cli_start(&a.common, o, &l);
        ret = pipe_cli_finish(&a.common, &l, pipe_install(o, err), err);
    }
    svec_release(&o->tags);
    svec_release(&o->skip_tags);
    svec_release(&o->remove);
    svec_release(&a.positional);
    return ret;
}
