/*
 * mod-ping.c - the `ping` module: proves the host runs a command for this task (through become
 * when the task becomes) and returns {"ping": DATA}, DATA "pong" by default; data=crash fails, as
 * Ansible's module raises an exception for it. Never changes anything.
 */
#include "pot.h"
#include <string.h>
#include "modules/args.h"
#include "modules/mod-run.h"
#include "value/val.h"

static const struct arg_spec ping_args[] = {
    { .name = "data", .type = ARG_STR, .def = "pong" },
    { 0 },
};

static int ping_run(struct module_ctx *ctx, const struct margs *args, struct result *res,
                    struct err *err)
{
    const char *data = margs_str(args, "data");
    struct result probe;
    int ret;

    if (strcmp(data, "crash") == 0) { /* Ansible's module raises Exception('boom') */
        val_dict_set_take(res->data, "module_stderr", val_str("Exception: boom\n"));
        val_dict_set_take(res->data, "module_stdout", val_str(""));
        val_dict_set_take(res->data, "rc", val_int(1));
        return result_fail(res, "MODULE FAILURE\nSee stdout/stderr for the exact error");
    }
    result_init(&probe);
    ret = mod_run(ctx, "true", &(struct mod_run_opts){ 0 }, &probe, err);
    if (ret == 0 && probe.status == RESULT_FAILED) {
        result_fail(res, "the host could not run a command: %s",
                    probe.msg ? probe.msg : "non-zero return code");
    } else if (ret == 0) {
        val_dict_set_take(res->data, "ping", val_str(data));
        res->status = RESULT_OK;
    }
    result_release(&probe);
    return ret;
}

const struct module module_ping = {
    .name = "ping",
    .args = ping_args,
    .flags = MOD_CHECK_MODE,
    .run = ping_run,
};
