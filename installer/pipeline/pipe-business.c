/*
 * pipe-business.c - stage business: the customer's releases from the kit's helmfile
 * (<kit>/helmfile/helmfile.d) deployed with the helm driver on the first master, after the images
 * and the base components.
 *
 * Inventory (installer host's variables, as the original kit reads its switches):
 *   deploy_business   'false' turns the stage off (default 'true', as in the original kit)
 *   customer          the helmfile environment (older kits: app_env_flag; default "default")
 *   center            comma-separated centers to deploy (selector center=X each; default all)
 *   registry_domain   given to the state as --state-values-set registry=... (the cluster
 *                     registry the images were pushed to; default registry.tke.com)
 * With `--remove business` (install-offline-pot.sh -f remove_business) the same releases are
 * uninstalled instead, in reverse `needs` order; the next install deploys them again.
 * Release records (journal, lock, last deployed values) live in <data>/pot/helm, shared with
 * `pot helmfile --data-dir <data>`. When the stage is skipped as done with the same inputs, the
 * releases are still checked (pipe_business_recheck): the driver's one `helm list` confirms each
 * release is deployed at its recorded revision, and deploys again one removed behind pot's back.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/strutil.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "helm/helm.h"
#include "helmfile/helmfile.h"
#include "inventory/inv.h"
#include "pipeline/pipe.h"
#include "tke/tke-config.h"

#define BUSINESS_CONCURRENCY 5

static char *helmfile_dir(const struct pipe_ctx *c)
{
    return xasprintf("%s/helmfile/helmfile.d", c->opts->kit_dir);
}

void pipe_business_inputs(struct pipe_ctx *c, struct buf *text)
{
    char *dir = xasprintf("%s/helmfile", c->opts->kit_dir);

    pipe_hash_inventory(c, text);
    pipe_hash_tree(text, "helmfile", dir);
    free(dir);
}

/* The installer host's variable 'name', or 'def' when unset (new string); NULL on error. */
static char *var_or(const struct inventory *inv, const char *name, const char *def,
                    struct err *err)
{
    char *v = tke_installer_var(inv, name, err);

    return v || err->kind != ERR_NONE ? v : (def ? xstrdup(def) : NULL);
}

/* The business settings of the inventory. */
struct business {
    char *deploy;      /* owned: deploy_business */
    char *environment; /* owned */
    char *registry;    /* owned: "registry=<registry_domain>" */
    struct svec selectors;
    struct svec state_values;
};

static void business_release(struct business *b)
{
    free(b->deploy);
    free(b->environment);
    free(b->registry);
    svec_release(&b->selectors);
    svec_release(&b->state_values);
}

static int read_settings(const struct inventory *inv, struct business *b, struct err *err)
{
    char *customer = NULL, *center = NULL, *domain = NULL;
    int ret = -1;

    b->deploy = var_or(inv, "deploy_business", "true", err);
    customer = b->deploy ? var_or(inv, "customer", NULL, err) : NULL;
    if (!customer && err->kind == ERR_NONE) {
        customer = var_or(inv, "app_env_flag", "default", err);
    }
    center = customer ? var_or(inv, "center", "", err) : NULL;
    domain = center ? var_or(inv, "registry_domain", "registry.tke.com", err) : NULL;
    if (!domain) {
        goto out;
    }
    b->environment = xstrdup(customer);
    b->registry = xasprintf("registry=%s", domain);
    svec_push(&b->state_values, b->registry);
    for (char *p = center, *end; *p; p = *end ? end + 1 : end) {
        char *one;

        end = p + strcspn(p, ",");
        one = xasprintf("center=%.*s", (int)(end - p), p);
        svec_push(&b->selectors, one);
        free(one);
    }
    ret = 0;
out:
    free(customer);
    free(center);
    free(domain);
    return ret;
}

static void report_say(void *ctx, const char *line)
{
    pipe_say(ctx, "business: %s", line);
}

/* Deploys the releases, or with 'remove' uninstalls them (reverse order of their needs). */
static int deploy(struct pipe_ctx *c, const struct business *b, bool remove, struct err *err)
{
    struct hf_opts ho = { 0 };
    struct hf_state st;
    struct helm_opts opts = { 0 };
    struct helm_summary sum;
    struct helm_target *t = NULL;
    char *file = helmfile_dir(c);
    char *state_dir = fs_join(c->pot_dir, "helm");
    int ret = -1;

    hf_state_init(&st);
    helm_summary_init(&sum);
    ho.file = file;
    ho.environment = b->environment;
    ho.selectors = b->selectors;
    ho.state_values_set = b->state_values;
    if (hf_load(&st, &ho, err) < 0) {
        goto out;
    }
    for (size_t i = 0; i < st.notes.len; i++) {
        pipe_say(c, "business: %s", st.notes.items[i]);
    }
    t = helm_target_new(c->inventory, NULL, err);
    if (!t) {
        goto out;
    }
    pipe_say(c, "business: helmfile %s, environment %s%s%s, helm on %s", file, b->environment,
             b->selectors.len ? ", " : "", b->selectors.len ? b->selectors.items[0] : "",
             helm_target_host(t));
    opts.state_dir = state_dir;
    opts.command = remove ? "pot uninstall (business)" : "pot install (business)";
    opts.concurrency = BUSINESS_CONCURRENCY;
    opts.check = c->opts->check;
    opts.report = (struct helm_report){ .say = report_say, .ctx = c };
    if (remove) {
        ret = helm_destroy(t, &st, &opts, &sum, err);
        pipe_say(c, "business: %zu releases: uninstalled=%zu absent=%zu failed=%zu changed=%zu",
                 sum.nitems, sum.uninstalled, sum.absent, sum.failed, sum.uninstalled);
    } else {
        ret = helm_sync(t, &st, &opts, &sum, err);
        pipe_say(c, "business: %zu releases: deployed=%zu unchanged=%zu failed=%zu changed=%zu",
                 sum.nitems, sum.deployed, sum.unchanged, sum.failed,
                 sum.deployed + sum.uninstalled);
    }
out:
    helm_target_free(t);
    helm_summary_release(&sum);
    hf_state_release(&st);
    free(state_dir);
    free(file);
    return ret;
}

/* Deploys the releases (unless deploy_business is off), or with 'remove' uninstalls them. */
static int run(struct pipe_ctx *c, bool remove, struct err *err)
{
    struct inventory *inv = inv_new();
    struct business b = { 0 };
    char *file = helmfile_dir(c);
    int ret = -1;

    if (!fs_is_dir(file)) {
        pipe_say(c, "business: no %s; no business releases", file);
        ret = 0;
        goto out;
    }
    if (inv_load(inv, c->inventory, err) < 0 || inv_finish(inv, err) < 0 ||
        read_settings(inv, &b, err) < 0) {
        goto out;
    }
    if (!remove && strcmp(b.deploy, "true") != 0) {
        pipe_say(c, "business: deploy_business is '%s'; no business releases", b.deploy);
        ret = 0;
        goto out;
    }
    ret = deploy(c, &b, remove, err);
out:
    business_release(&b);
    inv_free(inv);
    free(file);
    return ret;
}

int pipe_business_run(struct pipe_ctx *c, struct err *err)
{
    return run(c, c->opts->remove.len > 0, err);
}

int pipe_business_recheck(struct pipe_ctx *c, struct err *err)
{
    char *file = helmfile_dir(c);
    bool has = fs_is_dir(file);

    free(file);
    return has ? pipe_business_run(c, err) : 0;
}

int pipe_business_uninstall(struct pipe_ctx *c, struct err *err)
{
    return run(c, true, err);
}
