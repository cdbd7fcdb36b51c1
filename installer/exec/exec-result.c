/*
 * exec-result.c - what a host's result for a task does to the run, on the main thread: the host
 * line, the recap counters, registered variables and set_fact/include_vars/setup facts, notified
 * handlers, and the failed/unreachable flags that take a host out of the play.
 */
#include "pot.h"
#include <string.h>
#include <strings.h>
#include "exec/exec.h"
#include "playbook/pb.h"
#include "value/val.h"

bool exec_kw_true(const struct pb_task *t, const char *name)
{
    struct val *v = pb_kw(t, name);

    return v && val_truthy(v) && !(val_cstr(v) && strcasecmp(val_cstr(v), "false") == 0) &&
           !(val_cstr(v) && strcasecmp(val_cstr(v), "no") == 0);
}

static bool action_is(const struct pb_task *t, const char *name)
{
    return t->action && strcmp(pb_action_short(t->action), name) == 0;
}

/* ignore_errors was evaluated per host by exec_task_on_host. */
static bool ignored(const struct result *res)
{
    struct val *v = val_dict_get(res->data, EXEC_IGNORE_KEY);

    return res->status == RESULT_FAILED && v && val_truthy(v);
}

/* ignore_unreachable: the host stays in the play; the recap counts ok and ignored instead. */
static bool unreachable_ignored(const struct pb_task *t, const struct result *res)
{
    return res->status == RESULT_UNREACHABLE && exec_kw_true(t, "ignore_unreachable");
}

void exec_result_report(struct exec_run *run, struct pb_task *t, struct exec_job *job)
{
    struct out_event ev = { 0 };
    struct result *res = &job->res;

    ev.host = job->h->name;
    ev.status = res->status;
    ev.ignored = ignored(res) || unreachable_ignored(t, res);
    ev.data = res->data;
    ev.loop_summary = val_dict_has(res->data, "results");
    ev.is_debug = action_is(t, "debug");
    ev.verbose = run->opts->verbosity > 0 || val_dict_has(res->data, "_ansible_verbose_always");
    ev.indent = run->opts->verbosity > 2 || val_dict_has(res->data, "_ansible_verbose_always");
    out_host_result(run->out, &ev);
}

static void count(struct exec_host *h, struct result *res, bool is_ignored)
{
    struct val *changed = val_dict_get(res->data, "changed");

    switch (res->status) {
    case RESULT_OK:
        h->stats.ok++;
        break;
    case RESULT_CHANGED:
        h->stats.ok++;
        h->stats.changed++;
        break;
    case RESULT_SKIPPED:
        h->stats.skipped++;
        break;
    case RESULT_UNREACHABLE:
        if (is_ignored) {
            h->stats.ok++;
            h->stats.ignored++;
        } else {
            h->stats.unreachable++;
        }
        break;
    case RESULT_FAILED:
        if (is_ignored) {
            h->stats.ok++;
            h->stats.ignored++;
            h->stats.changed += changed && val_truthy(changed);
        } else {
            h->stats.failed++;
        }
        break;
    }
}

static void store_var(struct val **store, const char *name, struct val *value)
{
    struct val *copy = val_copy(*store);

    val_dict_set(copy, name, value);
    val_unref(*store);
    *store = copy;
}

static void store_vars(struct val **store, struct val *vars)
{
    for (size_t i = 0; vars && vars->type == VAL_DICT && i < val_dict_len(vars); i++) {
        store_var(store, val_dict_key_at(vars, i), val_dict_value_at(vars, i));
    }
}

/* Module facts come as ansible_system...; ansible_facts holds them without the prefix (the
 * variable scope adds it back as top-level ansible_* names). */
static void store_facts(struct val **store, struct val *facts)
{
    for (size_t i = 0; facts && facts->type == VAL_DICT && i < val_dict_len(facts); i++) {
        const char *key = val_dict_key_at(facts, i);

        if (strncmp(key, "ansible_", 8) == 0) {
            key += 8;
        }
        store_var(store, key, val_dict_value_at(facts, i));
    }
}

/* A copy of a result without the internal _ansible_* keys, as register stores it. */
static struct val *strip_internal(struct val *data)
{
    struct val *out = NULL;
    struct val *results = NULL;

    if (!data || data->type != VAL_DICT) {
        return data ? val_ref(data) : NULL;
    }
    out = val_dict();
    for (size_t i = 0; i < val_dict_len(data); i++) {
        const char *key = val_dict_key_at(data, i);

        if (strncmp(key, "_ansible_", 9) != 0) {
            val_dict_set(out, key, val_dict_value_at(data, i));
        }
    }
    results = val_dict_get(out, "results");
    if (results && results->type == VAL_LIST) {
        struct val *clean = val_list();

        for (size_t i = 0; i < val_list_len(results); i++) {
            val_list_push_take(clean, strip_internal(val_list_get(results, i)));
        }
        val_dict_set_take(out, "results", clean);
    }
    return out;
}

/* The host facts go to: the delegated host with delegate_facts, else 'h'. */
static struct exec_host *facts_target(struct exec_run *run, struct pb_task *t,
                                      struct exec_host *h, struct result *res)
{
    struct val *dv = val_dict_get(res->data, "_ansible_delegated_vars");
    const char *name = dv ? val_dict_get_str(dv, "inventory_hostname") : NULL;

    for (size_t i = 0; run && name && exec_kw_true(t, "delegate_facts") && i < run->hosts.len;
         i++) {
        struct exec_host *o = run->hosts.items[i];

        if (strcmp(o->name, name) == 0) {
            return o;
        }
    }
    return h;
}

void exec_result_share(struct exec_run *run, struct pb_task *t, struct exec_host *h,
                       struct result *res)
{
    struct val *reg = pb_kw_own(t, "register");
    struct val *results = val_dict_get(res->data, "results");
    struct exec_host *fh = facts_target(run, t, h, res);
    struct val **store = action_is(t, "include_vars") ? &fh->include_vars : &fh->set_facts;

    if (action_is(t, "set_fact") || action_is(t, "include_vars")) {
        store_vars(store, val_dict_get(res->data, "ansible_facts"));
        for (size_t i = 0; results && i < val_list_len(results); i++) {
            store_vars(store, val_dict_get(val_list_get(results, i), "ansible_facts"));
        }
    } else if (res->status != RESULT_FAILED) {
        store_facts(&fh->facts, val_dict_get(res->data, "ansible_facts"));
    }
    if (reg && val_cstr(reg)) {
        struct val *clean = strip_internal(res->data);

        store_var(&h->set_facts, val_cstr(reg), clean);
        val_unref(clean);
    }
}

static void notify(struct exec_host *h, struct pb_task *t)
{
    struct val *n = pb_kw(t, "notify");

    if (n && val_cstr(n)) {
        if (!svec_contains(&h->notified, val_cstr(n))) {
            svec_push(&h->notified, val_cstr(n));
        }
        return;
    }
    for (size_t i = 0; n && i < val_list_len(n); i++) {
        const char *name = val_cstr(val_list_get(n, i));

        if (name && !svec_contains(&h->notified, name)) {
            svec_push(&h->notified, name);
        }
    }
}

void exec_result_apply(struct exec_run *run, struct pb_task *t, struct exec_host *h,
                       struct result *res)
{
    bool is_ignored = ignored(res);

    count(h, res, is_ignored || unreachable_ignored(t, res));
    exec_result_share(run, t, h, res);
    if (res->status == RESULT_CHANGED) {
        notify(h, t);
    }
    if (res->status == RESULT_FAILED && !is_ignored) {
        val_unref(h->failed_task);
        val_unref(h->failed_result);
        h->failed_task = val_dict();
        val_dict_set_take(h->failed_task, "name", val_str(t->name ? t->name : ""));
        val_dict_set_take(h->failed_task, "action", val_str(t->action ? t->action : ""));
        if (t->args) {
            val_dict_set(h->failed_task, "args", t->args);
        }
        h->failed_result = strip_internal(res->data);
        h->failed = true;
        /* strategy free ignores any_errors_fatal, as Ansible does (with a warning) */
        for (size_t i = 0; !run->free && exec_kw_true(t, "any_errors_fatal") &&
                           i < run->batch.len; i++) {
            ((struct exec_host *)run->batch.items[i])->failed = true;
            run->fatal_hit = true;
        }
    }
    if (res->status == RESULT_UNREACHABLE && !unreachable_ignored(t, res)) {
        h->unreachable = true;
    }
}
