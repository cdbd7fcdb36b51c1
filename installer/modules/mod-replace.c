/*
 * mod-replace.c - the `replace` module: every match of a Python regexp (re.MULTILINE) in a file
 * replaced, as re.subn does, optionally only in the part after the first match of `after` and
 * before the next match of `before`; ported from Ansible's replace.py so the same file ends up
 * with the same bytes, the same message ("N replacements made") and the same --diff. A symlink
 * is followed: the file it points to is written.
 */
#include "pot.h"
#include <string.h>
#include <sys/stat.h>
#include "base/buf.h"
#include "base/xalloc.h"
#include "conn/conn.h"
#include "conn/shell-quote.h"
#include "modules/args.h"
#include "modules/mod-util.h"
#include "python/py-re.h"
#include "value/val.h"

static const struct arg_spec replace_args[] = {
    { .name = "after", .type = ARG_STR },
    { .name = "backup", .type = ARG_BOOL, .def = "false" },
    { .name = "before", .type = ARG_STR },
    { .name = "encoding", .type = ARG_STR, .def = "utf-8" },
    { .name = "group", .type = ARG_STR },
    { .name = "mode", .type = ARG_MODE },
    { .name = "owner", .type = ARG_STR },
    { .name = "path", .type = ARG_PATH, .required = true, .aliases = "dest,destfile,name" },
    { .name = "regexp", .type = ARG_STR, .required = true },
    { .name = "replace", .type = ARG_STR, .def = "" },
    { .name = "unsafe_writes", .type = ARG_BOOL, .def = "false" },
    { .name = "validate", .type = ARG_STR },
    { 0 },
};

/* The part of the file the regexp works on: [start, end) of 'contents'. */
struct section {
    size_t start, end;
    char *pattern; /* owned: the after/before pattern Ansible builds, NULL for the whole file */
};

/* Finds the section as Ansible does (one DOTALL search of after(?P<subsection>.*?)before).
 * Returns 0 (found), 1 when the pattern does not match (res says so), -1 with res failed. */
static int find_section(const struct margs *args, const struct buf *contents, struct section *sec,
                        struct result *res)
{
    const char *after = margs_str(args, "after"), *before = margs_str(args, "before");
    struct py_re re = { 0 };
    char why[300];
    int ret = 0;

    sec->start = 0;
    sec->end = contents->len;
    if (after && *after && before && *before) {
        sec->pattern = xasprintf("%s(?P<subsection>.*?)%s", after, before);
    } else if (after && *after) {
        sec->pattern = xasprintf("%s(?P<subsection>.*)", after);
    } else if (before && *before) {
        sec->pattern = xasprintf("(?P<subsection>.*)%s", before);
    } else {
        return 0;
    }
    if (py_re_compile(&re, sec->pattern, strlen(sec->pattern), PY_RE_DOTALL, why, sizeof(why)) <
        0) {
        return result_fail(res, "unable to compile regexp '%s': %s", sec->pattern, why), -1;
    }
    if (py_re_exec(&re, contents->ptr, contents->len, 0, 0) <= 0) {
        val_dict_set_take(res->data, "msg",
                          val_strf("Pattern for before/after params did not match the given "
                                   "file: %s", sec->pattern));
        res->status = RESULT_OK;
        ret = 1;
    } else {
        py_re_group(&re, (size_t)py_re_group_by_name(&re, "subsection"), &sec->start, &sec->end);
    }
    py_re_free(&re);
    return ret;
}

/* re.subn over the section, spliced back into the file: 'after' is the new content. Returns the
 * number of replacements, or -1 with res failed. */
static long substitute(const struct margs *args, const struct buf *contents,
                       const struct section *sec, struct buf *after, struct result *res)
{
    const char *regexp = margs_str(args, "regexp"), *repl = margs_str(args, "replace");
    struct py_re re = { 0 };
    size_t count = 0;
    char why[300];
    long ret = -1;

    buf_add(after, contents->ptr, sec->start);
    if (py_re_compile(&re, regexp, strlen(regexp), PY_RE_MULTILINE, why, sizeof(why)) < 0) {
        result_fail(res, "unable to compile regexp '%s': %s", regexp, why);
    } else if (py_re_subn(&re, contents->ptr + sec->start, sec->end - sec->start, repl,
                          strlen(repl), after, &count, why, sizeof(why)) < 0) {
        result_fail(res, "replace '%s': %s", repl, why);
    } else {
        buf_add(after, contents->ptr + sec->end, contents->len - sec->end);
        ret = (long)count;
    }
    py_re_free(&re);
    return ret;
}

/* validate: the new content written to a temporary file on the host and checked with the
 * command (its %s the file) before the real write. Returns 0 when valid, 1 failed, -1. */
static int check_valid(struct module_ctx *ctx, const char *validate, const struct buf *after,
                       struct result *res, struct err *err)
{
    struct buf out = BUF_INIT, errout = BUF_INIT, cmd = BUF_INIT, quoted = BUF_INIT;
    const char *mark = strstr(validate, "%s");
    int status = 0, ret;
    char *tmp = NULL;

    if (!mark) {
        return result_fail(res, "validate must contain %%s: %s", validate), 1;
    }
    ret = mod_exec(ctx, "mktemp", NULL, 0, &out, NULL, &status, err);
    if (ret == 0 && status != 0) {
        result_fail(res, "validate: could not create a temporary file on the host");
        ret = 1;
    }
    if (ret == 0) {
        tmp = xstrndup(out.ptr, strcspn(out.ptr, "\n"));
        ret = mod_put(ctx, tmp, after->ptr, after->len, 0600, false, res, err);
    }
    if (ret == 0) {
        sh_quote(&quoted, tmp);
        buf_add(&cmd, validate, (size_t)(mark - validate));
        buf_adds(&cmd, quoted.ptr);
        buf_adds(&cmd, mark + 2);
        ret = mod_exec(ctx, cmd.ptr, NULL, 0, NULL, &errout, &status, err);
        if (ret == 0 && status != 0) {
            result_fail(res, "failed to validate: rc:%d error:%s", status, errout.ptr);
            ret = 1;
        }
        buf_reset(&cmd);
        buf_addf(&cmd, "rm -f -- %s", quoted.ptr);
        if (ret >= 0 && mod_exec(ctx, cmd.ptr, NULL, 0, NULL, NULL, &status, err) < 0) {
            ret = -1;
        }
    }
    free(tmp);
    buf_release(&out);
    buf_release(&errout);
    buf_release(&cmd);
    buf_release(&quoted);
    return ret;
}

/* Backup, validation and the atomic write of 'after' to 'path'. Returns 0, 1 failed, -1. */
static int save(struct module_ctx *ctx, const struct margs *args, const char *path,
                const struct mod_stat *st, const struct buf *after, struct result *res,
                struct err *err)
{
    const char *validate = margs_str(args, "validate");
    char *backup = NULL;
    int ret = 0;

    if (margs_bool(args, "backup")) {
        ret = mod_backup(ctx, path, &backup, res, err);
        if (ret == 0) {
            mod_set_str(res, "backup_file", backup);
        }
    }
    if (ret == 0 && validate) {
        ret = check_valid(ctx, validate, after, res, err);
    }
    if (ret == 0) {
        ret = mod_put(ctx, path, after->ptr, after->len, st->mode & 07777,
                      margs_bool(args, "unsafe_writes"), res, err);
    }
    free(backup);
    return ret;
}

/* Reads the file at 'path' (a symlink resolved to *real). Returns 0, 1 failed, -1. */
static int load(struct module_ctx *ctx, const char *path, char **real, struct mod_stat *st,
                struct buf *contents, struct result *res, struct err *err)
{
    if (mod_stat(ctx, path, false, NULL, st, err) < 0) {
        return -1;
    }
    if (st->exists && S_ISLNK(st->mode) && st->lnk_source) {
        *real = xstrdup(st->lnk_source);
        mod_stat_release(st);
        if (mod_stat(ctx, *real, true, NULL, st, err) < 0) {
            return -1;
        }
    } else {
        *real = xstrdup(path);
    }
    if (st->exists && S_ISDIR(st->mode)) {
        val_dict_set_take(res->data, "rc", val_int(256));
        return result_fail(res, "Path %s is a directory !", path), 1;
    }
    if (!st->exists) {
        val_dict_set_take(res->data, "rc", val_int(257));
        return result_fail(res, "Path %s does not exist !", path), 1;
    }
    if (conn_fetch(ctx->conn, *real, contents, ctx->become, err) < 0) {
        return err->kind == ERR_UNREACHABLE
                   ? -1
                   : (result_fail(res, "Unable to read the contents of %s: %s", path, err->msg), 1);
    }
    return 0;
}

/* The replacement itself, its diff and write. Returns 0, 1 when finished (res set), -1. */
static int edit(struct module_ctx *ctx, const struct margs *args, const char *path,
                const char *real, const struct mod_stat *st, const struct buf *contents,
                struct result *res, struct err *err)
{
    struct section sec = { 0 };
    struct buf after = BUF_INIT;
    long count;
    int ret = find_section(args, contents, &sec, res);

    if (ret != 0) { /* failed, or the after/before pattern did not match: finished */
        free(sec.pattern);
        return 1;
    }
    count = substitute(args, contents, &sec, &after, res);
    if (count < 0) {
        ret = 1;
    } else if (count > 0 && (after.len != contents->len ||
                             memcmp(after.ptr, contents->ptr, after.len) != 0)) {
        if (ctx->diff_mode) {
            ret = mod_diff(contents->ptr, contents->len, after.ptr, after.len, path, path,
                           &res->diff, err) < 0 ? -1 : 0;
        }
        if (ret == 0 && !ctx->check_mode) {
            ret = save(ctx, args, real, st, &after, res, err);
        }
        if (ret == 0) {
            val_dict_set_take(res->data, "msg", val_strf("%ld replacements made", count));
            res->status = RESULT_CHANGED;
        }
    } else {
        mod_set_str(res, "msg", "");
        res->status = RESULT_OK;
    }
    free(sec.pattern);
    buf_release(&after);
    return ret;
}

static int replace_run(struct module_ctx *ctx, const struct margs *args, struct result *res,
                       struct err *err)
{
    const char *path = margs_str(args, "path");
    struct buf contents = BUF_INIT;
    struct mod_stat st = { 0 };
    bool attrs_changed = false;
    char *real = NULL;
    int ret;

    ret = load(ctx, path, &real, &st, &contents, res, err);
    if (ret == 0) {
        ret = edit(ctx, args, path, real, &st, &contents, res, err);
    }
    if (ret == 0) {
        ret = mod_set_attrs(ctx, real, &st, margs_str(args, "mode"), margs_str(args, "owner"),
                            margs_str(args, "group"), &attrs_changed, res, err);
    }
    if (ret == 0 && attrs_changed) {
        const struct val *msg = val_dict_get(res->data, "msg");
        const char *before = msg && msg->type == VAL_STR ? msg->u.s.ptr : "";

        val_dict_set_take(res->data, "msg",
                          val_strf("%s%sownership, perms or SE linux context changed", before,
                                   *before ? " and " : ""));
        res->status = RESULT_CHANGED;
    }
    if (ret >= 0 && res->status != RESULT_FAILED) {
        val_dict_set_take(res->data, "rc", val_int(0)); /* Ansible's res_args, on success only */
    }
    mod_stat_release(&st);
    buf_release(&contents);
    free(real);
    return ret < 0 ? -1 : 0;
}

const struct module module_replace = {
    .name = "replace",
    .args = replace_args,
    .flags = MOD_CHECK_MODE | MOD_DIFF,
    .run = replace_run,
};
