/*
 * exec-hosts.c - the hosts a run knows: the inventory's, each with its inventory variables (the
 * group_vars/ and host_vars/ beside the playbook included, see inv_host_vars), and Ansible's
 * implicit localhost, added when a play names localhost and the inventory does not have it.
 */
#include "pot.h"
#include <stdlib.h>
#include <string.h>
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "exec/exec.h"
#include "inventory/inv.h"
#include "playbook/pb.h"
#include "value/val.h"

static struct exec_host *host_new(struct exec_run *run, struct inv_host *ih)
{
    struct exec_host *h = xcalloc(1, sizeof(*h));

    h->ih = ih;
    h->name = ih->name;
    h->inv_vars = inv_host_vars(run->inv, ih);
    h->facts = val_dict();
    h->set_facts = val_dict();
    h->include_vars = val_dict();
    h->stats.host = h->name;
    vec_push(&run->hosts, h);
    return h;
}

int exec_hosts_add(struct exec_run *run, struct err *err)
{
    run->groups = inv_groups_dict(run->inv);
    if (run->pb->dir && fs_is_dir(run->pb->dir) &&
        inv_add_playbook_dir(run->inv, run->pb->dir, err) < 0) {
        return -1;
    }
    for (size_t i = 0; i < inv_host_count(run->inv); i++) {
        host_new(run, inv_host_at(run->inv, i));
    }
    return 0;
}

static bool is_local_name(const char *name, size_t len)
{
    static const char *const names[] = { "localhost", "127.0.0.1", "::1" };

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (strlen(names[i]) == len && strncmp(name, names[i], len) == 0) {
            return true;
        }
    }
    return false;
}

/* The local name a pattern term names, when the inventory has no such host. */
static char *implicit_name(const struct inventory *inv, const char *pattern)
{
    const char *p = pattern;

    while (*p) {
        size_t len = strcspn(p, ",");
        const char *start = p;

        while (len > 0 && (*start == ' ' || *start == '\t')) {
            start++;
            len--;
        }
        while (len > 0 && (start[len - 1] == ' ' || start[len - 1] == '\t')) {
            len--;
        }
        if (is_local_name(start, len)) {
            char *name = xstrndup(start, len);

            if (!inv_find_host(inv, name)) {
                return name;
            }
            free(name);
        }
        p += strcspn(p, ",");
        p += *p == ',';
    }
    return NULL;
}

int exec_hosts_implicit(struct exec_run *run, const char *pattern, struct exec_host **out,
                        struct err *err)
{
    char *name = implicit_name(run->inv, pattern);
    struct inv_host *ih;

    (void)err; /* the playbook's vars files were read by exec_hosts_add */
    *out = NULL;
    if (!name) {
        return 0;
    }
    for (size_t i = 0; i < run->hosts.len; i++) {
        struct exec_host *h = run->hosts.items[i];

        if (h->implicit && strcmp(h->name, name) == 0) {
            free(name);
            *out = h;
            return 1;
        }
    }
    ih = xcalloc(1, sizeof(*ih));
    ih->name = name;
    ih->vars = val_dict();
    ih->index = run->hosts.len;
    val_dict_set_take(ih->vars, "ansible_connection", val_str("local"));
    val_dict_set_take(ih->vars, "ansible_python_interpreter", val_str("/usr/bin/python3"));
    vec_push(&run->implicit, ih);
    *out = host_new(run, ih);
    (*out)->implicit = true;
    return 1;
}

void exec_hosts_release(struct exec_run *run)
{
    for (size_t i = 0; i < run->implicit.len; i++) {
        struct inv_host *ih = run->implicit.items[i];

        free(ih->name);
        val_unref(ih->vars);
        vec_release(&ih->groups);
        free(ih);
    }
    vec_release(&run->implicit);
}
