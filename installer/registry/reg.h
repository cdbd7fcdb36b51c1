/*
 * reg.h - a client for the Docker Registry HTTP API v2 over libcurl: blobs (HEAD, mount, upload
 * from memory or a file, monolithic or chunked), manifests (GET, PUT), basic and bearer-token
 * auth, TLS with a CA file or insecure mode.
 *
 * Order: reg_open() once on the main thread (it probes /v2/, picks https or http and learns how
 * the registry authenticates); reg_clone() for each worker thread (a struct reg is used by one
 * thread at a time); reg_free() each. Functions return 1/0 for found/absent where documented,
 * otherwise 0, and -1 with 'err' set (ERR_UNREACHABLE, ERR_AUTH or ERR_REMOTE). Passwords are
 * registered with log_add_secret() and never appear in messages.
 */
#ifndef REG_H
#define REG_H

struct buf;
struct err;

struct reg_opts {
    const char *host;     /* borrowed: "HOST[:PORT]", or with an explicit http:// or https:// */
    const char *ca_file;  /* borrowed: PEM bundle to trust; NULL: system CAs */
    const char *user;     /* borrowed: NULL for anonymous */
    const char *password; /* borrowed */
    bool insecure;        /* skip TLS verification, and fall back to plain http */
    int timeout_s;        /* connect/low-speed timeout; 0: 30 seconds */
};

struct reg;

/* Called from the uploading thread with the bytes sent so far for the current blob. */
typedef void (*reg_progress_fn)(void *ctx, int64_t sent_delta);

struct reg *reg_open(const struct reg_opts *opts, struct err *err);
/* A new client with the same settings and its own connection, for another thread. */
struct reg *reg_clone(const struct reg *r);
void reg_free(struct reg *r);
/* "127.0.0.1:5000" as given (borrowed). */
const char *reg_name(const struct reg *r);

/* Returns 1 and sets *size when the blob is in 'repo', 0 when absent, -1 on error. */
int reg_blob_head(struct reg *r, const char *repo, const char *digest, int64_t *size,
                  struct err *err);
/* Cross-repository mount. Returns 1 when mounted, 0 when the registry declined, -1 on error. */
int reg_blob_mount(struct reg *r, const char *repo, const char *digest, const char *from,
                   struct err *err);
int reg_blob_upload_mem(struct reg *r, const char *repo, const char *digest, const void *data,
                        size_t len, struct err *err);
/* Uploads 'size' bytes from 'fd' (read with pread from offset 0): one PUT up to the chunk size,
 * else POST + PATCH chunks + PUT. */
int reg_blob_upload_fd(struct reg *r, const char *repo, const char *digest, int fd, int64_t size,
                       reg_progress_fn progress, void *progress_ctx, struct err *err);
/* GETs a manifest by tag or digest accepting Docker schema 2 and OCI types. Returns 1 with the
 * body, its media type (new string) and the registry's digest (new string), 0 when absent. */
int reg_manifest_get(struct reg *r, const char *repo, const char *ref, struct buf *body,
                     char **media_type, char **digest, struct err *err);
int reg_manifest_put(struct reg *r, const char *repo, const char *tag, const char *media_type,
                     const void *data, size_t len, struct err *err);

#endif
