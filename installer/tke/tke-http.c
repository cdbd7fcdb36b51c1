/*
 * tke-http.c - one HTTP request over libcurl (TCP or unix socket), body from memory or streamed
 * from a file, response body collected into a capped buffer.
 */
#include "pot.h"
#include <curl/curl.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include "base/err.h"
#include "base/xalloc.h"
#include "tke/tke-http.h"

#define BODY_CAP (16 * 1024 * 1024)

struct upload {
    const char *mem; /* borrowed */
    size_t len;
    size_t off;
    FILE *file; /* owned by tke_http_do */
};

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    struct tke_http_resp *rs = ctx;

    if (rs->body.len + size * n > BODY_CAP) {
        return 0;
    }
    buf_add(&rs->body, data, size * n);
    return size * n;
}

static size_t on_read(char *out, size_t size, size_t n, void *ctx)
{
    struct upload *up = ctx;
    size_t want = size * n;

    if (up->file) {
        size_t got = fread(out, 1, want, up->file);

        return ferror(up->file) ? CURL_READFUNC_ABORT : got;
    }
    if (want > up->len - up->off) {
        want = up->len - up->off;
    }
    memcpy(out, up->mem + up->off, want);
    up->off += want;
    return want;
}

static const char *target(const struct tke_http_req *rq)
{
    return rq->unix_socket ? rq->unix_socket : rq->url;
}

static int open_upload(const struct tke_http_req *rq, struct upload *up, curl_off_t *size,
                       struct err *err)
{
    struct stat st;

    up->mem = rq->body;
    up->len = rq->body_len;
    *size = (curl_off_t)rq->body_len;
    if (!rq->upload_path) {
        return 0;
    }
    up->file = fopen(rq->upload_path, "rbe");
    if (!up->file || fstat(fileno(up->file), &st) < 0) {
        return err_errno(err, "cannot read '%s'", rq->upload_path);
    }
    *size = (curl_off_t)st.st_size;
    return 0;
}

int tke_http_do(const struct tke_http_req *rq, struct tke_http_resp *rs, struct err *err)
{
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    struct upload up = { 0 };
    char cerr[CURL_ERROR_SIZE] = "";
    curl_off_t size = 0;
    CURLcode rc;
    int ret = -1;

    if (!c) {
        return err_set(err, ERR_INTERNAL, "cannot initialise libcurl");
    }
    if (open_upload(rq, &up, &size, err) < 0) {
        goto out;
    }
    curl_easy_setopt(c, CURLOPT_URL, rq->url);
    if (rq->unix_socket) {
        curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, rq->unix_socket);
    }
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, rs);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, rq->timeout_ms);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method);
    if (rq->body || rq->upload_path) {
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, &up);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, size);
    } else if (strcmp(rq->method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
    }
    h = curl_slist_append(h, "Expect:");
    if (rq->content_type) {
        char *line = xasprintf("Content-Type: %s", rq->content_type);

        h = curl_slist_append(h, line);
        free(line);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    buf_reset(&rs->body);
    rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        err_set(err, ERR_UNREACHABLE, "'%s': %s %s: %s", target(rq), rq->method, rq->url,
                cerr[0] ? cerr : curl_easy_strerror(rc));
        goto out;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &rs->status);
    ret = 0;
out:
    if (up.file) {
        fclose(up.file);
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return ret;
}

void tke_http_resp_release(struct tke_http_resp *rs)
{
    buf_release(&rs->body);
    rs->status = 0;
}
