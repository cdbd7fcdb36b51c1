/*
 * exec-action.c - the actions Ansible runs on the controller with the runner's own state:
 * debug, set_fact, assert, fail, include_vars and pause. (meta is the play loop's business.)
 * Each gets its arguments already templated and fills a struct result; set_fact and include_vars
 * return their variables as ansible_facts, which the main thread stores (exec-play.c).
 */
#include "pot.h"
#include <string.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "exec/exec.h"
#include "modules/args.h"
#include "playbook/pb.h"
#include "value/val.h"
#include "value/val-yaml.h"

typedef void (*special_fn)(struct exec_run *run, struct pb_task *task, struct exec_host *h,
                           struct vars_scope *scope, struct val *args, struct result *res);

static void do_debug(struct exec_run *run, struct pb_task *task, struct exec_host *h,
                     struct vars_scope *scope, struct val *args, struct result *res)
{
    const char *var = val_dict_get_str(args, "var");
    struct val *msg = val_dict_get(args, "msg");

    (void)run, (void)task, (void)h;
    val_unref(res->data);
    res->data = val_dict();
    if (var) {
        struct err err = ERR_INIT;
        struct val *v = tpl_eval_expr(var, &task->action_pos, &scope->tpl, &err);

        val_dict_set_take(res->data, var,
                          v ? v : val_str("VARIABLE IS NOT DEFINED!"));
    } else {
        val_dict_set_take(res->data, "msg", msg ? val_ref(msg) : val_str("Hello world!"));
    }
    val_dict_set_take(res->data, "_ansible_verbose_always", val_bool(true));
}

/* set_fact k=v turns "true"/"false"/"yes"/"no" strings into booleans, as Ansible does. */
static struct val *fact_value(struct val *v)
{
    bool b;

    if (val_cstr(v) && margs_parse_bool(val_cstr(v), &b) == 0 &&
        strcmp(val_cstr(v), "1") != 0 && strcmp(val_cstr(v), "0") != 0) {
        return val_bool(b);
    }
    return val_ref(v);
}

static void do_set_fact(struct exec_run *run, struct pb_task *task, struct exec_host *h,
                        struct vars_scope *scope, struct val *args, struct result *res)
{
    struct val *facts = val_dict();

    (void)run, (void)task, (void)h, (void)scope;
    for (size_t i = 0; i < val_dict_len(args); i++) {
        const char *key = val_dict_key_at(args, i);
        struct val *v = fact_value(val_dict_value_at(args, i));

        if (strcmp(key, "cacheable") == 0) {
            val_unref(v);
            continue;
        }
        val_dict_set_take(facts, key, v);
    }
    val_unref(res->data);
    res->data = val_dict();
    val_dict_set_take(res->data, "ansible_facts", facts);
}

static void do_assert(struct exec_run *run, struct pb_task *task, struct exec_host *h,
                      struct vars_scope *scope, struct val *args, struct result *res)
{
    struct val *that = val_dict_get(args, "that");
    struct val *fail_msg = val_dict_get(args, "fail_msg");
    struct val *list = that && that->type == VAL_LIST ? val_ref(that) : val_list();

    (void)run, (void)h;
    if (fail_msg == NULL) {
        fail_msg = val_dict_get(args, "msg");
    }
    if (that && that->type != VAL_LIST) {
        val_list_push(list, that);
    }
    val_unref(res->data);
    res->data = val_dict();
    for (size_t i = 0; i < val_list_len(list); i++) {
        struct val *cond = val_list_get(list, i);
        struct buf text = BUF_INIT;
        struct err err = ERR_INIT;
        bool ok = false;

        val_to_pystr(cond, &text);
        if (tpl_eval_condition(text.ptr, &task->action_pos, &scope->tpl, &ok, &err) < 0) {
            result_fail(res, "The conditional check '%s' failed. The error was: %s", text.ptr,
                        err.msg);
            buf_release(&text);
            break;
        }
        if (!ok) {
            res->status = RESULT_FAILED;
            val_dict_set_take(res->data, "assertion", val_str(text.ptr));
            val_dict_set_take(res->data, "evaluated_to", val_bool(false));
            val_dict_set_take(res->data, "msg", fail_msg ? val_ref(fail_msg)
                                                         : val_str("Assertion failed"));
            val_dict_set_take(res->data, "_ansible_verbose_always", val_bool(true));
            buf_release(&text);
            break;
        }
        buf_release(&text);
    }
    if (res->status == RESULT_OK) {
        struct val *success = val_dict_get(args, "success_msg");
        struct val *quiet = val_dict_get(args, "quiet");

        val_dict_set_take(res->data, "msg",
                          success ? val_ref(success) : val_str("All assertions passed"));
        if (!quiet || !val_truthy(quiet)) {
            val_dict_set_take(res->data, "_ansible_verbose_always", val_bool(true));
        }
    }
    val_unref(list);
}

static void do_fail(struct exec_run *run, struct pb_task *task, struct exec_host *h,
                    struct vars_scope *scope, struct val *args, struct result *res)
{
    struct val *msg = val_dict_get(args, "msg");

    (void)run, (void)task, (void)h, (void)scope;
    res->status = RESULT_FAILED;
    val_unref(res->data);
    res->data = val_dict();
    val_dict_set_take(res->data, "msg",
                      msg ? val_ref(msg) : val_str("Failed as requested from task"));
}

static void do_include_vars(struct exec_run *run, struct pb_task *task, struct exec_host *h,
                            struct vars_scope *scope, struct val *args, struct result *res)
{
    const char *file = val_dict_get_str(args, "file");
    char *path = NULL;
    struct val *v = NULL;
    struct err err = ERR_INIT;

    (void)run, (void)h, (void)scope;
    if (!file) {
        file = val_dict_get_str(args, "_raw_params");
    }
    if (!file) {
        result_fail(res, "include_vars needs a file name");
        return;
    }
    path = task->role ? xasprintf("%s/vars/%s", task->role->path, file)
                      : xasprintf("%s/vars/%s", task->dir, file);
    if (file[0] == '/' || !fs_exists(path)) {
        free(path);
        path = fs_join(task->dir, file);
    }
    v = val_from_yaml_file(path, &err);
    if (!v || v->type != VAL_DICT) {
        result_fail(res, "could not load variables from '%s': %s", path,
                    v ? "not a dict" : err.msg);
        val_unref(v);
        free(path);
        return;
    }
    val_unref(res->data);
    res->data = val_dict();
    val_dict_set_take(res->data, "ansible_facts", v);
    free(path);
}

static void do_pause(struct exec_run *run, struct pb_task *task, struct exec_host *h,
                     struct vars_scope *scope, struct val *args, struct result *res)
{
    struct val *secs = val_dict_get(args, "seconds");
    struct val *mins = val_dict_get(args, "minutes");
    int64_t n = 0;

    (void)run, (void)task, (void)h, (void)scope;
    if (secs) {
        n = secs->type == VAL_INT ? secs->u.i : strtoll(val_cstr(secs) ? val_cstr(secs) : "0",
                                                        NULL, 10);
    } else if (mins) {
        n = 60 * (mins->type == VAL_INT ? mins->u.i
                                        : strtoll(val_cstr(mins) ? val_cstr(mins) : "0", NULL, 10));
    }
    if (n > 0) {
        sleep((unsigned)n);
    }
    val_unref(res->data);
    res->data = val_dict();
}

static const struct {
    const char *name;
    special_fn fn;
} specials[] = {
    { "assert", do_assert },
    { "debug", do_debug },
    { "fail", do_fail },
    { "include_vars", do_include_vars },
    { "pause", do_pause },
    { "set_fact", do_set_fact },
};

static special_fn find_special(const char *action)
{
    const char *name = pb_action_short(action);

    for (size_t i = 0; i < ARRAY_SIZE(specials); i++) {
        if (strcmp(specials[i].name, name) == 0) {
            return specials[i].fn;
        }
    }
    return NULL;
}

bool exec_is_special(const char *action)
{
    return find_special(action) != NULL || strcmp(pb_action_short(action), "meta") == 0;
}

void exec_special(struct exec_run *run, struct pb_task *task, struct exec_host *h,
                  struct vars_scope *scope, struct val *args, struct result *res)
{
    find_special(task->action)(run, task, h, scope, args, res);
}
