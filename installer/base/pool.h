/*
 * pool.h - run N independent jobs on up to F worker threads (Ansible's forks), with each job's
 * completion handed back to the calling thread in the order jobs finish.
 *
 * pool_run() returns when every job is done. 'work' runs on a worker thread and must touch only
 * its own job's data; 'done' (may be NULL) runs on the calling thread - the only one that may
 * print or update shared state - once per job, as soon as that job finishes.
 */
#ifndef POOL_H
#define POOL_H

typedef void pool_work_fn(size_t index, void *arg);
typedef void pool_done_fn(size_t index, void *arg);

/* forks < 1 means 1. With one fork (or one job) everything runs on the calling thread. */
void pool_run(size_t count, int forks, pool_work_fn *work, pool_done_fn *done, void *arg);

#endif
