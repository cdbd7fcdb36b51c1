/*
 * args.h - a task's arguments checked against its module's arg_spec, and typed getters.
 *
 * The runner calls margs_check() for every task before any host is touched (names only: the values
 * may still be templates), then margs_parse() per host on the templated arguments, passes the
 * struct margs to module->run, and margs_release()s it. Modules read values with margs_*().
 */
#ifndef ARGS_H
#define ARGS_H

#include "modules/module.h"

struct srcpos;

/* Checks that every key of 'raw' (a dict, borrowed; NULL = none) is an argument or alias of 'm'
 * and that required arguments are present. '_raw_params' is accepted for MOD_FREE_FORM modules;
 * MOD_ANY_ARGS modules accept any key. Errors (ERR_PARSE at the offending value's position, else
 * at 'pos'):
 *   unsupported parameter 'x' for module 'copy'; supported parameters: backup, content, ...
 *   missing required arguments: path (module 'stat')
 *   parameters are mutually exclusive: path|dest (aliases given twice) */
int margs_check(const struct module *m, const struct val *raw, const struct srcpos *pos,
                struct err *err);

/* margs_check(), then resolves aliases to canonical names, fills defaults, checks choices and
 * converts each value to its declared type (Ansible's rules; null counts as absent). On success
 * 'out' owns a new dict; on failure 'out' is left empty. Type errors read like Ansible's:
 *   argument 'force' is of type str and we were unable to convert to bool: the value 'maybe' is
 *   not a valid boolean
 *   value of state must be one of: present, absent, got: gone */
int margs_parse(const struct module *m, const struct val *raw, const struct srcpos *pos,
                struct margs *out, struct err *err);
void margs_release(struct margs *a);

/* Ansible's boolean(): yes/no/true/false/on/off/y/n/1/0 in any case. Returns 0 or -1. */
int margs_parse_bool(const char *s, bool *out);

/* Getters; 'name' is the canonical name. Values are borrowed from 'a'. */
struct val *margs_get(const struct margs *a, const char *name); /* NULL when absent */
bool margs_has(const struct margs *a, const char *name);
const char *margs_str(const struct margs *a, const char *name);   /* NULL when absent */
bool margs_bool(const struct margs *a, const char *name);         /* false when absent */
int64_t margs_int(const struct margs *a, const char *name, int64_t def);
struct val *margs_list(const struct margs *a, const char *name);  /* a list, or NULL */

#endif
