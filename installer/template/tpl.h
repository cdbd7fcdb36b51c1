/*
 * tpl.h - pot's Jinja2 template engine, as Ansible uses it: the public API.
 *
 * Compile once, render many times:
 *     struct tpl *t = tpl_compile(text, len, &opts, &err);    // NULL + err on a syntax error
 *     tpl_render(t, &scope, &out, &err);                        // -1 + err; 'out' untouched on error
 *     tpl_free(t);
 *
 * Variables come from a struct tpl_scope: a lookup callback that returns a new reference to a fully
 * resolved value (the variable store resolves templated variables lazily and recursively, with
 * cycle detection, before handing them out), or NULL when the name is undefined (err left
 * ERR_NONE), or NULL with err set when resolving failed.
 *
 * Ansible semantics of templated values (tpl_template_value): a string without '{{', '{%' or '{#'
 * is returned as is; otherwise it is rendered and, like ansible-core 2.14's ansible_eval_concat, a
 * result that is exactly one expression of a non-string type keeps its type only when it is a
 * list/dict/bool after literal_eval of its text ("{{ [1,2] }}" -> list, "{{ 1 + 1 }}" -> "2");
 * lists and dicts are templated item by item.
 */
#ifndef TPL_H
#define TPL_H

#include "base/err.h"

struct buf;
struct val;
struct tpl;

struct tpl_scope {
    /* Returns a new reference, or NULL (undefined when err->kind == ERR_NONE). */
    struct val *(*lookup)(void *ctx, const char *name, struct err *err);
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
    bool keep_trailing_newline; /* Ansible's template module: true */
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
/* Evaluates a bare Jinja2 expression (when:, changed_when:, failed_when:, until:, that:).
 * 'pos' is where the expression stands in its file. Returns a new reference or NULL. */
struct val *tpl_eval_expr(const char *expr, const struct srcpos *pos,
                          const struct tpl_scope *scope, struct err *err);
/* Evaluates a conditional like Ansible's `when:`: a bare expression, or a string that is itself a
 * template; the result's truthiness (a string "False"/"false"/"" ... as Ansible judges it). */
int tpl_eval_condition(const char *expr, const struct srcpos *pos, const struct tpl_scope *scope,
                       bool *result, struct err *err);

#endif
