/*
 * pipe-postinstall.c - stage post-install: pushes the kit's images (<kit>-images) into the
 * cluster registry with `pot images push`, then runs playbooks/post-install.yml through
 * `pot play` when the kit has one, then joins the hosts of group `workers` to the global cluster
 * as TKE Machines (pipe-nodes.c; as the original kit's post-install hook does).
 *
 * Registry settings are installer-host variables: registry_domain (default registry.tke.com),
 * tke_admin_user (default admin) and tke_pwd; the CA is /etc/docker/certs.d/<domain>/ca.crt when
 * the installer wrote one; pot_registry_insecure='true' talks plain HTTP (test registries).
 */
#include "pot.h"
#include <string.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "inventory/inv.h"
#include "pipeline/pipe.h"
#include "tke/tke-config.h"

static char *playbook(const struct pipe_ctx *c)
{
    return pipe_playbook_path(c, "post-install.yml");
}

void pipe_postinstall_inputs(struct pipe_ctx *c, struct buf *text)
{
    /* the whole playbooks tree (post-install.yml and the roles it uses) */
    char *dir = xasprintf("%s/playbooks", c->opts->kit_dir);

    pipe_hash_inventory(c, text);
    pipe_hash_tree(text, "playbooks", dir);
    pipe_hash_dir(text, "images", c->images_dir);
    free(dir);
}

/* A variable with a default; NULL only when resolving failed (err set). */
static char *var_or(const struct inventory *inv, const char *name, const char *def,
                    struct err *err)
{
    char *v = tke_installer_var(inv, name, err);

    return v || err->kind != ERR_NONE ? v : (def ? xstrdup(def) : NULL);
}

int pipe_registry_read(const struct inventory *inv, struct pipe_registry *r, struct err *err)
{
    char *insecure = NULL;
    char *ca = NULL;

    memset(r, 0, sizeof(*r));
    r->domain = var_or(inv, "registry_domain", "registry.tke.com", err);
    r->user = r->domain ? var_or(inv, "tke_admin_user", "admin", err) : NULL;
    r->password = r->user ? var_or(inv, "tke_pwd", NULL, err) : NULL;
    insecure = r->password ? var_or(inv, "pot_registry_insecure", "false", err) : NULL;
    if (!r->password && err->kind == ERR_NONE) {
        err_set(err, ERR_USAGE, "inventory: variable 'tke_pwd' is not set for the installer host "
                "(the registry password)");
    }
    if (!insecure) {
        pipe_registry_release(r);
        return -1;
    }
    log_add_secret(r->password);
    r->insecure = strcmp(insecure, "true") == 0;
    ca = xasprintf("/etc/docker/certs.d/%s/ca.crt", r->domain);
    if (!r->insecure && fs_exists(ca)) {
        r->ca = ca;
        ca = NULL;
    }
    free(ca);
    free(insecure);
    return 0;
}

void pipe_registry_release(struct pipe_registry *r)
{
    free(r->domain);
    free(r->user);
    free(r->password);
    free(r->ca);
    memset(r, 0, sizeof(*r));
}

/* Adds the registry options of `pot images push` to 'args'; the password goes to 'pwfile'. */
static int registry_args(const struct inventory *inv, const char *pwfile, struct svec *args,
                         struct err *err)
{
    struct pipe_registry r;

    if (pipe_registry_read(inv, &r, err) < 0) {
        return -1;
    }
    if (fs_write_atomic(pwfile, r.password, strlen(r.password), 0600, err) < 0) {
        pipe_registry_release(&r);
        return -1;
    }
    svec_push(args, "--registry");
    svec_push(args, r.domain);
    svec_push(args, "--namespace");
    svec_push(args, "library");
    svec_push(args, "--user");
    svec_push(args, r.user);
    svec_push(args, "--password-file");
    svec_push(args, pwfile);
    if (r.insecure) {
        svec_push(args, "--insecure");
    } else if (r.ca) {
        svec_push(args, "--ca");
        svec_push(args, r.ca);
    }
    pipe_registry_release(&r);
    return 0;
}

static int push_images(struct pipe_ctx *c, struct err *err)
{
    struct inventory *inv = inv_new();
    struct svec args = SVEC_INIT;
    char *pwfile = fs_join(c->pot_dir, "registry.password");
    int ret = -1;

    svec_push(&args, "images");
    svec_push(&args, c->opts->check ? "verify" : "push");
    if (inv_load(inv, c->inventory, err) == 0 && inv_finish(inv, err) == 0 &&
        registry_args(inv, pwfile, &args, err) == 0) {
        svec_push(&args, c->images_dir);
        pipe_say(c, "post-install: pot images %s %s", args.items[1], c->images_dir);
        ret = pipe_child_pot(c, "pot images push", &args, NULL, err);
    }
    unlink(pwfile);
    free(pwfile);
    svec_release(&args);
    inv_free(inv);
    return ret;
}

int pipe_postinstall_run(struct pipe_ctx *c, struct err *err)
{
    char *pb = playbook(c);
    bool work = false;
    int ret = 0;

    if (fs_is_dir(c->images_dir)) {
        work = true;
        ret = push_images(c, err);
    }
    if (ret == 0 && fs_exists(pb)) {
        work = true;
        pipe_say(c, "post-install: pot play %s", pb);
        ret = pipe_play(c, "post-install.yml", true, NULL, err);
    }
    if (ret == 0 && c->mode != PIPE_MODE_BUSINESS) {
        ret = pipe_nodes_join_workers(c, err);
    }
    if (!work) {
        pipe_say(c, "post-install: no %s and no playbooks/post-install.yml; nothing to run",
                 c->images_dir);
    }
    free(pb);
    return ret;
}
