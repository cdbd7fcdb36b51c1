/*
 * helm-remote.c - one helm command on the target host over a struct conn: argv quoted with
 * conn/shell-quote.h, helm's stderr kept as the failure message. An upgrade works from a private
 * temporary directory made on the host (mktemp -d under umask 077), where the chart and the
 * values are uploaded (0600) and which is removed afterwards; values reach helm only as a file.
 */
#include "pot.h"
#include <string.h>
#include "base/err.h"
#include "base/log.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "conn/shell-quote.h"
#include "helm/helm-int.h"
#include "helmfile/helmfile.h"

/* pot sets no time limit of its own on helm: helm's --timeout bounds its waits, and the
 * transport's keepalive notices a vanished host. (A limit here would also leave the release
 * pending-* behind a helm that was about to finish.) */
#define NO_LIMIT 0

void helm_cmd_init(struct helm_cmd *cmd)
{
    cmd->out = (struct buf)BUF_INIT;
    cmd->msg = (struct buf)BUF_INIT;
}

void helm_cmd_release(struct helm_cmd *cmd)
{
    buf_release(&cmd->out);
    buf_release(&cmd->msg);
}

/* helm's message on one line: from its first "Error:" line on when it has one (warnings before
 * it are left out), else the whole text; lines joined by spaces, blank lines and helm's
 * "Use --debug flag" hint dropped. */
static void set_message(struct buf *msg, const char *text)
{
    const char *from = text;
    const char *e = strstr(text, "Error: ");
    struct svec lines = SVEC_INIT;

    if (e && (e == text || e[-1] == '\n')) {
        from = e;
    }
    svec_split_lines(&lines, from);
    buf_reset(msg);
    for (size_t i = 0; i < lines.len; i++) {
        char *line = str_trim(lines.items[i]);

        if (line[0] && !str_starts_with(line, "Use --debug flag")) {
            buf_addf(msg, "%s%s", msg->len ? " " : "", line);
        }
        free(line);
    }
    svec_release(&lines);
    log_redact(msg);
}

static int run_line(struct helm_target *t, struct conn *c, const char *line, int timeout_s,
                    struct helm_cmd *cmd, struct err *err)
{
    struct buf errout = BUF_INIT;
    struct exec_req req = { .cmd = line, .timeout_s = timeout_s };
    struct exec_result res = { .out = &cmd->out, .err = &errout };
    int ret = -1;

    buf_reset(&cmd->out);
    buf_reset(&cmd->msg);
    log_debug("host '%s': %s", t->host, line);
    if (conn_exec(c, &req, &res, err) < 0) {
        goto out;
    }
    ret = 0;
    if (res.status != 0) {
        ret = 1;
        if (res.status == -1) {
            buf_addf(&cmd->msg, "no answer within %d s", timeout_s);
        } else if (errout.len) {
            set_message(&cmd->msg, errout.ptr);
        } else if (cmd->out.len) {
            set_message(&cmd->msg, cmd->out.ptr);
        }
        if (cmd->msg.len == 0) {
            buf_addf(&cmd->msg, "exit status %d", res.status);
        }
    }
out:
    buf_release(&errout);
    return ret;
}

int helm_remote_run(struct helm_target *t, struct conn *c, char *const argv[], int timeout_s,
                    struct helm_cmd *cmd, struct err *err)
{
    struct buf line = BUF_INIT;
    int ret;

    sh_quote_argv(&line, argv);
    ret = run_line(t, c, line.ptr, timeout_s, cmd, err);
    buf_release(&line);
    return ret;
}

int helm_remote_check(struct helm_target *t, struct conn *c, struct err *err)
{
    struct helm_cmd cmd;
    struct buf line = BUF_INIT;
    int rc;

    helm_cmd_init(&cmd);
    buf_adds(&line, "command -v ");
    sh_quote(&line, t->helm_bin);
    buf_adds(&line, " || { echo \"not in PATH=$PATH\" >&2; exit 1; }");
    rc = run_line(t, c, line.ptr, NO_LIMIT, &cmd, err);
    if (rc == 1) {
        err_set(err, ERR_FAILED, "host '%s': %s not found (command -v %s): %s", t->host,
                t->helm_bin, t->helm_bin, cmd.msg.ptr);
        rc = -1;
    }
    buf_release(&line);
    helm_cmd_release(&cmd);
    return rc;
}

int helm_remote_list(struct helm_target *t, struct conn *c, struct buf *json, struct err *err)
{
    char *argv[] = { t->helm_bin, "list", "-A", "--all", "-o", "json", NULL };
    struct helm_cmd cmd;
    int rc;

    helm_cmd_init(&cmd);
    rc = helm_remote_run(t, c, argv, NO_LIMIT, &cmd, err);
    if (rc == 1) {
        err_set(err, ERR_FAILED, "host '%s': helm list: %s", t->host, cmd.msg.ptr);
        rc = -1;
    }
    if (rc == 0) {
        buf_add(json, cmd.out.ptr, cmd.out.len);
    }
    helm_cmd_release(&cmd);
    return rc;
}

/* -n NS when the release has one (helm's default namespace otherwise). */
static void push_ns(struct svec *argv, const struct hf_release *r)
{
    if (r->namespace && r->namespace[0]) {
        svec_push(argv, "-n");
        svec_push(argv, r->namespace);
    }
}

static void push_wait(struct svec *argv, const struct hf_release *r)
{
    if (r->wait) {
        svec_push(argv, "--wait");
    }
    if (r->timeout > 0) {
        svec_push(argv, "--timeout");
        svec_pushf(argv, "%ds", r->timeout);
    }
}

static int release_revision(struct helm_target *t, struct conn *c, const struct hf_release *r,
                            int *revision, struct err *err)
{
    struct svec argv = SVEC_INIT;
    struct helm_cmd cmd;
    int rc;

    helm_cmd_init(&cmd);
    svec_push(&argv, t->helm_bin);
    svec_push(&argv, "status");
    svec_push(&argv, r->name);
    push_ns(&argv, r);
    svec_push(&argv, "-o");
    svec_push(&argv, "json");
    rc = helm_remote_run(t, c, svec_argv(&argv), NO_LIMIT, &cmd, err);
    if (rc == 0) {
        *revision = helm_revision_from_output(cmd.out.ptr, cmd.out.len);
    }
    helm_cmd_release(&cmd);
    svec_release(&argv);
    return rc < 0 ? -1 : 0;
}

static int make_tmpdir(struct helm_target *t, struct conn *c, char **dir, struct helm_cmd *cmd,
                       struct err *err)
{
    int rc = run_line(t, c, "umask 077 && mktemp -d \"${TMPDIR:-/tmp}/pot-helm.XXXXXXXX\"",
                      NO_LIMIT, cmd, err);
    char *path;

    if (rc != 0) {
        return rc;
    }
    path = str_trim(cmd->out.ptr);
    if (path[0] != '/') {
        buf_reset(&cmd->msg);
        buf_addf(&cmd->msg, "mktemp -d printed no directory");
        free(path);
        return 1;
    }
    *dir = path;
    return 0;
}

static void remove_tmpdir(struct helm_target *t, struct conn *c, const char *dir)
{
    char *argv[] = { "rm", "-rf", (char *)dir, NULL };
    struct helm_cmd cmd;
    struct err ignored = ERR_INIT;

    helm_cmd_init(&cmd);
    if (helm_remote_run(t, c, argv, NO_LIMIT, &cmd, &ignored) != 0) {
        log_info("host '%s': could not remove '%s'", t->host, dir);
    }
    helm_cmd_release(&cmd);
}

void helm_remote_sweep(struct helm_target *t, struct conn *c)
{
    struct helm_cmd cmd;
    struct err ignored = ERR_INIT;

    helm_cmd_init(&cmd);
    if (run_line(t, c,
                 "find \"${TMPDIR:-/tmp}\" -maxdepth 1 -name 'pot-helm.*' -user \"$(id -u)\" "
                 "-mmin +60 -exec rm -rf {} +",
                 NO_LIMIT, &cmd, &ignored) != 0) {
        log_info("host '%s': could not sweep old pot-helm.* directories", t->host);
    }
    helm_cmd_release(&cmd);
}

static int put_file(struct helm_target *t, struct conn *c, const char *path, const void *data,
                    size_t len, struct helm_cmd *cmd, struct err *err)
{
    if (conn_put(c, path, data, len, 0600, NULL, err) < 0) {
        if (err->kind == ERR_UNREACHABLE || err->kind == ERR_AUTH) {
            return -1;
        }
        buf_reset(&cmd->msg);
        buf_addf(&cmd->msg, "upload to host '%s' failed: %s", t->host, err->msg);
        err_clear(err);
        return 1;
    }
    return 0;
}

char *helm_description(const char *inputs)
{
    return xasprintf("pot inputs %s", inputs);
}

int helm_remote_latest(struct helm_target *t, struct conn *c, const struct hf_release *r,
                       struct helm_latest *out, struct helm_cmd *cmd, struct err *err)
{
    struct svec argv = SVEC_INIT;
    int rc;

    svec_push(&argv, t->helm_bin);
    svec_push(&argv, "history");
    svec_push(&argv, r->name);
    push_ns(&argv, r);
    svec_push(&argv, "--max");
    svec_push(&argv, "1");
    svec_push(&argv, "-o");
    svec_push(&argv, "json");
    rc = helm_remote_run(t, c, svec_argv(&argv), NO_LIMIT, cmd, err);
    if (rc == 0 && helm_history_latest(cmd->out.ptr, cmd->out.len, out) < 0) {
        buf_reset(&cmd->msg);
        buf_adds(&cmd->msg, "helm history has no revision");
        rc = 1;
    }
    svec_release(&argv);
    return rc;
}

int helm_remote_wait_idle(struct helm_target *t, struct conn *c, const struct hf_release *r,
                          int limit_s, struct err *err)
{
    struct buf line = BUF_INIT;
    struct buf pattern = BUF_INIT;
    struct helm_cmd cmd;
    int rc;

    /* "[u]pgrade": the pattern does not match the shell that runs pgrep */
    buf_addf(&pattern, "[u]pgrade --install %s ", r->name);
    buf_addf(&line, "i=0; while pgrep -f -- ");
    sh_quote(&line, pattern.ptr);
    buf_addf(&line, " >/dev/null; do [ $i -ge %d ] && exit 1; i=$((i + 1)); sleep 1; done",
             limit_s);
    helm_cmd_init(&cmd);
    rc = run_line(t, c, line.ptr, NO_LIMIT, &cmd, err);
    helm_cmd_release(&cmd);
    buf_release(&pattern);
    buf_release(&line);
    return rc;
}

int helm_remote_upgrade(struct helm_target *t, struct conn *c, const struct hf_release *r,
                        const struct helm_chart *chart, const char *inputs, int *revision,
                        struct helm_cmd *cmd, struct err *err)
{
    struct svec argv = SVEC_INIT;
    char *dir = NULL;
    char *chart_path = NULL;
    char *values_path = NULL;
    int rc;

    *revision = 0;
    rc = make_tmpdir(t, c, &dir, cmd, err);
    if (rc != 0) {
        return rc;
    }
    chart_path = xasprintf("%s/%s.tgz", dir, chart->name ? chart->name : "chart");
    values_path = xasprintf("%s/values.yaml", dir);
    rc = put_file(t, c, chart_path, chart->tgz.ptr, chart->tgz.len, cmd, err);
    if (rc == 0 && r->values_yaml) {
        rc = put_file(t, c, values_path, r->values_yaml, strlen(r->values_yaml), cmd, err);
    }
    if (rc == 0) {
        svec_push(&argv, t->helm_bin);
        svec_push(&argv, "upgrade");
        svec_push(&argv, "--install");
        svec_push(&argv, r->name);
        svec_push(&argv, chart_path);
        push_ns(&argv, r);
        if (r->create_namespace) {
            svec_push(&argv, "--create-namespace");
        }
        if (r->values_yaml) {
            svec_push(&argv, "-f");
            svec_push(&argv, values_path);
        }
        push_wait(&argv, r);
        svec_push(&argv, "--description");
        svec_push_take(&argv, helm_description(inputs));
        rc = helm_remote_run(t, c, svec_argv(&argv), NO_LIMIT, cmd, err);
    }
    if (rc == 0) {
        *revision = helm_revision_from_output(cmd->out.ptr, cmd->out.len);
    }
    if (rc >= 0) {
        remove_tmpdir(t, c, dir);
    }
    if (rc == 0 && *revision == 0) {
        rc = release_revision(t, c, r, revision, err);
    }
    svec_release(&argv);
    free(values_path);
    free(chart_path);
    free(dir);
    return rc;
}

int helm_remote_uninstall(struct helm_target *t, struct conn *c, const struct hf_release *r,
                          struct helm_cmd *cmd, struct err *err)
{
    struct svec argv = SVEC_INIT;
    int rc;

    svec_push(&argv, t->helm_bin);
    svec_push(&argv, "uninstall");
    svec_push(&argv, r->name);
    push_ns(&argv, r);
    push_wait(&argv, r);
    rc = helm_remote_run(t, c, svec_argv(&argv), NO_LIMIT, cmd, err);
    if (rc == 1 && strstr(cmd->msg.ptr, "not found")) {
        rc = 0; /* already gone: uninstalling is idempotent */
    }
    svec_release(&argv);
    return rc;
}

int helm_remote_rollback(struct helm_target *t, struct conn *c, const struct hf_release *r,
                         int *to, struct helm_cmd *cmd, struct err *err)
{
    struct svec argv = SVEC_INIT;
    int rc;

    *to = 0;
    svec_push(&argv, t->helm_bin);
    svec_push(&argv, "history");
    svec_push(&argv, r->name);
    push_ns(&argv, r);
    svec_push(&argv, "-o");
    svec_push(&argv, "json");
    rc = helm_remote_run(t, c, svec_argv(&argv), NO_LIMIT, cmd, err);
    if (rc != 0) {
        goto out;
    }
    *to = helm_history_last_deployed(cmd->out.ptr, cmd->out.len);
    if (*to == 0) {
        buf_reset(&cmd->msg);
        buf_adds(&cmd->msg, "no deployed revision to roll back to in helm history");
        rc = 1;
        goto out;
    }
    svec_release(&argv);
    svec_push(&argv, t->helm_bin);
    svec_push(&argv, "rollback");
    svec_push(&argv, r->name);
    svec_pushf(&argv, "%d", *to);
    push_ns(&argv, r);
    push_wait(&argv, r);
    rc = helm_remote_run(t, c, svec_argv(&argv), NO_LIMIT, cmd, err);
out:
    svec_release(&argv);
    return rc;
}
