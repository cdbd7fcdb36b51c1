/*
 * vars.h - the variables a task sees on a host: Ansible's precedence layers merged into one
 * flat dict, and a template scope that resolves templated values lazily, with cycle detection.
 *
 * Use: fill a struct vars_layers with borrowed dicts (any may be NULL), vars_merge() them
 * (low to high precedence, as Ansible documents it), then vars_scope_init() with the result;
 * pass &scope.tpl to the template engine. Loop variables (item, ansible_loop, loop_var) go in
 * an overlay that vars_scope_set_overlay() swaps per item. One scope is used by one thread.
 */
#ifndef VARS_H
#define VARS_H

#include "base/vec.h"
#include "template/tpl.h"

struct val;

/* Lowest precedence first. */
enum vars_layer {
    VARS_ROLE_DEFAULTS,   /* every role's defaults in the play, then the task's role's */
    VARS_INVENTORY,       /* group vars (all < parents < children) < host vars */
    VARS_FACTS,           /* ansible_facts, and each fact injected as ansible_<name> */
    VARS_PLAY,            /* play vars: */
    VARS_PLAY_FILES,      /* vars_files */
    VARS_ROLE,            /* role vars/main.yml (every role's, then the task's role's) */
    VARS_BLOCK,           /* vars: of enclosing blocks, outer first */
    VARS_TASK,            /* the task's vars: */
    VARS_INCLUDE,         /* include_vars */
    VARS_SET_FACT,        /* set_fact and register */
    VARS_ROLE_PARAMS,     /* parameters given to the task's role */
    VARS_EXTRA,           /* -e */
    VARS_MAGIC,           /* inventory_hostname, groups, play hosts, playbook_dir, ... */
    VARS_NLAYERS,
};

struct vars_layers {
    struct val *layer[VARS_NLAYERS]; /* borrowed dicts; NULL = empty */
};

/* The value that makes a module argument disappear: "{{ x | default(omit) }}". */
#define VARS_OMIT "__omit_place_holder__5c8b7c8a2f2d"

/* Returns a new dict: every layer merged over the lower ones (top-level keys replaced). */
struct val *vars_merge(const struct vars_layers *layers);
/* Adds the layer VARS_FACTS form of 'facts' (ansible_facts dict) to 'out'. */
void vars_inject_facts(struct val *out, struct val *facts);

struct vars_scope {
    struct tpl_scope tpl;      /* lookup = the lazy resolver, ctx = this */
    struct val *flat;          /* owned: raw merged variables */
    struct val *overlay;       /* owned or NULL: loop variables, above everything */
    struct val *cache;         /* owned dict: resolved values of 'flat' names */
    struct svec resolving;     /* names being resolved now (cycle detection) */
    /* Builds hostvars on first use; returns a new reference. NULL = no hostvars. */
    struct val *(*hostvars)(void *ctx);
    void *hostvars_ctx;
};

/* Takes 'flat'. search_dir: for lookup('file') (borrowed, may be NULL). */
void vars_scope_init(struct vars_scope *s, struct val *flat, const char *search_dir);
/* Replaces the loop variables (takes 'overlay', may be NULL). */
void vars_scope_set_overlay(struct vars_scope *s, struct val *overlay);
void vars_scope_release(struct vars_scope *s);
/* Resolves one variable: a new reference, NULL when undefined (err untouched) or on error. */
struct val *vars_get(struct vars_scope *s, const char *name, struct err *err);
/* A dict of every variable, resolved (for `debug: var=vars` and the template module): new ref.
 * Variables that fail to resolve are left raw. */
struct val *vars_snapshot(struct vars_scope *s);

#endif
