/*
 * helm-chart.c - a chart as the bytes pot uploads: a local chart directory packaged like
 * `helm package` but deterministically (sorted entries, mtime 0, owner 0:0, mode 0644 or 0755,
 * gzip without a timestamp, top directory = the chart's name from Chart.yaml, .helmignore
 * honoured), or a .tgz chart file taken as is. The sha256 of those bytes is the chart digest.
 */
#include "pot.h"
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <string.h>
#include <sys/stat.h>
#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>
#include "base/err.h"
#include "base/fs.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "helm/helm-int.h"
#include "value/val-yaml.h"
#include "value/val.h"

/* One .helmignore rule. */
struct ignore_rule {
    char *pattern;  /* owned, without '!' and trailing '/' */
    bool negate;
    bool dir_only;
    bool has_slash; /* matched against the whole relative path, else against the base name */
};

struct ignore {
    struct ignore_rule *rules; /* owned */
    size_t n;
};

static void ignore_load(struct ignore *ig, const char *dir)
{
    char *path = fs_join(dir, ".helmignore");
    struct buf text = BUF_INIT;
    struct svec lines = SVEC_INIT;
    struct err ignored = ERR_INIT;

    memset(ig, 0, sizeof(*ig));
    if (fs_exists(path) && fs_read_file(path, &text, &ignored) == 0) {
        svec_split_lines(&lines, text.ptr);
        ig->rules = xcalloc(lines.len + 1, sizeof(*ig->rules));
    }
    for (size_t i = 0; i < lines.len; i++) {
        char *p = str_trim(lines.items[i]);
        char *s = p;
        struct ignore_rule *r = &ig->rules[ig->n];
        size_t len;

        if (*s == '\0' || *s == '#') {
            free(p);
            continue;
        }
        r->negate = *s == '!';
        s += r->negate;
        while (*s == '/') {
            s++;
        }
        len = strlen(s);
        r->dir_only = len > 0 && s[len - 1] == '/';
        while (len > 0 && s[len - 1] == '/') {
            len--;
        }
        if (len == 0) {
            free(p);
            continue;
        }
        r->pattern = xstrndup(s, len);
        r->has_slash = strchr(r->pattern, '/') != NULL;
        ig->n++;
        free(p);
    }
    svec_release(&lines);
    buf_release(&text);
    free(path);
}

static void ignore_release(struct ignore *ig)
{
    for (size_t i = 0; i < ig->n; i++) {
        free(ig->rules[i].pattern);
    }
    free(ig->rules);
}

/* Like helm's ignore.Rules.Ignore: the last matching rule decides. */
static bool ignored(const struct ignore *ig, const char *rel, bool is_dir)
{
    bool out = false;

    for (size_t i = 0; i < ig->n; i++) {
        const struct ignore_rule *r = &ig->rules[i];
        const char *subject = r->has_slash ? rel : fs_basename(rel);

        if (r->dir_only && !is_dir) {
            continue;
        }
        if (fnmatch(r->pattern, subject, FNM_PATHNAME) == 0) {
            out = !r->negate;
        }
    }
    return out;
}

/* Collects the regular files under dir/rel (relative paths, symlinks followed). */
static int walk(const char *dir, const char *rel, const struct ignore *ig, struct svec *files,
                struct err *err)
{
    char *path = rel[0] ? fs_join(dir, rel) : xstrdup(dir);
    DIR *d = opendir(path);
    struct dirent *de;
    int ret = -1;

    if (!d) {
        err_errno(err, "'%s'", path);
        free(path);
        return -1;
    }
    for (de = readdir(d); de; de = readdir(d)) {
        char *child_rel;
        char *child;
        struct stat sb;

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
            continue;
        }
        child_rel = rel[0] ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
        child = fs_join(dir, child_rel);
        if (stat(child, &sb) < 0) {
            err_errno(err, "'%s'", child);
            free(child);
            free(child_rel);
            goto out;
        }
        free(child);
        if (ignored(ig, child_rel, S_ISDIR(sb.st_mode))) {
            free(child_rel);
            continue;
        }
        if (S_ISDIR(sb.st_mode)) {
            int rc = walk(dir, child_rel, ig, files, err);

            free(child_rel);
            if (rc < 0) {
                goto out;
            }
        } else if (S_ISREG(sb.st_mode)) {
            svec_push_take(files, child_rel);
        } else {
            free(child_rel);
        }
    }
    ret = 0;
out:
    closedir(d);
    free(path);
    return ret;
}

static la_ssize_t write_to_buf(struct archive *a, void *ctx, const void *data, size_t len)
{
    (void)a;
    buf_add(ctx, data, len);
    return (la_ssize_t)len;
}

static int add_member(struct archive *a, const char *name, const char *dir, const char *rel,
                      struct err *err)
{
    char *path = fs_join(dir, rel);
    char *member = xasprintf("%s/%s", name, rel);
    struct buf data = BUF_INIT;
    struct archive_entry *e = archive_entry_new();
    struct stat sb;
    int ret = -1;

    if (stat(path, &sb) < 0) {
        err_errno(err, "'%s'", path);
        goto out;
    }
    if (fs_read_file(path, &data, err) < 0) {
        goto out;
    }
    archive_entry_set_pathname(e, member);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, (sb.st_mode & 0111) ? 0755 : 0644);
    archive_entry_set_size(e, (la_int64_t)data.len);
    archive_entry_set_mtime(e, 0, 0);
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
    if (archive_write_header(a, e) != ARCHIVE_OK ||
        (data.len && archive_write_data(a, data.ptr, data.len) != (la_ssize_t)data.len)) {
        err_set(err, ERR_IO, "'%s': %s", path, archive_error_string(a));
        goto out;
    }
    ret = 0;
out:
    archive_entry_free(e);
    buf_release(&data);
    free(member);
    free(path);
    return ret;
}

/* gzip with zlib: no file name, mtime 0, so equal input gives equal bytes. */
static int gzip_buf(const struct buf *in, struct buf *out, const char *what, struct err *err)
{
    z_stream z;
    int rc;

    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return err_set(err, ERR_INTERNAL, "'%s': zlib init failed", what);
    }
    z.next_in = (Bytef *)in->ptr;
    z.avail_in = (uInt)in->len;
    do {
        unsigned char chunk[65536];

        z.next_out = chunk;
        z.avail_out = sizeof(chunk);
        rc = deflate(&z, Z_FINISH);
        buf_add(out, chunk, sizeof(chunk) - z.avail_out);
    } while (rc == Z_OK);
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        return err_set(err, ERR_INTERNAL, "'%s': zlib deflate failed", what);
    }
    return 0;
}

static char *chart_name(const char *dir, struct err *err)
{
    char *path = fs_join(dir, "Chart.yaml");
    struct val *chart = NULL;
    const char *name;
    char *out = NULL;

    if (!fs_exists(path)) {
        err_set(err, ERR_IO, "chart '%s': no Chart.yaml", dir);
        goto out;
    }
    chart = val_from_yaml_file(path, err);
    if (!chart) {
        goto out;
    }
    name = chart->type == VAL_DICT ? val_dict_get_str(chart, "name") : NULL;
    if (!name || !name[0] || strchr(name, '/')) {
        err_at(err, ERR_PARSE, &chart->pos, "chart '%s': Chart.yaml has no usable 'name'", dir);
        goto out;
    }
    out = xstrdup(name);
out:
    val_unref(chart);
    free(path);
    return out;
}

static int package_dir(struct helm_chart *c, const char *dir, struct err *err)
{
    struct ignore ig;
    struct svec files = SVEC_INIT;
    struct buf tar = BUF_INIT;
    struct archive *a = NULL;
    int ret = -1;

    c->name = chart_name(dir, err);
    if (!c->name) {
        return -1;
    }
    ignore_load(&ig, dir);
    if (walk(dir, "", &ig, &files, err) < 0) {
        goto out;
    }
    svec_sort(&files);
    a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_set_bytes_per_block(a, 0);
    if (archive_write_open(a, &tar, NULL, write_to_buf, NULL) != ARCHIVE_OK) {
        err_set(err, ERR_INTERNAL, "chart '%s': %s", dir, archive_error_string(a));
        goto out;
    }
    for (size_t i = 0; i < files.len; i++) {
        if (add_member(a, c->name, dir, files.items[i], err) < 0) {
            goto out;
        }
    }
    if (archive_write_close(a) != ARCHIVE_OK) {
        err_set(err, ERR_INTERNAL, "chart '%s': %s", dir, archive_error_string(a));
        goto out;
    }
    ret = gzip_buf(&tar, &c->tgz, dir, err);
out:
    if (a) {
        archive_write_free(a);
    }
    buf_release(&tar);
    svec_release(&files);
    ignore_release(&ig);
    return ret;
}

int helm_chart_load(struct helm_chart *c, const char *path, struct err *err)
{
    memset(c, 0, sizeof(*c));
    c->tgz = (struct buf)BUF_INIT;
    if (fs_is_dir(path)) {
        if (package_dir(c, path, err) < 0) {
            helm_chart_release(c);
            return -1;
        }
    } else if (fs_read_file(path, &c->tgz, err) < 0) {
        helm_chart_release(c);
        return err_prefix(err, "chart: ");
    }
    sha256_hex(c->tgz.ptr, c->tgz.len, c->digest);
    return 0;
}

void helm_chart_release(struct helm_chart *c)
{
    free(c->name);
    c->name = NULL;
    buf_release(&c->tgz);
}
