/*
 * img-sink-reg.c - the registry sink: img_run's blob and manifest calls on a running registry
 * through registry/reg.h, one client per thread.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/xalloc.h"
#include "images/img-sink.h"
#include "images/img.h"
#include "registry/reg.h"

static void *reg_thread_open(void *priv)
{
    return reg_clone(priv);
}

static void reg_thread_close(void *th)
{
    reg_free(th);
}

static int reg_has(void *th, const char *repo, const char *digest, int64_t *size,
                   struct err *err)
{
    return reg_blob_head(th, repo, digest, size, err);
}

static int reg_mount(void *th, const char *repo, const char *digest, const char *from,
                     struct err *err)
{
    return reg_blob_mount(th, repo, digest, from, err);
}

static int reg_put_mem(void *th, const char *repo, const char *digest, const void *data,
                       size_t len, struct err *err)
{
    return reg_blob_upload_mem(th, repo, digest, data, len, err);
}

static int reg_put_fd(void *th, const char *repo, const char *digest, int fd,
                      const char *spool_path, int64_t size, img_sink_progress_fn progress,
                      void *ctx, struct err *err)
{
    (void)spool_path;
    return reg_blob_upload_fd(th, repo, digest, fd, size, progress, ctx, err);
}

static int reg_get_manifest(void *th, const char *repo, const char *tag, struct buf *body,
                            char **digest, struct err *err)
{
    char *type = NULL;
    int rc = reg_manifest_get(th, repo, tag, body, &type, digest, err);

    if (rc == 1 && !*digest) {
        *digest = img_digest_of(body->ptr, body->len);
    }
    free(type);
    return rc;
}

static int reg_put_manifest(void *th, const char *repo, const char *tag, const char *media_type,
                            const void *data, size_t len, struct err *err)
{
    return reg_manifest_put(th, repo, tag, media_type, data, len, err);
}

static void reg_free_priv(void *priv)
{
    (void)priv; /* the caller owns the client */
}

static const struct img_sink_ops registry_ops = {
    .thread_open = reg_thread_open,
    .thread_close = reg_thread_close,
    .has_blob = reg_has,
    .mount = reg_mount,
    .put_mem = reg_put_mem,
    .put_fd = reg_put_fd,
    .get_manifest = reg_get_manifest,
    .put_manifest = reg_put_manifest,
    .finish = NULL,
    .free_priv = reg_free_priv,
};

struct img_sink *img_sink_registry(struct reg *reg)
{
    struct img_sink *s = xcalloc(1, sizeof(*s));

    s->ops = &registry_ops;
    s->priv = reg;
    s->name = xasprintf("registry '%s'", reg_name(reg));
    return s;
}
