/*
 * img-gzip.c - deterministic gzip compression of layer streams (see img-gzip.h).
 */
#include "pot.h"
#include <string.h>
#include "images/img-gzip.h"

void img_gzip_init(struct img_gzip *gz)
{
    memset(gz, 0, sizeof(*gz));
    /* windowBits 15 + 16: a gzip wrapper whose header zlib writes with mtime 0 and no name. */
    if (deflateInit2(&gz->z, IMG_GZIP_LEVEL, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        BUG("deflateInit2 failed");
    }
}

int img_gzip_feed(struct img_gzip *gz, const void *in, size_t len, bool finish,
                  img_gzip_out_fn out, void *ctx)
{
    unsigned char chunk[65536];
    int rc;

    gz->z.next_in = (unsigned char *)in;
    gz->z.avail_in = (uInt)len;
    do {
        gz->z.next_out = chunk;
        gz->z.avail_out = sizeof(chunk);
        rc = deflate(&gz->z, finish ? Z_FINISH : Z_NO_FLUSH);
        if (rc == Z_STREAM_ERROR) {
            BUG("deflate stream error");
        }
        if (sizeof(chunk) - gz->z.avail_out > 0 &&
            out(ctx, chunk, sizeof(chunk) - gz->z.avail_out) < 0) {
            return -1;
        }
    } while (gz->z.avail_out == 0 || (finish && rc != Z_STREAM_END));
    return 0;
}

void img_gzip_end(struct img_gzip *gz)
{
    deflateEnd(&gz->z);
}
