/*
 * tke-http.h - one HTTP request over libcurl, to a TCP URL or through a unix socket (the docker
 * engine API). Used by tke-docker.c and tke-progress.c; nothing TKE-specific lives here.
 */
#ifndef TKE_HTTP_H
#define TKE_HTTP_H

#include "base/buf.h"

struct err;

struct tke_http_req {
    const char *method;       /* GET POST DELETE ... */
    const char *unix_socket;  /* NULL: plain TCP */
    const char *url;          /* "http://localhost/containers/x/json" for the docker socket */
    const char *content_type; /* NULL: none */
    const char *body;         /* request body from memory (NULL: none)... */
    size_t body_len;
    const char *upload_path;  /* ...or streamed from this file */
    long timeout_ms;          /* whole request; 0: none */
};

struct tke_http_resp {
    long status;
    struct buf body; /* capped at 16 MiB; more is an error */
};

#define TKE_HTTP_RESP_INIT { 0, BUF_INIT }

/* Performs the request. Returns 0 when an HTTP answer arrived (any status), -1 with
 * ERR_UNREACHABLE when nothing answered (the message names the socket or URL). */
int tke_http_do(const struct tke_http_req *rq, struct tke_http_resp *rs, struct err *err);
void tke_http_resp_release(struct tke_http_resp *rs);

#endif
