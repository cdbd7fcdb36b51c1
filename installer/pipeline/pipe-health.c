/*
 * pipe-health.c - the health of the base components, checked on the first master after their
 * releases are deployed (stage components) and on demand (`pot health`): every Deployment,
 * StatefulSet and DaemonSet of a release's rendered manifest (`helm get manifest`) with
 * `kubectl rollout status --timeout`, then the component's own probe through `kubectl exec`
 * into its first workload (redis PING, mysql SELECT 1, postgres pg_isready, elasticsearch
 * _cluster/health, zookeeper ruok).
 *
 * On the cluster stand-in (tests/fixtures/cluster-standin) both are recorded commands: rollout
 * status answers from the release's recorded status, and `kubectl exec` runs nothing and prints
 * what the test put in exec-output/POD-PREFIX. The probes read passwords from the container's
 * environment (the chart's Secret), never from argv.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/strutil.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "cluster/cluster.h"
#include "helm/helm.h"
#include "helmfile/helmfile.h"
#include "inventory/inv.h"
#include "pipeline/pipe.h"
#include "tke/tke-config.h"
#include "value/val-yaml.h"
#include "value/val.h"

/* Seconds allowed to a command on top of the rollout timeout it carries. */
#define HEALTH_SLACK_S 60
#define HEALTH_TIMEOUT_DEF 300

/* A component's own probe: 'script' (a printf format taking the port) run with sh -c in the
 * first workload; healthy when its output contains one of the '|'-separated 'expect' words. */
struct probe {
    const char *release;
    const char *script;
    const char *port_def;
    const char *expect;
};

static const struct probe probes[] = {
    { "redis", "redis-cli -p %s ping", "10101", "PONG" },
    { "mysql",
      "MYSQL_PWD=\"$MYSQL_ROOT_PASSWORD\" mysql -h 127.0.0.1 -P %s -uroot -N -e 'SELECT 1'", "3306",
      "1" },
    { "postgres", "pg_isready -U postgres -h 127.0.0.1 -p %s", "5432", "accepting connections" },
    { "elasticsearch", "curl -s http://127.0.0.1:%s/_cluster/health", "9200",
      "\"status\":\"green\"|\"status\":\"yellow\"" },
    { "zookeeper", "echo ruok | nc -w 2 127.0.0.1 %s", "2181", "imok" },
};

struct pipe_health {
    struct cluster_master *master; /* owned: kubectl on the first master */
    char *helm_bin;                /* owned: helm as the helm driver runs it */
};

struct pipe_health *pipe_health_open(const char *inventory, struct err *err)
{
    struct helm_target *t = helm_target_new(inventory, NULL, err);
    struct pipe_health *h = NULL;

    if (t) {
        h = xcalloc(1, sizeof(*h));
        h->helm_bin = xstrdup(helm_target_helm_bin(t));
        h->master = cluster_master_open(inventory, err);
        if (!h->master) {
            pipe_health_close(h);
            h = NULL;
        }
    }
    helm_target_free(t);
    return h;
}

void pipe_health_close(struct pipe_health *h)
{
    if (!h) {
        return;
    }
    cluster_master_close(h->master);
    free(h->helm_bin);
    free(h);
}

/* kubectl's resource name for a workload kind with a rollout status, else NULL. */
static const char *workload_kind(const char *kind)
{
    static const char *const kinds[][2] = {
        { "Deployment", "deployment" },
        { "StatefulSet", "statefulset" },
        { "DaemonSet", "daemonset" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
        if (strcmp(kind, kinds[i][0]) == 0) {
            return kinds[i][1];
        }
    }
    return NULL;
}

/* The workloads of a manifest, as "kind/name" (lowercase kind) in 'names' and their namespaces
 * in 'namespaces' (the release's when the object has none). */
static void manifest_workloads(const char *manifest, const char *ns, struct svec *names,
                               struct svec *namespaces)
{
    struct svec lines = SVEC_INIT;
    struct buf doc = BUF_INIT;

    svec_split_lines(&lines, manifest);
    for (size_t i = 0; i <= lines.len; i++) {
        struct err ignored = ERR_INIT;
        struct val *v, *meta;
        const char *kind, *name, *own_ns;

        if (i < lines.len && strncmp(lines.items[i], "---", 3) != 0) {
            buf_addf(&doc, "%s\n", lines.items[i]);
            continue;
        }
        v = doc.len ? val_from_yaml(doc.ptr, doc.len, "manifest", &ignored) : NULL;
        buf_reset(&doc);
        kind = v && v->type == VAL_DICT ? val_dict_get_str(v, "kind") : NULL;
        meta = kind ? val_dict_get(v, "metadata") : NULL;
        name = meta && meta->type == VAL_DICT ? val_dict_get_str(meta, "name") : NULL;
        own_ns = name ? val_dict_get_str(meta, "namespace") : NULL;
        if (name && workload_kind(kind)) {
            svec_pushf(names, "%s/%s", workload_kind(kind), name);
            svec_push(namespaces, own_ns ? own_ns : ns);
        }
        val_unref(v);
    }
    buf_release(&doc);
    svec_release(&lines);
}

static const struct probe *probe_for(const char *release)
{
    for (size_t i = 0; i < ARRAY_SIZE(probes); i++) {
        if (strcmp(probes[i].release, release) == 0) {
            return &probes[i];
        }
    }
    return NULL;
}

/* The release's 'port' value as text, or the probe's default (new string). */
static char *release_port(const struct hf_release *r, const struct probe *p)
{
    struct err ignored = ERR_INIT;
    struct val *values = r->values_yaml ? val_from_yaml(r->values_yaml, strlen(r->values_yaml),
                                                        "values", &ignored)
                                        : NULL;
    struct val *port = values && values->type == VAL_DICT ? val_dict_get(values, "port") : NULL;
    char *text;

    if (port && port->type == VAL_INT) {
        text = xasprintf("%lld", (long long)port->u.i);
    } else if (port && port->type == VAL_STR) {
        text = xstrdup(port->u.s.ptr);
    } else {
        text = xstrdup(p->port_def);
    }
    val_unref(values);
    return text;
}

static bool output_expected(const char *out, const char *expect)
{
    struct svec words = SVEC_INIT;
    bool found = false;

    svec_split(&words, expect, '|');
    for (size_t i = 0; i < words.len && !found; i++) {
        found = strstr(out, words.items[i]) != NULL;
    }
    svec_release(&words);
    return found;
}

/* The component's own probe in its first workload. */
static int run_probe(struct pipe_health *h, const struct hf_release *r, const char *workload,
                     const char *ns, struct buf *summary, struct err *err)
{
    const struct probe *p = probe_for(r->name);
    struct buf out = BUF_INIT;
    char *port, *script, *what;
    int ret;

    if (!p) {
        return 0;
    }
    port = release_port(r, p);
    script = xasprintf(p->script, port);
    what = xasprintf("kubectl exec %s -- %s", workload, script);
    {
        const char *args[] = { "exec", "-n", ns, workload, "--", "sh", "-c", script, NULL };

        ret = cluster_kubectl(h->master, what, args, NULL, HEALTH_SLACK_S, &out, err);
    }
    if (ret == 0 && !output_expected(out.ptr, p->expect)) {
        ret = err_set(err, ERR_FAILED, "%s: answered '%.80s', expected %s", what,
                      out.len ? out.ptr : "", p->expect);
    }
    if (ret == 0) {
        buf_addf(summary, ", probe ok (%s)", script);
    }
    buf_release(&out);
    free(what);
    free(script);
    free(port);
    return ret;
}

int pipe_health_release(struct pipe_health *h, const struct hf_release *r, int timeout_s,
                        struct buf *summary, struct err *err)
{
    const char *ns = r->namespace && r->namespace[0] ? r->namespace : "default";
    struct buf manifest = BUF_INIT;
    struct svec names = SVEC_INIT, namespaces = SVEC_INIT;
    char *timeout = xasprintf("--timeout=%ds", timeout_s);
    int ret = -1;
    const char *get[] = { h->helm_bin, "get", "manifest", r->name, "-n", ns, NULL };

    if (cluster_master_run(h->master, "helm get manifest", get, NULL, HEALTH_SLACK_S, &manifest,
                           err) < 0) {
        goto out;
    }
    manifest_workloads(manifest.ptr, ns, &names, &namespaces);
    for (size_t i = 0; i < names.len; i++) {
        char *what = xasprintf("kubectl rollout status %s", names.items[i]);
        const char *args[] = { "rollout", "status", names.items[i], "-n", namespaces.items[i],
                               timeout, NULL };
        struct buf out = BUF_INIT;
        int rc = cluster_kubectl(h->master, what, args, NULL, timeout_s + HEALTH_SLACK_S, &out,
                                 err);

        buf_release(&out);
        free(what);
        if (rc < 0) {
            goto out;
        }
    }
    buf_addf(summary, "%zu workload%s rolled out", names.len, names.len == 1 ? "" : "s");
    if (names.len && run_probe(h, r, names.items[0], namespaces.items[0], summary, err) < 0) {
        goto out;
    }
    ret = 0;
out:
    if (ret < 0) {
        err_prefix(err, "component '%s': ", r->name);
    }
    free(timeout);
    svec_release(&names);
    svec_release(&namespaces);
    buf_release(&manifest);
    return ret;
}

int pipe_health_timeout(const struct inventory *inv, int *secs, struct err *err)
{
    char *v = tke_installer_var(inv, "component_health_timeout", err);
    int64_t n = HEALTH_TIMEOUT_DEF;

    if (!v && err->kind != ERR_NONE) {
        return -1;
    }
    if (v && (parse_int(v, &n) < 0 || n < 1 || n > 86400)) {
        err_set(err, ERR_USAGE,
                "inventory: component_health_timeout must be a number of "
                "seconds, not '%s'",
                v);
        free(v);
        return -1;
    }
    free(v);
    *secs = (int)n;
    return 0;
}

/* One line per switched-on component of a loaded state; the number found unhealthy. */
static size_t check_all(struct pipe_ctx *c, struct pipe_health *h, const struct hf_state *st,
                        int timeout)
{
    size_t bad = 0, on = 0;

    for (size_t i = 0; i < st->nreleases; i++) {
        const struct hf_release *r = st->releases[i];
        struct buf line = BUF_INIT;
        struct err err = ERR_INIT;

        if (!r->installed) {
            continue;
        }
        on++;
        if (pipe_health_release(h, r, timeout, &line, &err) == 0) {
            pipe_say(c, "%s: healthy: %s", r->name, line.ptr);
        } else {
            pipe_say(c, "%s: unhealthy: %s", r->name, err.msg);
            bad++;
        }
        buf_release(&line);
    }
    if (on == 0) {
        pipe_say(c, "no component is switched on in the inventory");
    }
    return bad;
}

int pipe_health(const struct pipe_opts *opts, struct err *err)
{
    struct pipe_ctx c;
    struct inventory *inv = inv_new();
    struct pipe_health *h = NULL;
    struct hf_state st;
    int timeout = 0;
    int ret = -1;
    size_t bad;

    hf_state_init(&st);
    if (pipe_ctx_init(&c, opts, err) < 0 || inv_load(inv, c.inventory, err) < 0 ||
        inv_finish(inv, err) < 0 || pipe_health_timeout(inv, &timeout, err) < 0 ||
        pipe_components_load(&c, inv, &st, err) < 0) {
        goto out;
    }
    h = pipe_health_open(c.inventory, err);
    if (!h) {
        goto out;
    }
    bad = check_all(&c, h, &st, timeout);
    if (bad) {
        err_set(err, ERR_FAILED, "%zu component%s unhealthy", bad, bad == 1 ? "" : "s");
        goto out;
    }
    ret = 0;
out:
    pipe_health_close(h);
    hf_state_release(&st);
    inv_free(inv);
    pipe_ctx_release(&c);
    return ret;
}
