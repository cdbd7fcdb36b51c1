/*
 * pipe-hostinit.c - stage host-init: playbooks/host-init.yml then playbooks/host-check.yml of the
 * kit through `pot play`. In the TKEStack-only mode only the original kit's subset of host-init
 * tags runs (sshd, selinux, devnet proxy, domains, data disk, iptables) and no host check. In the
 * business-only mode (onto an existing cluster) nothing may change the hosts: only a light
 * host-check runs (every host reached, its data disk), and stage business checks helm and the
 * cluster on the first master before any release. In the other modes each host's residue
 * snapshot is taken first, once, before the playbooks change anything, and after host-check.yml
 * pot's own host checks run (`pot check host`, and with stress_perfor='true' in the inventory
 * `pot check disk` and `pot check net` in place of the kit's fio/iperf tag check_perfor), with
 * their reports in <parent of kit>/perfor-reports; a failed check stops the stage only when its
 * *_mandatory switch is 'true' (`pot check --gate`).
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/strutil.h"
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

/* pot's own checks after the playbooks: `pot check KIND`, selected by the tag of the kit's
 * hosts-check role they stand beside (check_perfor: the benchmarks); 'perf' ones only with
 * stress_perfor='true'. */
static const struct {
    const char *kind, *tag;
    bool perf;
} native_checks[] = {
    { "host", "check_host", false },
    { "disk", "check_perfor", true },
    { "net", "check_perfor", true },
};

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

/* Whether the run's --tags/--skip-tags select 'tag' (no --tags: every tag). */
static bool tag_selected(const struct pipe_ctx *c, const char *tag)
{
    return (c->opts->tags.len == 0 || svec_contains(&c->opts->tags, tag)) &&
           !svec_contains(&c->opts->skip_tags, tag);
}

/* The inventory's stress_perfor switch (of its first host: the kit sets it in [all:vars]); off
 * when the inventory does not say 'true'. */
static bool stress_perfor(const struct pipe_ctx *c)
{
    struct inventory *inv = inv_new();
    struct err ignored = ERR_INIT;
    bool on = false;

    if (inv_load(inv, c->inventory, &ignored) == 0 && inv_finish(inv, &ignored) == 0 &&
        inv_host_count(inv) > 0) {
        struct val *vars = inv_host_vars(inv, inv_host_at(inv, 0));
        const char *v = val_dict_get_str(vars, "stress_perfor");

        on = v && str_ansible_bool(v) == 1;
        val_unref(vars);
    }
    inv_free(inv);
    return on;
}

/* Whether pot's own checks run in this mode and invocation. */
static bool native_wanted(const struct pipe_ctx *c)
{
    return c->mode != PIPE_MODE_TKESTACK && c->mode != PIPE_MODE_BUSINESS && !c->opts->check;
}

static int play(struct pipe_ctx *c, const char *name, bool native_perf, struct err *err)
{
    struct svec args = SVEC_INIT;
    int ret;

    if (mode_tags(c) && c->opts->tags.len == 0) {
        svec_push(&args, "--tags");
        svec_push(&args, mode_tags(c));
    }
    if (native_perf && strcmp(name, "host-check.yml") == 0) {
        svec_push(&args, "--skip-tags");
        svec_push(&args, "check_perfor"); /* pot check disk and net measure instead */
    }
    ret = pipe_play(c, name, true, &args, err);
    svec_release(&args);
    return ret;
}

/* `pot check KIND -i INV [--limit HOSTS] --gate --report <reports>`. */
static int native_check(struct pipe_ctx *c, const char *kind, struct err *err)
{
    struct svec args = SVEC_INIT;
    char *what = xasprintf("pot check %s", kind);
    int ret;

    svec_push(&args, "check");
    svec_push(&args, kind);
    svec_push(&args, "-i");
    svec_push(&args, c->inventory);
    pipe_add_limit(c, &args);
    svec_push(&args, "--gate");
    svec_push(&args, "--report");
    svec_push(&args, c->reports_dir);
    pipe_say(c, "host-init: %s (report: %s/report.html)", what, c->reports_dir);
    ret = pipe_child_pot(c, what, &args, NULL, err);
    svec_release(&args);
    free(what);
    return ret;
}

static int native_checks_run(struct pipe_ctx *c, bool perf, struct err *err)
{
    for (size_t i = 0; i < ARRAY_SIZE(native_checks); i++) {
        if ((!native_checks[i].perf || perf) && tag_selected(c, native_checks[i].tag) &&
            native_check(c, native_checks[i].kind, err) < 0) {
            return -1;
        }
    }
    return 0;
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
    bool perf = native_wanted(c) && stress_perfor(c);
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
            ret = play(c, playbooks[i], perf, err);
            if (ret == 0 && strcmp(playbooks[i], "host-check.yml") == 0 && native_wanted(c)) {
                ret = native_checks_run(c, perf, err);
            }
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
