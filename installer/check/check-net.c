/*
 * check-net.c - the network check between hosts (check.h): the mesh of ordered pairs scheduled
 * as a round-robin tournament, the probe placed on every host once, and one measurement: the
 * probe's background server started on one host of a pair, the other measuring to it. The
 * server needs no privileges (an unprivileged port), so nothing runs through become. A run cut
 * short leaves the probe at PROBE_REMOTE_PATH, which the next run overwrites and removes, and
 * a server that exits after PROBE_IDLE_S without a connection.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/pool.h"
#include "base/xalloc.h"
#include "check/check.h"
#include "conn/conn.h"
#include "conn/shell-quote.h"
#include "value/val.h"

#define PROBE_REMOTE_PATH "/tmp/" CHECK_PROBE_NAME "-net"
#define PROBE_IDLE_S 60
#define SERVER_START_TIMEOUT_S 30
#define PINGS_S 2 /* the probe's latency test lasts at most this long */

size_t check_net_schedule(size_t n, struct check_net_pair **pairs, size_t *phases)
{
    size_t slots = n + n % 2, rounds = slots - 1, count = 0, *ring;

    *pairs = NULL;
    *phases = 0;
    if (n < 2) {
        return 0;
    }
    *pairs = xcalloc(n * (n - 1), sizeof(**pairs));
    ring = xcalloc(slots, sizeof(*ring));
    for (size_t i = 0; i < slots; i++) {
        ring[i] = i; /* index n, when n is odd, is the bye */
    }
    for (size_t r = 0; r < rounds; r++) {
        for (size_t way = 0; way < 2; way++) {
            for (size_t i = 0; i < slots / 2; i++) {
                size_t a = ring[i], b = ring[slots - 1 - i];

                if (a < n && b < n) {
                    (*pairs)[count++] = (struct check_net_pair){ .from = way ? b : a,
                                                                 .to = way ? a : b,
                                                                 .phase = 2 * r + way };
                }
            }
        }
        /* the circle method: the first slot stays, the others turn by one */
        size_t last = ring[slots - 1];

        memmove(ring + 2, ring + 1, (slots - 2) * sizeof(*ring));
        ring[1] = last;
    }
    free(ring);
    *phases = 2 * rounds;
    return count;
}

static int place_probe(struct conn *c, const char *probe_path, struct err *err)
{
    if (conn_open(c, err) < 0 ||
        conn_put_file(c, probe_path, PROBE_REMOTE_PATH, 0755, NULL, err) < 0) {
        return -1;
    }
    return 0;
}

static void remove_probe(struct conn *c)
{
    struct exec_req req = { .cmd = "rm -f " PROBE_REMOTE_PATH, .timeout_s = 30 };
    struct exec_result res = { 0 };
    struct err ignored = ERR_INIT;

    conn_exec(c, &req, &res, &ignored);
}

/* Replaces the probe's {"error": MSG} in *json with {"error": "on HOST: MSG"}. */
static void name_the_host(struct val **json, const struct conn *c)
{
    const char *msg = val_dict_get_str(*json, "error");
    struct val *named;
    char *text;

    if (!msg) {
        return;
    }
    named = val_dict();
    text = xasprintf("on %s: %s", c->settings.host_name, msg);
    val_dict_set_take(named, "error", val_str_take(text, strlen(text)));
    val_unref(*json);
    *json = named;
}

/* Starts the probe's server on 'server' at 'port' and measures from 'client' to 'address'.
 * Returns 0 with *probe set (owned; its "error" names the host it happened on), or -1 with 'err'
 * set as check_probe_exec() does. */
static int measure(struct conn *client, struct conn *server, const char *address, int port,
                   const struct check_net_opts *o, struct val **probe, struct err *err)
{
    struct buf cmd = BUF_INIT;
    struct val *started = NULL;
    int ret;

    *probe = NULL;
    buf_addf(&cmd, PROBE_REMOTE_PATH " net-serve --port %d --idle %d", port, PROBE_IDLE_S);
    ret = check_probe_exec(server, NULL, cmd.ptr, SERVER_START_TIMEOUT_S, &started, err);
    if (ret == 0 && val_dict_get_str(started, "error")) {
        name_the_host(&started, server);
        *probe = started;
        started = NULL;
    } else if (ret == 0) {
        buf_reset(&cmd);
        buf_adds(&cmd, PROBE_REMOTE_PATH " net ");
        sh_quote(&cmd, address);
        buf_addf(&cmd, " --port %d --time %d --streams %d", port, o->time_s, o->streams);
        ret = check_probe_exec(client, NULL, cmd.ptr, 2 * o->time_s + PINGS_S + PROBE_IDLE_S, probe,
                               err);
        if (ret == 0) {
            name_the_host(probe, client);
        }
    }
    val_unref(started);
    buf_release(&cmd);
    return ret;
}

/* The state of one check_net_run(). */
struct mesh {
    struct check_net_host *hosts;
    size_t n;
    const struct check_net_opts *o;
    struct check_net_pair *pairs;
    size_t *current;     /* indexes into 'pairs' of the phase being measured */
    struct val **probes; /* per entry of 'current' */
    struct err *errs;    /* per entry of 'current' */
    check_net_done_fn *done;
    void *arg;
};

static void place_work(size_t i, void *arg)
{
    struct mesh *m = arg;

    place_probe(m->hosts[i].conn, m->o->probe_path, &m->hosts[i].err);
}

static void remove_work(size_t i, void *arg)
{
    struct mesh *m = arg;

    if (m->hosts[i].err.kind == ERR_NONE) {
        remove_probe(m->hosts[i].conn);
    }
}

static void pair_work(size_t k, void *arg)
{
    struct mesh *m = arg;
    const struct check_net_pair *p = &m->pairs[m->current[k]];
    const struct check_net_host *to = &m->hosts[p->to];

    measure(m->hosts[p->from].conn, to->conn, to->address, to->port, m->o, &m->probes[k],
            &m->errs[k]);
}

static void pair_done(size_t k, void *arg)
{
    struct mesh *m = arg;

    m->done(&m->pairs[m->current[k]], m->probes[k],
            m->errs[k].kind != ERR_NONE ? m->errs[k].msg : NULL, m->arg);
    val_unref(m->probes[k]);
    m->probes[k] = NULL;
}

/* Reports a pair whose host could not take part, without measuring it. */
static void report_absent(struct mesh *m, const struct check_net_pair *p)
{
    const struct check_net_host *h = m->hosts[p->from].err.kind != ERR_NONE ? &m->hosts[p->from]
                                                                            : &m->hosts[p->to];
    char *why = xasprintf("%s: %s", h->name, h->err.msg);

    m->done(p, NULL, why, m->arg);
    free(why);
}

void check_net_run(struct check_net_host *hosts, size_t n, const struct check_net_opts *o,
                   check_net_done_fn *done, void *arg)
{
    struct mesh m = { .hosts = hosts, .n = n, .o = o, .done = done, .arg = arg };
    size_t phases, count = check_net_schedule(n, &m.pairs, &phases), next = 0;

    m.current = xcalloc(n, sizeof(*m.current));
    m.probes = xcalloc(n, sizeof(*m.probes));
    m.errs = xcalloc(n, sizeof(*m.errs));
    pool_run(n, o->forks, place_work, NULL, &m);
    for (size_t phase = 0; phase < phases; phase++) {
        size_t measured = 0;

        for (; next < count && m.pairs[next].phase == phase; next++) {
            const struct check_net_pair *p = &m.pairs[next];

            if (hosts[p->from].err.kind != ERR_NONE || hosts[p->to].err.kind != ERR_NONE) {
                report_absent(&m, p);
                continue;
            }
            m.errs[measured] = (struct err)ERR_INIT;
            m.current[measured++] = next;
        }
        pool_run(measured, o->forks, pair_work, pair_done, &m);
    }
    pool_run(n, o->forks, remove_work, NULL, &m);
    free(m.pairs);
    free(m.current);
    free(m.probes);
    free(m.errs);
}
