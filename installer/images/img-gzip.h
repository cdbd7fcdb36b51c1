/*
 * img-gzip.h - deterministic gzip of layer streams: the same layer always compresses to
 * the same bytes and digest, however its bytes are handed in and however many threads compress.
 * Internal to images/.
 *
 * The output is one gzip member (mtime 0, no file name) whose deflate data is cut by input offset:
 * the input is split into IMG_GZIP_BLOCK blocks and each block into IMG_GZIP_SEGMENT segments.
 * A segment whose byte histogram is near uniform (random or already compressed data) is written
 * as stored deflate blocks, costing no compression CPU; the other segments of a block form runs,
 * each compressed by img-deflate.c's encoder primed with the 32 KiB of input before the run. A
 * block ends byte-aligned (with an empty stored block when needed, like pigz's Z_SYNC_FLUSH), so
 * its bytes depend only on its input and the 32 KiB before it: the blocks of one stream are
 * compressed by up to 'threads' threads at once and written in order; the CRC (zlib's) is joined
 * with crc32_combine.
 */
#ifndef IMG_GZIP_H
#define IMG_GZIP_H

#include "images/img-deflate.h"

/* Changing either, the stored test in img-gzip.c or the encoder in img-deflate.c changes every
 * pushed layer digest. */
#define IMG_GZIP_BLOCK (1u << 20)
#define IMG_GZIP_SEGMENT (1u << 16)

/* Receives output bytes in order, always on the thread that called img_gzip_feed. */
typedef img_deflate_out_fn img_gzip_out_fn;

struct img_gzip;

/* A compressor using 'threads' threads (<= 1: compresses on the calling thread, no threads).
 * Free it with img_gzip_free, also after an error. */
struct img_gzip *img_gzip_new(int threads);
/* Compresses 'len' bytes (finish: and ends the stream), handing output to 'out'. Returns 0, or -1
 * when 'out' failed (its own error stands); after -1 only img_gzip_free may follow. */
int img_gzip_feed(struct img_gzip *gz, const void *in, size_t len, bool finish,
                  img_gzip_out_fn out, void *ctx);
/* Stops the threads and frees everything; img_gzip_free(NULL) does nothing. */
void img_gzip_free(struct img_gzip *gz);

/* True when 'n' bytes look incompressible (exposed for the tests). */
bool img_gzip_incompressible(const unsigned char *p, size_t n);

#endif
