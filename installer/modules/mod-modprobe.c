/*
 * mod-modprobe.c - the `modprobe` module (community.general.modprobe, Ansible 7): a kernel module
 * loaded (modprobe NAME PARAMS) or unloaded (modprobe -r) when /proc/modules and the kernel's
 * modules.builtin say it is not yet so, and with `persistent` its lines in /etc/modules-load.d
 * and /etc/modprobe.d written or commented out, as that module does (including its habit of
 * putting an empty line between the lines of a file it comments in). Returns name, params and
 * state. Differences: in check mode the persistent files are reported, not written (the
 * collection's module writes them even then); where the collection fails with a Python exception
 * (a kernel without /proc/modules), 'exception' holds its last line, not a traceback.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "modules/args.h"
#include "modules/mod-util.h"
#include "python/py-shlex.h"
#include "value/val.h"

static const struct arg_spec modprobe_args[] = {
    { .name = "name", .type = ARG_STR, .required = true },
    { .name = "params", .type = ARG_STR, .def = "" },
    { .name = "persistent",
      .type = ARG_CHOICE,
      .choices = "disabled,present,absent",
      .def = "disabled" },
    { .name = "state", .type = ARG_CHOICE, .choices = "absent,present", .def = "present" },
    { 0 },
};

/* Is the module loaded? /proc/modules (dashes as underscores), then the running kernel's
 * modules.builtin. Prints "loaded", "no", or "missing PATH" when either file is not there (a
 * kernel without module support has no /proc/modules). */
static const char loaded_script[] =
    "n=$1\n"
    "[ -r /proc/modules ] || { echo 'missing /proc/modules'; exit 0; }\n"
    "awk -v m=\"$(printf '%s' \"$n\" | tr - _) \" 'index($0, m) == 1 { f = 1 } END { exit !f }' "
    "/proc/modules && { echo loaded; exit 0; }\n"
    "b=/lib/modules/$(uname -r)/modules.builtin\n"
    "[ -r \"$b\" ] || { echo \"missing $b\"; exit 0; }\n"
    "awk -v s=\"/$n.ko\" '{ sub(/[ \\t\\r\\n]+$/, \"\") }\n"
    "  length($0) >= length(s) && substr($0, length($0) - length(s) + 1) == s { f = 1 }\n"
    "  END { print f ? \"loaded\" : \"no\" }' \"$b\"\n";

/* The persistent files: $1 name, $2 params, $3 present|absent, $4 1 to only report. Prints
 * "changed" when something is (or would be) written, "error MSG" when a directory is missing. */
static const char persistent_script[] =
    "n=$1 params=$2 want=$3 dry=$4\n"
    "ml=/etc/modules-load.d mp=/etc/modprobe.d\n"
    "for d in $ml $mp; do\n"
    "  [ -d $d ] || { echo \"error [Errno 2] No such file or directory: '$d'\"; exit 0; }\n"
    "done\n"
    "files() { for f in \"$1\"/*; do [ -f \"$f\" ] && printf '%s\\n' \"$f\"; done; }\n"
    "mod_re=\"^ *$n *([#;].*)?\\$\"\n"
    "par_re=\"^options $n [A-Za-z0-9_]+=[^[:space:]]+ *([#;].*)?\\$\"\n"
    "persisted() { files $ml | while read -r f; do grep -qE \"$mod_re\" \"$f\" && echo y; done "
    "| grep -q y; }\n"
    "have_params() { files $mp | while read -r f; do sed -nE \"s/^options $n "
    "([A-Za-z0-9_]+=[^[:space:]]+) *([#;].*)?\\$/\\1/p\" \"$f\"; done | sort -u; }\n"
    "want_params() { for p in $params; do echo \"$p\"; done | sort -u; }\n"
    "comment_out() {  # $1 dir, $2 regex: the collection's rewrite, an empty line between lines\n"
    "  files \"$1\" | while read -r f; do\n"
    "    grep -qE \"$2\" \"$f\" || continue\n"
    "    awk -v re=\"$2\" 'NR > 1 { printf \"\\n\" } { if ($0 ~ re) printf \"#\"; print }' "
    "\"$f\" >\"$f.pot-tmp\" && cat \"$f.pot-tmp\" >\"$f\" && rm -f \"$f.pot-tmp\"\n"
    "  done\n"
    "}\n"
    "if [ \"$want\" = present ]; then\n"
    "  persisted && p=y || p=n\n"
    "  [ \"$(have_params)\" = \"$(want_params)\" ] && s=y || s=n\n"
    "  [ $p$s = yy ] && exit 0\n"
    "  echo changed\n"
    "  [ \"$dry\" = 1 ] && exit 0\n"
    "  [ $p = y ] || printf '%s\\n' \"$n\" >$ml/$n.conf\n"
    "  if [ $s = n ]; then\n"
    "    comment_out $mp \"$par_re\"\n"
    "    { for p in $params; do echo \"options $n $p\"; done; } >$mp/$n.conf\n"
    "    [ -s $mp/$n.conf ] || echo >$mp/$n.conf\n"
    "  fi\n"
    "else\n"
    "  persisted && p=y || p=n\n"
    "  [ -n \"$(have_params)\" ] && s=y || s=n\n"
    "  [ $p$s = nn ] && exit 0\n"
    "  echo changed\n"
    "  [ \"$dry\" = 1 ] && exit 0\n"
    "  [ $p = n ] || comment_out $ml \"$mod_re\"\n"
    "  [ $s = n ] || comment_out $mp \"$par_re\"\n"
    "fi\n";

/* Runs 'script' with 'args' through sh. Returns 0 with its stdout in 'out' (trailing
 * whitespace removed), -1 unreachable. */
static int run_script(struct module_ctx *ctx, const char *script, const char *const *args,
                      struct buf *out, struct err *err)
{
    int status = 0, ret = mod_exec_script(ctx, script, args, NULL, out, &status, err);

    while (out->len > 0 && strchr(" \t\r\n", out->ptr[out->len - 1])) {
        buf_truncate(out, out->len - 1);
    }
    return ret;
}

/* The collection's result keys, on success and failure alike. */
static void set_result(const struct margs *args, bool changed, struct result *res)
{
    val_dict_set_take(res->data, "changed", val_bool(changed));
    val_dict_set_take(res->data, "name", val_str(margs_str(args, "name")));
    val_dict_set_take(res->data, "params", val_str(margs_str(args, "params")));
    val_dict_set_take(res->data, "state", val_str(margs_str(args, "state")));
}

/* 1 loaded, 0 not, -1 unreachable; 2 when it could not say (res failed as the module fails). */
static int module_loaded(struct module_ctx *ctx, const struct margs *args, bool changed,
                         struct result *res, struct err *err)
{
    const char *argv[] = { margs_str(args, "name"), NULL };
    struct buf out = BUF_INIT;
    int ret = run_script(ctx, loaded_script, argv, &out, err);

    if (ret == 0 && strncmp(out.ptr, "missing ", 8) == 0) {
        set_result(args, changed, res);
        /* the collection's FileNotFoundError, reported with its exception */
        result_fail(res, "[Errno 2] No such file or directory: '%s'", out.ptr + 8);
        val_dict_set_take(res->data, "exception", val_strf("FileNotFoundError: %s", res->msg));
        ret = 2;
    } else if (ret == 0) {
        ret = strncmp(out.ptr, "loaded", 6) == 0;
    }
    buf_release(&out);
    return ret;
}

/* modprobe [-r] [-n] [--first-time] NAME [PARAMS...]: 0 with *status, out and errout filled. */
static int modprobe(struct module_ctx *ctx, const struct margs *args, const char *const *flags,
                    bool with_params, struct buf *out, struct buf *errout, int *status,
                    struct err *err)
{
    struct svec argv = SVEC_INIT;
    const char *why = NULL;
    int ret;

    svec_push(&argv, "modprobe");
    for (size_t i = 0; flags[i]; i++) {
        svec_push(&argv, flags[i]);
    }
    svec_push(&argv, margs_str(args, "name"));
    if (with_params) {
        py_shlex_split(margs_str(args, "params"), false, &argv, &why);
    }
    ret = mod_exec_argv(ctx, &argv, out, errout, status, err);
    svec_release(&argv);
    return ret;
}

static void fail_command(const struct margs *args, int status, const struct buf *out,
                         const struct buf *errout, struct result *res)
{
    set_result(args, false, res);
    val_dict_set_take(res->data, "rc", val_int(status));
    val_dict_set_take(res->data, "stdout", val_str(out->ptr));
    val_dict_set_take(res->data, "stderr", val_str(errout->ptr));
    result_fail(res, "%s", errout->ptr);
}

/* state=present on a module not loaded: load it (-n in check mode). Returns 1 changed, 0 not,
 * 2 failed (res set), -1 unreachable. */
static int load(struct module_ctx *ctx, const struct margs *args, struct result *res,
                struct err *err)
{
    const char *load_flags[] = { ctx->check_mode ? "-n" : NULL, NULL };
    const char *first_time[] = { "-n", "--first-time", NULL };
    struct buf out = BUF_INIT, errout = BUF_INIT;
    int status = 0, ret = modprobe(ctx, args, load_flags, true, &out, &errout, &status, err);

    if (ret == 0 && status == 127) {
        set_result(args, false, res);
        mod_fail_missing_bin(res, "modprobe");
        ret = 2;
    } else if (ret == 0 && status != 0) {
        fail_command(args, status, &out, &errout, res);
        ret = 2;
    } else if (ret == 0) {
        ret = ctx->check_mode ? 1 : module_loaded(ctx, args, false, res, err);
        if (ret == 0) { /* loaded nothing: the collection warns with modprobe's reason */
            buf_reset(&errout);
            if (modprobe(ctx, args, first_time, true, &out, &errout, &status, err) < 0) {
                ret = -1;
            } else if (status != 0) {
                struct val *warnings = val_list();

                val_list_push_take(warnings, val_str(errout.ptr));
                val_dict_set_take(res->data, "warnings", warnings);
            }
        }
    }
    buf_release(&out);
    buf_release(&errout);
    return ret;
}

/* state=absent on a loaded module: modprobe -r. Same returns as load(). */
static int unload(struct module_ctx *ctx, const struct margs *args, struct result *res,
                  struct err *err)
{
    const char *flags[] = { "-r", ctx->check_mode ? "-n" : NULL, NULL };
    struct buf out = BUF_INIT, errout = BUF_INIT;
    int status = 0, ret = modprobe(ctx, args, flags, false, &out, &errout, &status, err);

    if (ret == 0 && status != 0) {
        fail_command(args, status, &out, &errout, res);
        ret = 2;
    } else if (ret == 0) {
        ret = 1;
    }
    buf_release(&out);
    buf_release(&errout);
    return ret;
}

/* persistent=present|absent. Same returns as load(). */
static int persist(struct module_ctx *ctx, const struct margs *args, bool changed,
                   struct result *res, struct err *err)
{
    const char *argv[] = { margs_str(args, "name"), margs_str(args, "params"),
                           margs_str(args, "persistent"), ctx->check_mode ? "1" : "0", NULL };
    struct buf out = BUF_INIT;
    int ret = run_script(ctx, persistent_script, argv, &out, err);

    if (ret == 0 && strncmp(out.ptr, "error ", 6) == 0) {
        set_result(args, changed, res);
        result_fail(res, "%s", out.ptr + 6);
        ret = 2;
    } else if (ret == 0) {
        ret = strstr(out.ptr, "changed") != NULL;
    }
    buf_release(&out);
    return ret;
}

static int modprobe_run(struct module_ctx *ctx, const struct margs *args, struct result *res,
                        struct err *err)
{
    bool present = strcmp(margs_str(args, "state"), "present") == 0, changed = false;
    int loaded = module_loaded(ctx, args, false, res, err), step = 0;

    if (loaded < 0 || loaded == 2) {
        return loaded < 0 ? -1 : 0;
    }
    if (present && !loaded) {
        step = load(ctx, args, res, err);
    } else if (!present && loaded) {
        step = unload(ctx, args, res, err);
    }
    if (step < 0 || step == 2) {
        return step < 0 ? -1 : 0;
    }
    changed = step == 1;
    if (strcmp(margs_str(args, "persistent"), "disabled") != 0) {
        step = persist(ctx, args, changed, res, err);
        if (step < 0 || step == 2) {
            return step < 0 ? -1 : 0;
        }
        changed |= step == 1;
    }
    set_result(args, changed, res);
    res->status = changed ? RESULT_CHANGED : RESULT_OK;
    return 0;
}

const struct module module_modprobe = {
    .name = "modprobe",
    .collection = "community.general",
    .args = modprobe_args,
    .flags = MOD_CHECK_MODE,
    .run = modprobe_run,
};
