/*
 * helm-target.c - where helm runs: one inventory host, its connection settings taken from its
 * variables (as `pot exec` takes them), its `helm_bin` variable, and a small pool of connections
 * to it so that each worker thread has its own struct conn.
 */
#include "pot.h"
#include <string.h>
#include "base/err.h"
#include "base/xalloc.h"
#include "conn/conn-settings.h"
#include "helm/helm-int.h"
#include "inventory/inv.h"
#include "value/val.h"

static int load_target(struct helm_target *t, const char *inventory, const char *host,
                       struct err *err)
{
    struct inventory *inv = inv_new();
    struct val *vars = NULL;
    const struct inv_host *ih;
    const char *bin;
    int ret = -1;

    if (inv_load(inv, inventory, err) < 0 || inv_finish(inv, err) < 0) {
        goto out;
    }
    if (!host) {
        ih = inv_group_first(inv, "masters");
        if (!ih) {
            err_set(err, ERR_USAGE, "no host in group 'masters' of the inventory '%s' to run "
                    "helm on", inventory);
            goto out;
        }
        t->host = xstrdup(ih->name);
    } else {
        ih = inv_find_host(inv, host);
        if (!ih) {
            err_set(err, ERR_USAGE, "host '%s' is not in the inventory '%s'", host, inventory);
            goto out;
        }
    }
    vars = inv_host_vars(inv, ih);
    if (conn_settings_from_vars(&t->settings, &t->store, ih->name, vars, err) < 0) {
        goto out;
    }
    bin = val_dict_get_str(vars, "helm_bin");
    if (val_dict_has(vars, "helm_bin") && (!bin || !bin[0])) {
        err_set(err, ERR_USAGE, "host '%s': variable 'helm_bin' must be a non-empty string",
                t->host);
        goto out;
    }
    t->helm_bin = xstrdup(bin ? bin : "helm");
    ret = 0;
out:
    val_unref(vars);
    inv_free(inv);
    return ret;
}

struct helm_target *helm_target_new(const char *inventory, const char *host, struct err *err)
{
    struct helm_target *t = xcalloc(1, sizeof(*t));
    struct conn *probe;

    t->host = host ? xstrdup(host) : NULL;
    pthread_mutex_init(&t->lock, NULL);
    if (load_target(t, inventory, host, err) < 0) {
        helm_target_free(t);
        return NULL;
    }
    /* Fails early (ERR_USAGE) on an unknown transport, before anything is run. */
    probe = conn_new(&t->settings, err);
    if (!probe) {
        helm_target_free(t);
        return NULL;
    }
    vec_push(&t->idle, probe);
    return t;
}

void helm_target_free(struct helm_target *t)
{
    if (!t) {
        return;
    }
    for (size_t i = 0; i < t->idle.len; i++) {
        conn_free(t->idle.items[i]);
    }
    vec_release(&t->idle);
    pthread_mutex_destroy(&t->lock);
    svec_release(&t->store);
    free(t->helm_bin);
    free(t->host);
    free(t);
}

void helm_target_set_helm_bin(struct helm_target *t, const char *helm_bin)
{
    free(t->helm_bin);
    t->helm_bin = xstrdup(helm_bin);
}

const char *helm_target_host(const struct helm_target *t)
{
    return t->host;
}

const char *helm_target_helm_bin(const struct helm_target *t)
{
    return t->helm_bin;
}

struct conn *helm_conn_get(struct helm_target *t, struct err *err)
{
    struct conn *c;

    pthread_mutex_lock(&t->lock);
    c = vec_pop(&t->idle);
    pthread_mutex_unlock(&t->lock);
    if (!c) {
        c = conn_new(&t->settings, err);
        if (!c) {
            return NULL;
        }
    }
    if (conn_open(c, err) < 0) {
        helm_conn_put(t, c);
        return NULL;
    }
    return c;
}

void helm_conn_put(struct helm_target *t, struct conn *c)
{
    if (!c) {
        return;
    }
    pthread_mutex_lock(&t->lock);
    vec_push(&t->idle, c);
    pthread_mutex_unlock(&t->lock);
}
