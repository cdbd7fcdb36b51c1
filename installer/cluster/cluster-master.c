/*
 * cluster-master.c - kubectl on the first master: one connection, opened with the host's
 * connection variables (cluster.h).
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "cluster/cluster.h"
#include "conn/conn-settings.h"
#include "conn/conn.h"
#include "conn/shell-quote.h"
#include "inventory/inv.h"
#include "value/val.h"

struct cluster_master {
    struct conn *conn; /* owned */
    char *host;        /* owned */
    char *kubectl;     /* owned */
};

static int connect_master(struct cluster_master *m, const struct inventory *inv,
                          const char *inventory, struct err *err)
{
    const struct inv_host *ih = inv_group_first(inv, "masters");
    struct conn_settings cs;
    struct svec store = SVEC_INIT;
    struct val *vars;
    const char *bin;
    int ret = -1;

    if (!ih) {
        return err_set(err, ERR_USAGE, "no host in group 'masters' of the inventory '%s' to run "
                       "kubectl on", inventory);
    }
    vars = inv_host_vars(inv, ih);
    m->host = xstrdup(ih->name);
    bin = val_dict_get_str(vars, "kubectl_bin");
    m->kubectl = xstrdup(bin && bin[0] ? bin : "kubectl");
    if (conn_settings_from_vars(&cs, &store, ih->name, vars, err) == 0) {
        m->conn = conn_new(&cs, err);
        ret = m->conn && conn_open(m->conn, err) == 0 ? 0 : -1;
    }
    svec_release(&store);
    val_unref(vars);
    return ret;
}

struct cluster_master *cluster_master_open(const char *inventory, struct err *err)
{
    struct inventory *inv = inv_new();
    struct cluster_master *m = xcalloc(1, sizeof(*m));

    if (inv_load(inv, inventory, err) < 0 || inv_finish(inv, err) < 0 ||
        connect_master(m, inv, inventory, err) < 0) {
        cluster_master_close(m);
        m = NULL;
    }
    inv_free(inv);
    return m;
}

void cluster_master_close(struct cluster_master *m)
{
    if (!m) {
        return;
    }
    conn_free(m->conn);
    free(m->host);
    free(m->kubectl);
    free(m);
}

const char *cluster_master_host(const struct cluster_master *m)
{
    return m->host;
}

/* The last non-empty line of 'text' (trailing blanks cut), or NULL. */
static const char *last_line(struct buf *text)
{
    char *nl;

    while (text->len && (text->ptr[text->len - 1] == '\n' || text->ptr[text->len - 1] == ' ')) {
        text->ptr[--text->len] = '\0';
    }
    if (!text->len) {
        return NULL;
    }
    nl = strrchr(text->ptr, '\n');
    return nl ? nl + 1 : text->ptr;
}

int cluster_master_run(struct cluster_master *m, const char *what, const char *const *argv,
                       const char *input, int timeout_s, struct buf *out, struct err *err)
{
    struct buf cmd = BUF_INIT, stdout_text = BUF_INIT, stderr_text = BUF_INIT;
    struct exec_req req = { 0 };
    struct exec_result res = { .out = &stdout_text, .err = &stderr_text };
    int ret = -1;

    sh_quote_argv(&cmd, (char *const *)argv);
    req.cmd = cmd.ptr;
    req.stdin_data = input;
    req.stdin_len = input ? strlen(input) : 0;
    req.timeout_s = timeout_s;
    if (conn_exec(m->conn, &req, &res, err) < 0) {
        err_prefix(err, "%s: ", what);
        goto out;
    }
    if (res.status != 0) {
        const char *line = last_line(stderr_text.len ? &stderr_text : &stdout_text);

        err_set(err, ERR_FAILED, "%s (on %s): %s", what, m->host,
                res.status < 0 ? "timed out" : line ? line : "failed");
        goto out;
    }
    if (out) {
        buf_add(out, stdout_text.ptr, stdout_text.len);
    }
    ret = 0;
out:
    buf_release(&cmd);
    buf_release(&stdout_text);
    buf_release(&stderr_text);
    return ret;
}

int cluster_kubectl(struct cluster_master *m, const char *what, const char *const *args,
                    const char *input, int timeout_s, struct buf *out, struct err *err)
{
    struct svec argv = SVEC_INIT;
    int ret;

    svec_push(&argv, m->kubectl);
    for (size_t i = 0; args[i]; i++) {
        svec_push(&argv, args[i]);
    }
    ret = cluster_master_run(m, what, (const char *const *)svec_argv(&argv), input, timeout_s,
                             out, err);
    svec_release(&argv);
    return ret;
}
