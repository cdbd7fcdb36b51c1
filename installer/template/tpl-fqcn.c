/*
 * tpl-fqcn.c - Ansible's fully qualified names of its own plugins: "ansible.builtin.NAME" and
 * "ansible.legacy.NAME" name the same module, filter, test, lookup or strategy as "NAME". The one
 * place that knows those two prefixes.
 */
#include "pot.h"
#include <string.h>
#include "template/tpl.h"

size_t tpl_fqcn_prefix_len(const char *name, size_t len)
{
    static const char *const prefixes[] = { "ansible.builtin.", "ansible.legacy." };

    for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
        size_t n = strlen(prefixes[i]);

        if (len > n && memcmp(name, prefixes[i], n) == 0) {
            return n;
        }
    }
    return 0;
}

const char *tpl_fqcn_short(const char *name)
{
    return name + tpl_fqcn_prefix_len(name, strlen(name));
}
