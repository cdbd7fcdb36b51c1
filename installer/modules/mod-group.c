/*
 * mod-group.c - the `group` module on Linux: a group present (groupadd, or groupmod when its gid
 * differs) or absent (groupdel), looked up as grp.getgrnam does (`getent group`, so NSS groups
 * count); local=true looks in /etc/group and uses the lgroup* tools, as Ansible's does. Returns
 * name, state, gid and system as Ansible's module does, stdout/stderr of the command it ran.
 */
#include "pot.h"
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "modules/args.h"
#include "modules/mod-util.h"
#include "value/val.h"

static const struct arg_spec group_args[] = {
    { .name = "gid", .type = ARG_INT },
    { .name = "local", .type = ARG_BOOL, .def = "false" },
    { .name = "name", .type = ARG_STR, .required = true },
    { .name = "non_unique", .type = ARG_BOOL, .def = "false" },
    { .name = "state", .type = ARG_CHOICE, .choices = "absent,present", .def = "present" },
    { .name = "system", .type = ARG_BOOL, .def = "false" },
    { 0 },
};

/* The group as the host knows it: *gid set when it exists. Returns 1 exists, 0 not, -1. */
static int lookup(struct module_ctx *ctx, const struct margs *args, long long *gid,
                  struct err *err)
{
    struct svec argv = SVEC_INIT;
    struct buf out = BUF_INIT;
    int status = 0, ret;
    const char *field;

    if (margs_bool(args, "local")) { /* the last line of /etc/group for the name */
        svec_push(&argv, "sh");
        svec_push(&argv, "-c");
        svec_push(&argv, "grep -- \"^$1:\" /etc/group | tail -n 1 | grep .");
        svec_push(&argv, "sh");
    } else {
        svec_push(&argv, "getent");
        svec_push(&argv, "group");
    }
    svec_push(&argv, margs_str(args, "name"));
    ret = mod_exec_argv(ctx, &argv, &out, NULL, &status, err);
    if (ret == 0) {
        ret = status == 0 ? 1 : 0;
        field = strchr(out.ptr, ':');
        field = field ? strchr(field + 1, ':') : NULL;
        *gid = field ? strtoll(field + 1, NULL, 10) : -1;
    }
    svec_release(&argv);
    buf_release(&out);
    return ret;
}

/* The command for state=present: groupadd for a new group, groupmod when the gid differs
 * (argv left empty when nothing differs). */
static void present_command(const struct margs *args, bool exists, long long have_gid,
                            struct svec *argv)
{
    bool local = margs_bool(args, "local"), has_gid = margs_has(args, "gid");
    long long gid = margs_int(args, "gid", -1);

    if (exists && (!has_gid || gid == have_gid)) {
        return;
    }
    svec_push(argv, exists ? (local ? "lgroupmod" : "groupmod") : (local ? "lgroupadd"
                                                                         : "groupadd"));
    if (has_gid) {
        svec_push(argv, "-g");
        svec_pushf(argv, "%lld", gid);
        if (margs_bool(args, "non_unique")) {
            svec_push(argv, "-o");
        }
    }
    if (!exists && margs_bool(args, "system")) {
        svec_push(argv, "-r");
    }
    svec_push(argv, margs_str(args, "name"));
}

/* Ansible's result once the group is in the state asked for. Returns 0, -1 unreachable. */
static int finish(struct module_ctx *ctx, const struct margs *args, bool changed,
                  const struct buf *out, const struct buf *errout, struct result *res,
                  struct err *err)
{
    long long gid = -1;
    int exists = lookup(ctx, args, &gid, err);

    if (exists < 0) {
        return -1;
    }
    val_dict_set_take(res->data, "name", val_str(margs_str(args, "name")));
    val_dict_set_take(res->data, "state", val_str(margs_str(args, "state")));
    val_dict_set_take(res->data, "changed", val_bool(changed));
    if (out->len) {
        val_dict_set_take(res->data, "stdout", val_str(out->ptr));
    }
    if (errout->len) {
        val_dict_set_take(res->data, "stderr", val_str(errout->ptr));
    }
    if (exists) {
        val_dict_set_take(res->data, "system", val_bool(margs_bool(args, "system")));
        val_dict_set_take(res->data, "gid", val_int(gid));
    }
    res->status = changed ? RESULT_CHANGED : RESULT_OK;
    return 0;
}

static int group_run(struct module_ctx *ctx, const struct margs *args, struct result *res,
                     struct err *err)
{
    bool present = strcmp(margs_str(args, "state"), "present") == 0;
    struct svec argv = SVEC_INIT;
    struct buf out = BUF_INIT, errout = BUF_INIT;
    long long gid = -1;
    int status = 0, ret;
    int exists;

    if (margs_bool(args, "non_unique") && !margs_has(args, "gid")) {
        return result_fail(res, "non_unique is True but all of the following are missing: gid");
    }
    exists = lookup(ctx, args, &gid, err);
    if (exists < 0) {
        return -1;
    }
    if (present) {
        present_command(args, exists, gid, &argv);
    } else if (exists) {
        svec_push(&argv, margs_bool(args, "local") ? "lgroupdel" : "groupdel");
        svec_push(&argv, margs_str(args, "name"));
    }
    if (argv.len > 0 && ctx->check_mode && (!exists || !present)) {
        /* Ansible's exit_json(changed=True): nothing else in the result */
        val_dict_set_take(res->data, "changed", val_bool(true));
        res->status = RESULT_CHANGED;
        ret = 0;
    } else if (argv.len > 0 && !ctx->check_mode) {
        ret = mod_exec_argv(ctx, &argv, &out, &errout, &status, err);
        if (ret == 0 && status == 127) {
            mod_fail_missing_bin(res, argv.items[0]);
        } else if (ret == 0 && status != 0) {
            val_dict_set_take(res->data, "name", val_str(margs_str(args, "name")));
            result_fail(res, "%s", errout.ptr);
        } else if (ret == 0) {
            ret = finish(ctx, args, true, &out, &errout, res, err);
        }
    } else {
        ret = finish(ctx, args, argv.len > 0, &out, &errout, res, err);
    }
    svec_release(&argv);
    buf_release(&out);
    buf_release(&errout);
    return ret;
}

const struct module module_group = {
    .name = "group",
    .args = group_args,
    .flags = MOD_CHECK_MODE,
    .run = group_run,
};
