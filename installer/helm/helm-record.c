/*
 * helm-record.c - what pot remembers about a release: its inputs hash (chart digest, values
 * digest, flags), the journal's view of it (records of stage "release", host "NS/NAME"), and the
 * file STATE/releases/NS/NAME.json (0600) holding what was last deployed, values included, so
 * that a diff can name the keys that changed.
 */
#include "pot.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "base/err.h"
#include "base/fs.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "helm/helm-int.h"
#include "helmfile/helmfile.h"
#include "journal/journal.h"
#include "value/val-json.h"
#include "value/val.h"

char *helm_flags_text(const struct hf_release *r)
{
    return xasprintf("namespace=%s;wait=%d;timeout=%d;createNamespace=%d;version=%s",
                     helm_release_ns(r), r->wait, r->timeout, r->create_namespace,
                     r->version ? r->version : "");
}

void helm_inputs(const struct hf_release *r, const char *chart_digest,
                 char out[SHA256_HEX_LEN + 1])
{
    char values[SHA256_HEX_LEN + 1];
    char *flags = helm_flags_text(r);
    char *text;
    const char *v = r->values_yaml ? r->values_yaml : "";

    sha256_hex(v, strlen(v), values);
    text = xasprintf("chart=%s\nvalues=%s\nflags=%s\n", chart_digest, values, flags);
    sha256_hex(text, strlen(text), out);
    free(text);
    free(flags);
}

static int revision_of(const struct journal_rec *rec)
{
    int64_t n = 0;

    if (!rec || rec->event != JOURNAL_FINISHED || !str_starts_with(rec->msg, "revision=") ||
        parse_int(rec->msg + strlen("revision="), &n) < 0) {
        return 0;
    }
    return (int)n;
}

int helm_journal_revision(const struct journal *j, const char *key)
{
    return j ? revision_of(journal_last(j, HELM_STAGE, key)) : 0;
}

char *helm_journal_view(const struct journal *j, const char *key)
{
    const struct journal_rec *rec = j ? journal_last(j, HELM_STAGE, key) : NULL;

    if (!rec) {
        return xstrdup("none");
    }
    switch (rec->event) {
    case JOURNAL_STARTED:
        return xstrdup("started");
    case JOURNAL_FAILED:
        return xstrdup("failed");
    case JOURNAL_FINISHED:
        if (strcmp(rec->msg, HELM_MSG_UNINSTALLED) == 0) {
            return xstrdup(HELM_MSG_UNINSTALLED);
        }
        return xasprintf("deployed %s", rec->msg);
    case JOURNAL_UNDONE:
        return xstrdup(HELM_MSG_UNINSTALLED);
    case JOURNAL_RESET:
        break;
    }
    return xstrdup("none");
}

int helm_records(const char *state_dir, struct svec *lines, struct err *err)
{
    char *path = fs_join(state_dir, "journal");
    struct journal *j = fs_exists(path) ? journal_open(path, err) : NULL;
    struct svec keys = SVEC_INIT;
    int ret = fs_exists(path) && !j ? -1 : 0;

    for (size_t i = 0; j && i < journal_count(j); i++) {
        const struct journal_rec *rec = journal_at(j, i);

        if (strcmp(rec->stage, HELM_STAGE) == 0 && !svec_contains(&keys, rec->host)) {
            svec_push(&keys, rec->host);
        }
    }
    svec_sort(&keys);
    for (size_t i = 0; i < keys.len; i++) {
        char *view = helm_journal_view(j, keys.items[i]);

        svec_pushf(lines, "%s  %s", keys.items[i], view);
        free(view);
    }
    svec_release(&keys);
    journal_free(j);
    free(path);
    return ret;
}

static char *deployed_path(const char *state_dir, const struct hf_release *r)
{
    return xasprintf("%s/releases/%s/%s.json", state_dir, helm_release_ns(r), r->name);
}

int helm_deployed_read(const char *state_dir, const struct hf_release *r, struct helm_deployed *d,
                       struct err *err)
{
    char *path = deployed_path(state_dir, r);
    struct val *v = NULL;
    const char *chart;
    const char *values;
    const char *flags;
    int ret = -1;

    memset(d, 0, sizeof(*d));
    if (!fs_exists(path)) {
        ret = 0;
        goto out;
    }
    v = val_from_json_file(path, err);
    if (!v) {
        goto out;
    }
    chart = v->type == VAL_DICT ? val_dict_get_str(v, "chart") : NULL;
    values = chart ? val_dict_get_str(v, "values") : NULL;
    flags = chart ? val_dict_get_str(v, "flags") : NULL;
    if (!chart || !values || !flags) {
        err_set(err, ERR_PARSE, "'%s': not a release record of pot", path);
        goto out;
    }
    d->chart_digest = xstrdup(chart);
    d->values = xstrdup(values);
    d->flags = xstrdup(flags);
    {
        const struct val *rev = val_dict_get(v, "revision");

        d->revision = rev && rev->type == VAL_INT ? (int)rev->u.i : 0;
    }
    ret = 1;
out:
    val_unref(v);
    free(path);
    return ret;
}

int helm_deployed_write(const char *state_dir, const struct hf_release *r,
                        const char *chart_digest, int revision, struct err *err)
{
    char *path = deployed_path(state_dir, r);
    char *dir = fs_dirname(path);
    char *flags = helm_flags_text(r);
    struct val *v = val_dict();
    struct buf text = BUF_INIT;
    int ret = -1;

    val_dict_set_take(v, "chart", val_str(chart_digest));
    val_dict_set_take(v, "flags", val_str(flags));
    val_dict_set_take(v, "revision", val_int(revision));
    val_dict_set_take(v, "values", val_str(r->values_yaml ? r->values_yaml : ""));
    val_to_json(v, &text, 1, 0);
    buf_addc(&text, '\n');
    if (fs_mkdir_p(dir, 0700, err) < 0 ||
        fs_write_atomic(path, text.ptr, text.len, 0600, err) < 0) {
        goto out;
    }
    ret = 0;
out:
    explicit_bzero(text.ptr, text.len);
    buf_release(&text);
    val_unref(v);
    free(flags);
    free(dir);
    free(path);
    return ret;
}

int helm_deployed_remove(const char *state_dir, const struct hf_release *r, struct err *err)
{
    char *path = deployed_path(state_dir, r);
    int ret = 0;

    if (unlink(path) < 0 && errno != ENOENT) {
        ret = err_errno(err, "'%s'", path);
    }
    free(path);
    return ret;
}

void helm_deployed_release(struct helm_deployed *d)
{
    free(d->chart_digest);
    if (d->values) {
        explicit_bzero(d->values, strlen(d->values));
    }
    free(d->values);
    free(d->flags);
    memset(d, 0, sizeof(*d));
}
