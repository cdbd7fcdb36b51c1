/*
 * check-disk.c - the disk check on one host (check.h): the static probe copied to the host over
 * its connection, run on a directory, removed in the same shell command whatever its outcome,
 * and its JSON parsed. A run cut short leaves the probe at PROBE_REMOTE_PATH, which the next run
 * overwrites and removes.
 */
#include "pot.h"
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "check/check.h"
#include "conn/conn.h"
#include "conn/shell-quote.h"
#include "value/val-json.h"
#include "value/val.h"

#define PROBE_NAME "pot-probe"
#define PROBE_REMOTE_PATH "/tmp/" PROBE_NAME

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
        path = fs_join(dir, PROBE_NAME);
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

/* "PROBE disk DIR --size N; rc=$?; rm -f PROBE; exit $rc": the probe is removed even when it
 * fails. */
static char *probe_command(const struct check_disk_opts *o)
{
    struct buf cmd = BUF_INIT;

    buf_adds(&cmd, PROBE_REMOTE_PATH " disk ");
    sh_quote(&cmd, o->dir);
    buf_addf(&cmd, " --size %llu; rc=$?; rm -f " PROBE_REMOTE_PATH "; exit $rc",
             (unsigned long long)o->size);
    return buf_detach(&cmd, NULL);
}

int check_disk_run(struct conn *c, const struct become *become, const struct check_disk_opts *o,
                   struct val **probe, struct err *err)
{
    struct buf out = BUF_INIT, errout = BUF_INIT;
    char *cmd = probe_command(o);
    struct exec_req req = { .cmd = cmd, .become = become, .timeout_s = o->timeout_s };
    struct exec_result res = { .out = &out, .err = &errout };
    int ret = -1;

    *probe = NULL;
    if (conn_open(c, err) < 0 ||
        conn_put_file(c, o->probe_path, PROBE_REMOTE_PATH, 0755, become, err) < 0 ||
        conn_exec(c, &req, &res, err) < 0) {
        goto out;
    }
    *probe = val_from_json(out.ptr ? out.ptr : "", out.len, "the probe's output", err);
    if (!*probe || (*probe)->type != VAL_DICT) {
        val_unref(*probe);
        *probe = NULL;
        err_set(err, ERR_FAILED, "the probe printed no result (rc=%d): %s", res.status,
                errout.len ? errout.ptr
                : out.len  ? out.ptr
                           : "no output");
        goto out;
    }
    ret = 0;
out:
    free(cmd);
    buf_release(&out);
    buf_release(&errout);
    return ret;
}
