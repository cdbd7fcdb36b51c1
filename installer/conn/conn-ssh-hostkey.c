/*
 * conn-ssh-hostkey.c - checks an ssh server's host key against known_hosts.
 * host_key_checking 1 (default): the key must already be there; 2 (accept-new): an unknown key is
 * appended to the file; 0: an unknown key is accepted without recording it. A key that differs
 * from the recorded one is refused in every mode, with a message naming the host and the file.
 */
#include "pot.h"
#include <pthread.h>
#include <string.h>
#include "base/err.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "conn/conn.h"
#include "conn/conn-ssh.h"

/* Serialises reading and appending known_hosts between the connections of parallel hosts. */
static pthread_mutex_t known_hosts_lock = PTHREAD_MUTEX_INITIALIZER;

static char *known_hosts_path(const struct conn_settings *s)
{
    const char *home = getenv("HOME");

    if (s->known_hosts_file && *s->known_hosts_file) {
        return xstrdup(s->known_hosts_file);
    }
    return xasprintf("%s/.ssh/known_hosts", home && *home ? home : "");
}

/* The name known_hosts uses for the host: "addr", or "[addr]:port" off port 22. */
static char *known_hosts_name(const struct conn_settings *s)
{
    const char *addr = s->address && *s->address ? s->address : s->host_name;

    if (s->port > 0 && s->port != 22) {
        return xasprintf("[%s]:%d", addr, s->port);
    }
    return xstrdup(addr);
}

static int refuse_changed(const struct conn_settings *s, const char *file, const char *name,
                          struct err *err)
{
    return err_set(err, ERR_UNREACHABLE,
                   "host '%s': the ssh host key of '%s' has CHANGED from the one recorded in '%s'; "
                   "refusing to connect (possible man-in-the-middle attack); if the host was "
                   "reinstalled, remove the old key with: ssh-keygen -f '%s' -R '%s'",
                   s->host_name, name, file, file, name);
}

static int refuse_unknown(const struct conn_settings *s, const char *file, const char *name,
                          struct err *err)
{
    return err_set(err, ERR_UNREACHABLE,
                   "host '%s': the ssh host key of '%s' is not in '%s' and host key checking is "
                   "on; add it to that file (ssh-keyscan) or set host_key_checking to accept-new",
                   s->host_name, name, file);
}

static int accept_new(const struct conn_settings *s, ssh_session session, const char *file,
                      const char *name, struct err *err)
{
    if (ssh_session_update_known_hosts(session) != SSH_OK) {
        return err_set(err, ERR_IO, "host '%s': cannot add the host key of '%s' to '%s': %s",
                       s->host_name, name, file, ssh_get_error(session));
    }
    log_info("host '%s': added the host key of '%s' to '%s'", s->host_name, name, file);
    return 0;
}

static int check_locked(const struct conn_settings *s, ssh_session session, const char *file,
                        const char *name, struct err *err)
{
    switch (ssh_session_is_known_server(session)) {
    case SSH_KNOWN_HOSTS_OK:
        return 0;
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
        return refuse_changed(s, file, name, err);
    case SSH_KNOWN_HOSTS_UNKNOWN:
    case SSH_KNOWN_HOSTS_NOT_FOUND:
        if (s->host_key_checking == 0) {
            return 0;
        }
        if (s->host_key_checking == 2) {
            return accept_new(s, session, file, name, err);
        }
        return refuse_unknown(s, file, name, err);
    case SSH_KNOWN_HOSTS_ERROR:
    default:
        return err_set(err, ERR_UNREACHABLE, "host '%s': cannot check the host key of '%s': %s",
                       s->host_name, name, ssh_get_error(session));
    }
}

int conn_ssh_verify_host_key(const struct conn_settings *s, ssh_session session, struct err *err)
{
    char *file = known_hosts_path(s);
    char *name = known_hosts_name(s);
    int ret;

    pthread_mutex_lock(&known_hosts_lock);
    ret = check_locked(s, session, file, name, err);
    pthread_mutex_unlock(&known_hosts_lock);
    free(name);
    free(file);
    return ret;
}
