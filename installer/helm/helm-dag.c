/*
 * helm-dag.c - the order of releases from their `needs`: each need ("name", "ns/name" or
 * "kubecontext/ns/name") resolved to one release, then levels by Kahn's algorithm (level k needs
 * only levels below k; declaration order within a level). A need naming no release, or needs
 * forming a cycle, is an error at the needing release's origin.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "helm/helm-int.h"
#include "helmfile/helmfile.h"

const char *helm_release_ns(const struct hf_release *r)
{
    return r->namespace && r->namespace[0] ? r->namespace : "default";
}

char *helm_release_key(const struct hf_release *r)
{
    return xasprintf("%s/%s", helm_release_ns(r), r->name);
}

/* "file:line:col" -> srcpos (file interned); the whole string as the file when it has no
 * numbers. */
static struct srcpos origin_pos(const char *origin)
{
    struct srcpos pos = { NULL, 0, 0 };
    const char *c2 = origin ? strrchr(origin, ':') : NULL;
    const char *c1 = NULL;
    char *file;

    if (!origin) {
        return pos;
    }
    for (const char *p = c2 ? c2 - 1 : NULL; p && p >= origin; p--) {
        if (*p == ':') {
            c1 = p;
            break;
        }
    }
    if (!c1) {
        pos.file = pos_intern(origin);
        return pos;
    }
    pos.line = (int)strtol(c1 + 1, NULL, 10);
    pos.col = (int)strtol(c2 + 1, NULL, 10);
    file = xstrndup(origin, (size_t)(c1 - origin));
    pos.file = pos_intern(file);
    free(file);
    return pos;
}

/* Resolves one need of release 'from' to an index. */
static int resolve(struct hf_release *const *rels, size_t n, size_t from, const char *need,
                   size_t *out, struct err *err)
{
    const char *slash = strrchr(need, '/');
    const char *name = slash ? slash + 1 : need;
    char *ns = NULL;
    size_t found = n;
    size_t matches = 0;
    struct srcpos pos = origin_pos(rels[from]->origin);

    if (slash) {
        const char *start = need;
        const char *first = strchr(need, '/');

        if (first != slash) {
            start = first + 1; /* kubecontext/ns/name: one cluster, the context is ignored */
        }
        ns = xstrndup(start, (size_t)(slash - start));
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rels[i]->name, name) != 0) {
            continue;
        }
        if (ns && strcmp(helm_release_ns(rels[i]), ns) != 0) {
            continue;
        }
        if (!ns && strcmp(helm_release_ns(rels[i]), helm_release_ns(rels[from])) == 0) {
            found = i; /* same namespace wins */
            matches = 1;
            break;
        }
        found = i;
        matches++;
    }
    free(ns);
    if (matches == 0) {
        return err_at(err, ERR_USAGE, &pos,
                      "release '%s' needs '%s', which is not among the selected releases",
                      rels[from]->name, need);
    }
    if (matches > 1) {
        return err_at(err, ERR_USAGE, &pos,
                      "release '%s' needs '%s', which matches releases in several namespaces: "
                      "write it as 'namespace/%s'",
                      rels[from]->name, need, name);
    }
    if (found == from) {
        return err_at(err, ERR_USAGE, &pos, "release '%s' needs itself", rels[from]->name);
    }
    *out = found;
    return 0;
}

/* Finds a cycle among the releases left with unmet needs and describes it. */
static int cycle_error(struct hf_release *const *rels, size_t n, size_t **deps,
                       const size_t *ndeps, const bool *placed, struct err *err)
{
    size_t *seen_at = xcalloc(n, sizeof(*seen_at)); /* step + 1 when visited */
    size_t *path = xcalloc(n + 1, sizeof(*path));
    size_t cur = n;
    size_t step = 0;
    struct buf text = BUF_INIT;
    struct srcpos pos;
    size_t start;

    for (size_t i = 0; i < n && cur == n; i++) {
        if (!placed[i]) {
            cur = i;
        }
    }
    /* Follow an unplaced need from each node until a node repeats: every unplaced node has
     * one, since a node whose needs were all placed would have been placed itself. */
    while (!seen_at[cur]) {
        size_t next = n;

        seen_at[cur] = ++step;
        path[step - 1] = cur;
        for (size_t k = 0; k < ndeps[cur] && next == n; k++) {
            if (!placed[deps[cur][k]]) {
                next = deps[cur][k];
            }
        }
        if (next == n) {
            BUG("unplaced release without an unplaced need");
        }
        cur = next;
    }
    start = seen_at[cur] - 1;
    for (size_t i = start; i < step; i++) {
        buf_addf(&text, "'%s' -> ", rels[path[i]]->name);
    }
    buf_addf(&text, "'%s'", rels[cur]->name);
    pos = origin_pos(rels[cur]->origin);
    err_at(err, ERR_USAGE, &pos, "needs form a cycle: %s", text.ptr);
    buf_release(&text);
    free(path);
    free(seen_at);
    return -1;
}

int helm_dag_build(struct helm_dag *d, struct hf_release *const *rels, size_t n,
                   struct err *err)
{
    size_t **deps = xcalloc(n + 1, sizeof(*deps));
    size_t *ndeps = xcalloc(n + 1, sizeof(*ndeps));
    bool *placed = xcalloc(n + 1, sizeof(*placed));
    bool *now = xcalloc(n + 1, sizeof(*now));
    size_t done = 0;
    int ret = -1;

    memset(d, 0, sizeof(*d));
    d->n = n;
    d->order = xcalloc(n + 1, sizeof(*d->order));
    d->level_start = xcalloc(n + 2, sizeof(*d->level_start));
    for (size_t i = 0; i < n; i++) {
        deps[i] = xcalloc(rels[i]->needs.len + 1, sizeof(**deps));
        for (size_t k = 0; k < rels[i]->needs.len; k++) {
            if (resolve(rels, n, i, rels[i]->needs.items[k], &deps[i][ndeps[i]], err) < 0) {
                goto out;
            }
            ndeps[i]++;
        }
    }
    while (done < n) {
        size_t before = done;

        d->level_start[d->nlevels] = done;
        for (size_t i = 0; i < n; i++) {
            bool ready = !placed[i];

            for (size_t k = 0; ready && k < ndeps[i]; k++) {
                ready = placed[deps[i][k]];
            }
            now[i] = ready;
        }
        for (size_t i = 0; i < n; i++) {
            if (now[i]) {
                placed[i] = true;
                d->order[done++] = i;
            }
        }
        if (done == before) {
            cycle_error(rels, n, deps, ndeps, placed, err);
            goto out;
        }
        d->nlevels++;
    }
    d->level_start[d->nlevels] = done;
    ret = 0;
out:
    for (size_t i = 0; i < n; i++) {
        free(deps[i]);
    }
    free(deps);
    free(ndeps);
    free(placed);
    free(now);
    if (ret < 0) {
        helm_dag_release(d);
    }
    return ret;
}

void helm_dag_release(struct helm_dag *d)
{
    free(d->order);
    free(d->level_start);
    memset(d, 0, sizeof(*d));
}

const size_t *helm_dag_level(const struct helm_dag *d, size_t level, size_t *count)
{
    *count = d->level_start[level + 1] - d->level_start[level];
    return d->order + d->level_start[level];
}
