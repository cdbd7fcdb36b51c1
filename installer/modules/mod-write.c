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

static void report(struct result *res, const struct mod_write *w, const char *sum, size_t len,
                   const struct mod_stat *st)
{
    mod_set_str(res, "dest", w->dest);
    if (w->src) {
        mod_set_str(res, "src", w->src);
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
        ret = mod_diff(before.ptr, before.len, data, len, st->exists ? w->dest : NULL, w->dest,
                       &res->diff, err);
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

static int put_content(struct module_ctx *ctx, const struct mod_write *w,
                       const struct mod_stat *st, const char *data, size_t len,
                       struct result *res, struct err *err)
{
    struct err perr = ERR_INIT;
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
    if (conn_put(ctx->conn, w->dest, data, len, mode, ctx->become, &perr) < 0) {
        if (perr.kind == ERR_UNREACHABLE) {
            *err = perr;
            return -1;
        }
        result_fail(res, "%s", perr.msg);
        return 1;
    }
    return 0;
}

static int finish_attrs(struct module_ctx *ctx, const struct mod_write *w, bool *changed,
                        const char *sum, size_t len, struct result *res, struct err *err)
{
    struct mod_stat after;
    int ret;

    if (ctx->check_mode && *changed) {
        report(res, w, sum, len, NULL);
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
        report(res, w, sum, len, &after);
        mod_stat_release(&after);
    }
    return 0;
}

int mod_write_file(struct module_ctx *ctx, const struct mod_write *w, const char *data,
                   size_t len, struct result *res, struct err *err)
{
    char sum[SHA256_HEX_LEN + 1];
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
    changed = !st.exists || (w->force && (!st.checksum || strcmp(st.checksum, sum) != 0));
    ret = changed ? add_diff(ctx, w, &st, data, len, res, err) : 0;
    if (ret == 0 && changed) {
        ret = put_content(ctx, w, &st, data, len, res, err);
    }
    if (ret == 0) {
        ret = finish_attrs(ctx, w, &changed, sum, len, res, err);
    }
    mod_stat_release(&st);
    if (ret == 0) {
        res->status = changed ? RESULT_CHANGED : RESULT_OK;
    }
    return ret < 0 ? -1 : 0;
}
