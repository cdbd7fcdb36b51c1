/*
 * pack-spec.c - the builder file of `pot pack`, read into a struct pack_spec. Relative paths are
 * taken from the builder file's directory. Schema (every key but the first three is optional):
 *
 *   customer: acme              [A-Za-z0-9._-]+, part of the package name
 *   center: beijing             the customer's data center (recorded in offline-pot/pack.yaml)
 *   version: "1.2.0"            [A-Za-z0-9._-]+, part of the package name (quote numbers)
 *   kit: .                      the kit's root: charts/, images/, playbooks/... (default: the
 *                               builder file's directory)
 *   components: [redis, mysql]  charts switched on: KIT/charts/<name> is packed and the images
 *                               of KIT/images/<name>.txt
 *   image_sources: [DIR, ...]   docker-save tarballs, OCI layouts or folders of them, where the
 *                               components' and releases' images are found by ref (only those
 *                               are packed)
 *   helmfile:                   the business helmfile, packed as offline-pot/helmfile
 *     dir: helmfile             (its state: DIR/helmfile.d when there is one, else DIR)
 *     environments: [default]   each is loaded with the selectors, which must select a
 *     selectors: ["group=a"]    release; each release is rendered with `helm template` and
 *     helm: /usr/bin/helm       the values of its 'image:' keys packed, found by ref in the
 *                               image_sources (helm: default "helm" from PATH)
 *   images: [PATH, ...]         extra images (tarballs or OCI layouts), packed whole
 *   files:                      extra files or folders
 *     - {src: PATH, dest: tkestack/tke-installer.tar}   dest is the path in the package
 */
#include "pot.h"
#include <string.h>
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "pack/pack.h"
#include "value/val-yaml.h"
#include "value/val.h"

static const char *const known_keys[] = {
    "customer", "center", "version", "kit", "components", "image_sources", "helmfile",
    "images", "files",
};

static bool name_ok(const char *s)
{
    return *s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
                     strlen(s);
}

static int get_str(struct val *dict, const char *key, bool required, char **out, struct err *err)
{
    struct val *v = val_dict_get(dict, key);

    if (!v) {
        return required ? err_at(err, ERR_PARSE, &dict->pos, "'%s' is required", key) : 0;
    }
    if (v->type != VAL_STR || v->u.s.len == 0) {
        return err_at(err, ERR_PARSE, &v->pos, "'%s' must be a non-empty string (quote it)", key);
    }
    *out = xstrdup(v->u.s.ptr);
    return 0;
}

/* A list of strings; each resolved against 'base' when base is not NULL. */
static int get_list(struct val *dict, const char *key, const char *base, struct svec *out,
                    struct err *err)
{
    struct val *v = val_dict_get(dict, key);

    if (!v) {
        return 0;
    }
    if (v->type != VAL_LIST) {
        return err_at(err, ERR_PARSE, &v->pos, "'%s' must be a list of strings", key);
    }
    for (size_t i = 0; i < v->u.list.len; i++) {
        struct val *item = v->u.list.items[i];

        if (item->type != VAL_STR || item->u.s.len == 0) {
            return err_at(err, ERR_PARSE, &item->pos, "'%s': item %zu is not a string", key,
                          i + 1);
        }
        svec_push_take(out, base ? fs_join(base, item->u.s.ptr) : xstrdup(item->u.s.ptr));
    }
    return 0;
}

static int get_helmfile(struct pack_spec *spec, struct val *root, const char *base,
                        struct err *err)
{
    struct val *hf = val_dict_get(root, "helmfile");
    char *dir = NULL;

    if (!hf) {
        return 0;
    }
    if (hf->type != VAL_DICT) {
        return err_at(err, ERR_PARSE, &hf->pos, "'helmfile' must be a mapping (dir, "
                      "environments, selectors)");
    }
    if (get_str(hf, "dir", true, &dir, err) < 0 ||
        get_str(hf, "helm", false, &spec->helm_bin, err) < 0 ||
        get_list(hf, "environments", NULL, &spec->environments, err) < 0 ||
        get_list(hf, "selectors", NULL, &spec->selectors, err) < 0) {
        free(dir);
        return -1;
    }
    spec->helmfile_dir = fs_join(base, dir);
    free(dir);
    if (spec->environments.len == 0) {
        svec_push(&spec->environments, "default");
    }
    return 0;
}

static int get_files(struct pack_spec *spec, struct val *root, const char *base, struct err *err)
{
    struct val *files = val_dict_get(root, "files");

    if (!files) {
        return 0;
    }
    if (files->type != VAL_LIST) {
        return err_at(err, ERR_PARSE, &files->pos, "'files' must be a list of {src, dest}");
    }
    for (size_t i = 0; i < files->u.list.len; i++) {
        struct val *item = files->u.list.items[i];
        struct pack_extra_file *f;
        char *src = NULL, *dest = NULL;

        if (item->type != VAL_DICT) {
            return err_at(err, ERR_PARSE, &item->pos, "'files': item %zu is not {src, dest}",
                          i + 1);
        }
        if (get_str(item, "src", true, &src, err) < 0 ||
            get_str(item, "dest", true, &dest, err) < 0) {
            free(src);
            return -1;
        }
        f = xcalloc(1, sizeof(*f));
        f->src = fs_join(base, src);
        f->dest = dest;
        free(src);
        vec_push(&spec->extra_files, f);
    }
    return 0;
}

static int check_keys(struct val *root, struct err *err)
{
    for (size_t i = 0; i < val_dict_len(root); i++) {
        const char *key = val_dict_key_at(root, i);
        bool known = false;

        for (size_t k = 0; k < ARRAY_SIZE(known_keys); k++) {
            known = known || strcmp(key, known_keys[k]) == 0;
        }
        if (!known) {
            return err_at(err, ERR_PARSE, &val_dict_value_at(root, i)->pos,
                          "unknown key '%s'", key);
        }
    }
    return 0;
}

static int fill(struct pack_spec *spec, struct val *root, const char *base, struct err *err)
{
    char *kit = NULL;

    if (check_keys(root, err) < 0 || get_str(root, "customer", true, &spec->customer, err) < 0 ||
        get_str(root, "center", true, &spec->center, err) < 0 ||
        get_str(root, "version", true, &spec->version, err) < 0 ||
        get_str(root, "kit", false, &kit, err) < 0) {
        return -1;
    }
    spec->kit = kit ? fs_join(base, kit) : xstrdup(base);
    free(kit);
    if (!name_ok(spec->customer) || !name_ok(spec->version)) {
        return err_at(err, ERR_PARSE, &root->pos, "customer '%s' and version '%s' may only "
                      "hold letters, digits, '.', '_' and '-'", spec->customer, spec->version);
    }
    if (get_list(root, "components", NULL, &spec->components, err) < 0 ||
        get_list(root, "image_sources", base, &spec->image_sources, err) < 0 ||
        get_list(root, "images", base, &spec->extra_images, err) < 0) {
        return -1;
    }
    if (get_helmfile(spec, root, base, err) < 0) {
        return -1;
    }
    return get_files(spec, root, base, err);
}

int pack_spec_load(struct pack_spec *spec, const char *path, struct err *err)
{
    struct val *root = val_from_yaml_file(path, err);
    char *base = fs_dirname(path);
    int rc;

    memset(spec, 0, sizeof(*spec));
    if (!root) {
        free(base);
        return -1;
    }
    if (root->type != VAL_DICT) {
        rc = err_at(err, ERR_PARSE, &root->pos, "a builder file is a mapping (customer, "
                    "center, version, components...)");
    } else {
        rc = fill(spec, root, base, err);
    }
    val_unref(root);
    free(base);
    return rc;
}

void pack_spec_release(struct pack_spec *spec)
{
    free(spec->customer);
    free(spec->center);
    free(spec->version);
    free(spec->kit);
    svec_release(&spec->components);
    svec_release(&spec->image_sources);
    free(spec->helmfile_dir);
    free(spec->helm_bin);
    svec_release(&spec->environments);
    svec_release(&spec->selectors);
    svec_release(&spec->extra_images);
    for (size_t i = 0; i < spec->extra_files.len; i++) {
        struct pack_extra_file *f = spec->extra_files.items[i];

        free(f->src);
        free(f->dest);
        free(f);
    }
    vec_release(&spec->extra_files);
    memset(spec, 0, sizeof(*spec));
}

char *pack_spec_name(const struct pack_spec *spec)
{
    return xasprintf("offline-pot-%s-%s", spec->customer, spec->version);
}
