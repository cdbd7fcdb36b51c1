/*
 * mod-slurp.c - the `slurp` module: a remote file's content, base64-encoded.
 */
#include "pot.h"
#include <sys/stat.h>
#include "base/b64.h"
#include "base/buf.h"
#include "conn/conn.h"
#include "modules/args.h"
#include "modules/mod-util.h"
#include "value/val.h"

static const struct arg_spec slurp_args[] = {
    { .name = "src", .type = ARG_PATH, .required = true, .aliases = "path" },
    { 0 },
};

/* Ansible's messages for a src that cannot be read; 0 when it can. */
static int check_src(const char *src, const struct mod_stat *st, struct result *res)
{
    if (!st->exists) {
        return result_fail(res, "file not found: %s", src), 1;
    }
    if (S_ISDIR(st->mode)) {
        return result_fail(res, "source is a directory and must be a file: %s", src), 1;
    }
    if (!st->readable) {
        return result_fail(res, "file is not readable: %s", src), 1;
    }
    return 0;
}

static int slurp_run(struct module_ctx *ctx, const struct margs *args, struct result *res,
                     struct err *err)
{
    const char *src = margs_str(args, "src");
    struct buf data = BUF_INIT, enc = BUF_INIT;
    struct mod_stat st;
    int ret = 0;

    if (mod_stat(ctx, src, true, NULL, &st, err) < 0) {
        return -1;
    }
    if (check_src(src, &st, res) != 0) {
        goto out;
    }
    if (conn_fetch(ctx->conn, src, &data, ctx->become, err) < 0) {
        ret = err->kind == ERR_UNREACHABLE ? -1 : result_fail(res, "%s", err->msg);
        goto out;
    }
    b64_encode(&enc, data.ptr, data.len);
    val_dict_set_take(res->data, "content", val_strn(enc.ptr, enc.len));
    mod_set_str(res, "encoding", "base64");
    mod_set_str(res, "source", src);
    res->status = RESULT_OK;
out:
    mod_stat_release(&st);
    buf_release(&enc);
    buf_release(&data);
    return ret;
}

const struct module module_slurp = {
    .name = "slurp",
    .args = slurp_args,
    .flags = MOD_CHECK_MODE,
    .run = slurp_run,
};
