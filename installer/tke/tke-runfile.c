/*
 * tke-runfile.c - copy the installer image tarball out of a TKEStack .run: find the archive after
 * the marker line like init_installer.sh does, stream it through libarchive, write the one member.
 */
#include "pot.h"
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "base/err.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "tke/tke-runfile.h"

int tke_runfile_payload_offset(const char *run, uint64_t *offset, struct err *err)
{
    static const char marker[] = TKE_RUN_MARKER;
    FILE *f = fopen(run, "rb");
    char *head;
    size_t n;
    int ret = -1;

    if (!f) {
        return err_errno(err, "cannot read '%s'", run);
    }
    head = xmalloc(TKE_RUN_HEADER_MAX);
    n = fread(head, 1, TKE_RUN_HEADER_MAX, f);
    if (ferror(f)) {
        err_errno(err, "cannot read '%s'", run);
        goto out;
    }
    for (size_t line = 0; line < n;) {
        const char *nl = memchr(head + line, '\n', n - line);
        size_t end = nl ? (size_t)(nl - head) + 1 : n;

        if (n - line >= sizeof(marker) - 1 &&
            memcmp(head + line, marker, sizeof(marker) - 1) == 0) {
            if (!nl || end == n) {
                err_set(err, ERR_FAILED, "'%s' has no archive after its line '%s': the file is "
                        "incomplete", run, marker);
                goto out;
            }
            *offset = end;
            ret = 0;
            goto out;
        }
        line = end;
    }
    err_set(err, ERR_FAILED, "'%s' is not a TKEStack installer: no line '%s' in its first %d "
            "bytes", run, marker, TKE_RUN_HEADER_MAX);
out:
    free(head);
    fclose(f);
    return ret;
}

struct payload {
    FILE *f;
    char chunk[65536];
};

static la_ssize_t payload_read(struct archive *a, void *ctx, const void **data)
{
    struct payload *p = ctx;
    size_t n = fread(p->chunk, 1, sizeof(p->chunk), p->f);

    if (n == 0 && ferror(p->f)) {
        archive_set_error(a, errno, "read error");
        return -1;
    }
    *data = p->chunk;
    return (la_ssize_t)n;
}

/* res/tke-installer*.{tgz,tar.gz,tar}, with or without a leading "./". */
static bool is_image_member(const char *name)
{
    static const char *const suffixes[] = { ".tgz", ".tar.gz", ".tar" };

    if (str_starts_with(name, "./")) {
        name += 2;
    }
    if (!str_starts_with(name, "res/tke-installer") || strchr(name + 4, '/')) {
        return false;
    }
    for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
        if (str_ends_with(name, suffixes[i])) {
            return true;
        }
    }
    return false;
}

static int copy_member(struct archive *a, const char *run, const char *dest, struct err *err)
{
    FILE *out = fopen(dest, "wb");
    const void *block;
    size_t len;
    la_int64_t pos;
    int r;

    if (!out) {
        return err_errno(err, "cannot create '%s'", dest);
    }
    r = archive_read_data_block(a, &block, &len, &pos);
    while (r == ARCHIVE_OK) {
        if (fwrite(block, 1, len, out) != len) {
            err_errno(err, "cannot write '%s'", dest);
            fclose(out);
            return -1;
        }
        r = archive_read_data_block(a, &block, &len, &pos);
    }
    if (r != ARCHIVE_EOF) {
        err_set(err, ERR_FAILED, "'%s': the appended archive is corrupt: %s", run,
                archive_error_string(a));
        fclose(out);
        return -1;
    }
    if (fclose(out) != 0) {
        return err_errno(err, "cannot write '%s'", dest);
    }
    return 0;
}

int tke_runfile_extract_image(const char *run, const char *dest, char **member,
                              struct err *err)
{
    struct payload *p = NULL;
    struct archive *a = NULL;
    struct archive_entry *e;
    uint64_t offset;
    int r, ret = -1;

    if (tke_runfile_payload_offset(run, &offset, err) < 0) {
        return -1;
    }
    p = xcalloc(1, sizeof(*p));
    p->f = fopen(run, "rb");
    if (!p->f || fseeko(p->f, (off_t)offset, SEEK_SET) != 0) {
        err_errno(err, "cannot read '%s'", run);
        goto out;
    }
    a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_tar(a);
    if (archive_read_open(a, p, NULL, payload_read, NULL) != ARCHIVE_OK) {
        err_set(err, ERR_FAILED, "'%s': the archive after line '%s' is corrupt: %s", run,
                TKE_RUN_MARKER, archive_error_string(a));
        goto out;
    }
    r = archive_read_next_header(a, &e);
    for (; r == ARCHIVE_OK; r = archive_read_next_header(a, &e)) {
        const char *name = archive_entry_pathname(e);

        if (name && archive_entry_filetype(e) == AE_IFREG && is_image_member(name)) {
            if (copy_member(a, run, dest, err) < 0) {
                unlink(dest);
                goto out;
            }
            if (member) {
                *member = xstrdup(name);
            }
            ret = 0;
            goto out;
        }
    }
    if (r == ARCHIVE_EOF) {
        err_set(err, ERR_FAILED, "'%s' has no installer image: its archive holds no "
                "res/tke-installer*.tgz", run);
    } else {
        err_set(err, ERR_FAILED, "'%s': the archive after line '%s' is corrupt: %s", run,
                TKE_RUN_MARKER, archive_error_string(a));
    }
out:
    if (a) {
        archive_read_free(a);
    }
    if (p->f) {
        fclose(p->f);
    }
    free(p);
    return ret;
}
