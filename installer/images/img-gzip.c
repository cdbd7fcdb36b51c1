/*
 * img-gzip.c - deterministic gzip compression of layer streams (see img-gzip.h for the format).
 */
#include "pot.h"
#include <string.h>
#include "base/xalloc.h"
#include "images/img-gzip.h"

#define HISTORY 32768u   /* deflate's window: what a run is primed with */
#define OUT_CAP 65536u
#define STORED_MAX 65535u
#define MIN_SEGMENT 4096u /* shorter segments are always compressed; also the first look */
/* A segment is stored when its byte histogram's chi-square against a uniform one is at most this
 * (random data: about 255; text, binaries, tar headers: tens of thousands and more). At the limit
 * an order-0 coder could save under 0.1% of a 64 KiB segment. Integer-only, so every machine
 * decides alike. */
#define CHI2_MAX 1024u

static const unsigned char gzip_header[10] = {
    0x1f, 0x8b, 8 /* deflate */, 0 /* no flags */, 0, 0, 0, 0 /* mtime */, 0, 3 /* unix */
};

void img_gzip_init(struct img_gzip *gz)
{
    memset(gz, 0, sizeof(*gz));
    /* windowBits -15: raw deflate; this file writes the gzip header and trailer itself. */
    if (deflateInit2(&gz->z, IMG_GZIP_LEVEL, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        BUG("deflateInit2 failed");
    }
    gz->buf = xmalloc(HISTORY + IMG_GZIP_BLOCK);
    gz->out = xmalloc(OUT_CAP);
    gz->crc = (uint32_t)crc32(0L, Z_NULL, 0);
}

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

/* Stored deflate blocks; the stream is byte-aligned before and after. */
static int put_stored(const unsigned char *p, size_t n, bool last, img_gzip_out_fn out, void *ctx)
{
    do {
        size_t len = n < STORED_MAX ? n : STORED_MAX;
        unsigned char hdr[5] = { last && len == n, len & 0xff, len >> 8, ~len & 0xff,
                                 (~len >> 8) & 0xff };

        if (out(ctx, hdr, sizeof(hdr)) < 0 || (len && out(ctx, p, len) < 0)) {
            return -1;
        }
        p += len;
        n -= len;
    } while (n);
    return 0;
}

/* One run through a fresh raw deflate stream primed with 'dict'; ends byte-aligned, or with the
 * final block when 'last'. */
static int put_deflated(struct img_gzip *gz, const unsigned char *dict, size_t dict_len,
                        const unsigned char *p, size_t n, bool last, img_gzip_out_fn out,
                        void *ctx)
{
    int flush = last ? Z_FINISH : Z_SYNC_FLUSH;
    int rc;

    if (deflateReset(&gz->z) != Z_OK ||
        (dict_len && deflateSetDictionary(&gz->z, dict, (uInt)dict_len) != Z_OK)) {
        BUG("deflate reset failed");
    }
    gz->z.next_in = (unsigned char *)p;
    gz->z.avail_in = (uInt)n;
    do {
        gz->z.next_out = gz->out;
        gz->z.avail_out = OUT_CAP;
        rc = deflate(&gz->z, flush);
        if (rc == Z_STREAM_ERROR) {
            BUG("deflate stream error");
        }
        if (OUT_CAP - gz->z.avail_out > 0 && out(ctx, gz->out, OUT_CAP - gz->z.avail_out) < 0) {
            return -1;
        }
    } while (gz->z.avail_out == 0 || (last && rc != Z_STREAM_END));
    return 0;
}

static size_t segment_len(size_t off, size_t n)
{
    return n - off < IMG_GZIP_SEGMENT ? n - off : IMG_GZIP_SEGMENT;
}

/* Compresses the buffered block as runs of stored or deflated segments, then keeps its tail as
 * the next block's history. */
static int put_block(struct img_gzip *gz, bool last, img_gzip_out_fn out, void *ctx)
{
    const unsigned char *p = gz->buf + gz->hist;
    size_t n = gz->fill;
    size_t off = 0;
    size_t total;
    size_t keep;

    gz->crc = (uint32_t)crc32(gz->crc, p, (uInt)n);
    gz->isize += (uint32_t)n;
    if (n == 0 && last && put_stored(p, 0, true, out, ctx) < 0) {
        return -1;
    }
    while (off < n) {
        bool stored = img_gzip_incompressible(p + off, segment_len(off, n));
        size_t end = off + segment_len(off, n);
        bool final;
        int rc;

        while (end < n && img_gzip_incompressible(p + end, segment_len(end, n)) == stored) {
            end += segment_len(end, n);
        }
        final = last && end == n;
        if (stored) {
            rc = put_stored(p + off, end - off, final, out, ctx);
        } else {
            size_t dict_len = gz->hist + off < HISTORY ? gz->hist + off : HISTORY;

            rc = put_deflated(gz, p + off - dict_len, dict_len, p + off, end - off, final, out,
                              ctx);
        }
        if (rc < 0) {
            return -1;
        }
        off = end;
    }
    total = gz->hist + n;
    keep = total < HISTORY ? total : HISTORY;
    memmove(gz->buf, gz->buf + total - keep, keep);
    gz->hist = keep;
    gz->fill = 0;
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
        size_t take;

        /* A full block is compressed only once more input shows it is not the last one, so the
         * bytes never depend on how the input was cut into calls. */
        if (gz->fill == IMG_GZIP_BLOCK && put_block(gz, false, out, ctx) < 0) {
            return -1;
        }
        take = IMG_GZIP_BLOCK - gz->fill < len ? IMG_GZIP_BLOCK - gz->fill : len;
        memcpy(gz->buf + gz->hist + gz->fill, p, take);
        gz->fill += take;
        p += take;
        len -= take;
    }
    if (finish) {
        unsigned char trailer[8];

        if (put_block(gz, true, out, ctx) < 0) {
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

void img_gzip_end(struct img_gzip *gz)
{
    deflateEnd(&gz->z);
    free(gz->buf);
    free(gz->out);
    gz->buf = NULL;
    gz->out = NULL;
}
