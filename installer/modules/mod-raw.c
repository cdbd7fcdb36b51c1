/*
 * mod-raw.c - the `raw` module: sends the free-form command line as is (no module machinery),
 * optionally through 'executable'; output is reported unstripped, like Ansible's raw.
 */
#include "pot.h"
#include "base/buf.h"
#include "conn/shell-quote.h"
#include "modules/args.h"
#include "modules/mod-run.h"
#include "modules/mod-util.h"

static const struct arg_spec raw_args[] = {
    { .name = "_raw_params", .type = ARG_STR, .required = true },
    { .name = "executable", .type = ARG_PATH },
    { 0 },
};

static int raw_run(struct module_ctx *ctx, const struct margs *args, struct result *res,
                   struct err *err)
{
    const char *executable = margs_str(args, "executable");
    struct buf line = BUF_INIT;
    struct mod_run_opts opts = { 0 };
    int ret;

    if (executable) {
        sh_quote(&line, executable);
        buf_adds(&line, " -c ");
        sh_quote(&line, margs_str(args, "_raw_params"));
    } else {
        buf_adds(&line, margs_str(args, "_raw_params"));
    }
    ret = mod_run(ctx, line.ptr, &opts, res, err);
    buf_release(&line);
    return ret;
}

const struct module module_raw = {
    .name = "raw",
    .args = raw_args,
    .flags = MOD_FREE_FORM,
    .run = raw_run,
};
