/*
 * img-sink-storage.c - the seed sink: writes blobs, layer links, manifest revisions and tags into
 * a distribution registry's filesystem storage (rootdirectory) exactly as the registry itself
 * does, so a registry started on it serves the images at once:
 *   docker/registry/v2/blobs/sha256/<hh>/<hex>/data
 *   docker/registry/v2/repositories/<repo>/_layers/sha256/<hex>/link
 *   .../_manifests/revisions/sha256/<hex>/link
 *   .../_manifests/tags/<tag>/current/link and .../_manifests/tags/<tag>/index/sha256/<hex>/link
 * A link file holds the digest ("sha256:<hex>", no newline).
 */
#include "pot.h"
#include <string.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "images/img-fs.h"
#include "images/img-sink.h"
#include "images/img.h"

#define V2 "docker/registry/v2"

struct storage {
    char *root; /* owned */
};

char *img_storage_blob_path(const char *root, const char *digest)
{
    const char *alg;
    const char *hex;
    size_t alen;

    if (!img_fs_split_digest(digest, &alg, &alen, &hex) || strlen(hex) < 2) {
        return NULL;
    }
    return xasprintf("%s/" V2 "/blobs/%.*s/%.2s/%s/data", root, (int)alen, alg, hex, hex);
}

/* kind: "_layers" or "_manifests/revisions". */
char *img_storage_link_path(const char *root, const char *repo, const char *kind,
                            const char *digest)
{
    const char *alg;
    const char *hex;
    size_t alen;

    if (!img_fs_split_digest(digest, &alg, &alen, &hex)) {
        return NULL;
    }
    return xasprintf("%s/" V2 "/repositories/%s/%s/%.*s/%s/link", root, repo, kind, (int)alen,
                     alg, hex);
}

/* digest NULL: the tag's current/link; else its index/<alg>/<hex>/link. */
char *img_storage_tag_path(const char *root, const char *repo, const char *tag, const char *digest)
{
    const char *alg;
    const char *hex;
    size_t alen;

    if (!digest) {
        return xasprintf("%s/" V2 "/repositories/%s/_manifests/tags/%s/current/link", root, repo,
                         tag);
    }
    if (!img_fs_split_digest(digest, &alg, &alen, &hex)) {
        return NULL;
    }
    return xasprintf("%s/" V2 "/repositories/%s/_manifests/tags/%s/index/%.*s/%s/link", root, repo,
                     tag, (int)alen, alg, hex);
}

static int write_link(const char *path, const char *digest, struct err *err)
{
    struct buf have = BUF_INIT;
    struct err ignored = ERR_INIT;
    int ret = 0;

    if (fs_read_file(path, &have, &ignored) < 0 || strcmp(have.ptr, digest) != 0) {
        ret = img_fs_place_mem(path, digest, strlen(digest), err);
    }
    buf_release(&have);
    return ret;
}

static void *st_thread_open(void *priv)
{
    return priv;
}

static void st_thread_close(void *th)
{
    (void)th;
}

static int st_has(void *th, const char *repo, const char *digest, int64_t *size, struct err *err)
{
    struct storage *s = th;
    char *data = img_storage_blob_path(s->root, digest);
    char *link = img_storage_link_path(s->root, repo, "_layers", digest);
    int rc = 0;

    if (!data || !link) {
        rc = err_set(err, ERR_PARSE, "bad digest '%s'", digest);
    } else if (fs_exists(link)) {
        *size = img_fs_size(data);
        rc = *size >= 0 ? 1 : 0;
    }
    free(data);
    free(link);
    return rc;
}

static int st_mount(void *th, const char *repo, const char *digest, const char *from,
                    struct err *err)
{
    struct storage *s = th;
    char *data = img_storage_blob_path(s->root, digest);
    char *link = img_storage_link_path(s->root, repo, "_layers", digest);
    int rc = 0;

    (void)from;
    if (img_fs_size(data) >= 0) {
        rc = write_link(link, digest, err) < 0 ? -1 : 1;
    }
    free(data);
    free(link);
    return rc;
}

static int st_put_fd(void *th, const char *repo, const char *digest, int fd,
                     const char *spool_path, int64_t size, img_sink_progress_fn progress,
                     void *ctx, struct err *err)
{
    struct storage *s = th;
    char *data = img_storage_blob_path(s->root, digest);
    char *link = img_storage_link_path(s->root, repo, "_layers", digest);
    int rc = img_fs_place_fd(data, fd, spool_path, size, progress, ctx, err);

    if (rc == 0) {
        rc = write_link(link, digest, err);
    }
    free(data);
    free(link);
    return rc;
}

static int st_put_mem(void *th, const char *repo, const char *digest, const void *bytes,
                      size_t len, struct err *err)
{
    struct storage *s = th;
    char *data = img_storage_blob_path(s->root, digest);
    char *link = img_storage_link_path(s->root, repo, "_layers", digest);
    int rc = img_fs_place_mem(data, bytes, len, err);

    if (rc == 0) {
        rc = write_link(link, digest, err);
    }
    free(data);
    free(link);
    return rc;
}

static int st_get_manifest(void *th, const char *repo, const char *tag, struct buf *body,
                           char **digest, struct err *err)
{
    struct storage *s = th;
    struct buf link = BUF_INIT;
    struct err ignored = ERR_INIT;
    char *current = img_storage_tag_path(s->root, repo, tag, NULL);
    char *data = NULL;
    int rc = 0;

    if (fs_read_file(current, &link, &ignored) == 0) {
        data = img_storage_blob_path(s->root, link.ptr);
    }
    if (data && fs_exists(data)) {
        rc = fs_read_file(data, body, err) < 0 ? -1 : 1;
        *digest = rc == 1 ? buf_detach(&link, NULL) : NULL;
    }
    free(data);
    free(current);
    buf_release(&link);
    return rc;
}

static int st_put_manifest(void *th, const char *repo, const char *tag, const char *media_type,
                           const void *bytes, size_t len, struct err *err)
{
    struct storage *s = th;
    char *digest = img_digest_of(bytes, len);
    char *data = img_storage_blob_path(s->root, digest);
    char *rev = img_storage_link_path(s->root, repo, "_manifests/revisions", digest);
    char *index = img_storage_tag_path(s->root, repo, tag, digest);
    char *current = img_storage_tag_path(s->root, repo, tag, NULL);
    int rc;

    (void)media_type;
    rc = img_fs_place_mem(data, bytes, len, err);
    if (rc == 0) {
        rc = write_link(rev, digest, err);
    }
    if (rc == 0) {
        rc = write_link(index, digest, err);
    }
    if (rc == 0) {
        rc = write_link(current, digest, err);
    }
    free(digest);
    free(data);
    free(rev);
    free(index);
    free(current);
    return rc;
}

static int st_finish(void *priv, struct err *err)
{
    struct storage *s = priv;
    char *spool = fs_join(s->root, ".pot-tmp");

    (void)err;
    rmdir(spool);
    free(spool);
    return 0;
}

static void st_free(void *priv)
{
    struct storage *s = priv;

    free(s->root);
    free(s);
}

static const struct img_sink_ops storage_ops = {
    .thread_open = st_thread_open,
    .thread_close = st_thread_close,
    .has_blob = st_has,
    .mount = st_mount,
    .put_mem = st_put_mem,
    .put_fd = st_put_fd,
    .get_manifest = st_get_manifest,
    .put_manifest = st_put_manifest,
    .finish = st_finish,
    .free_priv = st_free,
};

struct img_sink *img_sink_storage_open(const char *dir, struct err *err)
{
    struct img_sink *sink;
    struct storage *s;
    char *spool = fs_join(dir, ".pot-tmp");

    if (fs_mkdir_p(spool, 0755, err) < 0) {
        free(spool);
        return NULL;
    }
    s = xcalloc(1, sizeof(*s));
    s->root = xstrdup(dir);
    sink = xcalloc(1, sizeof(*sink));
    sink->ops = &storage_ops;
    sink->priv = s;
    sink->name = xasprintf("storage '%s'", dir);
    sink->spool_dir = spool;
    return sink;
}
