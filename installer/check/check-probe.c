/*
 * check-probe.c - what the disk and network checks share about the probe (check.h): where the
 * local binary is, and running a probe command on a host and reading the one JSON object it
 * prints.
 */
#include "pot.h"
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "check/check.h"
#include "conn/conn.h"
#include "value/val-json.h"
#include "value/val.h"

char *check_probe_find(struct err *err)
{
    const char *env = getenv("POT_PROBE");
    char *exe, *dir, *path;

    if (env && *env) {
        path = xstrdup(env);
    } else {
        exe = fs_self_exe();
        if (!exe) {
            err_errno(err, "finding the running pot in '/proc/self/exe'");
            return NULL;
        }
        dir = fs_dirname(exe);
        path = fs_join(dir, CHECK_PROBE_NAME);
        free(dir);
        free(exe);
    }
    if (access(path, X_OK) != 0) {
        err_set(err, ERR_IO,
                "the host probe '%s' is missing (build the target host-probe, or set "
                "POT_PROBE)",
                path);
        free(path);
        return NULL;
    }
    return path;
}

int check_probe_exec(struct conn *c, const struct become *become, const char *cmd, int timeout_s,
                     struct val **json, struct err *err)
{
    struct buf out = BUF_INIT, errout = BUF_INIT;
    struct exec_req req = { .cmd = cmd, .become = become, .timeout_s = timeout_s };
    struct exec_result res = { .out = &out, .err = &errout };
    int ret = -1;

    *json = NULL;
    if (conn_exec(c, &req, &res, err) < 0) {
        goto out;
    }
    *json = val_from_json(out.ptr ? out.ptr : "", out.len, "the probe's output", err);
    if (!*json || (*json)->type != VAL_DICT) {
        val_unref(*json);
        *json = NULL;
        err_set(err, ERR_FAILED, "the probe printed no result (rc=%d): %s", res.status,
                errout.len ? errout.ptr
                : out.len  ? out.ptr
                           : "no output");
        goto out;
    }
    ret = 0;
out:
    buf_release(&out);
    buf_release(&errout);
    return ret;
}
