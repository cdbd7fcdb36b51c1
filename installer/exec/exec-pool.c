/*
 * exec-pool.c - one task on many hosts with up to --forks worker threads (base/pool.c). Workers
 * run exec_task_on_host() and keep what they would print (loop items, retries) in their job's
 * notes; the main thread replays each job's notes and its host line strictly in host order, as
 * soon as every earlier host has finished, so the output reads like Ansible's with forks 1.
 * Nothing here changes runner state: the caller applies results after exec_pool_run().
 *
 * Strategy free (exec_free_run): a thread per host walks the play on its own, holding one
 * recursive runner lock except while its task runs on the host; a counter of free forks caps
 * how many tasks run at once (host_pinned: how many hosts walk at once), and a count per
 * throttled task how many hosts run that task.
 */
#include "pot.h"
#include <limits.h>
#include <pthread.h>
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

/* The task's throttle: N (0: none; a template is not supported). */
static int task_throttle(const struct pb_task *task)
{
    const struct val *throttle = pb_kw(task, "throttle");

    return throttle && throttle->type == VAL_INT && throttle->u.i > 0 && throttle->u.i < INT_MAX
               ? (int)throttle->u.i
               : 0;
}

void exec_pool_run(struct exec_run *run, struct pb_task *task, struct exec_job *jobs, size_t n,
                   exec_report_fn *report)
{
    struct pool_ctx c = { .run = run, .task = task, .jobs = jobs, .n = n, .report = report };
    int throttle = task_throttle(task);
    int forks = run->opts->forks;

    if (throttle && (forks <= 0 || throttle < forks)) {
        forks = throttle; /* throttle: N caps the forks for this task */
    }
    c.finished = xcalloc(n + 1, sizeof(*c.finished));
    pool_run(n, forks, work, done, &c);
    free(c.finished);
}

/* --- strategy free --- */

/* How many hosts run one throttled task right now. */
struct task_count {
    const struct pb_task *task; /* borrowed */
    int running;
};

struct exec_free {
    pthread_mutex_t lock;       /* recursive: runner state and output */
    pthread_mutex_t slots_lock; /* guards slots and counts */
    pthread_cond_t slot_freed;
    int slots;                  /* forks not running a task now (pinned: not walking a host) */
    struct vec counts;          /* owned struct task_count *: throttled tasks seen */
    bool pinned;                /* host_pinned: a fork is held for a host's whole walk */
    size_t next_turn;           /* pinned: the ticket of the next walker to take a fork */
};

struct walker {
    struct exec_run *run;       /* borrowed */
    struct exec_host *h;        /* borrowed */
    exec_walk_fn *walk;
    bool start_found;           /* this host's --start-at-task progress (run->start_found is
                                 * the holder's while it holds the lock) */
    size_t ticket;              /* pinned: hosts take forks in this order (inventory order) */
};

void exec_lock(struct exec_run *run)
{
    if (run->free) {
        pthread_mutex_lock(&run->free->lock);
    }
}

void exec_unlock(struct exec_run *run)
{
    if (run->free) {
        pthread_mutex_unlock(&run->free->lock);
    }
}

/* Waits until a fork is free (when 'fork') and the task is under its throttle (when 'tc'),
 * then takes both. */
static void take_slot(struct exec_free *f, bool fork, struct task_count *tc, int limit)
{
    pthread_mutex_lock(&f->slots_lock);
    while ((fork && f->slots <= 0) || (tc && tc->running >= limit)) {
        pthread_cond_wait(&f->slot_freed, &f->slots_lock);
    }
    f->slots -= fork;
    if (tc) {
        tc->running++;
    }
    pthread_mutex_unlock(&f->slots_lock);
}

static void give_slot(struct exec_free *f, bool fork, struct task_count *tc)
{
    pthread_mutex_lock(&f->slots_lock);
    f->slots += fork;
    if (tc) {
        tc->running--;
    }
    pthread_cond_broadcast(&f->slot_freed); /* waiters wait for a fork or for their task */
    pthread_mutex_unlock(&f->slots_lock);
}

/* host_pinned: waits for this walker's turn and a free fork, then takes the fork. */
static void take_turn(struct exec_free *f, size_t ticket)
{
    pthread_mutex_lock(&f->slots_lock);
    while (f->slots <= 0 || f->next_turn != ticket) {
        pthread_cond_wait(&f->slot_freed, &f->slots_lock);
    }
    f->slots--;
    f->next_turn++;
    pthread_cond_broadcast(&f->slot_freed); /* the next ticket may go when a fork is left */
    pthread_mutex_unlock(&f->slots_lock);
}

static void *walker_main(void *arg)
{
    struct walker *w = arg;
    struct exec_free *f = w->run->free;

    if (f->pinned) {
        take_turn(f, w->ticket);
    }
    exec_lock(w->run);
    w->run->start_found = w->start_found;
    w->walk(w->run, w->h);
    w->start_found = w->run->start_found;
    exec_unlock(w->run);
    if (f->pinned) {
        give_slot(f, true, NULL);
    }
    return NULL;
}

/* The running count of 'task', made on first use. Called with slots_lock held. */
static struct task_count *count_of(struct exec_free *f, const struct pb_task *task)
{
    struct task_count *tc;

    for (size_t i = 0; i < f->counts.len; i++) {
        tc = f->counts.items[i];
        if (tc->task == task) {
            return tc;
        }
    }
    tc = xcalloc(1, sizeof(*tc));
    tc->task = task;
    vec_push(&f->counts, tc);
    return tc;
}

void exec_free_task(struct exec_run *run, struct pb_task *task, struct exec_job *job)
{
    struct exec_free *f = run->free;
    bool start_found = run->start_found;
    int limit = task_throttle(task);
    struct task_count *tc = NULL;

    if (!f) {
        exec_task_on_host(run, task, job->h, &job->res, &job->notes);
        return;
    }
    /* the walker holds the lock exactly once here (exec_lock pairs never nest across this) */
    pthread_mutex_unlock(&f->lock);
    if (limit) {
        pthread_mutex_lock(&f->slots_lock);
        tc = count_of(f, task);
        pthread_mutex_unlock(&f->slots_lock);
    }
    take_slot(f, !f->pinned, tc, limit); /* pinned: the walker holds its fork already */
    exec_task_on_host(run, task, job->h, &job->res, &job->notes);
    give_slot(f, !f->pinned, tc);
    pthread_mutex_lock(&f->lock);
    run->start_found = start_found;
}

void exec_free_run(struct exec_run *run, struct vec *hosts, exec_walk_fn *walk, bool pinned)
{
    struct exec_free f = { .slots = run->opts->forks > 0 ? run->opts->forks : 1,
                           .pinned = pinned };
    struct walker *walkers = xcalloc(hosts->len + 1, sizeof(*walkers));
    pthread_t *threads = xcalloc(hosts->len + 1, sizeof(*threads));
    bool *started = xcalloc(hosts->len + 1, sizeof(*started));
    bool found = run->start_found; /* read before any walker runs */
    size_t tickets = 0;
    pthread_mutexattr_t attr;

    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&f.lock, &attr);
    pthread_mutexattr_destroy(&attr);
    pthread_mutex_init(&f.slots_lock, NULL);
    pthread_cond_init(&f.slot_freed, NULL);
    run->free = &f;
    run->free_banner = NULL;
    for (size_t i = 0; i < hosts->len; i++) {
        walkers[i] = (struct walker){ .run = run, .h = hosts->items[i], .walk = walk,
                                      .start_found = found, .ticket = tickets };
        started[i] = pthread_create(&threads[i], NULL, walker_main, &walkers[i]) == 0;
        tickets += started[i];
    }
    for (size_t i = 0; i < hosts->len; i++) {
        if (started[i]) {
            pthread_join(threads[i], NULL);
        } else {
            /* no thread: this host walks alone, after the others took their turns */
            walkers[i].ticket = tickets++;
            walker_main(&walkers[i]);
        }
    }
    run->free = NULL;
    for (size_t i = 0; i < hosts->len; i++) {
        run->start_found = run->start_found || walkers[i].start_found;
    }
    for (size_t i = 0; i < f.counts.len; i++) {
        free(f.counts.items[i]);
    }
    vec_release(&f.counts);
    pthread_cond_destroy(&f.slot_freed);
    pthread_mutex_destroy(&f.slots_lock);
    pthread_mutex_destroy(&f.lock);
    free(started);
    free(threads);
    free(walkers);
}
