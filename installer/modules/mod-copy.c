/*
 * mod-copy.c - the `copy` module: 'content' or a controller-side 'src' (a file, or a directory
 * copied recursively) to 'dest', only when the checksums differ.
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
    { .name = "src", .type = ARG_PATH },
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

static int ensure_dir(struct copy_job *job, const char *dir, struct result *res,
                      struct err *err)
{
    struct mod_stat st;
    struct buf cmd = BUF_INIT;
    int status = 0;
    int ret = 0;

    if (mod_stat(job->ctx, dir, true, NULL, &st, err) < 0) {
        return -1;
    }
    if (!st.exists) {
        job->changed = true;
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
    return ret;
}

static int copy_tree(struct copy_job *job, const char *local, const char *dest,
                     struct result *res, struct err *err)
{
    DIR *d = opendir(local);
    int ret = ensure_dir(job, dest, res, err);

    if (!d) {
        return result_fail(res, "could not find or access '%s'", local), 1;
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
        ret = fs_is_dir(from) ? copy_tree(job, from, to, res, err)
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
    ret = fs_is_dir(local) ? copy_tree(job, local, target, res, err)
                           : copy_one(job, local, target, res, err);
    if (ret == 0 && fs_is_dir(local)) {
        mod_set_str(res, "dest", target);
        res->status = job->changed ? RESULT_CHANGED : RESULT_OK;
    }
out:
    free(target);
    free(local);
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
    return copy_src(&job, src, dest, res, err) < 0 ? -1 : 0;
}

const struct module module_copy = {
    .name = "copy",
    .args = copy_args,
    .flags = MOD_CHECK_MODE | MOD_DIFF,
    .run = copy_run,
};
