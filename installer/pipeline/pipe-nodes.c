/*
 * pipe-nodes.c - `pot node add|remove`: workers joined to the global cluster as TKE Machines
 * and taken out again, one host at a time so that one unreachable or failing host does not stop
 * the others. Each host's state is journalled as stage "node" with the host's name.
 *
 *   add     residue snapshot, host-init.yml + host-check.yml (--limit HOST), the Machine applied
 *           on the first master and waited for until Running
 *   remove  drain, Machine deleted, cluster-reset.yml + host-undo.yml (--limit HOST), the host
 *           compared with its snapshot
 * A full install joins the `workers` group at the end of stage post-install (pipe_nodes_join),
 * as the original kit's post-install hook does.
 */
#include "pot.h"
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "cluster/cluster.h"
#include "inventory/inv.h"
#include "journal/journal.h"
#include "pipeline/pipe.h"
#include "residue/residue.h"
#include "tke/tke-config.h"

#define JOIN_TIMEOUT_DEF 1800
#define DRAIN_TIMEOUT_S 300
#define NODE_STAGE "node"

struct node_run {
    struct pipe_ctx *c;
    struct inventory *inv;           /* owned */
    struct cluster_master *master;   /* owned; opened on first use */
    const struct svec *hosts;        /* borrowed */
    bool hostinit;                   /* add: run the host playbooks first */
    int join_timeout;
};

static void residue_say(void *ctx, const char *line)
{
    pipe_say(ctx, "residue: %s", line);
}

/* ERR_USAGE unless every host is in the inventory and, for 'what', not a master. */
static int check_hosts(const struct node_run *n, const char *what, struct err *err)
{
    const struct inv_group *masters = inv_find_group(n->inv, "masters");
    struct vec master_hosts = VEC_INIT;
    int ret = 0;

    if (masters) {
        inv_group_hosts(n->inv, masters, &master_hosts);
    }
    for (size_t i = 0; i < n->hosts->len && ret == 0; i++) {
        const struct inv_host *h = inv_find_host(n->inv, n->hosts->items[i]);

        if (!h) {
            ret = err_set(err, ERR_USAGE, "host '%s' is not in the inventory '%s'; add it (to "
                          "group workers) first", n->hosts->items[i], n->c->inventory);
        } else if (vec_contains(&master_hosts, h)) {
            ret = err_set(err, ERR_USAGE, master_hosts.len == 1 && strcmp(what, "remove") == 0
                              ? "host '%s' is the last master; the cluster cannot lose it"
                              : "host '%s' is a master of the global cluster (tke.json); only "
                                "workers are added and removed",
                          h->name);
        }
    }
    vec_release(&master_hosts);
    return ret;
}

static struct cluster_master *master(struct node_run *n, struct err *err)
{
    if (!n->master) {
        n->master = cluster_master_open(n->c->inventory, err);
    }
    return n->master;
}

/* The kit's host playbooks, or the reset playbooks, on one host. */
static int play_on(struct node_run *n, const char *host, const char *const *books,
                   struct err *err)
{
    int ret = 0;

    svec_push(&n->c->limit, host);
    for (size_t i = 0; books[i] && ret == 0; i++) {
        pipe_say(n->c, "node %s: pot play %s", host, books[i]);
        ret = pipe_play(n->c, books[i], false, NULL, err);
    }
    svec_release(&n->c->limit);
    return ret;
}

static int join_one(struct node_run *n, const char *host, struct err *err)
{
    static const char *const books[] = { "host-init.yml", "host-check.yml", NULL };
    struct residue_report rep = { .say = residue_say, .ctx = n->c };
    struct svec one = SVEC_INIT;
    struct cluster_machine mc;
    char *dir = residue_dir(n->c->opts->data_dir);
    int ret = -1;

    svec_push(&one, host);
    if (cluster_machine_from_host(n->inv, host, true, &mc, err) < 0) {
        goto out;
    }
    if (n->hostinit && (residue_baseline(n->c->inventory, &one, dir, false, &rep, err) < 0 ||
                        play_on(n, host, books, err) < 0)) {
        goto out;
    }
    if (n->c->opts->check) {
        pipe_say(n->c, "node %s: would apply Machine %s (%s:%d) on the first master", host,
                 mc.name, mc.ip, mc.port);
        ret = 0;
        goto out;
    }
    if (!master(n, err) ||
        journal_append(n->c->journal, JOURNAL_STARTED, NODE_STAGE, host, NULL, NULL, err) < 0) {
        goto out;
    }
    pipe_say(n->c, "node %s: applying Machine %s on %s, waiting for it to be Running", host,
             mc.name, cluster_master_host(n->master));
    if (cluster_machine_join(n->master, &mc, n->join_timeout, n->c->opts->poll_ms, err) < 0) {
        goto out;
    }
    pipe_say(n->c, "node %s: joined the global cluster (Machine %s Running)", host, mc.name);
    ret = journal_append(n->c->journal, JOURNAL_FINISHED, NODE_STAGE, host, NULL, mc.name, err);
out:
    cluster_machine_release(&mc);
    svec_release(&one);
    free(dir);
    return ret;
}

/* The host compared with its snapshot, when it has one; ERR_FAILED when it differs. */
static int host_clean(struct node_run *n, const char *host, struct err *err)
{
    struct residue_report rep = { .say = residue_say, .ctx = n->c };
    struct svec one = SVEC_INIT;
    char *dir = residue_dir(n->c->opts->data_dir);
    char *snap = xasprintf("%s/%s.snap", dir, host);
    int dirty = 0, ret = 0;

    svec_push(&one, host);
    if (!fs_exists(snap)) {
        pipe_say(n->c, "residue: %s: no snapshot from before pot changed it; not compared", host);
    } else if (residue_check(n->c->inventory, &one, dir, &rep, &dirty, err) < 0) {
        ret = -1;
    } else if (dirty) {
        ret = err_set(err, ERR_FAILED, "host '%s' is not as before pot changed it (the "
                      "differences are above)", host);
    }
    svec_release(&one);
    free(snap);
    free(dir);
    return ret;
}

static int remove_one(struct node_run *n, const char *host, struct err *err)
{
    static const char *const books[] = { "cluster-reset.yml", "host-undo.yml", NULL };
    struct cluster_machine mc;
    int ret = -1;

    if (cluster_machine_from_host(n->inv, host, false, &mc, err) < 0) {
        goto out;
    }
    if (n->c->opts->check) {
        pipe_say(n->c, "node %s: would drain node %s, delete Machine %s, and reset the host",
                 host, mc.ip, mc.name);
        ret = 0;
        goto out;
    }
    if (!master(n, err)) {
        goto out;
    }
    pipe_say(n->c, "node %s: draining node %s and deleting Machine %s on %s", host, mc.ip,
             mc.name, cluster_master_host(n->master));
    if (cluster_machine_leave(n->master, &mc, DRAIN_TIMEOUT_S, err) < 0 ||
        play_on(n, host, books, err) < 0 ||
        journal_append(n->c->journal, JOURNAL_UNDONE, NODE_STAGE, host, NULL, "pot node remove",
                       err) < 0) {
        goto out;
    }
    pipe_say(n->c, "node %s: removed from the cluster and reset", host);
    ret = host_clean(n, host, err);
out:
    cluster_machine_release(&mc);
    return ret;
}

/* Runs 'one' on every host; a failing host is reported and the others go on. ERR_FAILED
 * naming the failed hosts at the end (the first failure's kind when only one host was given). */
static int each_host(struct node_run *n, const char *what,
                     int (*one)(struct node_run *, const char *, struct err *), struct err *err)
{
    struct buf failed = BUF_INIT;
    size_t nfailed = 0;
    int ret = 0;

    for (size_t i = 0; i < n->hosts->len; i++) {
        const char *host = n->hosts->items[i];
        struct err e = ERR_INIT;

        if (one(n, host, &e) < 0) {
            pipe_say(n->c, "node %s: %s failed: %s", host, what, e.msg);
            buf_addf(&failed, "%s%s", nfailed++ ? ", " : "", host);
            if (n->hosts->len == 1) {
                *err = e;
                ret = -1;
                continue;
            }
            err_clear(&e);
        }
    }
    if (nfailed && n->hosts->len > 1) {
        ret = err_set(err, ERR_FAILED, "node %s failed on %zu of %zu hosts: %s (see above); the "
                      "others are done", what, nfailed, n->hosts->len, failed.ptr);
    }
    buf_release(&failed);
    return ret;
}

static int join_timeout(const struct inventory *inv, int *secs, struct err *err)
{
    char *v = tke_installer_var(inv, "node_join_timeout", err);
    char *end = NULL;
    long n;

    *secs = JOIN_TIMEOUT_DEF;
    if (!v) {
        return err->kind == ERR_NONE ? 0 : -1;
    }
    n = strtol(v, &end, 10);
    if (end == v || *end || n <= 0 || n > 86400) {
        err_set(err, ERR_USAGE, "node_join_timeout must be a number of seconds, not '%s'", v);
        free(v);
        return -1;
    }
    *secs = (int)n;
    free(v);
    return 0;
}

static int node_run_init(struct node_run *n, struct pipe_ctx *c, const struct svec *hosts,
                         struct err *err)
{
    *n = (struct node_run){ .c = c, .hosts = hosts, .inv = inv_new() };
    if (inv_load(n->inv, c->inventory, err) < 0 || inv_finish(n->inv, err) < 0) {
        return -1;
    }
    return join_timeout(n->inv, &n->join_timeout, err);
}

static void node_run_release(struct node_run *n)
{
    cluster_master_close(n->master);
    inv_free(n->inv);
}

struct node_args {
    const struct svec *hosts;
    bool add;
};

static int node_body(struct pipe_ctx *c, void *arg, struct err *err)
{
    const struct node_args *a = arg;
    struct node_run n;
    int ret = -1;

    if (node_run_init(&n, c, a->hosts, err) == 0 &&
        check_hosts(&n, a->add ? "add" : "remove", err) == 0) {
        n.hostinit = true;
        ret = each_host(&n, a->add ? "add" : "remove", a->add ? join_one : remove_one, err);
    }
    node_run_release(&n);
    return ret;
}

int pipe_node(const struct pipe_opts *opts, const struct svec *hosts, bool add, struct err *err)
{
    struct node_args a = { .hosts = hosts, .add = add };

    if (hosts->len == 0) {
        return err_set(err, ERR_USAGE, "name the hosts to %s", add ? "add" : "remove");
    }
    return pipe_with_journal(opts, add ? "pot node add" : "pot node remove", node_body, &a, err);
}

int pipe_nodes_join_workers(struct pipe_ctx *c, struct err *err)
{
    struct node_run n;
    struct svec pending = SVEC_INIT;
    struct vec workers = VEC_INIT;
    const struct inv_group *group;
    int ret = -1;

    if (node_run_init(&n, c, &pending, err) < 0) {
        goto out;
    }
    group = inv_find_group(n.inv, "workers");
    if (group) {
        inv_group_hosts(n.inv, group, &workers);
    }
    for (size_t i = 0; i < workers.len; i++) {
        const struct inv_host *h = workers.items[i];
        const struct journal_rec *r = journal_last(c->journal, NODE_STAGE, h->name);

        if (!r || r->event != JOURNAL_FINISHED) {
            svec_push(&pending, h->name);
        }
    }
    if (pending.len) {
        pipe_say(c, "post-install: joining %zu worker%s to the global cluster", pending.len,
                 pending.len == 1 ? "" : "s");
    }
    ret = each_host(&n, "join", join_one, err);
out:
    node_run_release(&n);
    vec_release(&workers);
    svec_release(&pending);
    return ret;
}
