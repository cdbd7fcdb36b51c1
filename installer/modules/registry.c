/*
 * registry.c - THE table of modules, sorted by name, and module_find().
 * Adding a module: declare it below and add one line to 'modules' (keep both sorted).
 */
#include "pot.h"
#include <string.h>
#include "base/strutil.h"
#include "modules/module.h"

extern const struct module module_command;
extern const struct module module_copy;
extern const struct module module_lineinfile;
extern const struct module module_raw;
extern const struct module module_shell;
extern const struct module module_slurp;
extern const struct module module_stat;

static const struct module *const modules[] = {
    &module_command,
    &module_copy,
    &module_lineinfile,
    &module_raw,
    &module_shell,
    &module_slurp,
    &module_stat,
    NULL,
};

const struct module *module_find(const char *name)
{
    static const char *const prefixes[] = { "ansible.builtin.", "ansible.legacy.", NULL };

    for (size_t i = 0; prefixes[i]; i++) {
        if (str_starts_with(name, prefixes[i])) {
            name += strlen(prefixes[i]);
            break;
        }
    }
    for (size_t i = 0; modules[i]; i++) {
        if (strcmp(modules[i]->name, name) == 0) {
            return modules[i];
        }
    }
    return NULL;
}
