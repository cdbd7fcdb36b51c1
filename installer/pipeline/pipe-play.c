/*
 * pipe-play.c - one of the kit's playbooks (<kit>/playbooks/NAME) run through `pot play` as a
 * child process, with the run's inventory, check mode, host limit and (when asked) tags, its
 * tasks counted first (--list-tasks) for the live progress.
 */
#include "pot.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/proc.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "pipeline/pipe.h"

char *pipe_playbook_path(const struct pipe_ctx *c, const char *name)
{
    return xasprintf("%s/playbooks/%s", c->opts->kit_dir, name);
}

void pipe_add_limit(const struct pipe_ctx *c, struct svec *args)
{
    struct buf hosts = BUF_INIT;

    if (c->limit.len == 0) {
        return;
    }
    for (size_t i = 0; i < c->limit.len; i++) {
        buf_addf(&hosts, "%s%s", i ? "," : "", c->limit.items[i]);
    }
    svec_push(args, "--limit");
    svec_push(args, hosts.ptr);
    buf_release(&hosts);
}

/* Appends "--tags a,b" style options. */
static void add_list_opt(struct svec *args, const char *opt, const struct svec *values)
{
    for (size_t i = 0; i < values->len; i++) {
        svec_push(args, opt);
        svec_push(args, values->items[i]);
    }
}

/* The tasks `pot play ARGS --list-tasks` lists; 0 when it cannot say (the progress then counts
 * without a total). */
static size_t listed_tasks(const struct pipe_ctx *c, const struct svec *args)
{
    struct svec argv = SVEC_INIT;
    struct buf out = BUF_INIT;
    struct proc_result res;
    struct err err = ERR_INIT;
    size_t count = 0;

    svec_push(&argv, c->opts->pot_exe);
    for (size_t i = 0; i < args->len; i++) {
        svec_push(&argv, args->items[i]);
    }
    svec_push(&argv, "--list-tasks");
    if (proc_run(svec_argv(&argv), NULL, &out, NULL, &res, &err) == 0 && res.status == 0) {
        count = pipe_count_listed_tasks(out.ptr);
    }
    buf_release(&out);
    svec_release(&argv);
    return count;
}

int pipe_play(struct pipe_ctx *c, const char *name, bool with_tags, const struct svec *options,
              struct err *err)
{
    struct svec args = SVEC_INIT;
    char *path = pipe_playbook_path(c, name);
    char *what = xasprintf("pot play %s", name);
    struct pipe_progress progress;
    int ret = -1;

    if (!fs_exists(path)) {
        err_set(err, ERR_USAGE, "the kit has no playbook '%s'", path);
        goto out;
    }
    svec_push(&args, "play");
    svec_push(&args, "-i");
    svec_push(&args, c->inventory);
    if (c->opts->check) {
        svec_push(&args, "--check");
    }
    pipe_add_limit(c, &args);
    if (with_tags) {
        add_list_opt(&args, "--tags", &c->opts->tags);
        add_list_opt(&args, "--skip-tags", &c->opts->skip_tags);
    }
    for (size_t i = 0; options && i < options->len; i++) {
        svec_push(&args, options->items[i]);
    }
    svec_push(&args, path);
    pipe_progress_init(&progress, name, listed_tasks(c, &args));
    ret = pipe_child_pot(c, what, &args, &progress, err);
    pipe_progress_release(&progress);
out:
    svec_release(&args);
    free(what);
    free(path);
    return ret;
}
