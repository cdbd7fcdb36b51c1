/*
 * probe-disk.c - the disk measurements of the host probe (probe-disk.h). Plain POSIX and Linux
 * syscalls only: the probe is linked statically with musl, which has no libaio, so the queue
 * depth of the random tests is that many threads each with one pread/pwrite in flight.
 */
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "probe/probe-disk.h"
#include "probe/probe-stats.h"

#define MIB (1024u * 1024u)
#define SEQ_BS MIB
#define RAND_BS 4096u
#define ALIGN 4096u

static char data_path[PATH_MAX];
static char wal_path[PATH_MAX];

struct ctx {
    char *msg;
    size_t msg_len;
};

static int fail(struct ctx *c, const char *what, const char *path)
{
    snprintf(c->msg, c->msg_len, "%s '%s': %s", what, path, strerror(errno));
    return -1;
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* xorshift64*: offsets and buffer contents; not for anything secret. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static void *aligned_buffer(size_t len, uint64_t seed)
{
    uint64_t *p = aligned_alloc(ALIGN, len);

    if (!p) {
        abort();
    }
    for (size_t i = 0; i < len / sizeof(*p); i++) {
        p[i] = next_random(&seed); /* incompressible, so no device shortcut flatters us */
    }
    return p;
}

const char *probe_disk_data_path(void)
{
    return data_path;
}

const char *probe_disk_wal_path(void)
{
    return wal_path;
}

int probe_disk_prepare(const char *dir)
{
    int a = snprintf(data_path, sizeof(data_path), "%s/%s", dir, PROBE_DATA_FILE);
    int b = snprintf(wal_path, sizeof(wal_path), "%s/%s", dir, PROBE_WAL_FILE);

    if (a < 0 || b < 0 || (size_t)a >= sizeof(data_path) || (size_t)b >= sizeof(wal_path)) {
        return -1;
    }
    unlink(data_path);
    unlink(wal_path);
    return 0;
}

/* Opens 'path' with O_DIRECT, or without it when the filesystem refuses (EINVAL); r->direct
 * says which. */
static int open_direct(const char *path, int flags, struct probe_disk_result *r)
{
    int fd = open(path, flags | O_DIRECT | O_CLOEXEC, 0600);

    if (fd < 0 && errno == EINVAL) {
        r->direct = false;
        fd = open(path, flags | O_CLOEXEC, 0600);
    }
    return fd;
}

static int write_all(int fd, const void *buf, size_t len)
{
    ssize_t n = write(fd, buf, len);

    if (n >= 0 && (size_t)n != len) {
        errno = ENOSPC; /* a short write: the filesystem is full */
        return -1;
    }
    return n < 0 ? -1 : 0;
}

/* Allocates the file's blocks before the test, as fio does (fallocate=native) and etcd does for
 * its WAL segments; a filesystem without fallocate is left to allocate as it writes. Returns -1
 * with errno set (ENOSPC: the test cannot fit). */
static int preallocate(int fd, off_t len)
{
    int e = posix_fallocate(fd, 0, len);

    if (e != 0 && e != EOPNOTSUPP && e != EINVAL) {
        errno = e;
        return -1;
    }
    return 0;
}

/* etcd's WAL test: appends of o->wal_bs bytes, fdatasync after each; every fdatasync timed. */
static int measure_wal(const struct probe_disk_opts *o, struct probe_disk_result *r, struct ctx *c)
{
    size_t count = (size_t)(o->wal_size / o->wal_bs);
    uint64_t *lat = calloc(count ? count : 1, sizeof(*lat));
    char *buf = aligned_buffer(((size_t)o->wal_bs + ALIGN - 1) / ALIGN * ALIGN, 7);
    int fd = open(wal_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int ret = -1;

    if (!lat) {
        abort();
    }
    if (fd < 0) {
        fail(c, "creating", wal_path);
        goto out;
    }
    if (preallocate(fd, (off_t)(count * o->wal_bs)) < 0) {
        fail(c, "allocating", wal_path);
        goto out;
    }
    for (size_t i = 0; i < count; i++) {
        uint64_t t0;

        if (write_all(fd, buf, o->wal_bs) < 0) {
            fail(c, "writing", wal_path);
            goto out;
        }
        t0 = now_ns();
        if (fdatasync(fd) < 0) {
            fail(c, "fdatasync on", wal_path);
            goto out;
        }
        lat[i] = now_ns() - t0;
    }
    stats_sort(lat, count);
    r->sync_count = count;
    r->sync_p50_ns = stats_percentile(lat, count, 50);
    r->sync_p99_ns = stats_percentile(lat, count, 99);
    r->sync_p999_ns = stats_percentile(lat, count, 99.9);
    r->sync_max_ns = count ? lat[count - 1] : 0;
    r->sync_mean_ns = stats_mean(lat, count);
    ret = 0;
out:
    if (fd >= 0) {
        close(fd);
    }
    unlink(wal_path);
    free(buf);
    free(lat);
    return ret;
}

/* Writes (then reads back) o->size bytes in 1 MiB blocks; throughput in MiB/s, the final
 * fdatasync included in the write's time. */
static int measure_seq(const struct probe_disk_opts *o, struct probe_disk_result *r, struct ctx *c)
{
    size_t blocks = (size_t)(o->size / SEQ_BS);
    char *buf = aligned_buffer(SEQ_BS, 11);
    int fd = open_direct(data_path, O_RDWR | O_CREAT | O_TRUNC, r);
    uint64_t t0;
    int ret = -1;

    if (fd < 0) {
        fail(c, "creating", data_path);
        goto out;
    }
    if (preallocate(fd, (off_t)blocks * SEQ_BS) < 0) {
        fail(c, "allocating", data_path);
        goto out;
    }
    t0 = now_ns();
    for (size_t i = 0; i < blocks; i++) {
        if (write_all(fd, buf, SEQ_BS) < 0) {
            fail(c, "writing", data_path);
            goto out;
        }
    }
    if (fdatasync(fd) < 0) {
        fail(c, "fdatasync on", data_path);
        goto out;
    }
    r->seq_write_mibps = (double)blocks / ((double)(now_ns() - t0) / 1e9);
    t0 = now_ns();
    for (size_t i = 0; i < blocks; i++) {
        if (pread(fd, buf, SEQ_BS, (off_t)(i * SEQ_BS)) != (ssize_t)SEQ_BS) {
            fail(c, "reading", data_path);
            goto out;
        }
    }
    r->seq_read_mibps = (double)blocks / ((double)(now_ns() - t0) / 1e9);
    ret = 0;
out:
    if (fd >= 0) {
        close(fd);
    }
    free(buf);
    return ret;
}

struct rand_job {
    int fd;
    bool write;
    uint64_t blocks; /* 4 KiB blocks in the file */
    uint64_t deadline_ns;
    atomic_int failed_errno;
    atomic_ullong ops;
};

static void *rand_worker(void *p)
{
    struct rand_job *job = p;
    uint64_t seed = (uint64_t)(uintptr_t)&seed ^ now_ns();
    char *buf = aligned_buffer(RAND_BS, seed);
    unsigned long long ops = 0;

    while (atomic_load(&job->failed_errno) == 0) {
        off_t off = (off_t)(next_random(&seed) % job->blocks * RAND_BS);
        ssize_t n = job->write ? pwrite(job->fd, buf, RAND_BS, off)
                               : pread(job->fd, buf, RAND_BS, off);

        if (n != (ssize_t)RAND_BS) {
            atomic_store(&job->failed_errno, n < 0 ? errno : EIO);
            break;
        }
        ops++;
        if ((ops & 15) == 0 && now_ns() >= job->deadline_ns) {
            break;
        }
    }
    atomic_fetch_add(&job->ops, ops);
    free(buf);
    return NULL;
}

/* o->qd threads doing 4 KiB preads or pwrites at random aligned offsets for o->runtime_s. */
static int measure_rand(const struct probe_disk_opts *o, bool write, double *iops,
                        struct probe_disk_result *r, struct ctx *c)
{
    pthread_t *threads = calloc((size_t)o->qd, sizeof(*threads));
    struct rand_job job = { .write = write, .blocks = o->size / SEQ_BS * SEQ_BS / RAND_BS };
    int started = 0, err;
    uint64_t t0;

    job.fd = open_direct(data_path, write ? O_RDWR : O_RDONLY, r);
    if (!threads) {
        abort();
    }
    if (job.fd < 0) {
        free(threads);
        return fail(c, "opening", data_path);
    }
    t0 = now_ns();
    job.deadline_ns = t0 + (uint64_t)o->runtime_s * 1000000000u;
    for (; started < o->qd; started++) {
        if (pthread_create(&threads[started], NULL, rand_worker, &job) != 0) {
            atomic_store(&job.failed_errno, EAGAIN);
            break;
        }
    }
    for (int i = 0; i < started; i++) {
        pthread_join(threads[i], NULL);
    }
    *iops = (double)atomic_load(&job.ops) / ((double)(now_ns() - t0) / 1e9);
    close(job.fd);
    free(threads);
    err = atomic_load(&job.failed_errno);
    if (err != 0) {
        errno = err;
        return fail(c, write ? "random writes to" : "random reads from", data_path);
    }
    return 0;
}

int probe_disk_run(const struct probe_disk_opts *o, struct probe_disk_result *r, char *msg,
                   size_t msg_len)
{
    struct ctx c = { msg, msg_len };
    int ret = -1;

    memset(r, 0, sizeof(*r));
    r->direct = true;
    if (probe_disk_prepare(o->dir) < 0) {
        snprintf(msg, msg_len, "directory '%s': path too long", o->dir);
        return -1;
    }
    if (o->size < SEQ_BS) {
        snprintf(msg, msg_len, "size %llu: less than 1 MiB", (unsigned long long)o->size);
        return -1;
    }
    if (measure_wal(o, r, &c) < 0 || measure_seq(o, r, &c) < 0 ||
        measure_rand(o, false, &r->randread_iops, r, &c) < 0 ||
        measure_rand(o, true, &r->randwrite_iops, r, &c) < 0) {
        goto out;
    }
    ret = 0;
out:
    unlink(data_path);
    return ret;
}
