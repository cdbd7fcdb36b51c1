/*
 * img-set.c - the deduplicated set of images and blobs: lifecycle, interning by diff_id or
 * digest, and img_load's dispatch of a path to the docker-save or OCI reader.
 */
#include "pot.h"
#include <dirent.h>
#include <string.h>
#include "base/digest.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "images/img-archive.h"
#include "images/img-load.h"
#include "images/img.h"

struct img_set *img_set_new(void)
{
    return xcalloc(1, sizeof(struct img_set));
}

struct img_blob *img_blob_new(enum img_blob_kind kind)
{
    struct img_blob *b = xcalloc(1, sizeof(*b));

    b->kind = kind;
    b->size = -1;
    b->data = (struct buf)BUF_INIT;
    return b;
}

void img_blob_free(struct img_blob *b)
{
    if (!b) {
        return;
    }
    free(b->archive);
    free(b->path);
    free(b->diff_id);
    free(b->digest);
    free(b->media_type);
    free(b->image_name);
    free(b->image_source);
    buf_release(&b->data);
    free(b);
}

void img_image_free(struct img_image *img)
{
    if (!img) {
        return;
    }
    free(img->source);
    free(img->ref);
    free(img->repo);
    free(img->tag);
    vec_release(&img->layers);
    buf_release(&img->manifest);
    free(img->manifest_type);
    free(img);
}

void img_set_free(struct img_set *set)
{
    if (!set) {
        return;
    }
    for (size_t i = 0; i < set->images.len; i++) {
        img_image_free(set->images.items[i]);
    }
    for (size_t i = 0; i < set->blobs.len; i++) {
        img_blob_free(set->blobs.items[i]);
    }
    vec_release(&set->images);
    vec_release(&set->blobs);
    free(set);
}

/* Blobs known by digest match by digest; raw docker-save layers match by diff_id. */
static bool same_blob(const struct img_blob *a, const struct img_blob *b)
{
    if (a->digest || b->digest) {
        return a->digest && b->digest && strcmp(a->digest, b->digest) == 0;
    }
    return a->diff_id && b->diff_id && strcmp(a->diff_id, b->diff_id) == 0;
}

struct img_blob *img_set_intern(struct img_set *set, struct img_blob *blob)
{
    for (size_t i = 0; i < set->blobs.len; i++) {
        struct img_blob *have = set->blobs.items[i];

        if (same_blob(have, blob)) {
            img_blob_free(blob);
            return have;
        }
    }
    vec_push(&set->blobs, blob);
    return blob;
}

static bool blob_used(const struct img_set *set, const struct img_blob *b)
{
    for (size_t i = 0; i < set->images.len; i++) {
        const struct img_image *img = set->images.items[i];

        if (img->config == b || vec_contains(&img->layers, b)) {
            return true;
        }
    }
    return false;
}

static struct img_image *first_with_ref(const struct img_set *set, const char *ref)
{
    for (size_t i = 0; i < set->images.len; i++) {
        struct img_image *img = set->images.items[i];

        if (strcmp(img->ref, ref) == 0) {
            return img;
        }
    }
    return NULL;
}

void img_set_select(struct img_set *set, const struct svec *refs, struct svec *missing)
{
    struct vec keep = VEC_INIT;
    struct vec blobs = VEC_INIT;

    for (size_t i = 0; i < refs->len; i++) {
        struct img_image *img = first_with_ref(set, refs->items[i]);

        if (!img) {
            svec_push(missing, refs->items[i]);
        }
    }
    for (size_t i = 0; i < set->images.len; i++) {
        struct img_image *img = set->images.items[i];

        if (svec_contains(refs, img->ref) && first_with_ref(set, img->ref) == img) {
            vec_push(&keep, img);
        }
    }
    for (size_t i = 0; i < set->images.len; i++) {
        if (!vec_contains(&keep, set->images.items[i])) {
            img_image_free(set->images.items[i]);
        }
    }
    vec_release(&set->images);
    set->images = keep;
    for (size_t i = 0; i < set->blobs.len; i++) {
        if (blob_used(set, set->blobs.items[i])) {
            vec_push(&blobs, set->blobs.items[i]);
        } else {
            img_blob_free(set->blobs.items[i]);
        }
    }
    vec_release(&set->blobs);
    set->blobs = blobs;
}

char *img_digest_of(const void *data, size_t len)
{
    char hex[SHA256_HEX_LEN + 1];

    sha256_hex(data, len, hex);
    return xasprintf("sha256:%s", hex);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool loadable_entry(const char *dir, const char *name)
{
    char *full;
    bool ok;

    if (name[0] == '.') {
        return false;
    }
    if (str_ends_with(name, ".tar") || str_ends_with(name, ".tar.gz") ||
        str_ends_with(name, ".tgz")) {
        return true;
    }
    full = fs_join(dir, name);
    ok = fs_is_dir(full) && img_is_oci_dir(full);
    free(full);
    return ok;
}

static int load_dir(struct img_set *set, const char *dir, struct err *err)
{
    DIR *d = opendir(dir);
    struct svec names = SVEC_INIT;
    struct dirent *de;
    int ret = 0;

    if (!d) {
        return err_errno(err, "cannot read '%s'", dir);
    }
    de = readdir(d);
    while (de) {
        if (loadable_entry(dir, de->d_name)) {
            svec_push(&names, de->d_name);
        }
        de = readdir(d);
    }
    closedir(d);
    if (names.len == 0) {
        svec_release(&names);
        return err_set(err, ERR_IO, "'%s': no image tarballs or OCI layouts in it", dir);
    }
    qsort(names.items, names.len, sizeof(char *), cmp_names);
    for (size_t i = 0; i < names.len && ret == 0; i++) {
        char *full = fs_join(dir, names.items[i]);

        ret = img_load(set, full, err);
        free(full);
    }
    svec_release(&names);
    return ret;
}

static int load_archive(struct img_set *set, const char *path, struct err *err)
{
    struct img_scan scan = { VEC_INIT };
    int ret = img_archive_scan(path, &scan, err);

    if (ret == 0) {
        if (img_scan_find(&scan, "manifest.json")) {
            ret = img_load_docker(set, path, &scan, err);
        } else if (img_scan_find(&scan, "index.json")) {
            ret = img_load_oci_tar(set, path, &scan, err);
        } else {
            ret = err_set(err, ERR_PARSE,
                          "'%s': neither a docker-save tarball (no manifest.json) nor an OCI "
                          "layout (no index.json)", path);
        }
    }
    img_scan_release(&scan);
    return ret;
}

int img_load(struct img_set *set, const char *path, struct err *err)
{
    if (fs_is_dir(path)) {
        return img_is_oci_dir(path) ? img_load_oci_dir(set, path, err) : load_dir(set, path, err);
    }
    if (!fs_exists(path)) {
        return err_set(err, ERR_IO, "'%s': no such file or directory", path);
    }
    return load_archive(set, path, err);
}
