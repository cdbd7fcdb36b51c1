/*
 * pack-build.c - `pot pack`: from a builder file to offline-pot-<customer>-<version>.tar. Lists
 * the package's files (kit, components' charts and image lists, helmfile, extra files), packs the
 * images of the components and of the helmfile's selected releases (rendered by the local helm)
 * and the extra images as one OCI layout in a staging folder next to the tar, and writes the tar
 * (pack-tar.c) in path order with MANIFEST, MANIFEST.sig and the <tar>.sha256 sidecar; with
 * --since, a delta <name>.delta.tar holding DELTA and only the files the old manifest lacks or
 * has with other bytes.
 */
#include "pot.h"
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "helm/helm.h"
#include "helmfile/helmfile.h"
#include "images/img-sink.h"
#include "images/img.h"
#include "pack/pack.h"
#include "value/val-yaml-emit.h"
#include "value/val.h"

/* What the kit contributes as it is (when present). */
static const char *const kit_dirs[] = { "playbooks", "templates", "hooks" };
static const char *const kit_files[] = { "install-offline-pot.sh", "hosts.tpl" };

/* A progress line through the caller's pack_opts.say. */
#define SAY(b, ...) pack_say((b)->opts->say, (b)->opts->ctx, __VA_ARGS__)

struct entry {
    char *name; /* owned: path in the package */
    char *src;  /* owned: file to read */
    bool skip;  /* a delta leaves it out: the old package has it */
};

struct build {
    const struct pack_spec *spec;
    const struct pack_opts *opts;
    struct vec entries; /* owned struct entry * */
    char *staging;      /* owned: the staging folder (images, pack.yaml) */
    struct pack_manifest base; /* --since: the old package's manifest */
    char base_hex[SHA256_HEX_LEN + 1];
};

static void add_entry(struct build *b, const char *name, const char *src)
{
    struct entry *e = xcalloc(1, sizeof(*e));

    e->name = xstrdup(name);
    e->src = xstrdup(src);
    vec_push(&b->entries, e);
}

/* Adds 'src' (a file, or a folder walked in name order) as 'name'. */
static int add_tree(struct build *b, const char *name, const char *src, struct err *err)
{
    struct svec names = SVEC_INIT;
    struct stat st;
    int rc;

    if (stat(src, &st) < 0) {
        return err_errno(err, "'%s'", src);
    }
    if (S_ISREG(st.st_mode)) {
        add_entry(b, name, src);
        return 0;
    }
    if (!S_ISDIR(st.st_mode)) {
        return err_set(err, ERR_IO, "'%s': neither a file nor a folder", src);
    }
    rc = fs_list_names(src, &names, err);
    for (size_t i = 0; rc == 0 && i < names.len; i++) {
        char *sub_name = xasprintf("%s/%s", name, names.items[i]);
        char *sub_src = fs_join(src, names.items[i]);

        rc = add_tree(b, sub_name, sub_src, err);
        free(sub_name);
        free(sub_src);
    }
    svec_release(&names);
    return rc;
}

/* KIT/rel as offline-pot/rel; 'required' says whether a missing one is an error. */
static int add_kit(struct build *b, const char *rel, bool required, struct err *err)
{
    char *src = fs_join(b->spec->kit, rel);
    char *name = xasprintf(PACK_KIT_DIR "/%s", rel);
    int rc = 0;

    if (fs_exists(src) || required) {
        rc = add_tree(b, name, src, err);
    }
    free(src);
    free(name);
    return rc;
}

/* The refs of KIT/images/<component>.txt, each once, into 'refs'. */
static int component_refs(struct build *b, const char *component, struct svec *refs,
                          struct err *err)
{
    char *path = xasprintf("%s/images/%s.txt", b->spec->kit, component);
    struct buf text = BUF_INIT;
    struct svec lines = SVEC_INIT;
    int rc = fs_read_file(path, &text, err);

    if (rc < 0) {
        err_prefix(err, "component '%s': no image list: ", component);
    }
    svec_split_lines(&lines, text.len ? text.ptr : "");
    for (size_t i = 0; rc == 0 && i < lines.len; i++) {
        char *ref = str_trim(lines.items[i]);

        if (ref[0] && ref[0] != '#' && !svec_contains(refs, ref)) {
            svec_push(refs, ref);
        }
        free(ref);
    }
    svec_release(&lines);
    buf_release(&text);
    free(path);
    return rc;
}

static int add_components(struct build *b, struct svec *refs, struct err *err)
{
    if (b->spec->components.len && add_kit(b, "charts/components.yaml.gotmpl", true, err) < 0) {
        return -1;
    }
    for (size_t i = 0; i < b->spec->components.len; i++) {
        const char *c = b->spec->components.items[i];
        char *chart = xasprintf("charts/%s", c);
        char *list = xasprintf("images/%s.txt", c);
        int rc = component_refs(b, c, refs, err);

        if (rc == 0 && add_kit(b, chart, true, err) < 0) {
            rc = err_prefix(err, "component '%s': ", c);
        }
        if (rc == 0) {
            rc = add_kit(b, list, true, err);
        }
        free(chart);
        free(list);
        if (rc < 0) {
            return -1;
        }
    }
    return 0;
}

/* The values of 'image:' keys in rendered manifests ("image: x", "- image: 'x'"), each once. */
static void manifest_images(const char *text, struct svec *refs)
{
    struct svec lines = SVEC_INIT;

    svec_split_lines(&lines, text);
    for (size_t i = 0; i < lines.len; i++) {
        const char *p = lines.items[i] + strspn(lines.items[i], " \t");
        char *ref;
        size_t n;

        if (strncmp(p, "- ", 2) == 0) {
            p += 2 + strspn(p + 2, " ");
        }
        if (strncmp(p, "image:", 6) != 0) {
            continue;
        }
        ref = str_trim(p + 6);
        n = strlen(ref);
        if (n >= 2 && (ref[0] == '"' || ref[0] == '\'') && ref[n - 1] == ref[0]) {
            memmove(ref, ref + 1, n - 2);
            ref[n - 2] = '\0';
        }
        if (ref[0] && !svec_contains(refs, ref)) {
            svec_push(refs, ref);
        }
        free(ref);
    }
    svec_release(&lines);
}

/* Every installed release of the state rendered with the local helm; their images into 'refs'. */
static int release_images(struct build *b, const struct hf_state *st, struct svec *refs,
                          struct err *err)
{
    for (size_t i = 0; i < st->nreleases; i++) {
        struct buf out = BUF_INIT;
        int rc = 0;

        if (st->releases[i]->installed) {
            rc = helm_template_local(b->spec->helm_bin, st->releases[i], b->staging, &out, err);
        }
        manifest_images(out.len ? out.ptr : "", refs);
        buf_release(&out);
        if (rc < 0) {
            return -1;
        }
    }
    return 0;
}

static int check_environment(struct build *b, const char *state, const char *env,
                             struct svec *refs, struct err *err)
{
    struct hf_opts ho = { .file = state, .environment = env, .selectors = b->spec->selectors };
    struct hf_state st;
    size_t before = refs->len;
    int rc;

    hf_state_init(&st);
    rc = hf_load(&st, &ho, err);
    if (rc == 0 && st.nreleases == 0 && ho.selectors.len) {
        rc = err_set(err, ERR_USAGE, "the selectors select no release");
    }
    if (rc == 0) {
        rc = release_images(b, &st, refs, err);
    }
    if (rc == 0) {
        SAY(b, "helmfile: environment '%s': %zu releases, %zu more images", env, st.nreleases,
            refs->len - before);
    } else {
        err_prefix(err, "helmfile '%s', environment '%s': ", state, env);
    }
    hf_state_release(&st);
    return rc;
}

/* Each environment loads with the selectors, which select at least one release, whose images go
 * to 'refs'. The state is DIR/helmfile.d when there is one (as `pot install` reads it), else
 * DIR. */
static int check_helmfile(struct build *b, struct svec *refs, struct err *err)
{
    const struct pack_spec *s = b->spec;
    char *d = fs_join(s->helmfile_dir, "helmfile.d");
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < s->environments.len; i++) {
        rc = check_environment(b, fs_is_dir(d) ? d : s->helmfile_dir, s->environments.items[i],
                               refs, err);
    }
    free(d);
    return rc;
}

static void add_entry_cb(void *ctx, const char *name, const char *src)
{
    add_entry(ctx, name, src);
}

static int add_tree_cb(void *ctx, const char *name, const char *src, struct err *err)
{
    return add_tree(ctx, name, src, err);
}

static int list_files(struct build *b, struct svec *refs, struct err *err)
{
    if (pack_portable(b->staging, add_entry_cb, add_tree_cb, b, err) < 0) {
        return -1;
    }
    for (size_t i = 0; i < ARRAY_SIZE(kit_dirs); i++) {
        if (add_kit(b, kit_dirs[i], false, err) < 0) {
            return -1;
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(kit_files); i++) {
        if (add_kit(b, kit_files[i], false, err) < 0) {
            return -1;
        }
    }
    if (add_components(b, refs, err) < 0) {
        return -1;
    }
    if (b->spec->helmfile_dir) {
        if (check_helmfile(b, refs, err) < 0 ||
            add_tree(b, PACK_KIT_DIR "/helmfile", b->spec->helmfile_dir, err) < 0) {
            return -1;
        }
    }
    for (size_t i = 0; i < b->spec->extra_files.len; i++) {
        const struct pack_extra_file *f = b->spec->extra_files.items[i];

        if (add_tree(b, f->dest, f->src, err) < 0) {
            return err_prefix(err, "files: ");
        }
    }
    return 0;
}

static int load_images(const struct pack_spec *s, struct img_set *set, const struct svec *refs,
                       struct err *err)
{
    struct svec missing = SVEC_INIT;
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < s->image_sources.len; i++) {
        rc = img_load(set, s->image_sources.items[i], err);
    }
    if (rc == 0) {
        img_set_select(set, refs, &missing);
    }
    if (rc == 0 && missing.len) {
        rc = err_set(err, ERR_USAGE, "image '%s'%s of the components' image lists or the "
                     "helmfile's releases is in no image source%s", missing.items[0],
                     missing.len > 1 ? " (and others)" : "",
                     s->image_sources.len ? "" : " (image_sources is empty)");
    }
    for (size_t i = 0; rc == 0 && i < s->extra_images.len; i++) {
        rc = img_load(set, s->extra_images.items[i], err);
    }
    svec_release(&missing);
    return rc == 0 ? img_rewrite(set, "{path}:{tag}", NULL, err) : -1;
}

static void on_image_event(void *ctx, const struct img_event *ev)
{
    const struct build *b = ctx;

    if (ev->kind == IMG_EV_ERROR) {
        SAY(b, "images: %s", ev->message);
    } else if (ev->kind == IMG_EV_IMAGE) {
        SAY(b, "image %s %s", ev->image, ev->what);
    }
}

/* The OCI layout of every image into STAGING/images, its files added as offline-pot-images. */
static int pack_images(struct build *b, const struct svec *refs, size_t *count, struct err *err)
{
    struct img_set *set = img_set_new();
    struct img_sink *sink = NULL;
    struct img_run_opts ro = { .jobs = b->opts->jobs, .on_event = on_image_event, .ctx = b };
    struct img_run_stats st = { 0 };
    char *dir = fs_join(b->staging, "images");
    int rc = load_images(b->spec, set, refs, err);

    *count = set->images.len;
    if (rc == 0 && set->images.len) {
        sink = img_sink_oci_open(dir, err);
        rc = sink ? img_run(set, sink, &ro, &st, err) : -1;
        if (rc == 0) {
            rc = add_tree(b, PACK_IMAGES_DIR, dir, err);
        }
    }
    img_sink_free(sink);
    img_set_free(set);
    free(dir);
    return rc;
}

/* offline-pot/pack.yaml: what the package was built for. */
static int write_pack_yaml(struct build *b, struct err *err)
{
    const struct pack_spec *s = b->spec;
    struct val_yaml_emit_opts eo = { .indent = 2, .width = 80, .flow = 0, .sort_keys = true };
    char *path = fs_join(b->staging, "pack.yaml");
    struct val *doc = val_dict();
    struct val *components = val_list();
    struct buf text = BUF_INIT;
    int rc;

    val_dict_set_take(doc, "customer", val_str(s->customer));
    val_dict_set_take(doc, "center", val_str(s->center));
    val_dict_set_take(doc, "version", val_str(s->version));
    for (size_t i = 0; i < s->components.len; i++) {
        val_list_push_take(components, val_str(s->components.items[i]));
    }
    val_dict_set_take(doc, "components", components);
    rc = val_to_yaml(doc, &text, &eo);
    if (rc < 0) {
        rc = err_set(err, ERR_USAGE, "the builder file's names are not valid UTF-8");
    } else {
        rc = fs_write_atomic(path, text.ptr, text.len, 0644, err);
    }
    val_unref(doc);
    if (rc == 0) {
        add_entry(b, PACK_KIT_DIR "/pack.yaml", path);
    }
    buf_release(&text);
    free(path);
    return rc;
}

static int by_name(const void *a, const void *b)
{
    const struct entry *ea = *(const struct entry *const *)a;
    const struct entry *eb = *(const struct entry *const *)b;

    return strcmp(ea->name, eb->name);
}

static int sort_entries(struct build *b, struct err *err)
{
    if (b->entries.len > 1) {
        qsort(b->entries.items, b->entries.len, sizeof(void *), by_name);
    }
    for (size_t i = 0; i < b->entries.len; i++) {
        const struct entry *e = b->entries.items[i];

        if (strcmp(e->name, PACK_MANIFEST) == 0 || strcmp(e->name, PACK_SIGNATURE) == 0 ||
            (i && strcmp(e->name, ((struct entry *)b->entries.items[i - 1])->name) == 0)) {
            return err_set(err, ERR_USAGE, "'%s' is in the package twice (from '%s')", e->name,
                           e->src);
        }
    }
    return 0;
}

/* --since: every entry hashed into 'full'; the ones the old manifest has with the same digest and
 * size skipped; DELTA ("base <old MANIFEST sha256>", then the other entries' lines into 'delta')
 * written as the first member. */
static int start_delta(struct build *b, struct pack_tar *t, struct pack_manifest *full,
                       struct pack_manifest *delta, struct err *err)
{
    struct buf text = BUF_INIT;
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < b->entries.len; i++) {
        struct entry *e = b->entries.items[i];
        const struct pack_file *old = pack_manifest_find(&b->base, e->name);
        char hex[SHA256_HEX_LEN + 1];
        int64_t size;

        rc = pack_hash_file(e->src, hex, &size, err);
        if (rc == 0) {
            pack_manifest_add(full, e->name, hex, size);
            e->skip = old && old->size == size && strcmp(old->hex, hex) == 0;
        }
        if (rc == 0 && !e->skip) {
            pack_manifest_add(delta, e->name, hex, size);
        }
    }
    buf_addf(&text, "base %s\n", b->base_hex);
    pack_manifest_format(delta, &text);
    if (rc == 0) {
        rc = pack_tar_add_mem(t, PACK_DELTA, text.ptr, text.len, err);
    }
    buf_release(&text);
    return rc;
}

/* The entries (in a delta, those not skipped), hashed into 'wrote' on the way. */
static int add_entries(struct build *b, struct pack_tar *t, struct pack_manifest *wrote,
                       struct pack_result *res, struct err *err)
{
    for (size_t i = 0; i < b->entries.len; i++) {
        const struct entry *e = b->entries.items[i];

        if (e->skip) {
            continue;
        }
        if (pack_tar_add_file(t, e->name, e->src, wrote, err) < 0) {
            return -1;
        }
        res->delta_bytes += ((struct pack_file *)wrote->files.items[wrote->files.len - 1])->size;
    }
    return 0;
}

/* MANIFEST (the text in 'text') and, with a key, MANIFEST.sig; then the tar is closed. */
static int finish_tar(struct build *b, struct pack_tar *t, const struct buf *text,
                      struct err *err)
{
    struct buf sig = BUF_INIT;
    int rc = pack_tar_add_mem(t, PACK_MANIFEST, text->ptr, text->len, err);

    if (rc == 0 && b->opts->sign_key) {
        rc = pack_sign(b->opts->sign_key, text->ptr, text->len, &sig, err);
        rc = rc == 0 ? pack_tar_add_mem(t, PACK_SIGNATURE, sig.ptr, sig.len, err) : -1;
    }
    buf_release(&sig);
    if (rc < 0) {
        pack_tar_abort(t);
        return -1;
    }
    return pack_tar_close(t, err);
}

static int write_sidecar(const char *tar, const char *hex, struct err *err)
{
    char *sidecar = xasprintf("%s.sha256", tar);
    char *line = xasprintf("%s  %s\n", hex, PACK_MANIFEST);
    int rc = fs_write_atomic(sidecar, line, strlen(line), 0644, err);

    free(sidecar);
    free(line);
    return rc;
}

/* Every entry (or, with --since, DELTA and the changed ones), then MANIFEST and MANIFEST.sig;
 * then the sidecar. */
static int write_tar(struct build *b, const char *tar, const char *top, struct pack_result *res,
                     struct err *err)
{
    struct pack_manifest full = PACK_MANIFEST_INIT;
    struct pack_manifest delta = PACK_MANIFEST_INIT;
    struct pack_manifest wrote = PACK_MANIFEST_INIT;
    const struct pack_manifest *whole = b->opts->since ? &full : &wrote;
    struct buf text = BUF_INIT;
    struct pack_tar *t = pack_tar_open(tar, top, b->opts->volume_size, err);
    int rc = t ? 0 : -1;

    if (rc == 0 && b->opts->since) {
        rc = start_delta(b, t, &full, &delta, err);
    }
    rc = rc == 0 ? add_entries(b, t, &wrote, res, err) : -1;
    if (rc == 0 && b->opts->since && pack_manifest_compare(&delta, &wrote, NULL, NULL) != 0) {
        rc = err_set(err, ERR_IO, "a file changed while it was packed; pack again");
    }
    pack_manifest_format(whole, &text);
    res->files = whole->files.len;
    for (size_t i = 0; i < whole->files.len; i++) {
        res->bytes += ((struct pack_file *)whole->files.items[i])->size;
    }
    res->delta_files = wrote.files.len;
    if (rc == 0) {
        rc = finish_tar(b, t, &text, err);
    } else {
        pack_tar_abort(t);
    }
    sha256_hex(text.ptr, text.len, res->manifest_hex);
    if (rc == 0) {
        rc = write_sidecar(tar, res->manifest_hex, err);
    }
    for (res->volumes = 0; rc == 0 && b->opts->volume_size; res->volumes++) {
        char *volume = xasprintf("%s.%03zu", tar, res->volumes);
        bool there = fs_exists(volume);

        free(volume);
        if (!there) {
            break;
        }
    }
    pack_manifest_release(&full);
    pack_manifest_release(&delta);
    pack_manifest_release(&wrote);
    buf_release(&text);
    return rc;
}

/* --since PATH: the old MANIFEST (PATH, or PATH/MANIFEST for a folder) and its sha256. */
static int load_base(struct build *b, const char *since, struct err *err)
{
    char *path = fs_is_dir(since) ? fs_join(since, PACK_MANIFEST) : xstrdup(since);
    struct buf text = BUF_INIT;
    int rc = fs_read_file(path, &text, err);

    if (rc == 0) {
        sha256_hex(text.ptr, text.len, b->base_hex);
        rc = pack_manifest_parse(&b->base, text.ptr, text.len, path, err);
    }
    if (rc < 0) {
        err_prefix(err, "--since: ");
    }
    buf_release(&text);
    free(path);
    return rc;
}

static int run_build(struct build *b, const char *tar, const char *top, struct pack_result *res,
                     struct err *err)
{
    struct svec refs = SVEC_INIT;
    int rc = list_files(b, &refs, err);

    if (rc == 0) {
        SAY(b, "images: %zu named by the components' image lists and the releases", refs.len);
        rc = pack_images(b, &refs, &res->images, err);
    }
    if (rc == 0) {
        rc = write_pack_yaml(b, err);
    }
    if (rc == 0) {
        rc = sort_entries(b, err);
    }
    if (rc == 0) {
        rc = write_tar(b, tar, top, res, err);
    }
    svec_release(&refs);
    return rc;
}

/* The key signs (a trial of no bytes), before the long work. */
static int check_key(const char *key, struct err *err)
{
    struct buf sig = BUF_INIT;
    int rc = pack_sign(key, "", 0, &sig, err);

    buf_release(&sig);
    return rc < 0 ? err_prefix(err, "--sign: ") : 0;
}

int pack_build(const struct pack_spec *spec, const struct pack_opts *opts,
               struct pack_result *res, struct err *err)
{
    struct build b = { .spec = spec, .opts = opts, .base = PACK_MANIFEST_INIT };
    const char *out = opts->out_dir ? opts->out_dir : ".";
    char *name = pack_spec_name(spec);
    char *tar = xasprintf("%s/%s%s.tar", out, name, opts->since ? ".delta" : "");
    struct err ignored = ERR_INIT;
    int rc = fs_mkdir_p(out, 0755, err);

    memset(res, 0, sizeof(*res));
    if (rc == 0 && opts->sign_key) {
        rc = check_key(opts->sign_key, err);
    }
    if (rc == 0 && opts->since) {
        rc = load_base(&b, opts->since, err);
    }
    if (rc == 0) {
        b.staging = xasprintf("%s/.%s.staging", out, name);
        rc = fs_remove_tree(b.staging, err);
        rc = rc == 0 ? fs_mkdir_p(b.staging, 0700, err) : -1;
    }
    if (rc == 0) {
        rc = run_build(&b, tar, name, res, err);
    }
    if (b.staging && fs_remove_tree(b.staging, rc == 0 ? err : &ignored) < 0) {
        rc = -1;
    }
    for (size_t i = 0; i < b.entries.len; i++) {
        struct entry *e = b.entries.items[i];

        free(e->name);
        free(e->src);
        free(e);
    }
    vec_release(&b.entries);
    pack_manifest_release(&b.base);
    free(b.staging);
    free(name);
    res->tar = rc == 0 ? tar : NULL;
    if (rc < 0) {
        free(tar);
    }
    return rc;
}

void pack_result_release(struct pack_result *res)
{
    free(res->tar);
    res->tar = NULL;
}
