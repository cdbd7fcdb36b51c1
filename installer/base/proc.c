/*
 * proc.c - fork/exec with pipes and poll: stdin feeding, a time limit, and the output either
 * captured into buffers (proc_run) or cut into lines for a callback as it arrives
 * (proc_run_lines). Both share the start, the poll loop and the wait.
 */
#include "pot.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/proc.h"

/* Where the bytes read from one of the child's output pipes go: appended to 'buf', or cut into
 * lines for 'on_line'; discarded when neither is set. */
struct sink {
    struct buf *buf;       /* borrowed */
    proc_line_fn *on_line;
    void *arg;
    struct buf line;       /* on_line: the start of a line whose '\n' has not come yet */
};

/* The parent's side of a running child: its pid and the parent's ends of its pipes (-1 once
 * closed, or when there is none: no stdin data, stderr merged). */
struct child {
    pid_t pid;
    int in_fd, out_fd, err_fd;
};

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

static void sink_add(struct sink *s, const char *data, size_t len)
{
    if (!s->on_line) {
        if (s->buf) {
            buf_add(s->buf, data, len);
        }
        return;
    }
    for (const char *nl = memchr(data, '\n', len); nl; nl = memchr(data, '\n', len)) {
        size_t part = (size_t)(nl - data);

        buf_add(&s->line, data, part);
        s->on_line(s->arg, s->line.ptr, s->line.len);
        buf_reset(&s->line);
        data = nl + 1;
        len -= part + 1;
    }
    buf_add(&s->line, data, len);
}

/* The output has ended: hands over a last line without '\n'. */
static void sink_finish(struct sink *s)
{
    if (s->on_line && s->line.len) {
        s->on_line(s->arg, s->line.ptr, s->line.len);
    }
    buf_release(&s->line);
}

static void child_exec(char *const argv[], const struct proc_opts *opts, int in_fd, int out_fd,
                       int err_fd)
{
    dup2(in_fd, 0);
    dup2(out_fd, 1);
    dup2(opts->merge_stderr ? out_fd : err_fd, 2);
    if (opts->cwd && chdir(opts->cwd) < 0) {
        dprintf(2, "cannot change directory to '%s': %s\n", opts->cwd, strerror(errno));
        _exit(127);
    }
    signal(SIGPIPE, SIG_DFL);
    if (opts->env) {
        execvpe(argv[0], argv, opts->env);
    } else {
        execvp(argv[0], argv);
    }
    dprintf(2, "cannot run '%s': %s\n", argv[0], strerror(errno));
    _exit(127);
}

static int child_start(char *const argv[], const struct proc_opts *opts, struct child *ch,
                       struct err *err)
{
    int in_pipe[2] = { -1, -1 };
    int out_pipe[2] = { -1, -1 };
    int err_pipe[2] = { -1, -1 };

    if (pipe2(in_pipe, O_CLOEXEC) < 0 || pipe2(out_pipe, O_CLOEXEC) < 0 ||
        (!opts->merge_stderr && pipe2(err_pipe, O_CLOEXEC) < 0)) {
        goto fail;
    }
    ch->pid = fork();
    if (ch->pid < 0) {
        goto fail;
    }
    if (ch->pid == 0) {
        child_exec(argv, opts, in_pipe[0], out_pipe[1], err_pipe[1]);
    }
    close_fd(&in_pipe[0]);
    close_fd(&out_pipe[1]);
    close_fd(&err_pipe[1]);
    ch->in_fd = in_pipe[1];
    ch->out_fd = out_pipe[0];
    ch->err_fd = err_pipe[0];
    if (!opts->stdin_data || !opts->stdin_len) {
        close_fd(&ch->in_fd);
    }
    signal(SIGPIPE, SIG_IGN);
    return 0;
fail:
    err_errno(err, "cannot run '%s'", argv[0]);
    for (int i = 0; i < 2; i++) {
        close_fd(&in_pipe[i]);
        close_fd(&out_pipe[i]);
        close_fd(&err_pipe[i]);
    }
    return -1;
}

/* Writes what the pipe takes of the rest of the stdin data; closes stdin when all is written or
 * the child stopped reading. */
static void feed_stdin(struct child *ch, const struct proc_opts *opts, size_t *written)
{
    ssize_t n = write(ch->in_fd, opts->stdin_data + *written, opts->stdin_len - *written);

    if (n > 0) {
        *written += (size_t)n;
    }
    if (n < 0 || *written == opts->stdin_len) {
        close_fd(&ch->in_fd);
    }
}

/* Reads what one output pipe holds into its sink; closes the pipe at its end. */
static void drain(int *fd, struct sink *s)
{
    char chunk[16384];
    ssize_t n = read(*fd, chunk, sizeof(chunk));

    if (n > 0) {
        sink_add(s, chunk, (size_t)n);
    } else if (n == 0 || errno != EINTR) {
        close_fd(fd);
    }
}

static nfds_t poll_set(const struct child *ch, struct pollfd fds[3])
{
    nfds_t n = 0;

    if (ch->in_fd >= 0) {
        fds[n++] = (struct pollfd){ .fd = ch->in_fd, .events = POLLOUT };
    }
    if (ch->out_fd >= 0) {
        fds[n++] = (struct pollfd){ .fd = ch->out_fd, .events = POLLIN };
    }
    if (ch->err_fd >= 0) {
        fds[n++] = (struct pollfd){ .fd = ch->err_fd, .events = POLLIN };
    }
    return n;
}

/* Feeds stdin and reads the output into the sinks until the output ends or the time is up (the
 * child is killed then); closes the parent's ends of the pipes. */
static void pump(struct child *ch, const struct proc_opts *opts, struct sink *out,
                 struct sink *errout, struct proc_result *res)
{
    size_t written = 0;
    long long deadline = opts->timeout_ms > 0 ? now_ms() + opts->timeout_ms : 0;

    while (ch->out_fd >= 0 || ch->err_fd >= 0) {
        struct pollfd fds[3];
        nfds_t nfds = poll_set(ch, fds);
        int wait_ms = -1;

        if (deadline) {
            long long left = deadline - now_ms();

            if (left <= 0) {
                kill(ch->pid, SIGKILL);
                res->timed_out = true;
                break;
            }
            wait_ms = (int)left;
        }
        if (poll(fds, nfds, wait_ms) < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        for (nfds_t i = 0; i < nfds; i++) {
            if (!fds[i].revents) {
                continue;
            }
            if (fds[i].fd == ch->in_fd) {
                feed_stdin(ch, opts, &written);
            } else if (fds[i].fd == ch->out_fd) {
                drain(&ch->out_fd, out);
            } else {
                drain(&ch->err_fd, errout);
            }
        }
    }
    close_fd(&ch->in_fd);
    close_fd(&ch->out_fd);
    close_fd(&ch->err_fd);
}

static void child_wait(const struct child *ch, struct proc_result *res)
{
    int status = 0;

    while (waitpid(ch->pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (res->timed_out) {
        res->status = -1;
    } else if (WIFEXITED(status)) {
        res->status = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        res->status = 128 + WTERMSIG(status);
    }
}

/* proc_run and proc_run_lines: start, pump into the sinks, wait. */
static int run(char *const argv[], const struct proc_opts *opts, struct sink *out,
               struct sink *errout, struct proc_result *res, struct err *err)
{
    struct child ch;

    res->status = -1;
    res->timed_out = false;
    if (child_start(argv, opts, &ch, err) < 0) {
        return -1;
    }
    pump(&ch, opts, out, errout, res);
    child_wait(&ch, res);
    sink_finish(out);
    sink_finish(errout);
    return 0;
}

int proc_run(char *const argv[], const struct proc_opts *opts, struct buf *out,
             struct buf *errout, struct proc_result *res, struct err *err)
{
    static const struct proc_opts defaults;
    struct sink out_sink = { .buf = out, .line = BUF_INIT };
    struct sink err_sink = { .buf = errout, .line = BUF_INIT };

    return run(argv, opts ? opts : &defaults, &out_sink, &err_sink, res, err);
}

int proc_run_lines(char *const argv[], const struct proc_opts *opts, proc_line_fn *on_line,
                   void *arg, struct proc_result *res, struct err *err)
{
    struct proc_opts merged = { 0 };
    struct sink line_sink = { .on_line = on_line, .arg = arg, .line = BUF_INIT };
    struct sink none = { .line = BUF_INIT };

    if (opts) {
        merged = *opts;
    }
    merged.merge_stderr = true;
    return run(argv, &merged, &line_sink, &none, res, err);
}
