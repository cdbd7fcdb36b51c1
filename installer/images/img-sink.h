/*
 * img-sink.h - where img_run puts blobs and manifests: a running registry (img-sink-reg.c), an
 * OCI image layout directory (img-sink-oci.c, `pot images pack`) or the filesystem storage of a
 * stopped distribution registry (img-sink-storage.c, `pot images seed`).
 *
 * A sink is opened on the main thread; every worker thread calls thread_open for its own handle.
 * Functions returning found/absent use 1/0 and -1 with 'err' set.
 */
#ifndef IMG_SINK_H
#define IMG_SINK_H

struct buf;
struct err;
struct reg;

typedef void (*img_sink_progress_fn)(void *ctx, int64_t delta);

struct img_sink_ops {
    void *(*thread_open)(void *priv);
    void (*thread_close)(void *th);
    /* 1 when 'repo' has the blob (size stored in *size), 0 when not. */
    int (*has_blob)(void *th, const char *repo, const char *digest, int64_t *size,
                    struct err *err);
    /* Links a blob present under 'from' into 'repo': 1 done, 0 declined. */
    int (*mount)(void *th, const char *repo, const char *digest, const char *from,
                 struct err *err);
    int (*put_mem)(void *th, const char *repo, const char *digest, const void *data, size_t len,
                   struct err *err);
    /* Puts 'size' bytes of 'fd'. 'spool_path' (may be NULL) names a staging file in the sink's
     * spool_dir that the sink may rename into place instead of copying. */
    int (*put_fd)(void *th, const char *repo, const char *digest, int fd, const char *spool_path,
                  int64_t size, img_sink_progress_fn progress, void *ctx, struct err *err);
    /* 1 with the manifest bytes and digest (new string) that 'repo:tag' points at, 0 if none. */
    int (*get_manifest)(void *th, const char *repo, const char *tag, struct buf *body,
                        char **digest, struct err *err);
    int (*put_manifest)(void *th, const char *repo, const char *tag, const char *media_type,
                        const void *data, size_t len, struct err *err);
    /* Called once after all manifests (pack writes index.json here); may be NULL. */
    int (*finish)(void *priv, struct err *err);
    void (*free_priv)(void *priv);
};

struct img_sink {
    const struct img_sink_ops *ops;
    void *priv;       /* owned by the ops */
    char *name;       /* owned: for messages ("registry '127.0.0.1:5000'", "layout 'out'") */
    char *spool_dir;  /* owned: staging directory on the sink's filesystem, NULL: $TMPDIR */
};

/* Borrows 'reg' (opened by the caller, freed after the sink). */
struct img_sink *img_sink_registry(struct reg *reg);
/* Creates or updates an OCI image layout at 'dir'. */
struct img_sink *img_sink_oci_open(const char *dir, struct err *err);
/* Writes into 'dir' as a distribution registry's filesystem driver rootdirectory. */
struct img_sink *img_sink_storage_open(const char *dir, struct err *err);
void img_sink_free(struct img_sink *sink);

/* Storage layout paths (img-sink-storage.c), exposed for tests: new strings. */
char *img_storage_blob_path(const char *root, const char *digest);
char *img_storage_link_path(const char *root, const char *repo, const char *kind,
                            const char *digest);
char *img_storage_tag_path(const char *root, const char *repo, const char *tag, const char *digest);

#endif
