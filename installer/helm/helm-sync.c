/*
 * helm-sync.c - `helmfile sync` done by pot: every selected release brought to its declared
 * state level by level, skipping a release whose journal record is done with the same inputs
 * and whose recorded revision is the one deployed in the cluster. Also the start and end every
 * operation shares (state dir, lock, journal, helm check, cluster list) and the summary.
 */
#include "pot.h"
#include <string.h>
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "helm/helm-int.h"
#include "helmfile/helmfile.h"
#include "journal/journal.h"

void helm_say(const struct helm_opts *o, const char *fmt, ...)
{
    va_list ap;
    char *line;

    if (!o->report.say) {
        return;
    }
    va_start(ap, fmt);
    line = xvasprintf(fmt, ap);
    va_end(ap);
    o->report.say(o->report.ctx, line);
    free(line);
}

void helm_summary_init(struct helm_summary *sum)
{
    memset(sum, 0, sizeof(*sum));
}

void helm_summary_release(struct helm_summary *sum)
{
    for (size_t i = 0; i < sum->nitems; i++) {
        struct helm_item *item = &sum->items[i];

        free(item->release);
        free(item->cluster);
        free(item->journal);
        free(item->message);
        svec_release(&item->changes);
    }
    free(sum->items);
    memset(sum, 0, sizeof(*sum));
}

struct helm_item *helm_summary_add(struct helm_summary *sum, const char *key,
                                   enum helm_outcome outcome)
{
    struct helm_item *item;

    sum->items = xrealloc(sum->items, (sum->nitems + 1) * sizeof(*sum->items));
    item = &sum->items[sum->nitems++];
    memset(item, 0, sizeof(*item));
    item->release = xstrdup(key);
    item->outcome = outcome;
    switch (outcome) {
    case HELM_UNCHANGED:
        sum->unchanged++;
        break;
    case HELM_ABSENT:
        sum->absent++;
        break;
    case HELM_DEPLOYED:
        sum->deployed++;
        break;
    case HELM_UNINSTALLED:
        sum->uninstalled++;
        break;
    case HELM_FAILED:
        sum->failed++;
        break;
    case HELM_NOT_RUN:
        sum->not_run++;
        break;
    case HELM_WOULD_DEPLOY:
    case HELM_WOULD_UNINSTALL:
    case HELM_CHANGED:
        sum->would_change++;
        break;
    }
    return item;
}

const char *helm_outcome_name(enum helm_outcome outcome)
{
    static const char *const names[] = {
        [HELM_UNCHANGED] = "unchanged",
        [HELM_DEPLOYED] = "deployed",
        [HELM_UNINSTALLED] = "uninstalled",
        [HELM_ABSENT] = "absent",
        [HELM_FAILED] = "failed",
        [HELM_NOT_RUN] = "not run",
        [HELM_WOULD_DEPLOY] = "would deploy",
        [HELM_WOULD_UNINSTALL] = "would uninstall",
        [HELM_CHANGED] = "changed",
    };

    return (size_t)outcome < ARRAY_SIZE(names) ? names[outcome] : "?";
}

char *helm_changes_text(const struct svec *changes)
{
    struct buf text = BUF_INIT;

    for (size_t i = 0; i < changes->len; i++) {
        buf_addf(&text, "%s%s", i ? ", " : "", changes->items[i]);
    }
    return buf_detach(&text, NULL);
}

static int read_cluster(struct helm_run *run, bool write, struct err *err)
{
    struct buf json = BUF_INIT;
    struct conn *c = helm_conn_get(run->t, err);
    int rc;

    if (!c) {
        return -1;
    }
    rc = helm_remote_check(run->t, c, err);
    if (rc == 0 && write) {
        helm_remote_sweep(run->t, c);
    }
    if (rc == 0) {
        rc = helm_remote_list(run->t, c, &json, err);
    }
    helm_conn_put(run->t, c);
    if (rc == 0) {
        rc = helm_cluster_parse(&run->cluster, json.ptr, json.len, run->t->host, err);
    }
    buf_release(&json);
    return rc;
}

int helm_run_begin(struct helm_run *run, struct helm_target *t, const struct hf_state *st,
                   const struct helm_opts *o, bool write, struct err *err)
{
    char *journal_path = NULL;
    char *lock_path = NULL;
    int ret = -1;

    memset(run, 0, sizeof(*run));
    run->t = t;
    run->st = st;
    run->o = o;
    if (!o->state_dir || !o->state_dir[0]) {
        return err_set(err, ERR_USAGE, "helm: no state directory given");
    }
    if (helm_dag_build(&run->dag, st->releases, st->nreleases, err) < 0) {
        return -1;
    }
    journal_path = fs_join(o->state_dir, "journal");
    lock_path = fs_join(o->state_dir, "lock");
    if (write && !o->check) {
        if (fs_mkdir_p(o->state_dir, 0700, err) < 0) {
            goto out;
        }
        run->lock = journal_lock_acquire(lock_path, o->command ? o->command : "pot helmfile",
                                         NULL, err);
        if (!run->lock) {
            goto out;
        }
        run->journal = journal_open(journal_path, err);
        if (!run->journal) {
            goto out;
        }
    } else if (fs_exists(journal_path)) {
        run->journal = journal_open(journal_path, err);
        if (!run->journal) {
            goto out;
        }
    }
    if (read_cluster(run, write && !o->check, err) < 0) {
        goto out;
    }
    ret = 0;
out:
    free(lock_path);
    free(journal_path);
    return ret;
}

void helm_run_end(struct helm_run *run)
{
    helm_cluster_release(&run->cluster);
    journal_free(run->journal);
    journal_lock_release(run->lock);
    helm_dag_release(&run->dag);
    memset(run, 0, sizeof(*run));
}

/* Everything the sync needs per release, computed before anything is run. */
struct prepared {
    struct helm_chart chart;          /* loaded for installed releases */
    char inputs[SHA256_HEX_LEN + 1];
};

static int prepare(const struct hf_state *st, struct prepared *p, struct err *err)
{
    for (size_t i = 0; i < st->nreleases; i++) {
        const struct hf_release *r = st->releases[i];

        p[i].chart.tgz = (struct buf)BUF_INIT;
        if (!r->installed) {
            continue;
        }
        if (helm_chart_load(&p[i].chart, r->chart, err) < 0) {
            return err_prefix(err, "release '%s': ", r->name);
        }
        helm_inputs(r, p[i].chart.digest, p[i].inputs);
    }
    return 0;
}

/* True when a run was killed while it deployed 'key' (STARTED is its last record). */
static bool interrupted(const struct helm_run *run, const char *key)
{
    char *view = helm_journal_view(run->journal, key);
    bool started = strcmp(view, "started") == 0;

    free(view);
    return started;
}

static int decide_installed(struct helm_run *run, size_t idx, const struct prepared *p,
                            struct helm_summary *sum, struct helm_job *job, struct err *err)
{
    const struct hf_release *r = run->st->releases[idx];
    const struct helm_live *live = helm_cluster_find(&run->cluster, helm_release_ns(r), r->name);
    char *key = helm_release_key(r);
    int rev = helm_journal_revision(run->journal, key);
    int queued = 0;

    if (live && strcmp(live->status, "deployed") == 0 && run->journal &&
        journal_is_done(run->journal, HELM_STAGE, key, p->inputs) && rev == live->revision) {
        helm_summary_add(sum, key, HELM_UNCHANGED)->revision = rev;
        helm_say(run->o, "release %s: unchanged", key);
    } else if (run->o->check) {
        struct helm_deployed d;
        struct helm_item *item = helm_summary_add(sum, key, HELM_WOULD_DEPLOY);
        int has = helm_deployed_read(run->o->state_dir, r, &d, err);
        char *why;

        if (has < 0) {
            free(key);
            return -1;
        }
        helm_compare(r, p->chart.digest, has ? &d : NULL, live, &item->changes);
        if (item->changes.len == 0) {
            svec_push(&item->changes, "not recorded as deployed by pot");
        }
        why = helm_changes_text(&item->changes);
        if (live && helm_status_pending(live->status)) {
            helm_say(run->o, "release %s: would recover from %s, then deploy (%s)", key,
                     live->status, why);
        } else {
            helm_say(run->o, "release %s: would deploy (%s)", key, why);
        }
        free(why);
        helm_deployed_release(&d);
    } else {
        helm_job_init(job, r, HELM_ACT_DEPLOY);
        job->chart = &p->chart;
        job->inputs = p->inputs;
        job->live_status = live ? xstrdup(live->status) : NULL;
        job->interrupted = interrupted(run, key);
        queued = 1;
    }
    free(key);
    return queued;
}

/* installed: false. Returns 1 when an uninstall is queued in 'job'. */
static int decide_absent(struct helm_run *run, size_t idx, struct helm_summary *sum,
                         struct helm_job *job, struct err *err)
{
    const struct hf_release *r = run->st->releases[idx];
    const struct helm_live *live = helm_cluster_find(&run->cluster, helm_release_ns(r), r->name);
    char *key = helm_release_key(r);
    char *view = helm_journal_view(run->journal, key);
    int ret = 0;

    if (!live) {
        helm_summary_add(sum, key, HELM_ABSENT);
        helm_say(run->o, "release %s: absent (installed: false)", key);
        if (strcmp(view, "none") != 0 && strcmp(view, HELM_MSG_UNINSTALLED) != 0 &&
            (helm_journal_note(run, JOURNAL_FINISHED, key, "", HELM_MSG_UNINSTALLED, err) < 0 ||
             (!run->o->check && helm_deployed_remove(run->o->state_dir, r, err) < 0))) {
            ret = -1;
        }
    } else if (run->o->check) {
        helm_summary_add(sum, key, HELM_WOULD_UNINSTALL);
        helm_say(run->o, "release %s: would uninstall (installed: false)", key);
    } else {
        helm_job_init(job, r, HELM_ACT_UNINSTALL);
        job->live_status = xstrdup(live->status);
        ret = 1;
    }
    free(view);
    free(key);
    return ret;
}

void helm_mark_not_run(struct helm_run *run, size_t from_level, bool reverse,
                       struct helm_summary *sum)
{
    for (size_t l = from_level; l < run->dag.nlevels; l++) {
        size_t level = reverse ? run->dag.nlevels - 1 - l : l;
        size_t count;
        const size_t *idx = helm_dag_level(&run->dag, level, &count);

        for (size_t k = 0; k < count; k++) {
            char *key = helm_release_key(run->st->releases[idx[k]]);

            helm_summary_add(sum, key, HELM_NOT_RUN);
            helm_say(run->o, "release %s: not started (a release %s failed)", key,
                     reverse ? "that needs it" : "it needs");
            free(key);
        }
    }
}

int helm_fail_summary(const struct svec *failed, const struct helm_summary *sum,
                      struct err *err)
{
    struct buf names = BUF_INIT;
    const char *first = "";

    for (size_t i = 0; i < sum->nitems; i++) {
        if (sum->items[i].outcome == HELM_FAILED && sum->items[i].message) {
            first = sum->items[i].message;
            break;
        }
    }
    if (failed->len == 1) {
        err_set(err, ERR_FAILED, "release '%s' failed: %s", failed->items[0], first);
    } else {
        for (size_t i = 0; i < failed->len; i++) {
            buf_addf(&names, "%s'%s'", i ? ", " : "", failed->items[i]);
        }
        err_set(err, ERR_FAILED, "%zu releases failed: %s; the first: %s", failed->len,
                names.ptr, first);
    }
    buf_release(&names);
    return -1;
}

/* helm_decide_fn of sync: 'ctx' is the array of prepared releases. */
static int decide(struct helm_run *run, size_t idx, void *ctx, struct helm_summary *sum,
                  struct helm_job *job, struct err *err)
{
    struct prepared *p = ctx;

    return run->st->releases[idx]->installed
               ? decide_installed(run, idx, &p[idx], sum, job, err)
               : decide_absent(run, idx, sum, job, err);
}

int helm_sync(struct helm_target *t, const struct hf_state *st, const struct helm_opts *opts,
              struct helm_summary *sum, struct err *err)
{
    struct prepared *p = xcalloc(st->nreleases + 1, sizeof(*p));
    struct helm_job *jobs = xcalloc(st->nreleases + 1, sizeof(*jobs));
    struct helm_run run;
    size_t njobs = 0;
    int ret = -1;

    memset(&run, 0, sizeof(run));
    if (prepare(st, p, err) == 0 && helm_run_begin(&run, t, st, opts, true, err) == 0) {
        ret = helm_walk_levels(&run, false, decide, p, jobs, &njobs, sum, err);
    }
    helm_run_end(&run);
    for (size_t i = 0; i < njobs; i++) {
        helm_job_release(&jobs[i]);
    }
    for (size_t i = 0; i < st->nreleases; i++) {
        helm_chart_release(&p[i].chart);
    }
    free(jobs);
    free(p);
    return ret;
}
