/*
 * helm-destroy.c - `helmfile destroy` done by pot: the selected releases uninstalled in reverse
 * `needs` order (a release goes before what it needs), absent ones left alone. Each removal is
 * journalled as FINISHED with inputs "" and msg "uninstalled", which no deploy's inputs equal, so
 * the next sync deploys the release again.
 */
#include "pot.h"
#include <string.h>
#include "base/err.h"
#include "base/xalloc.h"
#include "helm/helm-int.h"
#include "helmfile/helmfile.h"
#include "journal/journal.h"

/* Returns 1 when an uninstall is queued in 'job', 0 when nothing is to be done, -1 on error. */
static int decide(struct helm_run *run, size_t idx, void *ctx, struct helm_summary *sum,
                  struct helm_job *job, struct err *err)
{
    const struct hf_release *r = run->st->releases[idx];
    const struct helm_live *live = helm_cluster_find(&run->cluster, helm_release_ns(r), r->name);
    char *key = helm_release_key(r);
    char *view = helm_journal_view(run->journal, key);
    int ret = 0;

    if (!live) {
        helm_summary_add(sum, key, HELM_ABSENT);
        helm_say(run->o, "release %s: absent", key);
        if (strcmp(view, "none") != 0 && strcmp(view, HELM_MSG_UNINSTALLED) != 0 &&
            !run->o->check &&
            (helm_journal_note(run, JOURNAL_FINISHED, key, "", HELM_MSG_UNINSTALLED, err) < 0 ||
             helm_deployed_remove(run->o->state_dir, r, err) < 0)) {
            ret = -1;
        }
    } else if (run->o->check) {
        helm_summary_add(sum, key, HELM_WOULD_UNINSTALL)->revision = live->revision;
        helm_say(run->o, "release %s: would uninstall (%s, revision %d)", key, live->status,
                 live->revision);
    } else {
        helm_job_init(job, r, HELM_ACT_UNINSTALL);
        job->live_status = xstrdup(live->status);
        ret = 1;
    }
    free(view);
    free(key);
    return ret;
}

int helm_destroy(struct helm_target *t, const struct hf_state *st, const struct helm_opts *opts,
                 struct helm_summary *sum, struct err *err)
{
    struct helm_job *jobs = xcalloc(st->nreleases + 1, sizeof(*jobs));
    struct helm_run run;
    size_t njobs = 0;
    int ret = -1;

    memset(&run, 0, sizeof(run));
    if (helm_run_begin(&run, t, st, opts, true, err) == 0) {
        ret = helm_walk_levels(&run, true, decide, NULL, jobs, &njobs, sum, err);
    }
    helm_run_end(&run);
    for (size_t i = 0; i < njobs; i++) {
        helm_job_release(&jobs[i]);
    }
    free(jobs);
    return ret;
}
