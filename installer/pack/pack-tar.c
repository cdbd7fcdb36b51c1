/*
 * pack-tar.c - the package's tar writer (libarchive, POSIX pax restricted): members in the order
 * they are added, each with mtime 0, owner root:root (0:0) and mode 0755 or 0644, so the same
 * inputs give the same bytes; files are hashed into the manifest while they are copied. With a
 * volume size, the stream is cut into <path>.000, <path>.001, ... of that size (the last one
 * shorter), which `cat` joins back into the tar. Each file is written as <file>.part and renamed
 * when the archive is complete; volumes of an earlier, longer package of the same name go.
 */
#include "pot.h"
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/digest.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "pack/pack.h"

#define COPY_CHUNK (1 << 20)

struct pack_tar {
    struct archive *a;
    char *path;          /* owned: the final name (of the whole tar, or the volumes' stem) */
    char *top;           /* owned: the folder every member is in */
    char *chunk;         /* owned: COPY_CHUNK bytes */
    int64_t volume_size; /* 0: one file */
    size_t volumes;      /* files opened so far */
    int64_t in_volume;   /* bytes in the open one */
    int fd;              /* the open file, or -1 */
};

/* The final name of file 'i'. */
static char *file_name(const struct pack_tar *t, size_t i)
{
    return t->volume_size ? xasprintf("%s.%03zu", t->path, i) : xstrdup(t->path);
}

static char *part_name(const struct pack_tar *t, size_t i)
{
    char *name = file_name(t, i);
    char *part = xasprintf("%s.part", name);

    free(name);
    return part;
}

static int close_file(struct pack_tar *t)
{
    int rc = t->fd >= 0 ? close(t->fd) : 0;

    t->fd = -1;
    return rc;
}

static int next_file(struct pack_tar *t)
{
    char *part = part_name(t, t->volumes);

    if (close_file(t) < 0) {
        free(part);
        return -1;
    }
    t->fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    free(part);
    if (t->fd < 0) {
        return -1;
    }
    t->volumes++;
    t->in_volume = 0;
    return 0;
}

/* libarchive's writer: the bytes into the open file, cut at volume boundaries. */
static la_ssize_t write_volumes(struct archive *a, void *ctx, const void *data, size_t len)
{
    struct pack_tar *t = ctx;
    const char *p = data;
    size_t left = len;

    while (left) {
        size_t room = t->volume_size ? (size_t)(t->volume_size - t->in_volume) : left;
        size_t n = left < room ? left : room;
        ssize_t w;

        if (t->fd < 0 || room == 0) {
            if (next_file(t) < 0) {
                archive_set_error(a, errno, "volume %zu: %s", t->volumes, strerror(errno));
                return -1;
            }
            continue;
        }
        w = write(t->fd, p, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            archive_set_error(a, errno, "%s", strerror(errno));
            return -1;
        }
        p += w;
        left -= (size_t)w;
        t->in_volume += w;
    }
    return (la_ssize_t)len;
}

struct pack_tar *pack_tar_open(const char *path, const char *top, int64_t volume_size,
                               struct err *err)
{
    struct pack_tar *t = xcalloc(1, sizeof(*t));

    t->path = xstrdup(path);
    t->top = xstrdup(top);
    t->volume_size = volume_size > 0 ? volume_size : 0;
    t->fd = -1;
    t->a = archive_write_new();
    archive_write_set_format_pax_restricted(t->a);
    archive_write_set_bytes_in_last_block(t->a, 1);
    if (next_file(t) < 0) {
        err_errno(err, "'%s'", t->path);
        pack_tar_abort(t);
        return NULL;
    }
    if (archive_write_open2(t->a, t, NULL, write_volumes, NULL, NULL) != ARCHIVE_OK) {
        err_set(err, ERR_IO, "'%s': %s", t->path, archive_error_string(t->a));
        pack_tar_abort(t);
        return NULL;
    }
    t->chunk = xmalloc(COPY_CHUNK);
    return t;
}

static int write_header(struct pack_tar *t, const char *name, int64_t size, mode_t perm,
                        struct err *err)
{
    struct archive_entry *e = archive_entry_new();
    char *full = xasprintf("%s/%s", t->top, name);
    int rc = 0;

    archive_entry_set_pathname(e, full);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, perm);
    archive_entry_set_size(e, size);
    archive_entry_set_mtime(e, 0, 0);
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
    archive_entry_set_uname(e, "root");
    archive_entry_set_gname(e, "root");
    if (archive_write_header(t->a, e) != ARCHIVE_OK) {
        rc = err_set(err, ERR_IO, "'%s': member '%s': %s", t->path, full,
                     archive_error_string(t->a));
    }
    archive_entry_free(e);
    free(full);
    return rc;
}

static int write_data(struct pack_tar *t, const void *data, size_t len, struct err *err)
{
    if (archive_write_data(t->a, data, len) != (la_ssize_t)len) {
        return err_set(err, ERR_IO, "'%s': %s", t->path, archive_error_string(t->a));
    }
    return 0;
}

/* Copies exactly 'size' bytes of 'fd', hashing them into 'hex'. */
static int copy_fd(struct pack_tar *t, int fd, const char *src, int64_t size,
                   char hex[SHA256_HEX_LEN + 1], struct err *err)
{
    struct sha256 sh;
    int64_t left = size;
    int rc = 0;

    sha256_init(&sh);
    while (rc == 0 && left > 0) {
        ssize_t n = read(fd, t->chunk, left < COPY_CHUNK ? (size_t)left : COPY_CHUNK);

        if (n < 0) {
            rc = err_errno(err, "'%s'", src);
        } else if (n == 0) {
            rc = err_set(err, ERR_IO, "'%s': shrank while it was packed", src);
        } else {
            sha256_update(&sh, t->chunk, (size_t)n);
            rc = write_data(t, t->chunk, (size_t)n, err);
            left -= n;
        }
    }
    if (rc == 0 && read(fd, t->chunk, 1) != 0) {
        rc = err_set(err, ERR_IO, "'%s': grew while it was packed", src);
    }
    sha256_final_hex(&sh, hex);
    return rc;
}

int pack_tar_add_file(struct pack_tar *t, const char *name, const char *src,
                      struct pack_manifest *m, struct err *err)
{
    char hex[SHA256_HEX_LEN + 1];
    struct stat st;
    int fd = open(src, O_RDONLY | O_CLOEXEC);
    int rc;

    if (fd < 0 || fstat(fd, &st) < 0) {
        rc = err_errno(err, "'%s'", src);
    } else if (!S_ISREG(st.st_mode)) {
        rc = err_set(err, ERR_IO, "'%s': not a regular file", src);
    } else {
        rc = write_header(t, name, st.st_size, (st.st_mode & 0111) ? 0755 : 0644, err);
        if (rc == 0) {
            rc = copy_fd(t, fd, src, st.st_size, hex, err);
        }
        if (rc == 0 && m) {
            pack_manifest_add(m, name, hex, st.st_size);
        }
    }
    if (fd >= 0) {
        close(fd);
    }
    return rc;
}

int pack_tar_add_mem(struct pack_tar *t, const char *name, const void *data, size_t len,
                     struct err *err)
{
    if (write_header(t, name, (int64_t)len, 0644, err) < 0) {
        return -1;
    }
    return len ? write_data(t, data, len, err) : 0;
}

static void tar_free(struct pack_tar *t)
{
    archive_write_free(t->a);
    close_file(t);
    free(t->path);
    free(t->top);
    free(t->chunk);
    free(t);
}

/* The written files renamed into place; then what an earlier package of the same name left: the
 * whole tar when this one is in volumes, volumes past the last (or all) otherwise. */
static int rename_files(struct pack_tar *t, struct err *err)
{
    for (size_t i = 0; i < t->volumes; i++) {
        char *part = part_name(t, i);
        char *name = file_name(t, i);
        int rc = rename(part, name);

        if (rc < 0) {
            err_errno(err, "rename '%s'", part);
        }
        free(part);
        free(name);
        if (rc < 0) {
            return -1;
        }
    }
    if (t->volume_size) {
        unlink(t->path);
    }
    for (size_t i = t->volume_size ? t->volumes : 0;; i++) {
        char *stale = xasprintf("%s.%03zu", t->path, i);
        int gone = unlink(stale);

        free(stale);
        if (gone < 0) {
            return 0;
        }
    }
}

static void remove_parts(struct pack_tar *t)
{
    for (size_t i = 0; i < t->volumes; i++) {
        char *part = part_name(t, i);

        unlink(part);
        free(part);
    }
}

int pack_tar_close(struct pack_tar *t, struct err *err)
{
    int rc = 0;

    if (archive_write_close(t->a) != ARCHIVE_OK) {
        rc = err_set(err, ERR_IO, "'%s': %s", t->path, archive_error_string(t->a));
    } else if (close_file(t) < 0) {
        rc = err_errno(err, "'%s'", t->path);
    } else {
        rc = rename_files(t, err);
    }
    if (rc < 0) {
        remove_parts(t);
    }
    tar_free(t);
    return rc;
}

void pack_tar_abort(struct pack_tar *t)
{
    if (t) {
        close_file(t);
        remove_parts(t);
        tar_free(t);
    }
}
