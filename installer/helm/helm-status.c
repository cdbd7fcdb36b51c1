/*
 * helm-status.c - where each release stands: its state in the cluster (`helm list -A --all`),
 * in pot's journal, and whether both still match the declared release. Changes nothing.
 */
#include "pot.h"
#include <string.h>
#include "base/err.h"
#include "base/xalloc.h"
#include "helm/helm-int.h"
#include "helmfile/helmfile.h"

static enum helm_outcome outcome_of(const struct hf_release *r, const struct helm_live *live,
                                    const struct svec *changes)
{
    if (live && (strcmp(live->status, "failed") == 0 || helm_status_pending(live->status))) {
        return HELM_FAILED;
    }
    if (!live) {
        return HELM_ABSENT;
    }
    return changes->len || !r->installed ? HELM_CHANGED : HELM_UNCHANGED;
}

int helm_status(struct helm_target *t, const struct hf_state *st, const struct helm_opts *opts,
                struct helm_summary *sum, struct err *err)
{
    struct helm_run run;
    int ret = -1;

    memset(&run, 0, sizeof(run));
    if (helm_run_begin(&run, t, st, opts, false, err) < 0) {
        goto out;
    }
    for (size_t i = 0; i < run.dag.n; i++) {
        const struct hf_release *r = st->releases[run.dag.order[i]];
        const struct helm_live *live = helm_cluster_find(&run.cluster, helm_release_ns(r),
                                                         r->name);
        struct helm_chart chart = { NULL, BUF_INIT, { 0 } };
        struct helm_deployed d;
        struct svec changes = SVEC_INIT;
        struct helm_item *item;
        char *key = helm_release_key(r);
        char *why;
        int has;

        /* An unreadable chart is reported, not fatal: status must work on a broken checkout. */
        if (r->installed && helm_chart_load(&chart, r->chart, err) < 0) {
            svec_pushf(&changes, "chart unreadable: %s", err->msg);
            err_clear(err);
        }
        has = helm_deployed_read(opts->state_dir, r, &d, err);
        if (has < 0) {
            svec_release(&changes);
            helm_chart_release(&chart);
            free(key);
            goto out;
        }
        helm_compare(r, chart.tgz.len ? chart.digest : NULL, has ? &d : NULL, live, &changes);
        item = helm_summary_add(sum, key, outcome_of(r, live, &changes));
        item->changes = changes;
        item->revision = live ? live->revision : 0;
        item->cluster = live ? xstrdup(live->status) : xstrdup("absent");
        item->journal = helm_journal_view(run.journal, key);
        why = helm_changes_text(&item->changes);
        if (live) {
            helm_say(opts, "release %s: %s revision %d; journal: %s%s%s", key, live->status,
                     live->revision, item->journal, why[0] ? "; differs: " : "", why);
        } else {
            helm_say(opts, "release %s: absent%s; journal: %s", key,
                     r->installed ? "" : " (installed: false)", item->journal);
        }
        free(why);
        helm_deployed_release(&d);
        helm_chart_release(&chart);
        free(key);
    }
    ret = 0;
out:
    helm_run_end(&run);
    return ret;
}
