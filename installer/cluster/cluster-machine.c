/*
 * cluster-machine.c - a host as a TKE Machine: its fields from the host's connection variables,
 * the manifest, joining (apply, then wait for phase Running) and leaving (drain, delete).
 */
#include "pot.h"
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "base/b64.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "cluster/cluster.h"
#include "conn/conn-settings.h"
#include "conn/conn.h"
#include "inventory/inv.h"
#include "value/val-json.h"
#include "value/val.h"

#define KUBECTL_TIMEOUT_S 120


/* mc-<ip with every character other than a letter or digit as '-'>. */
static char *machine_name(const char *ip)
{
    char *name = xasprintf("mc-%s", ip);

    for (char *p = name + 3; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))) {
            *p = '-';
        }
    }
    return name;
}

static int fill(struct cluster_machine *m, const struct conn_settings *cs, bool need_secret,
                struct err *err)
{
    struct buf key = BUF_INIT;

    m->ip = xstrdup(cs->address);
    m->name = machine_name(m->ip);
    m->port = cs->port;
    m->user = xstrdup(cs->user ? cs->user : "root");
    if (cs->password && cs->password[0]) {
        m->password = xstrdup(cs->password);
        log_add_secret(m->password);
        return 0;
    }
    if (cs->private_key_file && fs_read_file(cs->private_key_file, &key, err) == 0) {
        m->private_key = buf_detach(&key, NULL);
        log_add_secret(m->private_key);
        return 0;
    }
    buf_release(&key);
    err_clear(err);
    if (!need_secret) {
        return 0;
    }
    return err_set(err, ERR_USAGE, "host '%s': TKE needs its ssh password (ansible_ssh_pass) or "
                   "a readable private key (ansible_ssh_private_key_file) to install the node",
                   m->host);
}

int cluster_machine_from_host(const struct inventory *inv, const char *host, bool need_secret,
                              struct cluster_machine *m, struct err *err)
{
    const struct inv_host *ih = inv_find_host(inv, host);
    struct conn_settings cs;
    struct svec store = SVEC_INIT;
    struct val *vars;
    int ret;

    *m = (struct cluster_machine){ .host = xstrdup(host) };
    if (!ih) {
        return err_set(err, ERR_USAGE, "host '%s' is not in the inventory", host);
    }
    vars = inv_host_vars(inv, ih);
    ret = conn_settings_from_vars(&cs, &store, ih->name, vars, err);
    if (ret == 0) {
        ret = fill(m, &cs, need_secret, err);
    }
    svec_release(&store);
    val_unref(vars);
    return ret;
}

void cluster_machine_release(struct cluster_machine *m)
{
    free(m->host);
    free(m->name);
    free(m->ip);
    free(m->user);
    free(m->password);
    free(m->private_key);
    memset(m, 0, sizeof(*m));
}

static struct val *machine_object(const struct cluster_machine *m)
{
    struct val *obj = val_dict(), *meta = val_dict(), *spec = val_dict();
    const char *secret = m->password ? m->password : m->private_key;
    struct buf b64 = BUF_INIT;

    b64_encode(&b64, secret, strlen(secret));
    val_dict_set_take(obj, "apiVersion", val_str("platform.tkestack.io/v1"));
    val_dict_set_take(obj, "kind", val_str("Machine"));
    val_dict_set_take(meta, "name", val_str(m->name));
    val_dict_set_take(obj, "metadata", meta);
    val_dict_set_take(spec, "clusterName", val_str("global"));
    val_dict_set_take(spec, "type", val_str("Baremetal"));
    val_dict_set_take(spec, "ip", val_str(m->ip));
    val_dict_set_take(spec, "port", val_int(m->port));
    val_dict_set_take(spec, "username", val_str(m->user));
    val_dict_set_take(spec, m->password ? "password" : "privateKey", val_str(b64.ptr));
    val_dict_set_take(spec, "tenantID", val_str("default"));
    val_dict_set_take(obj, "spec", spec);
    buf_release(&b64);
    return obj;
}

void cluster_machine_manifest(const struct cluster_machine *m, struct buf *out)
{
    struct val *list = val_dict(), *items = val_list();

    val_dict_set_take(list, "apiVersion", val_str("v1"));
    val_dict_set_take(list, "kind", val_str("List"));
    val_list_push_take(items, machine_object(m));
    val_dict_set_take(list, "items", items);
    val_to_json(list, out, 2, 0);
    buf_addc(out, '\n');
    val_unref(list);
}

static int machine_phase(struct cluster_master *master, const struct cluster_machine *mc,
                         struct buf *phase, struct err *err)
{
    const char *args[] = { "get", "machine", mc->name, "-o", "jsonpath={.status.phase}", NULL };

    buf_reset(phase);
    return cluster_kubectl(master, "the phase of the Machine", args, NULL, KUBECTL_TIMEOUT_S,
                           phase, err);
}

int cluster_machine_join(struct cluster_master *master, const struct cluster_machine *mc,
                         int timeout_s, int poll_ms, struct err *err)
{
    const char *apply[] = { "apply", "-f", "-", NULL };
    struct buf manifest = BUF_INIT, phase = BUF_INIT;
    time_t deadline = time(NULL) + timeout_s;
    int ret = -1;

    cluster_machine_manifest(mc, &manifest);
    if (cluster_kubectl(master, "kubectl apply of the Machine", apply, manifest.ptr,
                        KUBECTL_TIMEOUT_S, NULL, err) < 0) {
        goto out;
    }
    for (;;) {
        if (machine_phase(master, mc, &phase, err) < 0) {
            goto out;
        }
        if (strcmp(phase.ptr ? phase.ptr : "", "Running") == 0) {
            ret = 0;
            goto out;
        }
        if (strcmp(phase.ptr ? phase.ptr : "", "Failed") == 0) {
            err_set(err, ERR_FAILED, "host '%s': Machine %s failed to join the cluster (phase "
                    "Failed; see TKE's platform-controller log)", mc->host, mc->name);
            goto out;
        }
        if (time(NULL) >= deadline) {
            err_set(err, ERR_FAILED, "host '%s': Machine %s is still '%s' after %d s", mc->host,
                    mc->name, phase.len ? phase.ptr : "without a phase", timeout_s);
            goto out;
        }
        usleep((useconds_t)poll_ms * 1000);
    }
out:
    buf_release(&manifest);
    buf_release(&phase);
    return ret;
}

/* Drains the node named by the Machine's IP; a node the cluster does not have is fine. */
static int drain(struct cluster_master *master, const struct cluster_machine *mc, int timeout_s,
                 struct err *err)
{
    char *timeout = xasprintf("--timeout=%ds", timeout_s);
    const char *get[] = { "get", "nodes", "-o", "name", NULL };
    const char *args[] = { "drain", mc->ip, "--ignore-daemonsets", "--delete-emptydir-data",
                           "--force", timeout, NULL };
    struct buf nodes = BUF_INIT;
    char *want = xasprintf("node/%s", mc->ip);
    struct svec names = SVEC_INIT;
    int ret = cluster_kubectl(master, "kubectl get nodes", get, NULL, KUBECTL_TIMEOUT_S, &nodes,
                              err);

    if (ret == 0) {
        svec_split_lines(&names, nodes.ptr ? nodes.ptr : "");
        if (svec_contains(&names, want)) {
            ret = cluster_kubectl(master, "kubectl drain of the node", args, NULL,
                                  timeout_s + KUBECTL_TIMEOUT_S, NULL, err);
        }
    }
    svec_release(&names);
    buf_release(&nodes);
    free(want);
    free(timeout);
    return ret;
}

int cluster_machine_leave(struct cluster_master *master, const struct cluster_machine *mc,
                          int timeout_s, struct err *err)
{
    const char *del[] = { "delete", "machine", mc->name, "--ignore-not-found", NULL };

    if (drain(master, mc, timeout_s, err) < 0) {
        return -1;
    }
    return cluster_kubectl(master, "kubectl delete of the Machine", del, NULL, KUBECTL_TIMEOUT_S,
                           NULL, err);
}
