/*
 * helm-int.h - what the files of installer/helm/ share: charts, the needs DAG, the connection
 * pool of a target, helm commands on the host, the cluster's view, and the records pot keeps.
 * Internal to helm/.
 */
#ifndef HELM_INT_H
#define HELM_INT_H

#include <pthread.h>
#include "base/buf.h"
#include "base/digest.h"
#include "base/vec.h"
#include "conn/conn.h"
#include "helm/helm.h"
#include "journal/journal.h"

struct hf_release;
struct helm_run;
struct val;

/* ---- helm-chart.c ---- */

/* A chart ready to upload: a local chart directory packaged as a deterministic .tgz (entries
 * sorted, mtime 0, uid/gid 0, mode 0644/0755, top directory = the name in Chart.yaml, files
 * matched by .helmignore left out), or a .tgz chart file read as is. */
struct helm_chart {
    char *name;                          /* owned: Chart.yaml name (NULL for a .tgz as is) */
    struct buf tgz;                      /* owned: the archive bytes */
    char digest[SHA256_HEX_LEN + 1];     /* sha256 of 'tgz' */
};

/* Loads the chart at 'path' (a directory or a .tgz/.tar.gz file). ERR_IO when it cannot be
 * read, ERR_PARSE when Chart.yaml is bad or has no name. */
int helm_chart_load(struct helm_chart *c, const char *path, struct err *err);
void helm_chart_release(struct helm_chart *c);

/* ---- helm-dag.c ---- */

/* The releases' `needs` as levels: level 0 needs nothing, level k needs only releases of levels
 * below k. Within a level, releases keep declaration order. */
struct helm_dag {
    size_t n;             /* releases */
    size_t nlevels;
    size_t *order;        /* owned: release indexes, level by level */
    size_t *level_start;  /* owned: nlevels + 1 offsets into 'order' */
};

/* Builds the DAG. ERR_USAGE at the needing release's origin when a need names no release of
 * 'rels', is ambiguous, or when needs form a cycle (the message lists the cycle). */
int helm_dag_build(struct helm_dag *d, struct hf_release *const *rels, size_t n,
                   struct err *err);
void helm_dag_release(struct helm_dag *d);
/* The releases of level 'level' (borrowed): *count indexes into the release array. */
const size_t *helm_dag_level(const struct helm_dag *d, size_t level, size_t *count);
/* "NS/NAME" of a release, "default" for an empty namespace (new string). */
char *helm_release_key(const struct hf_release *r);
/* The release's namespace, "default" when empty (borrowed). */
const char *helm_release_ns(const struct hf_release *r);

/* ---- helm-target.c ---- */

struct helm_target {
    char *host;              /* owned */
    char *helm_bin;          /* owned */
    struct conn_settings settings; /* strings in 'store' */
    struct svec store;       /* owned */
    pthread_mutex_t lock;    /* guards 'idle' */
    struct vec idle;         /* owned struct conn *: opened connections not in use */
};

/* Takes an idle connection or makes a new one, and opens it. Thread-safe. NULL with the
 * transport's error, prefixed with the host. */
struct conn *helm_conn_get(struct helm_target *t, struct err *err);
/* Gives it back for the next job. Thread-safe. */
void helm_conn_put(struct helm_target *t, struct conn *c);

struct helm_latest;

/* ---- helm-remote.c: one helm command on the host ---- */

/* Why a command failed, for one release (worker side). */
struct helm_cmd {
    struct buf out;     /* stdout of the last command */
    struct buf msg;     /* helm's message when it failed (stderr, trimmed) */
};

void helm_cmd_init(struct helm_cmd *cmd);
void helm_cmd_release(struct helm_cmd *cmd);

/* Runs 'argv' (argv[0] is the helm binary or a shell command word) on 'c'. Returns 0 when it
 * exited 0, 1 when it ran and failed (cmd->msg holds its stderr, else its stdout, else the exit
 * status), -1 with 'err' when the host could not be reached. 'timeout_s' 0 = none. */
int helm_remote_run(struct helm_target *t, struct conn *c, char *const argv[], int timeout_s,
                    struct helm_cmd *cmd, struct err *err);
/* `command -v HELM`: ERR_FAILED "host 'H': helm not found (command -v helm): ..." when absent. */
int helm_remote_check(struct helm_target *t, struct conn *c, struct err *err);
/* `helm list -A --all -o json` into 'json'. ERR_FAILED "host 'H': helm list: <helm's message>"
 * when helm fails (cluster unreachable). */
int helm_remote_list(struct helm_target *t, struct conn *c, struct buf *json, struct err *err);
/* upgrade --install from a private temp dir (chart and values uploaded, 0600; dir 0700; removed
 * after). *revision gets the new revision (0 when it cannot be read). Returns like
 * helm_remote_run. */
int helm_remote_upgrade(struct helm_target *t, struct conn *c, const struct hf_release *r,
                        const struct helm_chart *chart, const char *inputs, int *revision,
                        struct helm_cmd *cmd, struct err *err);
/* The description pot gives each revision it makes: "pot inputs <hash>" (new string), so that a
 * revision made by an interrupted run can be recognised and adopted instead of made again. */
char *helm_description(const char *inputs);
/* The newest revision of the release (`helm history --max 1`). Returns like helm_remote_run; a
 * release without history gives 1. */
int helm_remote_latest(struct helm_target *t, struct conn *c, const struct hf_release *r,
                       struct helm_latest *out, struct helm_cmd *cmd, struct err *err);
/* Waits while a helm upgrade of the release started by an earlier, interrupted pot still runs
 * on the host (it outlives the ssh session that started it), at most 'limit_s' seconds.
 * Returns 0 when none runs (any more), 1 when one still runs after the limit, -1 with 'err'. */
int helm_remote_wait_idle(struct helm_target *t, struct conn *c, const struct hf_release *r,
                          int limit_s, struct err *err);
/* Removes this user's pot-helm.* temporary directories older than an hour, left behind by an
 * interrupted pot (they hold values). Failures are only logged. */
void helm_remote_sweep(struct helm_target *t, struct conn *c);
int helm_remote_uninstall(struct helm_target *t, struct conn *c, const struct hf_release *r,
                          struct helm_cmd *cmd, struct err *err);
/* Rolls back to the last deployed revision found in `helm history -o json` (*to gets it).
 * Returns 1 with cmd->msg set when there is none. */
int helm_remote_rollback(struct helm_target *t, struct conn *c, const struct hf_release *r,
                         int *to, struct helm_cmd *cmd, struct err *err);

/* ---- helm-cluster.c: what helm says about the cluster ---- */

struct helm_live {
    char *ns;        /* owned */
    char *name;      /* owned */
    char *status;    /* owned: "deployed", "failed", "pending-install", ... */
    int revision;
};

struct helm_cluster {
    struct helm_live *items;  /* owned */
    size_t n;
};

/* Parses the output of `helm list -o json`. ERR_REMOTE when it is not the expected JSON. */
int helm_cluster_parse(struct helm_cluster *cl, const char *json, size_t len, const char *host,
                       struct err *err);
void helm_cluster_release(struct helm_cluster *cl);
/* Borrowed entry for namespace/name, or NULL. */
const struct helm_live *helm_cluster_find(const struct helm_cluster *cl, const char *ns,
                                          const char *name);
bool helm_status_pending(const char *status);
/* The highest revision with status "deployed" (else "superseded") in `helm history -o json`
 * output; 0 when none. */
int helm_history_last_deployed(const char *json, size_t len);
/* The "version" of `helm status -o json` output, or "REVISION: N" in helm's text; 0 if none. */
int helm_revision_from_output(const char *text, size_t len);
/* The newest revision in `helm history -o json`: its number, status and description. */
struct helm_latest {
    int revision;
    char *status;      /* owned */
    char *description; /* owned */
};
/* Returns 0, or -1 when the history holds no revision (out is then empty). */
int helm_history_latest(const char *json, size_t len, struct helm_latest *out);
void helm_latest_release(struct helm_latest *l);

/* ---- helm-record.c: inputs, journal and state files ---- */

#define HELM_STAGE "release"
#define HELM_MSG_UNINSTALLED "uninstalled"

/* The inputs hash of a release: sha256 over the chart digest, the values digest and the flags. */
void helm_inputs(const struct hf_release *r, const char *chart_digest,
                 char out[SHA256_HEX_LEN + 1]);
/* The revision of the latest FINISHED deploy record of 'key' ("revision=N"), 0 when the latest
 * record is not one. */
int helm_journal_revision(const struct journal *j, const char *key);
/* A short word for the journal's latest record about 'key': "deployed revision=N", "failed",
 * "uninstalled", "started" or "none" (new string). 'j' may be NULL. */
char *helm_journal_view(const struct journal *j, const char *key);

/* What was last deployed, read from and written to STATE/releases/NS/NAME.json (0600). */
struct helm_deployed {
    char *chart_digest;       /* owned */
    char *values;             /* owned: the values YAML text (secret: never printed) */
    char *flags;              /* owned: "ns=..;wait=..;timeout=..;createNamespace=..;version=.." */
    int revision;
};

char *helm_flags_text(const struct hf_release *r);
/* Returns 1 and fills 'd' when the file exists, 0 when it does not, -1 on a read/parse error. */
int helm_deployed_read(const char *state_dir, const struct hf_release *r, struct helm_deployed *d,
                       struct err *err);
int helm_deployed_write(const char *state_dir, const struct hf_release *r,
                        const char *chart_digest, int revision, struct err *err);
int helm_deployed_remove(const char *state_dir, const struct hf_release *r, struct err *err);
void helm_deployed_release(struct helm_deployed *d);

/* ---- helm-diff.c ---- */

/* Fills 'changes' with what differs between the release as declared ('chart_digest' may be NULL
 * when the chart was not loaded) and what pot deployed ('d' may be NULL) and the cluster has
 * ('live' may be NULL). Empty when in sync. */
void helm_compare(const struct hf_release *r, const char *chart_digest,
                  const struct helm_deployed *d, const struct helm_live *live,
                  struct svec *changes);

/* ---- helm-level.c: one level's releases on worker threads ---- */

enum helm_action {
    HELM_ACT_DEPLOY,
    HELM_ACT_UNINSTALL,
};

/* One release to change. The main thread fills the first part; the worker the results; the
 * main thread records them (journal, state file, summary, report). */
struct helm_job {
    const struct hf_release *r;     /* borrowed */
    char *key;                      /* owned: "NS/NAME" */
    enum helm_action action;
    const struct helm_chart *chart; /* borrowed; HELM_ACT_DEPLOY only */
    const char *inputs;             /* borrowed: the inputs hash ("" for an uninstall) */
    char *live_status;              /* owned: the cluster's status before, NULL when absent */
    bool interrupted;               /* the journal's last record of it is STARTED: the helm of a
                                     * killed run may still be working on it */
    /* results */
    int rc;                         /* 0 done, 1 helm failed (cmd.msg), -1 'err' */
    struct err err;
    struct helm_cmd cmd;
    int revision;
    int rollback_to;                /* recovery by rollback: the revision, else 0 */
    bool recovered;                 /* a pending-* state was recovered first */
    bool adopted;                   /* an interrupted run had deployed these inputs already */
    double seconds;
};

void helm_job_init(struct helm_job *job, const struct hf_release *r, enum helm_action action);
void helm_job_release(struct helm_job *job);
/* Runs the jobs on up to opts->concurrency workers, then (on the calling thread, as each one
 * finishes) journals, reports and adds to 'sum'. Pushes the key of each failed release to
 * 'failed'. Returns -1 when a result could not be recorded or a host could not be reached
 * ('err' set); failures of helm itself are not errors here. */
int helm_level_run(struct helm_run *run, struct helm_job *jobs, size_t n,
                   struct helm_summary *sum, struct svec *failed, struct err *err);
/* Decides what to do with release 'idx' of run->st: 1 when a job is queued in 'job', 0 when
 * nothing is to be run (reported already), -1 on error. */
typedef int (*helm_decide_fn)(struct helm_run *run, size_t idx, void *ctx,
                              struct helm_summary *sum, struct helm_job *job, struct err *err);
/* Walks the DAG level by level (from the last level when 'reverse', as destroy does): decides
 * every release of a level, runs the queued jobs, and stops after a level with a failure (the
 * later levels reported not run; -1 with ERR_FAILED naming the failed releases). 'jobs' has room
 * for every release; *njobs tells how many were queued (the caller releases them). */
int helm_walk_levels(struct helm_run *run, bool reverse, helm_decide_fn decide, void *ctx,
                     struct helm_job *jobs, size_t *njobs, struct helm_summary *sum,
                     struct err *err);
/* Appends a journal record unless in check mode or there is no journal. */
int helm_journal_note(struct helm_run *run, enum journal_event event, const char *key,
                      const char *inputs, const char *msg, struct err *err);
/* ---- helm-sync.c: shared by the operations ---- */

/* The common start: state, journal and lock, the helm check and the cluster list. */
struct helm_run {
    struct helm_target *t;        /* borrowed */
    const struct hf_state *st;    /* borrowed */
    const struct helm_opts *o;    /* borrowed */
    struct helm_dag dag;
    struct journal *journal;      /* owned; NULL in check/status/diff when there is none yet */
    struct journal_lock *lock;    /* owned; NULL when not locked */
    struct helm_cluster cluster;
};

/* 'write': take the lock and open (create) the journal; else open it only when it exists. */
int helm_run_begin(struct helm_run *run, struct helm_target *t, const struct hf_state *st,
                   const struct helm_opts *o, bool write, struct err *err);
void helm_run_end(struct helm_run *run);
void helm_say(const struct helm_opts *o, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Appends an item (strings copied; 'message' may be NULL) and returns it (borrowed). */
struct helm_item *helm_summary_add(struct helm_summary *sum, const char *key,
                                   enum helm_outcome outcome);
/* Adds a HELM_NOT_RUN item (and says so) for every release of the levels from 'from_level' on,
 * counted in the order the operation walks them ('reverse': last level first). */
void helm_mark_not_run(struct helm_run *run, size_t from_level, bool reverse,
                       struct helm_summary *sum);
/* Sets ERR_FAILED naming the failed releases and the first failure's message; returns -1. */
int helm_fail_summary(const struct svec *failed, const struct helm_summary *sum,
                      struct err *err);
/* Joins 'changes' with ", " (new string). */
char *helm_changes_text(const struct svec *changes);

#endif
