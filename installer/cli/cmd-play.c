/*
 * cmd-play.c - `pot play`: ansible-playbook's command line. Applies ansible.cfg, loads the
 * inventory and the playbooks, parses -e, then lists (--list-tasks/--list-hosts/--list-tags),
 * checks (--syntax-check) or runs them, printing like Ansible's default callback.
 */
#include "pot.h"
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/strutil.h"
#include "base/vec.h"
#include "cli/ansible-cfg.h"
#include "cli/cli.h"
#include "cli/extra-vars.h"
#include "cli/opt.h"
#include "cli/play-connect.h"
#include "cli/play-list.h"
#include "exec/exec.h"
#include "inventory/inv.h"
#include "playbook/pb.h"
#include "value/val.h"
#include "value/val-json.h"
#include "value/val-yaml.h"

struct play_args {
    struct svec inventories;
    struct svec extra;
    struct svec tags;
    struct svec skip_tags;
    const char *limit;
    const char *start_at_task;
    const char *json_events;
    bool check, diff, list_tasks, list_hosts, list_tags, syntax_check;
    int forks;
    int verbose;
    struct play_connect connect;
};

#define AT(field) OPT_AT(struct play_args, field)
const struct opt play_options[] = {
    { OPT_LIST, "inventory", 'i', AT(inventories), "INV",
      "inventory file, directory or \"h1,h2,\" (repeatable)" },
    { OPT_LIST, "extra-vars", 'e', AT(extra), "VARS", "k=v, JSON/YAML, or @file (repeatable)" },
    { OPT_LIST, "tags", 't', AT(tags), "T", "only tasks tagged T (comma-separated, repeatable)" },
    { OPT_LIST, "skip-tags", 0, AT(skip_tags), "T", "skip tasks tagged T" },
    { OPT_STRING, "limit", 'l', AT(limit), "PATTERN", "further limit the hosts" },
    { OPT_BOOL, "check", 'C', AT(check), NULL, "change nothing, report what would change" },
    { OPT_BOOL, "diff", 'D', AT(diff), NULL, "show the changes files get, as unified diffs" },
    { OPT_INT, "forks", 'f', AT(forks), "N", "hosts in parallel (default 5)" },
    { OPT_STRING, "start-at-task", 0, AT(start_at_task), "NAME", "start at the task named NAME" },
    { OPT_BOOL, "list-tasks", 0, AT(list_tasks), NULL,
      "list each play's tasks (as --tags/--skip-tags select them) with their tags; run nothing" },
    { OPT_BOOL, "list-hosts", 0, AT(list_hosts), NULL,
      "list each play's hosts (after --limit); run nothing" },
    { OPT_BOOL, "list-tags", 0, AT(list_tags), NULL, "list each play's task tags; run nothing" },
    { OPT_BOOL, "syntax-check", 0, AT(syntax_check), NULL, "parse and check the playbooks only" },
    { OPT_COUNT, "verbose", 'v', AT(verbose), NULL, "more output (repeatable)" },
    { OPT_STRING, "json-events", 0, AT(json_events), "FILE",
      "also write one JSON object per result to FILE" },
    { OPT_STRING, "connection", 'c', AT(connect.connection), "CONN",
      "connection type when ansible_connection is not set: ssh or local" },
    { OPT_STRING, "user", 'u', AT(connect.user), "USER",
      "login user when ansible_user is not set" },
    { OPT_STRING, "private-key", 0, AT(connect.private_key), "FILE",
      "SSH key when ansible_private_key_file is not set" },
    { OPT_STRING, "timeout", 'T', AT(connect.timeout), "SECONDS",
      "SSH connect timeout when ansible_timeout is not set" },
    { OPT_BOOL, "ask-pass", 'k', AT(connect.ask_pass), NULL,
      "ask for the SSH password (when ansible_password is not set)" },
    { OPT_BOOL, "become", 'b', AT(connect.become), NULL,
      "become where no play, block or task says (below ansible_become)" },
    { OPT_STRING, "become-method", 0, AT(connect.become_method), "METHOD",
      "sudo or su, where no keyword or ansible_become_method says" },
    { OPT_STRING, "become-user", 0, AT(connect.become_user), "USER",
      "become this user where no keyword or ansible_become_user says" },
    { OPT_BOOL, "ask-become-pass", 'K', AT(connect.ask_become_pass), NULL,
      "ask for the become password (when ansible_become_password is not set)" },
    { 0 },
};
#undef AT

static void split_tags(const struct svec *in, struct svec *out)
{
    for (size_t i = 0; i < in->len; i++) {
        svec_split(out, in->items[i], ',');
    }
}

/* --list-hosts/--list-tasks/--list-tags: each playbook on its own, like ansible-playbook. */
static int list_books(const struct play_args *a, const struct svec *books,
                      const struct inventory *inv, const struct val *extra, struct err *err)
{
    const char *roles_path = getenv("ANSIBLE_ROLES_PATH");
    struct svec tags = SVEC_INIT, skip_tags = SVEC_INIT;
    struct play_list_opts o = { .list_hosts = a->list_hosts, .list_tasks = a->list_tasks,
                                .list_tags = a->list_tags, .inv = inv, .limit = a->limit,
                                .tags = &tags, .skip_tags = &skip_tags,
                                .extra_vars = extra };
    struct buf out = BUF_INIT;
    int ret = 0;

    split_tags(&a->tags, &tags);
    split_tags(&a->skip_tags, &skip_tags);
    for (size_t i = 0; i < books->len && ret == 0; i++) {
        struct playbook *pb = pb_load(books->items[i], roles_path, err);

        ret = pb ? play_list(&o, pb, &out, err) : -1;
        pb_free(pb);
    }
    if (ret == 0) {
        fputs(out.ptr, stdout);
    }
    buf_release(&out);
    svec_release(&tags);
    svec_release(&skip_tags);
    return ret;
}

static int load_inventory(const struct play_args *a, struct inventory *inv, struct err *err)
{
    for (size_t i = 0; i < a->inventories.len; i++) {
        if (inv_load(inv, a->inventories.items[i], err) < 0) {
            return -1;
        }
    }
    return inv_finish(inv, err);
}

/* ansible-playbook's get_host_list(): a --limit that keeps none of a non-empty inventory's hosts
 * stops the run before anything is listed, checked or run. Sets '*none' then. */
static int limit_leaves_none(const struct inventory *inv, const char *limit, bool *none,
                             struct err *err)
{
    struct vec all = VEC_INIT, kept = VEC_INIT;
    int ret = -1;

    *none = false;
    if (!limit) {
        return 0;
    }
    if (inv_match(inv, "all", NULL, &all, NULL, err) == 0 &&
        inv_match(inv, "all", limit, &kept, NULL, err) == 0) {
        *none = all.len > 0 && kept.len == 0;
        ret = 0;
    }
    vec_release(&all);
    vec_release(&kept);
    return ret;
}

/* The loader's deprecation warnings on stderr, unless deprecation_warnings is off. */
static void print_deprecations(const struct playbook *pb)
{
    if (str_ansible_bool(getenv("ANSIBLE_DEPRECATION_WARNINGS")) == 0) {
        return;
    }
    for (size_t i = 0; i < pb->deprecations.len; i++) {
        fprintf(stderr, "[DEPRECATION WARNING]: %s\n", pb->deprecations.items[i]);
    }
}

static int load_all(struct svec *books, struct playbook **pb, struct err *err)
{
    const char *roles_path = getenv("ANSIBLE_ROLES_PATH");

    *pb = pb_load(books->items[0], roles_path, err);
    if (!*pb) {
        return -1;
    }
    for (size_t i = 1; i < books->len; i++) {
        if (pb_load_more(*pb, books->items[i], roles_path, err) < 0) {
            return -1;
        }
    }
    print_deprecations(*pb);
    return 0;
}

static int run_books(struct play_args *a, struct svec *books, struct err *err)
{
    struct inventory *inv = inv_new();
    struct playbook *pb = NULL;
    struct exec_opts opts = { 0 };
    struct out out = { 0 };
    FILE *events = NULL;
    bool no_hosts = false;
    int rc = -1;

    opts.extra_vars = val_dict();
    for (size_t i = 0; i < a->extra.len; i++) {
        if (cli_add_extra_vars(opts.extra_vars, a->extra.items[i], err) < 0) {
            goto out;
        }
    }
    if (load_inventory(a, inv, err) < 0 || limit_leaves_none(inv, a->limit, &no_hosts, err) < 0) {
        goto out;
    }
    if (no_hosts) {
        /* like ansible-playbook: this message and exit code 1 */
        log_error("Specified inventory, host pattern and/or --limit leaves us with no hosts to "
                  "target.");
        rc = 1;
        goto out;
    }
    if (a->list_tasks || a->list_hosts || a->list_tags) {
        rc = list_books(a, books, inv, opts.extra_vars, err);
        goto out;
    }
    if (load_all(books, &pb, err) < 0) {
        goto out;
    }
    if (a->syntax_check) {
        rc = exec_check(pb, err) < 0 ? -1 : 0;
        if (rc == 0) {
            printf("\nplaybook: %s\n", pb->path);
        }
        goto out;
    }
    opts.check = a->check;
    opts.diff = a->diff;
    opts.forks = a->forks > 0 ? a->forks : 5;
    opts.verbosity = a->verbose;
    opts.limit = a->limit;
    opts.start_at_task = a->start_at_task;
    split_tags(&a->tags, &opts.tags);
    split_tags(&a->skip_tags, &opts.skip_tags);
    out_add(&out, &out_default_ops, stdout);
    if (a->json_events) {
        events = fs_open_private(a->json_events, false, err);
        if (!events) {
            goto out;
        }
        out_add(&out, &out_json_ops, events);
    }
    rc = exec_run(pb, inv, &opts, &out, err);
    out_close(&out);
out:
    svec_release(&opts.tags);
    svec_release(&opts.skip_tags);
    val_unref(opts.extra_vars);
    pb_free(pb);
    inv_free(inv);
    return rc;
}

int cmd_play(int argc, char **argv, struct err *err)
{
    struct play_args a = { 0 };
    struct svec books = SVEC_INIT;
    int rc = -1;

    if (opt_parse(play_options, &a, argc - 1, argv + 1, &books, err) < 0) {
        goto out;
    }
    if (books.len == 0) {
        err_set(err, ERR_USAGE, "pot play: give at least one playbook");
        goto out;
    }
    if (ansible_cfg_apply(err) < 0 || play_connect_apply(&a.connect, err) < 0) {
        goto out;
    }
    if (a.inventories.len == 0 && getenv("ANSIBLE_INVENTORY")) {
        svec_split(&a.inventories, getenv("ANSIBLE_INVENTORY"), ',');
    }
    if (a.forks <= 0 && getenv("ANSIBLE_FORKS")) {
        int64_t n = 0;

        a.forks = parse_int(getenv("ANSIBLE_FORKS"), &n) == 0 && n > 0 && n <= INT_MAX ? (int)n
                                                                                      : 0;
    }
    log_set_level(a.verbose);
    rc = run_books(&a, &books, err);
out:
    svec_release(&books);
    svec_release(&a.inventories);
    svec_release(&a.extra);
    svec_release(&a.tags);
    svec_release(&a.skip_tags);
    return rc;
}
