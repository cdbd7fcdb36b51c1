/*
 * img-verify.c - `pot images verify`: every tag of the set resolves in the sink to the expected
 * manifest (same bytes for OCI sources, same config and layer count for docker-save sources, whose
 * compressed digests are only known after compression), and every blob that manifest names
 * exists with its digest and size.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "images/img-load.h"
#include "images/img-sink.h"
#include "images/img.h"
#include "value/val.h"

struct check {
    struct img_sink *sink;
    void *th;
    img_event_fn on_event;
    void *ctx;
    int problems;
    struct err first;
    struct err failed; /* the sink's own error, which stops the check */
};

/* The registry (or storage) refused or failed: no finding about an image but an error that ends
 * the check with its kind kept (a refused registry exits 1, an unreachable one 4). */
static void sink_failed(struct check *c, const char *image, struct err *e)
{
    if (c->failed.kind == ERR_NONE) {
        err_prefix(e, "image '%s': ", image);
        c->failed = *e;
    }
}

static void problem(struct check *c, const char *image, const char *fmt, ...) PRINTF_LIKE(3, 4);

static void problem(struct check *c, const char *image, const char *fmt, ...)
{
    struct img_event ev = { .kind = IMG_EV_ERROR, .image = image };
    struct buf msg = BUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    buf_vaddf(&msg, fmt, ap);
    va_end(ap);
    ev.message = msg.ptr;
    if (c->on_event) {
        c->on_event(c->ctx, &ev);
    }
    if (c->problems++ == 0) {
        err_set(&c->first, ERR_FAILED, "%s", msg.ptr);
    }
    buf_release(&msg);
}

static void check_blob(struct check *c, const char *repo, const char *image, struct val *desc)
{
    const char *digest = desc && desc->type == VAL_DICT ? val_dict_get_str(desc, "digest") : NULL;
    struct val *size = digest ? val_dict_get(desc, "size") : NULL;
    struct err e = ERR_INIT;
    int64_t have = -1;
    int rc;

    if (c->failed.kind != ERR_NONE) {
        return;
    }
    if (!digest || !size || size->type != VAL_INT) {
        problem(c, image, "image '%s': a descriptor has no digest or size", image);
        return;
    }
    rc = c->sink->ops->has_blob(c->th, repo, digest, &have, &e);
    if (rc < 0) {
        err_prefix(&e, "blob %s: ", digest);
        sink_failed(c, image, &e);
    } else if (rc == 0) {
        problem(c, image, "image '%s': blob %s is missing", image, digest);
    } else if (have >= 0 && have != size->u.i) {
        problem(c, image, "image '%s': blob %s has %lld bytes, the manifest says %lld", image,
                digest, (long long)have, (long long)size->u.i);
    }
}

static void check_expected(struct check *c, const struct img_image *img, const char *image,
                           struct val *man, const struct buf *body)
{
    struct val *config = val_dict_get(man, "config");
    struct val *layers = val_dict_get(man, "layers");
    const char *cd = config && config->type == VAL_DICT ? val_dict_get_str(config, "digest") : NULL;

    if (img->manifest.len) {
        char *want = img_digest_of(img->manifest.ptr, img->manifest.len);
        char *have = img_digest_of(body->ptr, body->len);

        if (strcmp(want, have) != 0) {
            problem(c, image, "image '%s': tag points at %s, expected %s", image, have, want);
        }
        free(want);
        free(have);
    } else if (!cd || strcmp(cd, img->config->digest) != 0) {
        problem(c, image, "image '%s': tag points at another image (config %s, expected %s)",
                image, cd ? cd : "?", img->config->digest);
    } else if (!layers || val_list_len(layers) != img->layers.len) {
        problem(c, image, "image '%s': the manifest lists %zu layers, expected %zu", image,
                val_list_len(layers), img->layers.len);
    }
}

static void check_image(struct check *c, const struct img_image *img)
{
    char *image = xasprintf("%s:%s", img->repo, img->tag);
    struct buf body = BUF_INIT;
    struct err e = ERR_INIT;
    char *digest = NULL;
    struct val *man = NULL;
    struct val *layers;
    int rc = c->sink->ops->get_manifest(c->th, img->repo, img->tag, &body, &digest, &e);

    if (rc == 1) {
        man = img_json_dict(body.ptr, body.len, "manifest", &e);
    }
    if (rc < 0) {
        sink_failed(c, image, &e);
    } else if (rc == 0) {
        problem(c, image, "image '%s' (%s): tag is missing", image, img->ref);
    } else if (!man) {
        problem(c, image, "image '%s': %s", image, e.msg);
    } else {
        check_expected(c, img, image, man, &body);
        check_blob(c, img->repo, image, val_dict_get(man, "config"));
        layers = val_dict_get(man, "layers");
        for (size_t i = 0; i < val_list_len(layers); i++) {
            check_blob(c, img->repo, image, val_list_get(layers, i));
        }
    }
    val_unref(man);
    free(digest);
    buf_release(&body);
    free(image);
}

int img_verify(struct img_set *set, struct img_sink *sink, img_event_fn on_event, void *ctx,
               struct err *err)
{
    struct check c = { .sink = sink, .on_event = on_event, .ctx = ctx, .first = ERR_INIT,
                       .failed = ERR_INIT };

    c.th = sink->ops->thread_open(sink->priv);
    for (size_t i = 0; i < set->images.len && c.failed.kind == ERR_NONE; i++) {
        struct img_event ev = { .kind = IMG_EV_IMAGE, .what = "verified" };
        int before = c.problems;
        struct img_image *img = set->images.items[i];
        char *image = xasprintf("%s:%s", img->repo, img->tag);

        check_image(&c, img);
        ev.image = image;
        if (c.problems == before && c.failed.kind == ERR_NONE && on_event) {
            on_event(ctx, &ev);
        }
        free(image);
    }
    sink->ops->thread_close(c.th);
    if (c.failed.kind != ERR_NONE) {
        *err = c.failed;
        return -1;
    }
    if (c.problems) {
        *err = c.first;
        return err_prefix(err, "%d problem%s; first: ", c.problems, c.problems == 1 ? "" : "s");
    }
    return 0;
}
