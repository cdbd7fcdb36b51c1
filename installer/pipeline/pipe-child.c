/*
 * pipe-child.c - runs pot itself as a child process (`pot play`, `pot images push`) with an argv,
 * and hands its output to the operator line by line.
 */
#include "pot.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/proc.h"
#include "base/vec.h"
#include "pipeline/pipe.h"

int pipe_child_pot(struct pipe_ctx *c, const char *what, struct svec *args, struct err *err)
{
    struct svec argv = SVEC_INIT;
    struct svec lines = SVEC_INIT;
    struct buf out = BUF_INIT;
    struct proc_opts popts = { .merge_stderr = true };
    struct proc_result res;
    int ret = -1;

    svec_push(&argv, c->opts->pot_exe);
    for (size_t i = 0; i < args->len; i++) {
        svec_push(&argv, args->items[i]);
    }
    if (proc_run(svec_argv(&argv), &popts, &out, NULL, &res, err) < 0) {
        err_prefix(err, "%s: ", what);
        goto out;
    }
    svec_split_lines(&lines, out.ptr);
    for (size_t i = 0; i < lines.len; i++) {
        pipe_say(c, "  %s", lines.items[i]);
    }
    if (res.status != 0) {
        err_set(err, ERR_FAILED, "%s failed (exit status %d; its output is above)", what,
                res.status);
        goto out;
    }
    ret = 0;
out:
    svec_release(&lines);
    svec_release(&argv);
    buf_release(&out);
    return ret;
}
