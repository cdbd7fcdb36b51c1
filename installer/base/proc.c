/*
 * proc.c - fork/exec with pipes and poll: stdin feeding, output capture, time limit.
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

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

static int pump(pid_t pid, const struct proc_opts *opts, int in_fd, int out_fd, int err_fd,
                struct buf *out, struct buf *errout, struct proc_result *res)
{
    size_t written = 0;
    long long deadline = opts->timeout_ms > 0 ? now_ms() + opts->timeout_ms : 0;
    char chunk[16384];

    while (out_fd >= 0 || err_fd >= 0) {
        struct pollfd fds[3];
        int nfds = 0;
        int wait_ms = -1;

        if (in_fd >= 0) {
            fds[nfds++] = (struct pollfd){ .fd = in_fd, .events = POLLOUT };
        }
        if (out_fd >= 0) {
            fds[nfds++] = (struct pollfd){ .fd = out_fd, .events = POLLIN };
        }
        if (err_fd >= 0) {
            fds[nfds++] = (struct pollfd){ .fd = err_fd, .events = POLLIN };
        }
        if (deadline) {
            long long left = deadline - now_ms();

            if (left <= 0) {
                kill(pid, SIGKILL);
                res->timed_out = true;
                break;
            }
            wait_ms = (int)left;
        }
        if (poll(fds, (nfds_t)nfds, wait_ms) < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        for (int i = 0; i < nfds; i++) {
            ssize_t n;

            if (!fds[i].revents) {
                continue;
            }
            if (fds[i].fd == in_fd) {
                n = write(in_fd, opts->stdin_data + written, opts->stdin_len - written);
                if (n > 0) {
                    written += (size_t)n;
                }
                if (n < 0 || written == opts->stdin_len) {
                    close(in_fd);
                    in_fd = -1;
                }
                continue;
            }
            n = read(fds[i].fd, chunk, sizeof(chunk));
            if (n > 0) {
                struct buf *dst = fds[i].fd == out_fd ? out : errout;

                if (dst) {
                    buf_add(dst, chunk, (size_t)n);
                }
            } else if (n == 0 || errno != EINTR) {
                close(fds[i].fd);
                if (fds[i].fd == out_fd) {
                    out_fd = -1;
                } else {
                    err_fd = -1;
                }
            }
        }
    }
    if (in_fd >= 0) {
        close(in_fd);
    }
    if (out_fd >= 0) {
        close(out_fd);
    }
    if (err_fd >= 0) {
        close(err_fd);
    }
    return 0;
}

int proc_run(char *const argv[], const struct proc_opts *opts, struct buf *out,
             struct buf *errout, struct proc_result *res, struct err *err)
{
    static const struct proc_opts defaults;
    int in_pipe[2] = { -1, -1 };
    int out_pipe[2] = { -1, -1 };
    int err_pipe[2] = { -1, -1 };
    int status = 0;
    pid_t pid;

    if (!opts) {
        opts = &defaults;
    }
    res->status = -1;
    res->timed_out = false;
    if (pipe2(in_pipe, O_CLOEXEC) < 0 || pipe2(out_pipe, O_CLOEXEC) < 0 ||
        pipe2(err_pipe, O_CLOEXEC) < 0) {
        err_errno(err, "cannot run '%s'", argv[0]);
        goto fail;
    }
    pid = fork();
    if (pid < 0) {
        err_errno(err, "cannot run '%s'", argv[0]);
        goto fail;
    }
    if (pid == 0) {
        child_exec(argv, opts, in_pipe[0], out_pipe[1], err_pipe[1]);
    }
    close(in_pipe[0]);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (!opts->stdin_data || !opts->stdin_len) {
        close(in_pipe[1]);
        in_pipe[1] = -1;
    }
    signal(SIGPIPE, SIG_IGN);
    pump(pid, opts, in_pipe[1], out_pipe[0], err_pipe[0], out, errout, res);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (res->timed_out) {
        res->status = -1;
    } else if (WIFEXITED(status)) {
        res->status = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        res->status = 128 + WTERMSIG(status);
    }
    return 0;
fail:
    for (int i = 0; i < 2; i++) {
        if (in_pipe[i] >= 0) {
            close(in_pipe[i]);
        }
        if (out_pipe[i] >= 0) {
            close(out_pipe[i]);
        }
        if (err_pipe[i] >= 0) {
            close(err_pipe[i]);
        }
    }
    return -1;
}
