/*
 * img.h - offline images: load docker-save tarballs and OCI layouts into one deduplicated set
 * (img-load.c), then push/pack/seed it through a sink (img-run.c) with worker threads.
 *
 * Order of calls:
 *   set = img_set_new(); img_load(set, path, err) for every PATH;
 *   img_rewrite(set, rule, err)                    target repository and tag of every image;
 *   sink = img_sink_registry(reg) | img_sink_oci_open(dir) | img_sink_storage_open(dir);
 *   img_run(set, sink, &opts, &stats, err);        blobs in parallel, then manifests;
 *   img_sink_free(sink); img_set_free(set).
 * A set, its images and blobs belong to the set; images borrow their blobs.
 */
#ifndef IMG_H
#define IMG_H

#include "base/buf.h"
#include "base/vec.h"

struct err;
struct img_sink;
struct reg_opts;

#define IMG_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define IMG_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define IMG_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define IMG_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define IMG_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define IMG_REF_ANNOTATION "org.opencontainers.image.ref.name"

enum img_blob_kind {
    IMG_BLOB_MEM,    /* bytes in memory: image configs */
    IMG_BLOB_MEMBER, /* a tar archive member; gzip-compressed on the way unless already gzip */
    IMG_BLOB_FILE,   /* a file of an OCI layout directory, used as it is */
};

struct img_blob {
    enum img_blob_kind kind;
    char *archive;     /* owned: MEMBER: the tar file */
    char *path;        /* owned: MEMBER: member name; FILE: file path */
    bool copy;         /* MEMBER: copied as is (already gzip, or an OCI blob); else gzipped */
    char *diff_id;     /* owned: sha256 of the uncompressed layer when known (checked on read) */
    char *digest;      /* owned: digest as pushed; NULL until a MEMBER is compressed */
    int64_t size;      /* as pushed; -1 until known */
    int64_t src_size;  /* bytes read from the source */
    char *media_type;  /* owned */
    struct buf data;   /* MEM: the bytes */
    char *image_name;  /* owned: the first image using it, for messages */
    char *image_source;/* owned: where that image came from */
    bool is_config;
    bool digest_learned; /* digest taken from the target's manifest; recomputed if uploaded */
};

struct img_image {
    char *source;        /* owned: file or directory it was read from */
    char *ref;           /* owned: as named in the source ("registry.tke.com/library/nginx:1.19") */
    char *repo;          /* owned: target repository after img_rewrite, e.g. "library/nginx" */
    char *tag;           /* owned: target tag */
    struct img_blob *config;   /* borrowed from the set */
    struct vec layers;         /* borrowed struct img_blob * */
    struct buf manifest;       /* OCI sources: the manifest bytes as read; else built by img_run */
    char *manifest_type;       /* owned */
};

struct img_set {
    struct vec images; /* owned struct img_image * */
    struct vec blobs;  /* owned struct img_blob *, each unique */
};

struct img_set *img_set_new(void);
void img_set_free(struct img_set *set);
/* Reads PATH: a docker-save tarball (.tar, .tar.gz), an OCI layout (directory or tar), or a
 * directory of them (sorted by name). Only small JSON members are buffered; layers stay in the
 * archive until a worker streams them. Errors name the file and the member. */
int img_load(struct img_set *set, const char *path, struct err *err);
/* Finds a blob by diff_id or digest, or adds 'blob' (taking it). Returns the set's blob. */
struct img_blob *img_set_intern(struct img_set *set, struct img_blob *blob);
/* Keeps the first image of each ref in 'refs' (exact refs as named in the sources, in the set's
 * order) and the blobs they use; frees the rest. Refs no image has are pushed to 'missing'. */
void img_set_select(struct img_set *set, const struct svec *refs, struct svec *missing);
struct img_blob *img_blob_new(enum img_blob_kind kind);
void img_blob_free(struct img_blob *blob);
void img_image_free(struct img_image *img);

/* ref -> repository path and tag: "h:5000/a/b:t" -> path "a/b", tag "t" ("latest" when none).
 * 'host' (may be NULL) gets the registry part when the first component looks like a host. */
void img_ref_split(const char *ref, char **host, char **path, char **tag);
/* Applies RULE to every image: a template of "REPO:TAG" with {namespace}, {name} (last path
 * component), {path} (repository path without registry), {tag}. NULL rule: the kit's
 * "{namespace}/{name}:{tag}". */
int img_rewrite(struct img_set *set, const char *rule, const char *namespace_, struct err *err);
/* One image's target: new string "REPO:TAG". */
char *img_rewrite_one(const char *ref, const char *rule, const char *namespace_);

/* Builds the Docker schema 2 manifest of a docker-save image whose blobs all have digests. */
void img_manifest_build(const struct img_image *img, struct buf *out);
/* "sha256:<hex>" of bytes (new string). */
char *img_digest_of(const void *data, size_t len);

struct img_run_stats {
    int images;         /* images in the set */
    int images_pushed;  /* manifests written */
    int images_current; /* already there with the same manifest */
    int images_failed;
    int blobs_uploaded;
    int blobs_present;  /* already in place */
    int blobs_mounted;  /* linked from another repository */
    int blobs_failed;
    int64_t bytes_uploaded;
};

/* What img_run reports to its caller, always on the calling thread. */
enum img_event_kind {
    IMG_EV_PROGRESS, /* done/total bytes; about five times a second */
    IMG_EV_BLOB,     /* a blob finished: 'what' is uploaded/present/mounted */
    IMG_EV_IMAGE,    /* a manifest finished: 'what' is pushed/up to date */
    IMG_EV_ERROR,    /* 'message' says which image and blob, and why */
};

struct img_event {
    enum img_event_kind kind;
    const char *what;
    const char *image;   /* "repo:tag" */
    const char *digest;
    const char *message;
    int64_t done;
    int64_t total;
    double seconds;
};

typedef void (*img_event_fn)(void *ctx, const struct img_event *ev);

struct img_run_opts {
    int jobs;               /* worker threads; <= 0: the number of cores */
    const char *spool_dir;  /* where compressed layers are staged; NULL: the sink's or $TMPDIR */
    img_event_fn on_event;  /* may be NULL */
    void *ctx;
};

/* Puts every blob, then every manifest whose blobs are all confirmed, into the sink. A failing
 * blob fails only its images; the others are still written. Returns 0 when everything is in place,
 * -1 with 'err' naming the first failure (every failure was also reported as IMG_EV_ERROR). */
int img_run(struct img_set *set, struct img_sink *sink, const struct img_run_opts *opts,
            struct img_run_stats *stats, struct err *err);

/* Checks a sink against the set: each tag resolves to the expected manifest and every blob it
 * names exists with its digest and size. Reports problems as IMG_EV_ERROR; returns -1 when any
 * (ERR_FAILED, the first one). A sink that fails or refuses (the registry unreachable, HTTP 4xx)
 * stops the check: -1 with its error and kind, not reported as an event. */
int img_verify(struct img_set *set, struct img_sink *sink, img_event_fn on_event, void *ctx,
               struct err *err);

/* The whole push as one call, for `pot images push` and for `pot install`'s image step. */
struct img_push_opts {
    char *const *paths;        /* borrowed, NULL-terminated: tarballs, layouts, folders */
    const struct reg_opts *reg;/* borrowed: target registry */
    const char *namespace_;    /* NULL: "library" */
    const char *rule;          /* NULL: "{namespace}/{name}:{tag}" */
    struct img_run_opts run;
};

/* Loads every path, rewrites tags, opens the registry and runs the push. Returns 0 when every
 * image is in place; -1 with 'err' (ERR_IO/ERR_PARSE for bad input, ERR_UNREACHABLE, ERR_AUTH,
 * ERR_REMOTE, ERR_FAILED when some images failed; each failure also went to run.on_event). */
int img_push(const struct img_push_opts *opts, struct img_run_stats *stats, struct err *err);

#endif
