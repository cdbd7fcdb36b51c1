/*
 * mod-write.c - checksum-compare-then-put of one file's content, shared by copy and template.
 */
#include "pot.h"
#include <string.h>
#include <sys/stat.h>
#include "base/buf.h"
#include "base/digest.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "conn/conn.h"
#include "modules/mod-util.h"
#include "modules/mod-write.h"
#include "value/val.h"

/* The copy module's result keys. 'md5' is the content's md5 when it was written (with the source
 * it came from, as the module reports); otherwise the file module ran and reports the path. */
static void report(struct result *res, const struct mod_write *w, const char *sum,
                   const char *md5, size_t len, const struct mod_stat *st)
{
    mod_set_str(res, "dest", w->dest);
    if (md5) {
        mod_set_str(res, "md5sum", md5);
        if (w->src) {
            mod_set_str(res, "src", w->src);
        }
    } else {
        mod_set_str(res, "path", w->dest);
    }
    mod_set_str(res, "checksum", sum);
    val_dict_set_take(res->data, "size", val_int((int64_t)len));
    mod_set_str(res, "state", "file");
    if (st && st->exists) {
        val_dict_set_take(res->data, "mode", val_strf("%04o", (unsigned)(st->mode & 07777)));
        mod_set_str(res, "owner", st->owner ? st->owner : "");
        mod_set_str(res, "group", st->group ? st->group : "");
        val_dict_set_take(res->data, "uid", val_int(st->uid));
        val_dict_set_take(res->data, "gid", val_int(st->gid));
    }
}

static bool is_text(const char *data, size_t len)
{
    return memchr(data, '\0', len) == NULL;
}

static int add_diff(struct module_ctx *ctx, const struct mod_write *w, const struct mod_stat *st,
                    const char *data, size_t len, struct result *res, struct err *err)
{
    struct buf before = BUF_INIT;
    struct err ferr = ERR_INIT;
    int ret = 0;

    if (!ctx->diff_mode || !is_text(data, len)) {
        return 0;
    }
    if (st->exists && conn_fetch(ctx->conn, w->dest, &before, ctx->become, &ferr) < 0) {
        ret = ferr.kind == ERR_UNREACHABLE ? (*err = ferr, -1) : 0;
        goto out;
    }
    if (is_text(before.ptr, before.len)) {
        /* Ansible's copy names the source file it sent as "after" */
        ret = mod_diff(before.ptr, before.len, data, len, st->exists ? w->dest : NULL,
                       w->src ? w->src : w->dest, &res->diff, err);
    }
out:
    buf_release(&before);
    return ret;
}

/* The mode a put creates: w->mode resolved, the existing one, or 0644 like Ansible's default. */
static int new_mode(const struct mod_write *w, const struct mod_stat *st, mode_t *mode,
                    struct result *res)
{
    mode_t cur = st->exists ? (st->mode & 07777) : 0644;

    if (!w->mode) {
        *mode = cur;
        return 0;
    }
    if (mod_mode_resolve(w->mode, cur, false, mode) < 0) {
        result_fail(res, "mode must be in octal or symbolic form");
        return 1;
    }
    return 0;
}

/* 'cmd' with each %s as the path "$t" and %% as %, like Python's 'validate % path'. */
static void validate_cmd(const char *cmd, struct buf *out)
{
    for (const char *p = cmd; *p; p++) {
        if (p[0] == '%' && p[1] == 's') {
            buf_adds(out, "\"$t\"");
            p++;
        } else if (p[0] == '%' && p[1] == '%') {
            buf_addc(out, '%');
            p++;
        } else {
            buf_addc(out, *p);
        }
    }
}

/* validate: the command must accept the new content (in a temporary file with the new mode)
 * before it replaces dest; otherwise the module fails like Ansible's copy. */
static int validate(struct module_ctx *ctx, const char *cmd, const char *data, size_t len,
                    mode_t mode, struct result *res, struct err *err)
{
    struct buf script = BUF_INIT, out = BUF_INIT, errout = BUF_INIT;
    int status = 0;
    int ret;

    if (!strstr(cmd, "%s")) {
        return result_fail(res, "validate must contain %%s: %s", cmd), 1;
    }
    buf_addf(&script, "t=$(mktemp) || exit 1\ncat > \"$t\" && chmod %04o \"$t\" || "
                      "{ rm -f \"$t\"; exit 1; }\n(", (unsigned)mode);
    validate_cmd(cmd, &script);
    buf_adds(&script, ")\nrc=$?\nrm -f \"$t\"\nexit $rc\n");
    ret = mod_exec(ctx, script.ptr, data, len, &out, &errout, &status, err);
    if (ret == 0 && status != 0) {
        result_fail(res, "failed to validate");
        val_dict_set_take(res->data, "exit_status", val_int(status));
        mod_set_str(res, "stdout", out.ptr);
        mod_set_str(res, "stderr", errout.ptr);
        val_dict_set_take(res->data, "stdout_lines", mod_split_lines(out.ptr));
        val_dict_set_take(res->data, "stderr_lines", mod_split_lines(errout.ptr));
        ret = 1;
    }
    buf_release(&errout);
    buf_release(&out);
    buf_release(&script);
    return ret;
}

static int put_content(struct module_ctx *ctx, const struct mod_write *w,
                       const struct mod_stat *st, const char *data, size_t len,
                       struct result *res, struct err *err)
{
    char *backup = NULL;
    mode_t mode = 0;
    int ret = new_mode(w, st, &mode, res);

    if (ret != 0 || ctx->check_mode) {
        return ret;
    }
    if (w->backup && st->exists) {
        ret = mod_backup(ctx, w->dest, &backup, res, err);
        if (ret != 0) {
            return ret;
        }
        mod_set_str(res, "backup_file", backup);
        free(backup);
    }
    if (w->validate) {
        ret = validate(ctx, w->validate, data, len, mode, res, err);
        if (ret != 0) {
            return ret;
        }
    }
    return mod_put(ctx, w->dest, data, len, mode, w->unsafe_writes, res, err);
}

static int finish_attrs(struct module_ctx *ctx, const struct mod_write *w, bool *changed,
                        const char *sum, const char *md5, size_t len, struct result *res,
                        struct err *err)
{
    struct mod_stat after;
    int ret;

    if (ctx->check_mode && *changed) {
        report(res, w, sum, md5, len, NULL);
        return 0;
    }
    if (mod_stat(ctx, w->dest, true, NULL, &after, err) < 0) {
        return -1;
    }
    ret = mod_set_attrs(ctx, w->dest, &after, w->mode, w->owner, w->group, changed, res, err);
    mod_stat_release(&after);
    if (ret != 0) {
        return ret;
    }
    if (!ctx->check_mode) {
        if (mod_stat(ctx, w->dest, true, NULL, &after, err) < 0) {
            return -1;
        }
        report(res, w, sum, md5, len, &after);
        mod_stat_release(&after);
    }
    return 0;
}

/* force=false and dest exists: Ansible's copy action returns before the module runs. */
static int keep_existing(const struct mod_write *w, struct result *res)
{
    mod_set_str(res, "dest", w->dest);
    if (w->src) {
        mod_set_str(res, "src", w->src);
    }
    res->status = RESULT_OK;
    return 0;
}

/* A new file in a missing directory fails with the copy module's message (and the checksum its
 * action plugin adds). Returns 0, 1 when the module failed, -1 when unreachable. */
static int check_parent(struct module_ctx *ctx, const char *dest, const char *sum,
                        bool remote_src, struct result *res, struct err *err)
{
    char *parent = strchr(dest, '/') ? fs_dirname(dest) : xstrdup(".");
    struct mod_stat st;
    int ret = 0;

    if (mod_stat(ctx, parent, true, NULL, &st, err) < 0) {
        free(parent);
        return -1;
    }
    if (!st.exists) {
        result_fail(res, "Destination directory %s does not exist", parent);
        if (!remote_src) {
            mod_set_str(res, "checksum", sum);
        }
        ret = 1;
    }
    mod_stat_release(&st);
    free(parent);
    return ret;
}

int mod_write_file(struct module_ctx *ctx, const struct mod_write *w, const char *data,
                   size_t len, struct result *res, struct err *err)
{
    char sum[SHA256_HEX_LEN + 1];
    char md5[SHA256_HEX_LEN + 1] = ""; /* of the content, once it is to be written */
    struct mod_stat st;
    bool changed = false;
    int ret;

    digest_hex("sha1", data, len, sum, sizeof(sum));
    if (mod_stat(ctx, w->dest, true, "sha1", &st, err) < 0) {
        return -1;
    }
    if (st.exists && S_ISDIR(st.mode)) {
        mod_stat_release(&st);
        return result_fail(res, "Destination %s is a directory", w->dest);
    }
    if (st.exists && !w->force) {
        mod_stat_release(&st);
        return keep_existing(w, res);
    }
    if (!st.exists && !ctx->check_mode) {
        ret = check_parent(ctx, w->dest, sum, w->remote_src, res, err);
        if (ret != 0) {
            mod_stat_release(&st);
            return ret < 0 ? -1 : 0;
        }
    }
    changed = !st.exists || !st.checksum || strcmp(st.checksum, sum) != 0;
    if (changed) {
        digest_hex("md5", data, len, md5, sizeof(md5));
    }
    ret = changed ? add_diff(ctx, w, &st, data, len, res, err) : 0;
    if (ret == 0 && changed) {
        ret = put_content(ctx, w, &st, data, len, res, err);
        if (ret == 1 && !w->remote_src) {
            /* the copy action adds the checksum of what it sent to a failed module's result */
            mod_set_str(res, "checksum", sum);
        }
    }
    if (ret == 0) {
        ret = finish_attrs(ctx, w, &changed, sum, md5[0] ? md5 : NULL, len, res, err);
    }
    mod_stat_release(&st);
    if (ret == 0) {
        res->status = changed ? RESULT_CHANGED : RESULT_OK;
    }
    return ret < 0 ? -1 : 0;
}
