/*
 * conn.c - THE table of transports and the conn_* dispatch to them.
 * Adding a transport: define `const struct conn_ops conn_<name>_ops` in conn-<name>.c and add one
 * line to 'transports' below (sorted by name). The dispatch also drops a become to the user the
 * connection already logs in as, once for every transport.
 */
#include "pot.h"
#include <string.h>
#include "base/err.h"
#include "base/xalloc.h"
#include "conn/conn.h"

static const struct conn_ops *const transports[] = {
    &conn_local_ops,
    &conn_ssh_ops,
    NULL,
};

const struct conn_ops *conn_transport_at(size_t i)
{
    return i < ARRAY_SIZE(transports) ? transports[i] : NULL;
}

static const struct conn_ops *find_transport(const char *name)
{
    for (size_t i = 0; transports[i]; i++) {
        if (strcmp(transports[i]->name, name) == 0) {
            return transports[i];
        }
    }
    return NULL;
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

struct conn *conn_new(const struct conn_settings *settings, struct err *err)
{
    const char *name = settings->transport ? settings->transport : "ssh";
    const struct conn_ops *ops = find_transport(name);
    struct conn *c;

    if (!ops) {
        err_set(err, ERR_USAGE, "unknown connection type '%s' for host '%s'", name,
                settings->host_name ? settings->host_name : "?");
        return NULL;
    }
    c = xcalloc(1, sizeof(*c));
    c->ops = ops;
    c->settings = *settings;
    c->settings.host_name = dup_or_null(settings->host_name);
    c->settings.transport = xstrdup(name);
    c->settings.address = dup_or_null(settings->address);
    c->settings.user = dup_or_null(settings->user);
    c->settings.password = dup_or_null(settings->password);
    c->settings.private_key_file = dup_or_null(settings->private_key_file);
    c->settings.known_hosts_file = dup_or_null(settings->known_hosts_file);
    return c;
}

static void free_secret(const char *s)
{
    if (s) {
        explicit_bzero((char *)s, strlen(s));
        free((char *)s);
    }
}

void conn_free(struct conn *c)
{
    if (!c) {
        return;
    }
    c->ops->close(c);
    free((char *)c->settings.host_name);
    free((char *)c->settings.transport);
    free((char *)c->settings.address);
    free((char *)c->settings.user);
    free_secret(c->settings.password);
    free((char *)c->settings.private_key_file);
    free((char *)c->settings.known_hosts_file);
    free(c);
}

int conn_open(struct conn *c, struct err *err)
{
    return c->ops->open(c, err);
}

/* The become to apply: none when the connection already logs in as the become user (root when
 * not named), as Ansible skips it then, so hosts without sudo work; a login user that is not set
 * (the local user by default) does not count, as in Ansible. */
static const struct become *needed_become(const struct conn *c, const struct become *b)
{
    if (b && b->method != BECOME_NONE && c->settings.user &&
        strcmp(c->settings.user, b->user ? b->user : "root") == 0) {
        return NULL;
    }
    return b;
}

int conn_exec(struct conn *c, const struct exec_req *req, struct exec_result *res,
              struct err *err)
{
    struct exec_req own = *req;

    own.become = needed_become(c, req->become);
    return c->ops->exec(c, &own, res, err);
}

int conn_put(struct conn *c, const char *path, const void *data, size_t len, mode_t mode,
             const struct become *become, struct err *err)
{
    return c->ops->put(c, path, data, len, mode, needed_become(c, become), err);
}

int conn_put_file(struct conn *c, const char *local_path, const char *path, mode_t mode,
                  const struct become *become, struct err *err)
{
    return c->ops->put_file(c, local_path, path, mode, needed_become(c, become), err);
}

int conn_fetch(struct conn *c, const char *path, struct buf *out, const struct become *become,
               struct err *err)
{
    return c->ops->fetch(c, path, out, needed_become(c, become), err);
}
