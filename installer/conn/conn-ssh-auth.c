/*
 * conn-ssh-auth.c - ssh user authentication, in the order OpenSSH would use for these settings:
 * the private key file when one is set, else the keys of ssh-agent (SSH_AUTH_SOCK), then the
 * password when one is set; with none of those, the default identities (~/.ssh/id_*).
 * A failure names the host, the user and every method tried.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "conn/conn.h"
#include "conn/conn-ssh.h"

struct attempt {
    const struct conn_settings *s;
    ssh_session session;
    struct buf tried; /* "publickey '/k', password" for the message */
    bool lost;        /* the connection failed (SSH_AUTH_ERROR), not the credentials */
    bool bad_key;     /* the key file could not be read; 'err' says so */
};

static void note(struct attempt *a, const char *method, int rc)
{
    if (a->tried.len) {
        buf_adds(&a->tried, ", ");
    }
    buf_adds(&a->tried, method);
    if (rc == SSH_AUTH_ERROR) {
        a->lost = true;
    }
    log_debug("host '%s': ssh auth %s: %s", a->s->host_name, method,
              rc == SSH_AUTH_SUCCESS ? "accepted" : "rejected");
}

/* Returns 0 with the libssh result in *rc, or -1 when the key file cannot be used. */
static int try_key_file(struct attempt *a, int *rc, struct err *err)
{
    const char *path = a->s->private_key_file;
    ssh_key key = NULL;
    struct buf method = BUF_INIT;

    if (ssh_pki_import_privkey_file(path, NULL, NULL, NULL, &key) != SSH_OK) {
        return err_set(err, ERR_AUTH,
                       "host '%s': cannot read the private key '%s' (missing, unreadable, or "
                       "protected by a passphrase)",
                       a->s->host_name, path);
    }
    *rc = ssh_userauth_publickey(a->session, NULL, key);
    ssh_key_free(key);
    buf_addf(&method, "publickey '%s'", path);
    note(a, method.ptr, *rc);
    buf_release(&method);
    return 0;
}

static int try_agent(struct attempt *a)
{
    int rc = ssh_userauth_agent(a->session, NULL);

    note(a, "ssh-agent", rc);
    return rc;
}

static int try_password(struct attempt *a)
{
    int rc = ssh_userauth_password(a->session, NULL, a->s->password);

    note(a, "password", rc);
    return rc;
}

static int try_default_keys(struct attempt *a)
{
    int rc = ssh_userauth_publickey_auto(a->session, NULL, NULL);

    note(a, "publickey (default keys)", rc);
    return rc;
}

static int run_methods(struct attempt *a, struct err *err)
{
    const struct conn_settings *s = a->s;
    bool has_key = s->private_key_file && *s->private_key_file;
    bool has_password = s->password && *s->password;
    const char *agent = getenv("SSH_AUTH_SOCK");
    int rc = SSH_AUTH_DENIED;

    if (has_key) {
        if (try_key_file(a, &rc, err) < 0) {
            a->bad_key = true;
            return -1;
        }
    } else if (agent && *agent) {
        rc = try_agent(a);
    }
    if (rc != SSH_AUTH_SUCCESS && !a->lost && has_password) {
        rc = try_password(a);
    }
    if (rc != SSH_AUTH_SUCCESS && !a->lost && a->tried.len == 0) {
        rc = try_default_keys(a);
    }
    return rc == SSH_AUTH_SUCCESS ? 0 : -1;
}

static const char *user_name(ssh_session session, char **owned)
{
    *owned = NULL;
    if (ssh_options_get(session, SSH_OPTIONS_USER, owned) == SSH_OK && *owned) {
        return *owned;
    }
    return "?";
}

int conn_ssh_authenticate(const struct conn_settings *s, ssh_session session, struct err *err)
{
    struct attempt a = { .s = s, .session = session, .tried = BUF_INIT };
    char *user_owned = NULL;
    const char *user;
    int rc = ssh_userauth_none(session, NULL);
    int ret = 0;

    if (rc == SSH_AUTH_SUCCESS) {
        return 0;
    }
    if (rc != SSH_AUTH_ERROR && run_methods(&a, err) == 0) {
        goto out;
    }
    ret = -1;
    if (a.bad_key) {
        goto out;
    }
    user = user_name(session, &user_owned);
    if (rc == SSH_AUTH_ERROR || a.lost) {
        err_set(err, ERR_UNREACHABLE,
                "host '%s': Failed to connect to the host via ssh: connection lost while "
                "authenticating user '%s': %s",
                s->host_name, user, ssh_get_error(session));
    } else {
        err_set(err, ERR_AUTH, "host '%s': authentication failed for user '%s' (%s)",
                s->host_name, user, a.tried.len ? a.tried.ptr : "no method available");
    }
out:
    ssh_string_free_char(user_owned);
    buf_release(&a.tried);
    return ret;
}
