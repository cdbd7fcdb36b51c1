/*
 * pipe-hostinit.c - stage host-init: playbooks/host-init.yml then playbooks/host-check.yml of the
 * kit through `pot play`. In the TKEStack-only mode only the original kit's subset of host-init
 * tags runs (sshd, selinux, devnet proxy, domains, data disk, iptables) and no host check. In the
 * business-only mode (onto an existing cluster) nothing may change the hosts: only a light
 * host-check runs (every host reached, its data disk), and stage business checks helm and the
 * cluster on the first master before any release.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "pipeline/pipe.h"

#define TKESTACK_TAGS "sshd_config_init,selinux_init,remove_devnet_proxy,add_domains," \
                      "data_disk_init,check_iptables"
#define BUSINESS_TAGS "check_disk"

static const char *const playbooks[] = { "host-init.yml", "host-check.yml" };

static char *playbook_path(const struct pipe_ctx *c, const char *name)
{
    return xasprintf("%s/playbooks/%s", c->opts->kit_dir, name);
}

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

/* Appends "--tags a,b" style options. */
static void add_list_opt(struct svec *args, const char *opt, const struct svec *values)
{
    for (size_t i = 0; i < values->len; i++) {
        svec_push(args, opt);
        svec_push(args, values->items[i]);
    }
}

static int play(struct pipe_ctx *c, const char *path, struct err *err)
{
    struct svec args = SVEC_INIT;
    char *what = xasprintf("pot play %s", fs_basename(path));
    int ret;

    svec_push(&args, "play");
    svec_push(&args, "-i");
    svec_push(&args, c->inventory);
    if (c->opts->check) {
        svec_push(&args, "--check");
    }
    if (mode_tags(c) && c->opts->tags.len == 0) {
        svec_push(&args, "--tags");
        svec_push(&args, mode_tags(c));
    }
    add_list_opt(&args, "--tags", &c->opts->tags);
    add_list_opt(&args, "--skip-tags", &c->opts->skip_tags);
    svec_push(&args, path);
    ret = pipe_child_pot(c, what, &args, err);
    free(what);
    svec_release(&args);
    return ret;
}

int pipe_hostinit_run(struct pipe_ctx *c, struct err *err)
{
    int found = 0;

    for (size_t i = 0; i < ARRAY_SIZE(playbooks); i++) {
        char *path = playbook_path(c, playbooks[i]);
        int ret = 0;

        if (wanted(c, i) && fs_exists(path)) {
            found++;
            pipe_say(c, "host-init: pot play %s", path);
            ret = play(c, path, err);
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
