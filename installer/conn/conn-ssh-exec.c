/*
 * conn-ssh-exec.c - runs one command on an ssh connection: one channel per command, a /bin/sh
 * line carrying chdir and env, become wrapping from become.c, stdin streamed as the window
 * allows, stdout and stderr captured, exit status or signal, and an optional time limit.
 *
 * sudo with a password is a conversation: the wrapped command first prints a random marker;
 * the password is written only when sudo's prompt appears on stderr, and the command's stdin
 * only after the marker, so the password never reaches a command that did not ask for it.
 *
 * su with a password reads it from a terminal, so that one command runs on a pty: su's prompt
 * shows on the (merged) output, the password answers it, and the command then puts the pty in
 * raw mode, prints the marker, reads exactly the stdin bytes it is given (head -c) and keeps its
 * stderr in a temporary file that follows a second marker, so stdout and stderr stay apart.
 */
#include "pot.h"
#include <string.h>
#include <time.h>
#include <libssh/callbacks.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "conn/become.h"
#include "conn/conn.h"
#include "conn/conn-ssh.h"
#include "conn/shell-quote.h"

#define POLL_SLICE_MS 100
#define READ_CHUNK 65536
#define WRITE_CHUNK 65536

struct run {
    struct conn *c;                 /* borrowed */
    const struct exec_req *req;     /* borrowed */
    ssh_channel ch;                 /* owned */
    struct ssh_channel_callbacks_struct cb;
    struct become_cmd bc;           /* owned */
    char *marker;                   /* owned; NULL when sudo will not prompt */
    char *err_marker;               /* owned, pty only: the line before the stderr text */
    bool pty;                       /* su with a password: the command runs on a pty */
    bool awaiting_become;           /* the marker has not been seen yet */
    int prompts_answered;
    size_t input_pos;
    bool eof_sent;
    struct buf out, errb;           /* owned: what the command printed */
    char signal_name[32];           /* from exit-signal, "" when none */
};

static const struct {
    const char *name;
    int number;
} signal_numbers[] = {
    { "HUP", 1 }, { "INT", 2 }, { "QUIT", 3 }, { "ILL", 4 }, { "ABRT", 6 }, { "FPE", 8 },
    { "KILL", 9 }, { "USR1", 10 }, { "SEGV", 11 }, { "USR2", 12 }, { "PIPE", 13 },
    { "ALRM", 14 }, { "TERM", 15 },
};

static void on_exit_signal(ssh_session session, ssh_channel channel, const char *signal, int core,
                           const char *errmsg, const char *lang, void *userdata)
{
    struct run *r = userdata;

    snprintf(r->signal_name, sizeof(r->signal_name), "%s", signal ? signal : "");
}

static int signal_status(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(signal_numbers); i++) {
        if (strcmp(signal_numbers[i].name, name) == 0) {
            return 128 + signal_numbers[i].number;
        }
    }
    return 255;
}

/* "[echo MARKER;] [cd DIR || exit 1;] [export N=V;] CMD", run by the (become) shell. */
static int inner_command(const struct run *r, struct buf *out, struct err *err)
{
    const struct exec_req *req = r->req;

    if (r->marker && !r->pty) {
        buf_addf(out, "echo %s; ", r->marker);
    }
    if (req->chdir) {
        buf_adds(out, "cd ");
        sh_quote(out, req->chdir);
        buf_adds(out, " || exit 1; ");
    }
    for (size_t i = 0; req->env && req->env[i]; i++) {
        const char *eq = strchr(req->env[i], '=');
        size_t name_len = eq ? (size_t)(eq - req->env[i]) : 0;

        if (!eq || !sh_is_name(req->env[i], name_len)) {
            return err_set(err, ERR_USAGE, "host '%s': invalid environment entry '%.*s'",
                           r->c->settings.host_name, (int)(eq ? name_len : 40), req->env[i]);
        }
        buf_addf(out, "export %.*s=", (int)name_len, req->env[i]);
        sh_quote(out, eq + 1);
        buf_adds(out, "; ");
    }
    buf_adds(out, req->cmd);
    return 0;
}

/* su on a pty: 'cmd' (from inner_command) wrapped to switch the pty to raw mode, print the
 * marker, take exactly the stdin bytes sent and keep stderr apart (see the top of the file). */
static void su_pty_command(struct run *r, const char *cmd, struct buf *out)
{
    size_t n = r->req->stdin_data ? r->req->stdin_len : 0;

    r->err_marker = xasprintf("%s-STDERR", r->marker);
    buf_addf(out, "stty raw -echo -iexten 2>/dev/null; echo %s; e=$(mktemp) || exit 125; ",
             r->marker);
    if (n > 0) {
        buf_addf(out, "head -c %zu | ", n);
    }
    buf_adds(out, "/bin/sh -c ");
    sh_quote(out, cmd);
    buf_addf(out, "%s 2>\"$e\"; s=$?; printf '\\n%%s\\n' %s; cat \"$e\"; rm -f \"$e\"; exit $s",
             n > 0 ? "" : " </dev/null", r->err_marker);
}

static int build_cmdline(struct run *r, struct buf *cmdline, struct err *err)
{
    const struct become *b = r->req->become;
    bool becoming = b && b->method != BECOME_NONE;
    bool has_password = becoming && b->password && *b->password;
    bool with_password = has_password && b->method == BECOME_SUDO;
    struct buf inner = BUF_INIT;

    r->pty = has_password && b->method == BECOME_SU;
    if (with_password || r->pty) {
        char *hex = str_random_hex();

        r->marker = xasprintf("BECOME-SUCCESS-%s", hex);
        r->awaiting_become = true;
        free(hex);
    }
    if (inner_command(r, &inner, err) < 0) {
        buf_release(&inner);
        return -1;
    }
    if (r->pty) {
        struct buf wrapped = BUF_INIT;

        su_pty_command(r, inner.ptr, &wrapped);
        buf_release(&inner);
        inner = wrapped;
    }
    if (becoming) {
        become_wrap(b, inner.ptr, with_password, &r->bc);
        buf_adds(cmdline, r->bc.cmdline);
    } else {
        buf_adds(cmdline, "/bin/sh -c ");
        sh_quote(cmdline, inner.ptr);
    }
    buf_release(&inner);
    return 0;
}

static int lost(struct run *r, const char *what, struct err *err)
{
    struct ssh_link *link = r->c->transport;

    conn_ssh_unreachable(r->c, link ? link->session : NULL, what, err);
    conn_ssh_drop(r->c);
    r->ch = NULL; /* freed with the session */
    return -1;
}

/* Opens a channel and starts 'cmdline'; when the connection turns out to be dead, reconnects
 * once and tries again. */
static int start(struct run *r, const char *cmdline, struct err *err)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        struct ssh_link *link = conn_ssh_link(r->c, err);

        if (!link) {
            return -1;
        }
        r->ch = ssh_channel_new(link->session);
        if (r->ch && ssh_channel_open_session(r->ch) == SSH_OK &&
            ssh_set_channel_callbacks(r->ch, &r->cb) == SSH_OK &&
            (!r->pty || ssh_channel_request_pty_size(r->ch, "dumb", 200, 24) == SSH_OK) &&
            ssh_channel_request_exec(r->ch, cmdline) == SSH_OK) {
            return 0;
        }
        if (conn_ssh_alive(r->c)) {
            return lost(r, "cannot start a command", err);
        }
        log_info("host '%s': ssh connection dropped; reconnecting", r->c->settings.host_name);
        conn_ssh_drop(r->c);
        r->ch = NULL;
    }
    return conn_ssh_unreachable(r->c, NULL, "connection dropped and reconnecting failed", err);
}

/* Returns bytes read (0 when nothing is buffered or at EOF), or -1 when the connection broke. */
static int read_stream(struct run *r, int is_stderr)
{
    char chunk[READ_CHUNK];
    int n = ssh_channel_read_nonblocking(r->ch, chunk, sizeof(chunk), is_stderr);

    if (n == SSH_EOF) {
        return 0;
    }
    if (n < 0) {
        return -1;
    }
    buf_add(is_stderr ? &r->errb : &r->out, chunk, (size_t)n);
    return n;
}

static void cut(struct buf *b, size_t from, size_t len)
{
    memmove(b->ptr + from, b->ptr + from + len, b->len - from - len);
    buf_truncate(b, b->len - len);
}

/* Answers a become prompt with the password (only ever written to the channel). */
static int send_password(struct run *r, struct err *err)
{
    const char *pw = r->req->become->password;

    r->prompts_answered++;
    if (ssh_channel_write(r->ch, pw, (uint32_t)strlen(pw)) < 0 ||
        ssh_channel_write(r->ch, "\n", 1) < 0) {
        return lost(r, "connection lost while sending the become password", err);
    }
    return 0;
}

static int answer_prompt(struct run *r, struct err *err)
{
    char *at = strstr(r->errb.ptr, r->bc.prompt);

    if (!at) {
        return 0;
    }
    cut(&r->errb, (size_t)(at - r->errb.ptr), strlen(r->bc.prompt));
    if (r->prompts_answered > 0) {
        return err_set(err, ERR_FAILED,
                       "host '%s': incorrect sudo password for user '%s' (become user '%s')",
                       r->c->settings.host_name,
                       r->c->settings.user ? r->c->settings.user : "?",
                       r->req->become->user ? r->req->become->user : "root");
    }
    return send_password(r, err);
}

/* su on a pty: its prompt ("Password: ", "root's password:") ends the merged output so far. */
static int answer_su_prompt(struct run *r, struct err *err)
{
    char *at = strstr(r->out.ptr ? r->out.ptr : "", "assword");
    char *colon = at ? strchr(at, ':') : NULL;

    if (!colon || strstr(r->out.ptr, r->marker)) {
        return 0;
    }
    cut(&r->out, 0, (size_t)(colon + 1 - r->out.ptr));
    if (r->prompts_answered > 0) {
        return err_set(err, ERR_FAILED, "host '%s': incorrect su password for become user '%s'",
                       r->c->settings.host_name,
                       r->req->become->user ? r->req->become->user : "root");
    }
    return send_password(r, err);
}

static void see_marker(struct run *r)
{
    char *at = strstr(r->out.ptr, r->marker);
    char *nl = at ? strchr(at, '\n') : NULL;

    if (nl) {
        cut(&r->out, 0, (size_t)(nl + 1 - r->out.ptr));
        r->awaiting_become = false;
    }
}

static int send_input(struct run *r, bool *progress, struct err *err)
{
    const struct exec_req *req = r->req;
    size_t left = req->stdin_data ? req->stdin_len - r->input_pos : 0;

    if (left > 0) {
        uint32_t window = ssh_channel_window_size(r->ch);
        size_t n = left < WRITE_CHUNK ? left : WRITE_CHUNK;
        int wrote;

        if (window == 0) {
            return 0;
        }
        n = n < window ? n : window;
        wrote = ssh_channel_write(r->ch, req->stdin_data + r->input_pos, (uint32_t)n);
        if (wrote < 0) {
            return lost(r, "connection lost while sending stdin", err);
        }
        r->input_pos += (size_t)wrote;
        *progress = true;
    } else if (!r->eof_sent && !r->pty) { /* on a pty, head -c ends the input instead */
        ssh_channel_send_eof(r->ch);
        r->eof_sent = true;
    }
    return 0;
}

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* su ended before the marker: it refused the password (or asked for none it got). */
static int su_failed(struct run *r, struct err *err)
{
    return err_set(err, ERR_FAILED, "host '%s': su to '%s' failed: %s", r->c->settings.host_name,
                   r->req->become->user ? r->req->become->user : "root",
                   r->prompts_answered > 0 ? "incorrect su password" : "no password prompt seen");
}

/* Moves data both ways until the command's output ends. Sets *timed_out when the limit hit. */
static int pump(struct run *r, bool *timed_out, struct err *err)
{
    long long deadline = r->req->timeout_s > 0 ? now_ms() + r->req->timeout_s * 1000LL : 0;

    for (;;) {
        bool progress = false;
        int n_out, n_err;

        if (deadline && now_ms() >= deadline) {
            *timed_out = true;
            return 0;
        }
        n_out = read_stream(r, 0);
        n_err = read_stream(r, 1);
        if (n_out < 0 || n_err < 0) {
            return lost(r, "connection lost while running a command", err);
        }
        progress = n_out > 0 || n_err > 0;
        if (r->awaiting_become && !r->pty && answer_prompt(r, err) < 0) {
            return -1;
        }
        if (r->awaiting_become && r->pty && answer_su_prompt(r, err) < 0) {
            return -1;
        }
        if (r->awaiting_become) {
            see_marker(r);
        }
        if (!r->awaiting_become && send_input(r, &progress, err) < 0) {
            return -1;
        }
        if (!progress && ssh_channel_is_eof(r->ch)) {
            return r->awaiting_become && r->pty ? su_failed(r, err) : 0;
        }
        if (!progress && ssh_channel_poll_timeout(r->ch, POLL_SLICE_MS, 0) == SSH_ERROR) {
            return lost(r, "connection lost while running a command", err);
        }
    }
}

/* su on a pty: what follows "\nERR_MARKER\n" is the command's stderr. */
static void split_su_output(struct run *r)
{
    char *line = xasprintf("\n%s\n", r->err_marker);
    char *at = r->out.len ? memmem(r->out.ptr, r->out.len, line, strlen(line)) : NULL;

    if (at) {
        size_t pos = (size_t)(at - r->out.ptr);
        size_t tail = pos + strlen(line);

        buf_add(&r->errb, r->out.ptr + tail, r->out.len - tail);
        buf_truncate(&r->out, pos);
    }
    free(line);
}

static int finish(struct run *r, bool timed_out, struct exec_result *res)
{
    int status;

    if (timed_out) {
        ssh_channel_request_send_signal(r->ch, "KILL");
        status = -1;
    } else {
        if (!r->eof_sent) {
            ssh_channel_send_eof(r->ch);
        }
        status = ssh_channel_get_exit_status(r->ch);
        if (r->signal_name[0]) {
            status = signal_status(r->signal_name);
        } else if (status < 0) {
            status = 255;
        }
    }
    ssh_channel_close(r->ch);
    if (r->pty) {
        split_su_output(r);
    }
    if (res->out) {
        buf_add(res->out, r->out.ptr, r->out.len);
    }
    if (res->err) {
        buf_add(res->err, r->errb.ptr, r->errb.len);
    }
    res->status = status;
    return 0;
}

static void run_release(struct run *r)
{
    if (r->ch) {
        ssh_channel_free(r->ch);
    }
    become_cmd_release(&r->bc);
    free(r->marker);
    free(r->err_marker);
    buf_release(&r->out);
    buf_release(&r->errb);
}

int conn_ssh_exec(struct conn *c, const struct exec_req *req, struct exec_result *res,
                  struct err *err)
{
    struct run r = { .c = c, .req = req, .out = BUF_INIT, .errb = BUF_INIT };
    struct buf cmdline = BUF_INIT;
    bool timed_out = false;
    int ret = -1;

    ssh_callbacks_init(&r.cb);
    r.cb.userdata = &r;
    r.cb.channel_exit_signal_function = on_exit_signal;
    if (build_cmdline(&r, &cmdline, err) < 0) {
        goto out;
    }
    log_debug("host '%s': ssh exec: %s", c->settings.host_name, cmdline.ptr);
    if (start(&r, cmdline.ptr, err) < 0 || pump(&r, &timed_out, err) < 0) {
        goto out;
    }
    ret = finish(&r, timed_out, res);
out:
    run_release(&r);
    buf_release(&cmdline);
    return ret;
}
