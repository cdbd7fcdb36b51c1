/*
 * exec-check.c - whole-playbook validation before the first task runs: every action is a known
 * module or controller action, its arguments match the module's arg_spec, and every template
 * (arguments, keywords, conditions) compiles, and every strategy is one pot runs. The first
 * problem is reported at file:line:col.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/strutil.h"
#include "exec/exec.h"
#include "modules/args.h"
#include "playbook/pb.h"
#include "template/tpl.h"
#include "value/val.h"

static const char *const condition_keys[] = { "when", "changed_when", "failed_when", "until",
                                              NULL };

static int compile_text(const char *text, const struct srcpos *pos, struct err *err)
{
    struct tpl_opts opts = { 0 };
    struct tpl *t;

    opts.name = pos->file;
    opts.first_line = pos->line;
    opts.first_col = pos->col;
    t = tpl_compile(text, strlen(text), &opts, err);
    if (!t) {
        if (!err->pos.file && pos->file) {
            err->pos = *pos;
        }
        return -1;
    }
    tpl_free(t);
    return 0;
}

/* Every string with markup in 'v' must compile. */
static int check_templates(const struct val *v, struct err *err)
{
    switch (v->type) {
    case VAL_STR:
        if ((v->flags & VAL_UNSAFE) || !tpl_is_template(v->u.s.ptr)) {
            return 0;
        }
        return compile_text(v->u.s.ptr, &v->pos, err);
    case VAL_LIST:
        for (size_t i = 0; i < v->u.list.len; i++) {
            if (check_templates(v->u.list.items[i], err) < 0) {
                return -1;
            }
        }
        return 0;
    case VAL_DICT:
        for (size_t i = 0; i < v->u.dict.len; i++) {
            if (check_templates(v->u.dict.values[i], err) < 0) {
                return -1;
            }
        }
        return 0;
    default:
        return 0;
    }
}

/* A bare expression (when: x == 1) must compile as one. */
static int check_condition(const struct val *v, struct err *err)
{
    struct buf text = BUF_INIT;
    int ret = 0;

    if (v->type == VAL_LIST) {
        for (size_t i = 0; i < v->u.list.len && ret == 0; i++) {
            ret = check_condition(v->u.list.items[i], err);
        }
        return ret;
    }
    if (v->type != VAL_STR) {
        return 0;
    }
    if (tpl_is_template(v->u.s.ptr)) {
        return compile_text(v->u.s.ptr, &v->pos, err);
    }
    buf_addf(&text, "{{ %s }}", v->u.s.ptr);
    ret = compile_text(text.ptr, &v->pos, err);
    buf_release(&text);
    return ret;
}

static int check_keywords(const struct val *kw, struct err *err)
{
    for (size_t i = 0; i < val_dict_len(kw); i++) {
        const char *key = val_dict_key_at(kw, i);
        struct val *v = val_dict_value_at(kw, i);
        bool is_cond = false;

        if (str_starts_with(key, "with_") && !tpl_lookup_exists(key + 5)) {
            return err_at(err, ERR_PARSE, &v->pos,
                          "'%s': pot has no lookup plugin '%s'", key,
                          key + 5);
        }
        for (size_t c = 0; condition_keys[c]; c++) {
            is_cond = is_cond || strcmp(condition_keys[c], key) == 0;
        }
        if ((is_cond ? check_condition(v, err) : check_templates(v, err)) < 0) {
            return -1;
        }
    }
    return 0;
}

struct special_spec {
    const char *name;
    const char *args; /* comma-separated accepted keys; NULL = any */
};

static const struct special_spec special_specs[] = {
    { "assert", ",that,fail_msg,msg,success_msg,quiet," },
    { "debug", ",msg,var,verbosity," },
    { "fail", ",msg," },
    { "include_vars", ",file,_raw_params,name,dir," },
    { "meta", ",_raw_params," },
    { "pause", ",seconds,minutes,prompt,echo," },
    { "set_fact", NULL },
};

static int check_special(struct pb_task *t, struct err *err)
{
    const char *name = pb_action_short(t->action);

    for (size_t i = 0; i < ARRAY_SIZE(special_specs); i++) {
        const char *accepted = special_specs[i].args;

        if (strcmp(special_specs[i].name, name) != 0 || !accepted) {
            continue;
        }
        for (size_t k = 0; k < val_dict_len(t->args); k++) {
            const char *key = val_dict_key_at(t->args, k);
            struct buf probe = BUF_INIT;
            bool ok;

            buf_addf(&probe, ",%s,", key);
            ok = strstr(accepted, probe.ptr) != NULL;
            buf_release(&probe);
            if (!ok) {
                struct val *v = val_dict_value_at(t->args, k);

                return err_at(err, ERR_PARSE, v->pos.line ? &v->pos : &t->action_pos,
                              "unsupported parameter '%s' for module '%s'; supported "
                              "parameters: %.*s", key, name,
                              (int)strlen(accepted + 1) - 1, accepted + 1);
            }
        }
        if (strcmp(name, "assert") == 0 && !val_dict_has(t->args, "that")) {
            return err_at(err, ERR_PARSE, &t->action_pos,
                          "missing required arguments: that (module 'assert')");
        }
    }
    return 0;
}

static bool has_template(const struct val *v)
{
    switch (v->type) {
    case VAL_STR:
        return !(v->flags & VAL_UNSAFE) && tpl_is_template(v->u.s.ptr);
    case VAL_LIST:
        for (size_t i = 0; i < v->u.list.len; i++) {
            if (has_template(v->u.list.items[i])) {
                return true;
            }
        }
        return false;
    case VAL_DICT:
        for (size_t i = 0; i < v->u.dict.len; i++) {
            if (has_template(v->u.dict.values[i])) {
                return true;
            }
        }
        return false;
    default:
        return false;
    }
}

/* Arguments written without any template can be converted to their types now: a 'mode: rwx' or
 * 'force: maybe' stops the run before any host is touched, as it would fail on every host. */
static int check_literal_types(const struct module *m, struct pb_task *t, struct err *err)
{
    struct margs parsed = { 0 };

    if (!t->args || has_template(t->args)) {
        return 0;
    }
    if (margs_parse(m, t->args, &t->action_pos, &parsed, err) < 0) {
        err->kind = ERR_PARSE;
        return -1;
    }
    margs_release(&parsed);
    return 0;
}

static int check_task(struct pb_task *t, struct err *err)
{
    if (t->kind == PB_TASK) {
        const struct module *m = NULL;

        if (strcmp(pb_action_short(t->action), "include_tasks") == 0 ||
            strcmp(pb_action_short(t->action), "include_role") == 0) {
            return 0; /* dynamic: checked when it is loaded */
        }
        if (exec_is_special(t->action)) {
            if (check_special(t, err) < 0) {
                return -1;
            }
        } else {
            m = module_find(t->action);
            if (!m) {
                return err_at(err, ERR_PARSE, &t->action_pos,
                              "couldn't resolve module/action '%s'", t->action);
            }
            if (margs_check(m, t->args, &t->action_pos, err) < 0 ||
                check_literal_types(m, t, err) < 0) {
                return -1;
            }
        }
        if (check_templates(t->args, err) < 0) {
            return -1;
        }
    }
    return check_keywords(t->kw, err);
}

static int check_list(struct vec *list, struct err *err)
{
    for (size_t i = 0; i < list->len; i++) {
        struct pb_task *t = list->items[i];

        if (check_task(t, err) < 0 || check_list(&t->block, err) < 0 ||
            check_list(&t->rescue, err) < 0 || check_list(&t->always, err) < 0) {
            return -1;
        }
    }
    return 0;
}

/* The play's strategy keyword names one pot runs (linear, free, host_pinned); a template is
 * left to run time. */
static int check_strategy(const struct pb_play *play, struct err *err)
{
    static const char *const known[] = { "linear", "free", "host_pinned",
                                         "ansible.builtin.linear", "ansible.builtin.free",
                                         "ansible.builtin.host_pinned" };
    struct val *v = val_dict_get(play->kw, "strategy");
    const char *name = v ? val_cstr(v) : NULL;

    if (!v || (name && strstr(name, "{{"))) {
        return 0;
    }
    for (size_t i = 0; name && i < ARRAY_SIZE(known); i++) {
        if (strcmp(name, known[i]) == 0) {
            return 0;
        }
    }
    return err_at(err, ERR_PARSE, &v->pos, "invalid play strategy specified: %s",
                  name ? name : "(not a string)");
}

int exec_check(struct playbook *pb, struct err *err)
{
    for (size_t i = 0; i < pb->plays.len; i++) {
        struct pb_play *play = pb->plays.items[i];

        if (check_strategy(play, err) < 0 || check_templates(play->vars, err) < 0 ||
            check_list(&play->tasks, err) < 0 ||
            check_list(&play->handlers, err) < 0) {
            return -1;
        }
        for (size_t r = 0; r < play->roles.len; r++) {
            struct pb_role *role = play->roles.items[r];

            if (check_templates(role->defaults, err) < 0 ||
                check_templates(role->vars, err) < 0) {
                return -1;
            }
        }
    }
    return 0;
}
