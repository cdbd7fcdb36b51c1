/*
 * pipe-hostinit.c - stage host-init: playbooks/host-init.yml then playbooks/host-check.yml of the
 * kit through `pot play`. In the TKEStack-only mode only the original kit's subset of host-init
 * tags runs (sshd, selinux, devnet proxy, domains, data disk, iptables) and no host check. In the
 * business-only mode (onto an existing cluster) nothing may change the hosts: only a light
 * host-check runs (every host reached, its data disk), and stage business checks helm and the
 * cluster on the first master before any release. In the other modes each host's residue
 * snapshot is taken first, once, before the playbooks change anything.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "inventory/inv.h"
#include "pipeline/pipe.h"
#include "residue/residue.h"
#include "value/val.h"

#define TKESTACK_TAGS "sshd_config_init,selinux_init,remove_devnet_proxy,add_domains," \
                      "data_disk_init,check_iptables"
#define BUSINESS_TAGS "check_disk"

static const char *const playbooks[] = { "host-init.yml", "host-check.yml" };

static bool wanted(const struct pipe_ctx *c, size_t i)
{
    switch (c->mode) {
    case PIPE_MODE_TKESTACK:
        return i == 0;
    case PIPE_MODE_BUSINESS:
        return i == 1;
    default:
        return true;
    }
}

/* The tags a mode runs when the operator gave none. */
static const char *mode_tags(const struct pipe_ctx *c)
{
    switch (c->mode) {
    case PIPE_MODE_TKESTACK:
        return TKESTACK_TAGS;
    case PIPE_MODE_BUSINESS:
        return BUSINESS_TAGS;
    default:
        return NULL;
    }
}

void pipe_hostinit_inputs(struct pipe_ctx *c, struct buf *text)
{
    /* the whole playbooks tree: the two playbooks, their roles, vars and files */
    char *dir = xasprintf("%s/playbooks", c->opts->kit_dir);

    pipe_hash_inventory(c, text);
    pipe_hash_tree(text, "playbooks", dir);
    free(dir);
    for (size_t i = 0; i < c->opts->tags.len; i++) {
        buf_addf(text, "tag=%s\n", c->opts->tags.items[i]);
    }
    for (size_t i = 0; i < c->opts->skip_tags.len; i++) {
        buf_addf(text, "skip-tag=%s\n", c->opts->skip_tags.items[i]);
    }
}

static int play(struct pipe_ctx *c, const char *name, struct err *err)
{
    struct svec args = SVEC_INIT;
    int ret;

    if (mode_tags(c) && c->opts->tags.len == 0) {
        svec_push(&args, "--tags");
        svec_push(&args, mode_tags(c));
    }
    ret = pipe_play(c, name, true, &args, err);
    svec_release(&args);
    return ret;
}

static void residue_say(void *ctx, const char *line)
{
    pipe_say(ctx, "host-init: %s", line);
}

/* True when pot reaches the host with the local transport (it runs there itself). */
static bool is_local(const struct inventory *inv, const struct inv_host *h)
{
    struct val *vars = inv_host_vars(inv, h);
    const char *transport = val_dict_get_str(vars, "ansible_connection");
    bool local = transport && strcmp(transport, "local") == 0;

    val_unref(vars);
    return local;
}

/* Before a playbook changes a host: its residue snapshot, once (`pot uninstall` and `pot
 * diff-host` compare with it). Not for hosts reached with the local transport (the controller
 * itself, where pot keeps its own state). */
static int take_baselines(struct pipe_ctx *c, struct err *err)
{
    struct inventory *inv = inv_new();
    struct svec hosts = SVEC_INIT;
    struct residue_report rep = { .say = residue_say, .ctx = c };
    char *dir = residue_dir(c->opts->data_dir);
    int ret = -1;

    if (inv_load(inv, c->inventory, err) == 0 && inv_finish(inv, err) == 0) {
        for (size_t i = 0; i < inv_host_count(inv); i++) {
            if (!is_local(inv, inv_host_at(inv, i))) {
                svec_push(&hosts, inv_host_at(inv, i)->name);
            }
        }
        ret = hosts.len ? residue_baseline(c->inventory, &hosts, dir, false, &rep, err) : 0;
    }
    svec_release(&hosts);
    free(dir);
    inv_free(inv);
    return ret;
}

int pipe_hostinit_run(struct pipe_ctx *c, struct err *err)
{
    int found = 0;

    for (size_t i = 0; i < ARRAY_SIZE(playbooks); i++) {
        char *path = pipe_playbook_path(c, playbooks[i]);
        int ret = 0;

        if (wanted(c, i) && fs_exists(path)) {
            if (!found++ && c->mode != PIPE_MODE_BUSINESS && !c->opts->check &&
                take_baselines(c, err) < 0) {
                free(path);
                return -1;
            }
            pipe_say(c, "host-init: pot play %s", path);
            ret = play(c, playbooks[i], err);
        }
        free(path);
        if (ret < 0) {
            return -1;
        }
    }
    if (!found) {
        pipe_say(c, "host-init: the kit has no playbooks/host-init.yml or host-check.yml; "
                 "nothing to run");
    }
    return 0;
}
