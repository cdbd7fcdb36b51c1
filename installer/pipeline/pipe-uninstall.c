/*
 * pipe-uninstall.c - `pot uninstall`: what `pot install` did, undone scope by scope in reverse
 * order (business releases, components, the cluster, the host initialisation), each scope only
 * when the journal says one of its stages did something since it was last undone, then the
 * hosts compared with their residue snapshots. The contract is in pipe.h.
 */
#include "pot.h"
#include <string.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "inventory/inv.h"
#include "journal/journal.h"
#include "pipeline/pipe.h"
#include "residue/residue.h"
#include "tke/tke-docker.h"

struct undo_step {
    const char *name;
    unsigned scope;
    const char *const *stages; /* the install stages it undoes, NULL-terminated */
    const char *plan;          /* what it does, for --check and the start line */
    int (*run)(struct pipe_ctx *c, unsigned scopes, struct err *err);
};

static const char *const business_stages[] = { "business", NULL };
static const char *const components_stages[] = { "components", NULL };
static const char *const cluster_stages[] = { "post-install", "tke-installer", "tke-config", NULL };
static const char *const hosts_stages[] = { "host-init", NULL };

/* A release step that cannot reach helm: fatal, unless the cluster goes too (then its releases
 * go with it). */
static int helm_step_failed(struct pipe_ctx *c, const char *what, unsigned scopes,
                            struct err *err)
{
    if (!(scopes & PIPE_UNDO_CLUSTER) || err->kind == ERR_USAGE) {
        return -1;
    }
    pipe_say(c, "%s: the releases could not be uninstalled (%s); they go with the cluster", what,
             err->msg);
    err_clear(err);
    return 0;
}

static int undo_business(struct pipe_ctx *c, unsigned scopes, struct err *err)
{
    return pipe_business_uninstall(c, err) < 0 ? helm_step_failed(c, "business", scopes, err)
                                               : 0;
}

static int undo_components(struct pipe_ctx *c, unsigned scopes, struct err *err)
{
    return pipe_components_uninstall(c, err) < 0
               ? helm_step_failed(c, "components", scopes, err)
               : 0;
}

/* The tke-installer container on this (the installer) host: removed when pot created it or it
 * runs the kit's installer image; someone else's container of that name is left alone. */
static int remove_installer_container(struct pipe_ctx *c, struct err *err)
{
    struct tke_docker d;
    struct tke_container_info info = { 0 };
    int ret = 0;

    if (c->mode == PIPE_MODE_BUSINESS) {
        return 0;
    }
    tke_docker_init(&d, NULL);
    if (tke_docker_container_inspect(&d, c->opts->container, &info, err) < 0) {
        pipe_say(c, "cluster: docker on this host cannot be asked about container '%s' (%s); "
                 "left as is", c->opts->container, err->msg);
        err_clear(err);
    } else if (!info.exists) {
        pipe_say(c, "cluster: no '%s' container", c->opts->container);
    } else if (!info.spec_hash[0] && strcmp(info.image, c->opts->image) != 0) {
        pipe_say(c, "cluster: container '%s' runs '%s', not the kit's installer; left alone",
                 c->opts->container, info.image);
    } else if (c->opts->check) {
        pipe_say(c, "cluster: would remove container '%s'", c->opts->container);
    } else if (tke_docker_container_remove(&d, c->opts->container, err) < 0) {
        ret = -1;
    } else {
        pipe_say(c, "cluster: container '%s' removed", c->opts->container);
    }
    tke_container_info_release(&info);
    tke_docker_release(&d);
    return ret;
}

/* tke.json's "step" says how far the installer got; with the cluster gone, the next install
 * must start it at step 0, so the file goes (tke-config writes a new one). */
static int forget_installer_progress(struct pipe_ctx *c, struct err *err)
{
    if (!fs_exists(c->tke_json)) {
        return 0;
    }
    if (unlink(c->tke_json) < 0) {
        return err_errno(err, "cannot remove '%s'", c->tke_json);
    }
    pipe_say(c, "cluster: removed %s (the next install starts tke-installer at step 0)",
             c->tke_json);
    return 0;
}

static int undo_cluster(struct pipe_ctx *c, unsigned scopes, struct err *err)
{
    (void)scopes;
    if (remove_installer_container(c, err) < 0 ||
        pipe_play(c, "cluster-reset.yml", false, NULL, err) < 0) {
        return -1;
    }
    return forget_installer_progress(c, err);
}

static int undo_hosts(struct pipe_ctx *c, unsigned scopes, struct err *err)
{
    struct svec args = SVEC_INIT;
    int ret;

    (void)scopes;
    if (c->opts->wipe_data_disk) {
        svec_push(&args, "-e");
        svec_pushf(&args, "pot_wipe_data_disk=%s", c->opts->wipe_data_disk);
    }
    ret = pipe_play(c, "host-undo.yml", false, &args, err);
    svec_release(&args);
    return ret;
}

static const struct undo_step steps[] = {
    { "business", PIPE_UNDO_BUSINESS, business_stages,
      "uninstall the business releases (helm on the first master)", undo_business },
    { "components", PIPE_UNDO_COMPONENTS, components_stages,
      "uninstall every base component release (helm on the first master)", undo_components },
    { "cluster", PIPE_UNDO_CLUSTER, cluster_stages,
      "remove the tke-installer container and run playbooks/cluster-reset.yml on every host",
      undo_cluster },
    { "hosts", PIPE_UNDO_HOSTS, hosts_stages,
      "run playbooks/host-undo.yml on every host (what host-init recorded)", undo_hosts },
};

/* The first of the step's stages that did something not undone since, or NULL. */
static const char *pending_stage(const struct pipe_ctx *c, const struct undo_step *st)
{
    for (const char *const *s = st->stages; *s; s++) {
        const struct journal_rec *r = journal_last(c->journal, *s, NULL);

        if (r && r->event != JOURNAL_UNDONE) {
            return *s;
        }
    }
    return NULL;
}

static int mark_undone(struct pipe_ctx *c, const struct undo_step *st, struct err *err)
{
    for (const char *const *s = st->stages; *s; s++) {
        const struct journal_rec *r = journal_last(c->journal, *s, NULL);

        if (r && r->event != JOURNAL_UNDONE &&
            journal_append(c->journal, JOURNAL_UNDONE, *s, NULL, NULL, "pot uninstall",
                           err) < 0) {
            return -1;
        }
    }
    return 0;
}

static int run_step(struct pipe_ctx *c, const struct undo_step *st, unsigned scopes,
                    int *undone, struct err *err)
{
    const char *stage = pending_stage(c, st);

    if (!stage) {
        pipe_say(c, "%s: nothing to undo (not installed, or uninstalled already)", st->name);
        return 0;
    }
    if (c->opts->check) {
        pipe_say(c, "%s: would %s (stage %s ran)", st->name, st->plan, stage);
        return 0;
    }
    pipe_say(c, "%s: %s", st->name, st->plan);
    if (st->run(c, scopes, err) < 0) {
        return err_prefix(err, "%s: ", st->name);
    }
    (*undone)++;
    return mark_undone(c, st, err);
}

static void residue_say(void *ctx, const char *line)
{
    pipe_say(ctx, "residue: %s", line);
}

/* The inventory's hosts that have a residue snapshot in 'dir'; the others are named. */
static int hosts_with_snapshot(struct pipe_ctx *c, const char *dir, struct svec *hosts,
                               struct err *err)
{
    struct inventory *inv = inv_new();
    int ret = -1;

    if (inv_load(inv, c->inventory, err) < 0 || inv_finish(inv, err) < 0) {
        goto out;
    }
    for (size_t i = 0; i < inv_host_count(inv); i++) {
        const char *name = inv_host_at(inv, i)->name;
        char *snap = xasprintf("%s/%s.snap", dir, name);

        if (fs_exists(snap)) {
            svec_push(hosts, name);
        } else {
            pipe_say(c, "residue: %s: no snapshot from before the install; not compared", name);
        }
        free(snap);
    }
    ret = 0;
out:
    inv_free(inv);
    return ret;
}

/* Every host with a snapshot compared with it; ERR_FAILED when one differs. */
static int check_residue(struct pipe_ctx *c, struct err *err)
{
    struct svec hosts = SVEC_INIT;
    struct residue_report rep = { .say = residue_say, .ctx = c };
    char *dir = residue_dir(c->opts->data_dir);
    int dirty = 0;
    int ret = -1;

    if (hosts_with_snapshot(c, dir, &hosts, err) < 0) {
        goto out;
    }
    if (hosts.len == 0) {
        ret = 0;
        goto out;
    }
    if (residue_check(c->inventory, &hosts, dir, &rep, &dirty, err) < 0) {
        goto out;
    }
    if (dirty) {
        err_set(err, ERR_FAILED, "%d host%s not as before the install (the differences are "
                "above)", dirty, dirty == 1 ? " is" : "s are");
        goto out;
    }
    ret = 0;
out:
    svec_release(&hosts);
    free(dir);
    return ret;
}

static int uninstall_body(struct pipe_ctx *c, void *arg, struct err *err)
{
    unsigned scopes = *(const unsigned *)arg;
    int undone = 0;

    pipe_say(c, "uninstall: mode %s (kit %s, data %s)", pipe_mode_name(c->mode),
             c->opts->kit_dir, c->opts->data_dir);
    for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
        if ((scopes & steps[i].scope) && run_step(c, &steps[i], scopes, &undone, err) < 0) {
            return -1;
        }
    }
    if (c->opts->check) {
        return 0;
    }
    if ((scopes & (PIPE_UNDO_CLUSTER | PIPE_UNDO_HOSTS)) && check_residue(c, err) < 0) {
        return -1;
    }
    if (scopes == PIPE_UNDO_ALL && journal_last(c->journal, "host-init", NULL) &&
        journal_append(c->journal, JOURNAL_RESET, "", NULL, NULL, "pot uninstall --all",
                       err) < 0) {
        return -1;
    }
    pipe_say(c, "uninstall complete: %d scope%s undone, changed=%d", undone,
             undone == 1 ? "" : "s", undone);
    return 0;
}

int pipe_uninstall(const struct pipe_opts *opts, unsigned scopes, struct err *err)
{
    /* no release outlives its cluster */
    if (scopes & PIPE_UNDO_CLUSTER) {
        scopes |= PIPE_UNDO_BUSINESS | PIPE_UNDO_COMPONENTS;
    }
    if (!scopes) {
        return err_set(err, ERR_USAGE, "nothing to uninstall: no scope given");
    }
    return pipe_with_journal(opts, "pot uninstall", uninstall_body, &scopes, err);
}
