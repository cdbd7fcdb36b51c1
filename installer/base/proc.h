/*
 * proc.h - run a local process from an argv (never through a shell), feed it stdin, capture its
 * stdout and stderr, optionally with a time limit.
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

#endif
