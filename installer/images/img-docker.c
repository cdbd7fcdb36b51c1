/*
 * img-docker.c - docker-save tarballs: manifest.json (often the last member) names each image's
 * config and layer members; the config's rootfs.diff_ids give each layer's expected digest.
 * Layers stay in the archive; img-blob-read.c streams them later.
 */
#include "pot.h"
#include <string.h>
#include "base/err.h"
#include "base/xalloc.h"
#include "images/img-archive.h"
#include "images/img-load.h"
#include "images/img.h"
#include "value/val-json.h"
#include "value/val.h"

struct val *img_json_dict(const char *data, size_t len, const char *what, struct err *err)
{
    struct val *v = val_from_json(data, len, what, err);

    if (v && v->type != VAL_DICT) {
        val_unref(v);
        err_set(err, ERR_PARSE, "%s: expected a JSON object", what);
        return NULL;
    }
    return v;
}

static struct img_blob *config_blob(const struct img_member *m)
{
    struct img_blob *b = img_blob_new(IMG_BLOB_MEM);

    buf_add(&b->data, m->data.ptr, m->data.len);
    b->digest = img_digest_of(m->data.ptr, m->data.len);
    b->size = (int64_t)m->data.len;
    b->src_size = b->size;
    b->media_type = xstrdup(IMG_DOCKER_CONFIG);
    b->is_config = true;
    return b;
}

static struct img_blob *layer_blob(const char *path, const struct img_member *m,
                                   const char *diff_id)
{
    struct img_blob *b = img_blob_new(IMG_BLOB_MEMBER);

    b->archive = xstrdup(path);
    b->path = xstrdup(m->name);
    b->copy = m->gzipped;
    b->diff_id = xstrdup(diff_id);
    b->src_size = m->size;
    b->media_type = xstrdup(IMG_DOCKER_LAYER_GZIP);
    return b;
}

static void own_blob(struct img_blob *b, const struct img_image *img)
{
    if (!b->image_name) {
        b->image_name = xstrdup(img->ref);
        b->image_source = xstrdup(img->source);
    }
}

static int add_layers(struct img_set *set, struct img_image *img, const struct img_scan *scan,
                      struct val *layers, struct val *diff_ids, struct err *err)
{
    size_t n = layers ? val_list_len(layers) : 0;
    size_t have = diff_ids ? val_list_len(diff_ids) : 0;

    if (!layers || layers->type != VAL_LIST) {
        return err_set(err, ERR_PARSE, "image '%s' (%s): manifest.json has no Layers list",
                       img->ref, img->source);
    }
    if (!diff_ids || diff_ids->type != VAL_LIST || have != n) {
        return err_set(err, ERR_PARSE, "image '%s' (%s): the config lists %zu diff_ids for %zu "
                       "layers", img->ref, img->source, have, n);
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = val_cstr(val_list_get(layers, i));
        const char *diff_id = val_cstr(val_list_get(diff_ids, i));
        const struct img_member *m = name ? img_scan_find(scan, name) : NULL;
        struct img_blob *b;

        if (!m || !diff_id) {
            return err_set(err, ERR_PARSE, "image '%s' (%s): layer %s: member '%s' is missing "
                           "from the archive", img->ref, img->source, diff_id ? diff_id : "?",
                           name ? name : "?");
        }
        b = img_set_intern(set, layer_blob(img->source, m, diff_id));
        own_blob(b, img);
        vec_push(&img->layers, b);
    }
    return 0;
}

/* One manifest.json entry with one of its RepoTags. */
static int add_image(struct img_set *set, const char *path, const struct img_scan *scan,
                     struct val *entry, const char *ref, struct err *err)
{
    const char *config_name = val_dict_get_str(entry, "Config");
    const struct img_member *cm = config_name ? img_scan_find(scan, config_name) : NULL;
    struct img_image *img = xcalloc(1, sizeof(*img));
    struct val *config = NULL;
    struct val *rootfs;
    int ret = -1;

    img->source = xstrdup(path);
    img->ref = xstrdup(ref);
    img->manifest = (struct buf)BUF_INIT;
    vec_push(&set->images, img);
    if (!cm || !cm->buffered) {
        return err_set(err, ERR_PARSE, "image '%s' (%s): config '%s' is missing from the archive",
                       ref, path, config_name ? config_name : "?");
    }
    config = img_json_dict(cm->data.ptr, cm->data.len, config_name, err);
    if (!config) {
        return err_prefix(err, "image '%s' (%s): ", ref, path);
    }
    img->config = img_set_intern(set, config_blob(cm));
    own_blob(img->config, img);
    rootfs = val_dict_get(config, "rootfs");
    ret = add_layers(set, img, scan, val_dict_get(entry, "Layers"),
                     rootfs ? val_dict_get(rootfs, "diff_ids") : NULL, err);
    val_unref(config);
    return ret;
}

static int add_entry(struct img_set *set, const char *path, const struct img_scan *scan,
                     struct val *entry, struct err *err)
{
    struct val *tags = entry->type == VAL_DICT ? val_dict_get(entry, "RepoTags") : NULL;
    size_t n = tags ? val_list_len(tags) : 0;

    if (n == 0) {
        return err_set(err, ERR_PARSE, "'%s': an image has no RepoTags; save it by name, not ID",
                       path);
    }
    for (size_t t = 0; t < n; t++) {
        const char *ref = val_cstr(val_list_get(tags, t));

        if (!ref || add_image(set, path, scan, entry, ref, err) < 0) {
            return ref ? -1 : err_set(err, ERR_PARSE, "'%s': a RepoTag is not a string", path);
        }
    }
    return 0;
}

int img_load_docker(struct img_set *set, const char *path, const struct img_scan *scan,
                    struct err *err)
{
    const struct img_member *mm = img_scan_find(scan, "manifest.json");
    struct val *list = NULL;
    int ret = -1;

    if (!mm->buffered) {
        return err_set(err, ERR_PARSE, "'%s': manifest.json is too large", path);
    }
    list = val_from_json(mm->data.ptr, mm->data.len, "manifest.json", err);
    if (!list) {
        return err_prefix(err, "'%s': ", path);
    }
    if (list->type != VAL_LIST || val_list_len(list) == 0) {
        err_set(err, ERR_PARSE, "'%s': manifest.json: expected a non-empty list", path);
        goto out;
    }
    for (size_t i = 0; i < val_list_len(list); i++) {
        if (add_entry(set, path, scan, val_list_get(list, i), err) < 0) {
            goto out;
        }
    }
    ret = 0;
out:
    val_unref(list);
    return ret;
}
