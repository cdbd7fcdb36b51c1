/*
 * exec-task.c - one task on one host: variables -> loop -> when -> arguments templated ->
 * action or module -> until/retries -> changed_when/failed_when -> per-item results and the
 * registered result. Reports loop item lines; the caller reports the host line.
 */
#include "pot.h"
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/xalloc.h"
#include "conn/conn.h"
#include "conn/conn-settings.h"
#include "exec/exec.h"
#include "inventory/inv.h"
#include "modules/args.h"
#include "playbook/pb.h"
#include "value/val.h"

#define NO_LOG_MSG                                                                                 \
    "the output has been hidden due to the fact that 'no_log: true' was specified for this "       \
    "result"

char *exec_task_name(const struct pb_task *task)
{
    const char *name = task->name ? task->name : pb_action_short(task->action);
    const char *role_header = val_cstr(pb_kw_own(task, "_dynamic"));

    if (!task->name && role_header) {
        return xstrdup(role_header); /* "[ROLE : ]include_role : NAME" */
    }

    if (task->role) {
        return xasprintf("%s : %s", task->role->name, name);
    }
    return xstrdup(name);
}

static void merge_into(struct val *dst, const struct val *src)
{
    for (size_t i = 0; src && src->type == VAL_DICT && i < val_dict_len(src); i++) {
        val_dict_set(dst, val_dict_key_at(src, i), val_dict_value_at(src, i));
    }
}

static void add_block_vars(struct val *out, const struct pb_task *t)
{
    if (!t) {
        return;
    }
    add_block_vars(out, t->parent);
    merge_into(out, pb_kw_own(t, "vars"));
}

static void role_layers(struct exec_run *run, struct pb_task *task, struct val *defaults,
                        struct val *vars)
{
    for (size_t i = 0; i < run->play->roles.len; i++) {
        struct pb_role *r = run->play->roles.items[i];

        merge_into(defaults, r->defaults);
        merge_into(vars, r->vars);
    }
    if (task && task->role) {
        merge_into(defaults, task->role->defaults);
        merge_into(vars, task->role->vars);
    }
}

static struct val *magic_vars(struct exec_run *run, struct pb_task *task, struct exec_host *h)
{
    struct val *m = val_dict();
    struct val *play_hosts = val_list();
    struct val *all = val_list();
    struct val *batch = val_list();

    if (h) {
        inv_add_magic_vars(run->inv, h->ih, m, run->groups);
    } else {
        val_dict_set(m, "groups", run->groups);
    }
    for (size_t i = 0; i < run->play_all.len; i++) {
        struct exec_host *p = run->play_all.items[i];

        val_list_push_take(all, val_str(p->name));
        if (!p->failed && !p->unreachable) {
            val_list_push_take(play_hosts, val_str(p->name));
        }
    }
    for (size_t i = 0; i < run->batch.len; i++) {
        struct exec_host *p = run->batch.items[i];

        if (!p->failed && !p->unreachable) {
            val_list_push_take(batch, val_str(p->name));
        }
    }
    val_dict_set_take(m, "ansible_play_hosts", play_hosts);
    val_dict_set_take(m, "ansible_play_hosts_all", all);
    val_dict_set(m, "ansible_play_batch", batch);
    val_dict_set_take(m, "play_hosts", batch); /* Ansible's deprecated alias of the batch */
    val_dict_set_take(m, "ansible_check_mode", val_bool(run->opts->check));
    val_dict_set_take(m, "ansible_diff_mode", val_bool(run->opts->diff));
    val_dict_set_take(m, "ansible_verbosity", val_int(run->opts->verbosity));
    val_dict_set_take(m, "playbook_dir", val_str(run->play->dir));
    val_dict_set_take(m, "omit", val_str(VARS_OMIT));
    val_dict_set_take(m, "ansible_play_name", val_str(run->play->name));
    if (h && h->failed_task) {
        val_dict_set(m, "ansible_failed_task", h->failed_task);
        val_dict_set(m, "ansible_failed_result", h->failed_result);
    }
    if (task && task->role) {
        val_dict_set_take(m, "role_path", val_str(task->role->path));
        val_dict_set_take(m, "role_name", val_str(task->role->name));
    }
    return m;
}

static struct val *build_hostvars(void *ctx)
{
    struct exec_run *run = ctx;
    struct val *all = val_dict();

    exec_lock(run); /* strategy free: other hosts' walkers change their variables */
    for (size_t i = 0; i < run->hosts.len; i++) {
        struct exec_host *h = run->hosts.items[i];
        struct val *hv = val_dict();

        merge_into(hv, h->inv_vars);
        vars_inject_facts(hv, h->facts);
        merge_into(hv, h->include_vars);
        merge_into(hv, h->set_facts);
        inv_add_magic_vars(run->inv, h->ih, hv, run->groups);
        val_dict_set_take(all, h->name, hv);
    }
    exec_unlock(run);
    return all;
}

void exec_scope(struct exec_run *run, struct pb_task *task, struct exec_host *h,
                struct vars_scope *scope)
{
    struct vars_layers l = { { NULL } };
    struct val *defaults = val_dict();
    struct val *role_vars = val_dict();
    struct val *facts = val_dict();
    struct val *blocks = val_dict();
    struct val *magic = NULL;

    exec_lock(run); /* strategy free: the host's variables and the play's hosts hold still */
    magic = magic_vars(run, task, h);

    role_layers(run, task, defaults, role_vars);
    if (h) {
        vars_inject_facts(facts, h->facts);
        l.layer[VARS_INVENTORY] = h->inv_vars;
        l.layer[VARS_INCLUDE] = h->include_vars;
        l.layer[VARS_SET_FACT] = h->set_facts;
    }
    if (task) {
        add_block_vars(blocks, task->parent);
    }
    l.layer[VARS_ROLE_DEFAULTS] = defaults;
    l.layer[VARS_FACTS] = facts;
    l.layer[VARS_PLAY] = run->play->vars;
    l.layer[VARS_ROLE] = role_vars;
    l.layer[VARS_BLOCK] = blocks;
    l.layer[VARS_TASK] = task ? pb_kw_own(task, "vars") : NULL;
    l.layer[VARS_ROLE_PARAMS] = task && task->role ? task->role->params : NULL;
    l.layer[VARS_EXTRA] = run->opts->extra_vars;
    l.layer[VARS_MAGIC] = magic;
    vars_scope_init(scope, vars_merge(&l), task ? task->dir : run->play->dir);
    scope->hostvars = build_hostvars;
    scope->hostvars_ctx = run;
    exec_unlock(run);
    val_unref(defaults);
    val_unref(role_vars);
    val_unref(facts);
    val_unref(blocks);
    val_unref(magic);
}

/* Python's str.strip() in place; returns s. */
static char *strip_take(char *s)
{
    size_t len = strlen(s);
    size_t start = strspn(s, " \t\n\r\f\v");

    while (len > start && strchr(" \t\n\r\f\v", s[len - 1])) {
        len--;
    }
    memmove(s, s + start, len - start);
    s[len - start] = '\0';
    return s;
}

char *exec_title(const char *text, const struct tpl_scope *scope)
{
    struct err err = ERR_INIT;
    struct val *raw = val_str(text);
    struct val *done = tpl_is_template(text) ? tpl_template_value(raw, scope, NULL, &err) : NULL;
    struct buf out = BUF_INIT;

    val_to_pystr(done ? done : raw, &out);
    val_unref(done);
    val_unref(raw);
    return strip_take(buf_detach(&out, NULL));
}

char *exec_task_title(struct exec_run *run, struct pb_task *task, struct exec_host *h)
{
    struct vars_scope scope;
    struct pb_task shown = *task;
    char *name = NULL;
    char *title = NULL;

    if (!task->name || !tpl_is_template(task->name)) {
        return strip_take(exec_task_name(task));
    }
    exec_scope(run, task, h, &scope);
    name = exec_title(task->name, &scope.tpl);
    shown.name = name;
    title = exec_task_name(&shown);
    free(name);
    vars_scope_release(&scope);
    return strip_take(title);
}

void exec_play_banner(struct exec_run *run)
{
    struct vars_scope scope;
    char *title = NULL;

    if (!tpl_is_template(run->play->name)) {
        out_play_start(run->out, run->play->name, run->opts->check);
        return;
    }
    exec_scope(run, NULL, NULL, &scope);
    title = exec_title(run->play->name, &scope.tpl);
    out_play_start(run->out, title, run->opts->check);
    free(title);
    vars_scope_release(&scope);
}

/* --- conditions --- */

static int eval_one(struct val *cond, struct vars_scope *scope, bool *ok, struct err *err)
{
    struct buf text = BUF_INIT;
    int ret;

    if (cond->type == VAL_BOOL) {
        *ok = cond->u.b;
        return 0;
    }
    val_to_pystr(cond, &text);
    ret = tpl_eval_condition(text.ptr, &cond->pos, &scope->tpl, ok, err);
    buf_release(&text);
    return ret;
}

/* Evaluates a when-like value (scalar or list, all must hold). */
static int eval_conditions(struct val *conds, struct vars_scope *scope, bool *ok, struct err *err)
{
    *ok = true;
    if (!conds || conds->type == VAL_NULL) {
        return 0;
    }
    if (conds->type != VAL_LIST) {
        return eval_one(conds, scope, ok, err);
    }
    for (size_t i = 0; i < val_list_len(conds) && *ok; i++) {
        if (eval_one(val_list_get(conds, i), scope, ok, err) < 0) {
            return -1;
        }
    }
    return 0;
}

/* The when: of 't' and of the nodes above it, for 'task'. A dynamic include's own when: is judged
 * once, where it runs, not again for each task it brought in. */
static int eval_when_chain(const struct pb_task *t, const struct pb_task *task,
                           struct vars_scope *scope, bool *ok, struct err *err)
{
    *ok = true;
    if (t->parent && eval_when_chain(t->parent, task, scope, ok, err) < 0) {
        return -1;
    }
    if (!*ok || (t != task && pb_kw_own(t, "_dynamic"))) {
        return 0;
    }
    return eval_conditions(pb_kw_own(t, "when"), scope, ok, err);
}

bool exec_when(struct exec_run *run, struct pb_task *task, struct exec_host *h)
{
    struct vars_scope scope;
    struct err err = ERR_INIT;
    bool ok = true;

    exec_scope(run, task, h, &scope);
    if (eval_when_chain(task, task, &scope, &ok, &err) < 0) {
        ok = true; /* the included tasks fail with the message themselves */
    }
    vars_scope_release(&scope);
    return ok;
}

/* --- one execution --- */

static struct val *drop_omitted(struct val *args)
{
    struct val *out = val_dict();

    for (size_t i = 0; i < val_dict_len(args); i++) {
        struct val *v = val_dict_value_at(args, i);

        if (!(val_cstr(v) && strcmp(val_cstr(v), VARS_OMIT) == 0)) {
            val_dict_set(out, val_dict_key_at(args, i), v);
        }
    }
    val_unref(args);
    return out;
}

static void fail_from_err(struct result *res, const struct err *err)
{
    char msg[sizeof(err->msg) + 256];

    err_format(err, msg, sizeof(msg));
    result_fail(res, "%s", msg);
}

/* A module that returned -1: ERR_FAILED means the host answered and refused (a wrong become
 * password, a path it cannot stat or write): FAILED, as in Ansible; anything else means the host
 * could not be reached or logged into: UNREACHABLE. */
static void report_run_error(struct result *res, const struct err *err)
{
    if (err->kind == ERR_FAILED) {
        fail_from_err(res, err);
        return;
    }
    res->status = RESULT_UNREACHABLE;
    free(res->msg);
    res->msg = xstrdup(err->msg);
}

/* The variables conn_settings_from_vars() reads, resolved (templated) in the task's scope. */
static const char *const conn_var_names[] = {
    "ansible_connection",        "ansible_host",
    "ansible_ssh_host",          "ansible_port",
    "ansible_ssh_port",          "ansible_user",
    "ansible_ssh_user",          "ansible_password",
    "ansible_ssh_pass",          "ansible_ssh_password",
    "ansible_private_key_file",  "ansible_ssh_private_key_file",
    "ansible_host_key_checking", "ansible_ssh_host_key_checking",
    "ansible_timeout",           "ansible_ssh_timeout",
    "ansible_ssh_common_args",   "ansible_ssh_extra_args",
};

/* The connection variables of 'scope', templated, into the dict 'vars'; without an
 * ansible_connection variable, the task's (or its block's or play's) connection keyword, as
 * Ansible's play context takes it. */
static int conn_vars(const struct pb_task *task, struct vars_scope *scope, struct val *vars,
                     struct err *err)
{
    struct val *keyword = pb_kw(task, "connection"), *v;

    for (size_t i = 0; i < ARRAY_SIZE(conn_var_names); i++) {
        v = vars_get(scope, conn_var_names[i], err);
        if (!v && err->kind != ERR_NONE) {
            return -1;
        }
        if (v) {
            val_dict_set_take(vars, conn_var_names[i], v);
        }
    }
    if (!val_dict_get(vars, "ansible_connection") && keyword && keyword->type != VAL_NULL) {
        v = tpl_template_value(keyword, &scope->tpl, &keyword->pos, err);
        if (!v) {
            return -1;
        }
        val_dict_set_take(vars, "ansible_connection", v);
    }
    return 0;
}

/* Returns a new open connection to 'name' with the connection variables 'vars', or NULL. */
static struct conn *open_conn(const char *name, const struct val *vars, struct err *err)
{
    struct conn_settings cs;
    struct svec store = SVEC_INIT;
    struct conn *c = NULL;

    if (conn_settings_from_vars(&cs, &store, name, vars, err) == 0) {
        c = conn_new(&cs, err);
    }
    if (c && conn_open(c, err) < 0) {
        conn_free(c);
        c = NULL;
    }
    svec_release(&store);
    return c;
}

/* The host's connection for this task: kept across tasks, opened again when the task asks for
 * another transport (a connection keyword that differs from the previous task's). */
static int host_conn(struct exec_host *h, const struct pb_task *task, struct vars_scope *scope,
                     struct err *err)
{
    struct val *vars = val_dict();
    const char *want;

    if (conn_vars(task, scope, vars, err) < 0) {
        val_unref(vars);
        return -1;
    }
    want = val_dict_get_str(vars, "ansible_connection");
    if (h->conn && want && strcmp(want, h->conn->settings.transport) != 0 &&
        !(strcmp(h->conn->settings.transport, "ssh") == 0 &&
          (strcmp(want, "smart") == 0 || strcmp(want, "paramiko") == 0))) {
        conn_free(h->conn);
        h->conn = NULL;
    }
    if (!h->conn) {
        h->conn = open_conn(h->name, vars, err);
    }
    val_unref(vars);
    return h->conn ? 0 : -1;
}

/* --- delegate_to --- */

struct delegation {
    char *name;           /* owned: delegate_to, templated */
    struct exec_host *dh; /* borrowed: the inventory host it names, or NULL */
    struct val *vars;     /* owned dict: its connection variables */
};

static bool is_local_name(const char *name)
{
    return strcmp(name, "localhost") == 0 || strcmp(name, "127.0.0.1") == 0 ||
           strcmp(name, "::1") == 0;
}

/* Templates delegate_to; 0 with d->name NULL when the task is not delegated. */
static int delegation_init(struct exec_run *run, struct pb_task *task, struct exec_host *h,
                           struct vars_scope *scope, struct delegation *d, struct err *err)
{
    struct val *spec = pb_kw(task, "delegate_to");
    struct val *v = NULL;

    memset(d, 0, sizeof(*d));
    if (!spec || spec->type == VAL_NULL) {
        return 0;
    }
    v = tpl_template_value(spec, &scope->tpl, &spec->pos, err);
    if (!v) {
        return -1;
    }
    if (!val_cstr(v) || !*val_cstr(v)) {
        val_unref(v);
        return 0;
    }
    d->name = xstrdup(val_cstr(v));
    val_unref(v);
    d->vars = val_dict();
    for (size_t i = 0; i < run->hosts.len && !d->dh; i++) {
        struct exec_host *o = run->hosts.items[i];

        if (strcmp(o->name, d->name) == 0) {
            d->dh = o;
        }
    }
    if (d->dh) {
        struct vars_scope ds;
        int ret;

        exec_scope(run, task, d->dh, &ds);
        ret = conn_vars(task, &ds, d->vars, err);
        vars_scope_release(&ds);
        return ret;
    }
    if (is_local_name(d->name)) {
        val_dict_set_take(d->vars, "ansible_connection", val_str("local"));
    }
    (void)h;
    return 0;
}

static void delegation_release(struct delegation *d)
{
    free(d->name);
    val_unref(d->vars);
}

/* What the callback shows ("[h1 -> h3]") and where delegate_facts go, kept in the result. */
static void delegation_note(const struct delegation *d, struct result *res)
{
    struct val *dv = val_dict();
    const char *host = val_dict_get_str(d->vars, "ansible_host");

    val_dict_set_take(dv, "ansible_host", val_str(host ? host : d->name));
    val_dict_set_take(dv, "inventory_hostname", val_str(d->name));
    val_dict_set_take(res->data, "_ansible_delegated_vars", dv);
}

static void run_module(struct exec_run *run, struct pb_task *task, struct exec_host *h,
                       struct vars_scope *scope, const struct delegation *d, struct val *args,
                       struct result *res)
{
    struct conn *dconn = NULL;
    const struct module *m = module_find(task->action);
    struct margs margs = { 0 };
    struct module_ctx ctx = { 0 };
    struct err err = ERR_INIT;
    struct val *check = pb_kw(task, "check_mode");
    bool check_mode = check ? val_truthy(check) : run->opts->check;
    struct become become;
    struct svec store = SVEC_INIT;
    struct svec env = SVEC_INIT;
    int becoming;

    if (check_mode && !(m->flags & MOD_CHECK_MODE)) {
        res->status = RESULT_SKIPPED;
        res->msg = xstrdup("skipped, running in check mode");
        return;
    }
    if (margs_parse(m, args, &task->action_pos, &margs, &err) < 0) {
        fail_from_err(res, &err);
        return;
    }
    if (!(m->flags & MOD_LOCAL) && d->name) {
        dconn = open_conn(d->name, d->vars, &err);
    }
    if (!(m->flags & MOD_LOCAL) && (d->name ? !dconn : host_conn(h, task, scope, &err) < 0)) {
        res->status = RESULT_UNREACHABLE;
        res->msg = xstrdup(err.msg);
        margs_release(&margs);
        return;
    }
    ctx.conn = dconn ? dconn : h->conn;
    ctx.host_name = h->name;
    ctx.check_mode = check_mode;
    ctx.diff_mode = pb_kw(task, "diff") ? exec_kw_true(task, "diff") : run->opts->diff;
    if (strcmp(pb_action_short(task->action), "file") == 0) {
        /* Ansible's file module always returns its diff, shown with --diff even when the task
         * says diff: false */
        ctx.diff_mode = run->opts->diff || exec_kw_true(task, "diff");
    }
    ctx.task_dir = task->role ? task->role->path : task->dir;
    ctx.templates_dir = task->role ? task->role->path : task->dir;
    ctx.vars = scope->flat;
    ctx.scope = &scope->tpl;
    becoming = exec_task_become(task, scope, &become, &store, &err);
    if (becoming < 0 || exec_task_env(task, scope, &env, &err) < 0) {
        fail_from_err(res, &err);
    } else {
        ctx.become = becoming ? &become : NULL;
        ctx.env = env.len ? env.items : NULL;
        if (m->run(&ctx, &margs, res, &err) < 0) {
            report_run_error(res, &err);
        }
    }
    svec_release(&env);
    svec_release(&store);
    margs_release(&margs);
    conn_free(dconn);
}

static void run_action(struct exec_run *run, struct pb_task *task, struct exec_host *h,
                       struct vars_scope *scope, const struct delegation *d, struct result *res)
{
    struct err err = ERR_INIT;
    struct val *args = tpl_template_value(task->args, &scope->tpl, &task->action_pos, &err);

    if (!args) {
        fail_from_err(res, &err);
        return;
    }
    args = drop_omitted(args);
    if (exec_is_special(task->action)) {
        exec_special(run, task, h, scope, args, res);
    } else {
        run_module(run, task, h, scope, d, args, res);
    }
    val_unref(args);
}

/* Puts status, changed, failed (false too, as Ansible) and msg into res->data, as register
 * stores them. */
static void finish_data(struct result *res)
{
    if (!res->data) {
        res->data = val_dict();
    }
    if (res->msg && !val_dict_has(res->data, "msg")) {
        val_dict_set_take(res->data, "msg", val_str(res->msg));
    }
    if (res->status != RESULT_FAILED || !val_dict_has(res->data, "changed")) {
        val_dict_set_take(res->data, "changed", val_bool(res->status == RESULT_CHANGED));
    }
    if (res->status == RESULT_FAILED) {
        val_dict_set_take(res->data, "failed", val_bool(true));
    } else if (res->status == RESULT_SKIPPED) {
        val_dict_set_take(res->data, "skipped", val_bool(true));
    } else if (res->status == RESULT_UNREACHABLE) {
        val_dict_set_take(res->data, "unreachable", val_bool(true));
    } else {
        val_dict_set_take(res->data, "failed", val_bool(false));
    }
}

static bool data_changed(const struct result *res)
{
    struct val *changed = val_dict_get(res->data, "changed");

    return changed && val_truthy(changed);
}

/* changed_when / failed_when, with the result visible under the register name. */
static void apply_when_overrides(struct pb_task *task, struct vars_scope *scope, struct result *res)
{
    struct val *cw = pb_kw_own(task, "changed_when");
    struct val *fw = pb_kw_own(task, "failed_when");
    struct val *reg = pb_kw_own(task, "register");
    struct val *overlay = scope->overlay ? val_copy(scope->overlay) : val_dict();
    struct err err = ERR_INIT;
    bool v, changed, failed;

    if ((!cw && !fw) || res->status == RESULT_SKIPPED || res->status == RESULT_UNREACHABLE) {
        val_unref(overlay);
        return;
    }
    finish_data(res);
    if (reg && val_cstr(reg)) {
        val_dict_set(overlay, val_cstr(reg), res->data);
    }
    vars_scope_set_overlay(scope, overlay);
    changed = data_changed(res);
    failed = res->status == RESULT_FAILED;
    if (cw) {
        if (eval_conditions(cw, scope, &changed, &err) < 0) {
            fail_from_err(res, &err);
            return;
        }
    }
    if (fw) {
        if (eval_conditions(fw, scope, &v, &err) < 0) {
            fail_from_err(res, &err);
            return;
        }
        failed = v;
        val_dict_set_take(res->data, "failed_when_result", val_bool(v));
    }
    res->status = failed ? RESULT_FAILED : changed ? RESULT_CHANGED : RESULT_OK;
    val_dict_set_take(res->data, "changed", val_bool(changed));
}

static int64_t kw_int(struct pb_task *task, struct vars_scope *scope, const char *name, int64_t def)
{
    struct val *v = pb_kw_own(task, name);
    struct err err = ERR_INIT;
    struct val *t = v ? tpl_template_value(v, &scope->tpl, &v->pos, &err) : NULL;
    int64_t out = def;

    if (t && t->type == VAL_INT) {
        out = t->u.i;
    } else if (t && val_cstr(t)) {
        out = strtoll(val_cstr(t), NULL, 10);
    }
    val_unref(t);
    return out;
}

static void report_retry(struct exec_notes *notes, struct pb_task *task, struct exec_host *h,
                         int64_t left)
{
    char *name = task->name ? xstrdup(task->name) : exec_task_name(task);
    char *line = xasprintf("FAILED - RETRYING: [%s]: %s (%lld retries left).", h->name, name,
                           (long long)left);

    exec_note_message(notes, line);
    free(name);
}

/* Runs the action, repeating while `until` is false. */
static void run_with_until(struct exec_run *run, struct pb_task *task, struct exec_host *h,
                           struct vars_scope *scope, const struct delegation *d, struct result *res,
                           struct exec_notes *notes)
{
    struct val *until = pb_kw_own(task, "until");
    int64_t retries = until ? kw_int(task, scope, "retries", 3) : 0;
    int64_t delay = kw_int(task, scope, "delay", 5);
    struct val *base = scope->overlay ? val_ref(scope->overlay) : NULL;

    for (int64_t attempt = 1;; attempt++) {
        struct err err = ERR_INIT;
        bool ok = true;

        run_action(run, task, h, scope, d, res);
        apply_when_overrides(task, scope, res);
        if (!until || res->status == RESULT_UNREACHABLE) {
            break;
        }
        finish_data(res);
        val_dict_set_take(res->data, "attempts", val_int(attempt));
        vars_scope_set_overlay(scope, base ? val_copy(base) : val_dict());
        if (pb_kw_own(task, "register")) {
            val_dict_set(scope->overlay, val_cstr(pb_kw_own(task, "register")), res->data);
        }
        if (eval_conditions(until, scope, &ok, &err) < 0) {
            fail_from_err(res, &err);
            break;
        }
        if (ok || attempt > retries) {
            if (!ok) {
                /* Ansible reports one attempt less than it made */
                res->status = RESULT_FAILED;
                val_dict_set_take(res->data, "attempts", val_int(retries));
            }
            break;
        }
        report_retry(notes, task, h, retries + 1 - attempt);
        result_release(res);
        result_init(res);
        if (delay > 0) {
            sleep((unsigned)delay);
        }
    }
    if (base) {
        vars_scope_set_overlay(scope, base);
    }
}

static void skip_result(struct result *res)
{
    res->status = RESULT_SKIPPED;
    val_unref(res->data);
    res->data = val_dict();
    val_dict_set_take(res->data, "skip_reason", val_str("Conditional result was False"));
}

/* Ansible's boolean(value, strict=True): 1 true, 0 false, -1 not a boolean. */
static int strict_boolean(const struct val *v)
{
    static const char *const yes[] = { "y", "yes", "on", "1", "true", "t" };
    static const char *const no[] = { "n", "no", "off", "0", "false", "f" };
    const char *text;
    size_t len;

    if (v->type == VAL_BOOL) {
        return v->u.b;
    }
    if (v->type == VAL_INT || v->type == VAL_DOUBLE) {
        double d = v->type == VAL_INT ? (double)v->u.i : v->u.d;

        return d == 1.0 ? 1 : d == 0.0 ? 0 : -1;
    }
    if (v->type != VAL_STR) {
        return -1;
    }
    text = v->u.s.ptr + strspn(v->u.s.ptr, " \t\n\r\f\v");
    len = strlen(text);
    while (len > 0 && strchr(" \t\n\r\f\v", text[len - 1])) {
        len--;
    }
    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        if (strlen(yes[i]) == len && strncasecmp(text, yes[i], len) == 0) {
            return 1;
        }
        if (strlen(no[i]) == len && strncasecmp(text, no[i], len) == 0) {
            return 0;
        }
    }
    return -1;
}

/* ignore_errors (inherited from blocks and roles), templated with the host's variables and
 * read as a strict boolean, as TaskExecutor's post_validate does. */
static int eval_ignore_errors(struct pb_task *task, struct vars_scope *scope, bool *out,
                              struct err *err)
{
    struct val *kw = pb_kw(task, "ignore_errors");
    struct val *v = NULL;
    struct buf text = BUF_INIT;
    int b;

    *out = false;
    if (!kw || kw->type == VAL_NULL) {
        return 0;
    }
    v = tpl_template_value(kw, &scope->tpl, &kw->pos, err);
    if (!v) {
        return err_prefix(err, "The field 'ignore_errors' has an invalid value, which includes "
                               "an undefined variable. The error was: ");
    }
    b = v->type == VAL_NULL ? 0 : strict_boolean(v);
    if (b < 0) {
        val_to_pystr(v, &text);
        err_at(err, ERR_TEMPLATE, &kw->pos,
               "the field 'ignore_errors' has an invalid value (%s), and could not be converted "
               "to an bool.The error was: The value '%s' is not a valid boolean.  Valid booleans "
               "include: 0, 'on', 'f', 'false', 1, 'no', 'n', '1', '0', 't', 'y', 'off', 'yes', "
               "'true'",
               text.ptr, text.ptr);
        buf_release(&text);
    }
    val_unref(v);
    *out = b > 0;
    return b < 0 ? -1 : 0;
}

/* Keeps a changed result's --diff text where the default callback finds it. */
static void keep_diff(struct result *res)
{
    if (res->diff.len > 0 && res->status == RESULT_CHANGED) {
        val_dict_set_take(res->data, OUT_DIFF_KEY, val_str(res->diff.ptr));
    }
}

/* when, then the action; fills res. */
static void run_once(struct exec_run *run, struct pb_task *task, struct exec_host *h,
                     struct vars_scope *scope, struct result *res, struct exec_notes *notes)
{
    struct delegation d;
    struct err err = ERR_INIT;
    bool ok;
    bool ignore = false;

    if (eval_when_chain(task, task, scope, &ok, &err) < 0) {
        fail_from_err(res, &err);
    } else if (!ok) {
        skip_result(res);
    } else if (eval_ignore_errors(task, scope, &ignore, &err) < 0) {
        /* the strategy then sees the raw, untemplated value: a non-empty string ignores */
        fail_from_err(res, &err);
        ignore = val_truthy(pb_kw(task, "ignore_errors"));
    } else if (delegation_init(run, task, h, scope, &d, &err) < 0) {
        fail_from_err(res, &err);
        delegation_release(&d);
    } else {
        run_with_until(run, task, h, scope, &d, res, notes);
        finish_data(res);
        /* a host delegating to itself shows no arrow */
        if (d.name && strcmp(d.name, h->name) != 0) {
            delegation_note(&d, res);
        }
        delegation_release(&d);
    }
    finish_data(res);
    keep_diff(res);
    if (ignore) {
        val_dict_set_take(res->data, EXEC_IGNORE_KEY, val_bool(true));
    }
}

/* --- loops --- */

/* The subdirectory a with_ loop's file lookups search, picked from the action's name as
 * Ansible's task executor does (with_first_found on template: templates/). */
static const char *loop_subdir(const struct pb_task *task)
{
    const char *a = task->action ? task->action : "";

    return strstr(a, "template") ? "templates" : strstr(a, "var") ? "vars" : "files";
}

/* with_first_found templates its terms without failing on undefined variables: a term that
 * does not render is dropped, as Ansible drops the ones left untemplated. */
static struct val *lenient_terms(struct val *spec, struct vars_scope *scope, struct err *err)
{
    struct val *out;

    if (spec->type != VAL_LIST) {
        return tpl_template_value(spec, &scope->tpl, &spec->pos, err);
    }
    out = val_list();
    for (size_t i = 0; i < val_list_len(spec); i++) {
        struct err e = ERR_INIT;
        struct val *t = tpl_template_value(val_list_get(spec, i), &scope->tpl, &spec->pos, &e);

        if (t) {
            val_list_push_take(out, t);
        }
    }
    return out;
}

/* with_<lookup>: the lookup's list over the templated terms (a string or other scalar is a list
 * of one, as listify_lookup_plugin_terms makes it; items/list/... see a dict's keys). */
static struct val *with_items(struct pb_task *task, const char *kind, struct val *spec,
                              struct vars_scope *scope, struct err *err)
{
    const char *plugin = kind + 5;
    struct val *terms, *items;

    terms = strcmp(plugin, "first_found") == 0
                ? lenient_terms(spec, scope, err)
                : tpl_template_value(spec, &scope->tpl, &spec->pos, err);
    if (!terms) {
        return NULL;
    }
    if (terms->type != VAL_LIST) {
        struct val *one = val_list();

        /* a plugin iterating a dict as its terms sees its keys (with_dict takes it whole) */
        bool keys = terms->type == VAL_DICT && strcmp(plugin, "dict") != 0;

        for (size_t i = 0; keys && i < val_dict_len(terms); i++) {
            val_list_push_take(one, val_str(val_dict_key_at(terms, i)));
        }
        if (!keys) {
            val_list_push(one, terms);
        }
        val_unref(terms);
        terms = one;
    }
    items = tpl_lookup(plugin, terms, NULL, loop_subdir(task), &scope->tpl, err);
    val_unref(terms);
    if (!items && !err->pos.file) {
        err->pos = spec->pos;
    }
    return items;
}

static struct val *loop_items(struct pb_task *task, struct vars_scope *scope, struct err *err)
{
    struct val *spec = pb_kw_own(task, "loop");
    const char *kind = "loop";
    struct val *items = NULL;

    for (size_t i = 0; !spec && i < val_dict_len(task->kw); i++) {
        if (strncmp(val_dict_key_at(task->kw, i), "with_", 5) == 0) {
            kind = val_dict_key_at(task->kw, i);
            spec = val_dict_value_at(task->kw, i);
        }
    }
    if (!spec) {
        return NULL;
    }
    if (strcmp(kind, "loop") != 0) {
        return with_items(task, kind, spec, scope, err);
    }
    items = tpl_template_value(spec, &scope->tpl, &spec->pos, err);
    if (items && items->type != VAL_LIST) {
        err_at(err, ERR_TEMPLATE, &spec->pos,
               "Invalid data passed to 'loop', it requires a list, got this instead: %s",
               val_type_name(items->type));
        val_unref(items);
        return NULL;
    }
    return items;
}

static struct val *loop_overlay(struct val *lc, struct val *item, size_t i, size_t n)
{
    struct val *o = val_dict();
    const char *var = lc ? val_dict_get_str(lc, "loop_var") : NULL;
    const char *index_var = lc ? val_dict_get_str(lc, "index_var") : NULL;
    struct val *al = val_dict();

    val_dict_set(o, var ? var : "item", item);
    val_dict_set_take(o, "ansible_loop_var", val_str(var ? var : "item"));
    if (index_var) {
        val_dict_set_take(o, index_var, val_int((int64_t)i));
        val_dict_set_take(o, "ansible_index_var", val_str(index_var));
    }
    val_dict_set_take(al, "index", val_int((int64_t)i + 1));
    val_dict_set_take(al, "index0", val_int((int64_t)i));
    val_dict_set_take(al, "first", val_bool(i == 0));
    val_dict_set_take(al, "last", val_bool(i + 1 == n));
    val_dict_set_take(al, "length", val_int((int64_t)n));
    val_dict_set_take(al, "revindex", val_int((int64_t)(n - i)));
    val_dict_set_take(al, "revindex0", val_int((int64_t)(n - i - 1)));
    val_dict_set_take(o, "ansible_loop", al);
    return o;
}

static char *item_label(struct val *lc, struct val *item, struct vars_scope *scope)
{
    struct val *label = lc ? val_dict_get(lc, "label") : NULL;
    struct err err = ERR_INIT;
    struct val *t = label ? tpl_template_value(label, &scope->tpl, &label->pos, &err) : NULL;
    struct buf b = BUF_INIT;

    val_to_pystr(t ? t : item, &b);
    val_unref(t);
    return buf_detach(&b, NULL);
}

static void report_item(struct exec_run *run, struct pb_task *task, struct exec_host *h,
                        struct result *r, const char *label, bool no_log, struct exec_notes *notes)
{
    struct out_event ev = { 0 };

    ev.host = h->name;
    ev.status = r->status;
    ev.item_label = no_log ? "None" : label;
    ev.data = r->data;
    ev.is_debug = strcmp(pb_action_short(task->action), "debug") == 0;
    ev.verbose = run->opts->verbosity > 0 || val_dict_has(r->data, "_ansible_verbose_always");
    ev.indent = run->opts->verbosity > 2 || val_dict_has(r->data, "_ansible_verbose_always");
    exec_note_event(notes, &ev);
}

static void aggregate(struct result *res, struct val *results, bool any_failed, bool any_changed,
                      bool all_skipped)
{
    val_unref(res->data);
    res->data = val_dict();
    val_dict_set_take(res->data, "results", results);
    for (size_t i = val_list_len(results); i > 0; i--) {
        struct val *dv = val_dict_get(val_list_get(results, i - 1), "_ansible_delegated_vars");

        if (dv) {
            val_dict_set(res->data, "_ansible_delegated_vars", dv);
            break;
        }
    }
    if (all_skipped) {
        res->status = RESULT_SKIPPED;
        val_dict_set_take(res->data, "msg", val_str("All items skipped"));
    } else if (any_failed) {
        res->status = RESULT_FAILED;
        val_dict_set_take(res->data, "changed", val_bool(any_changed));
        val_dict_set_take(res->data, "msg", val_str("One or more items failed"));
    } else {
        res->status = any_changed ? RESULT_CHANGED : RESULT_OK;
        val_dict_set_take(res->data, "msg", val_str("All items completed"));
    }
    finish_data(res);
    if (res->status != RESULT_FAILED) {
        /* Ansible's loop summary has no failed: false, but skipped: false */
        val_dict_del(res->data, "failed");
    }
    if (res->status != RESULT_SKIPPED) {
        val_dict_set_take(res->data, "skipped", val_bool(false));
    }
}

static void censor(struct result *res)
{
    struct val *d = val_dict();

    val_dict_set_take(d, "censored", val_str(NO_LOG_MSG));
    val_dict_set_take(d, "changed", val_bool(res->status == RESULT_CHANGED));
    if (res->status == RESULT_FAILED) {
        val_dict_set_take(d, "failed", val_bool(true));
    }
    if (val_dict_has(res->data, EXEC_IGNORE_KEY)) {
        val_dict_set(d, EXEC_IGNORE_KEY, val_dict_get(res->data, EXEC_IGNORE_KEY));
    }
    val_unref(res->data);
    res->data = d;
}

static void run_loop(struct exec_run *run, struct pb_task *task, struct exec_host *h,
                     struct vars_scope *scope, struct val *items, struct result *res,
                     struct exec_notes *notes)
{
    struct val *lc = pb_kw_own(task, "loop_control");
    struct val *results = val_list();
    bool any_failed = false, any_changed = false, all_skipped = true, ignore = false;
    bool no_log = pb_kw(task, "no_log") && val_truthy(pb_kw(task, "no_log"));
    size_t n = val_list_len(items);

    for (size_t i = 0; i < n; i++) {
        struct val *item = val_list_get(items, i);
        struct result r;
        char *label;

        result_init(&r);
        vars_scope_set_overlay(scope, loop_overlay(lc, item, i, n));
        run_once(run, task, h, scope, &r, notes);
        label = item_label(lc, item, scope);
        val_dict_set(r.data, val_dict_get_str(scope->overlay, "ansible_loop_var"), item);
        val_dict_set(r.data, "ansible_loop_var", val_dict_get(scope->overlay, "ansible_loop_var"));
        if (no_log) {
            censor(&r);
        }
        report_item(run, task, h, &r, label, no_log, notes);
        ignore = ignore || val_dict_has(r.data, EXEC_IGNORE_KEY);
        any_failed = any_failed || r.status == RESULT_FAILED;
        /* as TaskExecutor: a failed item that reports changed makes the loop changed too */
        any_changed = any_changed || r.status == RESULT_CHANGED || data_changed(&r);
        all_skipped = all_skipped && r.status == RESULT_SKIPPED;
        val_list_push(results, r.data);
        free(label);
        result_release(&r);
    }
    aggregate(res, results, any_failed, any_changed, all_skipped && n > 0);
    if (ignore) {
        val_dict_set_take(res->data, EXEC_IGNORE_KEY, val_bool(true));
    }
    if (n == 0) {
        res->status = RESULT_SKIPPED;
        val_dict_set_take(res->data, "skipped", val_bool(true));
        val_dict_set_take(res->data, "skipped_reason", val_str("No items in the list"));
    }
}

void exec_task_on_host(struct exec_run *run, struct pb_task *task, struct exec_host *h,
                       struct result *res, struct exec_notes *notes)
{
    struct vars_scope scope;
    struct err err = ERR_INIT;
    struct val *items = NULL;
    struct val *no_log = pb_kw(task, "no_log");

    exec_scope(run, task, h, &scope);
    items = loop_items(task, &scope, &err);
    if (err.kind) {
        /* a loop whose items fail (a lookup's error) is a failed result ignore_errors covers */
        struct err ie = ERR_INIT;
        bool ignore = false;

        fail_from_err(res, &err);
        finish_data(res);
        if (eval_ignore_errors(task, &scope, &ignore, &ie) < 0) {
            ignore = val_truthy(pb_kw(task, "ignore_errors"));
        }
        if (ignore) {
            val_dict_set_take(res->data, EXEC_IGNORE_KEY, val_bool(true));
        }
    } else if (items) {
        run_loop(run, task, h, &scope, items, res, notes);
    } else {
        run_once(run, task, h, &scope, res, notes);
    }
    if (no_log && val_truthy(no_log)) {
        censor(res);
    }
    val_unref(items);
    vars_scope_release(&scope);
}

/* "skipping: [h] => (item=LABEL) " for an item of an include loop whose when: is false. */
static void report_skipped_item(struct exec_run *run, struct pb_task *task, struct exec_host *h,
                                struct val *lc, struct val *item, struct vars_scope *scope)
{
    const struct val *no_log = pb_kw(task, "no_log");
    char *label = item_label(lc, item, scope);
    struct out_event ev = { .host = h->name, .status = RESULT_SKIPPED };

    ev.item_label = no_log && val_truthy(no_log) ? "None" : label;
    out_host_result(run->out, &ev);
    free(label);
}

int exec_include_entries(struct exec_run *run, struct pb_task *task, struct exec_host *h,
                         struct val *out, struct err *err)
{
    bool role = strcmp(pb_action_short(task->action), "include_role") == 0;
    struct val *name = val_dict_get(task->args, "_raw_params");
    struct val *lc = pb_kw_own(task, "loop_control");
    struct vars_scope scope;
    struct val *items = NULL;
    size_t n;
    int ret = -1;

    if (!name) {
        name = val_dict_get(task->args, role ? "name" : "file");
    }
    if (!name) {
        return err_at(err, ERR_PARSE, &task->action_pos, "'%s' needs a file name", task->action);
    }
    exec_scope(run, task, h, &scope);
    items = loop_items(task, &scope, err);
    if (err->kind) {
        goto out;
    }
    n = items ? val_list_len(items) : 1;
    for (size_t i = 0; i < n; i++) {
        struct val *entry = NULL;
        struct val *file = NULL;
        bool ok = true;

        if (items) {
            vars_scope_set_overlay(&scope, loop_overlay(lc, val_list_get(items, i), i, n));
        }
        if (eval_when_chain(task, task, &scope, &ok, err) < 0) {
            goto out;
        }
        if (!ok) {
            if (items) {
                report_skipped_item(run, task, h, lc, val_list_get(items, i), &scope);
            }
            continue;
        }
        file = tpl_template_value(name, &scope.tpl, &name->pos, err);
        if (!file) {
            goto out;
        }
        entry = val_dict();
        val_dict_set_take(entry, "file", file);
        if (items) {
            char *label = item_label(lc, val_list_get(items, i), &scope);

            val_dict_set_take(entry, "label", val_str_take(label, strlen(label)));
            val_dict_set(entry, "vars", scope.overlay);
        }
        val_list_push_take(out, entry);
    }
    ret = 0;
out:
    val_unref(items);
    vars_scope_release(&scope);
    return ret;
}
