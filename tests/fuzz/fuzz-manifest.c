/*
 * fuzz-manifest.c - libFuzzer target for the JSON side of installer/images: a docker-save
 * manifest.json with its image configs (img-docker.c), or an OCI index.json with its manifests
 * and configs (img-oci.c), read from an in-memory archive scan; then every image's ref is
 * rewritten (img-ref.c) and its Docker manifest built (img-manifest.c).
 *
 * The input is a list of archive members, each introduced by a line "@@ NAME"; "@@ =" names the
 * member blobs/sha256/<its digest>, as an OCI layout would. Any crash, sanitizer report or leak
 * is a bug; load errors are expected.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "images/img-archive.h"
#include "images/img-load.h"
#include "images/img.h"

static void add_member(struct img_scan *scan, const char *name, size_t name_len,
                       const char *data, size_t len)
{
    struct img_member *m = xcalloc(1, sizeof(*m));

    m->data = (struct buf)BUF_INIT;
    buf_add(&m->data, data, len);
    if (name_len == 1 && name[0] == '=') {
        char *digest = img_digest_of(data, len);

        m->name = xasprintf("blobs/sha256/%s", digest + strlen("sha256:"));
        free(digest);
    } else {
        m->name = xstrndup(name, name_len);
    }
    m->size = (int64_t)len;
    m->gzipped = len >= 2 && (unsigned char)data[0] == 0x1f && (unsigned char)data[1] == 0x8b;
    m->buffered = true;
    vec_push(&scan->members, m);
}

/* Splits "@@ NAME\nDATA@@ NAME\nDATA..." into members; bytes before the first marker are
 * ignored. */
static void split_members(struct img_scan *scan, const char *p, const char *end)
{
    p = memmem(p, (size_t)(end - p), "@@ ", 3);
    while (p) {
        const char *name = p + 3;
        const char *nl = memchr(name, '\n', (size_t)(end - name));
        const char *data = nl ? nl + 1 : end;
        const char *next = memmem(data, (size_t)(end - data), "\n@@ ", 4);
        const char *stop = next ? next : end;

        add_member(scan, name, (size_t)((nl ? nl : end) - name), data, (size_t)(stop - data));
        p = next ? next + 1 : NULL;
    }
}

static void build_manifests(struct img_set *set)
{
    struct buf out = BUF_INIT;

    for (size_t i = 0; i < set->images.len; i++) {
        struct img_image *img = set->images.items[i];
        bool complete = img->config && img->config->digest;

        for (size_t l = 0; l < img->layers.len; l++) {
            struct img_blob *b = img->layers.items[l];

            if (!b->digest && b->diff_id) {
                b->digest = xstrdup(b->diff_id); /* as if compressed by img_run */
            }
            complete = complete && b->digest;
        }
        if (complete) {
            img_manifest_build(img, &out);
        }
    }
    buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct img_scan scan = { VEC_INIT };
    struct img_set *set;
    struct err err = ERR_INIT;
    int ret = -1;

    if (size == 0 || size > 1 << 16) {
        return 0;
    }
    split_members(&scan, (const char *)data, (const char *)data + size);
    set = img_set_new();
    if (img_scan_find(&scan, "manifest.json")) {
        ret = img_load_docker(set, "fuzz.tar", &scan, &err);
    } else if (img_scan_find(&scan, "index.json")) {
        ret = img_load_oci_tar(set, "fuzz.tar", &scan, &err);
    }
    if (ret == 0) {
        img_rewrite(set, NULL, NULL, &err);
        img_rewrite(set, "{path}-{name}:{tag}", "ns", &err);
        build_manifests(set);
    }
    img_set_free(set);
    img_scan_release(&scan);
    return 0;
}
