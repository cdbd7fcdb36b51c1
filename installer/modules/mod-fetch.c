/*
 * mod-fetch.c - the `fetch` module: copies a file from the host to the controller, under
 * dest/<inventory_hostname>/<src> (or dest itself with flat=yes), transferring only when the
 * controller's copy has another checksum; ported from Ansible's fetch action plugin.
 */
#include "pot.h"
#include <string.h>
#include <sys/stat.h>
#include "base/buf.h"
#include "base/digest.h"
#include "base/fs.h"
#include "base/strutil.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "conn/conn.h"
#include "modules/args.h"
#include "modules/mod-util.h"
#include "value/val.h"

static const struct arg_spec fetch_args[] = {
    { .name = "dest", .type = ARG_STR, .required = true },
    { .name = "fail_on_missing", .type = ARG_BOOL, .def = "true" },
    { .name = "flat", .type = ARG_BOOL, .def = "false" },
    { .name = "src", .type = ARG_STR, .required = true },
    { .name = "validate_checksum", .type = ARG_BOOL, .def = "true" },
    { 0 },
};

#define SUM_LEN 129

/* sha1 (or md5) of a local file; false when it cannot be read. */
static bool local_sum(const char *path, const char *alg, char sum[SUM_LEN])
{
    struct buf data = BUF_INIT;
    struct err err = ERR_INIT;
    bool ok = fs_read_file(path, &data, &err) == 0;

    if (ok) {
        digest_hex(alg, data.ptr, data.len, sum, SUM_LEN);
    }
    buf_release(&data);
    return ok;
}

/* Python's os.path.normpath for the local destination. */
static char *normpath(const char *path)
{
    struct svec parts = SVEC_INIT, kept = SVEC_INIT;
    struct buf out = BUF_INIT;

    svec_split(&parts, path, '/');
    for (size_t i = 0; i < parts.len; i++) {
        if (!*parts.items[i] || strcmp(parts.items[i], ".") == 0) {
            continue;
        }
        if (strcmp(parts.items[i], "..") == 0 && kept.len > 0 &&
            strcmp(kept.items[kept.len - 1], "..") != 0) {
            free(kept.items[--kept.len]);
            kept.items[kept.len] = NULL;
            continue;
        }
        svec_push(&kept, parts.items[i]);
    }
    if (path[0] == '/') {
        buf_addc(&out, '/');
    }
    for (size_t i = 0; i < kept.len; i++) {
        buf_addf(&out, "%s%s", i ? "/" : "", kept.items[i]);
    }
    svec_release(&parts);
    svec_release(&kept);
    return out.len ? buf_detach(&out, NULL) : (buf_release(&out), xstrdup("."));
}

/* The local path the file goes to; NULL with res failed for a flat dest that is a directory. */
static char *local_dest(struct module_ctx *ctx, const struct margs *args, const char *src,
                        struct result *res)
{
    const char *dest = margs_str(args, "dest");
    char *base = dest[0] == '/' || !ctx->task_dir ? xstrdup(dest) : fs_join(ctx->task_dir, dest);
    char *path, *norm;

    if (!margs_bool(args, "flat")) {
        path = xasprintf("%s/%s/%s", base, ctx->host_name, src);
    } else if (str_ends_with(dest, "/")) {
        path = xasprintf("%s%s", base, fs_basename(src));
    } else if (fs_is_dir(base)) {
        free(base);
        result_fail(res, "dest is an existing directory, use a trailing slash if you want to "
                         "fetch src into that directory");
        return NULL;
    } else {
        path = xstrdup(base);
    }
    free(base);
    norm = normpath(path);
    free(path);
    return norm;
}

/* Fails (or, with fail_on_missing=no, only reports) a source that cannot be fetched; the message
 * gets 'ignored_suffix' when it is only reported. A missing file reported so names the 'file'
 * (Ansible's slurp path); a directory never does. */
static int missing(const struct margs *args, const char *src, const char *msg,
                   const char *ignored_suffix, bool name_file, struct result *res)
{
    char *ignored = NULL;

    if (margs_bool(args, "fail_on_missing")) {
        return result_fail(res, "%s", msg);
    }
    if (name_file) {
        mod_set_str(res, "file", src);
    }
    ignored = xasprintf("%s%s", msg, ignored_suffix);
    mod_set_str(res, "msg", ignored);
    free(ignored);
    res->status = RESULT_OK;
    return 0;
}

static void report_sums(struct result *res, const char *dest, const char *sum, const char *md5)
{
    mod_set_str(res, "dest", dest);
    mod_set_str(res, "checksum", sum);
    mod_set_str(res, "md5sum", md5);
}

/* Fetches into 'dest' and checks the checksum. Returns 0, -1 when unreachable. */
static int transfer(struct module_ctx *ctx, const struct margs *args, const char *src,
                    const char *dest, const char *remote_sum, struct result *res,
                    struct err *err)
{
    struct buf data = BUF_INIT;
    struct err lerr = ERR_INIT;
    char sum[SUM_LEN], md5[SUM_LEN];
    char *dir = fs_dirname(dest);
    int ret = 0;

    if (conn_fetch(ctx->conn, src, &data, ctx->become, err) < 0) {
        ret = err->kind == ERR_UNREACHABLE ? -1 : result_fail(res, "%s", err->msg);
        goto out;
    }
    if (fs_mkdir_p(dir, 0755, &lerr) < 0 || fs_write_atomic(dest, data.ptr, data.len, 0644,
                                                            &lerr) < 0) {
        result_fail(res, "Failed to fetch the file: %s", lerr.msg);
        goto out;
    }
    digest_hex("sha1", data.ptr, data.len, sum, sizeof(sum));
    digest_hex("md5", data.ptr, data.len, md5, sizeof(md5));
    report_sums(res, dest, sum, md5);
    val_dict_set_take(res->data, "remote_md5sum", val_null());
    mod_set_str(res, "remote_checksum", remote_sum ? remote_sum : sum);
    res->status = RESULT_CHANGED;
    if (margs_bool(args, "validate_checksum") && remote_sum && strcmp(sum, remote_sum) != 0) {
        mod_set_str(res, "file", src);
        result_fail(res, "checksum mismatch");
    }
out:
    free(dir);
    buf_release(&data);
    return ret;
}

static int fetch_run(struct module_ctx *ctx, const struct margs *args, struct result *res,
                     struct err *err)
{
    const char *src = margs_str(args, "src");
    char local[SUM_LEN], md5[SUM_LEN];
    char *dest = NULL;
    struct mod_stat st;
    int ret = 0;

    if (ctx->check_mode) {
        res->status = RESULT_SKIPPED;
        res->msg = xstrdup("check mode not (yet) supported for this module");
        return 0;
    }
    if (mod_stat(ctx, src, true, "sha1", &st, err) < 0) {
        return err->kind == ERR_UNREACHABLE ? -1 : result_fail(res, "%s", err->msg);
    }
    if (!st.exists) {
        ret = missing(args, src, "the remote file does not exist, not transferring, ignored", "",
                      true, res);
    } else if (S_ISDIR(st.mode)) {
        ret = missing(args, src, "remote file is a directory, fetch cannot work on directories",
                      ", not transferring, ignored", false, res);
    } else {
        dest = local_dest(ctx, args, src, res);
    }
    if (dest != NULL) {
        if (st.checksum && local_sum(dest, "sha1", local) && strcmp(local, st.checksum) == 0) {
            local_sum(dest, "md5", md5);
            report_sums(res, dest, local, md5);
            mod_set_str(res, "file", src);
            res->status = RESULT_OK;
        } else {
            ret = transfer(ctx, args, src, dest, st.checksum, res, err);
        }
    }
    free(dest);
    mod_stat_release(&st);
    return ret;
}

const struct module module_fetch = {
    .name = "fetch",
    .args = fetch_args,
    .flags = MOD_CHECK_MODE,
    .run = fetch_run,
};
