/*
 * mod-copy.c - the `copy` module: 'content', a controller-side 'src' (a file, or a directory
 * copied recursively) or with remote_src a file or directory already on the host, to 'dest',
 * only when the contents differ; directory_mode for the directories it makes.
 */
#include "pot.h"
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "conn/conn.h"
#include "conn/shell-quote.h"
#include "modules/args.h"
#include "modules/mod-util.h"
#include "modules/mod-write.h"
#include "value/val.h"

static const struct arg_spec copy_args[] = {
    { .name = "backup", .type = ARG_BOOL, .def = "false" },
    { .name = "content", .type = ARG_STR },
    { .name = "dest", .type = ARG_PATH, .required = true },
    { .name = "directory_mode", .type = ARG_MODE },
    { .name = "force", .type = ARG_BOOL, .def = "true", .aliases = "thirsty" },
    { .name = "group", .type = ARG_STR },
    { .name = "mode", .type = ARG_MODE },
    { .name = "owner", .type = ARG_STR },
    { .name = "remote_src", .type = ARG_BOOL, .def = "false" },
    { .name = "src", .type = ARG_PATH },
    { .name = "unsafe_writes", .type = ARG_BOOL, .def = "false" },
    { .name = "validate", .type = ARG_STR },
    { 0 },
};

struct copy_job {
    struct module_ctx *ctx;
    const struct margs *args;
    bool changed;
};

static void fill_write(const struct margs *args, const char *dest, const char *src,
                       struct mod_write *w)
{
    *w = (struct mod_write){
        .dest = dest,
        .src = src,
        .mode = margs_str(args, "mode"),
        .owner = margs_str(args, "owner"),
        .group = margs_str(args, "group"),
        .backup = margs_bool(args, "backup"),
        .force = margs_bool(args, "force"),
        .validate = margs_str(args, "validate"),
        .unsafe_writes = margs_bool(args, "unsafe_writes"),
    };
}

/* Copies one local file; returns 0, 1 when the module failed, -1 when unreachable. */
static int copy_one(struct copy_job *job, const char *local, const char *dest, struct result *res,
                    struct err *err)
{
    struct buf data = BUF_INIT;
    struct err rerr = ERR_INIT;
    struct mod_write w;
    int ret;

    if (fs_read_file(local, &data, &rerr) < 0) {
        buf_release(&data);
        result_fail(res, "could not find or access '%s'", local);
        return 1;
    }
    fill_write(job->args, dest, local, &w);
    ret = mod_write_file(job->ctx, &w, data.ptr, data.len, res, err);
    buf_release(&data);
    if (ret == 0 && res->status == RESULT_FAILED) {
        return 1;
    }
    job->changed |= res->status == RESULT_CHANGED;
    return ret;
}

/* directory_mode on 'dir' (when given), as Ansible's file-module pass over the directories. */
static int dir_mode(struct copy_job *job, const char *dir, struct result *res, struct err *err)
{
    const char *mode = margs_str(job->args, "directory_mode");
    struct mod_stat st;
    int ret;

    if (!mode || job->ctx->check_mode) {
        return 0;
    }
    if (mod_stat(job->ctx, dir, true, NULL, &st, err) < 0) {
        return -1;
    }
    ret = mod_set_attrs(job->ctx, dir, &st, mode, NULL, NULL, &job->changed, res, err);
    mod_stat_release(&st);
    return ret;
}

/* A directory of the copy: made when missing and given directory_mode when new or, except for
 * the top one, already there (like Ansible). Returns 0, 1 when the module failed, -1. */
static int ensure_dir(struct copy_job *job, const char *dir, bool top, struct result *res,
                      struct err *err)
{
    struct mod_stat st;
    struct buf cmd = BUF_INIT;
    bool made = false;
    int status = 0;
    int ret = 0;

    if (mod_stat(job->ctx, dir, true, NULL, &st, err) < 0) {
        return -1;
    }
    if (!st.exists) {
        job->changed = made = true;
        if (!job->ctx->check_mode) {
            buf_adds(&cmd, "mkdir -p -- ");
            sh_quote(&cmd, dir);
            ret = mod_exec(job->ctx, cmd.ptr, NULL, 0, NULL, NULL, &status, err);
            if (ret == 0 && status != 0) {
                ret = (result_fail(res, "could not create directory '%s'", dir), 1);
            }
        }
    }
    mod_stat_release(&st);
    buf_release(&cmd);
    if (ret == 0 && (made || !top)) {
        ret = dir_mode(job, dir, res, err);
    }
    return ret;
}

static int copy_tree(struct copy_job *job, const char *local, const char *dest, bool top,
                     struct result *res, struct err *err)
{
    DIR *d = opendir(local);
    int ret = ensure_dir(job, dest, top, res, err);

    if (!d) {
        return ret != 0 ? ret : (result_fail(res, "could not find or access '%s'", local), 1);
    }
    while (ret == 0) {
        struct dirent *e = readdir(d);
        char *from, *to;

        if (!e) {
            break;
        }
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        from = fs_join(local, e->d_name);
        to = fs_join(dest, e->d_name);
        ret = fs_is_dir(from) ? copy_tree(job, from, to, false, res, err)
                              : copy_one(job, from, to, res, err);
        free(from);
        free(to);
    }
    closedir(d);
    return ret;
}

/* A local 'src' path: relative ones are looked up in the task's directory. */
static char *local_src(const struct module_ctx *ctx, const char *src)
{
    char *path = src[0] == '/' || !ctx->task_dir ? xstrdup(src) : fs_join(ctx->task_dir, src);
    char *in_files;

    if (src[0] == '/' || !ctx->task_dir || fs_exists(path)) {
        return path;
    }
    in_files = xasprintf("%s/files/%s", ctx->task_dir, src);
    if (fs_exists(in_files)) {
        free(path);
        return in_files;
    }
    free(in_files);
    return path;
}

static int copy_src(struct copy_job *job, const char *src, const char *dest, struct result *res,
                    struct err *err)
{
    char *local = local_src(job->ctx, src);
    char *target = NULL;
    struct mod_stat st;
    int ret = 0;

    if (!fs_exists(local)) {
        ret = (result_fail(res, "Could not find or access '%s' on the Ansible Controller.", src),
               1);
        goto out;
    }
    if (mod_stat(job->ctx, dest, true, NULL, &st, err) < 0) {
        ret = -1;
        goto out;
    }
    if (fs_is_dir(local)) {
        target = str_ends_with(src, "/") ? xstrdup(dest) : fs_join(dest, fs_basename(local));
    } else if (str_ends_with(dest, "/") || (st.exists && S_ISDIR(st.mode))) {
        target = fs_join(dest, fs_basename(local));
    } else {
        target = xstrdup(dest);
    }
    mod_stat_release(&st);
    if (fs_is_dir(local) && !str_ends_with(src, "/")) {
        ret = ensure_dir(job, dest, true, res, err);
    }
    if (ret == 0) {
        ret = fs_is_dir(local) ? copy_tree(job, local, target, true, res, err)
                               : copy_one(job, local, target, res, err);
    }
    if (ret == 0 && fs_is_dir(local)) {
        mod_set_str(res, "dest", target);
        res->status = job->changed ? RESULT_CHANGED : RESULT_OK;
    }
out:
    free(target);
    free(local);
    return ret;
}

/* remote_src with a directory: what the copy module's copytree / copy_diff_files /
 * copy_left_only / copy_common_dirs / chown_recursive do, as one script on the host. Set before
 * it: S (source), T (target), how (copytree, mkdir or sync), check (1 in check mode), O and G
 * (owner and group, may be empty). Prints a line per change. */
static const char tree_script[] =
    "sync() {\n"
    "    local f n d\n"
    "    for f in \"$1\"/* \"$1\"/.[!.]* \"$1\"/..?*; do\n"
    "        [ -e \"$f\" ] || [ -L \"$f\" ] || continue\n"
    "        n=${f##*/}; d=$2/$n\n"
    "        if [ -d \"$f\" ] && [ ! -L \"$f\" ]; then\n"
    "            if [ -d \"$d\" ] && [ ! -L \"$d\" ]; then sync \"$f\" \"$d\" || return 1\n"
    "            else echo c; [ \"$check\" = 1 ] ||\n"
    "                cp -R --preserve=mode,timestamps -- \"$f\" \"$d\" || return 1; fi\n"
    "        elif [ -L \"$f\" ]; then\n"
    "            if [ \"$(readlink -- \"$f\")\" != \"$(readlink -- \"$d\" 2>/dev/null)\" ]; then\n"
    "                echo c; [ \"$check\" = 1 ] || ln -sfn -- \"$(readlink -- \"$f\")\" \"$d\" ||\n"
    "                    return 1; fi\n"
    "        elif [ ! -f \"$d\" ] || ! cmp -s -- \"$f\" \"$d\"; then\n"
    "            echo c; [ \"$check\" = 1 ] ||\n"
    "                { cp -- \"$f\" \"$d\" && chmod --reference=\"$f\" -- \"$d\"; } || return 1\n"
    "        fi\n"
    "    done\n"
    "}\n"
    "case $how in\n"
    "copytree) echo c; [ \"$check\" = 1 ] ||\n"
    "    cp -R --preserve=mode,timestamps -- \"$S\" \"$T\" || exit 1;;\n"
    "mkdir) echo c; [ \"$check\" = 1 ] ||\n"
    "    { mkdir -p -- \"$T\" && sync \"$S\" \"$T\"; } || exit 1;;\n"
    "*) sync \"$S\" \"$T\" || exit 1;;\n"
    "esac\n"
    "if [ -n \"$O\" ] && [ -n \"$(find \"$T\" ! -user \"$O\" 2>/dev/null | head -n 1)\" ]; then\n"
    "    echo c; [ \"$check\" = 1 ] || chown -hR -- \"$O\" \"$T\" || exit 1\n"
    "fi\n"
    "if [ -n \"$G\" ] && [ -n \"$(find \"$T\" ! -group \"$G\" 2>/dev/null | head -n 1)\" ]; then\n"
    "    echo c; [ \"$check\" = 1 ] || chgrp -hR -- \"$G\" \"$T\" || exit 1\n"
    "fi\n";

static void script_var(struct buf *s, const char *name, const char *value)
{
    buf_addf(s, "%s=", name);
    sh_quote(s, value ? value : "");
    buf_addc(s, '\n');
}

/* Runs tree_script; returns 0 (job->changed set on changes), 1 when it failed, -1. */
static int run_tree_script(struct copy_job *job, const char *src, const char *target,
                           const char *how, struct result *res, struct err *err)
{
    struct buf script = BUF_INIT, out = BUF_INIT;
    int status = 0;
    int ret;

    script_var(&script, "S", src);
    script_var(&script, "T", target);
    script_var(&script, "how", how);
    script_var(&script, "check", job->ctx->check_mode ? "1" : "0");
    script_var(&script, "O", margs_str(job->args, "owner"));
    script_var(&script, "G", margs_str(job->args, "group"));
    buf_adds(&script, tree_script);
    ret = mod_exec(job->ctx, script.ptr, NULL, 0, &out, NULL, &status, err);
    if (ret == 0 && status != 0) {
        ret = (result_fail(res, "failed to copy: %s to %s", src, target), 1);
    }
    job->changed |= out.len > 0;
    buf_release(&out);
    buf_release(&script);
    return ret;
}

/* remote_src directory: 'src/' copies its contents into dest, 'src' copies itself into
 * dest/src; 'mode' lands where the copy module's set_fs_attributes does. */
static int remote_tree(struct copy_job *job, const char *src, const char *dest,
                       struct result *res, struct err *err)
{
    bool trailing = str_ends_with(src, "/");
    char *target = trailing ? xstrdup(dest) : fs_join(dest, fs_basename(src));
    const char *how = "sync";
    const char *mode_on = target;
    struct mod_stat st;
    int ret;

    if (mod_stat(job->ctx, dest, true, NULL, &st, err) < 0) {
        free(target);
        return -1;
    }
    if (!st.exists) {
        how = trailing ? "copytree" : "mkdir";
        mode_on = trailing ? target : dest;
    } else if (!trailing && S_ISDIR(st.mode)) {
        struct mod_stat tst;

        if (mod_stat(job->ctx, target, true, NULL, &tst, err) < 0) {
            mod_stat_release(&st);
            free(target);
            return -1;
        }
        how = tst.exists ? "sync" : "copytree";
        mod_stat_release(&tst);
    }
    mod_stat_release(&st);
    ret = run_tree_script(job, src, target, how, res, err);
    if (ret == 0 && !job->ctx->check_mode && margs_str(job->args, "mode")) {
        ret = mod_stat(job->ctx, mode_on, true, NULL, &st, err);
        if (ret == 0) {
            ret = mod_set_attrs(job->ctx, mode_on, &st, margs_str(job->args, "mode"), NULL, NULL,
                                &job->changed, res, err);
            mod_stat_release(&st);
        }
    }
    if (ret == 0) {
        mod_set_str(res, "dest", target);
        mod_set_str(res, "src", src);
        res->status = job->changed ? RESULT_CHANGED : RESULT_OK;
    }
    free(target);
    return ret;
}

/* remote_src file: its content, read from the host, written like any other. */
static int remote_file(struct copy_job *job, const char *src, const char *dest,
                       struct result *res, struct err *err)
{
    struct buf data = BUF_INIT;
    struct err ferr = ERR_INIT;
    struct mod_stat st;
    struct mod_write w;
    char *target = NULL;
    int ret;

    if (conn_fetch(job->ctx->conn, src, &data, job->ctx->become, &ferr) < 0) {
        buf_release(&data);
        if (ferr.kind == ERR_UNREACHABLE) {
            *err = ferr;
            return -1;
        }
        return result_fail(res, "Source %s not readable", src), 1;
    }
    ret = mod_stat(job->ctx, dest, true, NULL, &st, err);
    if (ret == 0) {
        bool into = str_ends_with(dest, "/") || (st.exists && S_ISDIR(st.mode));

        target = into ? fs_join(dest, fs_basename(src)) : xstrdup(dest);
        mod_stat_release(&st);
        fill_write(job->args, target, src, &w);
        w.remote_src = true;
        ret = mod_write_file(job->ctx, &w, data.ptr, data.len, res, err);
    }
    free(target);
    buf_release(&data);
    return ret;
}

/* remote_src: 'src' is a path on the host. A 'dest' ending in '/' is made first (with
 * directory_mode), as the copy module does. */
static int copy_remote(struct copy_job *job, const char *src, const char *dest,
                       struct result *res, struct err *err)
{
    struct mod_stat st;
    int ret;

    if (mod_stat(job->ctx, src, true, NULL, &st, err) < 0) {
        return -1;
    }
    if (!st.exists) {
        ret = (result_fail(res, "Source %s not found", src), 1);
    } else if (!st.readable) {
        ret = (result_fail(res, "Source %s not readable", src), 1);
    } else if (!S_ISDIR(st.mode) && !S_ISREG(st.mode)) {
        ret = (result_fail(res, "Cannot copy invalid source '%s': not a file", src), 1);
    } else {
        char *dir = str_ends_with(dest, "/") ? fs_dirname(dest) : NULL;

        ret = dir ? ensure_dir(job, dir, true, res, err) : 0;
        free(dir);
        if (ret == 0 && S_ISDIR(st.mode)) {
            ret = remote_tree(job, src, dest, res, err);
        } else if (ret == 0) {
            ret = remote_file(job, src, dest, res, err);
        }
    }
    mod_stat_release(&st);
    return ret;
}

static int copy_run(struct module_ctx *ctx, const struct margs *args, struct result *res,
                    struct err *err)
{
    const char *content = margs_str(args, "content");
    const char *src = margs_str(args, "src");
    const char *dest = margs_str(args, "dest");
    struct copy_job job = { .ctx = ctx, .args = args };
    struct mod_write w;

    if (content && src) {
        return result_fail(res, "parameters are mutually exclusive: content|src");
    }
    if (!content && !src) {
        return result_fail(res, "src (or content) is required");
    }
    if (content) {
        if (str_ends_with(dest, "/")) {
            return result_fail(res, "can not use content with a dir as dest");
        }
        fill_write(args, dest, NULL, &w);
        return mod_write_file(ctx, &w, content, strlen(content), res, err);
    }
    if (margs_bool(args, "remote_src")) {
        return copy_remote(&job, src, dest, res, err) < 0 ? -1 : 0;
    }
    return copy_src(&job, src, dest, res, err) < 0 ? -1 : 0;
}

const struct module module_copy = {
    .name = "copy",
    .args = copy_args,
    .flags = MOD_CHECK_MODE | MOD_DIFF,
    .run = copy_run,
};
