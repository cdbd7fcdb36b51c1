/*
 * reg-auth.c - registry authentication: parse WWW-Authenticate challenges, basic credentials,
 * and the bearer-token flow (GET realm?service=&scope= with basic credentials -> token), plus the
 * TLS options every request shares. Secrets are registered for redaction and never printed.
 */
#include "pot.h"
#include <string.h>
#include <strings.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "registry/reg-int.h"
#include "value/val-json.h"
#include "value/val.h"

void reg_setup_tls(const struct reg *r, CURL *curl)
{
    long timeout = r->opts.timeout_s > 0 ? r->opts.timeout_s : 30;

    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, timeout);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, timeout);
    curl_easy_setopt(curl, CURLOPT_PROXY, "");
    if (r->opts.ca_file) {
        curl_easy_setopt(curl, CURLOPT_CAINFO, r->opts.ca_file);
    }
    if (r->opts.insecure) {
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }
}

/* Finds key="value" in a challenge's parameter list; returns a new string or NULL. */
static char *challenge_param(const char *params, const char *key)
{
    size_t klen = strlen(key);
    const char *p = params;

    while (p && *p) {
        while (*p == ' ' || *p == ',') {
            p++;
        }
        if (strncasecmp(p, key, klen) == 0 && p[klen] == '=') {
            const char *v = p + klen + 1;
            const char *end;

            if (*v == '"') {
                v++;
                end = strchr(v, '"');
            } else {
                end = v + strcspn(v, ",");
            }
            return end ? xstrndup(v, (size_t)(end - v)) : xstrdup(v);
        }
        p = strchr(p, ',');
    }
    return NULL;
}

static int need_user(struct reg *r, struct err *err)
{
    if (!r->opts.user) {
        return err_set(err, ERR_AUTH,
                       "registry '%s' requires authentication; give --user and --password-file",
                       r->opts.host);
    }
    return 0;
}

static int token_parse(struct reg *r, struct buf *body, struct err *err)
{
    struct err perr = ERR_INIT;
    struct val *doc = val_from_json(body->ptr, body->len, "token answer", &perr);
    const char *tok = NULL;

    if (doc && doc->type == VAL_DICT) {
        tok = val_dict_get_str(doc, "token");
        if (!tok) {
            tok = val_dict_get_str(doc, "access_token");
        }
    }
    if (!tok) {
        val_unref(doc);
        return err_set(err, ERR_AUTH, "registry '%s': the token service gave no token",
                       r->opts.host);
    }
    free(r->token);
    r->token = xstrdup(tok);
    log_add_secret(r->token);
    val_unref(doc);
    return 0;
}

static size_t collect(char *data, size_t size, size_t n, void *ctx)
{
    buf_add(ctx, data, size * n);
    return size * n;
}

/* Appends key=value (value: 'n' bytes, escaped here) to the URL's query. */
static void add_param(CURL *c, struct buf *url, const char *key, const char *value, size_t n)
{
    char *s = curl_easy_escape(c, value, (int)n);

    buf_addf(url, "%c%s=%s", strchr(url->ptr, '?') ? '&' : '?', key, s);
    curl_free(s);
}

/* Adds one scope parameter per space-separated scope in 'scopes'. */
static void add_scopes(CURL *c, struct buf *url, const char *scopes)
{
    const char *p = scopes;

    while (*p) {
        size_t n = strcspn(p, " ");

        if (n) {
            add_param(c, url, "scope", p, n);
        }
        p += n;
        p += *p == ' ';
    }
}

/* Asks the token service for a token for pull,push on 'repo' and for what a challenge asked
 * ('scopes', may be NULL; a cross-repository mount also needs pull on the source). */
static int fetch_token(struct reg *r, const char *repo, const char *scopes, struct err *err)
{
    CURL *c = curl_easy_init();
    struct buf url = BUF_INIT;
    struct buf body = BUF_INIT;
    long status = 0;
    CURLcode rc;
    int ret = -1;

    buf_adds(&url, r->realm);
    if (r->service) {
        add_param(c, &url, "service", r->service, strlen(r->service));
    }
    if (repo) {
        char *scope = xasprintf("repository:%s:pull,push", repo);

        add_param(c, &url, "scope", scope, strlen(scope));
        free(scope);
    }
    if (scopes) {
        add_scopes(c, &url, scopes);
    }
    reg_setup_tls(r, c);
    curl_easy_setopt(c, CURLOPT_URL, url.ptr);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    if (r->opts.user) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERNAME, r->opts.user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, r->opts.password ? r->opts.password : "");
    }
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK) {
        err_set(err, ERR_UNREACHABLE, "registry '%s': token service: %s", r->opts.host,
                curl_easy_strerror(rc));
    } else if ((status == 401 || status == 403) && !r->opts.user) {
        need_user(r, err);
    } else if (status == 401 || status == 403) {
        err_set(err, ERR_AUTH, "registry '%s': authentication failed for user '%s'",
                r->opts.host, r->opts.user);
    } else if (status != 200) {
        err_set(err, ERR_AUTH, "registry '%s': token service answered HTTP %ld", r->opts.host,
                status);
    } else {
        ret = token_parse(r, &body, err);
    }
    if (ret == 0) {
        free(r->token_repo);
        r->token_repo = repo ? xstrdup(repo) : NULL;
    }
    curl_easy_cleanup(c);
    buf_release(&url);
    buf_release(&body);
    return ret;
}

int reg_auth_challenge(struct reg *r, const char *challenge, const char *repo, struct err *err)
{
    if (!challenge) {
        return err_set(err, ERR_AUTH, "registry '%s': HTTP 401 without a challenge",
                       r->opts.host);
    }
    if (strncasecmp(challenge, "Basic", 5) == 0) {
        if (r->auth == REG_AUTH_BASIC) {
            return err_set(err, ERR_AUTH, "registry '%s': authentication failed for user '%s'",
                           r->opts.host, r->opts.user ? r->opts.user : "");
        }
        r->auth = REG_AUTH_BASIC;
        return need_user(r, err);
    }
    if (strncasecmp(challenge, "Bearer", 6) == 0) {
        char *scopes = challenge_param(challenge + 6, "scope");
        int ret;

        free(r->realm);
        free(r->service);
        r->realm = challenge_param(challenge + 6, "realm");
        r->service = challenge_param(challenge + 6, "service");
        r->auth = REG_AUTH_BEARER;
        if (!r->realm) {
            free(scopes);
            return err_set(err, ERR_AUTH, "registry '%s': bearer challenge without a realm",
                           r->opts.host);
        }
        ret = fetch_token(r, repo, scopes, err);
        free(scopes);
        return ret;
    }
    return err_set(err, ERR_AUTH, "registry '%s': unsupported authentication scheme in '%.40s'",
                   r->opts.host, challenge);
}

int reg_auth_for_repo(struct reg *r, const char *repo, struct err *err)
{
    if (r->auth != REG_AUTH_BEARER) {
        return 0;
    }
    if (r->token && r->token_repo && strcmp(r->token_repo, repo) == 0) {
        return 0;
    }
    return fetch_token(r, repo, NULL, err);
}

/* Scheme, host and port of 'url' (the scheme's default port when none is given) into 'out' as
 * "scheme://host:port"; -1 when 'url' does not parse. */
static int url_origin(const char *url, struct buf *out)
{
    CURLU *u = curl_url();
    char *scheme = NULL;
    char *host = NULL;
    char *port = NULL;
    int ret = -1;

    if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
        buf_addf(out, "%s://%s:%s", scheme, host, port);
        ret = 0;
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return ret;
}

bool reg_same_origin(const char *a, const char *b)
{
    struct buf oa = BUF_INIT;
    struct buf ob = BUF_INIT;
    bool same = url_origin(a, &oa) == 0 && url_origin(b, &ob) == 0 &&
                strcasecmp(oa.ptr, ob.ptr) == 0;

    buf_release(&oa);
    buf_release(&ob);
    return same;
}

struct curl_slist *reg_auth_apply(const struct reg *r, CURL *curl, const char *url,
                                  struct curl_slist *headers)
{
    if (!reg_same_origin(url, r->base)) {
        return headers;
    }
    if (r->auth == REG_AUTH_BASIC && r->opts.user) {
        curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(curl, CURLOPT_USERNAME, r->opts.user);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, r->opts.password ? r->opts.password : "");
    } else if (r->auth == REG_AUTH_BEARER && r->token) {
        char *line = xasprintf("Authorization: Bearer %s", r->token);

        headers = curl_slist_append(headers, line);
        free(line);
    }
    return headers;
}
