/*
 * reg-client.c - Registry HTTP API v2 requests over libcurl: one request helper that retries once
 * after an auth challenge, and the blob and manifest calls built on it. Auth lives in reg-auth.c.
 */
#include "pot.h"
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "registry/reg-int.h"
#include "value/val-json.h"
#include "value/val.h"

#define CHUNK_SIZE (32 * 1024 * 1024)
#define BODY_CAP (64 * 1024 * 1024)

static const char *manifest_accept =
    "Accept: application/vnd.docker.distribution.manifest.v2+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json";

struct req {
    const char *method;  /* GET HEAD POST PUT PATCH DELETE */
    const char *url;     /* borrowed */
    const char *repo;    /* borrowed: for auth scope, may be NULL */
    const char *content_type;
    const char *extra_header;
    const void *mem;     /* body from memory... */
    size_t mem_len;
    int fd;              /* ...or from fd when >= 0 */
    int64_t fd_off;
    int64_t fd_len;
    reg_progress_fn progress;
    void *progress_ctx;
    int64_t sent;        /* read position within the body */
};

struct resp {
    long status;
    struct buf body;
    char *location;     /* owned */
    char *digest;       /* owned: Docker-Content-Digest */
    char *content_type; /* owned */
    char *www_auth;     /* owned */
    int64_t length;
};

static void resp_release(struct resp *rs)
{
    buf_release(&rs->body);
    free(rs->location);
    free(rs->digest);
    free(rs->content_type);
    free(rs->www_auth);
    memset(rs, 0, sizeof(*rs));
    rs->body = (struct buf)BUF_INIT;
}

static void resp_reset(struct resp *rs)
{
    resp_release(rs);
    rs->length = -1;
}

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    struct resp *rs = ctx;

    if (rs->body.len + size * n > BODY_CAP) {
        return 0;
    }
    buf_add(&rs->body, data, size * n);
    return size * n;
}

static char *header_value(const char *line, size_t len, const char *name)
{
    size_t nlen = strlen(name);

    if (len <= nlen + 1 || strncasecmp(line, name, nlen) != 0 || line[nlen] != ':') {
        return NULL;
    }
    line += nlen + 1;
    len -= nlen + 1;
    while (len && (*line == ' ' || *line == '\t')) {
        line++;
        len--;
    }
    while (len && (line[len - 1] == '\r' || line[len - 1] == '\n' || line[len - 1] == ' ')) {
        len--;
    }
    return xstrndup(line, len);
}

static void keep_header(char **slot, char *value)
{
    if (value) {
        free(*slot);
        *slot = value;
    }
}

static size_t on_header(char *line, size_t size, size_t n, void *ctx)
{
    struct resp *rs = ctx;
    size_t len = size * n;
    char *v;

    keep_header(&rs->location, header_value(line, len, "Location"));
    keep_header(&rs->digest, header_value(line, len, "Docker-Content-Digest"));
    keep_header(&rs->content_type, header_value(line, len, "Content-Type"));
    keep_header(&rs->www_auth, header_value(line, len, "WWW-Authenticate"));
    v = header_value(line, len, "Content-Length");
    if (v) {
        int64_t l;

        if (parse_int(v, &l) == 0) {
            rs->length = l;
        }
        free(v);
    }
    return len;
}

static size_t on_read(char *out, size_t size, size_t n, void *ctx)
{
    struct req *rq = ctx;
    int64_t total = rq->fd >= 0 ? rq->fd_len : (int64_t)rq->mem_len;
    size_t want = size * n;
    ssize_t got;

    if (rq->sent >= total) {
        return 0;
    }
    if ((int64_t)want > total - rq->sent) {
        want = (size_t)(total - rq->sent);
    }
    if (rq->fd < 0) {
        memcpy(out, (const char *)rq->mem + rq->sent, want);
        got = (ssize_t)want;
    } else {
        got = pread(rq->fd, out, want, rq->fd_off + rq->sent);
        if (got <= 0) {
            return CURL_READFUNC_ABORT;
        }
    }
    rq->sent += got;
    if (rq->progress) {
        rq->progress(rq->progress_ctx, got);
    }
    return (size_t)got;
}

static struct curl_slist *setup_request(struct reg *r, struct req *rq, struct resp *rs)
{
    CURL *c = r->curl;
    struct curl_slist *h = NULL;
    bool has_body = rq->fd >= 0 || rq->mem;

    curl_easy_reset(c);
    reg_setup_tls(r, c);
    curl_easy_setopt(c, CURLOPT_URL, rq->url);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, rs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, rs);
    if (strcmp(rq->method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (has_body) {
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, rq);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
                         (curl_off_t)(rq->fd >= 0 ? rq->fd_len : (int64_t)rq->mem_len));
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method);
    } else if (strcmp(rq->method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
    } else if (strcmp(rq->method, "GET") != 0) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method);
        if (strcmp(rq->method, "PUT") == 0) {
            h = curl_slist_append(h, "Content-Length: 0");
        }
    }
    h = curl_slist_append(h, "Expect:");
    if (rq->content_type) {
        char *line = xasprintf("Content-Type: %s", rq->content_type);

        h = curl_slist_append(h, line);
        free(line);
    }
    if (rq->extra_header) {
        h = curl_slist_append(h, rq->extra_header);
    }
    h = reg_auth_apply(r, c, rq->url, h);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    return h;
}

/* The URL without scheme, host and query (upload URLs carry long state tokens). */
static int url_path_len(const struct reg *r, const char *url, const char **path)
{
    *path = str_starts_with(url, r->base) ? url + strlen(r->base) : url;
    return (int)strcspn(*path, "?");
}

/* What went wrong with the connection, in words: curl's own, except where those mislead (a
 * request body curl cannot rewind only means the connection broke while sending it). */
static const char *curl_reason(CURLcode rc, const char *cerr)
{
    if (rc == CURLE_SEND_FAIL_REWIND) {
        return "the connection broke while sending";
    }
    return cerr[0] ? cerr : curl_easy_strerror(rc);
}

/* One request, retried once after a 401 challenge. Fills 'rs'; returns 0 when an HTTP answer
 * arrived (any status), -1 when the registry could not be reached or auth cannot succeed. */
static int perform(struct reg *r, struct req *rq, struct resp *rs, struct err *err)
{
    char cerr[CURL_ERROR_SIZE];
    const char *path;
    int path_len = url_path_len(r, rq->url, &path);

    if (rq->repo && reg_auth_for_repo(r, rq->repo, err) < 0) {
        return -1;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        struct curl_slist *h;
        CURLcode rc;

        resp_reset(rs);
        rq->sent = 0;
        cerr[0] = '\0';
        h = setup_request(r, rq, rs);
        curl_easy_setopt(r->curl, CURLOPT_ERRORBUFFER, cerr);
        rc = curl_easy_perform(r->curl);
        curl_slist_free_all(h);
        if (rc != CURLE_OK) {
            return err_set(err, ERR_UNREACHABLE, "registry '%s': %s %.*s: %s", r->opts.host,
                           rq->method, path_len, path, curl_reason(rc, cerr));
        }
        curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &rs->status);
        if (rs->status != 401 || attempt == 1 || !reg_same_origin(rq->url, r->base)) {
            break; /* another origin's challenge would send our credentials to its realm */
        }
        if (reg_auth_challenge(r, rs->www_auth, rq->repo, err) < 0) {
            return -1;
        }
    }
    if (rs->status == 401) {
        return err_set(err, ERR_AUTH, "registry '%s': authentication failed%s%s%s",
                       r->opts.host, r->opts.user ? " for user '" : "",
                       r->opts.user ? r->opts.user : "", r->opts.user ? "'" : "");
    }
    return 0;
}

/* Sets ERR_REMOTE from an unexpected status, with the registry's own error code and message. */
static int remote_error(struct reg *r, const char *what, struct resp *rs, struct err *err)
{
    struct err ignored = ERR_INIT;
    struct val *doc = NULL;
    const char *code = NULL;
    const char *msg = NULL;
    int ret;

    if (rs->body.len && rs->body.ptr[0] == '{') {
        doc = val_from_json(rs->body.ptr, rs->body.len, "registry answer", &ignored);
    }
    if (doc && doc->type == VAL_DICT) {
        struct val *errs = val_dict_get(doc, "errors");
        struct val *first = errs ? val_list_get(errs, 0) : NULL;

        if (first && first->type == VAL_DICT) {
            code = val_dict_get_str(first, "code");
            msg = val_dict_get_str(first, "message");
        }
    }
    ret = err_set(err, rs->status == 403 ? ERR_AUTH : ERR_REMOTE,
                  "registry '%s': %s: HTTP %ld%s%s%s%s", r->opts.host, what, rs->status,
                  code ? " " : "", code ? code : "", msg ? ": " : "", msg ? msg : "");
    val_unref(doc);
    return ret;
}

static struct req req_new(const char *method, const char *url, const char *repo)
{
    struct req rq = { .method = method, .url = url, .repo = repo, .fd = -1 };

    return rq;
}

static char *repo_url(const struct reg *r, const char *repo, const char *kind, const char *ref)
{
    return xasprintf("%s/v2/%s/%s/%s", r->base, repo, kind, ref ? ref : "");
}

/* Turns a Location header (absolute or relative) into an absolute URL with one more query
 * parameter (may be NULL). */
static char *location_url(const struct reg *r, const char *loc, const char *param)
{
    const char *prefix = str_starts_with(loc, "/") ? r->base : "";

    if (!param) {
        return xasprintf("%s%s", prefix, loc);
    }
    return xasprintf("%s%s%c%s", prefix, loc, strchr(loc, '?') ? '&' : '?', param);
}

static int probe(struct reg *r, const char *scheme, struct err *err)
{
    struct resp rs = { .body = BUF_INIT };
    struct req rq;
    char *url;
    int ret;

    free(r->base);
    r->base = xasprintf("%s://%s", scheme, r->opts.host);
    url = xasprintf("%s/v2/", r->base);
    rq = req_new("GET", url, NULL);
    ret = perform(r, &rq, &rs, err);
    if (ret == 0 && rs.status != 200) {
        ret = remote_error(r, "GET /v2/", &rs, err);
        if (rs.status == 404) {
            err_prefix(err, "not a registry (no /v2/ API): ");
        }
    }
    resp_release(&rs);
    free(url);
    return ret;
}

struct reg *reg_open(const struct reg_opts *opts, struct err *err)
{
    struct reg *r = xcalloc(1, sizeof(*r));
    const char *host = opts->host;
    int ret;

    r->opts = *opts;
    r->curl = curl_easy_init();
    if (opts->password) {
        log_add_secret(opts->password);
    }
    if (str_starts_with(host, "http://") || str_starts_with(host, "https://")) {
        bool plain = str_starts_with(host, "http://");

        r->opts.host = host + (plain ? 7 : 8);
        ret = probe(r, plain ? "http" : "https", err);
    } else {
        ret = probe(r, "https", err);
        if (ret < 0 && opts->insecure && err->kind == ERR_UNREACHABLE) {
            err_clear(err);
            ret = probe(r, "http", err);
        }
    }
    if (ret < 0) {
        reg_free(r);
        return NULL;
    }
    return r;
}

struct reg *reg_clone(const struct reg *r)
{
    struct reg *c = xcalloc(1, sizeof(*c));

    c->opts = r->opts;
    c->base = xstrdup(r->base);
    c->curl = curl_easy_init();
    c->auth = r->auth;
    c->realm = r->realm ? xstrdup(r->realm) : NULL;
    c->service = r->service ? xstrdup(r->service) : NULL;
    return c;
}

void reg_free(struct reg *r)
{
    if (!r) {
        return;
    }
    if (r->curl) {
        curl_easy_cleanup(r->curl);
    }
    free(r->base);
    free(r->realm);
    free(r->service);
    free(r->token);
    free(r->token_repo);
    free(r);
}

const char *reg_name(const struct reg *r)
{
    return r->opts.host;
}

int reg_blob_head(struct reg *r, const char *repo, const char *digest, int64_t *size,
                  struct err *err)
{
    struct resp rs = { .body = BUF_INIT };
    char *url = repo_url(r, repo, "blobs", digest);
    struct req rq = req_new("HEAD", url, repo);
    int ret = perform(r, &rq, &rs, err);

    if (ret == 0) {
        if (rs.status == 200) {
            *size = rs.length;
            ret = 1;
        } else if (rs.status != 404) {
            ret = remote_error(r, "HEAD blob", &rs, err);
        }
    }
    resp_release(&rs);
    free(url);
    return ret;
}

int reg_blob_mount(struct reg *r, const char *repo, const char *digest, const char *from,
                   struct err *err)
{
    struct resp rs = { .body = BUF_INIT };
    char *url = xasprintf("%s/v2/%s/blobs/uploads/?mount=%s&from=%s", r->base, repo, digest, from);
    struct req rq = req_new("POST", url, repo);
    int ret = perform(r, &rq, &rs, err);

    if (ret == 0 && rs.status == 201) {
        ret = 1;
    } else if (ret == 0 && rs.status == 202 && rs.location) {
        /* Declined: the registry opened an upload instead; cancel it. */
        char *cancel = location_url(r, rs.location, NULL);
        struct req del = req_new("DELETE", cancel, repo);
        struct err ignored = ERR_INIT;

        perform(r, &del, &rs, &ignored);
        free(cancel);
    } else if (ret == 0) {
        ret = remote_error(r, "mount blob", &rs, err);
    }
    resp_release(&rs);
    free(url);
    return ret;
}

/* POST an upload session; returns the absolute upload URL (caller frees) or NULL. */
static char *upload_start(struct reg *r, const char *repo, struct err *err)
{
    struct resp rs = { .body = BUF_INIT };
    char *url = repo_url(r, repo, "blobs/uploads", NULL);
    struct req rq = req_new("POST", url, repo);
    char *loc = NULL;

    if (perform(r, &rq, &rs, err) == 0) {
        if (rs.status == 202 && rs.location) {
            loc = location_url(r, rs.location, NULL);
        } else {
            remote_error(r, "start upload", &rs, err);
        }
    }
    resp_release(&rs);
    free(url);
    return loc;
}

/* Sends one body ('rq' carries it) with 'method' to 'url'; on success replaces *url by the next
 * Location (PATCH) and returns 0. */
static int upload_send(struct reg *r, struct req *rq, char **next, long want, const char *what,
                       struct err *err)
{
    struct resp rs = { .body = BUF_INIT };
    int ret = perform(r, rq, &rs, err);

    if (ret == 0 && rs.status != want) {
        ret = remote_error(r, what, &rs, err);
    }
    if (ret == 0 && next) {
        free(*next);
        *next = rs.location ? location_url(r, rs.location, NULL) : NULL;
        if (!*next) {
            ret = err_set(err, ERR_REMOTE, "registry '%s': %s: no Location in the answer",
                          r->opts.host, what);
        }
    }
    resp_release(&rs);
    return ret;
}

static int upload_body(struct reg *r, const char *repo, const char *digest, struct req *body,
                       struct err *err)
{
    char *loc = upload_start(r, repo, err);
    char *param = xasprintf("digest=%s", digest);
    char *put = NULL;
    int ret = -1;

    if (!loc) {
        goto out;
    }
    put = location_url(r, loc, param);
    body->method = "PUT";
    body->url = put;
    body->repo = repo;
    body->content_type = "application/octet-stream";
    ret = upload_send(r, body, NULL, 201, "upload blob", err);
out:
    free(put);
    free(param);
    free(loc);
    return ret;
}

int reg_blob_upload_mem(struct reg *r, const char *repo, const char *digest, const void *data,
                        size_t len, struct err *err)
{
    struct req rq = req_new("PUT", NULL, repo);

    rq.mem = data ? data : "";
    rq.mem_len = len;
    return upload_body(r, repo, digest, &rq, err);
}

static int upload_chunked(struct reg *r, const char *repo, const char *digest, int fd, int64_t size,
                          reg_progress_fn progress, void *ctx, struct err *err)
{
    char *loc = upload_start(r, repo, err);
    char *param = xasprintf("digest=%s", digest);
    char *put = NULL;
    int ret = -1;

    for (int64_t off = 0; loc && off < size; off += CHUNK_SIZE) {
        int64_t len = size - off < CHUNK_SIZE ? size - off : CHUNK_SIZE;
        char *range = xasprintf("Content-Range: %lld-%lld", (long long)off,
                                (long long)(off + len - 1));
        struct req rq = req_new("PATCH", loc, repo);
        char *url = xstrdup(loc);

        rq.url = url;
        rq.fd = fd;
        rq.fd_off = off;
        rq.fd_len = len;
        rq.progress = progress;
        rq.progress_ctx = ctx;
        rq.content_type = "application/octet-stream";
        rq.extra_header = range;
        ret = upload_send(r, &rq, &loc, 202, "upload chunk", err);
        free(range);
        free(url);
        if (ret < 0) {
            goto out;
        }
    }
    if (loc) {
        struct req fin = req_new("PUT", NULL, repo);

        put = location_url(r, loc, param);
        fin.url = put;
        ret = upload_send(r, &fin, NULL, 201, "finish upload", err);
    }
out:
    free(put);
    free(param);
    free(loc);
    return ret;
}

int reg_blob_upload_fd(struct reg *r, const char *repo, const char *digest, int fd, int64_t size,
                       reg_progress_fn progress, void *progress_ctx, struct err *err)
{
    struct req rq = req_new("PUT", NULL, repo);

    if (size > CHUNK_SIZE) {
        return upload_chunked(r, repo, digest, fd, size, progress, progress_ctx, err);
    }
    rq.fd = fd;
    rq.fd_len = size;
    rq.progress = progress;
    rq.progress_ctx = progress_ctx;
    return upload_body(r, repo, digest, &rq, err);
}

int reg_manifest_get(struct reg *r, const char *repo, const char *ref, struct buf *body,
                     char **media_type, char **digest, struct err *err)
{
    struct resp rs = { .body = BUF_INIT };
    char *url = repo_url(r, repo, "manifests", ref);
    struct req rq = req_new("GET", url, repo);
    int ret;

    rq.extra_header = manifest_accept;
    ret = perform(r, &rq, &rs, err);
    if (ret == 0 && rs.status == 200) {
        buf_add(body, rs.body.ptr, rs.body.len);
        *media_type = rs.content_type ? xstrdup(rs.content_type) : NULL;
        *digest = rs.digest ? xstrdup(rs.digest) : NULL;
        ret = 1;
    } else if (ret == 0 && rs.status != 404) {
        ret = remote_error(r, "GET manifest", &rs, err);
    }
    resp_release(&rs);
    free(url);
    return ret;
}

int reg_manifest_put(struct reg *r, const char *repo, const char *tag, const char *media_type,
                     const void *data, size_t len, struct err *err)
{
    struct resp rs = { .body = BUF_INIT };
    char *url = repo_url(r, repo, "manifests", tag);
    struct req rq = req_new("PUT", url, repo);
    int ret;

    rq.mem = data;
    rq.mem_len = len;
    rq.content_type = media_type;
    ret = perform(r, &rq, &rs, err);
    if (ret == 0 && rs.status != 201) {
        ret = remote_error(r, "PUT manifest", &rs, err);
    }
    resp_release(&rs);
    free(url);
    return ret;
}
