/*
 * cluster.h - the global cluster as pot reaches it: kubectl run on the first master over conn/
 * (the same host and connection variables as the helm driver), and TKE's `Machine` objects that
 * join a worker to the global cluster or take it out again.
 *
 *   struct cluster_master *m = cluster_master_open(inventory, err);
 *   cluster_kubectl(m, "apply the Machine", args, stdin, ...)   (any number of times)
 *   cluster_master_close(m);
 *
 * A Machine (platform.tkestack.io/v1, as tke-installer and the original kit's tke-node-mgr apply
 * it): name mc-<ip with dashes>, spec {clusterName: global, type: Baremetal, ip, port, username,
 * password (base64) or privateKey (base64), tenantID: default}. TKE's machine controller then
 * installs the node and sets status.phase Initializing -> Running (or Failed); the node is named
 * by its IP. Manifests go to kubectl on stdin only; the passwords and keys are registered as
 * secrets (log_add_secret) and never appear in argv, messages or logs.
 */
#ifndef CLUSTER_H
#define CLUSTER_H

#include <stdbool.h>

struct buf;
struct err;
struct inventory;

struct cluster_master;

/* Loads 'inventory' and connects to the first host of group 'masters' (variable kubectl_bin,
 * default "kubectl"). NULL with ERR_USAGE (no masters, bad variables), ERR_UNREACHABLE or
 * ERR_AUTH. */
struct cluster_master *cluster_master_open(const char *inventory, struct err *err);
void cluster_master_close(struct cluster_master *m);
/* Borrowed: the master's inventory name. */
const char *cluster_master_host(const struct cluster_master *m);

/* Runs 'argv' (NULL-terminated; argv[0] the program) on the master, 'input' on its stdin (NULL:
 * none); stdout appended to 'out' (may be NULL). A non-zero exit is ERR_FAILED "WHAT (on HOST):
 * <the last line of its stderr, else stdout>"; a timeout says "timed out". */
int cluster_master_run(struct cluster_master *m, const char *what, const char *const *argv,
                       const char *input, int timeout_s, struct buf *out, struct err *err);
/* cluster_master_run of `KUBECTL ARGS...` (the master's kubectl_bin; 'args' without it). */
int cluster_kubectl(struct cluster_master *m, const char *what, const char *const *args,
                    const char *input, int timeout_s, struct buf *out, struct err *err);

/* One host as a TKE Machine. */
struct cluster_machine {
    char *host;        /* owned: inventory name */
    char *name;        /* owned: mc-<ip dashed> */
    char *ip;          /* owned: ansible_host, else the inventory name */
    int port;          /* ansible_port, 22 */
    char *user;        /* owned: ansible_user, root */
    char *password;    /* owned, secret: ansible_ssh_pass / ansible_password, or NULL */
    char *private_key; /* owned, secret: the content of ansible_ssh_private_key_file, or NULL */
};

/* Fills 'm' from the host's variables; ERR_USAGE when the host is not in the inventory or, with
 * 'need_secret' (to join), has neither a password nor a readable private key. Registers the
 * secrets. */
int cluster_machine_from_host(const struct inventory *inv, const char *host, bool need_secret,
                              struct cluster_machine *m, struct err *err);
void cluster_machine_release(struct cluster_machine *m);
/* The `kubectl apply -f -` manifest: a List holding the Machine (JSON, appended to 'out'). */
void cluster_machine_manifest(const struct cluster_machine *m, struct buf *out);

/* Applies the Machine; then polls its status.phase every 'poll_ms' until Running (0), Failed
 * (ERR_FAILED naming the host) or 'timeout_s' (ERR_FAILED "still PHASE after N s"). */
int cluster_machine_join(struct cluster_master *m, const struct cluster_machine *mc,
                         int timeout_s, int poll_ms, struct err *err);
/* Drains the node (named by its IP; a node the cluster does not know is fine), then deletes the
 * Machine (--ignore-not-found). */
int cluster_machine_leave(struct cluster_master *m, const struct cluster_machine *mc,
                          int timeout_s, struct err *err);

#endif
