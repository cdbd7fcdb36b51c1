/*
 * img-gzip.h - deterministic gzip with zlib: fixed level, mtime 0, no file name, so the same
 * layer always compresses to the same bytes and digest. Internal to images/.
 */
#ifndef IMG_GZIP_H
#define IMG_GZIP_H

#include <zlib.h>

#define IMG_GZIP_LEVEL 1 /* changing it changes every pushed layer digest */

typedef int (*img_gzip_out_fn)(void *ctx, const void *data, size_t len);

struct img_gzip {
    z_stream z;
};

void img_gzip_init(struct img_gzip *gz);
/* Compresses 'len' bytes (finish: and ends the stream), handing output to 'out'. Returns 0, or -1
 * when 'out' failed (its own error stands). */
int img_gzip_feed(struct img_gzip *gz, const void *in, size_t len, bool finish,
                  img_gzip_out_fn out, void *ctx);
void img_gzip_end(struct img_gzip *gz);

#endif
