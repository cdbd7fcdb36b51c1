/*
 * check-disk.c - the disk check on one host (check.h): the static probe copied to the host over
 * its connection, run on a directory, removed in the same shell command whatever its outcome,
 * and its JSON read. A run cut short leaves the probe at PROBE_REMOTE_PATH, which the next run
 * overwrites and removes.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "check/check.h"
#include "conn/conn.h"
#include "conn/shell-quote.h"

#define PROBE_REMOTE_PATH "/tmp/" CHECK_PROBE_NAME

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
    char *cmd = probe_command(o);
    int ret = -1;

    *probe = NULL;
    if (conn_open(c, err) == 0 &&
        conn_put_file(c, o->probe_path, PROBE_REMOTE_PATH, 0755, become, err) == 0) {
        ret = check_probe_exec(c, become, cmd, o->timeout_s, probe, err);
    }
    free(cmd);
    return ret;
}
