/*
 * img-spool.c - stage one tar-member layer as a gzip file with known digest (see img-spool.h).
 */
#include "pot.h"
#include <archive.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "base/digest.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "images/img-archive.h"
#include "images/img-gzip.h"
#include "images/img-spool.h"
#include "images/img.h"

struct writer {
    int fd;
    struct sha256 out_hash;
    int64_t written;
    const char *dir;
    struct err *err;
};

static int write_out(void *ctx, const void *data, size_t len)
{
    struct writer *w = ctx;
    const char *p = data;

    sha256_update(&w->out_hash, data, len);
    w->written += (int64_t)len;
    while (len) {
        ssize_t n = write(w->fd, p, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return err_errno(w->err, "cannot write the staged layer in '%s'", w->dir);
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int open_spool(const char *dir, struct img_spool *sp, struct err *err)
{
    const char *tmp = getenv("TMPDIR");

    if (!dir) {
        dir = tmp && *tmp ? tmp : "/tmp";
    }
    sp->path = xasprintf("%s/.pot-blob-XXXXXX", dir);
    sp->fd = mkstemp(sp->path);
    if (sp->fd < 0) {
        err_errno(err, "cannot create a staging file in '%s'", dir);
        free(sp->path);
        sp->path = NULL;
        return -1;
    }
    return 0;
}

static char *finish_hex(struct sha256 *h)
{
    char hex[SHA256_HEX_LEN + 1];

    sha256_final_hex(h, hex);
    return xasprintf("sha256:%s", hex);
}

/* One stretch of the member's bytes: hashed, then written as is or through the compressor. */
static int take(struct img_blob *b, struct img_gzip *gz, struct sha256 *raw, struct writer *w,
                const void *data, size_t len)
{
    sha256_update(raw, data, len);
    return b->copy ? write_out(w, data, len) : img_gzip_feed(gz, data, len, false, write_out, w);
}

/* A hole in a sparse member reads as zeros. */
static int take_zeros(struct img_blob *b, struct img_gzip *gz, struct sha256 *raw,
                      struct writer *w, int64_t len)
{
    static const char zeros[65536];
    int ret = 0;

    while (ret == 0 && len > 0) {
        size_t n = len < (int64_t)sizeof(zeros) ? (size_t)len : sizeof(zeros);

        ret = take(b, gz, raw, w, zeros, n);
        len -= (int64_t)n;
    }
    return ret;
}

/* Streams the member straight from libarchive's buffers through (gzip and) the writer; checks
 * the length and the uncompressed digest. */
static int pump(struct img_blob *b, struct archive *a, struct writer *w, int threads,
                img_read_progress_fn progress, void *ctx, struct err *err)
{
    struct img_gzip *gz = b->copy ? NULL : img_gzip_new(threads);
    struct sha256 raw;
    int64_t total = 0;
    const void *data;
    size_t n;
    la_int64_t at;
    int rc;
    int ret = 0;

    sha256_init(&raw);
    rc = archive_read_data_block(a, &data, &n, &at);
    while (ret == 0 && rc == ARCHIVE_OK) {
        if (at > total) {
            ret = take_zeros(b, gz, &raw, w, at - total);
            total = at;
        }
        if (ret == 0) {
            ret = take(b, gz, &raw, w, data, n);
        }
        total += (int64_t)n;
        if (progress) {
            progress(ctx, (int64_t)n);
        }
        if (ret == 0) {
            rc = archive_read_data_block(a, &data, &n, &at);
        }
    }
    if (ret == 0 && rc != ARCHIVE_EOF) {
        ret = err_set(err, ERR_IO, "%s", archive_error_string(a));
    }
    if (ret == 0 && !b->copy) {
        ret = img_gzip_feed(gz, NULL, 0, true, write_out, w);
    }
    img_gzip_free(gz);
    {
        char *raw_digest = finish_hex(&raw);

        if (ret == 0 && total != b->src_size) {
            ret = err_set(err, ERR_IO, "truncated: read %lld of %lld bytes", (long long)total,
                          (long long)b->src_size);
        } else if (ret == 0 && !b->copy && b->diff_id && strcmp(raw_digest, b->diff_id) != 0) {
            ret = err_set(err, ERR_PARSE, "digest mismatch: content is %s", raw_digest);
        }
        free(raw_digest);
    }
    return ret;
}

static int check_known_digest(struct img_blob *b, char *got, struct err *err)
{
    if (b->digest && strcmp(b->digest, got) != 0) {
        err_set(err, ERR_PARSE, "digest mismatch: content is %s", got);
        free(got);
        return -1;
    }
    free(b->digest);
    b->digest = got;
    return 0;
}

int img_spool_blob(struct img_blob *b, const char *dir, int threads, struct img_spool *sp,
                   img_read_progress_fn progress, void *ctx, struct err *err)
{
    struct writer w = { .dir = dir ? dir : "$TMPDIR", .err = err };
    struct archive *a = NULL;
    int ret = -1;

    if (open_spool(dir, sp, err) < 0) {
        return err_prefix(err, "image '%s' (%s): layer %s: ", b->image_name, b->image_source,
                          b->diff_id ? b->diff_id : b->digest);
    }
    w.fd = sp->fd;
    sha256_init(&w.out_hash);
    a = img_archive_open_member(b->archive, b->path, err);
    if (a) {
        ret = pump(b, a, &w, threads, progress, ctx, err);
        archive_read_free(a);
    }
    if (ret == 0) {
        ret = check_known_digest(b, finish_hex(&w.out_hash), err);
    } else {
        char hex[SHA256_HEX_LEN + 1];

        sha256_final_hex(&w.out_hash, hex);
    }
    if (ret == 0) {
        b->size = w.written;
        return 0;
    }
    img_spool_release(sp);
    return err_prefix(err, "image '%s' (%s): layer %s: ", b->image_name, b->image_source,
                      b->diff_id ? b->diff_id : b->digest);
}

void img_spool_release(struct img_spool *sp)
{
    if (sp->fd >= 0) {
        close(sp->fd);
    }
    if (sp->path) {
        unlink(sp->path);
        free(sp->path);
    }
    sp->fd = -1;
    sp->path = NULL;
}
