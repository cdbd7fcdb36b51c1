/*
 * pipe-components.c - stage components: the kit's base components (<kit>/charts, deployed by
 * charts/components.yaml.gotmpl) turned on by their deploy_* switches in the inventory, deployed
 * with the helm driver on the first master between post-install and business.
 *
 * The state values of components.yaml.gotmpl are the installer host's variables as strings
 * (tke_installer_vars), plus what pot adds: nfs_server (the first host of group 'nfs', its
 * ansible_host or name, when deploy_nfs is 'true') and secret_values_dir (<data>/pot/secrets).
 * Releases whose switch is off are `installed: false`: the driver uninstalls them when present.
 *
 * Passwords: each switched-on release that needs one (redis, mysql, postgres, prometheus,
 * minio) gets <data>/pot/secrets/<release>.yaml (dir 0700, file 0600, `auth: {password: ...}`)
 * generated once with RAND_bytes and kept across reruns; every password and its base64 are
 * registered with log_add_secret. Before any helm call, every image of images/<chart>.txt of a
 * switched-on release must be in the kit's offline images (<kit>-images, compared by repository
 * base name and tag). After the sync, each deployed release is checked (pipe-health.c).
 * `pot install --remove NAME` uninstalls exactly the named releases instead (helm_destroy).
 */
#include "pot.h"
#include <string.h>
#include <sys/stat.h>
#include <openssl/rand.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/strutil.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "helm/helm.h"
#include "helmfile/helmfile.h"
#include "images/img.h"
#include "inventory/inv.h"
#include "pipeline/pipe.h"
#include "registry/reg.h"
#include "tke/tke-config.h"
#include "value/val-yaml.h"
#include "value/val.h"

#define COMPONENTS_CONCURRENCY 5
#define PASSWORD_LEN 24

/* The releases whose chart requires auth.password (charts/README.md). */
static const char *const password_releases[] = { "redis", "mysql", "postgres", "prometheus",
                                                 "minio" };

static char *components_file(const struct pipe_ctx *c)
{
    return xasprintf("%s/charts/components.yaml.gotmpl", c->opts->kit_dir);
}

static char *secrets_dir(const struct pipe_ctx *c)
{
    return fs_join(c->pot_dir, "secrets");
}

void pipe_components_inputs(struct pipe_ctx *c, struct buf *text)
{
    char *charts = xasprintf("%s/charts", c->opts->kit_dir);
    char *lists = xasprintf("%s/images", c->opts->kit_dir);

    pipe_hash_inventory(c, text);
    pipe_hash_tree(text, "charts", charts);
    pipe_hash_tree(text, "image-lists", lists);
    pipe_hash_dir(text, "images", c->images_dir);
    for (size_t i = 0; i < c->opts->remove.len; i++) {
        buf_addf(text, "remove=%s\n", c->opts->remove.items[i]);
    }
    free(lists);
    free(charts);
}

/* nfs_server: the first host of group 'nfs' (its ansible_host, else its name). */
static int add_nfs_server(const struct inventory *inv, struct val *values, struct err *err)
{
    const struct inv_group *group = inv_find_group(inv, "nfs");
    struct vec hosts = VEC_INIT;
    struct val *vars;
    const char *addr;

    if (group) {
        inv_group_hosts(inv, group, &hosts);
    }
    if (hosts.len == 0) {
        vec_release(&hosts);
        return err_set(err, ERR_USAGE,
                       "inventory: deploy_nfs is 'true' but group 'nfs' has no "
                       "host (the NFS server of the provisioner)");
    }
    vars = inv_host_vars(inv, hosts.items[0]);
    addr = val_dict_get_str(vars, "ansible_host");
    val_dict_set_take(values, "nfs_server",
                      val_str(addr && addr[0] ? addr : ((struct inv_host *)hosts.items[0])->name));
    val_unref(vars);
    vec_release(&hosts);
    return 0;
}

static bool switch_on(const struct val *values, const char *name)
{
    const char *v = val_dict_get_str(values, name);

    return v && strcmp(v, "true") == 0;
}

/* The state values (new dict), or NULL with err. 'secrets': secret_values_dir or NULL. */
static struct val *state_values(const struct inventory *inv, const char *secrets, struct err *err)
{
    struct val *values = tke_installer_vars(inv, err);

    if (!values) {
        return NULL;
    }
    val_dict_del(values, "nfs_server");
    val_dict_del(values, "secret_values_dir");
    if (switch_on(values, "deploy_nfs") && add_nfs_server(inv, values, err) < 0) {
        val_unref(values);
        return NULL;
    }
    if (secrets) {
        val_dict_set_take(values, "secret_values_dir", val_str(secrets));
    }
    return values;
}

static int load_state(struct pipe_ctx *c, const struct inventory *inv, const char *secrets,
                      struct hf_state *st, struct err *err)
{
    struct hf_opts ho = { 0 };
    char *file = components_file(c);
    int ret = -1;

    ho.file = file;
    ho.state_values = state_values(inv, secrets, err);
    if (ho.state_values) {
        ret = hf_load(st, &ho, err);
    }
    val_unref(ho.state_values);
    free(file);
    return ret;
}

static bool needs_password(const struct hf_release *r)
{
    for (size_t i = 0; i < ARRAY_SIZE(password_releases); i++) {
        if (strcmp(r->name, password_releases[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* A new random password of letters and digits (uniform: bytes >= 248 are drawn again). */
static int new_password(struct buf *out, struct err *err)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                   "0123456789";
    unsigned char bytes[64];

    while (out->len < PASSWORD_LEN) {
        if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
            return err_set(err, ERR_IO, "cannot generate a password: RAND_bytes failed");
        }
        for (size_t i = 0; i < sizeof(bytes) && out->len < PASSWORD_LEN; i++) {
            if (bytes[i] < 248) {
                buf_addc(out, alphabet[bytes[i] % 62]);
            }
        }
    }
    return 0;
}

/* Reads the password of an existing secrets file and registers it. */
static int read_password(const char *path, struct err *err)
{
    struct val *doc = val_from_yaml_file(path, err);
    struct val *auth = doc && doc->type == VAL_DICT ? val_dict_get(doc, "auth") : NULL;
    const char *pw = auth && auth->type == VAL_DICT ? val_dict_get_str(auth, "password") : NULL;
    int ret = 0;

    if (!doc) {
        ret = -1;
    } else if (!pw || !pw[0]) {
        ret = err_set(err, ERR_USAGE,
                      "%s: no auth.password (remove the file to have pot "
                      "generate one)",
                      path);
    } else {
        log_add_secret(pw);
    }
    val_unref(doc);
    return ret;
}

/* <dir>/<release>.yaml with a password generated once; kept when present. In check mode a
 * missing file is only announced, and *missing is set. */
static int ensure_password(struct pipe_ctx *c, const char *dir, const char *release, bool *missing,
                           struct err *err)
{
    char *path = xasprintf("%s/%s.yaml", dir, release);
    struct buf pw = BUF_INIT, text = BUF_INIT;
    int ret = -1;

    if (fs_exists(path)) {
        ret = read_password(path, err);
        goto out;
    }
    if (c->opts->check) {
        pipe_say(c, "components: check mode: a password for %s would be generated", release);
        *missing = true;
        ret = 0;
        goto out;
    }
    if (fs_mkdir_p(dir, 0700, err) < 0 || new_password(&pw, err) < 0) {
        goto out;
    }
    chmod(dir, 0700);
    log_add_secret(pw.ptr);
    buf_addf(&text, "auth:\n  password: \"%s\"\n", pw.ptr);
    if (fs_write_atomic(path, text.ptr, text.len, 0600, err) < 0) {
        goto out;
    }
    pipe_say(c, "components: generated the password of %s in %s (0600)", release, path);
    ret = 0;
out:
    buf_release(&text);
    buf_release(&pw);
    free(path);
    return ret;
}

/* The chart's directory name, the name of its image list (borrowed from r->chart). */
static const char *chart_base(const struct hf_release *r)
{
    const char *slash = strrchr(r->chart, '/');

    return slash ? slash + 1 : r->chart;
}

/* "name:tag" of a reference: its repository's last component and its tag (new string). */
static char *image_key(const char *ref)
{
    char *path = NULL, *tag = NULL, *key;
    const char *base;

    img_ref_split(ref, NULL, &path, &tag);
    base = strrchr(path, '/');
    key = xasprintf("%s:%s", base ? base + 1 : path, tag ? tag : "latest");
    free(path);
    free(tag);
    return key;
}

/* The keys of the images in the kit's offline images folder. */
static int offline_images(struct pipe_ctx *c, struct svec *keys, struct err *err)
{
    struct img_set *set;
    int ret = 0;

    if (!fs_is_dir(c->images_dir)) {
        return 0;
    }
    set = img_set_new();
    if (img_load(set, c->images_dir, err) < 0) {
        ret = -1;
    }
    for (size_t i = 0; ret == 0 && i < set->images.len; i++) {
        const struct img_image *img = set->images.items[i];

        svec_push_take(keys, image_key(img->ref));
    }
    img_set_free(set);
    return ret;
}

/* The cluster registry, opened on first use (check_images asks it only for images the kit does
 * not carry). */
struct registry_probe {
    const struct inventory *inv; /* borrowed */
    struct reg *reg;             /* owned, NULL until needed */
};

/* 1 when 'ref' (a chart image) is already in the cluster registry as library/NAME:TAG, 0 when
 * not, -1 when the registry cannot be asked. */
static int in_registry(struct registry_probe *p, const char *ref, struct err *err)
{
    char *path = NULL, *tag = NULL, *repo;
    const char *base;
    struct buf body = BUF_INIT;
    char *media = NULL, *digest = NULL;
    int found;

    if (!p->reg) {
        struct pipe_registry r;
        struct reg_opts o = { 0 };

        if (pipe_registry_read(p->inv, &r, err) < 0) {
            return -1;
        }
        o = (struct reg_opts){ .host = r.domain, .ca_file = r.ca, .user = r.user,
                               .password = r.password, .insecure = r.insecure };
        p->reg = reg_open(&o, err);
        pipe_registry_release(&r);
        if (!p->reg) {
            return err_prefix(err, "the cluster registry: ");
        }
    }
    img_ref_split(ref, NULL, &path, &tag);
    base = strrchr(path, '/');
    repo = xasprintf("library/%s", base ? base + 1 : path);
    found = reg_manifest_get(p->reg, repo, tag ? tag : "latest", &body, &media, &digest, err);
    free(media);
    free(digest);
    buf_release(&body);
    free(repo);
    free(path);
    free(tag);
    return found;
}

/* Every image of a switched-on release is in the offline images or already in the cluster
 * registry; else one error naming the component and the image. */
static int check_images(struct pipe_ctx *c, const struct inventory *inv,
                        const struct hf_state *st, struct err *err)
{
    struct svec have = SVEC_INIT;
    struct registry_probe probe = { inv, NULL };
    size_t checked = 0, registry = 0;
    int ret = -1;

    if (offline_images(c, &have, err) < 0) {
        goto out;
    }
    for (size_t i = 0; i < st->nreleases; i++) {
        const struct hf_release *r = st->releases[i];
        char *list = xasprintf("%s/images/%s.txt", c->opts->kit_dir, chart_base(r));
        struct buf text = BUF_INIT;
        struct svec lines = SVEC_INIT;
        int rc = 0;

        if (r->installed && fs_read_file(list, &text, err) < 0) {
            rc = err_prefix(err, "component '%s': no image list: ", r->name);
        }
        svec_split_lines(&lines, text.len ? text.ptr : "");
        for (size_t j = 0; rc == 0 && j < lines.len; j++) {
            char *ref = str_trim(lines.items[j]);
            char *key = ref[0] && ref[0] != '#' ? image_key(ref) : NULL;

            if (key && !svec_contains(&have, key)) {
                rc = in_registry(&probe, ref, err);
                registry += rc == 1;
                if (rc == 0) {
                    rc = err_set(err, ERR_USAGE,
                                 "component '%s': image '%s' is neither in the kit's offline "
                                 "images (%s) nor in the cluster registry",
                                 r->name, ref, c->images_dir);
                } else if (rc < 0) {
                    err_prefix(err, "component '%s': image '%s' is not in the kit's offline "
                               "images, and ", r->name, ref);
                }
                rc = rc == 1 ? 0 : -1;
            }
            checked += key != NULL;
            free(key);
            free(ref);
        }
        svec_release(&lines);
        buf_release(&text);
        free(list);
        if (rc < 0) {
            goto out;
        }
    }
    pipe_say(c, "components: %zu images of the switched-on components are in %s%s", checked,
             c->images_dir, registry ? " or the cluster registry" : "");
    ret = 0;
out:
    reg_free(probe.reg);
    svec_release(&have);
    return ret;
}

static void report_say(void *ctx, const char *line)
{
    pipe_say(ctx, "components: %s", line);
}

static struct helm_opts helm_options(struct pipe_ctx *c, const char *state_dir)
{
    struct helm_opts opts = { 0 };

    opts.state_dir = state_dir;
    opts.command = "pot install (components)";
    opts.concurrency = COMPONENTS_CONCURRENCY;
    opts.check = c->opts->check;
    opts.report = (struct helm_report){ .say = report_say, .ctx = c };
    return opts;
}

/* Health of the releases of 'st' that are installed (all, or only those 'sum' deployed). */
static int check_health(struct pipe_ctx *c, const struct inventory *inv, const struct hf_state *st,
                        const struct helm_summary *only, struct err *err)
{
    struct pipe_health *h = NULL;
    int timeout = 0;
    int ret = -1;

    if (pipe_health_timeout(inv, &timeout, err) < 0) {
        return -1;
    }
    for (size_t i = 0; i < st->nreleases; i++) {
        const struct hf_release *r = st->releases[i];
        struct buf line = BUF_INIT;
        bool wanted = r->installed;

        for (size_t j = 0; only && wanted && j < only->nitems; j++) {
            const char *key = only->items[j].release;
            const char *slash = strchr(key, '/');

            wanted = !(slash && strcmp(slash + 1, r->name) == 0 &&
                       only->items[j].outcome != HELM_DEPLOYED);
        }
        if (!wanted) {
            continue;
        }
        if (!h) {
            h = pipe_health_open(c->inventory, err);
            if (!h) {
                goto out;
            }
        }
        if (pipe_health_release(h, r, timeout, &line, err) < 0) {
            buf_release(&line);
            goto out;
        }
        pipe_say(c, "components: %s healthy: %s", r->name, line.ptr);
        buf_release(&line);
    }
    ret = 0;
out:
    pipe_health_close(h);
    return ret;
}

/* helm_destroy of every release of 'st', for 'command' (the lock holder's name). */
static int destroy(struct pipe_ctx *c, const struct hf_state *st, const char *command,
                   struct err *err)
{
    struct helm_summary sum;
    struct helm_target *t = helm_target_new(c->inventory, NULL, err);
    struct helm_opts opts;
    char *state_dir = fs_join(c->pot_dir, "helm");
    int ret = -1;

    helm_summary_init(&sum);
    if (t) {
        opts = helm_options(c, state_dir);
        opts.command = command;
        pipe_say(c, "components: removing %zu release%s with helm on %s", st->nreleases,
                 st->nreleases == 1 ? "" : "s", helm_target_host(t));
        ret = helm_destroy(t, st, &opts, &sum, err);
        pipe_say(c,
                 "components: %zu releases: uninstalled=%zu absent=%zu failed=%zu changed=%zu",
                 sum.nitems, sum.uninstalled, sum.absent, sum.failed, sum.uninstalled);
    }
    helm_target_free(t);
    helm_summary_release(&sum);
    free(state_dir);
    return ret;
}

/* --remove: helm_destroy on exactly the named releases (their needs left out). */
static int remove_releases(struct pipe_ctx *c, struct hf_state *st, struct err *err)
{
    struct hf_state sub;
    struct hf_release **picked = xcalloc(st->nreleases + 1, sizeof(*picked));
    size_t n = 0;
    int ret = -1;

    for (size_t i = 0; i < c->opts->remove.len; i++) {
        const char *name = c->opts->remove.items[i];
        bool found = false;

        for (size_t j = 0; j < st->nreleases; j++) {
            if (strcmp(st->releases[j]->name, name) == 0) {
                svec_release(&st->releases[j]->needs);
                picked[n++] = st->releases[j];
                found = true;
            }
        }
        if (!found) {
            struct buf names = BUF_INIT;

            for (size_t j = 0; j < st->nreleases; j++) {
                buf_addf(&names, "%s%s", j ? ", " : "", st->releases[j]->name);
            }
            err_set(err, ERR_USAGE, "--remove: no component '%s'; components: %s", name, names.ptr);
            buf_release(&names);
            goto out;
        }
    }
    sub = *st;
    sub.releases = picked;
    sub.nreleases = n;
    ret = destroy(c, &sub, "pot install (components)", err);
out:
    free(picked);
    return ret;
}

/* Passwords for the switched-on releases that need one; NULL secrets dir in check mode when
 * one is missing (the state is then loaded without them). */
static int prepare_secrets(struct pipe_ctx *c, const struct hf_state *plain, char **dir,
                           struct err *err)
{
    bool missing = false;

    *dir = secrets_dir(c);
    for (size_t i = 0; i < plain->nreleases; i++) {
        const struct hf_release *r = plain->releases[i];

        if (r->installed && needs_password(r) &&
            ensure_password(c, *dir, r->name, &missing, err) < 0) {
            return -1;
        }
    }
    if (missing) {
        free(*dir);
        *dir = NULL;
    }
    return 0;
}

static int deploy(struct pipe_ctx *c, const struct inventory *inv, bool recheck, struct err *err)
{
    struct hf_state plain, st;
    struct helm_summary sum;
    struct helm_target *t = NULL;
    struct helm_opts opts;
    char *secrets = NULL;
    char *state_dir = fs_join(c->pot_dir, "helm");
    size_t on = 0;
    int ret = -1;

    hf_state_init(&plain);
    hf_state_init(&st);
    helm_summary_init(&sum);
    /* first without secret_values_dir: which releases are on, so that only those get a
     * password; then with it */
    if (load_state(c, inv, NULL, &plain, err) < 0 ||
        (!recheck && !c->opts->remove.len && check_images(c, inv, &plain, err) < 0) ||
        prepare_secrets(c, &plain, &secrets, err) < 0 ||
        load_state(c, inv, secrets, &st, err) < 0) {
        goto out;
    }
    if (c->opts->remove.len) {
        ret = remove_releases(c, &st, err);
        goto out;
    }
    for (size_t i = 0; i < st.nreleases; i++) {
        on += st.releases[i]->installed;
    }
    t = helm_target_new(c->inventory, NULL, err);
    if (!t) {
        goto out;
    }
    pipe_say(c, "components: %zu of %zu switched on, helm on %s", on, st.nreleases,
             helm_target_host(t));
    opts = helm_options(c, state_dir);
    if (helm_sync(t, &st, &opts, &sum, err) < 0) {
        goto out;
    }
    pipe_say(c,
             "components: %zu releases: deployed=%zu unchanged=%zu uninstalled=%zu "
             "failed=%zu changed=%zu",
             sum.nitems, sum.deployed, sum.unchanged, sum.uninstalled, sum.failed,
             sum.deployed + sum.uninstalled);
    ret = c->opts->check ? 0 : check_health(c, inv, &st, recheck ? &sum : NULL, err);
out:
    helm_target_free(t);
    helm_summary_release(&sum);
    hf_state_release(&st);
    hf_state_release(&plain);
    free(secrets);
    free(state_dir);
    return ret;
}

static int run(struct pipe_ctx *c, bool recheck, struct err *err)
{
    struct inventory *inv = NULL;
    char *file = components_file(c);
    int ret = -1;

    if (!fs_exists(file)) {
        pipe_say(c, "components: no %s; no base components", file);
        ret = 0;
        goto out;
    }
    inv = inv_new();
    if (inv_load(inv, c->inventory, err) < 0 || inv_finish(inv, err) < 0) {
        goto out;
    }
    ret = deploy(c, inv, recheck, err);
out:
    inv_free(inv);
    free(file);
    return ret;
}

int pipe_components_run(struct pipe_ctx *c, struct err *err)
{
    return run(c, false, err);
}

int pipe_components_recheck(struct pipe_ctx *c, struct err *err)
{
    char *file = components_file(c);
    bool has = fs_exists(file);

    free(file);
    return has ? run(c, true, err) : 0;
}

int pipe_components_uninstall(struct pipe_ctx *c, struct err *err)
{
    struct inventory *inv = NULL;
    struct hf_state st;
    char *file = components_file(c);
    int ret = -1;

    hf_state_init(&st);
    if (!fs_exists(file)) {
        pipe_say(c, "components: no %s; no base components", file);
        ret = 0;
        goto out;
    }
    inv = inv_new();
    if (inv_load(inv, c->inventory, err) == 0 && inv_finish(inv, err) == 0 &&
        load_state(c, inv, NULL, &st, err) == 0) {
        ret = destroy(c, &st, "pot uninstall (components)", err);
    }
out:
    hf_state_release(&st);
    inv_free(inv);
    free(file);
    return ret;
}

int pipe_components_load(struct pipe_ctx *c, const struct inventory *inv, struct hf_state *st,
                         struct err *err)
{
    char *dir = secrets_dir(c);
    char *file = components_file(c);
    int ret = -1;

    if (!fs_exists(file)) {
        err_set(err, ERR_USAGE, "no %s in the kit: no base components", file);
    } else if (load_state(c, inv, fs_is_dir(dir) ? dir : NULL, st, err) == 0) {
        ret = 0;
        for (size_t i = 0; i < st->nreleases; i++) {
            const struct hf_release *r = st->releases[i];
            char *path = xasprintf("%s/%s.yaml", dir, r->name);
            struct err ignored = ERR_INIT;

            if (r->installed && needs_password(r) && fs_exists(path)) {
                read_password(path, &ignored);
            }
            free(path);
        }
    }
    free(file);
    free(dir);
    return ret;
}
