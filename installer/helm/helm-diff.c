/*
 * helm-diff.c - what would change for each release: the declared release compared with what pot
 * last deployed (STATE/releases/NS/NAME.json) and with the cluster's list. Values are compared
 * as parsed YAML and only the paths of added, removed or changed keys are named, never a value.
 */
#include "pot.h"
#include <string.h>
#include "base/err.h"
#include "base/xalloc.h"
#include "helm/helm-int.h"
#include "helmfile/helmfile.h"
#include "value/val-yaml.h"
#include "value/val.h"

/* Appends "values: PATH" for every key path where 'a' and 'b' differ (dicts recursively; lists
 * and scalars as a whole). */
static void diff_values(const struct val *a, const struct val *b, struct buf *path,
                        struct svec *changes)
{
    size_t len = path->len;

    if (a && b && a->type == VAL_DICT && b->type == VAL_DICT) {
        for (size_t i = 0; i < val_dict_len(a); i++) {
            const char *k = val_dict_key_at(a, i);

            buf_addf(path, "%s%s", len ? "." : "", k);
            diff_values(val_dict_value_at(a, i), val_dict_get(b, k), path, changes);
            buf_truncate(path, len);
        }
        for (size_t i = 0; i < val_dict_len(b); i++) {
            const char *k = val_dict_key_at(b, i);

            if (!val_dict_has(a, k)) {
                buf_addf(path, "%s%s", len ? "." : "", k);
                diff_values(NULL, val_dict_value_at(b, i), path, changes);
                buf_truncate(path, len);
            }
        }
        return;
    }
    if (!a || !b || a->type != b->type || !val_equal(a, b)) {
        svec_pushf(changes, "values: %s", len ? path->ptr : "(all)");
    }
}

static struct val *parse_values(const char *text)
{
    struct err ignored = ERR_INIT;
    struct val *v = val_from_yaml(text ? text : "", text ? strlen(text) : 0, "values", &ignored);

    if (v && v->type == VAL_NULL) {
        val_unref(v);
        v = val_dict();
    }
    return v;
}

static void compare_values(const char *now, const char *before, struct svec *changes)
{
    struct val *a = NULL;
    struct val *b = NULL;
    struct buf path = BUF_INIT;

    if (strcmp(now ? now : "", before ? before : "") == 0) {
        return;
    }
    a = parse_values(now);
    b = parse_values(before);
    if (!a || !b) {
        svec_push(changes, "values");
    } else {
        size_t had = changes->len;

        diff_values(b, a, &path, changes);
        if (changes->len == had) {
            svec_push(changes, "values: formatting only");
        }
    }
    buf_release(&path);
    val_unref(a);
    val_unref(b);
}

/* Flags are "k=v;k=v": names the keys whose values differ. */
static void compare_flags(const char *now, const char *before, struct svec *changes)
{
    struct svec a = SVEC_INIT;
    struct svec b = SVEC_INIT;

    svec_split(&a, now, ';');
    svec_split(&b, before, ';');
    for (size_t i = 0; i < a.len; i++) {
        const char *eq = strchr(a.items[i], '=');
        size_t klen = eq ? (size_t)(eq - a.items[i]) : strlen(a.items[i]);
        bool same = false;

        for (size_t k = 0; k < b.len; k++) {
            if (strncmp(b.items[k], a.items[i], klen) == 0 && b.items[k][klen] == '=') {
                same = strcmp(b.items[k], a.items[i]) == 0;
                break;
            }
        }
        if (!same) {
            svec_pushf(changes, "flags: %.*s", (int)klen, a.items[i]);
        }
    }
    svec_release(&a);
    svec_release(&b);
}

void helm_compare(const struct hf_release *r, const char *chart_digest,
                  const struct helm_deployed *d, const struct helm_live *live,
                  struct svec *changes)
{
    char *flags;

    if (!r->installed) {
        if (live) {
            svec_push(changes, "present in the cluster (installed: false)");
        }
        return;
    }
    if (!live) {
        svec_push(changes, "absent from the cluster");
    } else if (strcmp(live->status, "deployed") != 0) {
        svec_pushf(changes, "status in the cluster is %s", live->status);
    }
    if (!d) {
        if (live) {
            svec_push(changes, "not deployed by pot");
        }
        return;
    }
    if (chart_digest && strcmp(chart_digest, d->chart_digest) != 0) {
        svec_push(changes, "chart");
    }
    compare_values(r->values_yaml, d->values, changes);
    flags = helm_flags_text(r);
    compare_flags(flags, d->flags, changes);
    free(flags);
    if (live && live->revision != d->revision) {
        svec_pushf(changes, "revision in the cluster is %d, pot deployed %d", live->revision,
                   d->revision);
    }
}

int helm_diff(struct helm_target *t, const struct hf_state *st, const struct helm_opts *opts,
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
        enum helm_outcome outcome;
        int has;
        char *why;

        if (r->installed && helm_chart_load(&chart, r->chart, err) < 0) {
            err_prefix(err, "release '%s': ", r->name);
            free(key);
            goto out;
        }
        has = helm_deployed_read(opts->state_dir, r, &d, err);
        if (has < 0) {
            helm_chart_release(&chart);
            free(key);
            goto out;
        }
        helm_compare(r, r->installed ? chart.digest : NULL, has ? &d : NULL, live, &changes);
        if (!r->installed) {
            outcome = live ? HELM_WOULD_UNINSTALL : HELM_ABSENT;
        } else {
            outcome = changes.len ? HELM_WOULD_DEPLOY : HELM_UNCHANGED;
        }
        item = helm_summary_add(sum, key, outcome);
        item->changes = changes;
        item->revision = live ? live->revision : 0;
        item->cluster = xstrdup(live ? live->status : "absent");
        item->journal = helm_journal_view(run.journal, key);
        why = helm_changes_text(&item->changes);
        helm_say(opts, "release %s: %s%s%s%s", key, helm_outcome_name(item->outcome),
                 why[0] ? " (" : "", why, why[0] ? ")" : "");
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
