/*
 * registry.c - THE table of modules, sorted by name, and module_find().
 * Adding a module: declare it below and add one line to 'modules' (keep both sorted).
 */
#include "pot.h"
#include <string.h>
#include "modules/module.h"
#include "template/tpl.h"

extern const struct module module_authorized_key;
extern const struct module module_blockinfile;
extern const struct module module_command;
extern const struct module module_copy;
extern const struct module module_fetch;
extern const struct module module_file;
extern const struct module module_group;
extern const struct module module_iptables;
extern const struct module module_lineinfile;
extern const struct module module_modprobe;
extern const struct module module_ping;
extern const struct module module_raw;
extern const struct module module_replace;
extern const struct module module_script;
extern const struct module module_setup;
extern const struct module module_shell;
extern const struct module module_slurp;
extern const struct module module_stat;
extern const struct module module_sysctl;
extern const struct module module_template;
extern const struct module module_wait_for;

static const struct module *const modules[] = {
    &module_authorized_key,
    &module_blockinfile,
    &module_command,
    &module_copy,
    &module_fetch,
    &module_file,
    &module_group,
    &module_iptables,
    &module_lineinfile,
    &module_modprobe,
    &module_ping,
    &module_raw,
    &module_replace,
    &module_script,
    &module_setup,
    &module_shell,
    &module_slurp,
    &module_stat,
    &module_sysctl,
    &module_template,
    &module_wait_for,
    NULL,
};

const struct module *module_at(size_t i)
{
    return i < ARRAY_SIZE(modules) ? modules[i] : NULL;
}

const struct module *module_find(const char *name)
{
    name = tpl_fqcn_short(name);
    for (size_t i = 0; modules[i]; i++) {
        const char *coll = modules[i]->collection;
        size_t n = coll ? strlen(coll) : 0;

        if (strcmp(modules[i]->name, name) == 0 ||
            (coll && strncmp(name, coll, n) == 0 && name[n] == '.' &&
             strcmp(name + n + 1, modules[i]->name) == 0)) {
            return modules[i];
        }
    }
    return NULL;
}
