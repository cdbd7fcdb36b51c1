/*
 * mod-script.c - the `script` module: puts a controller-side script in a temporary directory on
 * the host (mode 0700), runs it with its free-form arguments through sh, then removes it;
 * creates/removes/chdir/executable like Ansible's script action plugin. Three round trips: the
 * guards plus mktemp, the put, and the run plus cleanup.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/fs.h"
#include "base/strutil.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "conn/conn.h"
#include "conn/shell-quote.h"
#include "modules/args.h"
#include "modules/mod-run.h"
#include "modules/mod-util.h"
#include "python/py-shlex.h"
#include "value/val.h"

static const struct arg_spec script_args[] = {
    { .name = "_raw_params", .type = ARG_STR, .aliases = "cmd" },
    { .name = "chdir", .type = ARG_STR },
    { .name = "creates", .type = ARG_STR },
    { .name = "executable", .type = ARG_STR },
    { .name = "removes", .type = ARG_STR },
    { 0 },
};

/* _find_needle('files', src): the task's files/ directory, then the task's directory. */
static char *find_script(const struct module_ctx *ctx, const char *src)
{
    char *path;

    if (src[0] == '/' || !ctx->task_dir) {
        return fs_exists(src) ? xstrdup(src) : NULL;
    }
    path = xasprintf("%s/files/%s", ctx->task_dir, src);
    if (fs_exists(path) && !fs_is_dir(path)) {
        return path;
    }
    free(path);
    path = fs_join(ctx->task_dir, src);
    if (fs_exists(path) && !fs_is_dir(path)) {
        return path;
    }
    free(path);
    return NULL;
}

static void skip(struct result *res, const char *fmt, const char *path)
{
    free(res->msg);
    res->msg = xasprintf(fmt, path);
    mod_set_str(res, "msg", res->msg);
    val_dict_set_take(res->data, "changed", val_bool(false));
    res->status = RESULT_SKIPPED;
}

/* One exec: "creates"/"removes" lines for the guards that stop the run, then (unless stopped or
 * in check mode) the new temporary directory. Returns 0, -1 when unreachable. */
static int probe(struct module_ctx *ctx, const struct margs *args, struct svec *lines,
                 struct err *err)
{
    const char *creates = margs_str(args, "creates");
    const char *removes = margs_str(args, "removes");
    struct buf s = BUF_INIT, out = BUF_INIT;
    int status = 0;
    int ret;

    if (creates) {
        buf_adds(&s, "[ -e ");
        sh_quote(&s, creates);
        buf_adds(&s, " ] && { echo creates; exit 0; }\n");
    }
    if (removes) {
        buf_adds(&s, "[ -e ");
        sh_quote(&s, removes);
        buf_adds(&s, " ] || { echo removes; exit 0; }\n");
    }
    if (!ctx->check_mode) {
        buf_adds(&s, "umask 077 && mktemp -d \"${TMPDIR:-/tmp}/pot-script.XXXXXXXX\"\n");
    }
    ret = s.len ? mod_exec(ctx, s.ptr, NULL, 0, &out, NULL, &status, err) : 0;
    svec_split_lines(lines, out.ptr);
    buf_release(&out);
    buf_release(&s);
    return ret;
}

/* Runs the script and removes its directory in the same exec. */
static int run_script(struct module_ctx *ctx, const struct margs *args, const char *raw,
                      const char *word, const char *remote, const char *tmpdir,
                      struct result *res, struct err *err)
{
    const char *executable = margs_str(args, "executable");
    char *target = str_replace_all(raw, word, remote);
    struct mod_run_opts opts = { .chdir = margs_str(args, "chdir") };
    struct buf cmd = BUF_INIT;
    int ret;

    buf_addf(&cmd, "{ %s%s%s\n}; rc=$?; rm -rf -- ", executable ? executable : "",
             executable ? " " : "", target);
    sh_quote(&cmd, tmpdir);
    buf_adds(&cmd, "; exit $rc\n");
    ret = mod_run(ctx, cmd.ptr, &opts, res, err);
    buf_release(&cmd);
    free(target);
    return ret;
}

static int put_and_run(struct module_ctx *ctx, const struct margs *args, const char *raw,
                       const char *word, const char *local, const char *tmpdir,
                       struct result *res, struct err *err)
{
    char *remote = fs_join(tmpdir, fs_basename(local));
    struct err perr = ERR_INIT;
    int ret = 0;

    if (conn_put_file(ctx->conn, local, remote, 0700, ctx->become, &perr) < 0) {
        ret = perr.kind == ERR_UNREACHABLE ? (*err = perr, -1)
                                           : result_fail(res, "%s", perr.msg);
    } else {
        ret = run_script(ctx, args, raw, word, remote, tmpdir, res, err);
    }
    free(remote);
    return ret;
}

/* After the checks on the controller: guards, check mode, then the run. */
static int execute(struct module_ctx *ctx, const struct margs *args, const char *raw,
                   const char *word, const char *local, struct result *res, struct err *err)
{
    struct svec lines = SVEC_INIT;
    const char *first;
    int ret = probe(ctx, args, &lines, err);

    first = lines.len ? lines.items[0] : "";
    if (ret < 0) {
        goto out;
    }
    if (strcmp(first, "creates") == 0) {
        skip(res, "%s exists, matching creates option", margs_str(args, "creates"));
    } else if (strcmp(first, "removes") == 0) {
        skip(res, "%s does not exist, matching removes option", margs_str(args, "removes"));
    } else if (ctx->check_mode && (margs_has(args, "creates") || margs_has(args, "removes"))) {
        res->status = RESULT_CHANGED;
    } else if (ctx->check_mode) {
        skip(res, "%s", "Check mode is not supported for this task.");
    } else if (!*first) {
        ret = result_fail(res, "could not create a temporary directory on the host");
    } else {
        ret = put_and_run(ctx, args, raw, word, local, first, res, err);
    }
out:
    svec_release(&lines);
    return ret;
}

static int script_run(struct module_ctx *ctx, const struct margs *args, struct result *res,
                      struct err *err)
{
    const char *raw = margs_str(args, "_raw_params");
    const char *chdir = margs_str(args, "chdir");
    struct svec words = SVEC_INIT;
    const char *why = NULL;
    char *local = NULL;
    int ret = 0;

    if (chdir && chdir[0] != '/') {
        return result_fail(res, "chdir %s must be an absolute path for a Unix-aware remote node",
                           chdir);
    }
    if (!raw || py_shlex_split(raw, false, &words, &why) < 0 || words.len == 0) {
        svec_release(&words);
        return result_fail(res, "%s", why ? why : "no script given");
    }
    local = find_script(ctx, words.items[0]);
    if (!local) {
        ret = result_fail(res, "Could not find or access '%s' on the Ansible Controller.",
                          words.items[0]);
    } else {
        char *trimmed = str_trim(raw);

        ret = execute(ctx, args, trimmed, words.items[0], local, res, err);
        free(trimmed);
    }
    free(local);
    svec_release(&words);
    return ret;
}

const struct module module_script = {
    .name = "script",
    .args = script_args,
    .flags = MOD_CHECK_MODE | MOD_FREE_FORM,
    .run = script_run,
};
