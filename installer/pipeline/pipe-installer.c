/*
 * pipe-installer.c - stage tke-installer: checks the .run against its .sha256, loads the
 * installer image when the daemon lacks it (from a docker-save tarball, else out of the .run),
 * (re)creates the container when it is missing or its settings changed, else restarts it so it
 * resumes at tke.json's "step" (or attaches to an install still running), then follows it to
 * Success (pipe-follow.c). An unlabelled container with our image and data mount (a run killed
 * before labelling it, the kit's own `docker run`) is adopted; anyone else's is never touched.
 */
#include "pot.h"
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/digest.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/strutil.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "pipeline/pipe.h"
#include "tke/tke-docker.h"
#include "tke/tke-progress.h"
#include "tke/tke-runfile.h"
#include "value/val-json.h"
#include "value/val.h"

/* how long to wait for a container a killed run was creating: 40 looks, 250 ms apart */
#define SETTLE_ATTEMPTS 40
#define SETTLE_POLL_MS 250

/* Environment passed through to the container when set: the progress port of a non-default
 * listener and the stand-in's step duration (tests/fixtures/tke-installer). */
static const char *const passthrough_env[] = { "POT_TKE_PORT", "TKE_STEP_DELAY" };

/* Files of 'dir' whose names start with 'prefix' and end with one of 'suffixes' (sorted). */
static void find_files(const char *dir, const char *prefix, const char *const *suffixes,
                       struct svec *out)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    for (e = d ? readdir(d) : NULL; e; e = readdir(d)) {
        for (const char *const *s = suffixes; *s; s++) {
            if (str_starts_with(e->d_name, prefix) && str_ends_with(e->d_name, *s)) {
                svec_push_take(out, fs_join(dir, e->d_name));
                break;
            }
        }
    }
    if (d) {
        closedir(d);
    }
}

static int file_sha256(const char *path, char hex[SHA256_HEX_LEN + 1], struct err *err)
{
    FILE *f = fopen(path, "rb");
    struct sha256 s;
    char chunk[65536];
    size_t n;

    if (!f) {
        return err_errno(err, "cannot read '%s'", path);
    }
    sha256_init(&s);
    n = fread(chunk, 1, sizeof(chunk), f);
    while (n > 0) {
        sha256_update(&s, chunk, n);
        n = fread(chunk, 1, sizeof(chunk), f);
    }
    if (ferror(f)) {
        fclose(f);
        return err_errno(err, "cannot read '%s'", path);
    }
    fclose(f);
    sha256_final_hex(&s, hex);
    return 0;
}

/* Every <x>.run with a <x>.run.sha256 next to it must match it (like `sha256sum --check`). */
static int verify_runs(struct pipe_ctx *c, struct err *err)
{
    static const char *const run_suffix[] = { ".run", NULL };
    struct svec runs = SVEC_INIT;
    int ret = 0;

    find_files(c->tkestack_dir, "", run_suffix, &runs);
    for (size_t i = 0; i < runs.len && ret == 0; i++) {
        char *sumfile = xasprintf("%s.sha256", runs.items[i]);
        struct buf want = BUF_INIT;
        char got[SHA256_HEX_LEN + 1];

        if (fs_exists(sumfile) && fs_read_file(sumfile, &want, err) == 0) {
            pipe_say(c, "tke-installer: checking %s against %s", runs.items[i], sumfile);
            ret = file_sha256(runs.items[i], got, err);
            if (ret == 0 && (want.len < SHA256_HEX_LEN ||
                             strncmp(want.ptr, got, SHA256_HEX_LEN) != 0)) {
                ret = err_set(err, ERR_FAILED, "'%s' does not match '%s' (sha256 %s): the file "
                              "is damaged or incomplete; copy it again", runs.items[i], sumfile,
                              got);
            }
        } else if (fs_exists(sumfile)) {
            ret = -1;
        }
        buf_release(&want);
        free(sumfile);
    }
    svec_release(&runs);
    return ret;
}

/* Loads 'tarball' and checks that it held the image ('origin' names it in the message). */
static int load_tarball(struct pipe_ctx *c, struct tke_docker *d, const char *tarball,
                        const char *origin, struct err *err)
{
    bool exists = false;

    if (tke_docker_image_load(d, tarball, err) < 0 ||
        tke_docker_image_exists(d, c->opts->image, &exists, err) < 0) {
        return -1;
    }
    if (!exists) {
        return err_set(err, ERR_FAILED, "'%s' does not contain image '%s'", origin,
                       c->opts->image);
    }
    return 0;
}

/* No docker-save tarball in the kit: copy res/tke-installer.tgz out of the .run (tke-runfile.h)
 * into <data>/pot and load that. tke-installer*.run is preferred over any other .run. */
static int load_from_run(struct pipe_ctx *c, struct tke_docker *d, struct err *err)
{
    static const char *const run_suffix[] = { ".run", NULL };
    struct svec runs = SVEC_INIT;
    char *tmp = NULL, *member = NULL, *origin = NULL;
    uint64_t offset;
    int ret = -1;

    find_files(c->tkestack_dir, "tke-installer", run_suffix, &runs);
    if (runs.len == 0) {
        find_files(c->tkestack_dir, "", run_suffix, &runs);
    }
    if (runs.len == 0) {
        err_set(err, ERR_FAILED, "image '%s' is not loaded and '%s' has neither a docker-save "
                "tarball tke-installer*.tar[.gz] nor a tke-installer .run", c->opts->image,
                c->tkestack_dir);
        goto out;
    }
    if (c->opts->check) {
        pipe_say(c, "tke-installer: would load the image in %s", runs.items[0]);
        ret = tke_runfile_payload_offset(runs.items[0], &offset, err);
        goto out;
    }
    pipe_say(c, "tke-installer: unpacking the image from %s", runs.items[0]);
    tmp = fs_join(c->pot_dir, "tke-installer-image.tmp");
    if (fs_mkdir_p(c->pot_dir, 0755, err) < 0 ||
        tke_runfile_extract_image(runs.items[0], tmp, &member, err) < 0) {
        goto out;
    }
    origin = xasprintf("%s (%s)", runs.items[0], member);
    pipe_say(c, "tke-installer: loading %s", origin);
    ret = load_tarball(c, d, tmp, origin, err);
    unlink(tmp);
out:
    free(origin);
    free(member);
    free(tmp);
    svec_release(&runs);
    return ret;
}

static int ensure_image(struct pipe_ctx *c, struct tke_docker *d, struct err *err)
{
    static const char *const tar_suffix[] = { ".tar", ".tar.gz", ".tgz", NULL };
    struct svec tars = SVEC_INIT;
    bool exists = false;
    int ret = -1;

    if (tke_docker_image_exists(d, c->opts->image, &exists, err) < 0 || exists) {
        return exists ? 0 : -1;
    }
    find_files(c->tkestack_dir, "tke-installer", tar_suffix, &tars);
    if (tars.len == 0) {
        ret = load_from_run(c, d, err);
    } else {
        pipe_say(c, "tke-installer: %s %s", c->opts->check ? "would load" : "loading",
                 tars.items[0]);
        ret = c->opts->check ? 0 : load_tarball(c, d, tars.items[0], tars.items[0], err);
    }
    svec_release(&tars);
    return ret;
}

/* The container spec (fills 'spec' and 'same_dirs', which it borrows from). */
static void build_spec(struct pipe_ctx *c, struct tke_docker *d, struct tke_container_spec *spec,
                       struct svec *owned)
{
    struct tke_installer_paths paths = { 0 };
    const char **same = xcalloc(3, sizeof(*same));
    size_t n = 0;

    svec_push_take(owned, fs_dirname(c->opts->data_dir));
    svec_pushf(owned, "%s/conf", owned->items[0]);
    svec_pushf(owned, "%s/hooks", c->opts->kit_dir);
    if (fs_is_dir(c->images_dir)) {
        same[n++] = c->images_dir;
    }
    if (fs_is_dir(c->tgz_dir)) {
        same[n++] = c->tgz_dir;
    }
    paths.data_dir = c->opts->data_dir;
    paths.conf_dir = owned->items[1];
    paths.hooks_dir = owned->items[2];
    paths.docker_sock = d->socket;
    paths.same_path_dirs = same;
    tke_container_spec_init(spec);
    tke_docker_installer_spec(spec, c->opts->container, c->opts->image, &paths);
    free(same);
    svec_pushf(&spec->env, "POT_HOOK_TIMEOUT=%d", c->opts->hook_timeout);
    for (size_t i = 0; i < ARRAY_SIZE(passthrough_env); i++) {
        const char *v = getenv(passthrough_env[i]);

        if (v) {
            svec_pushf(&spec->env, "%s=%s", passthrough_env[i], v);
        }
    }
}

void pipe_installer_inputs(struct pipe_ctx *c, struct buf *text)
{
    struct tke_docker d;
    struct tke_container_spec spec;
    struct svec owned = SVEC_INIT;
    char hash[65];

    tke_docker_init(&d, NULL);
    build_spec(c, &d, &spec, &owned);
    tke_container_spec_hash(&spec, hash);
    buf_addf(text, "container=%s\n", hash);
    pipe_tkeconfig_inputs(c, text);
    pipe_hash_dir(text, "tkestack", c->tkestack_dir);
    pipe_hash_tree(text, "hooks", owned.items[2]); /* what the installer runs at its hook steps */
    tke_container_spec_release(&spec);
    svec_release(&owned);
    tke_docker_release(&d);
}

/* The "step" of tke.json, or -1. */
static int64_t json_step(const struct pipe_ctx *c)
{
    struct err err = ERR_INIT;
    struct val *v = val_from_json_file(c->tke_json, &err);
    struct val *step = v && v->type == VAL_DICT ? val_dict_get(v, "step") : NULL;
    int64_t n = step && step->type == VAL_INT ? step->u.i : -1;

    val_unref(v);
    return n;
}

/* True when the running installer is busy with the current tke.json: attach instead of
 * restarting (pot was interrupted while following it). */
static bool can_attach(struct pipe_ctx *c, const struct tke_container_info *info)
{
    struct tke_progress p;
    struct err err = ERR_INIT;
    char *url = pipe_progress_url();
    bool attach = false;

    if (!info->running || svec_contains(&c->ran, "tke-config")) {
        free(url);
        return false;
    }
    tke_progress_init(&p);
    if (tke_progress_fetch(url, &p, NULL, &err) == 0) {
        attach = p.status == TKE_DOING || p.status == TKE_RETRYING ||
                 (p.status == TKE_SUCCESS && json_step(c) >= tke_step_count());
    }
    tke_progress_release(&p);
    free(url);
    return attach;
}

/* Where the latest install task starts in tke.log (0 when none). */
static size_t last_task_offset(const struct pipe_ctx *c)
{
    static const char mark[] = "===>starting install task";
    struct buf log = BUF_INIT;
    struct err err = ERR_INIT;
    size_t offset = 0;
    const char *p;

    if (fs_read_file(c->tke_log, &log, &err) == 0) {
        for (p = strstr(log.ptr, mark); p; p = strstr(p + 1, mark)) {
            offset = (size_t)(p - log.ptr);
        }
    }
    buf_release(&log);
    return offset;
}

static size_t log_size(const struct pipe_ctx *c)
{
    struct buf log = BUF_INIT;
    struct err err = ERR_INIT;
    size_t n = fs_read_file(c->tke_log, &log, &err) == 0 ? log.len : 0;

    buf_release(&log);
    return n;
}

/* Creates (or recreates) and starts the container; 'offset' = where its new log begins. Returns 1
 * when the name turned out to be taken when creating (look again). */
static int start_container(struct pipe_ctx *c, struct tke_docker *d,
                           const struct tke_container_spec *spec,
                           const struct tke_container_info *info, size_t *offset,
                           struct err *err)
{
    enum tke_container_match match = info->exists ? tke_container_match(info, spec)
                                                  : TKE_MATCH_FOREIGN;

    pipe_hooks_clear(c);
    *offset = log_size(c);
    if (info->exists && match == TKE_MATCH_ADOPTABLE) {
        pipe_say(c, "tke-installer: adopting container '%s' (%s, same image and data directory)",
                 spec->name, info->status);
    }
    if (info->exists && match != TKE_MATCH_CHANGED) {
        pipe_say(c, "tke-installer: restarting container '%s' (resumes at step %lld)",
                 spec->name, (long long)json_step(c));
        return tke_docker_container_restart(d, spec->name, err);
    }
    if (info->exists) {
        pipe_say(c, "tke-installer: recreating container '%s' (its settings changed)",
                 spec->name);
        if (tke_docker_container_remove(d, spec->name, err) < 0) {
            return -1;
        }
    } else {
        pipe_say(c, "tke-installer: creating container '%s' from %s", spec->name, spec->image);
    }
    switch (tke_docker_container_create(d, spec, err)) {
    case -1:
        return -1;
    case 1:
        return 1;
    default:
        return tke_docker_container_start(d, spec->name, err);
    }
}

/* Refuses a container under our name that pot did not create and cannot adopt. */
static int check_owner(const struct tke_container_spec *spec,
                       const struct tke_container_info *info, struct err *err)
{
    if (!info->exists || tke_container_match(info, spec) != TKE_MATCH_FOREIGN) {
        return 0;
    }
    return err_set(err, ERR_FAILED,
                   "container '%s' exists and is not pot's tke-installer (image '%s', not '%s', "
                   "or another data directory); remove it with 'docker rm -f %s' or choose "
                   "another name with --container",
                   spec->name, info->image, spec->image, spec->name);
}

static int run_container(struct pipe_ctx *c, struct tke_docker *d, struct err *err)
{
    struct tke_container_spec spec;
    struct tke_container_info info = { 0 };
    struct svec owned = SVEC_INIT;
    size_t offset = 0;
    int ret = -1;

    build_spec(c, d, &spec, &owned);
    if (fs_mkdir_p(owned.items[1], 0755, err) < 0) {
        goto out;
    }
    /* A create that a killed run sent may still be under way in the daemon: the name is taken
     * (409) before inspect can see the container. Look again until it settles. */
    for (int attempt = 0, started = 1; attempt < SETTLE_ATTEMPTS && started == 1; attempt++) {
        tke_container_info_release(&info);
        if (tke_docker_container_inspect(d, spec.name, &info, err) < 0 ||
            check_owner(&spec, &info, err) < 0) {
            goto out;
        }
        if (c->opts->check) {
            pipe_say(c, "tke-installer: would %s container '%s' and follow it",
                     info.exists ? "restart or recreate" : "create", spec.name);
            ret = 0;
            goto out;
        }
        if (info.exists && can_attach(c, &info)) {
            pipe_say(c, "tke-installer: container '%s' is still installing; following it",
                     spec.name);
            ret = pipe_follow(c, last_task_offset(c), -1, err);
            goto out;
        }
        started = start_container(c, d, &spec, &info, &offset, err);
        if (started == 0) {
            ret = pipe_follow(c, offset, (int)json_step(c), err);
        } else if (started == 1) {
            if (attempt == 0) {
                pipe_say(c, "tke-installer: container '%s' is being created by an interrupted "
                         "run; waiting for it to settle", spec.name);
            }
            usleep(SETTLE_POLL_MS * 1000);
        }
    }
    if (ret < 0 && err->kind == ERR_NONE) {
        err_set(err, ERR_FAILED,
                "tke-installer: container '%s' was still half-created after %d s; run again",
                spec.name, SETTLE_ATTEMPTS * SETTLE_POLL_MS / 1000);
    }
out:
    tke_container_info_release(&info);
    tke_container_spec_release(&spec);
    svec_release(&owned);
    return ret;
}

int pipe_installer_run(struct pipe_ctx *c, struct err *err)
{
    struct tke_docker d;
    int ret = -1;

    if (!c->opts->check && !fs_exists(c->tke_json)) {
        return err_set(err, ERR_FAILED, "'%s' does not exist; run the tke-config stage first "
                       "(pot install --from tke-config)", c->tke_json);
    }
    tke_docker_init(&d, NULL);
    if (verify_runs(c, err) == 0 && ensure_image(c, &d, err) == 0) {
        ret = run_container(c, &d, err);
    }
    tke_docker_release(&d);
    return ret;
}
