/*
 * helm-cluster.c - what helm says about the cluster, read from its JSON output: the releases of
 * `helm list -A --all -o json` (namespace, name, status, revision), the last deployed revision
 * of `helm history -o json`, the revision of `helm status -o json` or of helm's text output.
 */
#include "pot.h"
#include <string.h>
#include "base/err.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "helm/helm-int.h"
#include "value/val-json.h"
#include "value/val.h"

/* helm prints revisions as numbers in history/status and as strings in list. */
static int int_of(const struct val *v)
{
    int64_t n = 0;

    if (!v) {
        return 0;
    }
    if (v->type == VAL_INT) {
        return (int)v->u.i;
    }
    if (v->type == VAL_STR && parse_int(v->u.s.ptr, &n) == 0) {
        return (int)n;
    }
    return 0;
}

int helm_cluster_parse(struct helm_cluster *cl, const char *json, size_t len, const char *host,
                       struct err *err)
{
    struct val *list;
    size_t n;

    memset(cl, 0, sizeof(*cl));
    /* Old helm versions print nothing at all when there is no release. */
    if (len == 0 || strspn(json, " \t\r\n") == len) {
        return 0;
    }
    list = val_from_json(json, len, "helm list", err);
    if (!list) {
        return err_prefix(err, "host '%s': ", host);
    }
    if (list->type == VAL_NULL) {
        val_unref(list);
        return 0;
    }
    if (list->type != VAL_LIST) {
        err_set(err, ERR_REMOTE, "host '%s': helm list printed %s, not a list", host,
                val_type_name(list->type));
        val_unref(list);
        return -1;
    }
    n = val_list_len(list);
    cl->items = xcalloc(n + 1, sizeof(*cl->items));
    for (size_t i = 0; i < n; i++) {
        const struct val *r = val_list_get(list, i);
        const char *name = r->type == VAL_DICT ? val_dict_get_str(r, "name") : NULL;
        const char *ns = name ? val_dict_get_str(r, "namespace") : NULL;
        const char *status = name ? val_dict_get_str(r, "status") : NULL;
        struct helm_live *l = &cl->items[cl->n];

        if (!name) {
            continue;
        }
        l->name = xstrdup(name);
        l->ns = xstrdup(ns && ns[0] ? ns : "default");
        l->status = xstrdup(status ? status : "unknown");
        l->revision = int_of(val_dict_get(r, "revision"));
        cl->n++;
    }
    val_unref(list);
    return 0;
}

void helm_cluster_release(struct helm_cluster *cl)
{
    for (size_t i = 0; i < cl->n; i++) {
        free(cl->items[i].ns);
        free(cl->items[i].name);
        free(cl->items[i].status);
    }
    free(cl->items);
    memset(cl, 0, sizeof(*cl));
}

const struct helm_live *helm_cluster_find(const struct helm_cluster *cl, const char *ns,
                                          const char *name)
{
    for (size_t i = 0; i < cl->n; i++) {
        if (strcmp(cl->items[i].name, name) == 0 && strcmp(cl->items[i].ns, ns) == 0) {
            return &cl->items[i];
        }
    }
    return NULL;
}

bool helm_status_pending(const char *status)
{
    return str_starts_with(status, "pending-");
}

int helm_history_last_deployed(const char *json, size_t len)
{
    struct err ignored = ERR_INIT;
    struct val *list = val_from_json(json, len, "helm history", &ignored);
    int deployed = 0;
    int superseded = 0;

    if (!list) {
        return 0;
    }
    for (size_t i = 0; list->type == VAL_LIST && i < val_list_len(list); i++) {
        const struct val *r = val_list_get(list, i);
        const char *status = r->type == VAL_DICT ? val_dict_get_str(r, "status") : NULL;
        int rev = r->type == VAL_DICT ? int_of(val_dict_get(r, "revision")) : 0;

        if (status && strcmp(status, "deployed") == 0 && rev > deployed) {
            deployed = rev;
        }
        if (status && strcmp(status, "superseded") == 0 && rev > superseded) {
            superseded = rev;
        }
    }
    val_unref(list);
    return deployed ? deployed : superseded;
}

int helm_history_latest(const char *json, size_t len, struct helm_latest *out)
{
    struct err ignored = ERR_INIT;
    struct val *list = val_from_json(json, len, "helm history", &ignored);

    memset(out, 0, sizeof(*out));
    for (size_t i = 0; list && list->type == VAL_LIST && i < val_list_len(list); i++) {
        const struct val *r = val_list_get(list, i);
        int rev = r->type == VAL_DICT ? int_of(val_dict_get(r, "revision")) : 0;
        const char *status = rev ? val_dict_get_str(r, "status") : NULL;
        const char *desc = rev ? val_dict_get_str(r, "description") : NULL;

        if (rev > out->revision) {
            free(out->status);
            free(out->description);
            out->revision = rev;
            out->status = xstrdup(status ? status : "");
            out->description = xstrdup(desc ? desc : "");
        }
    }
    val_unref(list);
    return out->revision ? 0 : -1;
}

void helm_latest_release(struct helm_latest *l)
{
    free(l->status);
    free(l->description);
    memset(l, 0, sizeof(*l));
}

int helm_revision_from_output(const char *text, size_t len)
{
    struct err ignored = ERR_INIT;
    const char *p;
    int64_t n = 0;

    if (len && text[strspn(text, " \t\r\n")] == '{') {
        struct val *v = val_from_json(text, len, "helm status", &ignored);
        int rev = v && v->type == VAL_DICT ? int_of(val_dict_get(v, "version")) : 0;

        val_unref(v);
        return rev;
    }
    for (p = strstr(text, "REVISION:"); p; p = strstr(p + 1, "REVISION:")) {
        if (p == text || p[-1] == '\n') {
            const char *num = p + strlen("REVISION:");
            size_t digits;

            num += strspn(num, " \t");
            digits = strspn(num, "0123456789");
            if (digits > 0 && digits < 10) {
                char *s = xstrndup(num, digits);
                int rc = parse_int(s, &n);

                free(s);
                return rc == 0 ? (int)n : 0;
            }
        }
    }
    return 0;
}
