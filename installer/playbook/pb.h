/*
 * pb.h - a parsed playbook: plays, blocks, tasks, roles and handlers, as Ansible compiles them.
 *
 * pb_load() reads a playbook file (following import_playbook, import_tasks/include_tasks with a
 * static file name, and roles) into a struct playbook whose whole tree lives in the playbook's
 * arena and is freed at once by pb_free(). A block and a task are both a struct pb_task: a block
 * has kind PB_BLOCK and three child lists. Keywords are kept as written (kw dict) and looked up
 * through the parent chain with pb_kw(): task -> enclosing blocks -> role -> play.
 *
 * Nothing here templates or runs anything; exec/ does.
 */
#ifndef PB_H
#define PB_H

#include "base/arena.h"
#include "base/err.h"
#include "base/vec.h"

struct val;

enum pb_kind {
    PB_TASK,
    PB_BLOCK,
};

struct pb_role {
    const char *name;       /* arena */
    const char *path;       /* arena: the role's directory */
    struct val *defaults;   /* owned dict: defaults/main.yml */
    struct val *vars;       /* owned dict: vars/main.yml */
    struct val *params;     /* owned dict: parameters given where the role is used */
};

struct pb_play;

struct pb_task {
    enum pb_kind kind;
    struct srcpos pos;
    const char *name;          /* arena; NULL when the task has none */
    struct pb_task *parent;    /* borrowed: enclosing block, NULL at a play's top level */
    struct pb_role *role;      /* borrowed: the role this task comes from, or NULL */
    struct pb_play *play;      /* borrowed */
    struct val *kw;            /* owned dict: the keywords as written (without block lists) */
    bool is_handler;
    /* PB_TASK */
    const char *action;        /* arena: module or special action name as written */
    struct val *args;          /* owned dict: normalised arguments (_raw_params for free form) */
    struct srcpos action_pos;  /* where the module key stands */
    const char *dir;           /* arena: directory of the file the task came from */
    /* PB_BLOCK: lists of struct pb_task * (arena-allocated) */
    struct vec block;
    struct vec rescue;
    struct vec always;
};

struct pb_play {
    struct srcpos pos;
    const char *name;          /* arena: name, else the hosts pattern */
    const char *hosts;         /* arena: the hosts pattern (comma-joined when a list) */
    struct val *kw;            /* owned dict: play keywords as written */
    struct val *vars;          /* owned dict */
    struct vec vars_files;     /* const char * (arena): as written, templated at run time */
    struct vec tasks;          /* struct pb_task * blocks: pre_tasks, roles, tasks, post_tasks */
    struct vec handlers;       /* struct pb_task * blocks holding handlers (play's and roles') */
    struct vec roles;          /* struct pb_role * */
    const char *dir;           /* arena: the playbook's directory */
};

struct playbook {
    struct arena arena;
    struct vec plays;          /* struct pb_play * */
    const char *path;          /* arena: the first playbook file */
    const char *dir;           /* arena: its directory (playbook_dir) */
    struct vec owned_vals;     /* struct val * released by pb_free */
    const char *roles_path;    /* arena: extra role directories, or NULL */
    struct vec dynamic;        /* struct pb_task *: the blocks pb_load_dynamic made */
    struct svec deprecations;  /* Ansible's deprecation warnings for what was loaded, each once */
};

/* Reads 'path' (and everything it imports). Returns NULL with err (ERR_PARSE at file:line:col,
 * ERR_IO for unreadable files). roles_path: extra role directories, colon-separated, or NULL. */
struct playbook *pb_load(const char *path, const char *roles_path, struct err *err);
/* Loads more plays from 'path' into 'pb' (for several playbooks on one command line). */
int pb_load_more(struct playbook *pb, const char *path, const char *roles_path, struct err *err);
void pb_free(struct playbook *pb);
/* Loads a dynamic include (include_tasks/include_role with a loop, apply: or a templated name,
 * which pb_load keeps as a task) when it runs: returns a new block in pb's arena, child of 'inc',
 * holding the tasks of file 'name' (include_tasks) or of role 'name', with 'vars' (borrowed,
 * may be NULL: the loop variables) and the keywords of apply:. The block's "_include" keyword
 * is the absolute file path. Returns NULL with err when the file or role cannot be loaded. */
struct pb_task *pb_load_dynamic(struct playbook *pb, struct pb_task *inc, const char *name,
                                struct val *vars, struct err *err);

/* Looks a keyword up through the parent chain (task, blocks, role entry, play); borrowed or NULL.
 * Only keywords that Ansible inherits are looked up past the task itself. */
struct val *pb_kw(const struct pb_task *t, const char *name);
/* The task's own keyword only; borrowed or NULL. */
struct val *pb_kw_own(const struct pb_task *t, const char *name);

/* --- pb-keyword.c: the keyword table --- */
enum pb_where {
    PB_AT_PLAY = 1 << 0,
    PB_AT_BLOCK = 1 << 1,
    PB_AT_TASK = 1 << 2,
    PB_AT_ROLE = 1 << 3,
    PB_AT_HANDLER = 1 << 4,
};
struct pb_keyword {
    const char *name;
    unsigned where;   /* enum pb_where */
    bool inherit;     /* a task sees the value set on an enclosing block/role/play */
};
/* Returns the keyword's entry, or NULL when 'name' is no keyword (then it may be a module). */
const struct pb_keyword *pb_keyword_find(const char *name);
/* True for keywords valid at 'where' (with_* counts as a task keyword). */
bool pb_keyword_valid(const char *name, unsigned where);

/* --- pb-args.c: free-form arguments and module detection --- */
/* Ansible's split_args(): whitespace split keeping quotes and jinja2 blocks together.
 * Returns 0, or -1 (ERR_PARSE at 'pos') on unbalanced quotes or blocks. */
int pb_split_args(const char *s, struct svec *out, const struct srcpos *pos, struct err *err);
/* Ansible's parse_kv(): "a=1 b='x y' free words" -> {a: "1", b: "x y", _raw_params: "free words"}.
 * check_raw: only creates/removes/chdir/... are taken as k=v (command, shell, script, raw).
 * Returns a new dict, or NULL with err. */
struct val *pb_parse_kv(const char *s, bool check_raw, const struct srcpos *pos, struct err *err);
/* Finds the one module key of a task dict and normalises its arguments (free form, args:,
 * action:, local_action:). Sets *action (borrowed from 'ds' or 'a'), *args (new dict),
 * *action_pos, and *delegate_local for local_action. Returns 0 or -1 with err at the task. */
int pb_task_action(struct val *ds, struct arena *a, const char **action, struct val **args,
                   struct srcpos *action_pos, bool *delegate_local, struct err *err);
/* True for actions whose free-form text is kept as _raw_params (command, shell, ...). */
bool pb_action_is_raw(const char *action);
/* Strips "ansible.builtin." / "ansible.legacy." from an action name. */
const char *pb_action_short(const char *action);

#endif
