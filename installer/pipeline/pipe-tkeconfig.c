/*
 * pipe-tkeconfig.c - stage tke-config: loads the inventory and writes <data-dir>/tke.json from
 * <kit>/templates/tke (tke/tke-config.h); Replicas 1 for a full install, 2 for TKEStack only.
 */
#include "pot.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "inventory/inv.h"
#include "pipeline/pipe.h"
#include "tke/tke-config.h"

static char *templates_dir(const struct pipe_ctx *c)
{
    return xasprintf("%s/templates/tke", c->opts->kit_dir);
}

static int replicas(const struct pipe_ctx *c)
{
    return c->mode == PIPE_MODE_TKESTACK ? 2 : 1;
}

void pipe_tkeconfig_inputs(struct pipe_ctx *c, struct buf *text)
{
    /* the whole folder: the three templates and anything they include or import */
    char *dir = templates_dir(c);

    pipe_hash_inventory(c, text);
    pipe_hash_tree(text, "templates", dir);
    buf_addf(text, "replicas=%d\n", replicas(c));
    free(dir);
}

int pipe_tkeconfig_run(struct pipe_ctx *c, struct err *err)
{
    struct inventory *inv = inv_new();
    char *dir = templates_dir(c);
    struct tke_config_opts topts = { .templates_dir = dir, .tke_json = c->tke_json,
                                     .replicas = replicas(c), .reset = c->opts->reset };
    struct buf text = BUF_INIT;
    bool changed = false;
    int ret = -1;

    if (inv_load(inv, c->inventory, err) < 0 || inv_finish(inv, err) < 0) {
        goto out;
    }
    if (c->opts->check) {
        ret = tke_config_render(inv, &topts, &text, err);
        if (ret == 0) {
            pipe_say(c, "tke-config: %s renders and validates (not written: check mode)",
                     c->tke_json);
        }
        goto out;
    }
    if (tke_config_write(inv, &topts, &changed, err) < 0) {
        goto out;
    }
    pipe_say(c, "tke-config: %s %s (Replicas %d)", c->tke_json, changed ? "written" : "unchanged",
             topts.replicas);
    ret = 0;
out:
    buf_release(&text);
    free(dir);
    inv_free(inv);
    return ret;
}
