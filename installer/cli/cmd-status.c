/*
 * cmd-status.c - `pot status`: what the journal says about each install stage, the stage running
 * now, tke-installer's step N/M with its name (progress API, else tke.log) and the last error.
 */
#include "pot.h"
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "helm/helm.h"
#include "journal/journal.h"
#include "pipeline/pipe.h"
#include "tke/tke-progress.h"

static const char *state_of(const struct journal_rec *r)
{
    if (!r) {
        return "not run";
    }
    switch (r->event) {
    case JOURNAL_STARTED:
        return "running (or interrupted)";
    case JOURNAL_FINISHED:
        return "done";
    case JOURNAL_FAILED:
        return "failed";
    case JOURNAL_UNDONE:
        return "uninstalled";
    default:
        return "not run";
    }
}

static void print_stages(const struct journal *j)
{
    const char *current = NULL;

    for (size_t i = 0; pipe_stage_at(i); i++) {
        const struct journal_rec *r = journal_last(j, pipe_stage_at(i), NULL);

        printf("stage %-14s %s\n", pipe_stage_at(i), state_of(r));
        if (r && r->event == JOURNAL_STARTED) {
            current = pipe_stage_at(i);
        }
    }
    printf("current stage: %s\n", current ? current : "none");
}

/* The installer's step from its progress API, else from tke.log. */
static void print_installer(const char *data_dir)
{
    struct tke_progress p;
    struct buf log = BUF_INIT;
    struct err err = ERR_INIT;
    char *url = pipe_progress_url();
    char *path = xasprintf("%s/tke.log", data_dir);
    const char *status = "not answering";

    tke_progress_init(&p);
    if (tke_progress_fetch(url, &p, NULL, &err) == 0) {
        status = tke_status_name(p.status);
    } else if (fs_read_file(path, &log, &err) == 0) {
        tke_progress_parse_log(&p, log.ptr);
    }
    if (p.step >= 0) {
        printf("tke-installer: %s, step %d/%d %s%s\n", status, p.step + 1, tke_step_count(),
               p.step_name, p.finished ? " (install task finished)" : "");
    } else {
        printf("tke-installer: %s, no step yet\n", status);
    }
    tke_progress_release(&p);
    buf_release(&log);
    free(path);
    free(url);
}

/* The releases of stage business (and of `pot helmfile --data-dir`), from the helm journal. */
static int print_releases(const char *data_dir, struct err *err)
{
    char *state_dir = xasprintf("%s/pot/helm", data_dir);
    struct svec lines = SVEC_INIT;
    int ret = helm_records(state_dir, &lines, err);

    for (size_t i = 0; ret == 0 && i < lines.len; i++) {
        printf("release %s\n", lines.items[i]);
    }
    svec_release(&lines);
    free(state_dir);
    return ret;
}

struct status_args {
    const char *data_dir; /* borrowed from argv */
};

const struct opt status_options[] = {
    { OPT_STRING, "data-dir", 0, OPT_AT(struct status_args, data_dir), "DIR",
      "tke-installer data (default " POT_DEFAULT_DATA_DIR ")" },
    { 0 },
};

int cmd_status(int argc, char **argv, struct err *err)
{
    struct status_args a = { .data_dir = POT_DEFAULT_DATA_DIR };
    struct svec positional = SVEC_INIT;
    struct journal *j = NULL;
    const struct journal_rec *failed;
    char *path = NULL;
    int ret = -1;

    if (opt_parse(status_options, &a, argc - 1, argv + 1, &positional, err) < 0) {
        goto out;
    }
    if (positional.len) {
        err_set(err, ERR_USAGE, "unexpected argument '%s'", positional.items[0]);
        goto out;
    }
    path = pipe_journal_path(a.data_dir);
    if (!fs_exists(path)) {
        err_set(err, ERR_IO, "no install recorded in '%s' (no '%s'); run 'pot install' first",
                a.data_dir, path);
        goto out;
    }
    j = journal_open(path, err);
    if (!j) {
        goto out;
    }
    print_stages(j);
    print_installer(a.data_dir);
    if (print_releases(a.data_dir, err) < 0) {
        goto out;
    }
    failed = journal_last_failure(j);
    printf("last error: %s%s%s\n", failed ? failed->stage : "none", failed ? ": " : "",
           failed ? failed->msg : "");
    ret = 0;
out:
    journal_free(j);
    free(path);
    svec_release(&positional);
    return ret;
}
