/*
 * proc.h - run a local process from an argv (never through a shell), feed it stdin, and capture
 * its stdout and stderr or hand its output line by line to a callback as it is written,
 * optionally with a time limit.
 */
#ifndef PROC_H
#define PROC_H

struct buf;
struct err;

struct proc_opts {
    const char *cwd;            /* NULL: inherit */
    char *const *env;           /* NULL: inherit; otherwise the whole environment */
    const char *stdin_data;     /* NULL: /dev/null */
    size_t stdin_len;
    int timeout_ms;             /* 0: none; on expiry the child is killed and status is -1 */
    bool merge_stderr;          /* stderr goes into 'out' too */
};

struct proc_result {
    int status;      /* exit code, 128+signal when killed by a signal, -1 on timeout */
    bool timed_out;
};

/* Runs argv[0] (looked up in PATH) with argv. Appends stdout to 'out' and stderr to 'errout'
 * (either may be NULL to discard). Returns 0 when the process ran (whatever its exit status), -1
 * when it could not be started. */
int proc_run(char *const argv[], const struct proc_opts *opts, struct buf *out,
             struct buf *errout, struct proc_result *res, struct err *err);

/* One line of a process's output without its '\n': 'line' is NUL-terminated and borrowed for
 * the call only; 'len' does not count the NUL. */
typedef void proc_line_fn(void *arg, const char *line, size_t len);

/* Runs argv as proc_run does, with stderr merged into stdout (opts->merge_stderr is implied),
 * and calls on_line(arg, ...) on the calling thread for each line as soon as the process has
 * written its '\n', in the order written; a last line without '\n' comes when the output ends
 * (also on timeout). Lines of any length are passed whole. Returns as proc_run. */
int proc_run_lines(char *const argv[], const struct proc_opts *opts, proc_line_fn *on_line,
                   void *arg, struct proc_result *res, struct err *err);

#endif
