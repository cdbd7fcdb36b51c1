/*
 * img-deflate.h - a fast raw deflate (RFC 1951) encoder for layer compression: greedy LZ77 with
 * one hash probe per position (and longer strides through data that does not match, as snappy
 * and Go's fastest gzip level do), then per 60 KiB of input the cheapest of a dynamic Huffman,
 * fixed Huffman or stored block. On the benchmark's layers about 2.5 times zlib level 1's speed
 * for 4% more output (zlib 1.2.13 level 1 was most of pot's CPU time when pushing from
 * tarballs); zlib's inflate reads what it writes. Internal to images/ (img-gzip.c frames it as
 * gzip).
 *
 * Its output depends only on the bytes given and the calls made, never on memory addresses or
 * timing, so img-gzip.c's digests are the same on every machine.
 */
#ifndef IMG_DEFLATE_H
#define IMG_DEFLATE_H

/* Receives output bytes in order. Returns 0, or -1 to stop (the callee's error stands). */
typedef int (*img_deflate_out_fn)(void *ctx, const void *data, size_t len);

struct img_deflate;

/* An encoder; free it with img_deflate_free (NULL does nothing). It keeps its tables between
 * streams, so one per thread is enough. */
struct img_deflate *img_deflate_new(void);
void img_deflate_free(struct img_deflate *d);

/* Starts a bit stream written through 'out' (or continues a byte-aligned one elsewhere). The
 * calls below append blocks to it in order; only img_deflate_flush is sure to call 'out'. */
void img_deflate_begin(struct img_deflate *d, img_deflate_out_fn out, void *ctx);
/* Compresses p[0..n), which may refer back to the 'hist' bytes before p (at most 32 KiB are
 * used); 'final' marks the stream's last block. Returns 0, or -1 when 'out' failed. */
int img_deflate_compress(struct img_deflate *d, const unsigned char *p, size_t hist, size_t n,
                         bool final);
/* Writes p[0..n) as stored blocks (one empty block when n is 0). Returns 0, or -1 when 'out'
 * failed. */
int img_deflate_store(struct img_deflate *d, const unsigned char *p, size_t n, bool final);
/* Hands everything written to 'out', first ending the stream on a byte boundary when it is
 * neither there nor ended: with an empty stored block, as zlib's Z_SYNC_FLUSH does. The stream
 * can then go on in another encoder or thread. Returns 0, or -1 when 'out' failed. */
int img_deflate_flush(struct img_deflate *d);

/* The code lengths the encoder gives symbols 0..nsym-1 (nsym <= 286) with these frequencies: at
 * most 'max_bits' (<= 15), a complete code over at least two symbols (exposed for the tests). */
void img_deflate_code_lengths(const uint32_t *freq, size_t nsym, unsigned max_bits, uint8_t *len);

#endif
