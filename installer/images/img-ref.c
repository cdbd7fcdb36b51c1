/*
 * img-ref.c - image references: split "host:port/path/name:tag" and rewrite every image's target
 * repository and tag with a rule, like the original kit's `<registry>/library/<name>:<tag>`.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "images/img.h"

static bool looks_like_host(const char *s, size_t len)
{
    return memchr(s, '.', len) || memchr(s, ':', len) || (len == 9 && !memcmp(s, "localhost", 9));
}

void img_ref_split(const char *ref, char **host, char **path, char **tag)
{
    const char *at = strchr(ref, '@');
    size_t end = at ? (size_t)(at - ref) : strlen(ref);
    const char *slash = memchr(ref, '/', end); /* only before "@digest", so start <= end */
    const char *start = ref;
    const char *colon;

    if (host) {
        *host = NULL;
    }
    if (slash && looks_like_host(ref, (size_t)(slash - ref))) {
        if (host) {
            *host = xstrndup(ref, (size_t)(slash - ref));
        }
        start = slash + 1;
    }
    colon = memrchr(start, ':', end - (size_t)(start - ref));
    if (colon && !strchr(colon, '/')) {
        *path = xstrndup(start, (size_t)(colon - start));
        *tag = xstrndup(colon + 1, end - (size_t)(colon + 1 - ref));
    } else {
        *path = xstrndup(start, end - (size_t)(start - ref));
        *tag = xstrdup("latest");
    }
}

char *img_rewrite_one(const char *ref, const char *rule, const char *namespace_)
{
    struct buf out = BUF_INIT;
    char *path;
    char *tag;
    const char *name;

    img_ref_split(ref, NULL, &path, &tag);
    name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    for (const char *p = rule ? rule : "{namespace}/{name}:{tag}"; *p; p++) {
        if (strncmp(p, "{namespace}", 11) == 0) {
            buf_adds(&out, namespace_ ? namespace_ : "library");
            p += 10;
        } else if (strncmp(p, "{name}", 6) == 0) {
            buf_adds(&out, name);
            p += 5;
        } else if (strncmp(p, "{path}", 6) == 0) {
            buf_adds(&out, path);
            p += 5;
        } else if (strncmp(p, "{tag}", 5) == 0) {
            buf_adds(&out, tag);
            p += 4;
        } else {
            buf_addc(&out, *p);
        }
    }
    free(path);
    free(tag);
    return buf_detach(&out, NULL);
}

static bool valid_repo(const char *repo)
{
    if (!*repo || *repo == '/' || repo[strlen(repo) - 1] == '/' || strstr(repo, "//")) {
        return false;
    }
    for (const char *p = repo; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("._-/", *p))) {
            return false;
        }
    }
    return true;
}

/* Docker's tag grammar: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}. */
static bool valid_tag(const char *tag)
{
    size_t len = strlen(tag);

    if (len == 0 || len > 128 || tag[0] == '.' || tag[0] == '-') {
        return false;
    }
    for (const char *p = tag; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr("_.-", *p))) {
            return false;
        }
    }
    return true;
}

/* The name the image has in its source (RepoTags, an OCI ref) is bad input (ERR_PARSE, naming
 * the file), not a bad rule. */
static int check_source_ref(const struct img_image *img, struct err *err)
{
    char *path = NULL, *tag = NULL;
    int ret = 0;

    img_ref_split(img->ref, NULL, &path, &tag);
    if (!valid_repo(path) || !valid_tag(tag)) {
        ret = err_set(err, ERR_PARSE, "'%s': image '%s' is not a valid repository:tag",
                      img->source, img->ref);
    }
    free(path);
    free(tag);
    return ret;
}

int img_rewrite(struct img_set *set, const char *rule, const char *namespace_, struct err *err)
{
    for (size_t i = 0; i < set->images.len; i++) {
        struct img_image *img = set->images.items[i];
        char *target;
        char *colon;

        if (check_source_ref(img, err) < 0) {
            return -1;
        }
        target = img_rewrite_one(img->ref, rule, namespace_);
        colon = strrchr(target, ':');
        if (!colon || strchr(colon, '/') || colon[1] == '\0') {
            err_set(err, ERR_USAGE, "rewrite rule '%s' gives '%s' for image '%s': no ':TAG'",
                    rule ? rule : "", target, img->ref);
            free(target);
            return -1;
        }
        *colon = '\0';
        free(img->repo);
        free(img->tag);
        img->repo = xstrdup(target);
        img->tag = xstrdup(colon + 1);
        free(target);
        if (!valid_repo(img->repo)) {
            return err_set(err, ERR_USAGE, "image '%s': '%s' is not a valid repository name",
                           img->ref, img->repo);
        }
    }
    return 0;
}
