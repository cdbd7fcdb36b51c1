/*
 * img-fs.c - complete-or-absent blob files for the pack and seed sinks (see img-fs.h), and
 * img_sink_free for every sink.
 */
#include "pot.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "images/img-fs.h"
#include "images/img-sink.h"

int64_t img_fs_size(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (int64_t)st.st_size : -1;
}

bool img_fs_split_digest(const char *digest, const char **alg, size_t *alg_len, const char **hex)
{
    const char *colon = strchr(digest, ':');

    if (!colon || colon == digest || !colon[1] || strchr(digest, '/')) {
        return false;
    }
    *alg = digest;
    *alg_len = (size_t)(colon - digest);
    *hex = colon + 1;
    return true;
}

static int make_parent(const char *dest, struct err *err)
{
    char *dir = fs_dirname(dest);
    int ret = fs_mkdir_p(dir, 0755, err);

    free(dir);
    return ret;
}

#define COPY_CHUNK (1 << 20)

/* Copies 'size' bytes of 'in' to 'out' and fsyncs. The buffer is the heap's, not thread-local:
 * static TLS is set up in every thread of every pot command (1 MiB of each stack touched). */
static int copy_fd(int in, int out, int64_t size, void (*progress)(void *, int64_t), void *ctx)
{
    char *chunk = xmalloc(COPY_CHUNK);
    int64_t off = 0;
    int ret = -1;

    while (off < size) {
        size_t want = size - off < COPY_CHUNK ? (size_t)(size - off) : COPY_CHUNK;
        ssize_t n = pread(in, chunk, want, off);
        const char *p = chunk;

        if (n <= 0) {
            errno = n == 0 ? EIO : errno;
            goto out;
        }
        off += n;
        if (progress) {
            progress(ctx, n);
        }
        while (n > 0) {
            ssize_t w = write(out, p, (size_t)n);

            if (w < 0 && errno != EINTR) {
                goto out;
            }
            if (w > 0) {
                p += w;
                n -= w;
            }
        }
    }
    ret = fsync(out);
out:
    free(chunk);
    return ret;
}

static int copy_into(const char *dest, int fd, int64_t size, void (*progress)(void *, int64_t),
                     void *ctx, struct err *err)
{
    char *tmp = xasprintf("%s.tmp-XXXXXX", dest);
    int out = mkstemp(tmp);
    int ret = -1;

    if (out < 0) {
        err_errno(err, "cannot create '%s'", tmp);
        free(tmp);
        return -1;
    }
    if (fchmod(out, 0644) < 0 || copy_fd(fd, out, size, progress, ctx) < 0) {
        err_errno(err, "cannot write '%s'", dest);
    } else if (rename(tmp, dest) < 0) {
        err_errno(err, "cannot rename '%s' to '%s'", tmp, dest);
    } else {
        ret = 0;
    }
    close(out);
    if (ret < 0) {
        unlink(tmp);
    }
    free(tmp);
    return ret;
}

int img_fs_place_fd(const char *dest, int fd, const char *spool_path, int64_t size,
                    void (*progress)(void *ctx, int64_t delta), void *ctx, struct err *err)
{
    if (img_fs_size(dest) == size) {
        return 0;
    }
    if (make_parent(dest, err) < 0) {
        return -1;
    }
    if (spool_path && fchmod(fd, 0644) == 0 && fsync(fd) == 0) {
        unlink(dest);
        if (link(spool_path, dest) == 0) {
            return 0;
        }
        if (errno != EXDEV && errno != EPERM) {
            return err_errno(err, "cannot link '%s'", dest);
        }
    }
    return copy_into(dest, fd, size, progress, ctx, err);
}

int img_fs_place_mem(const char *dest, const void *data, size_t len, struct err *err)
{
    if (make_parent(dest, err) < 0) {
        return -1;
    }
    return fs_write_atomic(dest, data, len, 0644, err);
}

void img_sink_free(struct img_sink *sink)
{
    if (!sink) {
        return;
    }
    sink->ops->free_priv(sink->priv);
    free(sink->name);
    free(sink->spool_dir);
    free(sink);
}
