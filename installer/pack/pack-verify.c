/*
 * pack-verify.c - `pot verify-package`: hashes every file of a package tar (streamed with
 * libarchive, its top folder stripped; or its volumes in order) or of an unpacked package
 * folder, and compares them with
 * its MANIFEST (pack-manifest.c); checks the tar's <tar>.sha256 sidecar and, with a key,
 * MANIFEST.sig (pack-sign.c). Every problem is reported by file name.
 */
#include "pot.h"
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "base/buf.h"
#include "base/digest.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "pack/pack.h"

#define CHUNK (1 << 20)

/* What was read from the package. */
struct found {
    struct pack_manifest files; /* every file but MANIFEST and MANIFEST.sig */
    struct buf manifest;
    struct buf sig;
    bool has_manifest;
    bool has_sig;
    char *chunk; /* owned: CHUNK bytes */
};

/* A file's bytes: MANIFEST and MANIFEST.sig kept, the others hashed into f->files. */
static struct buf *kept(struct found *f, const char *rel)
{
    if (strcmp(rel, PACK_MANIFEST) == 0) {
        f->has_manifest = true;
        return &f->manifest;
    }
    if (strcmp(rel, PACK_SIGNATURE) == 0) {
        f->has_sig = true;
        return &f->sig;
    }
    return NULL;
}

/* ---- an unpacked folder ---- */

static int walk_dir(struct found *f, const char *dir, const char *prefix, struct err *err);

static int walk_one(struct found *f, const char *path, const char *rel, struct err *err)
{
    char hex[SHA256_HEX_LEN + 1];
    struct buf *keep;
    struct stat st;
    int64_t size;

    if (lstat(path, &st) < 0) {
        return err_errno(err, "'%s'", path);
    }
    if (S_ISDIR(st.st_mode)) {
        return walk_dir(f, path, rel, err);
    }
    if (!S_ISREG(st.st_mode)) {
        pack_manifest_add(&f->files, rel, "not a regular file", -1);
        return 0;
    }
    keep = kept(f, rel);
    if (keep) {
        return fs_read_file(path, keep, err);
    }
    if (pack_hash_file(path, hex, &size, err) < 0) {
        return -1;
    }
    pack_manifest_add(&f->files, rel, hex, size);
    return 0;
}

static int walk_dir(struct found *f, const char *dir, const char *prefix, struct err *err)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int rc = 0;

    if (!d) {
        return err_errno(err, "'%s'", dir);
    }
    for (de = readdir(d); rc == 0 && de; de = readdir(d)) {
        char *path;
        char *rel;

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
            continue;
        }
        path = fs_join(dir, de->d_name);
        rel = prefix ? xasprintf("%s/%s", prefix, de->d_name) : xstrdup(de->d_name);
        rc = walk_one(f, path, rel, err);
        free(path);
        free(rel);
    }
    closedir(d);
    return rc;
}

/* ---- a tar ---- */

/* "top/a/b" -> "a/b"; NULL for the top folder itself or a name outside it. */
static const char *strip_top(const char *name, struct buf *top)
{
    const char *slash = strchr(name, '/');

    if (top->len == 0 && slash) {
        buf_add(top, name, (size_t)(slash - name + 1));
    }
    if (top->len == 0 || strncmp(name, top->ptr, top->len) != 0) {
        return name;
    }
    return name[top->len] ? name + top->len : NULL;
}

static int hash_member(struct found *f, struct archive *a, const char *tar, const char *rel,
                       struct err *err)
{
    struct buf *keep = kept(f, rel);
    struct sha256 sh;
    char hex[SHA256_HEX_LEN + 1];
    int64_t size = 0;
    la_ssize_t n;

    sha256_init(&sh);
    for (n = archive_read_data(a, f->chunk, CHUNK); n > 0;
         n = archive_read_data(a, f->chunk, CHUNK)) {
        sha256_update(&sh, f->chunk, (size_t)n);
        if (keep) {
            buf_add(keep, f->chunk, (size_t)n);
        }
        size += n;
    }
    sha256_final_hex(&sh, hex);
    if (n < 0) {
        return err_set(err, ERR_FAILED, "'%s': member '%s': %s", tar, rel,
                       archive_error_string(a));
    }
    if (!keep) {
        pack_manifest_add(&f->files, rel, hex, size);
    }
    return 0;
}

/* The files of the tar 'tar': itself, or when it is not there its volumes tar.000, tar.001, ...
 * (pack-tar.c) up to the first one missing; a later one found beyond that gap is a missing
 * volume, reported. */
static int tar_files(const char *tar, struct svec *files, pack_report_fn report, void *ctx,
                     struct err *err)
{
    char *dir, *next;
    const char *stem = fs_basename(tar);
    struct svec names = SVEC_INIT;
    int problems = 0;

    if (fs_exists(tar)) {
        svec_push(files, tar);
        return 0;
    }
    for (next = xasprintf("%s.000", tar); fs_exists(next);
         next = xasprintf("%s.%03zu", tar, files->len)) {
        svec_push_take(files, next);
    }
    dir = fs_dirname(tar);
    if (fs_list_names(dir, &names, err) < 0) {
        free(dir);
        free(next);
        return -1;
    }
    for (size_t i = 0; i < names.len; i++) {
        const char *n = names.items[i];
        size_t len = strlen(stem);

        if (strncmp(n, stem, len) == 0 && n[len] == '.' && strlen(n + len + 1) == 3 &&
            strspn(n + len + 1, "0123456789") == 3 &&
            strtoul(n + len + 1, NULL, 10) > files->len) {
            pack_say(report, ctx, "missing: volume %s (%s is there)", fs_basename(next), n);
            problems++;
            break;
        }
    }
    svec_release(&names);
    free(dir);
    free(next);
    if (!files->len) {
        return err_set(err, ERR_USAGE, "'%s' does not exist (nor its volumes %s.000...)", tar,
                       stem);
    }
    return problems ? err_set(err, ERR_FAILED, "'%s': a volume is missing", tar) : 0;
}

static int read_tar(struct found *f, const char *tar, pack_report_fn report, void *ctx,
                    struct err *err)
{
    struct archive *a = archive_read_new();
    struct archive_entry *e;
    struct buf top = BUF_INIT;
    struct svec files = SVEC_INIT;
    int rc = tar_files(tar, &files, report, ctx, err);
    const char **list = xcalloc(files.len + 1, sizeof(*list)); /* NULL-terminated */
    int r = ARCHIVE_OK;

    for (size_t i = 0; i < files.len; i++) {
        list[i] = files.items[i];
    }
    archive_read_support_format_tar(a);
    archive_read_support_filter_all(a);
    if (rc == 0 && archive_read_open_filenames(a, list, CHUNK) != ARCHIVE_OK) {
        rc = err_set(err, ERR_IO, "'%s': %s", tar, archive_error_string(a));
    }
    while (rc == 0) {
        const char *rel;

        r = archive_read_next_header(a, &e);
        if (r != ARCHIVE_OK) {
            break;
        }
        rel = strip_top(archive_entry_pathname(e), &top);
        if (!rel || archive_entry_filetype(e) == AE_IFDIR) {
            continue;
        }
        if (archive_entry_filetype(e) != AE_IFREG) {
            pack_manifest_add(&f->files, rel, "not a regular file", -1);
            continue;
        }
        rc = hash_member(f, a, tar, rel, err);
    }
    if (rc == 0 && r != ARCHIVE_EOF) {
        rc = err_set(err, ERR_FAILED, "'%s': %s", tar, archive_error_string(a));
    }
    archive_read_free(a);
    buf_release(&top);
    free(list);
    svec_release(&files);
    return rc;
}

/* ---- checks ---- */

/* The sidecar <tar>.sha256, when there is one, names the manifest's digest. */
static int check_sidecar(const char *tar, const char *hex, pack_report_fn report, void *ctx,
                         struct err *err)
{
    char *path = xasprintf("%s.sha256", tar);
    struct buf text = BUF_INIT;
    int problems = 0;

    if (fs_exists(path)) {
        if (fs_read_file(path, &text, err) < 0) {
            problems = -1;
        } else if (text.len < SHA256_HEX_LEN || strncmp(text.ptr, hex, SHA256_HEX_LEN) != 0) {
            pack_say(report, ctx, "changed: %s (sha256 %s, sidecar '%s' says %.64s)",
                        PACK_MANIFEST, hex, path, text.ptr);
            problems = 1;
        }
    }
    buf_release(&text);
    free(path);
    return problems;
}

static int check_sig(const struct found *f, const char *key, struct pack_summary *sum,
                     pack_report_fn report, void *ctx)
{
    struct err e = ERR_INIT;

    sum->is_signed = f->has_sig;
    if (!key) {
        return 0;
    }
    if (!f->has_sig) {
        pack_say(report, ctx, "missing: %s (the package is not signed)", PACK_SIGNATURE);
        return 1;
    }
    if (pack_sig_check(key, f->manifest.ptr, f->manifest.len, f->sig.ptr, f->sig.len, &e) < 0) {
        pack_say(report, ctx, "%s", e.msg);
        return 1;
    }
    sum->sig_checked = true;
    return 0;
}

/* Files the field engineer adds to an unpacked package (the inventory made from hosts.tpl), and
 * the directory `pot install` writes its host check reports in beside the kit (perfor-reports/,
 * as the original kit's /data/perfor-reports): not extra when the manifest does not list them. */
static const char *const user_files[] = { PACK_KIT_DIR "/hosts" };
static const char *const run_dirs[] = { "perfor-reports/" };

static bool is_users(const char *path)
{
    for (size_t u = 0; u < ARRAY_SIZE(user_files); u++) {
        if (strcmp(path, user_files[u]) == 0) {
            return true;
        }
    }
    for (size_t d = 0; d < ARRAY_SIZE(run_dirs); d++) {
        if (strncmp(path, run_dirs[d], strlen(run_dirs[d])) == 0) {
            return true;
        }
    }
    return false;
}

static void leave_out_user_files(struct pack_manifest *found, const struct pack_manifest *want,
                                 pack_report_fn report, void *ctx)
{
    size_t kept = 0;

    for (size_t i = 0; i < found->files.len; i++) {
        struct pack_file *file = found->files.items[i];
        bool user = is_users(file->path) && !pack_manifest_find(want, file->path);

        if (user) {
            pack_say(report, ctx, "not checked: %s (added after unpacking, not in the package)",
                     file->path);
            free(file->path);
            free(file);
        } else {
            found->files.items[kept++] = file;
        }
    }
    found->files.len = kept;
}

static int check(struct found *f, const char *path, bool is_tar, const char *key,
                 pack_report_fn report, void *ctx, struct pack_summary *sum, struct err *err)
{
    struct pack_manifest want = PACK_MANIFEST_INIT;
    int problems = 0;
    int rc;

    if (!f->has_manifest) {
        return err_set(err, ERR_FAILED, "'%s': no %s: not a package, or its manifest is lost",
                       path, PACK_MANIFEST);
    }
    sha256_hex(f->manifest.ptr, f->manifest.len, sum->manifest_hex);
    rc = pack_manifest_parse(&want, f->manifest.ptr, f->manifest.len, PACK_MANIFEST, err);
    if (rc == 0 && is_tar) {
        problems = check_sidecar(path, sum->manifest_hex, report, ctx, err);
        rc = problems < 0 ? -1 : 0;
    }
    if (rc == 0) {
        pack_manifest_sort(&want);
        if (!is_tar) {
            leave_out_user_files(&f->files, &want, report, ctx);
        }
        pack_manifest_sort(&f->files);
        problems += pack_manifest_compare(&want, &f->files, report, ctx);
        problems += check_sig(f, key, sum, report, ctx);
        sum->files = f->files.files.len;
        for (size_t i = 0; i < f->files.files.len; i++) {
            sum->bytes += ((struct pack_file *)f->files.files.items[i])->size;
        }
        if (problems) {
            rc = err_set(err, ERR_FAILED, "'%s': %d problem%s found", path, problems,
                         problems > 1 ? "s" : "");
        }
    }
    if (rc < 0 && err->kind == ERR_PARSE) {
        err->kind = ERR_FAILED; /* a damaged manifest is a failed verification */
    }
    pack_manifest_release(&want);
    return rc;
}

int pack_verify(const char *path, const char *key, pack_report_fn report, void *ctx,
                struct pack_summary *sum, struct err *err)
{
    struct found f = { .files = PACK_MANIFEST_INIT, .manifest = BUF_INIT, .sig = BUF_INIT };
    bool is_dir = fs_is_dir(path);
    int rc;

    memset(sum, 0, sizeof(*sum));
    f.chunk = xmalloc(CHUNK);
    rc = is_dir ? walk_dir(&f, path, NULL, err) : read_tar(&f, path, report, ctx, err);
    if (rc == 0) {
        rc = check(&f, path, !is_dir, key, report, ctx, sum, err);
    }
    pack_manifest_release(&f.files);
    buf_release(&f.manifest);
    buf_release(&f.sig);
    free(f.chunk);
    return rc;
}
