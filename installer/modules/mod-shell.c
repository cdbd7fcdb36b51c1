/*
 * mod-shell.c - the `shell` module: runs the free-form command line through /bin/sh (or
 * 'executable'), honouring chdir, creates, removes and stdin.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/xalloc.h"
#include "conn/shell-quote.h"
#include "modules/args.h"
#include "modules/mod-run.h"
#include "modules/mod-util.h"
#include "value/val.h"

static const struct arg_spec shell_args[] = {
    { .name = "_raw_params", .type = ARG_STR, .aliases = "cmd" },
    { .name = "chdir", .type = ARG_PATH },
    { .name = "creates", .type = ARG_PATH },
    { .name = "executable", .type = ARG_PATH },
    { .name = "removes", .type = ARG_PATH },
    { .name = "stdin", .type = ARG_STR },
    { .name = "stdin_add_newline", .type = ARG_BOOL, .def = "true" },
    { .name = "strip_empty_ends", .type = ARG_BOOL, .def = "true" },
    { 0 },
};

static int run_line(struct module_ctx *ctx, const struct margs *args, const char *cmd,
                    struct result *res, struct err *err)
{
    const char *executable = margs_str(args, "executable");
    struct buf line = BUF_INIT;
    struct mod_run_opts opts = {
        .chdir = margs_str(args, "chdir"),
        .strip = margs_bool(args, "strip_empty_ends"),
        .timings = true,
    };
    int ret;

    if (executable) {
        sh_quote(&line, executable);
        buf_adds(&line, " -c ");
        sh_quote(&line, cmd);
    } else {
        buf_adds(&line, cmd);
    }
    ret = mod_run_with_stdin(ctx, line.ptr, &opts, args, res, err);
    buf_release(&line);
    return ret;
}

static int shell_run(struct module_ctx *ctx, const struct margs *args, struct result *res,
                     struct err *err)
{
    const char *cmd = margs_str(args, "_raw_params");
    bool done = false;
    int ret;

    if (!cmd || cmd[strspn(cmd, " \t\r\n")] == '\0') {
        val_dict_set_take(res->data, "rc", val_int(256));
        return result_fail(res, "no command given");
    }
    mod_set_str(res, "cmd", cmd);
    ret = mod_run_guards(ctx, args, ctx->check_mode ? "Would" : "Did", res, &done, err);
    if (ret < 0 || done) {
        return ret;
    }
    if (ctx->check_mode) {
        val_dict_set_take(res->data, "rc", val_int(0));
        mod_set_str(res, "msg", "Command would have run if not in check mode");
        res->status = margs_has(args, "creates") || margs_has(args, "removes") ? RESULT_CHANGED
                                                                               : RESULT_SKIPPED;
        return 0;
    }
    return run_line(ctx, args, cmd, res, err);
}

const struct module module_shell = {
    .name = "shell",
    .args = shell_args,
    .flags = MOD_CHECK_MODE | MOD_FREE_FORM,
    .run = shell_run,
};
