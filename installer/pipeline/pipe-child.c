/*
 * pipe-child.c - runs pot itself as a child process (`pot play`, `pot images push`) with an argv,
 * and hands each line of its output to the operator as soon as the child has written it (and to
 * a playbook's progress, pipe-progress.c).
 */
#include "pot.h"
#include "base/err.h"
#include "base/proc.h"
#include "base/vec.h"
#include "pipeline/pipe.h"

struct relay {
    struct pipe_ctx *c;
    struct pipe_progress *progress; /* NULL: none */
};

/* proc_line_fn: one line of the child's output, indented under the stage's own lines. */
static void relay_line(void *arg, const char *line, size_t len)
{
    struct relay *r = arg;

    (void)len;
    pipe_say(r->c, "  %s", line);
    if (r->progress) {
        pipe_progress_line(r->c, r->progress, line);
    }
}

int pipe_child_pot(struct pipe_ctx *c, const char *what, struct svec *args,
                   struct pipe_progress *progress, struct err *err)
{
    struct svec argv = SVEC_INIT;
    struct proc_result res;
    struct relay relay = { c, progress };
    int ret = -1;

    svec_push(&argv, c->opts->pot_exe);
    for (size_t i = 0; i < args->len; i++) {
        svec_push(&argv, args->items[i]);
    }
    ret = proc_run_lines(svec_argv(&argv), NULL, relay_line, &relay, &res, err);
    if (progress) {
        pipe_progress(c, NULL);
    }
    if (ret < 0) {
        err_prefix(err, "%s: ", what);
        goto out;
    }
    ret = -1;
    if (res.status != 0) {
        err_set(err, ERR_FAILED, "%s failed (exit status %d; its output is above)", what,
                res.status);
        goto out;
    }
    ret = 0;
out:
    svec_release(&argv);
    return ret;
}
