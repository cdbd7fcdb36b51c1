/*
 * conn-ssh.h - private to conn-ssh*.c and conn-sftp.c: the libssh session behind an ssh struct
 * conn, and the pieces the ssh transport is made of. Nothing outside conn/ includes this file;
 * everyone else uses conn.h.
 *
 * conn-ssh.c          session lifecycle: connect, reconnect once after a drop, close, ops table
 * conn-ssh-hostkey.c  known_hosts verification (verify, off, accept-new)
 * conn-ssh-auth.c     authentication: private key file, ssh-agent, password
 * conn-ssh-exec.c     one channel per command: sh line, env, chdir, become, stdin, timeout
 * conn-sftp.c         put, put_file and fetch over SFTP (with become: temp file + install)
 */
#ifndef CONN_SSH_H
#define CONN_SSH_H

#include <libssh/libssh.h>
#include <libssh/sftp.h>

struct conn;
struct conn_settings;
struct err;

/* The transport state of an ssh struct conn (conn->transport). */
struct ssh_link {
    ssh_session session; /* owned; NULL when not connected */
    sftp_session sftp;   /* owned; opened on first file transfer, dropped on reconnect */
};

/* Returns the link of 'c', connecting first when it is not connected (or was dropped). */
struct ssh_link *conn_ssh_link(struct conn *c, struct err *err);
/* Drops the current session (after a failure) so the next conn_ssh_link() connects again. */
void conn_ssh_drop(struct conn *c);
/* True when the session of 'c' is still connected. */
bool conn_ssh_alive(struct conn *c);
/* Sets 'err' to ERR_UNREACHABLE "host 'H': Failed to connect to the host via ssh: WHAT: <libssh
 * error of 'session'>" (no libssh part when 'session' is NULL); returns -1. */
int conn_ssh_unreachable(const struct conn *c, ssh_session session, const char *what,
                         struct err *err);

/* Checks the server's key against known_hosts per settings->host_key_checking. */
int conn_ssh_verify_host_key(const struct conn_settings *s, ssh_session session,
                             struct err *err);
/* Authenticates as settings->user; ERR_AUTH naming host, user and the methods tried. */
int conn_ssh_authenticate(const struct conn_settings *s, ssh_session session, struct err *err);

/* The ops behind conn_ssh_ops. */
int conn_ssh_exec(struct conn *c, const struct exec_req *req, struct exec_result *res,
                  struct err *err);
int conn_sftp_put(struct conn *c, const char *path, const void *data, size_t len, mode_t mode,
                  const struct become *become, struct err *err);
int conn_sftp_put_file(struct conn *c, const char *local_path, const char *path, mode_t mode,
                       const struct become *become, struct err *err);
int conn_sftp_fetch(struct conn *c, const char *path, struct buf *out,
                    const struct become *become, struct err *err);


#endif
