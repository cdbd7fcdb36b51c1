/*
 * exec-hosts.c - the hosts a run knows: the inventory's, each with its inventory variables and
 * the group_vars/ and host_vars/ beside the playbook over them, and Ansible's implicit
 * localhost, added when a play names localhost and the inventory does not have it.
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
#include "value/val-yaml.h"
#include "value/val.h"

static void merge_into(struct val *dst, const struct val *src)
{
    for (size_t i = 0; src && src->type == VAL_DICT && i < val_dict_len(src); i++) {
        val_dict_set(dst, val_dict_key_at(src, i), val_dict_value_at(src, i));
    }
}

/* Merges dir/kind/NAME (NAME, NAME.yml, NAME.yaml or NAME.json, the first that is a file) into
 * 'vars'. Directories of files are not read. */
static int merge_var_file(const char *dir, const char *kind, const char *name, struct val *vars,
                          struct err *err)
{
    static const char *const exts[] = { "", ".yml", ".yaml", ".json" };

    for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
        char *path = xasprintf("%s/%s/%s%s", dir, kind, name, exts[i]);
        struct val *data = NULL;

        if (fs_exists(path) && !fs_is_dir(path)) {
            data = val_from_yaml_file(path, err);
            free(path);
            if (!data) {
                return -1;
            }
            merge_into(vars, data);
            val_unref(data);
            return 0;
        }
        free(path);
    }
    return 0;
}

static int compare_groups(const void *a, const void *b)
{
    const struct inv_group *x = *(const struct inv_group *const *)a;
    const struct inv_group *y = *(const struct inv_group *const *)b;

    if (x->depth != y->depth) {
        return x->depth < y->depth ? -1 : 1;
    }
    if (x->priority != y->priority) {
        return x->priority < y->priority ? -1 : 1;
    }
    return strcmp(x->name, y->name);
}

/* The playbook directory's group_vars (all, then the host's groups by depth, priority, name) and
 * host_vars over the inventory's variables. The host's inline variables stay above the
 * playbook's group_vars; an inventory host_vars/ file does not (a known difference). */
static int add_playbook_vars(struct exec_run *run, struct exec_host *h, struct err *err)
{
    const char *dir = run->pb->dir;
    struct vec groups = VEC_INIT;
    size_t n = 0;
    int ret = 0;

    if (!dir || !fs_is_dir(dir)) {
        return 0;
    }
    inv_host_groups(run->inv, h->ih, &groups);
    for (size_t i = 0; i < groups.len; i++) {
        if (strcmp(((struct inv_group *)groups.items[i])->name, "all") != 0) {
            groups.items[n++] = groups.items[i];
        }
    }
    groups.len = n;
    if (n > 1) {
        qsort(groups.items, n, sizeof(void *), compare_groups);
    }
    ret = merge_var_file(dir, "group_vars", "all", h->inv_vars, err);
    for (size_t i = 0; i < groups.len && ret == 0; i++) {
        ret = merge_var_file(dir, "group_vars", ((struct inv_group *)groups.items[i])->name,
                             h->inv_vars, err);
    }
    merge_into(h->inv_vars, h->ih->vars);
    if (ret == 0) {
        ret = merge_var_file(dir, "host_vars", h->name, h->inv_vars, err);
    }
    vec_release(&groups);
    return ret;
}

static struct exec_host *host_new(struct exec_run *run, struct inv_host *ih, struct err *err)
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
    return add_playbook_vars(run, h, err) < 0 ? NULL : h;
}

int exec_hosts_add(struct exec_run *run, struct err *err)
{
    run->groups = inv_groups_dict(run->inv);
    for (size_t i = 0; i < inv_host_count(run->inv); i++) {
        if (!host_new(run, inv_host_at(run->inv, i), err)) {
            return -1;
        }
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
    *out = host_new(run, ih, err);
    if (!*out) {
        return -1;
    }
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
