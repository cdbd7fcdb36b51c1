/*
 * img-oci.c - OCI image layouts (a directory, or the same as a tar): index.json lists manifests
 * named by the org.opencontainers.image.ref.name annotation; blobs live under blobs/<alg>/<hex>.
 * Manifests are kept byte for byte; layers are pushed as they are, with no recompression.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "images/img-archive.h"
#include "images/img-load.h"
#include "images/img.h"
#include "value/val.h"

/* Where the blobs come from: a directory or a scanned tar. */
struct layout {
    const char *path;            /* borrowed */
    const struct img_scan *scan; /* borrowed; NULL for a directory */
};

bool img_is_oci_dir(const char *dir)
{
    char *a = fs_join(dir, "oci-layout");
    char *b = fs_join(dir, "index.json");
    bool yes = fs_exists(a) && fs_exists(b);

    free(a);
    free(b);
    return yes;
}

static char *blob_name(const char *digest)
{
    const char *colon = strchr(digest, ':');

    if (!colon || strchr(digest, '/')) {
        return NULL;
    }
    return xasprintf("blobs/%.*s/%s", (int)(colon - digest), digest, colon + 1);
}

/* Reads a small blob (index, manifest, config) into 'out', checking its digest. */
static int read_small(const struct layout *lo, const char *digest, struct buf *out,
                      struct err *err)
{
    char *name = blob_name(digest);
    char *got = NULL;
    int ret = -1;

    if (!name) {
        return err_set(err, ERR_PARSE, "'%s': bad digest '%s'", lo->path, digest);
    }
    if (lo->scan) {
        const struct img_member *m = img_scan_find(lo->scan, name);

        if (!m || !m->buffered) {
            err_set(err, ERR_PARSE, "'%s': blob %s is missing", lo->path, digest);
            goto out;
        }
        buf_add(out, m->data.ptr, m->data.len);
    } else {
        char *full = fs_join(lo->path, name);

        ret = fs_read_file(full, out, err);
        free(full);
        if (ret < 0) {
            goto out;
        }
        ret = -1;
    }
    got = img_digest_of(out->ptr, out->len);
    if (strcmp(got, digest) != 0) {
        err_set(err, ERR_PARSE, "'%s': blob %s: digest mismatch (content is %s)", lo->path, digest,
                got);
        goto out;
    }
    ret = 0;
out:
    free(got);
    free(name);
    return ret;
}

static struct img_blob *desc_blob(const struct layout *lo, struct val *desc, bool config,
                                  struct err *err)
{
    const char *digest = val_dict_get_str(desc, "digest");
    const char *type = val_dict_get_str(desc, "mediaType");
    struct val *size = val_dict_get(desc, "size");
    struct img_blob *b;

    if (!digest || !type || !size || size->type != VAL_INT || !strchr(digest, ':') ||
        strchr(digest, '/')) {
        err_set(err, ERR_PARSE, "'%s': a descriptor lacks mediaType, digest or size", lo->path);
        return NULL;
    }
    b = img_blob_new(config ? IMG_BLOB_MEM : lo->scan ? IMG_BLOB_MEMBER : IMG_BLOB_FILE);
    b->digest = xstrdup(digest);
    b->size = size->u.i;
    b->src_size = size->u.i;
    b->media_type = xstrdup(type);
    b->is_config = config;
    if (config) {
        if (read_small(lo, digest, &b->data, err) < 0) {
            img_blob_free(b);
            return NULL;
        }
        return b;
    }
    b->path = blob_name(digest);
    if (lo->scan) {
        b->archive = xstrdup(lo->path);
        b->copy = true;
    } else {
        char *full = fs_join(lo->path, b->path);

        free(b->path);
        b->path = full;
    }
    return b;
}

static struct img_blob *add_blob(struct img_set *set, struct img_image *img, struct img_blob *b)
{
    b = img_set_intern(set, b);
    if (!b->image_name) {
        b->image_name = xstrdup(img->ref);
        b->image_source = xstrdup(img->source);
    }
    return b;
}

static int add_manifest_blobs(struct img_set *set, const struct layout *lo, struct img_image *img,
                              struct val *man, struct err *err)
{
    struct val *config = val_dict_get(man, "config");
    struct val *layers = val_dict_get(man, "layers");
    struct img_blob *b;

    if (!config || config->type != VAL_DICT || !layers || layers->type != VAL_LIST) {
        return err_set(err, ERR_PARSE, "image '%s' (%s): manifest has no config or layers",
                       img->ref, lo->path);
    }
    b = desc_blob(lo, config, true, err);
    if (!b) {
        return err_prefix(err, "image '%s': ", img->ref);
    }
    img->config = add_blob(set, img, b);
    for (size_t i = 0; i < val_list_len(layers); i++) {
        b = desc_blob(lo, val_list_get(layers, i), false, err);
        if (!b) {
            return err_prefix(err, "image '%s': ", img->ref);
        }
        vec_push(&img->layers, add_blob(set, img, b));
    }
    return 0;
}

static char *ref_of(const struct layout *lo, struct val *desc)
{
    struct val *ann = val_dict_get(desc, "annotations");
    const char *name = ann && ann->type == VAL_DICT ? val_dict_get_str(ann, IMG_REF_ANNOTATION)
                                                    : NULL;
    char *base;
    char *ref;
    size_t len;

    if (!name) {
        return NULL;
    }
    if (strchr(name, ':') || strchr(name, '/')) {
        return xstrdup(name);
    }
    /* skopeo's oci:DIR:TAG keeps only the tag: the image is named after the layout. */
    base = xstrdup(fs_basename(lo->path));
    len = strlen(base);
    if (len > 4 && strcmp(base + len - 4, ".tar") == 0) {
        base[len - 4] = '\0';
    }
    ref = xasprintf("%s:%s", base, name);
    free(base);
    return ref;
}

static int add_descriptor(struct img_set *set, const struct layout *lo, struct val *desc,
                          struct err *err)
{
    const char *type = val_dict_get_str(desc, "mediaType");
    const char *digest = val_dict_get_str(desc, "digest");
    struct img_image *img;
    struct val *man = NULL;
    char *ref = ref_of(lo, desc);
    int ret = -1;

    if (!ref || !digest || !type) {
        free(ref);
        return err_set(err, ERR_PARSE, "'%s': index.json: a manifest has no %s", lo->path,
                       !ref ? "'" IMG_REF_ANNOTATION "' annotation" : "digest or mediaType");
    }
    if (strcmp(type, IMG_OCI_INDEX) == 0 || strstr(type, "manifest.list")) {
        ret = err_set(err, ERR_PARSE, "image '%s' (%s): multi-platform indexes are not "
                      "supported; copy one platform", ref, lo->path);
        free(ref);
        return ret;
    }
    img = xcalloc(1, sizeof(*img));
    img->source = xstrdup(lo->path);
    img->ref = ref;
    img->manifest = (struct buf)BUF_INIT;
    img->manifest_type = xstrdup(type);
    vec_push(&set->images, img);
    if (read_small(lo, digest, &img->manifest, err) < 0) {
        return err_prefix(err, "image '%s': ", ref);
    }
    man = img_json_dict(img->manifest.ptr, img->manifest.len, digest, err);
    if (man) {
        ret = add_manifest_blobs(set, lo, img, man, err);
    }
    val_unref(man);
    return ret;
}

static int load_index(struct img_set *set, const struct layout *lo, const char *data, size_t len,
                      struct err *err)
{
    struct val *index = img_json_dict(data, len, "index.json", err);
    struct val *mans = index ? val_dict_get(index, "manifests") : NULL;
    int ret = -1;

    if (!index) {
        return err_prefix(err, "'%s': ", lo->path);
    }
    if (!mans || mans->type != VAL_LIST || val_list_len(mans) == 0) {
        err_set(err, ERR_PARSE, "'%s': index.json lists no manifests", lo->path);
        goto out;
    }
    for (size_t i = 0; i < val_list_len(mans); i++) {
        if (add_descriptor(set, lo, val_list_get(mans, i), err) < 0) {
            goto out;
        }
    }
    ret = 0;
out:
    val_unref(index);
    return ret;
}

int img_load_oci_tar(struct img_set *set, const char *path, const struct img_scan *scan,
                     struct err *err)
{
    const struct img_member *m = img_scan_find(scan, "index.json");
    struct layout lo = { path, scan };

    return load_index(set, &lo, m->data.ptr, m->data.len, err);
}

int img_load_oci_dir(struct img_set *set, const char *dir, struct err *err)
{
    struct layout lo = { dir, NULL };
    struct buf text = BUF_INIT;
    char *index = fs_join(dir, "index.json");
    int ret = fs_read_file(index, &text, err);

    if (ret == 0) {
        ret = load_index(set, &lo, text.ptr, text.len, err);
    }
    buf_release(&text);
    free(index);
    return ret;
}
