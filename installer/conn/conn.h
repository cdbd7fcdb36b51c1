/*
 * conn.h - how modules talk to a host: a connection with exec, put and fetch, whatever the
 * transport (local processes in conn-local.c, libssh in conn-ssh.c). Modules use only these
 * functions, so a new transport slots in without changing any module.
 *
 * Lifecycle: conn_new() with the host's connection settings -> conn_open() (idempotent; reconnects
 * after a drop) -> any number of conn_exec/conn_put/conn_fetch -> conn_free(). One struct conn is
 * used by one thread at a time.
 *
 * Errors: a transport that cannot reach or authenticate to the host returns -1 with ERR_UNREACHABLE
 * or ERR_AUTH, and ERR_FAILED when the host refused the become password; a command that runs and
 * exits non-zero is not an error (see exec_result.status).
 */
#ifndef CONN_H
#define CONN_H

#include <sys/types.h>

struct buf;
struct err;
struct conn;

enum become_method {
    BECOME_NONE = 0,
    BECOME_SUDO,
    BECOME_SU,
};

/* Everything a transport needs to reach a host, taken from the host's variables. */
struct conn_settings {
    const char *host_name;        /* inventory_hostname, for messages */
    const char *transport;        /* "local" or "ssh" (ansible_connection) */
    const char *address;          /* ansible_host, else host_name */
    int port;                     /* ansible_port, 22 */
    const char *user;             /* ansible_user / ansible_ssh_user; NULL = current user */
    const char *password;         /* ansible_password / ansible_ssh_pass; secret */
    const char *private_key_file; /* ansible_ssh_private_key_file */
    const char *known_hosts_file; /* NULL: ~/.ssh/known_hosts */
    int host_key_checking;        /* 1 verify (default), 0 off, 2 accept-new */
    int connect_timeout_s;        /* ansible_timeout, 10 */
};

struct become {
    enum become_method method;
    const char *user;     /* become_user; NULL = root */
    const char *password; /* ansible_become_pass; secret, sent on stdin only */
};

struct exec_req {
    const char *cmd;             /* a /bin/sh command line, run in the user's login directory */
    const char *stdin_data;      /* NULL: none */
    size_t stdin_len;
    const struct become *become; /* NULL: no privilege change */
    char *const *env;            /* extra NAME=VALUE pairs, NULL-terminated; may be NULL */
    const char *chdir;           /* NULL: home directory */
    int timeout_s;               /* 0: none */
};

struct exec_result {
    int status; /* exit status; 128+N when killed by signal N; -1 on timeout */
    struct buf *out; /* stdout is appended here when not NULL */
    struct buf *err; /* stderr is appended here when not NULL */
};

struct conn_ops {
    const char *name;
    int (*open)(struct conn *c, struct err *err);
    int (*exec)(struct conn *c, const struct exec_req *req, struct exec_result *res,
                struct err *err);
    /* Writes 'data' to 'path' atomically (temporary name then rename) with 'mode'. */
    int (*put)(struct conn *c, const char *path, const void *data, size_t len, mode_t mode,
               const struct become *become, struct err *err);
    /* Streams a local file to 'path' atomically with 'mode'. */
    int (*put_file)(struct conn *c, const char *local_path, const char *path, mode_t mode,
                    const struct become *become, struct err *err);
    /* Reads the whole remote file into 'out'. */
    int (*fetch)(struct conn *c, const char *path, struct buf *out, const struct become *become,
                 struct err *err);
    void (*close)(struct conn *c);
};

struct conn {
    const struct conn_ops *ops;     /* borrowed: a static table */
    struct conn_settings settings;  /* strings owned (copied by conn_new) */
    void *transport;                /* owned by ops: transport state */
};

/* Copies 'settings'. Returns NULL with ERR_USAGE when the transport is unknown. */
struct conn *conn_new(const struct conn_settings *settings, struct err *err);
/* The i-th transport of the table (conn.c), NULL past the last (the test of the table walks it). */
const struct conn_ops *conn_transport_at(size_t i);
void conn_free(struct conn *c);
int conn_open(struct conn *c, struct err *err);
int conn_exec(struct conn *c, const struct exec_req *req, struct exec_result *res,
              struct err *err);
int conn_put(struct conn *c, const char *path, const void *data, size_t len, mode_t mode,
             const struct become *become, struct err *err);
int conn_put_file(struct conn *c, const char *local_path, const char *path, mode_t mode,
                  const struct become *become, struct err *err);
int conn_fetch(struct conn *c, const char *path, struct buf *out, const struct become *become,
               struct err *err);

/* The transports, registered in conn.c's table. */
extern const struct conn_ops conn_local_ops;
extern const struct conn_ops conn_ssh_ops;

#endif
