/*
 * pool.c - a fixed set of worker threads pulling job indices from a counter; finished indices
 * go through a small queue to the calling thread, which runs the 'done' callbacks.
 */
#include "pot.h"
#include <pthread.h>
#include "base/pool.h"
#include "base/xalloc.h"

struct pool {
    pthread_mutex_t lock;
    pthread_cond_t finished_cond;
    size_t count;
    size_t next;      /* next job index to hand out */
    size_t *finished; /* owned: indices finished, not yet reported; ring of 'count' */
    size_t head, tail;
    pool_work_fn *work;
    void *arg;
};

static void *worker(void *p)
{
    struct pool *pool = p;

    for (;;) {
        size_t index;

        pthread_mutex_lock(&pool->lock);
        if (pool->next >= pool->count) {
            pthread_mutex_unlock(&pool->lock);
            return NULL;
        }
        index = pool->next++;
        pthread_mutex_unlock(&pool->lock);
        pool->work(index, pool->arg);
        pthread_mutex_lock(&pool->lock);
        pool->finished[pool->tail++] = index;
        pthread_cond_signal(&pool->finished_cond);
        pthread_mutex_unlock(&pool->lock);
    }
}

static void run_inline(size_t count, pool_work_fn *work, pool_done_fn *done, void *arg)
{
    for (size_t i = 0; i < count; i++) {
        work(i, arg);
        if (done) {
            done(i, arg);
        }
    }
}

/* Reports finished jobs on the calling thread until all 'count' were reported. */
static void report(struct pool *pool, pool_done_fn *done)
{
    pthread_mutex_lock(&pool->lock);
    while (pool->head < pool->count) {
        size_t index;

        while (pool->head == pool->tail) {
            pthread_cond_wait(&pool->finished_cond, &pool->lock);
        }
        index = pool->finished[pool->head++];
        pthread_mutex_unlock(&pool->lock);
        if (done) {
            done(index, pool->arg);
        }
        pthread_mutex_lock(&pool->lock);
    }
    pthread_mutex_unlock(&pool->lock);
}

void pool_run(size_t count, int forks, pool_work_fn *work, pool_done_fn *done, void *arg)
{
    struct pool pool = { .count = count, .work = work, .arg = arg };
    size_t nthreads = forks < 1 ? 1 : (size_t)forks;
    pthread_t *threads;
    size_t started = 0;

    if (nthreads > count) {
        nthreads = count;
    }
    if (nthreads <= 1) {
        run_inline(count, work, done, arg);
        return;
    }
    pthread_mutex_init(&pool.lock, NULL);
    pthread_cond_init(&pool.finished_cond, NULL);
    pool.finished = xcalloc(count, sizeof(*pool.finished));
    threads = xcalloc(nthreads, sizeof(*threads));
    for (size_t i = 0; i < nthreads; i++) {
        if (pthread_create(&threads[started], NULL, worker, &pool) == 0) {
            started++;
        }
    }
    if (started == 0) {
        run_inline(count, work, done, arg); /* no thread could start: do the work here */
    } else {
        report(&pool, done);
    }
    for (size_t i = 0; i < started; i++) {
        pthread_join(threads[i], NULL);
    }
    free(threads);
    free(pool.finished);
    pthread_cond_destroy(&pool.finished_cond);
    pthread_mutex_destroy(&pool.lock);
}
