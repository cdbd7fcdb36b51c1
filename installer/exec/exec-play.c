/*
 * exec-play.c - plays: hosts and serial batches, the walk through blocks (a host that fails
 * inside a block runs its rescue, then everybody runs always), handlers at flush points, meta
 * actions, max_fail_percentage, the recap counters, and the exit code. Strategy linear walks
 * all hosts of a batch together, task by task; strategy free walks each host alone on its own
 * thread (exec_free_run) through the same code with a one-host list.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/xalloc.h"
#include "conn/conn.h"
#include "exec/exec.h"
#include "inventory/inv.h"
#include "playbook/pb.h"
#include "template/tpl.h"
#include "value/val.h"
#include "value/val-yaml.h"

static void run_list(struct exec_run *run, struct vec *list, struct vec *hosts);
static void run_block(struct exec_run *run, struct pb_task *b, struct vec *hosts);

static bool host_active(const struct exec_host *h)
{
    return !h->failed && !h->unreachable && !h->ended;
}

static bool action_is(const struct pb_task *t, const char *name)
{
    return t->action && strcmp(pb_action_short(t->action), name) == 0;
}

static bool task_selected(struct exec_run *run, struct pb_task *t)
{
    if (val_dict_get(t->kw, "_implicit")) {
        return true;
    }
    if (run->opts->start_at_task && !run->start_found) {
        char *name = exec_task_name(t);

        run->start_found = strcmp(name, run->opts->start_at_task) == 0 ||
                           (t->name && strcmp(t->name, run->opts->start_at_task) == 0);
        free(name);
        if (!run->start_found) {
            return false;
        }
    }
    /* a notified handler runs whatever --tags/--skip-tags say (ansible-core 2.14) */
    return t->is_handler || exec_tags_match(t, &run->opts->tags, &run->opts->skip_tags);
}

static void run_handlers(struct exec_run *run, struct vec *hosts);

static void run_meta(struct exec_run *run, struct pb_task *t, struct vec *hosts)
{
    const char *what = val_dict_get_str(t->args, "_raw_params");

    if (!what) {
        return;
    }
    if (strcmp(what, "flush_handlers") == 0) {
        run_handlers(run, hosts);
    } else if (strcmp(what, "end_play") == 0) {
        run->play_ended = true;
    } else if (strcmp(what, "end_host") == 0) {
        for (size_t i = 0; i < hosts->len; i++) {
            struct exec_host *h = hosts->items[i];

            h->ended = h->ended || (host_active(h) && exec_when(run, t, h));
        }
    } else if (strcmp(what, "clear_host_errors") == 0) {
        for (size_t i = 0; i < hosts->len; i++) {
            ((struct exec_host *)hosts->items[i])->failed = false;
        }
    }
}

/* Ansible labels an include's "included:" line so whenever the include has no_log. */
#define CENSORED_LABEL "(censored due to no_log)"

/* A dynamic include's when: is judged once per host, where it runs: "skipping" for the hosts
 * where it is false, which leave 'hosts'. With run_once only the first host includes. */
static void keep_hosts_including(struct exec_run *run, struct pb_task *b, struct vec *hosts)
{
    size_t kept = 0;

    if (exec_kw_true(b, "run_once") && hosts->len > 1) {
        hosts->len = 1;
    }
    for (size_t i = 0; i < hosts->len; i++) {
        struct exec_host *h = hosts->items[i];

        if (!exec_when(run, b, h)) {
            struct out_event ev = { .host = h->name, .status = RESULT_SKIPPED };

            out_host_result(run->out, &ev);
            h->stats.skipped++;
            continue;
        }
        hosts->items[kept++] = h;
    }
    hosts->len = kept;
}

/* "included: FILE for h1, h2[ => (item=LABEL)]" and an ok for each of 'hosts' (none: nothing);
 * 'inc' is the include task, whose no_log censors the label. */
static void say_included(struct exec_run *run, const struct pb_task *inc, const char *file,
                         const struct vec *hosts, const char *label)
{
    struct buf line = BUF_INIT;

    if (!hosts->len) {
        return;
    }
    buf_addf(&line, "included: %s for ", file);
    for (size_t i = 0; i < hosts->len; i++) {
        struct exec_host *h = hosts->items[i];

        buf_addf(&line, "%s%s", i ? ", " : "", h->name);
        h->stats.ok++;
    }
    if (exec_kw_true(inc, "no_log")) {
        label = CENSORED_LABEL;
    }
    if (label) {
        buf_addf(&line, " => (item=%s)", label);
    }
    out_message(run->out, line.ptr);
    buf_release(&line);
}

/* include_tasks: "skipping: [h]" for hosts whose when: is false (they leave 'hosts'), then
 * "included: FILE for h1, h2" and an ok per host. */
static void announce_include(struct exec_run *run, struct pb_task *b, struct vec *hosts)
{
    char *name = exec_task_name(b);

    out_task_start(run->out, "TASK", name, run->opts->check);
    keep_hosts_including(run, b, hosts);
    say_included(run, b, val_dict_get_str(b->kw, "_include"), hosts, NULL);
    free(name);
}

/* The banner's name is templated with the variables of 'h', the first host to run 't'. */
static void task_banner(struct exec_run *run, struct pb_task *t, struct exec_host *h)
{
    char *name = exec_task_title(run, t, h);

    out_task_start(run->out, t->is_handler ? "RUNNING HANDLER" : "TASK", name, run->opts->check);
    run->free_banner = t;
    free(name);
}

/* max_fail_percentage as a fraction, or -1 when the play has none ("30", 30, "30%", 12.5). */
static double max_fail_fraction(const struct exec_run *run)
{
    struct val *v = val_dict_get(run->play->kw, "max_fail_percentage");

    if (!v) {
        return -1;
    }
    if (v->type == VAL_INT) {
        return (double)v->u.i / 100.0;
    }
    if (v->type == VAL_DOUBLE) {
        return v->u.d / 100.0;
    }
    return val_cstr(v) ? strtod(val_cstr(v), NULL) / 100.0 : -1;
}

/* Linear strategy: when any_errors_fatal failed every host of the batch (none inside a rescue
 * or always), Ansible prints NO MORE HOSTS LEFT once and breaks the play and the playbook. */
static bool check_errors_fatal(struct exec_run *run)
{
    if (!run->fatal_hit || run->free || run->play_ended) {
        return false;
    }
    for (size_t i = 0; i < run->batch.len; i++) {
        const struct exec_host *h = run->batch.items[i];

        if (!h->failed || h->guarded > 0) {
            return false;
        }
    }
    out_task_start(run->out, "NO MORE HOSTS LEFT", NULL, false);
    run->play_ended = true;
    run->stopped = true;
    return true;
}

/* Linear strategy, after a task's results: when the batch's failed hosts (those not on their way
 * to a rescue or always) exceed max_fail_percentage, Ansible prints NO MORE HOSTS LEFT and
 * breaks the play and the playbook; the hosts left are failed without a recap count. */
static void check_max_fail(struct exec_run *run)
{
    double limit = max_fail_fraction(run);
    size_t failed = 0;

    if (check_errors_fatal(run) || limit < 0 || run->free || run->play_ended ||
        run->batch.len == 0) {
        return;
    }
    for (size_t i = 0; i < run->batch.len; i++) {
        const struct exec_host *h = run->batch.items[i];

        failed += h->failed && !h->unreachable && h->guarded == 0;
    }
    if ((double)failed / (double)run->batch.len <= limit) {
        return;
    }
    /* twice, as linear.py does: once for the percentage, once because no host is left */
    out_task_start(run->out, "NO MORE HOSTS LEFT", NULL, false);
    out_task_start(run->out, "NO MORE HOSTS LEFT", NULL, false);
    for (size_t i = 0; i < run->batch.len; i++) {
        ((struct exec_host *)run->batch.items[i])->failed = true;
    }
    run->play_ended = true;
    run->stopped = true;
}

/* Strategy free: 't' on the host(s) one after the other, each line under its own banner. */
static void run_free_jobs(struct exec_run *run, struct pb_task *t, struct vec *hosts)
{
    for (size_t i = 0; i < hosts->len; i++) {
        struct exec_job job = { .h = hosts->items[i] };

        if (!host_active(job.h)) {
            continue;
        }
        result_init(&job.res);
        exec_free_task(run, t, &job);
        if (run->free_banner != t) {
            task_banner(run, t, job.h); /* as Ansible's: once for consecutive results */
        }
        exec_notes_replay(&job.notes, run->out);
        exec_result_report(run, t, &job);
        exec_result_apply(run, t, job.h, &job.res);
        result_release(&job.res);
        exec_notes_release(&job.notes);
    }
}

/* Runs 't' on the active hosts (only the first with run_once) in parallel, then applies the
 * results in host order. */
static void run_pool_jobs(struct exec_run *run, struct pb_task *t, struct vec *hosts)
{
    struct exec_job *jobs = xcalloc(hosts->len + 1, sizeof(*jobs));
    bool once = exec_kw_true(t, "run_once");
    size_t n = 0;

    for (size_t i = 0; i < hosts->len && !(once && n > 0); i++) {
        if (host_active(hosts->items[i])) {
            jobs[n].h = hosts->items[i];
            result_init(&jobs[n++].res);
        }
    }
    exec_pool_run(run, t, jobs, n, exec_result_report);
    for (size_t i = 0; i < n; i++) {
        exec_result_apply(run, t, jobs[i].h, &jobs[i].res);
        for (size_t k = 0; once && k < hosts->len; k++) {
            struct exec_host *other = hosts->items[k];

            if (other != jobs[i].h && host_active(other)) {
                exec_result_share(run, t, other, &jobs[i].res);
            }
        }
        result_release(&jobs[i].res);
        exec_notes_release(&jobs[i].notes);
    }
    free(jobs);
}

/* Under free, run_once runs on every host, as in Ansible (which warns about it). */
static void run_jobs(struct exec_run *run, struct pb_task *t, struct vec *hosts)
{
    if (run->free) {
        run_free_jobs(run, t, hosts);
    } else {
        run_pool_jobs(run, t, hosts);
    }
}

/* One file (or role) a dynamic include brings in, for the hosts that include it alike. */
struct include_group {
    char *key;             /* owned: file, label and loop vars, to find equal includes */
    struct val *entry;     /* owned: from exec_include_entries */
    struct vec hosts;      /* borrowed struct exec_host * */
    struct pb_task *block; /* arena: the loaded tasks */
};

static void include_failed(struct exec_run *run, struct exec_host *h, const struct err *err)
{
    struct out_event ev = { .host = h->name, .status = RESULT_FAILED };
    char msg[sizeof(err->msg) + 256];

    err_format(err, msg, sizeof(msg));
    ev.data = val_dict();
    val_dict_set_take(ev.data, "msg", val_str(msg));
    val_dict_set_take(ev.data, "failed", val_bool(true));
    out_host_result(run->out, &ev);
    val_unref(ev.data);
    h->stats.failed++;
    h->failed = true;
}

static void group_include(struct vec *groups, struct exec_host *h, struct val *entry)
{
    struct buf key = BUF_INIT;
    struct include_group *g = NULL;
    struct val *vars = val_dict_get(entry, "vars");

    buf_addf(&key, "%s\n%s\n", val_dict_get_str(entry, "file"),
             val_dict_has(entry, "label") ? val_dict_get_str(entry, "label") : "");
    if (vars) {
        val_to_pystr(vars, &key);
    }
    for (size_t i = 0; i < groups->len && !g; i++) {
        struct include_group *o = groups->items[i];

        g = strcmp(o->key, key.ptr) == 0 ? o : NULL;
    }
    if (!g) {
        g = xcalloc(1, sizeof(*g));
        g->key = buf_detach(&key, NULL);
        g->entry = val_ref(entry);
        vec_push(groups, g);
    }
    vec_push(&g->hosts, h);
    buf_release(&key);
}

/* include_tasks/include_role with a loop or templated name: which hosts include what, the
 * "included:" lines, then each included block for its hosts. */
static void run_include(struct exec_run *run, struct pb_task *t, struct vec *hosts)
{
    bool role = action_is(t, "include_role");
    bool once = exec_kw_true(t, "run_once");
    bool included = false;
    struct vec groups = VEC_INIT;

    for (size_t i = 0; i < hosts->len; i++) {
        struct exec_host *h = hosts->items[i];
        struct val *entries = NULL;
        struct err err = ERR_INIT;

        if (!host_active(h) || (once && included)) {
            continue; /* run_once: only the first host includes */
        }
        included = true;
        entries = val_list();
        if (exec_include_entries(run, t, h, entries, &err) < 0) {
            include_failed(run, h, &err);
        } else if (val_list_len(entries) == 0) {
            struct out_event ev = { .host = h->name, .status = RESULT_SKIPPED };

            out_host_result(run->out, &ev);
            h->stats.skipped++;
        }
        for (size_t k = 0; k < val_list_len(entries); k++) {
            group_include(&groups, h, val_list_get(entries, k));
        }
        val_unref(entries);
    }
    for (size_t i = 0; i < groups.len; i++) {
        struct include_group *g = groups.items[i];
        struct err err = ERR_INIT;

        g->block = pb_load_dynamic(run->pb, t, val_dict_get_str(g->entry, "file"),
                                   val_dict_get(g->entry, "vars"), &err);
        for (size_t k = 0; !g->block && k < g->hosts.len; k++) {
            include_failed(run, g->hosts.items[k], &err);
        }
        if (!g->block || role) {
            continue;
        }
        say_included(run, t, val_dict_get_str(g->block->kw, "_include"), &g->hosts,
                     val_dict_get_str(g->entry, "label"));
    }
    for (size_t i = 0; i < groups.len; i++) {
        struct include_group *g = groups.items[i];

        if (g->block) {
            run_block(run, g->block, &g->hosts);
        }
        free(g->key);
        val_unref(g->entry);
        vec_release(&g->hosts);
        free(g);
    }
    vec_release(&groups);
}

static bool meta_is(const struct pb_task *t, const char *what)
{
    const char *raw = action_is(t, "meta") ? val_dict_get_str(t->args, "_raw_params") : NULL;

    return raw && strcmp(raw, what) == 0;
}

static void run_task(struct exec_run *run, struct pb_task *t, struct vec *hosts)
{
    struct exec_host *first = NULL;

    if (t->is_handler && meta_is(t, "flush_handlers")) {
        /* Ansible names the handler, then stops the run with an error */
        task_banner(run, t, hosts->len ? hosts->items[0] : NULL);
        err_set(&run->error, ERR_TEMPLATE, "flush_handlers cannot be used as a handler");
        run->play_ended = true;
        run->stopped = true;
        return;
    }
    if (action_is(t, "meta")) {
        run_meta(run, t, hosts);
        return;
    }
    for (size_t i = 0; i < hosts->len && !first; i++) {
        first = host_active(hosts->items[i]) ? hosts->items[i] : NULL;
    }
    if (!first || !task_selected(run, t)) {
        return;
    }
    if (action_is(t, "include_tasks") || action_is(t, "include_role")) {
        task_banner(run, t, first);
        run_include(run, t, hosts);
        check_max_fail(run);
        return;
    }
    if (!run->free) {
        task_banner(run, t, first); /* under free, each host's line comes with its own banner */
    }
    run_jobs(run, t, hosts);
    check_max_fail(run);
}

static void guard(struct vec *hosts, int delta)
{
    for (size_t i = 0; i < hosts->len; i++) {
        ((struct exec_host *)hosts->items[i])->guarded += delta;
    }
}

static void run_block(struct exec_run *run, struct pb_task *b, struct vec *hosts)
{
    struct vec entered = VEC_INIT;
    struct vec failed = VEC_INIT;
    int shield = b->rescue.len > 0 || b->always.len > 0;

    const struct val *dynamic = val_dict_get(b->kw, "_dynamic");

    /* an include_tasks/include_role loaded early runs only when its own tags select it */
    if (dynamic && !b->is_handler && !exec_tags_match(b, &run->opts->tags, &run->opts->skip_tags)) {
        return;
    }
    for (size_t i = 0; i < hosts->len; i++) {
        if (host_active(hosts->items[i])) {
            vec_push(&entered, hosts->items[i]);
        }
    }
    if (dynamic && val_cstr(dynamic) && entered.len > 0) {
        out_task_start(run->out, "TASK", val_cstr(dynamic), run->opts->check);
        keep_hosts_including(run, b, &entered);
    }
    if (action_is(b, "include_tasks") && entered.len > 0) {
        announce_include(run, b, &entered);
    }
    guard(&entered, shield);
    run_list(run, &b->block, &entered);
    guard(&entered, -shield);
    for (size_t i = 0; i < entered.len; i++) {
        struct exec_host *h = entered.items[i];

        if (h->failed && !h->unreachable && b->rescue.len > 0) {
            vec_push(&failed, h);
            h->failed = false;
            h->stats.failed--;
            h->stats.rescued++;
        }
    }
    if (failed.len > 0) {
        guard(&failed, b->always.len > 0);
        run_list(run, &b->rescue, &failed);
        guard(&failed, -(b->always.len > 0));
    }
    if (b->always.len > 0) {
        bool *was_failed = xcalloc(entered.len + 1, sizeof(*was_failed));

        /* hosts that failed run always too, and stay failed afterwards */
        for (size_t i = 0; i < entered.len; i++) {
            struct exec_host *h = entered.items[i];

            was_failed[i] = h->failed;
            h->failed = false;
        }
        run_list(run, &b->always, &entered);
        for (size_t i = 0; i < entered.len; i++) {
            struct exec_host *h = entered.items[i];

            h->failed = h->failed || was_failed[i];
        }
        free(was_failed);
    }
    vec_release(&failed);
    vec_release(&entered);
    if (shield) {
        check_max_fail(run); /* hosts that left the block failed count now */
    }
}

static void run_list(struct exec_run *run, struct vec *list, struct vec *hosts)
{
    for (size_t i = 0; i < list->len && !run->play_ended; i++) {
        struct pb_task *t = list->items[i];

        if (t->kind == PB_BLOCK) {
            run_block(run, t, hosts);
        } else {
            run_task(run, t, hosts);
        }
    }
}

static bool handler_named(struct pb_task *hd, const char *name)
{
    char *full = exec_task_name(hd);
    bool yes = (hd->name && strcmp(hd->name, name) == 0) || strcmp(full, name) == 0;

    free(full);
    return yes;
}

/* A notification by name runs the last handler of that name (Ansible searches the play's
 * handlers backwards); listen topics run every handler listening. */
static bool handler_notified(struct vec *handlers, size_t at, struct exec_host *h)
{
    struct pb_task *hd = handlers->items[at];
    struct val *listen = pb_kw_own(hd, "listen");
    bool yes = false;

    for (size_t i = 0; !yes && i < h->notified.len; i++) {
        const char *name = h->notified.items[i];
        bool later = false;

        for (size_t k = at + 1; !later && k < handlers->len; k++) {
            later = handler_named(handlers->items[k], name);
        }
        yes = !later && handler_named(hd, name);
    }
    if (!yes && listen && val_cstr(listen)) {
        yes = svec_contains(&h->notified, val_cstr(listen));
    }
    for (size_t i = 0; !yes && listen && i < val_list_len(listen); i++) {
        const char *topic = val_cstr(val_list_get(listen, i));

        yes = topic && svec_contains(&h->notified, topic);
    }
    return yes;
}

static void collect_handlers(struct vec *list, struct vec *out)
{
    for (size_t i = 0; i < list->len; i++) {
        struct pb_task *t = list->items[i];

        if (t->kind == PB_BLOCK) {
            collect_handlers(&t->block, out);
        } else {
            vec_push(out, t);
        }
    }
}

static void run_handlers(struct exec_run *run, struct vec *hosts)
{
    struct vec handlers = VEC_INIT;
    struct val *force = val_dict_get(run->play->kw, "force_handlers");
    bool *was_failed = xcalloc(hosts->len + 1, sizeof(*was_failed));

    /* force_handlers: hosts that failed run their notified handlers and stay failed */
    for (size_t j = 0; force && val_truthy(force) && j < hosts->len; j++) {
        struct exec_host *h = hosts->items[j];

        was_failed[j] = h->failed && !h->unreachable;
        h->failed = h->failed && !was_failed[j];
    }
    collect_handlers(&run->play->handlers, &handlers);
    for (size_t i = 0; i < handlers.len && run->error.kind == ERR_NONE; i++) {
        struct pb_task *hd = handlers.items[i];
        struct vec who = VEC_INIT;

        for (size_t j = 0; j < hosts->len; j++) {
            struct exec_host *h = hosts->items[j];

            if (host_active(h) && handler_notified(&handlers, i, h)) {
                vec_push(&who, h);
            }
        }
        if (who.len > 0) {
            run_task(run, hd, &who);
        }
        vec_release(&who);
    }
    for (size_t j = 0; j < hosts->len; j++) {
        struct exec_host *h = hosts->items[j];

        svec_release(&h->notified);
        h->failed = h->failed || was_failed[j];
    }
    free(was_failed);
    vec_release(&handlers);
}

/* --- plays --- */

static int64_t serial_size(struct exec_run *run, size_t nhosts)
{
    struct val *s = val_dict_get(run->play->kw, "serial");
    int64_t n = 0;

    if (!s) {
        return (int64_t)nhosts;
    }
    if (s->type == VAL_INT) {
        n = s->u.i;
    } else if (val_cstr(s) && strchr(val_cstr(s), '%')) {
        n = (int64_t)nhosts * strtoll(val_cstr(s), NULL, 10) / 100;
    } else if (val_cstr(s)) {
        n = strtoll(val_cstr(s), NULL, 10);
    }
    return n > 0 ? n : (int64_t)(n == 0 ? nhosts : 1);
}

static int load_vars_files(struct exec_run *run, struct err *err)
{
    for (size_t i = 0; i < run->play->vars_files.len; i++) {
        char *path = xasprintf("%s/%s", run->play->dir,
                               (const char *)run->play->vars_files.items[i]);
        const char *file = run->play->vars_files.items[i];
        struct val *v = val_from_yaml_file(file[0] == '/' ? file : path, err);

        free(path);
        if (!v) {
            return -1;
        }
        for (size_t k = 0; v->type == VAL_DICT && k < val_dict_len(v); k++) {
            val_dict_set(run->play->vars, val_dict_key_at(v, k), val_dict_value_at(v, k));
        }
        val_unref(v);
    }
    return 0;
}

/* gather_facts:, else ANSIBLE_GATHERING (ansible.cfg's gathering): explicit gathers only for
 * plays that ask. */
static bool gather_facts_wanted(struct exec_run *run)
{
    struct val *g = val_dict_get(run->play->kw, "gather_facts");
    const char *policy = getenv("ANSIBLE_GATHERING");

    if (!g) {
        return !policy || strcmp(policy, "explicit") != 0;
    }
    return val_truthy(g);
}

static void gather_facts(struct exec_run *run, struct vec *hosts)
{
    struct pb_task t = { 0 };

    t.kind = PB_TASK;
    t.action = "setup";
    t.play = run->play;
    t.dir = run->play->dir;
    t.name = "Gathering Facts";
    t.args = val_dict();
    t.kw = val_dict();
    val_dict_set_take(t.kw, "_implicit", val_bool(true));
    if (!run->free) {
        out_task_start(run->out, "TASK", "Gathering Facts", run->opts->check);
    }
    run_jobs(run, &t, hosts);
    check_max_fail(run);
    val_unref(t.args);
    val_unref(t.kw);
}

enum strategy {
    STRATEGY_LINEAR,
    STRATEGY_FREE,
    STRATEGY_HOST_PINNED
};

/* The play's strategy keyword, else ANSIBLE_STRATEGY (linear when neither names another). */
static enum strategy play_strategy(const struct exec_run *run)
{
    struct val *v = val_dict_get(run->play->kw, "strategy");
    const char *name = v ? val_cstr(v) : getenv("ANSIBLE_STRATEGY");

    if (name) {
        name = tpl_fqcn_short(name);
    }
    if (name && strcmp(name, "free") == 0) {
        return STRATEGY_FREE;
    }
    return name && strcmp(name, "host_pinned") == 0 ? STRATEGY_HOST_PINNED : STRATEGY_LINEAR;
}

/* Strategy free: one host's whole walk through the play (a walker of exec_free_run). */
static void walk_host(struct exec_run *run, struct exec_host *h)
{
    struct vec one = VEC_INIT;

    vec_push(&one, h);
    if (gather_facts_wanted(run)) {
        gather_facts(run, &one);
    }
    run_list(run, &run->play->tasks, &one);
    vec_release(&one);
}

/* The play's host pattern, templated with the play's and the extra variables when it holds
 * markup ("{{ target | default('all') }}"), as Ansible does; a new string, NULL with 'err'. */
static char *host_pattern(struct exec_run *run, const struct pb_play *play, struct err *err)
{
    struct vars_scope scope;
    struct val *raw, *done;
    struct buf out = BUF_INIT;

    if (!tpl_is_template(play->hosts)) {
        return xstrdup(play->hosts);
    }
    exec_scope(run, NULL, NULL, &scope);
    raw = val_str(play->hosts);
    done = tpl_template_value(raw, &scope.tpl, &play->pos, err);
    if (done) {
        val_to_pystr(done, &out);
    }
    val_unref(done);
    val_unref(raw);
    vars_scope_release(&scope);
    return done ? buf_detach(&out, NULL) : NULL;
}

/* After a batch of 'size' hosts (those failed in earlier plays included): when as many of them
 * failed or went unreachable during it, Ansible's PlaybookExecutor breaks out of the play and of
 * the playbook (no later play even starts). run->batch held the hosts that ran. */
static void check_batch_lost(struct exec_run *run, size_t size)
{
    size_t lost = 0;

    for (size_t i = 0; i < run->batch.len; i++) {
        const struct exec_host *h = run->batch.items[i];

        lost += h->failed || h->unreachable;
    }
    run->batch_lost = size > 0 && lost == size;
    run->play_ended |= run->batch_lost;
}

static int run_play(struct exec_run *run, struct pb_play *play, struct err *err)
{
    struct vec matched = VEC_INIT;
    struct exec_host *local = NULL;
    char *pattern = NULL;
    int64_t batch;
    int ret = -1;

    run->play = play;
    run->play_ended = false;
    run->fatal_hit = false;
    vec_release(&run->play_hosts);
    vec_release(&run->play_all);
    if (load_vars_files(run, err) == 0) {
        pattern = host_pattern(run, play, err);
    }
    if (!pattern || inv_match(run->inv, pattern, run->opts->limit, &matched, NULL, err) < 0 ||
        exec_hosts_implicit(run, pattern, &local, err) < 0) {
        goto out;
    }
    if (local) {
        vec_push(&matched, local->ih);
    }
    for (size_t i = 0; i < matched.len; i++) {
        for (size_t j = 0; j < run->hosts.len; j++) {
            struct exec_host *h = run->hosts.items[j];

            if (h->ih != matched.items[i]) {
                continue;
            }
            vec_push(&run->play_all, h);
            if (!h->failed && !h->unreachable) {
                h->ended = false;
                vec_push(&run->play_hosts, h);
            }
        }
    }
    if (run->play_all.len == 0) {
        exec_play_banner(run);
        out_message(run->out, "skipping: no hosts matched");
        ret = 0;
        goto out;
    }
    /* Batches cut the play's whole host list, hosts failed in earlier plays included (they
     * stay out of the batch: one of only such hosts is a bare PLAY banner, as in Ansible). */
    batch = serial_size(run, run->play_all.len);
    for (size_t start = 0; start < run->play_all.len && !run->play_ended; start += (size_t)batch) {
        size_t size = 0;

        vec_release(&run->batch);
        for (size_t i = start; i < run->play_all.len && i < start + (size_t)batch; i++) {
            size++;
            if (vec_contains(&run->play_hosts, run->play_all.items[i])) {
                vec_push(&run->batch, run->play_all.items[i]);
            }
        }
        exec_play_banner(run); /* once per serial batch */
        if (run->batch.len == 0) {
            continue;
        }
        if (play_strategy(run) != STRATEGY_LINEAR) {
            exec_free_run(run, &run->batch, walk_host, play_strategy(run) == STRATEGY_HOST_PINNED);
            check_batch_lost(run, size);
            continue;
        }
        if (gather_facts_wanted(run)) {
            gather_facts(run, &run->batch);
        }
        run_list(run, &play->tasks, &run->batch);
        check_batch_lost(run, size);
    }
    ret = 0;
out:
    free(pattern);
    vec_release(&matched);
    return ret;
}

static int compare_stats(const void *a, const void *b)
{
    return strcmp(((const struct out_stats *)a)->host, ((const struct out_stats *)b)->host);
}

static int finish(struct exec_run *run)
{
    struct out_stats *stats = xcalloc(run->hosts.len + 1, sizeof(*stats));
    size_t n = 0;
    int rc = 0;

    for (size_t i = 0; i < run->hosts.len; i++) {
        struct exec_host *h = run->hosts.items[i];
        const struct out_stats *s = &h->stats;

        if (s->ok + s->changed + s->unreachable + s->failed + s->skipped + s->rescued + s->ignored >
            0) {
            stats[n++] = *s;
        }
        /* ansible-playbook: an unreachable host wins over a failed one */
        if (h->unreachable) {
            rc = 4;
        }
        if (s->failed > 0 && rc == 0) {
            rc = 2;
        }
    }
    if (run->stopped) {
        rc = 2; /* a broken play (max_fail_percentage) ends with RUN_FAILED_HOSTS */
    }
    qsort(stats, n, sizeof(*stats), compare_stats);
    out_recap(run->out, stats, n);
    free(stats);
    return rc;
}

static void release_run(struct exec_run *run)
{
    for (size_t i = 0; i < run->hosts.len; i++) {
        struct exec_host *h = run->hosts.items[i];

        val_unref(h->inv_vars);
        val_unref(h->facts);
        val_unref(h->set_facts);
        val_unref(h->include_vars);
        conn_free(h->conn);
        svec_release(&h->notified);
        val_unref(h->failed_task);
        val_unref(h->failed_result);
        free(h);
    }
    vec_release(&run->hosts);
    exec_hosts_release(run);
    vec_release(&run->play_hosts);
    vec_release(&run->play_all);
    vec_release(&run->batch);
    val_unref(run->groups);
}

int exec_run(struct playbook *pb, struct inventory *inv, const struct exec_opts *opts,
             struct out *out, struct err *err)
{
    struct exec_run run = { .pb = pb, .inv = inv, .opts = opts, .out = out };
    int rc = -1;

    if (exec_check(pb, err) < 0) {
        return -1;
    }
    if (exec_hosts_add(&run, err) < 0) {
        goto out;
    }
    for (size_t i = 0; i < pb->plays.len && !run.stopped && !run.batch_lost; i++) {
        if (run_play(&run, pb->plays.items[i], err) < 0) {
            goto out;
        }
    }
    if (run.error.kind != ERR_NONE) {
        *err = run.error;
        goto out;
    }
    rc = finish(&run);
out:
    release_run(&run);
    return rc;
}
