/*
 * pipe-run.c - the stage runner of `pot install`: the stage table, the lock, the journal, and the
 * rules for skipping (done with the same inputs), forcing (--from, --reset) and resuming.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/digest.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "journal/journal.h"
#include "pipeline/pipe.h"

#define ALL_MODES ((1u << PIPE_MODE_FULL) | (1u << PIPE_MODE_TKESTACK) | (1u << PIPE_MODE_BUSINESS))
#define TKE_MODES ((1u << PIPE_MODE_FULL) | (1u << PIPE_MODE_TKESTACK))

struct stage {
    const char *name;
    unsigned modes; /* bit (1 << enum pipe_mode) for each mode it runs in */
    void (*inputs)(struct pipe_ctx *c, struct buf *text);
    int (*run)(struct pipe_ctx *c, struct err *err);
    /* Run instead when the stage is skipped as done with the same inputs, for what can change
     * behind pot's back (releases on the cluster); NULL: nothing. */
    int (*recheck)(struct pipe_ctx *c, struct err *err);
};

static const struct stage stages[] = {
    { "host-init", ALL_MODES, pipe_hostinit_inputs, pipe_hostinit_run, NULL },
    { "tke-config", TKE_MODES, pipe_tkeconfig_inputs, pipe_tkeconfig_run, NULL },
    { "tke-installer", TKE_MODES, pipe_installer_inputs, pipe_installer_run, NULL },
    { "post-install", ALL_MODES, pipe_postinstall_inputs, pipe_postinstall_run, NULL },
    { "components", ALL_MODES, pipe_components_inputs, pipe_components_run,
      pipe_components_recheck },
    { "business", ALL_MODES, pipe_business_inputs, pipe_business_run, pipe_business_recheck },
};

static int stage_index(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(stages); i++) {
        if (strcmp(stages[i].name, name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

bool pipe_stage_known(const char *name)
{
    return stage_index(name) >= 0;
}

const char *pipe_stage_at(size_t i)
{
    return i < ARRAY_SIZE(stages) ? stages[i].name : NULL;
}

const char *pipe_stage_list(void)
{
    return "host-init, tke-config, tke-installer, post-install, components, business";
}

static void inputs_hash(struct pipe_ctx *c, const struct stage *st, char hex[SHA256_HEX_LEN + 1])
{
    struct buf text = BUF_INIT;

    buf_addf(&text, "pot %s\nstage=%s\nmode=%s\n", POT_VERSION, st->name, pipe_mode_name(c->mode));
    st->inputs(c, &text);
    sha256_hex(text.ptr, text.len, hex);
    buf_release(&text);
}

static bool forced(const struct pipe_ctx *c, int index)
{
    return c->opts->from && index >= stage_index(c->opts->from);
}

static int run_journalled(struct pipe_ctx *c, const struct stage *st, const char *inputs,
                          struct err *err)
{
    struct err jerr = ERR_INIT;
    int ret;

    if (c->opts->check) {
        pipe_say(c, "stage %s: check mode, nothing is changed", st->name);
        return st->run(c, err);
    }
    if (journal_append(c->journal, JOURNAL_STARTED, st->name, NULL, inputs, NULL, err) < 0) {
        return -1;
    }
    pipe_say(c, "stage %s: started", st->name);
    svec_push(&c->ran, st->name);
    ret = st->run(c, err);
    if (ret < 0) {
        pipe_say(c, "stage %s: failed", st->name);
        if (journal_append(c->journal, JOURNAL_FAILED, st->name, NULL, inputs, err->msg,
                           &jerr) < 0) {
            err_prefix(err, "%s; and the journal could not record it: ", jerr.msg);
        }
        return -1;
    }
    if (journal_append(c->journal, JOURNAL_FINISHED, st->name, NULL, inputs, NULL, err) < 0) {
        return -1;
    }
    pipe_say(c, "stage %s: done", st->name);
    return 0;
}

int pipe_run_stage(struct pipe_ctx *c, const char *name, struct err *err)
{
    int index = stage_index(name);
    const struct stage *st;
    char inputs[SHA256_HEX_LEN + 1];

    if (index < 0) {
        return err_set(err, ERR_USAGE, "unknown stage '%s'; stages: %s", name,
                       pipe_stage_list());
    }
    st = &stages[index];
    if (!(st->modes & (1u << c->mode))) {
        pipe_say(c, "stage %s: not part of the %s mode, skipped", name, pipe_mode_name(c->mode));
        return 0;
    }
    if (svec_contains(&c->ran, name)) {
        pipe_say(c, "stage %s: already run by this invocation", name);
        return 0;
    }
    inputs_hash(c, st, inputs);
    if (!forced(c, index) && journal_is_done(c->journal, name, NULL, inputs)) {
        pipe_say(c, "stage %s: done earlier with the same inputs, skipped", name);
        return st->recheck && !c->opts->check ? st->recheck(c, err) : 0;
    }
    return run_journalled(c, st, inputs, err);
}

static void say_resume(struct pipe_ctx *c)
{
    const struct journal_rec *failed = journal_last_failure(c->journal);

    if (failed) {
        pipe_say(c, "resuming: stage %s failed last time (%s); it runs again from its start",
                 failed->stage, failed->msg);
    }
}

static int run_all(struct pipe_ctx *c, struct err *err)
{
    int from = c->opts->from ? stage_index(c->opts->from) : 0;

    pipe_say(c, "mode: %s (kit %s, data %s)", pipe_mode_name(c->mode), c->opts->kit_dir,
             c->opts->data_dir);
    if (c->opts->reset && !c->opts->check &&
        journal_append(c->journal, JOURNAL_RESET, "", NULL, NULL, "--reset", err) < 0) {
        return -1;
    }
    say_resume(c);
    if (c->opts->only) {
        if (pipe_run_stage(c, c->opts->only, err) < 0) {
            return err_prefix(err, "stage '%s': ", c->opts->only);
        }
        return 0;
    }
    for (size_t i = 0; i < ARRAY_SIZE(stages); i++) {
        if ((int)i < from) {
            pipe_say(c, "stage %s: skipped (--from %s)", stages[i].name, c->opts->from);
            continue;
        }
        if (pipe_run_stage(c, stages[i].name, err) < 0) {
            return err_prefix(err, "stage '%s': ", stages[i].name);
        }
    }
    pipe_say(c, "install complete");
    return 0;
}

int pipe_with_journal(const struct pipe_opts *opts, const char *command, pipe_body *body,
                      void *arg, struct err *err)
{
    struct pipe_ctx c;
    struct journal_lock *lock = NULL;
    char *jpath = pipe_journal_path(opts->data_dir);
    char *lpath = pipe_lock_path(opts->data_dir);
    long stale = 0;
    int ret = -1;

    if (pipe_ctx_init(&c, opts, err) < 0) {
        goto out;
    }
    if (fs_mkdir_p(c.hook_dir, 0700, err) < 0) {
        goto out;
    }
    lock = journal_lock_acquire(lpath, command, &stale, err);
    if (!lock) {
        goto out;
    }
    if (stale) {
        pipe_say(&c, "the previous run (pid %ld) ended without releasing its lock; continuing",
                 stale);
    }
    c.journal = journal_open(jpath, err);
    if (c.journal) {
        ret = body(&c, arg, err);
    }
out:
    journal_free(c.journal);
    journal_lock_release(lock);
    pipe_ctx_release(&c);
    free(jpath);
    free(lpath);
    return ret;
}

static int install_body(struct pipe_ctx *c, void *arg, struct err *err)
{
    (void)arg;
    return run_all(c, err);
}

int pipe_install(const struct pipe_opts *opts, struct err *err)
{
    if ((opts->from && !pipe_stage_known(opts->from)) ||
        (opts->only && !pipe_stage_known(opts->only))) {
        return err_set(err, ERR_USAGE, "unknown stage '%s'; stages: %s",
                       opts->from && !pipe_stage_known(opts->from) ? opts->from : opts->only,
                       pipe_stage_list());
    }
    return pipe_with_journal(opts, "pot install", install_body, NULL, err);
}
