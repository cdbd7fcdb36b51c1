/*
 * exec-env.c - the per-task settings a module runs with besides its arguments: `environment:`
 * (merged from the play down through blocks to the task, inner keys winning, values templated)
 * and privilege escalation (ansible_become, ansible_become_user and ansible_become_method when
 * set, else the become, become_user and become_method keywords, as in Ansible; the password from
 * ansible_become_password / ansible_become_pass, registered as a secret). Below the keywords:
 * ANSIBLE_BECOME, ANSIBLE_BECOME_METHOD, ANSIBLE_BECOME_USER (ansible.cfg, -b, --become-method,
 * --become-user) and the password -K asked for.
 */
#include "pot.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "base/log.h"
#include "base/strutil.h"
#include "conn/conn-settings.h"
#include "conn/conn.h"
#include "exec/exec.h"
#include "playbook/pb.h"
#include "value/val.h"

static void add_env_dict(struct val *merged, struct val *env)
{
    for (size_t i = 0; env && env->type == VAL_DICT && i < val_dict_len(env); i++) {
        val_dict_set(merged, val_dict_key_at(env, i), val_dict_value_at(env, i));
    }
}

static void collect_env(const struct pb_task *t, struct val *merged)
{
    if (!t) {
        return;
    }
    collect_env(t->parent, merged);
    add_env_dict(merged, pb_kw_own(t, "environment"));
}

int exec_task_env(const struct pb_task *task, struct vars_scope *scope, struct svec *out,
                  struct err *err)
{
    struct val *merged = val_dict();
    struct val *env = NULL;
    struct val *raw = task->play ? val_dict_get(task->play->kw, "environment") : NULL;

    add_env_dict(merged, raw);
    collect_env(task, merged);
    env = tpl_template_value(merged, &scope->tpl, raw ? &raw->pos : &task->pos, err);
    val_unref(merged);
    if (!env) {
        return -1;
    }
    for (size_t i = 0; i < val_dict_len(env); i++) {
        struct buf text = BUF_INIT;

        val_to_pystr(val_dict_value_at(env, i), &text);
        svec_pushf(out, "%s=%s", val_dict_key_at(env, i), text.ptr);
        buf_release(&text);
    }
    val_unref(env);
    return 0;
}

static int templated_kw(const struct pb_task *task, struct vars_scope *scope, const char *name,
                        struct svec *store, const char **out, struct err *err)
{
    struct val *raw = pb_kw(task, name);
    struct val *v = raw ? tpl_template_value(raw, &scope->tpl, &raw->pos, err) : NULL;

    *out = NULL;
    if (raw && !v) {
        return -1;
    }
    if (v && v->type != VAL_NULL) {
        struct buf text = BUF_INIT;

        val_to_pystr(v, &text);
        svec_push(store, text.ptr);
        *out = store->items[store->len - 1];
        buf_release(&text);
    }
    val_unref(v);
    return 0;
}

static int become_password(struct vars_scope *scope, struct svec *store, const char **out,
                           struct err *err)
{
    static const char *const names[] = { "ansible_become_password", "ansible_become_pass" };

    *out = NULL;
    for (size_t i = 0; i < ARRAY_SIZE(names) && !*out; i++) {
        struct val *v = vars_get(scope, names[i], err);

        if (!v && err->kind != ERR_NONE) {
            return -1;
        }
        if (v && val_cstr(v)) {
            svec_push(store, val_cstr(v));
            *out = store->items[store->len - 1];
            log_add_secret(*out);
        }
        val_unref(v);
    }
    return 0;
}

/* The connection variable 'var' when set (ansible_become_user...), else the keyword 'kw': in
 * Ansible the variables win over the play's and task's keywords. */
static int var_or_kw(const struct pb_task *task, struct vars_scope *scope, const char *var,
                     const char *kw, struct svec *store, const char **out, struct err *err)
{
    struct val *v = vars_get(scope, var, err);

    if (!v && err->kind != ERR_NONE) {
        return -1;
    }
    if (v && v->type != VAL_NULL) {
        struct buf text = BUF_INIT;

        val_to_pystr(v, &text);
        svec_push(store, text.ptr);
        *out = store->items[store->len - 1];
        buf_release(&text);
        val_unref(v);
        return 0;
    }
    val_unref(v);
    return templated_kw(task, scope, kw, store, out, err);
}

/* ansible_become when set, else the `become` keyword. */
static int become_wanted(const struct pb_task *task, struct vars_scope *scope, bool *on,
                         struct err *err)
{
    struct val *v = vars_get(scope, "ansible_become", err);

    if (!v && err->kind != ERR_NONE) {
        return -1;
    }
    if (v && v->type != VAL_NULL) {
        *on = val_truthy(v) && !(val_cstr(v) && (strcasecmp(val_cstr(v), "false") == 0 ||
                                                  strcasecmp(val_cstr(v), "no") == 0));
    } else if (pb_kw(task, "become")) {
        *on = exec_kw_true(task, "become");
    } else {
        *on = str_ansible_bool(getenv("ANSIBLE_BECOME")) == 1; /* ansible.cfg, -b */
    }
    val_unref(v);
    return 0;
}

/* ANSIBLE_BECOME_METHOD / _USER (ansible.cfg, --become-method, --become-user) below the keyword. */
static void env_default(const char **out, const char *name)
{
    const char *v = getenv(name);

    if (!*out && v && *v) {
        *out = v;
    }
}

int exec_task_become(const struct pb_task *task, struct vars_scope *scope, struct become *b,
                     struct svec *store, struct err *err)
{
    const char *method = NULL;
    bool on = false;

    memset(b, 0, sizeof(*b));
    if (become_wanted(task, scope, &on, err) < 0) {
        return -1;
    }
    if (!on) {
        return 0;
    }
    if (var_or_kw(task, scope, "ansible_become_method", "become_method", store, &method, err) < 0 ||
        var_or_kw(task, scope, "ansible_become_user", "become_user", store, &b->user, err) < 0 ||
        become_password(scope, store, &b->password, err) < 0) {
        return -1;
    }
    env_default(&method, "ANSIBLE_BECOME_METHOD");
    env_default(&b->user, "ANSIBLE_BECOME_USER");
    if (!b->password) {
        b->password = conn_settings_prompted_become_password();
    }
    if (!method || strcmp(method, "sudo") == 0) {
        b->method = BECOME_SUDO;
    } else if (strcmp(method, "su") == 0) {
        b->method = BECOME_SU;
    } else {
        struct val *raw = pb_kw(task, "become_method");

        return raw ? err_at(err, ERR_USAGE, &raw->pos,
                            "unsupported become_method '%s' (sudo or su)", method)
                   : err_set(err, ERR_USAGE,
                             "unsupported ansible_become_method '%s' (sudo or su)", method);
    }
    return 1;
}
