/*
 * tpl.h - pot's Jinja2 template engine, as Ansible uses it: the public API.
 *
 * Compile once, render many times:
 *     struct tpl *t = tpl_compile(text, len, &opts, &err);  // NULL + err on a syntax error
 *     tpl_render(t, &scope, &out, &err);                      // -1 + err; 'out' kept on error
 *     tpl_free(t);
 *
 * Variables come from a struct tpl_scope: a lookup callback that returns a new reference to a fully
 * resolved value (the variable store resolves templated variables lazily and recursively, with
 * cycle detection, before handing them out), or NULL when the name is undefined (err left
 * ERR_NONE), or NULL with err set when resolving failed. A render asks the scope at most once per
 * name. struct tpl_dict_scope (below) is such a store over one dict: build the merged variables
 * of a host as a dict, init a tpl_dict_scope on it, and pass &s.scope to tpl_render,
 * tpl_template_value, tpl_eval_expr and tpl_eval_condition.
 *
 * A compiled struct tpl is read-only while rendering: threads may render the same tpl at once,
 * each with its own scope and buffers.
 *
 * Ansible semantics of templated values (tpl_template_value): a string without '{{', '{%' or '{#'
 * is returned as is; otherwise it is rendered and, like ansible-core 2.14's ansible_eval_concat,
 * rendered text that starts with '[' or '{' or is exactly True/False becomes a list/dict/bool when
 * it is a Python literal ("{{ [1,2] }}" -> list, "{{ 1 + 1 }}" -> "2", "{{ '[1]' }}" -> list);
 * lists and dicts are templated item by item (keys too).
 *
 * Output follows Ansible's template module: Python str() of values, None prints as nothing, and
 * an undefined variable is an error wherever it is used except by `is defined`, `default`,
 * `mandatory` (and attribute access on it, which stays undefined); so is a list or dict holding
 * an undefined item when it is printed, dumped by to_json/to_yaml, or is a templated value.
 * Errors are ERR_PARSE (syntax, unknown filter/test) or ERR_TEMPLATE (undefined, type error...),
 * positioned at the offending node as name:line:col (columns count characters) with the
 * expression text in the message.
 *
 * One render stops with an error after 2,000,000 loop iterations plus macro calls, or 64 MiB of
 * output or of one string/list result (runaway templates, fuzzing).
 *
 * Not supported: include/import/extends/block, loop controls, recursive loops, the
 * escape_backslashes pre-pass Ansible applies to task arguments, dict methods that mutate
 * (update, pop), list.append/extend on lists not created by a literal in the same render.
 */
#ifndef TPL_H
#define TPL_H

#include "base/err.h"
#include "base/vec.h"

struct buf;
struct val;
struct tpl;

struct tpl_scope {
    /* Returns a new reference, or NULL (undefined when err->kind == ERR_NONE). */
    struct val *(*lookup)(void *ctx, const char *name, struct err *err);
    /* Optional: the variable's value before templating (borrowed), NULL when undefined. With it,
     * a lone "{{ name }}" whose raw value is a bool, a number or None templates to that value
     * instead of text, as Ansible's Templar does (its SINGLE_VAR shortcut). */
    struct val *(*lookup_raw)(void *ctx, const char *name);
    void *ctx;
    /* Directory used by lookup('file'|'template') for relative paths; NULL = cwd. */
    const char *search_dir;
};

struct tpl_opts {
    const char *name;           /* template name for errors: a file path, or "task 'x' args" */
    int first_line;             /* line of the text's first character in 'name' (1 if 0) */
    int first_col;              /* column of the first character (1 if 0) */
    bool trim_blocks;           /* Ansible's template module: true */
    bool lstrip_blocks;         /* Ansible default: false */
    /* true: Ansible's preserve_trailing_newlines (the output ends with at least as many newlines
     * as the source); false: Jinja2's default (one trailing newline of the source dropped). */
    bool keep_trailing_newline;
};

struct tpl *tpl_compile(const char *text, size_t len, const struct tpl_opts *opts, struct err *err);
/* Appends the rendered text to 'out'; on error 'out' is left as it was. */
int tpl_render(const struct tpl *t, const struct tpl_scope *scope, struct buf *out,
               struct err *err);
void tpl_free(struct tpl *t);

/* True when 's' contains template markup ('{{', '{%' or '{#'). */
bool tpl_is_template(const char *s);
/* Templates a value the way Ansible templates task arguments and variables (see above).
 * Returns a new reference, or NULL with err set. Strings flagged VAL_UNSAFE are never rendered. */
struct val *tpl_template_value(struct val *v, const struct tpl_scope *scope,
                               const struct srcpos *pos, struct err *err);
/* Evaluates a bare Jinja2 expression to its value (debug var=; conditionals: tpl_eval_condition).
 * 'pos' is where the expression stands in its file. Returns a new reference or NULL; an undefined
 * value inside a list or dict result is an error, as in a templated value (debug var=). */
struct val *tpl_eval_expr(const char *expr, const struct srcpos *pos,
                          const struct tpl_scope *scope, struct err *err);
/* Evaluates a conditional like ansible-core 2.14's `when:`: a string containing markup is first
 * templated (tpl_template_value); a non-string or empty result is judged by its truthiness,
 * otherwise the text is evaluated as a bare expression and its truthiness returned (so "False"
 * from "{{ flag }}" is false, while a bare `flag` holding the string "False" is true, as in
 * Ansible). Returns 0 and sets *result, or -1 with err set. */
int tpl_eval_condition(const char *expr, const struct srcpos *pos, const struct tpl_scope *scope,
                       bool *result, struct err *err);

/* Ansible's lookup plugins (tpl-lookup.c), for lookup()/query() and a task's with_<name>:
 * tpl_lookup runs plugin 'plugin' over 'terms' (a list) with keyword options 'kw' (a dict or
 * NULL), searching files in 'subdir' (NULL: "files") of the scope's search path; returns the
 * plugin's list (a new reference) or NULL with err set (an unknown plugin is an error naming
 * it). tpl_lookup_exists: pot has the plugin; tpl_lookup_ansible: ansible-core 2.14 has it. */
struct val *tpl_lookup(const char *plugin, struct val *terms, const struct val *kw,
                       const char *subdir, const struct tpl_scope *scope, struct err *err);
bool tpl_lookup_exists(const char *name);
bool tpl_lookup_ansible(const char *name);

/* Ansible's own plugins by fully qualified name (tpl-fqcn.c): tpl_fqcn_prefix_len is the length
 * of a leading "ansible.builtin." or "ansible.legacy." of the 'len' bytes at 'name' (0 when there
 * is none, or nothing after it); tpl_fqcn_short returns the NUL-terminated 'name' past that prefix
 * (a pointer into 'name'). */
size_t tpl_fqcn_prefix_len(const char *name, size_t len);
const char *tpl_fqcn_short(const char *name);

/* A scope over a dict of variables (tpl-scope.c): values are templated lazily on first lookup
 * (recursively, with tpl_template_value), cached, and a reference cycle is an ERR_TEMPLATE naming
 * the chain. One instance serves one thread. Embed it, init it, pass &s.scope. */
struct tpl_dict_scope {
    struct tpl_scope scope;
    struct val *vars;      /* owned reference: the raw variables */
    struct val *cache;     /* owned: templated values by name */
    struct svec resolving; /* names being templated, for cycle detection */
};

/* Takes its own reference to 'vars' (a dict); 'search_dir' is borrowed (may be NULL). */
void tpl_dict_scope_init(struct tpl_dict_scope *s, struct val *vars, const char *search_dir);
void tpl_dict_scope_release(struct tpl_dict_scope *s);

#endif
