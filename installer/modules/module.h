/*
 * module.h - what a module is: a name, a table of accepted arguments, flags, and a run function
 * that talks to the host only through ctx->conn. The runner validates a task's arguments against
 * the module's arg_spec before any host is touched (exec-check), templates them per host, converts
 * them to their declared types, and calls run() once per host and loop item.
 *
 * Adding a module: write modules/mod-<name>.c with its arg_spec table and `const struct module
 * module_<name>`, add one line to modules/registry.c (sorted) and one to installer/CMakeLists.txt.
 */
#ifndef MODULE_H
#define MODULE_H

#include "base/buf.h"
#include "base/err.h"

struct val;
struct conn;
struct become;
struct tpl_scope;

enum arg_type {
    ARG_END = 0,
    ARG_STR,    /* any scalar, converted to its string form */
    ARG_BOOL,   /* Ansible booleans: yes/no/true/false/1/0/on/off (any case) */
    ARG_INT,
    ARG_PATH,   /* a string; '~' expanded on the host */
    ARG_CHOICE, /* a string, one of 'choices' */
    ARG_LIST,   /* a list, or a comma-separated string split into one */
    ARG_DICT,
    ARG_RAW,    /* any value, passed through */
    ARG_MODE,   /* file mode: octal string "0644", int (as YAML 0644 -> 420), or symbolic "u+rwx" */
};

struct arg_spec {
    const char *name;
    enum arg_type type;
    bool required;
    const char *aliases; /* comma-separated */
    const char *choices; /* comma-separated, for ARG_CHOICE */
    const char *def;     /* default as text; NULL = no default (absent) */
    bool no_log;         /* the value is a secret: never printed */
};

enum module_flags {
    MOD_CHECK_MODE = 1 << 0, /* supports --check (otherwise the task is skipped in check mode) */
    MOD_DIFF = 1 << 1,       /* can report a diff for --diff */
    MOD_FREE_FORM = 1 << 2,  /* accepts a free-form string ("command: ls -l", "shell: ...") */
    MOD_LOCAL = 1 << 3,      /* runs on the controller, never touching the host (debug, set_fact) */
    MOD_ANY_ARGS = 1 << 4,   /* accepts arguments not in its spec (set_fact, include_vars) */
};

/* A task's outcome on one host, as Ansible reports it. */
enum result_status {
    RESULT_OK,
    RESULT_CHANGED, /* ok with changed=true */
    RESULT_FAILED,
    RESULT_SKIPPED,
    RESULT_UNREACHABLE,
};

struct result {
    enum result_status status;
    char *msg;          /* owned; the failure or skip message, or NULL */
    struct val *data;   /* owned dict: the module's return values (rc, stdout, stdout_lines, stat,
                           ansible_facts, ...), what `register` stores; never NULL after run */
    struct buf diff;    /* unified diff text for --diff, empty when none */
};

/* Everything a module may use while it runs on one host. */
struct module_ctx {
    struct conn *conn;            /* borrowed: the host's connection */
    const struct become *become;  /* borrowed: NULL when not becoming */
    const char *host_name;        /* inventory_hostname */
    bool check_mode;
    bool diff_mode;
    const char *task_dir;         /* directory for relative 'src' (role files/, playbook dir) */
    const char *templates_dir;    /* directory for relative template 'src' (role templates/) */
    struct val *vars;             /* borrowed: the host's templated variables (for `template`) */
    const struct tpl_scope *scope;/* borrowed: to render templates with the host's variables */
    char *const *env;             /* task `environment:` as NAME=VALUE pairs, NULL-terminated */
};

/* Validated and typed arguments: a dict from canonical argument name to value (aliases resolved,
 * defaults filled, types converted). Modules read it with the margs_* helpers in args.c. */
struct margs {
    struct val *dict;     /* owned */
    const char *free_form; /* borrowed from dict["_raw_params"], or NULL */
};

struct module {
    const char *name;
    const char *collection; /* its collection when it is not ansible.builtin ("ansible.posix"):
                               "ansible.posix.sysctl" finds it too; NULL for builtins */
    const struct arg_spec *args;
    unsigned flags;
    /* Fills 'res' (status, msg, data). Returns 0; -1 only when the host became unreachable
     * (err set, ERR_UNREACHABLE) - a failed module is RESULT_FAILED, not an error. */
    int (*run)(struct module_ctx *ctx, const struct margs *args, struct result *res,
               struct err *err);
};

/* The module table (registry.c): finds "copy", "ansible.builtin.copy" and "ansible.legacy.copy"
 * (Ansible routes a moved module's builtin name to its collection, so "ansible.builtin.sysctl"
 * too), and a collection module by its full name ("ansible.posix.sysctl"). */
const struct module *module_find(const char *name);
/* The i-th module of the table, NULL past the last (the test of the table walks it). */
const struct module *module_at(size_t i);

/* Result helpers. */
void result_init(struct result *res);
void result_release(struct result *res);
/* Sets RESULT_FAILED with a message (printf-like); returns 0 so modules can
 * 'return result_fail()'. */
int result_fail(struct result *res, const char *fmt, ...) PRINTF_LIKE(2, 3);

#endif
