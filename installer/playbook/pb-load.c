/*
 * pb-load.c - playbook YAML to the struct playbook tree: plays, blocks, tasks and handlers;
 * import_playbook, import_tasks/include_tasks with a static file name and roles (with their
 * defaults, vars, handlers and dependencies) are resolved here, once, before anything runs.
 * Module names are checked later (exec-check.c); here only the shape is.
 */
#include "pot.h"
#include <string.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/fs.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "playbook/pb.h"
#include "value/val.h"
#include "value/val-yaml.h"

struct loader {
    struct playbook *pb;
    struct pb_play *play;
    const char *roles_path;  /* borrowed: extra role dirs, colon-separated, or NULL */
    int depth;               /* import nesting, to stop include loops */
    bool dynamic;            /* loading an include at run time: roles load again */
};

static int load_task_list(struct loader *ld, struct val *list, struct pb_task *parent,
                          struct pb_role *role, const char *dir, bool handlers, struct vec *out,
                          struct err *err);

/* Keeps a reference for the playbook's lifetime and returns 'v'. */
static struct val *keep(struct loader *ld, struct val *v)
{
    vec_push(&ld->pb->owned_vals, v);
    return v;
}

static const char *pos_text(struct loader *ld, const struct val *v, const char *fallback)
{
    return v && val_cstr(v) ? arena_strdup(&ld->pb->arena, val_cstr(v)) : fallback;
}

static struct val *load_yaml(const char *path, struct err *err)
{
    return val_from_yaml_file(path, err);
}

static bool has_markup(const char *s)
{
    return strstr(s, "{{") || strstr(s, "{%") || strstr(s, "{#");
}

static bool action_is(const char *action, const char *name)
{
    return action && strcmp(pb_action_short(action), name) == 0;
}

/* Keeps the keywords of 'ds' valid at 'where' in a new dict; other keys are errors unless
 * 'skip' says the caller handles them. */
static struct val *take_keywords(struct loader *ld, struct val *ds, unsigned where,
                                 const char *what, const char *const *skip, struct err *err)
{
    struct val *kw = keep(ld, val_dict());

    for (size_t i = 0; i < val_dict_len(ds); i++) {
        const char *key = val_dict_key_at(ds, i);
        bool skipped = false;

        for (const char *const *s = skip; s && *s; s++) {
            skipped = skipped || strcmp(*s, key) == 0;
        }
        if (skipped) {
            continue;
        }
        if (!pb_keyword_valid(key, where)) {
            err_at(err, ERR_PARSE, &val_dict_value_at(ds, i)->pos,
                   "'%s' is not a valid attribute for a %s", key, what);
            return NULL;
        }
        val_dict_set(kw, key, val_dict_value_at(ds, i));
    }
    return kw;
}

static struct pb_task *new_node(struct loader *ld, enum pb_kind kind, struct val *ds,
                                struct pb_task *parent, struct pb_role *role, const char *dir)
{
    struct pb_task *t = arena_alloc(&ld->pb->arena, sizeof(*t));

    t->kind = kind;
    t->pos = ds->pos;
    t->parent = parent;
    t->role = role;
    t->play = ld->play;
    t->dir = dir;
    t->name = pos_text(ld, val_dict_get(ds, "name"), NULL);
    return t;
}

static int load_block(struct loader *ld, struct val *ds, struct pb_task *parent,
                      struct pb_role *role, const char *dir, bool handlers, struct vec *out,
                      struct err *err)
{
    static const char *const lists[] = { "block", "rescue", "always", NULL };
    struct pb_task *b = new_node(ld, PB_BLOCK, ds, parent, role, dir);
    struct vec *dest[] = { &b->block, &b->rescue, &b->always };

    b->is_handler = handlers;
    b->kw = take_keywords(ld, ds, PB_AT_BLOCK, "Block", lists, err);
    if (!b->kw) {
        return -1;
    }
    for (size_t i = 0; lists[i]; i++) {
        struct val *list = val_dict_get(ds, lists[i]);

        if (list && list->type != VAL_NULL &&
            load_task_list(ld, list, b, role, dir, handlers, dest[i], err) < 0) {
            return -1;
        }
    }
    vec_push(out, b);
    return 0;
}

/* import_tasks/include_tasks: a block around the file's tasks carrying the include's keywords. */
static int load_include(struct loader *ld, struct pb_task *inc,
                        struct vec *out, bool handlers, struct err *err)
{
    const char *file = val_dict_get_str(inc->args, "_raw_params");
    char *path = NULL;
    char *dir = NULL;
    struct val *list = NULL;
    int ret = -1;

    if (!file) {
        file = val_dict_get_str(inc->args, "file");
    }
    if (!file || has_markup(file)) {
        return err_at(err, ERR_PARSE, &inc->action_pos,
                      "'%s' needs a file name without templates", inc->action);
    }
    if (ld->depth > 64) {
        return err_at(err, ERR_PARSE, &inc->action_pos, "imports nested too deep at '%s'", file);
    }
    path = inc->role && !strchr(file, '/') ? xasprintf("%s/tasks/%s", inc->role->path, file)
                                            : fs_join(inc->dir, file);
    list = load_yaml(path, err);
    if (!list) {
        goto out;
    }
    dir = fs_dirname(path);
    inc->kind = PB_BLOCK;
    inc->is_handler = handlers;
    val_dict_set_take(inc->kw, "_include", val_str(path));
    ld->depth++;
    ret = list->type == VAL_NULL ? 0
        : load_task_list(ld, list, inc, inc->role, arena_strdup(&ld->pb->arena, dir), handlers,
                         &inc->block, err);
    ld->depth--;
    if (ret == 0) {
        vec_push(out, inc);
    }
out:
    val_unref(list);
    free(dir);
    free(path);
    return ret;
}

static int load_role_use(struct loader *ld, struct val *entry, struct pb_task *parent,
                         struct vec *out, struct err *err);

/* include_tasks/include_role with a loop or a templated name are loaded when they run. */
static bool include_is_dynamic(const struct pb_task *t)
{
    const char *file = val_dict_get_str(t->args, "_raw_params");

    if (!action_is(t->action, "include_tasks") && !action_is(t->action, "include_role")) {
        return false;
    }
    if (!file) {
        file = val_dict_get_str(t->args, action_is(t->action, "include_role") ? "name" : "file");
    }
    for (size_t i = 0; i < val_dict_len(t->kw); i++) {
        const char *key = val_dict_key_at(t->kw, i);

        if (strcmp(key, "loop") == 0 || strncmp(key, "with_", 5) == 0) {
            return true;
        }
    }
    return (file && has_markup(file)) || val_dict_has(t->args, "apply");
}

/* "[ROLE : ]NAME", NAME being the task's name or "include_role : ROLE_NAME". */
static struct val *include_role_header(const struct pb_task *t)
{
    const char *role = val_dict_get_str(t->args, "name");
    struct val *v;
    char *name = t->name ? xstrdup(t->name)
                         : xasprintf("%s : %s", t->action, role ? role : "");

    v = t->role ? val_strf("%s : %s", t->role->name, name) : val_str(name);
    free(name);
    return v;
}

/* include_tasks and include_role take only these task keywords (Ansible's
 * VALID_INCLUDE_KEYWORDS, plus listen in handlers): the others would not reach the tasks they
 * bring in, so Ansible refuses them. */
static int check_include_keywords(const struct pb_task *t, struct val *ds, bool handlers,
                                  struct err *err)
{
    static const char *const valid[] = { "action",  "args",      "collections",  "debugger",
                                         "ignore_errors", "loop", "loop_control", "name",
                                         "no_log",  "register",  "run_once",     "tags",
                                         "timeout", "vars",      "when" };

    for (size_t i = 0; i < val_dict_len(ds); i++) {
        const char *key = val_dict_key_at(ds, i);
        bool ok = !pb_keyword_find(key) || strncmp(key, "with_", 5) == 0 ||
                  (handlers && strcmp(key, "listen") == 0);

        for (size_t k = 0; !ok && k < ARRAY_SIZE(valid); k++) {
            ok = strcmp(key, valid[k]) == 0;
        }
        if (!ok) {
            return err_at(err, ERR_PARSE, &val_dict_value_at(ds, i)->pos,
                          "'%s' is not a valid attribute for a %s", key,
                          action_is(t->action, "include_role") ? "IncludeRole" : "TaskInclude");
        }
    }
    return 0;
}

/* The task `include:` (deprecated in 2.14): imported where it can be (no loop), else included
 * when it runs, as Ansible decides; its deprecation warning is kept once. */
static const char *resolve_include(struct loader *ld, const struct val *ds)
{
    static const char warning[] =
        "\"include\" is deprecated, use include_tasks/import_tasks instead. See "
        "https://docs.ansible.com/ansible-core/2.14/user_guide/playbooks_reuse_includes.html for "
        "details. This feature will be removed in version 2.16. Deprecation warnings can be "
        "disabled by setting deprecation_warnings=False in ansible.cfg.";
    bool looped = val_dict_has(ds, "loop");

    for (size_t i = 0; i < val_dict_len(ds); i++) {
        looped = looped || strncmp(val_dict_key_at(ds, i), "with_", 5) == 0;
    }
    if (!svec_contains(&ld->pb->deprecations, warning)) {
        svec_push(&ld->pb->deprecations, warning);
    }
    return looped ? "include_tasks" : "import_tasks";
}

/* `include: FILE k=v ...`: the parameters after the file are variables of the tasks it brings
 * in (vars: wins over them, as in Ansible's TaskInclude). */
static void include_params_as_vars(struct loader *ld, struct pb_task *t)
{
    struct val *vars = val_dict();
    struct val *own = val_dict_get(t->kw, "vars");

    for (size_t i = 0; i < val_dict_len(t->args); i++) {
        const char *key = val_dict_key_at(t->args, i);

        if (strcmp(key, "_raw_params") != 0 && strcmp(key, "file") != 0) {
            val_dict_set(vars, key, val_dict_value_at(t->args, i));
        }
    }
    for (size_t i = 0; own && own->type == VAL_DICT && i < val_dict_len(own); i++) {
        val_dict_set(vars, val_dict_key_at(own, i), val_dict_value_at(own, i));
    }
    for (size_t i = 0; i < val_dict_len(vars); i++) {
        val_dict_del(t->args, val_dict_key_at(vars, i));
    }
    if (val_dict_len(vars)) {
        val_dict_set(t->kw, "vars", keep(ld, vars));
    } else {
        val_unref(vars);
    }
}

static int load_task(struct loader *ld, struct val *ds, struct pb_task *parent,
                     struct pb_role *role, const char *dir, bool handlers, struct vec *out,
                     struct err *err)
{
    struct pb_task *t = new_node(ld, PB_TASK, ds, parent, role, dir);
    struct val *args = NULL;
    bool local = false;

    t->is_handler = handlers;
    if (pb_task_action(ds, &ld->pb->arena, &t->action, &args, &t->action_pos, &local, err) < 0) {
        val_unref(args);
        return -1;
    }
    bool legacy_include = action_is(t->action, "include");

    if (legacy_include) {
        t->action = resolve_include(ld, ds);
        t->name = t->name ? t->name : "include"; /* the TASK header Ansible prints */
    }
    t->action = arena_strdup(&ld->pb->arena, t->action);
    t->args = keep(ld, args);
    t->kw = keep(ld, val_dict());
    for (size_t i = 0; i < val_dict_len(ds); i++) {
        const char *key = val_dict_key_at(ds, i);

        if (strncmp(key, "with_", 5) == 0 && !pb_keyword_valid(key, PB_AT_TASK)) {
            return err_at(err, ERR_PARSE, &ds->pos, "'%s' is not a valid attribute for a Task",
                          key);
        }
        if (pb_keyword_valid(key, handlers ? PB_AT_HANDLER : PB_AT_TASK) &&
            strcmp(key, "action") != 0 && strcmp(key, "local_action") != 0 &&
            strcmp(key, "args") != 0) {
            val_dict_set(t->kw, key, val_dict_value_at(ds, i));
        }
    }
    if (local) {
        val_dict_set_take(t->kw, "delegate_to", val_str("localhost"));
    }
    if (legacy_include) {
        include_params_as_vars(ld, t);
    }
    if ((action_is(t->action, "include_tasks") || action_is(t->action, "include_role")) &&
        check_include_keywords(t, ds, handlers, err) < 0) {
        return -1;
    }
    if (action_is(t->action, "include_tasks")) {
        /* its tags select the include itself, not the tasks it brings in (exec-tags.c) */
        val_dict_set_take(t->kw, "_dynamic", val_bool(true));
    } else if (action_is(t->action, "include_role")) {
        /* the same; the text is the TASK header Ansible prints for the include */
        val_dict_set_take(t->kw, "_dynamic", include_role_header(t));
    }
    if (include_is_dynamic(t)) {
        vec_push(out, t);
        return 0;
    }
    if (action_is(t->action, "import_tasks") || action_is(t->action, "include_tasks")) {
        return load_include(ld, t, out, handlers, err);
    }
    if (action_is(t->action, "import_role") || action_is(t->action, "include_role")) {
        struct val *entry = val_copy(t->args);
        int ret;

        val_dict_set_take(entry, "_use_kw", val_ref(t->kw));
        ret = load_role_use(ld, entry, parent, out, err);
        val_unref(entry);
        return ret;
    }
    vec_push(out, t);
    return 0;
}

static int load_task_list(struct loader *ld, struct val *list, struct pb_task *parent,
                          struct pb_role *role, const char *dir, bool handlers, struct vec *out,
                          struct err *err)
{
    if (list->type != VAL_LIST) {
        return err_at(err, ERR_PARSE, &list->pos,
                      "a list of tasks is expected here, not a %s", val_type_name(list->type));
    }
    for (size_t i = 0; i < val_list_len(list); i++) {
        struct val *ds = val_list_get(list, i);
        int ret;

        if (ds->type != VAL_DICT) {
            return err_at(err, ERR_PARSE, &ds->pos, "a task must be a dict, not a %s",
                          val_type_name(ds->type));
        }
        if (val_dict_has(ds, "block")) {
            ret = load_block(ld, ds, parent, role, dir, handlers, out, err);
        } else {
            ret = load_task(ld, ds, parent, role, dir, handlers, out, err);
        }
        if (ret < 0) {
            return -1;
        }
    }
    return 0;
}

/* --- roles --- */

static char *find_role_dir(struct loader *ld, const char *name)
{
    struct svec dirs = SVEC_INIT;
    char *found = NULL;

    if (strchr(name, '/')) {
        char *p = fs_join(ld->play->dir, name);

        if (fs_is_dir(p)) {
            return p;
        }
        free(p);
    }
    svec_pushf(&dirs, "%s/roles", ld->play->dir);
    if (ld->roles_path) {
        svec_split(&dirs, ld->roles_path, ':');
    }
    svec_push(&dirs, ld->play->dir);
    for (size_t i = 0; i < dirs.len && !found; i++) {
        char *p = fs_join(dirs.items[i], name);

        if (dirs.items[i][0] && fs_is_dir(p)) {
            found = p;
        } else {
            free(p);
        }
    }
    svec_release(&dirs);
    return found;
}

/* Loads role_dir/sub/main.yml (or .yaml, or no extension); NULL with err unset when absent. */
static struct val *load_role_file(const char *role_dir, const char *sub, struct err *err)
{
    static const char *const names[] = { "main.yml", "main.yaml", "main", NULL };

    for (size_t i = 0; names[i]; i++) {
        char *path = xasprintf("%s/%s/%s", role_dir, sub, names[i]);
        struct val *v = NULL;

        if (fs_exists(path)) {
            v = load_yaml(path, err);
            free(path);
            return v;
        }
        free(path);
    }
    return NULL;
}

static struct val *role_dict_file(struct loader *ld, const char *dir, const char *sub,
                                  struct err *err)
{
    struct val *v = load_role_file(dir, sub, err);

    if (!v) {
        return err->kind ? NULL : keep(ld, val_dict());
    }
    if (v->type == VAL_NULL) {
        val_unref(v);
        return keep(ld, val_dict());
    }
    if (v->type != VAL_DICT) {
        err_at(err, ERR_PARSE, &v->pos, "%s/main.yml must hold a dict of variables", sub);
        val_unref(v);
        return NULL;
    }
    return keep(ld, v);
}

static bool role_seen(struct loader *ld, const char *path, const struct val *params)
{
    for (size_t i = 0; i < ld->play->roles.len; i++) {
        struct pb_role *r = ld->play->roles.items[i];

        if (strcmp(r->path, path) == 0 && val_equal(r->params, params)) {
            return true;
        }
    }
    return false;
}

/* Splits a role entry into its name, the keywords that apply to its tasks, and its params. */
static const char *role_entry_split(struct loader *ld, struct val *entry, struct val *kw,
                                    struct val *params, struct err *err)
{
    struct val *name = entry;

    if (entry->type == VAL_DICT) {
        struct val *use_kw = val_dict_get(entry, "_use_kw");

        name = val_dict_get(entry, "role") ? val_dict_get(entry, "role")
                                           : val_dict_get(entry, "name");
        for (size_t i = 0; use_kw && i < val_dict_len(use_kw); i++) {
            val_dict_set(kw, val_dict_key_at(use_kw, i), val_dict_value_at(use_kw, i));
        }
        for (size_t i = 0; i < val_dict_len(entry); i++) {
            const char *key = val_dict_key_at(entry, i);
            struct val *v = val_dict_value_at(entry, i);

            if (strcmp(key, "role") == 0 || strcmp(key, "name") == 0 || key[0] == '_') {
                continue;
            }
            if (pb_keyword_valid(key, PB_AT_ROLE) && strcmp(key, "vars") != 0) {
                val_dict_set(kw, key, v);
            } else if (strcmp(key, "vars") == 0 && v->type == VAL_DICT) {
                for (size_t j = 0; j < val_dict_len(v); j++) {
                    val_dict_set(params, val_dict_key_at(v, j), val_dict_value_at(v, j));
                }
            } else {
                val_dict_set(params, key, v);
            }
        }
    }
    if (!name || !val_cstr(name)) {
        err_at(err, ERR_PARSE, &entry->pos, "a role needs a name ('role: NAME')");
        return NULL;
    }
    return arena_strdup(&ld->pb->arena, val_cstr(name));
}

static int load_role_deps(struct loader *ld, struct pb_role *role, struct pb_task *parent,
                          struct vec *out, struct err *err)
{
    struct val *meta = load_role_file(role->path, "meta", err);
    struct val *deps = meta && meta->type == VAL_DICT ? val_dict_get(meta, "dependencies") : NULL;
    int ret = err->kind ? -1 : 0;

    for (size_t i = 0; ret == 0 && deps && i < val_list_len(deps); i++) {
        ret = load_role_use(ld, val_list_get(deps, i), parent, out, err);
    }
    val_unref(meta);
    return ret;
}

static int load_role_body(struct loader *ld, struct pb_role *role, struct pb_task *wrap,
                          struct err *err)
{
    struct val *tasks = load_role_file(role->path, "tasks", err);
    struct val *handlers = NULL;
    const char *tasks_dir = arena_strdup(&ld->pb->arena, role->path);
    int ret = -1;

    if (err->kind) {
        goto out;
    }
    if (tasks && tasks->type != VAL_NULL &&
        load_task_list(ld, tasks, wrap, role, tasks_dir, false, &wrap->block, err) < 0) {
        goto out;
    }
    handlers = load_role_file(role->path, "handlers", err);
    if (err->kind) {
        goto out;
    }
    if (handlers && handlers->type != VAL_NULL &&
        load_task_list(ld, handlers, wrap, role, tasks_dir, true, &ld->play->handlers, err) < 0) {
        goto out;
    }
    ret = 0;
out:
    val_unref(tasks);
    val_unref(handlers);
    return ret;
}

static int load_role_use(struct loader *ld, struct val *entry, struct pb_task *parent,
                         struct vec *out, struct err *err)
{
    struct val *kw = keep(ld, val_dict());
    struct val *params = keep(ld, val_dict());
    const char *name = role_entry_split(ld, entry, kw, params, err);
    bool is_import = entry->type == VAL_DICT && val_dict_get(entry, "_use_kw");
    struct pb_role *role = NULL;
    struct pb_task *wrap = NULL;
    char *dir = NULL;

    if (!name) {
        return -1;
    }
    dir = find_role_dir(ld, name);
    if (!dir) {
        /* ERR_IO, not ERR_PARSE: ansible-playbook exits 1 (AnsibleError) on a missing role */
        return err_at(err, ERR_IO, &entry->pos,
                      "the role '%s' was not found in %s/roles%s%s or %s", name, ld->play->dir,
                      ld->roles_path ? ", " : "", ld->roles_path ? ld->roles_path : "",
                      ld->play->dir);
    }
    /* Ansible keys its role cache on from_include too: an import_role is never folded into an
     * earlier use of the role, so it is listed (and run) again */
    if (!ld->dynamic && !is_import && role_seen(ld, dir, params)) {
        free(dir);
        return 0;
    }
    role = arena_alloc(&ld->pb->arena, sizeof(*role));
    role->name = arena_strdup(&ld->pb->arena, fs_basename(name));
    role->path = arena_strdup(&ld->pb->arena, dir);
    role->params = params;
    free(dir);
    role->defaults = role_dict_file(ld, role->path, "defaults", err);
    role->vars = role->defaults ? role_dict_file(ld, role->path, "vars", err) : NULL;
    if (!role->vars) {
        return -1;
    }
    vec_push(&ld->play->roles, role);
    wrap = new_node(ld, PB_BLOCK, entry->type == VAL_DICT ? entry : kw, parent, role,
                    role->path);
    wrap->name = NULL;
    wrap->kw = kw;
    if (load_role_deps(ld, role, wrap, &wrap->block, err) < 0 ||
        load_role_body(ld, role, wrap, err) < 0) {
        return -1;
    }
    vec_push(out, wrap);
    return 0;
}

/* --- plays --- */

static struct pb_task *implicit_flush(struct loader *ld, struct val *at)
{
    struct pb_task *t = new_node(ld, PB_TASK, at, NULL, NULL, ld->play->dir);

    t->name = NULL;
    t->action = "meta";
    t->args = keep(ld, val_dict());
    val_dict_set_take(t->args, "_raw_params", val_str("flush_handlers"));
    t->kw = keep(ld, val_dict());
    val_dict_set_take(t->kw, "_implicit", val_bool(true));
    return t;
}

static int load_play_section(struct loader *ld, struct val *ds, const char *key,
                             struct err *err)
{
    struct val *list = val_dict_get(ds, key);
    struct vec *out = &ld->play->tasks;

    if (strcmp(key, "roles") == 0) {
        if (list && list->type != VAL_LIST && list->type != VAL_NULL) {
            return err_at(err, ERR_PARSE, &list->pos, "'roles' must be a list");
        }
        for (size_t i = 0; list && i < val_list_len(list); i++) {
            if (load_role_use(ld, val_list_get(list, i), NULL, out, err) < 0) {
                return -1;
            }
        }
        return 0;
    }
    if (!list || list->type == VAL_NULL) {
        return 0;
    }
    if (strcmp(key, "handlers") == 0) {
        out = &ld->play->handlers;
    }
    return load_task_list(ld, list, NULL, NULL, ld->play->dir, out == &ld->play->handlers, out,
                          err);
}

static int load_play_vars(struct loader *ld, struct val *ds, struct err *err)
{
    struct val *vars = val_dict_get(ds, "vars");
    struct val *files = val_dict_get(ds, "vars_files");

    ld->play->vars = keep(ld, val_dict());
    if (vars && vars->type == VAL_DICT) {
        for (size_t i = 0; i < val_dict_len(vars); i++) {
            val_dict_set(ld->play->vars, val_dict_key_at(vars, i), val_dict_value_at(vars, i));
        }
    } else if (vars && vars->type != VAL_NULL) {
        return err_at(err, ERR_PARSE, &vars->pos, "'vars' must be a dict");
    }
    if (files && val_cstr(files)) {
        vec_push(&ld->play->vars_files, arena_strdup(&ld->pb->arena, val_cstr(files)));
        return 0;
    }
    for (size_t i = 0; files && i < val_list_len(files); i++) {
        struct val *f = val_list_get(files, i);

        if (!val_cstr(f)) {
            return err_at(err, ERR_PARSE, &f->pos, "'vars_files' entries must be file names");
        }
        vec_push(&ld->play->vars_files, arena_strdup(&ld->pb->arena, val_cstr(f)));
    }
    return 0;
}

static const char *hosts_pattern(struct loader *ld, struct val *hosts)
{
    struct buf b = BUF_INIT;
    const char *out;

    if (!hosts || hosts->type == VAL_NULL) {
        return NULL;
    }
    if (hosts->type != VAL_LIST) {
        val_to_pystr(hosts, &b);
    }
    for (size_t i = 0; i < val_list_len(hosts); i++) {
        if (i > 0) {
            buf_addc(&b, ',');
        }
        val_to_pystr(val_list_get(hosts, i), &b);
    }
    out = arena_strdup(&ld->pb->arena, b.ptr);
    buf_release(&b);
    return out;
}

static int load_play(struct loader *ld, struct val *ds, const char *dir, struct err *err)
{
    static const char *const sections[] = { "pre_tasks", "roles", "tasks", "post_tasks",
                                             "handlers", NULL };
    struct pb_play *play = arena_alloc(&ld->pb->arena, sizeof(*play));

    vec_push(&ld->pb->plays, play); /* first, so pb_free releases a half-loaded play */
    ld->play = play;
    play->pos = ds->pos;
    play->dir = dir;
    play->kw = take_keywords(ld, ds, PB_AT_PLAY, "Play", NULL, err);
    if (!play->kw) {
        return -1;
    }
    play->hosts = hosts_pattern(ld, val_dict_get(ds, "hosts"));
    if (!play->hosts) {
        return err_at(err, ERR_PARSE, &ds->pos, "the field 'hosts' is required but was not set");
    }
    play->name = pos_text(ld, val_dict_get(ds, "name"), play->hosts);
    if (load_play_vars(ld, ds, err) < 0) {
        return -1;
    }
    for (size_t i = 0; sections[i]; i++) {
        if (load_play_section(ld, ds, sections[i], err) < 0) {
            return -1;
        }
        if (i == 0 || i == 2 || i == 3) {
            vec_push(&play->tasks, implicit_flush(ld, ds));
        }
    }
    return 0;
}

static int load_file(struct loader *ld, const char *path, struct err *err);

static int load_entry(struct loader *ld, struct val *ds, const char *dir, struct err *err)
{
    const char *import = NULL;
    char *path = NULL;
    int ret;

    if (ds->type != VAL_DICT) {
        return err_at(err, ERR_PARSE, &ds->pos, "a play must be a dict, not a %s",
                      val_type_name(ds->type));
    }
    import = val_dict_get_str(ds, "import_playbook");
    if (!import) {
        import = val_dict_get_str(ds, "ansible.builtin.import_playbook");
    }
    if (!import) {
        return load_play(ld, ds, dir, err);
    }
    if (ld->depth > 64) {
        return err_at(err, ERR_PARSE, &ds->pos, "imports nested too deep at '%s'", import);
    }
    path = fs_join(dir, import);
    ld->depth++;
    ret = load_file(ld, path, err);
    ld->depth--;
    free(path);
    return ret;
}

static int load_file(struct loader *ld, const char *path, struct err *err)
{
    struct val *doc = load_yaml(path, err);
    char *dir = NULL;
    int ret = -1;

    if (!doc) {
        return -1;
    }
    if (doc->type != VAL_LIST) {
        err_at(err, ERR_PARSE, &doc->pos, "a playbook must be a list of plays, not a %s",
               val_type_name(doc->type));
        goto out;
    }
    dir = fs_dirname(path);
    for (size_t i = 0; i < val_list_len(doc); i++) {
        if (load_entry(ld, val_list_get(doc, i), arena_strdup(&ld->pb->arena, dir), err) < 0) {
            goto out;
        }
    }
    ret = 0;
out:
    free(dir);
    val_unref(doc);
    return ret;
}

/* Python's os.path.abspath: cwd prepended to a relative path, "." and ".." folded away.
 * Ansible reports playbook_dir and included files with absolute paths. Returns a new string. */
static char *abs_path(const char *path)
{
    char cwd[4096];
    struct svec parts = SVEC_INIT;
    struct svec kept = SVEC_INIT;
    struct buf out = BUF_INIT;

    if (path[0] != '/' && getcwd(cwd, sizeof(cwd))) {
        svec_split(&parts, cwd, '/');
    }
    svec_split(&parts, path, '/');
    for (size_t i = 0; i < parts.len; i++) {
        const char *p = parts.items[i];

        if (strcmp(p, "..") == 0 && kept.len > 0) {
            free(kept.items[--kept.len]);
            kept.items[kept.len] = NULL;
        } else if (p[0] && strcmp(p, ".") != 0 && strcmp(p, "..") != 0) {
            svec_push(&kept, p);
        }
    }
    for (size_t i = 0; i < kept.len; i++) {
        buf_addf(&out, "/%s", kept.items[i]);
    }
    if (out.len == 0) {
        buf_addc(&out, '/');
    }
    svec_release(&parts);
    svec_release(&kept);
    return buf_detach(&out, NULL);
}

int pb_load_more(struct playbook *pb, const char *path, const char *roles_path, struct err *err)
{
    struct loader ld = { .pb = pb, .roles_path = roles_path };

    if (roles_path && !pb->roles_path) {
        pb->roles_path = arena_strdup(&pb->arena, roles_path);
    }
    char *abs = abs_path(path);
    int ret = load_file(&ld, abs, err);

    free(abs);
    return ret;
}

struct playbook *pb_load(const char *path, const char *roles_path, struct err *err)
{
    struct playbook *pb = xcalloc(1, sizeof(*pb));
    char *abs = abs_path(path);
    char *dir = fs_dirname(abs);

    pb->path = arena_strdup(&pb->arena, path);
    pb->dir = arena_strdup(&pb->arena, dir);
    free(dir);
    free(abs);
    if (pb_load_more(pb, path, roles_path, err) < 0) {
        pb_free(pb);
        return NULL;
    }
    return pb;
}

struct pb_task *pb_load_dynamic(struct playbook *pb, struct pb_task *inc, const char *name,
                                struct val *vars, struct err *err)
{
    struct loader ld = { .pb = pb, .play = inc->play, .roles_path = pb->roles_path,
                         .dynamic = true };
    struct pb_task *b = new_node(&ld, PB_BLOCK, inc->args, inc, inc->role, inc->dir);
    struct val *apply = val_dict_get(inc->args, "apply");
    struct val *list = NULL;
    char *path = NULL;
    char *dir = NULL;
    int ret = -1;

    vec_push(&pb->dynamic, b); /* its lists are released with the playbook */
    b->name = NULL;
    b->is_handler = inc->is_handler;
    b->kw = keep(&ld, val_dict());
    for (size_t i = 0; apply && apply->type == VAL_DICT && i < val_dict_len(apply); i++) {
        val_dict_set(b->kw, val_dict_key_at(apply, i), val_dict_value_at(apply, i));
    }
    if (vars) {
        val_dict_set(b->kw, "vars", vars);
    }
    if (action_is(inc->action, "include_role")) {
        struct val *entry = val_dict();

        val_dict_set_take(entry, "name", val_str(name));
        ret = load_role_use(&ld, entry, b, &b->block, err);
        val_unref(entry);
        return ret < 0 ? NULL : b;
    }
    path = inc->role && !strchr(name, '/') ? xasprintf("%s/tasks/%s", inc->role->path, name)
                                            : fs_join(inc->dir, name);
    list = load_yaml(path, err);
    if (list) {
        dir = fs_dirname(path);
        val_dict_set_take(b->kw, "_include", val_str(path));
        ret = list->type == VAL_NULL
            ? 0
            : load_task_list(&ld, list, b, inc->role, arena_strdup(&pb->arena, dir),
                             inc->is_handler, &b->block, err);
    }
    val_unref(list);
    free(dir);
    free(path);
    return ret < 0 ? NULL : b;
}

static void release_node(struct pb_task *t);

static void release_list(struct vec *list)
{
    for (size_t i = 0; i < list->len; i++) {
        release_node(list->items[i]);
    }
    vec_release(list);
}

static void release_node(struct pb_task *t)
{
    release_list(&t->block);
    release_list(&t->rescue);
    release_list(&t->always);
}

void pb_free(struct playbook *pb)
{
    if (!pb) {
        return;
    }
    for (size_t i = 0; i < pb->plays.len; i++) {
        struct pb_play *play = pb->plays.items[i];

        release_list(&play->tasks);
        release_list(&play->handlers);
        vec_release(&play->roles);
        vec_release(&play->vars_files);
    }
    vec_release(&pb->plays);
    release_list(&pb->dynamic);
    for (size_t i = 0; i < pb->owned_vals.len; i++) {
        val_unref(pb->owned_vals.items[i]);
    }
    vec_release(&pb->owned_vals);
    svec_release(&pb->deprecations);
    arena_release(&pb->arena);
    free(pb);
}

struct val *pb_kw_own(const struct pb_task *t, const char *name)
{
    return val_dict_get(t->kw, name);
}

struct val *pb_kw(const struct pb_task *t, const char *name)
{
    const struct pb_keyword *k = pb_keyword_find(name);
    struct val *v = val_dict_get(t->kw, name);

    if (v || !k || !k->inherit) {
        return v;
    }
    for (const struct pb_task *p = t->parent; p; p = p->parent) {
        if (val_dict_has(p->kw, "_dynamic")) {
            continue; /* a dynamic include's keywords are its own (Ansible skips that parent) */
        }
        v = val_dict_get(p->kw, name);
        if (v) {
            return v;
        }
    }
    return val_dict_get(t->play->kw, name);
}
