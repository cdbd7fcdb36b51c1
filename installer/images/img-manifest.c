/*
 * img-manifest.c - the Docker schema 2 manifest of a docker-save image, built once its layers
 * have their compressed digests. The bytes are deterministic: same blobs, same manifest digest.
 */
#include "pot.h"
#include "base/buf.h"
#include "images/img.h"
#include "value/val-json.h"
#include "value/val.h"

static struct val *descriptor(const struct img_blob *b)
{
    struct val *d = val_dict();

    val_dict_set_take(d, "mediaType", val_str(b->media_type));
    val_dict_set_take(d, "size", val_int(b->size));
    val_dict_set_take(d, "digest", val_str(b->digest));
    return d;
}

void img_manifest_build(const struct img_image *img, struct buf *out)
{
    struct val *m = val_dict();
    struct val *layers = val_list();

    val_dict_set_take(m, "schemaVersion", val_int(2));
    val_dict_set_take(m, "mediaType", val_str(IMG_DOCKER_MANIFEST));
    val_dict_set_take(m, "config", descriptor(img->config));
    for (size_t i = 0; i < img->layers.len; i++) {
        val_list_push_take(layers, descriptor(img->layers.items[i]));
    }
    val_dict_set_take(m, "layers", layers);
    val_to_json(m, out, 3, 0);
    val_unref(m);
}
