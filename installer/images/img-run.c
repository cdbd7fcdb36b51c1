/*
 * img-run.c - the push pipeline: plan (what the sink already has), one job per unique blob run by
 * worker threads (HEAD, mount, stage and upload), then the manifests of the images whose blobs
 * are all confirmed. Only the calling thread reports events.
 */
#include "pot.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "base/err.h"
#include "base/xalloc.h"
#include "images/img-sink.h"
#include "images/img-spool.h"
#include "images/img.h"
#include "value/val-json.h"
#include "value/val.h"

struct job {
    struct img_blob *blob; /* borrowed */
    struct svec repos;     /* repositories that need it */
    int state;             /* 0 running or pending, 1 done, -1 failed */
    bool reported;
    struct err err;
    int uploaded, present, mounted;
    int64_t bytes_uploaded;
    int64_t counted;       /* bytes already added to the progress */
};

struct run {
    struct img_sink *sink;
    const char *spool_dir;
    int gzip_threads; /* threads compressing one layer: the cores, at most -j */
    struct job *jobs;
    size_t njobs;
    size_t next;
    size_t finished;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct err down; /* guarded by lock: the first "registry unreachable"; later jobs skip */
    int64_t done; /* progress bytes, atomic */
    int64_t total;
};

struct progress_ctx {
    struct run *run;
    struct job *job;
};

static void add_progress(void *ctx, int64_t delta)
{
    struct progress_ctx *p = ctx;

    __atomic_add_fetch(&p->run->done, delta, __ATOMIC_RELAXED);
    p->job->counted += delta;
}

static int put_data(struct run *run, void *th, struct job *job, const char *repo,
                    struct img_spool *sp, struct err *err)
{
    const struct img_sink_ops *ops = run->sink->ops;
    struct img_blob *b = job->blob;
    struct progress_ctx pc = { run, job };
    int fd;
    int ret;

    if (b->kind == IMG_BLOB_MEM) {
        return ops->put_mem(th, repo, b->digest, b->data.ptr, b->data.len, err);
    }
    if (b->kind == IMG_BLOB_MEMBER) {
        return ops->put_fd(th, repo, b->digest, sp->fd, sp->path, b->size, NULL, NULL, err);
    }
    fd = open(b->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return err_errno(err, "cannot read '%s'", b->path);
    }
    ret = ops->put_fd(th, repo, b->digest, fd, NULL, b->size, add_progress, &pc, err);
    close(fd);
    return ret;
}

/* Stages a tar member; afterwards its digest is known. Returns 1 when 'repo' already has it. */
static int stage(struct run *run, void *th, struct job *job, const char *repo,
                 struct img_spool *sp, struct err *err)
{
    struct img_blob *b = job->blob;
    struct progress_ctx pc = { run, job };
    int64_t size;

    if (b->digest_learned) {
        free(b->digest);
        b->digest = NULL;
        b->digest_learned = false;
    }
    if (img_spool_blob(b, run->spool_dir, run->gzip_threads, sp, add_progress, &pc, err) < 0) {
        return -1;
    }
    return run->sink->ops->has_blob(th, repo, b->digest, &size, err);
}

static int one_repo(struct run *run, void *th, struct job *job, const char *repo,
                    const char **from, struct img_spool *sp, struct err *err)
{
    const struct img_sink_ops *ops = run->sink->ops;
    struct img_blob *b = job->blob;
    int64_t size;
    int rc = 0;

    if (b->digest) {
        rc = ops->has_blob(th, repo, b->digest, &size, err);
    }
    if (rc == 0 && *from) {
        rc = ops->mount(th, repo, b->digest, *from, err);
        job->mounted += rc == 1;
        if (rc == 1) {
            *from = repo;
            return 0;
        }
    }
    if (rc == 0 && b->kind == IMG_BLOB_MEMBER && sp->fd < 0) {
        rc = stage(run, th, job, repo, sp, err);
    }
    if (rc == 0) {
        rc = put_data(run, th, job, repo, sp, err);
        if (rc == 0) {
            job->uploaded++;
            job->bytes_uploaded += b->size;
        }
    } else if (rc == 1) {
        job->present++;
    }
    if (rc >= 0) {
        *from = repo;
    }
    return rc < 0 ? -1 : 0;
}

static int run_job(struct run *run, void *th, struct job *job)
{
    struct img_spool sp = IMG_SPOOL_INIT;
    const char *from = NULL;
    int ret = 0;

    for (size_t i = 0; i < job->repos.len && ret == 0; i++) {
        ret = one_repo(run, th, job, job->repos.items[i], &from, &sp, &job->err);
    }
    img_spool_release(&sp);
    if (ret < 0 && job->err.kind == ERR_UNREACHABLE) {
        pthread_mutex_lock(&run->lock);
        if (run->down.kind == ERR_NONE) {
            run->down = job->err;
        }
        pthread_mutex_unlock(&run->lock);
    }
    if (ret < 0 && !strstr(job->err.msg, "image '")) {
        struct img_blob *b = job->blob;

        err_prefix(&job->err, "image '%s' (%s): %s %s: ", b->image_name, b->image_source,
                   b->is_config ? "config" : "layer",
                   b->digest ? b->digest : b->diff_id ? b->diff_id : "?");
    }
    __atomic_add_fetch(&run->done, job->blob->src_size - job->counted, __ATOMIC_RELAXED);
    return ret;
}

static void *worker(void *arg)
{
    struct run *run = arg;
    void *th = run->sink->ops->thread_open(run->sink->priv);

    for (;;) {
        struct job *job;
        bool down;
        int rc;

        pthread_mutex_lock(&run->lock);
        job = run->next < run->njobs ? &run->jobs[run->next++] : NULL;
        down = run->down.kind != ERR_NONE;
        if (job && down) {
            job->err = run->down;
        }
        pthread_mutex_unlock(&run->lock);
        if (!job) {
            break;
        }
        /* Once the registry is unreachable, the jobs left fail with that error, untried. */
        rc = down ? -1 : run_job(run, th, job);
        if (down) {
            __atomic_add_fetch(&run->done, job->blob->src_size, __ATOMIC_RELAXED);
        }
        pthread_mutex_lock(&run->lock);
        job->state = rc < 0 ? -1 : 1;
        run->finished++;
        pthread_cond_signal(&run->cond);
        pthread_mutex_unlock(&run->lock);
    }
    run->sink->ops->thread_close(th);
    return NULL;
}

static struct job *job_for(struct run *run, struct img_blob *b)
{
    for (size_t i = 0; i < run->njobs; i++) {
        if (run->jobs[i].blob == b) {
            return &run->jobs[i];
        }
    }
    run->jobs = xrealloc(run->jobs, (run->njobs + 1) * sizeof(*run->jobs));
    memset(&run->jobs[run->njobs], 0, sizeof(struct job));
    run->jobs[run->njobs].blob = b;
    run->total += b->src_size;
    return &run->jobs[run->njobs++];
}

static void need(struct run *run, struct img_blob *b, const char *repo)
{
    struct job *job = job_for(run, b);

    if (!svec_contains(&job->repos, repo)) {
        svec_push(&job->repos, repo);
    }
}

static int by_size_desc(const void *a, const void *b)
{
    int64_t x = ((const struct job *)a)->blob->src_size;
    int64_t y = ((const struct job *)b)->blob->src_size;

    return x < y ? 1 : x > y ? -1 : 0;
}

static void plan_jobs(struct run *run, struct img_set *set)
{
    for (size_t i = 0; i < set->images.len; i++) {
        struct img_image *img = set->images.items[i];

        need(run, img->config, img->repo);
        for (size_t l = 0; l < img->layers.len; l++) {
            need(run, img->layers.items[l], img->repo);
        }
    }
    if (run->njobs > 1) {
        qsort(run->jobs, run->njobs, sizeof(*run->jobs), by_size_desc);
    }
}

/* A docker-save image already pushed with the same config: take the layer digests from the
 * target's manifest, so a repeated run need not recompress to learn them. */
static void learn_digests(struct img_image *img, const struct buf *body)
{
    struct err ignored = ERR_INIT;
    struct val *m = val_from_json(body->ptr, body->len, "manifest", &ignored);
    struct val *config = m && m->type == VAL_DICT ? val_dict_get(m, "config") : NULL;
    struct val *layers = m && m->type == VAL_DICT ? val_dict_get(m, "layers") : NULL;
    const char *cd = config && config->type == VAL_DICT ? val_dict_get_str(config, "digest") : NULL;

    if (cd && strcmp(cd, img->config->digest) == 0 && layers &&
        val_list_len(layers) == img->layers.len) {
        for (size_t i = 0; i < img->layers.len; i++) {
            struct img_blob *b = img->layers.items[i];
            struct val *d = val_list_get(layers, i);
            const char *digest = d->type == VAL_DICT ? val_dict_get_str(d, "digest") : NULL;
            struct val *size = d->type == VAL_DICT ? val_dict_get(d, "size") : NULL;

            if (!b->digest && digest && size && size->type == VAL_INT) {
                b->digest = xstrdup(digest);
                b->size = size->u.i;
                b->digest_learned = true;
            }
        }
    }
    val_unref(m);
}

/* Asks the sink what each tag points at now. Returns -1 when the sink cannot answer. */
static int plan_existing(struct run *run, void *th, struct img_set *set, char **existing,
                         struct err *err)
{
    for (size_t i = 0; i < set->images.len; i++) {
        struct img_image *img = set->images.items[i];
        struct buf body = BUF_INIT;
        int rc = run->sink->ops->get_manifest(th, img->repo, img->tag, &body, &existing[i], err);

        if (rc == 1 && img->manifest.len == 0) {
            learn_digests(img, &body);
        }
        buf_release(&body);
        if (rc < 0) {
            return err_prefix(err, "image '%s:%s': ", img->repo, img->tag);
        }
    }
    return 0;
}

static void emit(const struct img_run_opts *opts, struct img_event *ev)
{
    if (opts->on_event) {
        opts->on_event(opts->ctx, ev);
    }
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report_job(const struct img_run_opts *opts, struct job *job,
                       struct img_run_stats *st, struct err *first)
{
    struct img_event ev = { .kind = IMG_EV_BLOB, .digest = job->blob->digest,
                            .image = job->blob->image_name };

    job->reported = true;
    st->blobs_uploaded += job->uploaded;
    st->blobs_present += job->present;
    st->blobs_mounted += job->mounted;
    st->bytes_uploaded += job->bytes_uploaded;
    if (job->state < 0) {
        st->blobs_failed++;
        if (first->kind == ERR_NONE) {
            *first = job->err;
        }
        if (job->err.kind == ERR_UNREACHABLE) {
            return; /* said once per image, by push_manifests */
        }
        ev.kind = IMG_EV_ERROR;
        ev.message = job->err.msg;
    } else {
        ev.what = job->uploaded ? "uploaded" : job->mounted ? "mounted" : "present";
        ev.done = job->blob->size;
    }
    emit(opts, &ev);
}

/* Waits for the workers, reporting finished blobs and progress on this thread. */
static void watch(struct run *run, const struct img_run_opts *opts, struct img_run_stats *st,
                  struct err *first)
{
    double start = now_s();

    pthread_mutex_lock(&run->lock);
    for (;;) {
        struct timespec until;
        struct img_event ev = { .kind = IMG_EV_PROGRESS };
        bool all = run->finished == run->njobs;

        for (size_t i = 0; i < run->njobs; i++) {
            if (run->jobs[i].state != 0 && !run->jobs[i].reported) {
                report_job(opts, &run->jobs[i], st, first);
            }
        }
        ev.done = __atomic_load_n(&run->done, __ATOMIC_RELAXED);
        ev.total = run->total;
        ev.seconds = now_s() - start;
        emit(opts, &ev);
        if (all) {
            break;
        }
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 200 * 1000 * 1000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&run->cond, &run->lock, &until);
    }
    pthread_mutex_unlock(&run->lock);
}

static int run_pool(struct run *run, const struct img_run_opts *opts, struct img_run_stats *st,
                    struct err *first)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t n = opts->jobs > 0 ? (size_t)opts->jobs : cores > 0 ? (size_t)cores : 1;
    pthread_t *threads;

    run->gzip_threads = cores > 0 && (size_t)cores < n ? (int)cores : (int)n;
    if (n > run->njobs) {
        n = run->njobs ? run->njobs : 1;
    }
    threads = xcalloc(n, sizeof(*threads));
    for (size_t i = 0; i < n; i++) {
        if (pthread_create(&threads[i], NULL, worker, run) != 0) {
            BUG("pthread_create failed");
        }
    }
    watch(run, opts, st, first);
    for (size_t i = 0; i < n; i++) {
        pthread_join(threads[i], NULL);
    }
    free(threads);
    return 0;
}

static bool uses(const struct img_image *img, const struct img_blob *b)
{
    if (img->config == b) {
        return true;
    }
    for (size_t l = 0; l < img->layers.len; l++) {
        if (img->layers.items[l] == b) {
            return true;
        }
    }
    return false;
}

static bool blobs_ok(struct run *run, const struct img_image *img)
{
    for (size_t i = 0; i < run->njobs; i++) {
        if (run->jobs[i].state < 0 && uses(img, run->jobs[i].blob)) {
            return false;
        }
    }
    return true;
}

/* The image's manifest digest (a new string), building the manifest of a docker-save image once
 * all its blob digests are known. */
static char *manifest_digest(struct img_image *img)
{
    if (img->manifest.len == 0) {
        img_manifest_build(img, &img->manifest);
        free(img->manifest_type);
        img->manifest_type = xstrdup(IMG_DOCKER_MANIFEST);
    }
    return img_digest_of(img->manifest.ptr, img->manifest.len);
}

/* Whether the tag already points at this image; its blobs must all be known. */
static bool current(struct img_image *img, const char *existing)
{
    char *digest;
    bool same;

    if (!existing) {
        return false;
    }
    digest = manifest_digest(img);
    same = strcmp(existing, digest) == 0;
    free(digest);
    return same;
}

static int push_manifest(struct run *run, void *th, struct img_image *img, const char *existing,
                         struct img_run_stats *st, const struct img_run_opts *opts,
                         struct err *err)
{
    struct img_event ev = { .kind = IMG_EV_IMAGE };
    char *image = xasprintf("%s:%s", img->repo, img->tag);
    char *digest = manifest_digest(img);
    int ret = 0;

    ev.image = image;
    ev.digest = digest;
    if (existing && strcmp(existing, digest) == 0) {
        st->images_current++;
        ev.what = "up to date";
    } else {
        ret = run->sink->ops->put_manifest(th, img->repo, img->tag, img->manifest_type,
                                           img->manifest.ptr, img->manifest.len, err);
        if (ret < 0 && err->kind == ERR_UNREACHABLE) {
            run->down = *err; /* the images left are not tried */
        }
        if (ret < 0) {
            err_prefix(err, "image '%s' (%s): not tagged '%s:%s': manifest %s: ", img->ref,
                       img->source, img->repo, img->tag, digest);
        }
        st->images_pushed += ret == 0;
        ev.what = "pushed";
    }
    if (ret == 0) {
        emit(opts, &ev);
    }
    free(digest);
    free(image);
    return ret;
}

static void fail_image(const struct img_run_opts *opts, const struct img_image *img,
                       const char *msg, struct img_run_stats *st)
{
    struct img_event ev = { .kind = IMG_EV_ERROR, .image = img->ref, .message = msg };

    st->images_failed++;
    emit(opts, &ev);
}

static void push_manifests(struct run *run, void *th, struct img_set *set, char **existing,
                           const struct img_run_opts *opts, struct img_run_stats *st,
                           struct err *first)
{
    bool down_told = false; /* the first image told why the sink is unreachable */

    for (size_t i = 0; i < set->images.len; i++) {
        struct img_image *img = set->images.items[i];
        struct err e = ERR_INIT;

        if (!blobs_ok(run, img) || (run->down.kind != ERR_NONE && !current(img, existing[i]))) {
            char *why = run->down.kind == ERR_NONE ? xstrdup("a blob is missing")
                        : down_told ? xasprintf("%s unreachable (see above)", run->sink->name)
                                    : xstrdup(run->down.msg);
            char *msg = xasprintf("image '%s' (%s): not tagged '%s:%s': %s", img->ref,
                                  img->source, img->repo, img->tag, why);

            down_told = run->down.kind != ERR_NONE;
            fail_image(opts, img, msg, st);
            free(msg);
            free(why);
        } else if (push_manifest(run, th, img, existing[i], st, opts, &e) < 0) {
            down_told = run->down.kind != ERR_NONE;
            fail_image(opts, img, e.msg, st);
            if (first->kind == ERR_NONE) {
                *first = e;
            }
        }
    }
}

static void run_release(struct run *run, char **existing, size_t n)
{
    for (size_t i = 0; i < run->njobs; i++) {
        svec_release(&run->jobs[i].repos);
    }
    free(run->jobs);
    for (size_t i = 0; i < n; i++) {
        free(existing[i]);
    }
    free(existing);
    pthread_mutex_destroy(&run->lock);
    pthread_cond_destroy(&run->cond);
}

int img_run(struct img_set *set, struct img_sink *sink, const struct img_run_opts *opts,
            struct img_run_stats *st, struct err *err)
{
    struct run run = { .sink = sink };
    char **existing = xcalloc(set->images.len + 1, sizeof(char *));
    void *th = sink->ops->thread_open(sink->priv);
    struct err first = ERR_INIT;
    int ret = -1;

    memset(st, 0, sizeof(*st));
    st->images = (int)set->images.len;
    run.spool_dir = opts->spool_dir ? opts->spool_dir : sink->spool_dir;
    pthread_mutex_init(&run.lock, NULL);
    pthread_cond_init(&run.cond, NULL);
    if (plan_existing(&run, th, set, existing, err) < 0) {
        goto out;
    }
    plan_jobs(&run, set);
    run_pool(&run, opts, st, &first);
    push_manifests(&run, th, set, existing, opts, st, &first);
    if (first.kind == ERR_NONE && sink->ops->finish && sink->ops->finish(sink->priv, &first) < 0) {
        st->images_failed = st->images - st->images_current;
    }
    if (first.kind != ERR_NONE) {
        *err = first;
        goto out;
    }
    ret = 0;
out:
    sink->ops->thread_close(th);
    run_release(&run, existing, set->images.len);
    return ret;
}
