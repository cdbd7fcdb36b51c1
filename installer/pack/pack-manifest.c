/*
 * pack-manifest.c - the package's MANIFEST: one "<sha256 hex>  <size>  <path>" line per file,
 * sorted by path; hashing a file for it, building it, writing and parsing its text, and comparing
 * what was found with what it says (changed, missing and extra files, by name).
 */
#include "pot.h"
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "pack/pack.h"

#define HASH_CHUNK (1 << 20)

void pack_manifest_release(struct pack_manifest *m)
{
    for (size_t i = 0; i < m->files.len; i++) {
        struct pack_file *f = m->files.items[i];

        free(f->path);
        free(f);
    }
    vec_release(&m->files);
}

void pack_manifest_add(struct pack_manifest *m, const char *path, const char *hex, int64_t size)
{
    struct pack_file *f = xcalloc(1, sizeof(*f));

    f->path = xstrdup(path);
    snprintf(f->hex, sizeof(f->hex), "%s", hex);
    f->size = size;
    vec_push(&m->files, f);
}

static int by_path(const void *a, const void *b)
{
    const struct pack_file *fa = *(const struct pack_file *const *)a;
    const struct pack_file *fb = *(const struct pack_file *const *)b;

    return strcmp(fa->path, fb->path);
}

void pack_manifest_sort(struct pack_manifest *m)
{
    if (m->files.len > 1) {
        qsort(m->files.items, m->files.len, sizeof(void *), by_path);
    }
}

void pack_manifest_format(const struct pack_manifest *m, struct buf *out)
{
    for (size_t i = 0; i < m->files.len; i++) {
        const struct pack_file *f = m->files.items[i];

        buf_addf(out, "%s  %lld  %s\n", f->hex, (long long)f->size, f->path);
    }
}

/* Relative, no empty, "." or ".." component. */
static bool safe_path(const char *p)
{
    for (const char *s = p;;) {
        const char *slash = strchr(s, '/');
        size_t n = slash ? (size_t)(slash - s) : strlen(s);

        if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.')) {
            return false;
        }
        if (!slash) {
            return true;
        }
        s = slash + 1;
    }
}

static bool hex_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (str_hex_digit(s[i]) < 0 || (s[i] >= 'A' && s[i] <= 'F')) {
            return false;
        }
    }
    return true;
}

/* "<64 hex>  <size>  <path>" */
static int parse_line(struct pack_manifest *m, const char *line, struct err *err)
{
    char *end = NULL;
    long long size;
    const char *path;

    if (strlen(line) < SHA256_HEX_LEN + 5 || !hex_ok(line, SHA256_HEX_LEN) ||
        strncmp(line + SHA256_HEX_LEN, "  ", 2) != 0) {
        return err_set(err, ERR_PARSE, "expected '<sha256 hex>  <size>  <path>'");
    }
    size = strtoll(line + SHA256_HEX_LEN + 2, &end, 10);
    if (end == line + SHA256_HEX_LEN + 2 || size < 0 || strncmp(end, "  ", 2) != 0) {
        return err_set(err, ERR_PARSE, "bad size");
    }
    path = end + 2;
    if (!safe_path(path)) {
        return err_set(err, ERR_PARSE, "unsafe path '%s'", path);
    }
    if (m->files.len &&
        strcmp(((struct pack_file *)m->files.items[m->files.len - 1])->path, path) >= 0) {
        return err_set(err, ERR_PARSE, "path '%s' out of order or twice", path);
    }
    pack_manifest_add(m, path, "", size);
    memcpy(((struct pack_file *)m->files.items[m->files.len - 1])->hex, line, SHA256_HEX_LEN);
    return 0;
}

int pack_manifest_parse(struct pack_manifest *m, const char *text, size_t len, const char *name,
                        struct err *err)
{
    struct svec lines = SVEC_INIT;
    char *copy = xstrndup(text, len);
    int rc = 0;

    if (strlen(copy) != len) {
        rc = err_set(err, ERR_PARSE, "%s: NUL byte in the manifest", name);
    }
    svec_split_lines(&lines, copy);
    for (size_t i = 0; rc == 0 && i < lines.len; i++) {
        if (parse_line(m, lines.items[i], err) < 0) {
            rc = err_prefix(err, "%s:%zu: ", name, i + 1);
        }
    }
    svec_release(&lines);
    free(copy);
    return rc;
}

int pack_hash_file(const char *path, char hex[SHA256_HEX_LEN + 1], int64_t *size,
                   struct err *err)
{
    char *chunk = xmalloc(HASH_CHUNK);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct sha256 sh;
    ssize_t n = -1;

    *size = 0;
    sha256_init(&sh);
    if (fd >= 0) {
        for (n = read(fd, chunk, HASH_CHUNK); n > 0; n = read(fd, chunk, HASH_CHUNK)) {
            sha256_update(&sh, chunk, (size_t)n);
            *size += n;
        }
    }
    sha256_final_hex(&sh, hex);
    if (n < 0) {
        err_errno(err, "'%s'", path);
    }
    if (fd >= 0) {
        close(fd);
    }
    free(chunk);
    return n < 0 ? -1 : 0;
}

const struct pack_file *pack_manifest_find(const struct pack_manifest *m, const char *path)
{
    struct pack_file key = { .path = (char *)path };
    const struct pack_file *kp = &key;
    struct pack_file **hit = m->files.len ? bsearch(&kp, m->files.items, m->files.len,
                                                    sizeof(void *), by_path)
                                          : NULL;

    return hit ? *hit : NULL;
}

void pack_say(pack_report_fn report, void *ctx, const char *fmt, ...)
{
    struct buf line = BUF_INIT;
    va_list ap;

    if (!report) {
        return;
    }
    va_start(ap, fmt);
    buf_vaddf(&line, fmt, ap);
    va_end(ap);
    report(ctx, line.ptr);
    buf_release(&line);
}

int pack_manifest_compare(const struct pack_manifest *want, const struct pack_manifest *found,
                          pack_report_fn report, void *ctx)
{
    size_t i = 0, j = 0;
    int problems = 0;

    while (i < want->files.len || j < found->files.len) {
        const struct pack_file *w = i < want->files.len ? want->files.items[i] : NULL;
        const struct pack_file *f = j < found->files.len ? found->files.items[j] : NULL;
        int cmp = !w ? 1 : !f ? -1 : strcmp(w->path, f->path);

        problems++;
        if (cmp < 0) {
            pack_say(report, ctx, "missing: %s", w->path);
            i++;
        } else if (cmp > 0) {
            pack_say(report, ctx, "extra: %s (not in the manifest)", f->path);
            j++;
        } else {
            if (f->size < 0) {
                pack_say(report, ctx, "changed: %s (not a regular file)", w->path);
            } else if (w->size != f->size) {
                pack_say(report, ctx, "changed: %s (size %lld, manifest says %lld)", w->path,
                    (long long)f->size, (long long)w->size);
            } else if (strcmp(w->hex, f->hex) != 0) {
                pack_say(report, ctx, "changed: %s (sha256 %s, manifest says %s)", w->path, f->hex,
                    w->hex);
            } else {
                problems--;
            }
            i++;
            j++;
        }
    }
    return problems;
}
