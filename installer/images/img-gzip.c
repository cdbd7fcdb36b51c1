/*
 * img-gzip.c - deterministic gzip compression of layer streams (see img-gzip.h for the format):
 * blocks are filled on the caller's thread, compressed on worker threads (or inline), and their
 * output is handed on in input order.
 */
#include "pot.h"
#include <pthread.h>
#include <string.h>
#include <zlib.h>
#include "base/buf.h"
#include "base/xalloc.h"
#include "images/img-deflate.h"
#include "images/img-gzip.h"

#define HISTORY 32768u   /* deflate's window: what a run is primed with */
#define MIN_SEGMENT 4096u /* shorter segments are always compressed; also the first look */
/* A segment is stored when its byte histogram's chi-square against a uniform one is at most this
 * (random data: about 255; text, binaries, tar headers: tens of thousands and more). At the limit
 * an order-0 coder could save under 0.1% of a 64 KiB segment. Integer-only, so every machine
 * decides alike. */
#define CHI2_MAX 1024u
#define BLOCKS_PER_THREAD 2 /* blocks in flight per thread: one compressing, one waiting */

static const unsigned char gzip_header[10] = {
    0x1f, 0x8b, 8 /* deflate */, 0 /* no flags */, 0, 0, 0, 0 /* mtime */, 0, 3 /* unix */
};

enum block_state { BLOCK_FREE, BLOCK_FILLING, BLOCK_QUEUED, BLOCK_RUNNING, BLOCK_DONE };

struct block {
    unsigned char *in;      /* owned: HISTORY bytes of history, then up to one block of input */
    size_t hist;            /* bytes of history at the start of 'in' */
    size_t fill;            /* input bytes after the history */
    bool last;              /* the stream's final block */
    size_t seq;             /* position in the stream, to compress in order */
    enum block_state state; /* guarded by img_gzip.lock when there are threads */
    struct buf out;         /* compressed bytes (threaded only) */
    uint32_t crc;           /* of the input bytes */
};

struct img_gzip {
    struct block *ring;        /* owned: nring blocks, used in turn */
    size_t nring;
    size_t head;               /* sequence number of the oldest block not yet written out */
    size_t tail;               /* sequence number of the block being filled */
    unsigned char hist[HISTORY]; /* the input tail before the block being filled */
    size_t hist_len;
    uint32_t crc;
    uint32_t isize;            /* input length modulo 2^32 */
    bool started;              /* the gzip header is out */
    struct img_deflate *inline_d; /* owned: compresses on the caller's thread when no threads */
    pthread_t *threads;        /* owned */
    size_t nthreads;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop;
};

/* Whether the byte histogram of p[0..n) is within CHI2_MAX of a uniform one. */
static bool near_uniform(const unsigned char *p, size_t n)
{
    uint32_t c[4][256];
    uint64_t sum = 0;
    size_t i = 0;

    memset(c, 0, sizeof(c));
    for (; i + 4 <= n; i += 4) {
        c[0][p[i]]++;
        c[1][p[i + 1]]++;
        c[2][p[i + 2]]++;
        c[3][p[i + 3]]++;
    }
    for (; i < n; i++) {
        c[0][p[i]]++;
    }
    /* chi2 = sum((count - n/256)^2 / (n/256)) = sum((256 count - n)^2) / (256 n) */
    for (int v = 0; v < 256; v++) {
        int64_t d = 256 * (int64_t)(c[0][v] + c[1][v] + c[2][v] + c[3][v]) - (int64_t)n;

        sum += (uint64_t)(d * d);
    }
    return sum <= (uint64_t)CHI2_MAX * 256u * n;
}

bool img_gzip_incompressible(const unsigned char *p, size_t n)
{
    /* Non-uniform data is far from uniform in its first bytes already (chi-square grows with the
     * length for it, and stays near 255 for random data): look at those first. */
    if (n < MIN_SEGMENT || !near_uniform(p, MIN_SEGMENT)) {
        return false;
    }
    return n == MIN_SEGMENT || near_uniform(p, n);
}

static size_t segment_len(size_t off, size_t n)
{
    return n - off < IMG_GZIP_SEGMENT ? n - off : IMG_GZIP_SEGMENT;
}

/* Compresses one block as runs of stored or deflated segments, ended on a byte boundary, and takes
 * its CRC. Its bytes depend only on the block's history, input and 'last'. */
static int put_block(struct img_deflate *d, struct block *b, img_gzip_out_fn out, void *ctx)
{
    const unsigned char *p = b->in + b->hist;
    size_t n = b->fill;
    size_t off = 0;

    b->crc = (uint32_t)crc32(0L, p, (uInt)n);
    img_deflate_begin(d, out, ctx);
    while (off < n) {
        bool stored = img_gzip_incompressible(p + off, segment_len(off, n));
        size_t end = off + segment_len(off, n);
        bool final;
        int rc;

        while (end < n && img_gzip_incompressible(p + end, segment_len(end, n)) == stored) {
            end += segment_len(end, n);
        }
        final = b->last && end == n;
        rc = stored ? img_deflate_store(d, p + off, end - off, final)
                    : img_deflate_compress(d, p + off, b->hist + off, end - off, final);
        if (rc < 0) {
            return -1;
        }
        off = end;
    }
    if (n == 0 && b->last && img_deflate_store(d, NULL, 0, true) < 0) {
        return -1;
    }
    return img_deflate_flush(d);
}

static int add_to_buf(void *ctx, const void *data, size_t len)
{
    buf_add(ctx, data, len);
    return 0;
}

/* The queued block earliest in the stream, or NULL. Called with the lock held. */
static struct block *next_queued(struct img_gzip *gz)
{
    struct block *best = NULL;

    for (size_t i = 0; i < gz->nring; i++) {
        struct block *b = &gz->ring[i];

        if (b->state == BLOCK_QUEUED && (!best || b->seq < best->seq)) {
            best = b;
        }
    }
    return best;
}

static void *worker(void *arg)
{
    struct img_gzip *gz = arg;
    struct img_deflate *d = img_deflate_new();

    pthread_mutex_lock(&gz->lock);
    while (!gz->stop) {
        struct block *b = next_queued(gz);

        if (!b) {
            pthread_cond_wait(&gz->cond, &gz->lock);
            continue;
        }
        b->state = BLOCK_RUNNING;
        pthread_mutex_unlock(&gz->lock);
        put_block(d, b, add_to_buf, &b->out);
        pthread_mutex_lock(&gz->lock);
        b->state = BLOCK_DONE;
        pthread_cond_broadcast(&gz->cond);
    }
    pthread_mutex_unlock(&gz->lock);
    img_deflate_free(d);
    return NULL;
}

struct img_gzip *img_gzip_new(int threads)
{
    struct img_gzip *gz = xcalloc(1, sizeof(*gz));

    gz->nthreads = threads > 1 ? (size_t)threads : 0;
    gz->nring = gz->nthreads ? gz->nthreads * BLOCKS_PER_THREAD : 1;
    gz->ring = xcalloc(gz->nring, sizeof(*gz->ring));
    for (size_t i = 0; i < gz->nring; i++) {
        gz->ring[i].in = xmalloc(HISTORY + IMG_GZIP_BLOCK);
        gz->ring[i].out = (struct buf)BUF_INIT;
    }
    gz->ring[0].state = BLOCK_FILLING;
    gz->crc = (uint32_t)crc32(0L, Z_NULL, 0);
    pthread_mutex_init(&gz->lock, NULL);
    pthread_cond_init(&gz->cond, NULL);
    if (!gz->nthreads) {
        gz->inline_d = img_deflate_new();
        return gz;
    }
    gz->threads = xcalloc(gz->nthreads, sizeof(*gz->threads));
    for (size_t i = 0; i < gz->nthreads; i++) {
        if (pthread_create(&gz->threads[i], NULL, worker, gz) != 0) {
            BUG("pthread_create failed");
        }
    }
    return gz;
}

/* Hands a finished block's output on and frees its slot. */
static int write_block(struct img_gzip *gz, struct block *b, img_gzip_out_fn out, void *ctx)
{
    int rc = b->out.len ? out(ctx, b->out.ptr, b->out.len) : 0;

    gz->crc = (uint32_t)crc32_combine(gz->crc, b->crc, (z_off_t)b->fill);
    buf_reset(&b->out);
    pthread_mutex_lock(&gz->lock);
    b->state = BLOCK_FREE;
    pthread_mutex_unlock(&gz->lock);
    gz->head++;
    return rc;
}

/* Writes out finished blocks in order, waiting until at most 'pending' are left in flight. */
static int drain(struct img_gzip *gz, size_t pending, img_gzip_out_fn out, void *ctx)
{
    while (gz->head < gz->tail) {
        struct block *b = &gz->ring[gz->head % gz->nring];
        bool wait = gz->tail - gz->head > pending;
        bool done;

        pthread_mutex_lock(&gz->lock);
        while (wait && b->state != BLOCK_DONE) {
            pthread_cond_wait(&gz->cond, &gz->lock);
        }
        done = b->state == BLOCK_DONE;
        pthread_mutex_unlock(&gz->lock);
        if (!done) {
            return 0;
        }
        if (write_block(gz, b, out, ctx) < 0) {
            return -1;
        }
    }
    return 0;
}

/* Ends the block being filled: compresses it inline or queues it for the threads, then (unless
 * it is the last) starts the next one, primed with the input tail. */
static int submit(struct img_gzip *gz, bool last, img_gzip_out_fn out, void *ctx)
{
    struct block *b = &gz->ring[gz->tail % gz->nring];
    size_t total = b->hist + b->fill;
    size_t keep = total < HISTORY ? total : HISTORY;
    struct block *next;

    memcpy(gz->hist, b->in + total - keep, keep);
    gz->hist_len = keep;
    gz->isize += (uint32_t)b->fill;
    b->last = last;
    b->seq = gz->tail++;
    if (!gz->nthreads) {
        if (put_block(gz->inline_d, b, out, ctx) < 0) {
            return -1;
        }
        b->state = BLOCK_DONE;
    } else {
        pthread_mutex_lock(&gz->lock);
        b->state = BLOCK_QUEUED;
        pthread_cond_broadcast(&gz->cond);
        pthread_mutex_unlock(&gz->lock);
    }
    /* Waits for a free slot, or for every block when this was the last. */
    if (drain(gz, last ? 0 : gz->nring - 1, out, ctx) < 0) {
        return -1;
    }
    if (last) {
        return 0;
    }
    next = &gz->ring[gz->tail % gz->nring];
    memcpy(next->in, gz->hist, gz->hist_len);
    next->hist = gz->hist_len;
    next->fill = 0;
    pthread_mutex_lock(&gz->lock);
    next->state = BLOCK_FILLING;
    pthread_mutex_unlock(&gz->lock);
    return 0;
}

int img_gzip_feed(struct img_gzip *gz, const void *in, size_t len, bool finish,
                  img_gzip_out_fn out, void *ctx)
{
    const unsigned char *p = in;

    if (!gz->started) {
        gz->started = true;
        if (out(ctx, gzip_header, sizeof(gzip_header)) < 0) {
            return -1;
        }
    }
    while (len) {
        struct block *b = &gz->ring[gz->tail % gz->nring];
        size_t take;

        /* A full block is compressed only once more input shows it is not the last one, so the
         * bytes never depend on how the input was cut into calls. */
        if (b->fill == IMG_GZIP_BLOCK) {
            if (submit(gz, false, out, ctx) < 0) {
                return -1;
            }
            continue;
        }
        take = IMG_GZIP_BLOCK - b->fill < len ? IMG_GZIP_BLOCK - b->fill : len;
        memcpy(b->in + b->hist + b->fill, p, take);
        b->fill += take;
        p += take;
        len -= take;
    }
    if (finish) {
        unsigned char trailer[8];

        if (submit(gz, true, out, ctx) < 0) {
            return -1;
        }
        for (int i = 0; i < 4; i++) {
            trailer[i] = (unsigned char)(gz->crc >> (8 * i));
            trailer[4 + i] = (unsigned char)(gz->isize >> (8 * i));
        }
        return out(ctx, trailer, sizeof(trailer));
    }
    return 0;
}

void img_gzip_free(struct img_gzip *gz)
{
    if (!gz) {
        return;
    }
    pthread_mutex_lock(&gz->lock);
    gz->stop = true;
    pthread_cond_broadcast(&gz->cond);
    pthread_mutex_unlock(&gz->lock);
    for (size_t i = 0; i < gz->nthreads; i++) {
        pthread_join(gz->threads[i], NULL);
    }
    for (size_t i = 0; i < gz->nring; i++) {
        free(gz->ring[i].in);
        buf_release(&gz->ring[i].out);
    }
    free(gz->ring);
    free(gz->threads);
    img_deflate_free(gz->inline_d);
    pthread_mutex_destroy(&gz->lock);
    pthread_cond_destroy(&gz->cond);
    free(gz);
}
