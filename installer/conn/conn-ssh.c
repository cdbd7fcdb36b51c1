/*
 * conn-ssh.c - the ssh transport's session lifecycle: one libssh session per host, opened on
 * first use and reused for every command of the run, TCP keepalive so a dead peer is noticed,
 * dropped and reopened once when it breaks, closed by conn_free(). The work itself is done by
 * conn-ssh-exec.c and conn-sftp.c; host keys and authentication by conn-ssh-hostkey.c and
 * conn-ssh-auth.c.
 */
#include "pot.h"
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "conn/conn.h"
#include "conn/conn-ssh.h"

/* Seconds a blocking libssh call (SFTP request, channel open) may wait once connected. */
#define SSH_IO_TIMEOUT_S 120
#define KEEPALIVE_IDLE_S 15
#define KEEPALIVE_INTERVAL_S 5
#define KEEPALIVE_COUNT 3

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_libssh(void)
{
    if (ssh_init() != SSH_OK) {
        BUG("ssh_init failed");
    }
}

static const char *address_of(const struct conn_settings *s)
{
    return s->address && *s->address ? s->address : s->host_name;
}

static int port_of(const struct conn_settings *s)
{
    return s->port > 0 ? s->port : 22;
}

int conn_ssh_unreachable(const struct conn *c, ssh_session session, const char *what,
                         struct err *err)
{
    const struct conn_settings *s = &c->settings;
    struct buf msg = BUF_INIT;
    int ret;

    buf_addf(&msg, "host '%s': Failed to connect to the host via ssh: %s port %d", s->host_name,
             address_of(s), port_of(s));
    if (what) {
        buf_addf(&msg, ": %s", what);
    }
    if (session && *ssh_get_error(session)) {
        buf_addf(&msg, ": %s", ssh_get_error(session));
    }
    log_redact(&msg);
    ret = err_set(err, ERR_UNREACHABLE, "%s", msg.ptr);
    buf_release(&msg);
    return ret;
}

/* Keepalive probes after KEEPALIVE_IDLE_S of silence, and unacknowledged data gives up after the
 * same total time, so a vanished host fails within about 30 s instead of hanging. */
static void set_keepalive(ssh_session session)
{
    int fd = ssh_get_fd(session);
    int on = 1, idle = KEEPALIVE_IDLE_S, intvl = KEEPALIVE_INTERVAL_S, cnt = KEEPALIVE_COUNT;
    unsigned int user_timeout_ms =
        (KEEPALIVE_IDLE_S + KEEPALIVE_INTERVAL_S * KEEPALIVE_COUNT) * 1000;

    if (fd < 0) {
        return;
    }
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
    setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout_ms, sizeof(user_timeout_ms));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
}

/* ~/.ssh/config is not read: every setting comes from the inventory, as the runner shows it. */
static int set_options(const struct conn *c, ssh_session session, struct err *err)
{
    const struct conn_settings *s = &c->settings;
    long timeout = s->connect_timeout_s > 0 ? s->connect_timeout_s : 10;
    unsigned int port = (unsigned int)port_of(s);
    int verbosity = SSH_LOG_NOLOG;
    bool process_config = false;

    if (ssh_options_set(session, SSH_OPTIONS_PROCESS_CONFIG, &process_config) < 0 ||
        ssh_options_set(session, SSH_OPTIONS_LOG_VERBOSITY, &verbosity) < 0 ||
        ssh_options_set(session, SSH_OPTIONS_HOST, address_of(s)) < 0 ||
        ssh_options_set(session, SSH_OPTIONS_PORT, &port) < 0 ||
        ssh_options_set(session, SSH_OPTIONS_TIMEOUT, &timeout) < 0) {
        return conn_ssh_unreachable(c, session, "bad connection settings", err);
    }
    if (s->user && *s->user && ssh_options_set(session, SSH_OPTIONS_USER, s->user) < 0) {
        return conn_ssh_unreachable(c, session, "bad user name", err);
    }
    if (s->known_hosts_file && *s->known_hosts_file &&
        ssh_options_set(session, SSH_OPTIONS_KNOWNHOSTS, s->known_hosts_file) < 0) {
        return conn_ssh_unreachable(c, session, "bad known_hosts path", err);
    }
    return 0;
}

static ssh_session connect_session(struct conn *c, struct err *err)
{
    ssh_session session = ssh_new();
    long io_timeout = SSH_IO_TIMEOUT_S;

    if (!session) {
        BUG("ssh_new failed");
    }
    if (set_options(c, session, err) < 0) {
        goto fail;
    }
    log_debug("host '%s': ssh connect to %s port %d", c->settings.host_name,
              address_of(&c->settings), port_of(&c->settings));
    if (ssh_connect(session) != SSH_OK) {
        conn_ssh_unreachable(c, session, NULL, err);
        goto fail;
    }
    set_keepalive(session);
    if (conn_ssh_verify_host_key(&c->settings, session, err) < 0 ||
        conn_ssh_authenticate(&c->settings, session, err) < 0) {
        goto fail;
    }
    ssh_options_set(session, SSH_OPTIONS_TIMEOUT, &io_timeout);
    return session;
fail:
    ssh_disconnect(session);
    ssh_free(session);
    return NULL;
}

struct ssh_link *conn_ssh_link(struct conn *c, struct err *err)
{
    struct ssh_link *link = c->transport;

    pthread_once(&init_once, init_libssh);
    if (!link) {
        link = xcalloc(1, sizeof(*link));
        c->transport = link;
    }
    if (link->session && ssh_is_connected(link->session)) {
        return link;
    }
    conn_ssh_drop(c);
    link->session = connect_session(c, err);
    return link->session ? link : NULL;
}

bool conn_ssh_alive(struct conn *c)
{
    struct ssh_link *link = c->transport;

    return link && link->session && ssh_is_connected(link->session);
}

void conn_ssh_drop(struct conn *c)
{
    struct ssh_link *link = c->transport;

    if (!link) {
        return;
    }
    if (link->sftp) {
        sftp_free(link->sftp);
        link->sftp = NULL;
    }
    if (link->session) {
        ssh_disconnect(link->session);
        ssh_free(link->session);
        link->session = NULL;
    }
}

static int open_op(struct conn *c, struct err *err)
{
    return conn_ssh_link(c, err) ? 0 : -1;
}

static void close_op(struct conn *c)
{
    conn_ssh_drop(c);
    free(c->transport);
    c->transport = NULL;
}

const struct conn_ops conn_ssh_ops = {
    .name = "ssh",
    .open = open_op,
    .exec = conn_ssh_exec,
    .put = conn_sftp_put,
    .put_file = conn_sftp_put_file,
    .fetch = conn_sftp_fetch,
    .close = close_op,
};
