/*
 * inv.h - the inventory: hosts, groups, their variables, and how to select hosts, as
 * ansible-core 2.14 builds it from INI/YAML files, comma host lists and group_vars/host_vars.
 *
 * Order of use:
 *   struct inventory *inv = inv_new();
 *   inv_load(inv, "hosts", err);            once per -i source (file, directory or "h1,h2,")
 *   inv_finish(inv, err);                   reconcile all/ungrouped, read group_vars/host_vars
 *   ... inv_host_vars(), inv_match(), inv_groups_dict() ...
 *   inv_free(inv);
 *
 * Inventory variables are raw: never templated here. Hosts keep the order in which they were
 * first seen; groups keep the order in which they were created ('all' first, 'ungrouped' second).
 */
#ifndef INV_H
#define INV_H

#include "base/vec.h"

struct val;
struct err;
struct srcpos;
struct svec;
struct buf;

struct inv_host {
    char *name;         /* owned */
    struct val *vars;   /* owned dict: inline vars (ansible_port from host:port first) */
    struct vec groups;  /* borrowed struct inv_group *: groups it was added to directly */
    const char *source; /* borrowed interned path of the first source naming it, or NULL */
    size_t index;       /* position in inventory order */
};

struct inv_group {
    char *name;          /* owned */
    struct val *vars;    /* owned dict: inline vars ([g:vars], YAML vars:) */
    struct vec children; /* borrowed struct inv_group *, in the order they were added */
    struct vec parents;  /* borrowed struct inv_group * */
    struct vec hosts;    /* borrowed struct inv_host *: direct members, in the order added */
    int priority;        /* ansible_group_priority, default 1 */
    int depth;           /* longest path from 'all' (set by inv_finish) */
    size_t index;        /* creation order */
};

struct inventory;

/* Returns a new empty inventory holding only the groups 'all' and 'ungrouped'. */
struct inventory *inv_new(void);
void inv_free(struct inventory *inv);

/* Loads one -i source: a comma-separated host list ("h1,h2:2222,"), a directory (every file in
 * it, sorted, skipping hidden files, *.retry, *.ini~ and the like), or a file (YAML inventory
 * when it parses as a YAML mapping with .yml/.yaml/.json or no extension, INI otherwise).
 * Returns 0 or -1 with an ERR_PARSE error at file:line:col (ERR_IO when it cannot be read). */
int inv_load(struct inventory *inv, const char *source, struct err *err);
/* Loads INI or YAML inventory text directly ('name' is used in positions). */
int inv_load_ini(struct inventory *inv, const char *text, const char *name, struct err *err);
int inv_load_yaml(struct inventory *inv, const char *text, const char *name, struct err *err);
int inv_load_host_list(struct inventory *inv, const char *list, struct err *err);
/* After the last inv_load: makes every top group a child of 'all', moves group-less hosts into
 * 'ungrouped', computes depths and reads group_vars/ and host_vars/ beside every source. */
int inv_finish(struct inventory *inv, struct err *err);

/* Building blocks used by the loaders. Both return the existing object when the name is known.
 * inv_add_host adds the host to 'group' (may be NULL); 'port' > 0 sets ansible_port on a new
 * host only, as Ansible does. */
struct inv_group *inv_add_group(struct inventory *inv, const char *name);
struct inv_host *inv_add_host(struct inventory *inv, const char *name, struct inv_group *group,
                              int port);
/* Makes 'child' a child of 'parent'. Returns -1 with an ERR_PARSE error at 'pos' on a loop. */
int inv_add_child(struct inventory *inv, struct inv_group *parent, struct inv_group *child,
                  const struct srcpos *pos, struct err *err);
/* Sets a variable: ansible_group_priority on a group sets its priority instead. Dicts set over
 * dicts are merged one level as Ansible's set_variable does. Takes its own reference. */
void inv_set_group_var(struct inv_group *group, const char *key, struct val *value);
void inv_set_host_var(struct inv_host *host, const char *key, struct val *value);

/* Iteration and lookup; all borrowed, valid until inv_free. */
size_t inv_host_count(const struct inventory *inv);
struct inv_host *inv_host_at(const struct inventory *inv, size_t i);
size_t inv_group_count(const struct inventory *inv);
struct inv_group *inv_group_at(const struct inventory *inv, size_t i);
struct inv_host *inv_find_host(const struct inventory *inv, const char *name);
struct inv_group *inv_find_group(const struct inventory *inv, const char *name);
/* Every host of 'group' and of its descendants, once each, in Ansible's get_hosts() order:
 * the group's own hosts, then its children's, level by level. Fills 'out' with borrowed
 * struct inv_host *. */
void inv_group_hosts(const struct inventory *inv, const struct inv_group *group, struct vec *out);
/* The first host of group 'name' in that order (the kit's "first master"), or NULL when the
 * group is missing or empty. Borrowed. */
const struct inv_host *inv_group_first(const struct inventory *inv, const char *name);
/* The groups a host belongs to, directly or through children, 'all' included: borrowed
 * struct inv_group * in no particular order. */
void inv_host_groups(const struct inventory *inv, const struct inv_host *host, struct vec *out);

/* Reads the group_vars/ and host_vars/ beside the playbook in 'dir' (after inv_finish), which
 * inv_host_vars then merges as Ansible's VariableManager does: each just above the inventory's
 * own files of the same scope. A second call replaces the first. Returns 0, or -1 with 'err'
 * set when a file cannot be read or is not a mapping. */
int inv_add_playbook_dir(struct inventory *inv, const char *dir, struct err *err);

/* Variables. Each returns a new reference; the caller calls val_unref().
 * inv_host_vars: what ansible-inventory --host prints, in VariableManager.get_vars() order:
 * 'all' vars < group vars (by depth, ansible_group_priority, name) < group_vars/all beside the
 * inventory < beside the playbook < group_vars/<group> beside the inventory < beside the
 * playbook < inline host vars < host_vars/<host> beside the inventory < beside the playbook.
 * No magic variables. */
struct val *inv_host_vars(const struct inventory *inv, const struct inv_host *host);
/* The magic 'groups' dict: group name -> list of host names (all and ungrouped included). */
struct val *inv_groups_dict(const struct inventory *inv);
/* The magic 'group_names' list: sorted names of the host's groups except 'all' (Ansible keeps
 * 'ungrouped' for a host that is in no other group). */
struct val *inv_group_names(const struct inventory *inv, const struct inv_host *host);
/* inventory_hostname_short: the name up to the first '.', or the whole IP address. */
char *inv_hostname_short(const char *name);
/* The whole 'hostvars' dict: host name -> inv_host_vars() plus inventory_hostname,
 * inventory_hostname_short, group_names, groups, inventory_file and inventory_dir. */
struct val *inv_hostvars_dict(const struct inventory *inv);
/* Adds the magic inventory variables of 'host' to 'vars' (a dict). */
void inv_add_magic_vars(const struct inventory *inv, const struct inv_host *host,
                        struct val *vars, struct val *groups_dict);

/* Host patterns (inv-pattern.c). Fills 'out' with the borrowed hosts matching 'pattern'
 * (Ansible syntax: "web:&db:!web[0]", "a,b", "~re", "web*", "g[1:3]"), in inventory order,
 * then keeps only those also matching 'limit' when it is not NULL. A name that matches
 * nothing only adds a warning "could not match supplied host pattern, ignoring: 'x'" to
 * 'warnings' (may be NULL). Returns -1 with ERR_USAGE on a bad regex or subscript. */
int inv_match(const struct inventory *inv, const char *pattern, const char *limit,
              struct vec *out, struct svec *warnings, struct err *err);

/* `pot inventory` output (inv-list.c), shaped exactly like ansible-inventory's.
 * inv_list: the --list structure (groups with 'hosts'/'children', '_meta.hostvars'); 'only'
 * (borrowed hosts, may be NULL for all) restricts host lists and hostvars. New reference.
 * inv_graph: the --graph text of 'top' and its descendants, appended to 'out'. */
struct val *inv_list(const struct inventory *inv, const struct vec *only);
void inv_graph(const struct inv_group *top, const struct vec *only, struct buf *out);

#endif
