/*
 * pack-delta.c - `pot pack --apply DELTA.tar --to OLD_DIR`: turns an unpacked old package into the
 * new one in place. DELTA's base must be OLD_DIR's MANIFEST; the delta's files are extracted into
 * OLD_DIR/.pot-delta and checked against DELTA before anything in OLD_DIR changes; then they are
 * moved in, the files the new MANIFEST no longer lists removed, MANIFEST (and MANIFEST.sig)
 * written, and OLD_DIR verified against the new MANIFEST (pack-verify.c).
 */
#include "pot.h"
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/digest.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "pack/pack.h"

#define CHUNK (1 << 20)
#define STAGING ".pot-delta"

struct apply {
    const char *delta;          /* borrowed: the delta tar */
    const char *dir;            /* borrowed: the old package, updated in place */
    char *staging;              /* owned: dir/.pot-delta */
    char old_hex[SHA256_HEX_LEN + 1]; /* sha256 of dir/MANIFEST */
    struct pack_manifest old;   /* dir/MANIFEST */
    struct pack_manifest want;  /* DELTA's files */
    struct pack_manifest got;   /* what was extracted */
    struct buf manifest;        /* the new MANIFEST */
    struct buf sig;             /* the new MANIFEST.sig */
    bool has_delta;
    bool has_manifest;
    bool has_sig;
    char *chunk;                /* owned: CHUNK bytes */
};

static int read_old(struct apply *ap, struct err *err)
{
    char *path = fs_join(ap->dir, PACK_MANIFEST);
    struct buf text = BUF_INIT;
    int rc = fs_read_file(path, &text, err);

    if (rc == 0) {
        sha256_hex(text.ptr, text.len, ap->old_hex);
        rc = pack_manifest_parse(&ap->old, text.ptr, text.len, path, err);
    }
    buf_release(&text);
    free(path);
    return rc;
}

/* DELTA: "base <hex>" then manifest lines; the base must be the old MANIFEST. */
static int take_delta(struct apply *ap, const char *text, size_t len, struct err *err)
{
    const char *nl = memchr(text, '\n', len);

    if (!nl || nl - text != 5 + SHA256_HEX_LEN || strncmp(text, "base ", 5) != 0) {
        return err_set(err, ERR_FAILED, "delta '%s': %s does not start with 'base <sha256>'",
                       ap->delta, PACK_DELTA);
    }
    if (strncmp(text + 5, ap->old_hex, SHA256_HEX_LEN) != 0) {
        return err_set(err, ERR_FAILED, "delta '%s' applies to the package whose MANIFEST has "
                       "sha256 %.64s; '%s' has %s", ap->delta, text + 5, ap->dir, ap->old_hex);
    }
    if (pack_manifest_parse(&ap->want, nl + 1, len - (size_t)(nl + 1 - text), PACK_DELTA,
                            err) < 0) {
        return -1;
    }
    ap->has_delta = true;
    return fs_remove_tree(ap->staging, err) == 0 ? fs_mkdir_p(ap->staging, 0700, err) : -1;
}

static int read_member(struct archive *a, struct apply *ap, struct buf *out, struct err *err)
{
    la_ssize_t n;

    for (n = archive_read_data(a, ap->chunk, CHUNK); n > 0;
         n = archive_read_data(a, ap->chunk, CHUNK)) {
        buf_add(out, ap->chunk, (size_t)n);
    }
    if (n < 0) {
        return err_set(err, ERR_FAILED, "delta '%s': %s", ap->delta, archive_error_string(a));
    }
    return 0;
}

/* Copies the member's bytes to 'fd', hashing them; adds rel to ap->got. */
static int extract_to(struct archive *a, struct apply *ap, int fd, const char *rel,
                      struct err *err)
{
    char hex[SHA256_HEX_LEN + 1];
    struct sha256 sh;
    int64_t size = 0;
    la_ssize_t n;
    int rc = 0;

    sha256_init(&sh);
    for (n = archive_read_data(a, ap->chunk, CHUNK); rc == 0 && n > 0;
         n = archive_read_data(a, ap->chunk, CHUNK)) {
        sha256_update(&sh, ap->chunk, (size_t)n);
        if (write(fd, ap->chunk, (size_t)n) != n) {
            rc = err_errno(err, "'%s/%s'", ap->staging, rel);
        }
        size += n;
    }
    sha256_final_hex(&sh, hex);
    if (rc == 0 && n < 0) {
        rc = err_set(err, ERR_FAILED, "delta '%s': member '%s': %s", ap->delta, rel,
                     archive_error_string(a));
    }
    if (rc == 0) {
        pack_manifest_add(&ap->got, rel, hex, size);
    }
    return rc;
}

static int extract_file(struct archive *a, struct archive_entry *e, struct apply *ap,
                        const char *rel, struct err *err)
{
    char *path = fs_join(ap->staging, rel);
    char *parent = fs_dirname(path);
    int fd = -1;
    int rc;

    if (!pack_manifest_find(&ap->want, rel)) {
        rc = err_set(err, ERR_FAILED, "delta '%s': '%s' is not in %s", ap->delta, rel,
                     PACK_DELTA);
    } else {
        rc = fs_mkdir_p(parent, 0755, err);
    }
    if (rc == 0) {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, archive_entry_perm(e) & 0755);
        rc = fd < 0 ? err_errno(err, "'%s'", path) : extract_to(a, ap, fd, rel, err);
    }
    if (fd >= 0 && close(fd) < 0 && rc == 0) {
        rc = err_errno(err, "'%s'", path);
    }
    free(parent);
    free(path);
    return rc;
}

static int take_member(struct archive *a, struct archive_entry *e, struct apply *ap,
                       const char *rel, struct err *err)
{
    if (!ap->has_delta) {
        struct buf text = BUF_INIT;
        int rc = strcmp(rel, PACK_DELTA) != 0
                     ? err_set(err, ERR_FAILED, "'%s' is not a delta: its first file is not %s",
                               ap->delta, PACK_DELTA)
                     : read_member(a, ap, &text, err);

        rc = rc == 0 ? take_delta(ap, text.ptr, text.len, err) : -1;
        buf_release(&text);
        return rc;
    }
    if (strcmp(rel, PACK_MANIFEST) == 0) {
        ap->has_manifest = true;
        return read_member(a, ap, &ap->manifest, err);
    }
    if (strcmp(rel, PACK_SIGNATURE) == 0) {
        ap->has_sig = true;
        return read_member(a, ap, &ap->sig, err);
    }
    return extract_file(a, e, ap, rel, err);
}

static int read_delta(struct apply *ap, struct err *err)
{
    struct archive *a = archive_read_new();
    struct archive_entry *e;
    int rc = 0;
    int r = ARCHIVE_OK;

    archive_read_support_format_tar(a);
    if (archive_read_open_filename(a, ap->delta, CHUNK) != ARCHIVE_OK) {
        rc = err_set(err, ERR_IO, "'%s': %s", ap->delta, archive_error_string(a));
    }
    while (rc == 0) {
        const char *name;
        const char *rel;

        r = archive_read_next_header(a, &e);
        if (r != ARCHIVE_OK) {
            break;
        }
        name = archive_entry_pathname(e);
        rel = strchr(name, '/');
        if (rel && rel[1] && archive_entry_filetype(e) == AE_IFREG) {
            rc = take_member(a, e, ap, rel + 1, err);
        }
    }
    if (rc == 0 && r != ARCHIVE_EOF) {
        rc = err_set(err, ERR_FAILED, "'%s': %s", ap->delta, archive_error_string(a));
    }
    archive_read_free(a);
    return rc;
}

/* The extracted files are exactly DELTA's, and the new MANIFEST came with them. */
static int check_extracted(struct apply *ap, pack_report_fn report, void *ctx, struct err *err)
{
    int problems;

    if (!ap->has_delta || !ap->has_manifest) {
        return err_set(err, ERR_FAILED, "delta '%s': no %s", ap->delta,
                       ap->has_delta ? PACK_MANIFEST : PACK_DELTA);
    }
    pack_manifest_sort(&ap->got);
    problems = pack_manifest_compare(&ap->want, &ap->got, report, ctx);
    if (problems) {
        return err_set(err, ERR_FAILED, "delta '%s': %d problem%s found; '%s' is unchanged",
                       ap->delta, problems, problems > 1 ? "s" : "", ap->dir);
    }
    return 0;
}

/* Removes dir/rel and then its parents while they are empty (rmdir fails on the first that is
 * not). */
static int remove_file(const char *dir, const char *rel, struct err *err)
{
    char *path = fs_join(dir, rel);
    char *cut;

    if (unlink(path) < 0) {
        int rc = err_errno(err, "'%s'", path);

        free(path);
        return rc;
    }
    for (cut = strrchr(path, '/'); cut && cut > path + strlen(dir); cut = strrchr(path, '/')) {
        *cut = '\0';
        if (rmdir(path) < 0) {
            break;
        }
    }
    free(path);
    return 0;
}

static int move_in(struct apply *ap, struct err *err)
{
    for (size_t i = 0; i < ap->got.files.len; i++) {
        const char *rel = ((struct pack_file *)ap->got.files.items[i])->path;
        char *from = fs_join(ap->staging, rel);
        char *to = fs_join(ap->dir, rel);
        char *parent = fs_dirname(to);
        int rc = fs_mkdir_p(parent, 0755, err);

        if (rc == 0 && rename(from, to) < 0) {
            rc = err_errno(err, "rename '%s' to '%s'", from, to);
        }
        free(from);
        free(to);
        free(parent);
        if (rc < 0) {
            return -1;
        }
    }
    return 0;
}

/* Moves the files in, removes the dropped ones, writes MANIFEST and MANIFEST.sig. */
static int commit(struct apply *ap, struct err *err)
{
    struct pack_manifest next = PACK_MANIFEST_INIT;
    char *manifest = fs_join(ap->dir, PACK_MANIFEST);
    char *sig = fs_join(ap->dir, PACK_SIGNATURE);
    int rc = pack_manifest_parse(&next, ap->manifest.ptr, ap->manifest.len, PACK_MANIFEST, err);

    rc = rc == 0 ? move_in(ap, err) : -1;
    for (size_t i = 0; rc == 0 && i < ap->old.files.len; i++) {
        const char *rel = ((struct pack_file *)ap->old.files.items[i])->path;

        if (!pack_manifest_find(&next, rel)) {
            rc = remove_file(ap->dir, rel, err);
        }
    }
    if (rc == 0) {
        rc = fs_write_atomic(manifest, ap->manifest.ptr, ap->manifest.len, 0644, err);
    }
    if (rc == 0 && ap->has_sig) {
        rc = fs_write_atomic(sig, ap->sig.ptr, ap->sig.len, 0644, err);
    } else if (rc == 0 && fs_exists(sig) && unlink(sig) < 0) {
        rc = err_errno(err, "'%s'", sig);
    }
    pack_manifest_release(&next);
    free(manifest);
    free(sig);
    return rc;
}

int pack_apply(const char *delta, const char *dir, const char *key, pack_report_fn report,
               void *ctx, struct pack_summary *sum, struct err *err)
{
    struct apply ap = { .delta = delta, .dir = dir, .old = PACK_MANIFEST_INIT,
                        .want = PACK_MANIFEST_INIT, .got = PACK_MANIFEST_INIT,
                        .manifest = BUF_INIT, .sig = BUF_INIT };
    struct err ignored = ERR_INIT;
    int rc = read_old(&ap, err);

    ap.staging = fs_join(dir, STAGING);
    ap.chunk = xmalloc(CHUNK);
    rc = rc == 0 ? read_delta(&ap, err) : -1;
    rc = rc == 0 ? check_extracted(&ap, report, ctx, err) : -1;
    rc = rc == 0 ? commit(&ap, err) : -1;
    if (ap.has_delta && fs_remove_tree(ap.staging, rc == 0 ? err : &ignored) < 0) {
        rc = -1;
    }
    if (rc == 0) {
        rc = pack_verify(dir, key, report, ctx, sum, err);
    }
    pack_manifest_release(&ap.old);
    pack_manifest_release(&ap.want);
    pack_manifest_release(&ap.got);
    buf_release(&ap.manifest);
    buf_release(&ap.sig);
    free(ap.staging);
    free(ap.chunk);
    return rc;
}
