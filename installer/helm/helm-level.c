/*
 * helm-level.c - the releases of one DAG level changed in parallel: each worker takes its own
 * connection, recovers a release left pending by an interrupted helm (uninstall after
 * pending-install, rollback to the last deployed revision otherwise), then upgrades or uninstalls
 * it; the calling thread alone records each result (journal, state file, summary, report).
 */
#include "pot.h"
#include <string.h>
#include <time.h>
#include "base/err.h"
#include "base/pool.h"
#include "base/xalloc.h"
#include "helm/helm-int.h"
#include "helmfile/helmfile.h"
#include "journal/journal.h"

struct level {
    struct helm_run *run;
    struct helm_job *jobs;
    struct helm_summary *sum;
    struct svec *failed;
    struct err *err;     /* the first recording or connection error */
    int ret;
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void helm_job_init(struct helm_job *job, const struct hf_release *r, enum helm_action action)
{
    memset(job, 0, sizeof(*job));
    job->r = r;
    job->key = helm_release_key(r);
    job->action = action;
    job->inputs = "";
    helm_cmd_init(&job->cmd);
}

void helm_job_release(struct helm_job *job)
{
    free(job->key);
    free(job->live_status);
    helm_cmd_release(&job->cmd);
}

/* How long a rerun waits for the helm of an interrupted run that still works on the release. */
#define WAIT_FOR_INTERRUPTED_S 900

/* Worker side, for a release the cluster has or an interrupted run was deploying: an upgrade
 * started by an interrupted pot may still run on the host (helm outlives the ssh session; a
 * first install is not even listed until it has rendered); wait for it, then read the newest
 * revision. When it deployed exactly these inputs (pot's description on the revision), adopt it
 * instead of upgrading again; when it is still pending, recover it; when there is still no
 * release, install it. Returns like helm_remote_run. */
static int settle(struct helm_target *t, struct conn *c, struct helm_job *job)
{
    struct helm_latest latest = { 0 };
    char *mine = helm_description(job->inputs);
    int rc = helm_remote_wait_idle(t, c, job->r, WAIT_FOR_INTERRUPTED_S, &job->err);

    if (rc == 1) {
        buf_reset(&job->cmd.msg);
        buf_addf(&job->cmd.msg, "an earlier helm upgrade of it still runs on host '%s' after "
                 "%d s", t->host, WAIT_FOR_INTERRUPTED_S);
    }
    if (rc == 0) {
        rc = helm_remote_latest(t, c, job->r, &latest, &job->cmd, &job->err);
        if (rc == 1 && !job->live_status) {
            /* the interrupted run never got to record a revision: nothing to adopt */
            buf_reset(&job->cmd.msg);
            helm_latest_release(&latest);
            free(mine);
            return 0;
        }
    }
    if (rc == 0) {
        if (strcmp(latest.status, "deployed") == 0 && strcmp(latest.description, mine) == 0) {
            job->adopted = true;
            job->revision = latest.revision;
        } else if (!job->live_status || strcmp(job->live_status, latest.status) != 0) {
            free(job->live_status);
            job->live_status = xstrdup(latest.status);
        }
    }
    helm_latest_release(&latest);
    free(mine);
    return rc;
}

/* Worker side: a release left pending-* cannot be upgraded ("another operation is in progress"). */
static int recover(struct helm_target *t, struct conn *c, struct helm_job *job)
{
    int rc;

    if (strcmp(job->live_status, "pending-install") == 0) {
        rc = helm_remote_uninstall(t, c, job->r, &job->cmd, &job->err);
    } else {
        rc = helm_remote_rollback(t, c, job->r, &job->rollback_to, &job->cmd, &job->err);
    }
    if (rc == 1) {
        char *why = xstrdup(job->cmd.msg.ptr);

        buf_reset(&job->cmd.msg);
        buf_addf(&job->cmd.msg, "recovering from %s: %s", job->live_status, why);
        free(why);
    }
    job->recovered = rc == 0;
    return rc;
}

static void work(size_t index, void *arg)
{
    struct level *lv = arg;
    struct helm_job *job = &lv->jobs[index];
    struct helm_target *t = lv->run->t;
    double start = now_s();
    struct conn *c = helm_conn_get(t, &job->err);

    if (!c) {
        job->rc = -1;
        return;
    }
    if (job->action == HELM_ACT_UNINSTALL) {
        /* helm uninstall works whatever state the release is in */
        job->rc = helm_remote_uninstall(t, c, job->r, &job->cmd, &job->err);
    } else {
        job->rc = job->live_status || job->interrupted ? settle(t, c, job) : 0;
        if (job->rc == 0 && !job->adopted && job->live_status &&
            helm_status_pending(job->live_status)) {
            job->rc = recover(t, c, job);
        }
        if (job->rc == 0 && !job->adopted) {
            job->rc = helm_remote_upgrade(t, c, job->r, job->chart, job->inputs, &job->revision,
                                          &job->cmd, &job->err);
        }
    }
    job->seconds = now_s() - start;
    helm_conn_put(t, c);
}

int helm_journal_note(struct helm_run *run, enum journal_event event, const char *key,
                      const char *inputs, const char *msg, struct err *err)
{
    if (run->o->check || !run->journal) {
        return 0;
    }
    return journal_append(run->journal, event, HELM_STAGE, key, inputs, msg, err);
}

static void keep_error(struct level *lv, const struct err *e)
{
    if (lv->ret == 0) {
        *lv->err = *e;
        lv->ret = -1;
    }
}

static void record_failure(struct level *lv, struct helm_job *job)
{
    struct helm_item *item = helm_summary_add(lv->sum, job->key, HELM_FAILED);
    struct err e = ERR_INIT;
    const char *msg = job->rc < 0 ? job->err.msg : job->cmd.msg.ptr;

    item->message = xstrdup(msg);
    item->seconds = job->seconds;
    svec_push(lv->failed, job->key);
    helm_say(lv->run->o, "release %s: failed: %s", job->key, msg);
    if (helm_journal_note(lv->run, JOURNAL_FAILED, job->key, job->inputs, msg, &e) < 0) {
        keep_error(lv, &e);
    }
    if (job->rc < 0 && (job->err.kind == ERR_UNREACHABLE || job->err.kind == ERR_AUTH)) {
        keep_error(lv, &job->err);
    }
}

static void record_success(struct level *lv, struct helm_job *job)
{
    struct helm_run *run = lv->run;
    struct helm_item *item;
    struct err e = ERR_INIT;
    char *msg = NULL;
    int rc;

    if (job->action == HELM_ACT_DEPLOY) {
        item = helm_summary_add(lv->sum, job->key, job->adopted ? HELM_UNCHANGED : HELM_DEPLOYED);
        item->revision = job->revision;
        msg = xasprintf("revision=%d", job->revision);
        if (job->adopted) {
            helm_say(run->o, "release %s: revision %d was deployed with these inputs by an "
                     "interrupted run; adopted", job->key, job->revision);
        } else {
            helm_say(run->o, "release %s: deployed revision %d (%.1f s)", job->key,
                     job->revision, job->seconds);
        }
        rc = helm_journal_note(run, JOURNAL_FINISHED, job->key, job->inputs, msg, &e);
        if (rc == 0) {
            rc = helm_deployed_write(run->o->state_dir, job->r, job->chart->digest,
                                     job->revision, &e);
        }
    } else {
        item = helm_summary_add(lv->sum, job->key, HELM_UNINSTALLED);
        helm_say(run->o, "release %s: uninstalled (%.1f s)", job->key, job->seconds);
        rc = helm_journal_note(run, JOURNAL_FINISHED, job->key, "", HELM_MSG_UNINSTALLED, &e);
        if (rc == 0) {
            rc = helm_deployed_remove(run->o->state_dir, job->r, &e);
        }
    }
    item->seconds = job->seconds;
    if (rc < 0) {
        keep_error(lv, &e);
    }
    free(msg);
}

static void done(size_t index, void *arg)
{
    struct level *lv = arg;
    struct helm_job *job = &lv->jobs[index];

    if (job->recovered) {
        if (job->rollback_to > 0) {
            helm_say(lv->run->o, "release %s: recovered from %s (rollback to revision %d)",
                     job->key, job->live_status, job->rollback_to);
        } else {
            helm_say(lv->run->o, "release %s: recovered from %s (uninstalled)", job->key,
                     job->live_status);
        }
    }
    if (job->rc != 0) {
        record_failure(lv, job);
    } else {
        record_success(lv, job);
    }
}

int helm_level_run(struct helm_run *run, struct helm_job *jobs, size_t n,
                   struct helm_summary *sum, struct svec *failed, struct err *err)
{
    struct level lv = { run, jobs, sum, failed, err, 0 };
    int forks = run->o->concurrency > 0 ? run->o->concurrency : 1;

    for (size_t i = 0; i < n; i++) {
        struct err e = ERR_INIT;

        if (helm_journal_note(run, JOURNAL_STARTED, jobs[i].key, jobs[i].inputs, NULL, &e) < 0) {
            *err = e;
            return -1;
        }
    }
    pool_run(n, forks, work, done, &lv);
    return lv.ret;
}

int helm_walk_levels(struct helm_run *run, bool reverse, helm_decide_fn decide, void *ctx,
                     struct helm_job *jobs, size_t *njobs, struct helm_summary *sum,
                     struct err *err)
{
    struct svec failed = SVEC_INIT;
    int ret = -1;

    for (size_t l = 0; l < run->dag.nlevels; l++) {
        size_t count;
        const size_t *idx = helm_dag_level(&run->dag,
                                           reverse ? run->dag.nlevels - 1 - l : l, &count);
        size_t first = *njobs;

        for (size_t k = 0; k < count; k++) {
            int rc = decide(run, idx[k], ctx, sum, &jobs[*njobs], err);

            if (rc < 0) {
                goto out;
            }
            *njobs += (size_t)rc;
        }
        if (*njobs > first &&
            helm_level_run(run, jobs + first, *njobs - first, sum, &failed, err) < 0) {
            goto out;
        }
        if (failed.len) {
            helm_mark_not_run(run, l + 1, reverse, sum);
            helm_fail_summary(&failed, sum, err);
            goto out;
        }
    }
    ret = 0;
out:
    svec_release(&failed);
    return ret;
}
