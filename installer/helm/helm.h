/*
 * helm.h - pot's own "helmfile sync": the releases of a loaded helmfile state (helmfile.h)
 * installed, upgraded, uninstalled, compared and listed by running `helm` on one target host
 * (the first master) over pot's connections, release by release in the order of their `needs`.
 *
 * Files: helm-target.c (where helm runs), helm-chart.c (charts as deterministic .tgz),
 * helm-template.c (a release rendered by the local helm, for `pot helmfile template` and pack),
 * helm-dag.c (needs -> levels), helm-remote.c (one helm command on the host), helm-cluster.c
 * (what `helm list`/`helm history` say), helm-record.c (inputs hash, journal and state files),
 * helm-level.c (one level's releases on worker threads), helm-sync.c, helm-destroy.c,
 * helm-status.c, helm-diff.c (the four operations); helm-int.h is what they share.
 *
 * State: everything pot remembers lives in opts->state_dir:
 *   journal                      journal.h records: stage "release", host "NS/NAME"; FINISHED
 *                                with the inputs hash and msg "revision=N" after a deploy,
 *                                FINISHED with inputs "" and msg "uninstalled" after a removal,
 *                                FAILED with helm's message
 *   lock                         the run lock (sync and destroy; not check, status or diff)
 *   releases/NS/NAME.json        mode 0600: what was last deployed (chart digest, flags, values
 *                                text) so that diff can name changed keys; never printed
 * A release is skipped by sync when its journal record is FINISHED with the same inputs AND the
 * cluster (`helm list -A --all -o json`, read once per call) has it deployed at the recorded
 * revision. An empty namespace means "default" everywhere (journal, list matching, messages).
 *
 * Order of calls:
 *   struct helm_target *t = helm_target_new(inventory, host, err);
 *   helm_summary_init(&sum);
 *   helm_sync(t, st, &opts, &sum, err)        (or helm_destroy, helm_status, helm_diff)
 *   ... read sum.items ...
 *   helm_summary_release(&sum);
 *   helm_target_free(t);
 * One target may serve several calls in turn; its connections stay open between them. Calls on
 * one target must not overlap.
 *
 * Secrets: values are uploaded to a private temporary directory on the host (0700, files 0600)
 * and passed with -f; they never appear in argv, in messages, in the report or in the journal.
 */
#ifndef HELM_H
#define HELM_H

#include <stdbool.h>
#include "base/vec.h"

struct buf;
struct err;
struct hf_state;
struct hf_release;

/* Where helm runs: one inventory host, reached with its connection variables (as `pot exec`),
 * with 'helm_bin' from its variable `helm_bin` (default "helm"). helm runs as the connecting user
 * (ansible_user) with that user's kubeconfig; ansible_become is not applied. Opaque. */
struct helm_target;

/* Loads 'inventory' (a file, directory or host list, as -i) and builds the connection settings of
 * 'host' (NULL: the first host of group 'masters'). Nothing is contacted yet. Returns NULL with
 * ERR_USAGE when the host is not in the inventory (or 'masters' is empty) or a variable is
 * unusable, ERR_PARSE/ERR_IO when the inventory cannot be read. */
struct helm_target *helm_target_new(const char *inventory, const char *host, struct err *err);
/* Closes the connections. NULL does nothing. */
void helm_target_free(struct helm_target *t);
/* Replaces the helm command (e.g. a --helm-binary option, which wins over `helm_bin`); copied. */
void helm_target_set_helm_bin(struct helm_target *t, const char *helm_bin);
/* Borrowed: the host name and the helm command used. */
const char *helm_target_host(const struct helm_target *t);
const char *helm_target_helm_bin(const struct helm_target *t);

/* helm-template.c: renders release 'r' with the local helm ('helm template NAME CHART
 * [--namespace NS] -f VALUES'; 'helm_bin' NULL: "helm" from PATH), the values in a 0600 file in
 * 'tmpdir' (private to the caller), removed after. Appends the manifests to 'out'. -1 with
 * ERR_FAILED and helm's message when helm fails, ERR_IO when it cannot be run. */
int helm_template_local(const char *helm_bin, const struct hf_release *r, const char *tmpdir,
                        struct buf *out, struct err *err);

/* One line per event, called on the calling (main) thread only, never concurrently:
 *   "release NS/NAME: unchanged"
 *   "release NS/NAME: deployed revision 2 (3.1 s)"
 *   "release NS/NAME: failed: <helm's message>"
 *   "release NS/NAME: recovered from pending-upgrade (rollback to revision 1)"
 *   "release NS/NAME: uninstalled (0.8 s)"
 *   "release NS/NAME: would deploy (values changed)" (check mode)
 * No newline; no values in it. 'say' may be NULL. */
struct helm_report {
    void (*say)(void *ctx, const char *line);
    void *ctx;
};

struct helm_opts {
    const char *state_dir;    /* borrowed: journal, lock, releases/ (created 0700 when needed) */
    const char *command;      /* borrowed: written in the lock file (e.g. "pot helmfile sync") */
    int concurrency;          /* releases of one level run at once; < 1 means 1 */
    bool check;               /* report what would be done; change nothing, write nothing */
    struct helm_report report;
};

enum helm_outcome {
    HELM_UNCHANGED,      /* sync: skipped, nothing to do; status/diff: in sync */
    HELM_DEPLOYED,       /* sync: helm upgrade --install succeeded */
    HELM_UNINSTALLED,    /* sync (installed: false) or destroy: helm uninstall succeeded */
    HELM_ABSENT,         /* not in the cluster and does not need to be */
    HELM_FAILED,         /* helm failed; 'message' holds its message */
    HELM_NOT_RUN,        /* sync/destroy: a release of an earlier level failed */
    HELM_WOULD_DEPLOY,   /* check mode, diff: would be (re)deployed; 'changes' says why */
    HELM_WOULD_UNINSTALL,/* check mode, diff: would be uninstalled */
    HELM_CHANGED,        /* status: the cluster or the inputs differ from the last deploy */
};

/* What happened to one release. */
struct helm_item {
    char *release;        /* owned: "NS/NAME" */
    enum helm_outcome outcome;
    int revision;         /* the cluster's revision after the call, 0 when absent/unknown */
    double seconds;       /* time spent in helm for it, 0 when helm was not run */
    char *cluster;        /* owned: helm's status in the cluster ("deployed", "failed",
                             "pending-upgrade", ...), "absent", or "unknown" (check without
                             reaching the list) */
    char *journal;        /* owned: the journal's view: "deployed revision=N", "failed",
                             "uninstalled", "none" */
    char *message;        /* owned: failure message, recovery line or NULL */
    struct svec changes;  /* owned: diff/check/status: what differs, one entry each:
                             "chart", "values: a.b.c", "flags: wait", "absent from the cluster",
                             "not deployed by pot", ... (key paths only, never values) */
};

struct helm_summary {
    struct helm_item *items; /* owned: one per release touched, in the order handled */
    size_t nitems;
    /* counts of items by outcome; would_change counts HELM_WOULD_* and HELM_CHANGED */
    size_t deployed, unchanged, uninstalled, absent, failed, not_run, would_change;
};

void helm_summary_init(struct helm_summary *sum);
void helm_summary_release(struct helm_summary *sum);
/* The outcome as a word ("unchanged", "deployed", ...). */
const char *helm_outcome_name(enum helm_outcome outcome);

/* Brings the cluster to 'st': levels of `needs` in order, up to opts->concurrency releases of one
 * level at once. Releases left pending by an interrupted helm are recovered first (uninstall after
 * pending-install, rollback to the last deployed revision otherwise); `installed: false` releases
 * are uninstalled when present. When a release fails, the rest of its level finishes, later
 * levels do not start, and the call returns -1 with ERR_FAILED naming the failed releases; a
 * rerun skips the finished ones. Other errors: ERR_USAGE (a cycle or a missing release in
 * `needs`, at the release's origin), ERR_IO (a chart cannot be read, the state dir cannot be
 * written), ERR_FAILED "host 'H': helm not found (command -v helm): ..." or helm's own message
 * when the cluster cannot be reached, ERR_UNREACHABLE/ERR_AUTH for the connection, ERR_FAILED
 * when another pot holds the lock. 'sum' gets one item per release. */
int helm_sync(struct helm_target *t, const struct hf_state *st, const struct helm_opts *opts,
              struct helm_summary *sum, struct err *err);

/* Uninstalls the releases of 'st' in reverse `needs` order (absent ones are fine) and records
 * each removal, so that a later sync deploys again. Same errors and failure rules as helm_sync
 * (a failed uninstall stops the levels after it). */
int helm_destroy(struct helm_target *t, const struct hf_state *st, const struct helm_opts *opts,
                 struct helm_summary *sum, struct err *err);

/* Changes nothing. One item per release of 'st' with the cluster's status and revision, the
 * journal's view, and outcome HELM_UNCHANGED when both agree with the current inputs, else
 * HELM_CHANGED / HELM_ABSENT / HELM_FAILED with 'changes' filled. Also says one line per release
 * through opts->report. Returns -1 only when helm cannot be run or the state cannot be read. */
int helm_status(struct helm_target *t, const struct hf_state *st, const struct helm_opts *opts,
                struct helm_summary *sum, struct err *err);

/* Changes nothing. One item per release: HELM_UNCHANGED, HELM_WOULD_DEPLOY or
 * HELM_WOULD_UNINSTALL with 'changes' listing what differs from the last deploy recorded in the
 * state dir ("chart", "values: path.to.key" for each added, removed or changed key, "flags: NAME",
 * "absent from the cluster", "revision in the cluster is N, pot deployed M"). Says one line per
 * release through opts->report. */
int helm_diff(struct helm_target *t, const struct hf_state *st, const struct helm_opts *opts,
              struct helm_summary *sum, struct err *err);

/* What the journal in 'state_dir' says of every release it knows, one "NS/NAME  VIEW" line each
 * (VIEW: "deployed revision=N", "failed", "started", "uninstalled"), sorted by release, appended
 * to 'lines'. A state dir without a journal gives no line. Returns -1 only when the journal
 * cannot be read. Reads only: usable while another pot holds the lock. */
int helm_records(const char *state_dir, struct svec *lines, struct err *err);

#endif
