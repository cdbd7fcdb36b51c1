/*
 * exec-pool.c - one task on many hosts with up to --forks worker threads (base/pool.c). Workers
 * run exec_task_on_host() and keep what they would print (loop items, retries) in their job's
 * notes; the main thread replays each job's notes and its host line strictly in host order, as
 * soon as every earlier host has finished, so the output reads like Ansible's with forks 1.
 * Nothing here changes runner state: the caller applies results after exec_pool_run().
 */
#include "pot.h"
#include <string.h>
#include "base/pool.h"
#include "base/xalloc.h"
#include "exec/exec.h"
#include "playbook/pb.h"
#include "value/val.h"

struct exec_note {
    char *message;          /* owned: a plain line, or NULL for an event */
    struct out_event ev;    /* host/task borrowed; item_label owned; data referenced */
};

void exec_note_message(struct exec_notes *n, char *text)
{
    struct exec_note *note = xcalloc(1, sizeof(*note));

    note->message = text;
    vec_push(&n->items, note);
}

void exec_note_event(struct exec_notes *n, const struct out_event *ev)
{
    struct exec_note *note = xcalloc(1, sizeof(*note));

    note->ev = *ev;
    note->ev.item_label = ev->item_label ? xstrdup(ev->item_label) : NULL;
    note->ev.data = ev->data ? val_ref(ev->data) : NULL;
    vec_push(&n->items, note);
}

void exec_notes_replay(struct exec_notes *n, struct out *out)
{
    for (size_t i = 0; i < n->items.len; i++) {
        struct exec_note *note = n->items.items[i];

        if (note->message) {
            out_message(out, note->message);
        } else {
            out_host_result(out, &note->ev);
        }
    }
}

void exec_notes_release(struct exec_notes *n)
{
    for (size_t i = 0; i < n->items.len; i++) {
        struct exec_note *note = n->items.items[i];

        free(note->message);
        free((char *)note->ev.item_label);
        val_unref(note->ev.data);
        free(note);
    }
    vec_release(&n->items);
}

struct pool_ctx {
    struct exec_run *run;
    struct pb_task *task;
    struct exec_job *jobs;
    size_t n;
    bool *finished;         /* owned */
    size_t next;            /* next job to report */
    exec_report_fn *report;
};

static void work(size_t index, void *arg)
{
    struct pool_ctx *c = arg;
    struct exec_job *job = &c->jobs[index];

    exec_task_on_host(c->run, c->task, job->h, &job->res, &job->notes);
}

static void done(size_t index, void *arg)
{
    struct pool_ctx *c = arg;

    c->finished[index] = true;
    while (c->next < c->n && c->finished[c->next]) {
        struct exec_job *job = &c->jobs[c->next++];

        exec_notes_replay(&job->notes, c->run->out);
        c->report(c->run, c->task, job);
    }
}

void exec_pool_run(struct exec_run *run, struct pb_task *task, struct exec_job *jobs, size_t n,
                   exec_report_fn *report)
{
    struct pool_ctx c = { .run = run, .task = task, .jobs = jobs, .n = n, .report = report };
    struct val *throttle = pb_kw(task, "throttle");
    int forks = run->opts->forks;

    /* throttle: N caps the forks for this task (a template is not supported) */
    if (throttle && throttle->type == VAL_INT && throttle->u.i > 0 &&
        (forks <= 0 || throttle->u.i < forks)) {
        forks = (int)throttle->u.i;
    }
    c.finished = xcalloc(n + 1, sizeof(*c.finished));
    pool_run(n, forks, work, done, &c);
    free(c.finished);
}
