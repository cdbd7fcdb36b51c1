/*
 * img-spool.h - staging a tar-member layer in a file: stream it out of its archive, check its
 * diff_id, gzip it deterministically (unless it is copied as is) and learn its digest and size.
 * Internal to images/; called from worker threads, one blob per thread.
 */
#ifndef IMG_SPOOL_H
#define IMG_SPOOL_H

struct err;
struct img_blob;

struct img_spool {
    int fd;     /* -1 when closed */
    char *path; /* owned; the staging file (unlinked by img_spool_release unless moved) */
};

#define IMG_SPOOL_INIT { -1, NULL }

typedef void (*img_read_progress_fn)(void *ctx, int64_t delta);

/* Fills the spool in 'dir' (NULL: $TMPDIR or /tmp) and sets blob->digest and blob->size,
 * compressing with up to 'threads' threads (see img-gzip.h; the bytes do not depend on it).
 * Errors name the image, its source and the layer. */
int img_spool_blob(struct img_blob *blob, const char *dir, int threads, struct img_spool *sp,
                   img_read_progress_fn progress, void *ctx, struct err *err);
void img_spool_release(struct img_spool *sp);

#endif
