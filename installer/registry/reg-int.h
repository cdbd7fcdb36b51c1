/*
 * reg-int.h - what reg-client.c and reg-auth.c share: struct reg and the auth entry points.
 * Not for use outside registry/.
 */
#ifndef REG_INT_H
#define REG_INT_H

#include <curl/curl.h>
#include "registry/reg.h"

enum reg_auth_kind {
    REG_AUTH_NONE,
    REG_AUTH_BASIC,
    REG_AUTH_BEARER,
};

struct reg {
    struct reg_opts opts;      /* strings borrowed from the caller of reg_open */
    char *base;                /* owned: "https://host:port" */
    CURL *curl;                /* owned: this client's connection */
    enum reg_auth_kind auth;
    char *realm;               /* owned: bearer token endpoint */
    char *service;             /* owned */
    char *token;               /* owned: current bearer token (a secret) */
    char *token_repo;          /* owned: repository the token was issued for */
};

/* Applies TLS and timeout options to a fresh or reset easy handle. */
void reg_setup_tls(const struct reg *r, CURL *curl);
/* Handles a 401 answer's WWW-Authenticate header for a request on 'repo' (may be NULL). Returns 0
 * when a retry may succeed, -1 with ERR_AUTH when it cannot. */
int reg_auth_challenge(struct reg *r, const char *challenge, const char *repo, struct err *err);
/* For bearer auth, fetches a pull,push token for 'repo' unless the current one is for it. */
int reg_auth_for_repo(struct reg *r, const char *repo, struct err *err);
/* True when URLs 'a' and 'b' have the same scheme, host and port (default ports filled in). */
bool reg_same_origin(const char *a, const char *b);
/* Adds the Authorization header (bearer) or curl basic credentials to the handle for a request
 * to 'url', and nothing when 'url' is on another origin than the registry (an upload Location
 * elsewhere): credentials and tokens go only to the registry they were given for. */
struct curl_slist *reg_auth_apply(const struct reg *r, CURL *curl, const char *url,
                                  struct curl_slist *headers);

#endif
