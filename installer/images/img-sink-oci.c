/*
 * img-sink-oci.c - the pack sink: an OCI image layout directory (oci-layout, index.json,
 * blobs/<alg>/<hex>) whose index names each manifest with the org.opencontainers.image.ref.name
 * annotation "REPO:TAG". Layers land gzip-compressed, so pushing from the layout needs no
 * recompression. index.json is rewritten atomically once, after every blob and manifest.
 */
#include "pot.h"
#include <string.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "images/img-fs.h"
#include "images/img-load.h"
#include "images/img-sink.h"
#include "images/img.h"
#include "value/val-json.h"
#include "value/val.h"

struct layout_sink {
    char *dir;           /* owned */
    struct val *entries; /* owned list of index descriptors; changed on the main thread only */
};

static char *blob_file(const struct layout_sink *o, const char *digest)
{
    const char *alg;
    const char *hex;
    size_t alen;

    if (!img_fs_split_digest(digest, &alg, &alen, &hex)) {
        return NULL;
    }
    return xasprintf("%s/blobs/%.*s/%s", o->dir, (int)alen, alg, hex);
}

static void *oci_thread_open(void *priv)
{
    return priv;
}

static void oci_thread_close(void *th)
{
    (void)th;
}

static int oci_has(void *th, const char *repo, const char *digest, int64_t *size,
                   struct err *err)
{
    char *path = blob_file(th, digest);

    (void)repo;
    if (!path) {
        return err_set(err, ERR_PARSE, "bad digest '%s'", digest);
    }
    *size = img_fs_size(path);
    free(path);
    return *size >= 0;
}

static int oci_mount(void *th, const char *repo, const char *digest, const char *from,
                     struct err *err)
{
    int64_t size;

    (void)from;
    return oci_has(th, repo, digest, &size, err);
}

static int oci_put_mem(void *th, const char *repo, const char *digest, const void *data,
                       size_t len, struct err *err)
{
    char *path = blob_file(th, digest);
    int rc = img_fs_place_mem(path, data, len, err);

    (void)repo;
    free(path);
    return rc;
}

static int oci_put_fd(void *th, const char *repo, const char *digest, int fd,
                      const char *spool_path, int64_t size, img_sink_progress_fn progress,
                      void *ctx, struct err *err)
{
    char *path = blob_file(th, digest);
    int rc = img_fs_place_fd(path, fd, spool_path, size, progress, ctx, err);

    (void)repo;
    free(path);
    return rc;
}

static const char *entry_ref(struct val *d)
{
    struct val *ann = d->type == VAL_DICT ? val_dict_get(d, "annotations") : NULL;

    return ann && ann->type == VAL_DICT ? val_dict_get_str(ann, IMG_REF_ANNOTATION) : NULL;
}

static struct val *find_entry(const struct layout_sink *o, const char *ref, size_t *at)
{
    for (size_t i = 0; i < val_list_len(o->entries); i++) {
        struct val *d = val_list_get(o->entries, i);
        const char *r = entry_ref(d);

        if (r && strcmp(r, ref) == 0) {
            *at = i;
            return d;
        }
    }
    return NULL;
}

static int oci_get_manifest(void *th, const char *repo, const char *tag, struct buf *body,
                            char **digest, struct err *err)
{
    struct layout_sink *o = th;
    char *ref = xasprintf("%s:%s", repo, tag);
    size_t at;
    struct val *d = find_entry(o, ref, &at);
    const char *dg = d ? val_dict_get_str(d, "digest") : NULL;
    char *path = dg ? blob_file(o, dg) : NULL;
    int rc = 0;

    if (path && fs_exists(path)) {
        rc = fs_read_file(path, body, err) < 0 ? -1 : 1;
        *digest = rc == 1 ? xstrdup(dg) : NULL;
    }
    free(path);
    free(ref);
    return rc;
}

static int oci_put_manifest(void *th, const char *repo, const char *tag, const char *media_type,
                            const void *data, size_t len, struct err *err)
{
    struct layout_sink *o = th;
    char *digest = img_digest_of(data, len);
    char *ref = xasprintf("%s:%s", repo, tag);
    struct val *d = val_dict();
    struct val *ann = val_dict();
    size_t at;
    int rc = oci_put_mem(th, repo, digest, data, len, err);

    val_dict_set_take(d, "mediaType", val_str(media_type));
    val_dict_set_take(d, "digest", val_str(digest));
    val_dict_set_take(d, "size", val_int((int64_t)len));
    val_dict_set_take(ann, IMG_REF_ANNOTATION, val_str(ref));
    val_dict_set_take(d, "annotations", ann);
    if (rc == 0 && find_entry(o, ref, &at)) {
        val_unref(o->entries->u.list.items[at]);
        o->entries->u.list.items[at] = d;
        d = NULL;
    } else if (rc == 0) {
        val_list_push_take(o->entries, d);
        d = NULL;
    }
    val_unref(d);
    free(digest);
    free(ref);
    return rc;
}

static int oci_finish(void *priv, struct err *err)
{
    struct layout_sink *o = priv;
    struct val *index = val_dict();
    struct buf text = BUF_INIT;
    char *path = fs_join(o->dir, "index.json");
    char *spool = fs_join(o->dir, ".pot-tmp");
    int rc;

    val_dict_set_take(index, "schemaVersion", val_int(2));
    val_dict_set_take(index, "mediaType", val_str(IMG_OCI_INDEX));
    val_dict_set(index, "manifests", o->entries);
    val_to_json(index, &text, 2, 0);
    buf_addc(&text, '\n');
    rc = fs_write_atomic(path, text.ptr, text.len, 0644, err);
    rmdir(spool);
    free(spool);
    free(path);
    buf_release(&text);
    val_unref(index);
    return rc;
}

static void oci_free(void *priv)
{
    struct layout_sink *o = priv;

    val_unref(o->entries);
    free(o->dir);
    free(o);
}

static const struct img_sink_ops oci_ops = {
    .thread_open = oci_thread_open,
    .thread_close = oci_thread_close,
    .has_blob = oci_has,
    .mount = oci_mount,
    .put_mem = oci_put_mem,
    .put_fd = oci_put_fd,
    .get_manifest = oci_get_manifest,
    .put_manifest = oci_put_manifest,
    .finish = oci_finish,
    .free_priv = oci_free,
};

/* Loads the entries of an existing index.json so a second pack adds to it. */
static struct val *existing_entries(const char *dir, struct err *err)
{
    char *path = fs_join(dir, "index.json");
    struct buf text = BUF_INIT;
    struct val *index = NULL;
    struct val *list = NULL;

    if (fs_exists(path) && fs_read_file(path, &text, err) == 0) {
        index = img_json_dict(text.ptr, text.len, path, err);
        if (!index) {
            goto out;
        }
        list = val_dict_get(index, "manifests");
        list = list && list->type == VAL_LIST ? val_copy(list) : val_list();
    } else if (!fs_exists(path)) {
        list = val_list();
    }
out:
    val_unref(index);
    buf_release(&text);
    free(path);
    return list;
}

struct img_sink *img_sink_oci_open(const char *dir, struct err *err)
{
    struct img_sink *sink;
    struct layout_sink *o;
    struct val *entries;
    char *spool = fs_join(dir, ".pot-tmp");
    char *marker = fs_join(dir, "oci-layout");
    static const char layout[] = "{\"imageLayoutVersion\": \"1.0.0\"}";

    if (fs_mkdir_p(spool, 0755, err) < 0 ||
        (!fs_exists(marker) &&
         fs_write_atomic(marker, layout, sizeof(layout) - 1, 0644, err) < 0)) {
        free(spool);
        free(marker);
        return NULL;
    }
    free(marker);
    entries = existing_entries(dir, err);
    if (!entries) {
        free(spool);
        return NULL;
    }
    o = xcalloc(1, sizeof(*o));
    o->dir = xstrdup(dir);
    o->entries = entries;
    sink = xcalloc(1, sizeof(*sink));
    sink->ops = &oci_ops;
    sink->priv = o;
    sink->name = xasprintf("layout '%s'", dir);
    sink->spool_dir = spool;
    return sink;
}
