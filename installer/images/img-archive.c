/*
 * img-archive.c - libarchive streams over tarballs: scan members (buffering small JSON ones) and
 * open one member for reading. Nothing is extracted to disk.
 */
#include "pot.h"
#include <archive.h>
#include <archive_entry.h>
#include <string.h>
#include "base/err.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "images/img-archive.h"

#define SMALL_MEMBER (4 * 1024 * 1024)

static struct archive *open_archive(const char *path, struct err *err)
{
    struct archive *a = archive_read_new();

    archive_read_support_filter_all(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_gnutar(a);
    if (archive_read_open_filename(a, path, 1 << 20) != ARCHIVE_OK) {
        err_set(err, ERR_IO, "'%s': %s", path, archive_error_string(a));
        archive_read_free(a);
        return NULL;
    }
    return a;
}

static const char *clean_name(const char *name)
{
    while (str_starts_with(name, "./")) {
        name += 2;
    }
    return name;
}

static int archive_fail(struct archive *a, const char *path, const char *member, struct err *err)
{
    const char *why = archive_error_string(a);

    if (member) {
        return err_set(err, ERR_IO, "'%s': member '%s': %s", path, member,
                       why ? why : "read error");
    }
    return err_set(err, ERR_IO, "'%s': %s", path, why ? why : "not a tar archive");
}

/* Reads a small member whole; keeps it when it looks like JSON. */
static int read_small(struct archive *a, struct img_member *m)
{
    char chunk[65536];
    la_ssize_t n;

    n = archive_read_data(a, chunk, sizeof(chunk));
    while (n > 0) {
        buf_add(&m->data, chunk, (size_t)n);
        n = archive_read_data(a, chunk, sizeof(chunk));
    }
    if (n < 0 || (int64_t)m->data.len != m->size) {
        return -1;
    }
    m->gzipped = m->data.len >= 2 && (unsigned char)m->data.ptr[0] == 0x1f &&
                 (unsigned char)m->data.ptr[1] == 0x8b;
    m->buffered = str_ends_with(m->name, ".json") || strcmp(m->name, "repositories") == 0 ||
                  strcmp(m->name, "oci-layout") == 0 || (m->data.len && m->data.ptr[0] == '{');
    if (!m->buffered) {
        buf_release(&m->data);
    }
    return 0;
}

/* Peeks at the first bytes of a large member and skips the rest. */
static int peek_large(struct archive *a, struct img_member *m)
{
    unsigned char magic[2] = { 0, 0 };
    la_ssize_t n = archive_read_data(a, magic, sizeof(magic));

    if (n < 0) {
        return -1;
    }
    m->gzipped = n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    return archive_read_data_skip(a) == ARCHIVE_OK ? 0 : -1;
}

static int scan_entries(struct archive *a, const char *path, struct img_scan *scan,
                        struct err *err)
{
    struct archive_entry *e;
    int rc;

    for (;;) {
        struct img_member *m;

        rc = archive_read_next_header(a, &e);
        if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
            break;
        }
        if (archive_entry_filetype(e) != AE_IFREG) {
            continue;
        }
        m = xcalloc(1, sizeof(*m));
        m->name = xstrdup(clean_name(archive_entry_pathname(e)));
        m->size = archive_entry_size(e);
        m->data = (struct buf)BUF_INIT;
        vec_push(&scan->members, m);
        if ((m->size <= SMALL_MEMBER ? read_small(a, m) : peek_large(a, m)) < 0) {
            return archive_fail(a, path, m->name, err);
        }
    }
    if (rc != ARCHIVE_EOF) {
        return archive_fail(a, path, NULL, err);
    }
    if (scan->members.len == 0) {
        return err_set(err, ERR_IO, "'%s': empty or not a tar archive", path);
    }
    return 0;
}

int img_archive_scan(const char *path, struct img_scan *scan, struct err *err)
{
    struct archive *a = open_archive(path, err);
    int ret;

    if (!a) {
        return -1;
    }
    ret = scan_entries(a, path, scan, err);
    archive_read_free(a);
    return ret;
}

void img_scan_release(struct img_scan *scan)
{
    for (size_t i = 0; i < scan->members.len; i++) {
        struct img_member *m = scan->members.items[i];

        free(m->name);
        buf_release(&m->data);
        free(m);
    }
    vec_release(&scan->members);
}

struct img_member *img_scan_find(const struct img_scan *scan, const char *name)
{
    name = clean_name(name);
    for (size_t i = 0; i < scan->members.len; i++) {
        struct img_member *m = scan->members.items[i];

        if (strcmp(m->name, name) == 0) {
            return m;
        }
    }
    return NULL;
}

struct archive *img_archive_open_member(const char *path, const char *member, struct err *err)
{
    struct archive *a = open_archive(path, err);
    struct archive_entry *e;
    int rc;

    if (!a) {
        return NULL;
    }
    member = clean_name(member);
    for (;;) {
        rc = archive_read_next_header(a, &e);
        if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
            break;
        }
        if (strcmp(clean_name(archive_entry_pathname(e)), member) == 0) {
            return a;
        }
        if (archive_read_data_skip(a) != ARCHIVE_OK) {
            break;
        }
    }
    if (rc == ARCHIVE_EOF) {
        err_set(err, ERR_IO, "'%s': member '%s' is missing", path, member);
    } else {
        archive_fail(a, path, member, err);
    }
    archive_read_free(a);
    return NULL;
}
