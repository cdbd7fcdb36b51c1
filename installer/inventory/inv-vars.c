/*
 * inv-vars.c - inventory variables as Ansible merges them: group_vars/ and host_vars/ beside
 * each source and beside the playbook (NAME, NAME.yml, NAME.yaml, NAME.json or a NAME/
 * directory of files), then a host's variables in VariableManager.get_vars() order, and the
 * magic inventory variables (groups, group_names, inventory_hostname, hostvars).
 */
#include "pot.h"
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/strutil.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "inventory/inv-impl.h"
#include "inventory/inv.h"
#include "value/val-yaml.h"
#include "value/val.h"

static const char *const var_exts[] = { ".yml", ".yaml", ".json" };

/* combine_vars with hash_behaviour=replace: keys of 'add' replace those of 'into'. */
static void combine(struct val *into, const struct val *add)
{
    for (size_t i = 0; add && i < val_dict_len(add); i++) {
        val_dict_set(into, val_dict_key_at(add, i), val_dict_value_at(add, i));
    }
}

static bool var_file_name(const char *name)
{
    const char *dot = strrchr(name, '.');

    if (!dot || dot == name) {
        return true;
    }
    for (size_t i = 0; i < ARRAY_SIZE(var_exts); i++) {
        if (strcmp(dot, var_exts[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* _get_dir_vars_files: sorted, hidden and backup files skipped, extension-less dirs recursed. */
static void dir_var_files(const char *path, struct svec *found)
{
    struct svec names = SVEC_INIT;
    struct dirent *entry;
    DIR *dir = opendir(path);

    if (!dir) {
        return;
    }
    entry = readdir(dir);
    while (entry != NULL) {
        if (entry->d_name[0] != '.' && !str_ends_with(entry->d_name, "~")) {
            svec_push(&names, entry->d_name);
        }
        entry = readdir(dir);
    }
    closedir(dir);
    svec_sort(&names);
    for (size_t i = 0; i < names.len; i++) {
        char *full = fs_join(path, names.items[i]);
        bool has_ext = strrchr(names.items[i], '.') != NULL;

        if (fs_is_dir(full) && !has_ext) {
            dir_var_files(full, found);
        } else if (!fs_is_dir(full) && var_file_name(names.items[i])) {
            svec_push(found, full);
        }
        free(full);
    }
    svec_release(&names);
}

/* find_vars_files: the first of NAME, NAME.yml, NAME.yaml, NAME.json that exists. */
static void find_var_files(const char *dir, const char *name, struct svec *found)
{
    for (size_t i = 0; i <= ARRAY_SIZE(var_exts); i++) {
        char *path = xasprintf("%s/%s%s", dir, name, i == 0 ? "" : var_exts[i - 1]);
        bool exists = fs_exists(path);

        if (exists && fs_is_dir(path)) {
            dir_var_files(path, found);
        } else if (exists) {
            svec_push(found, path);
        }
        free(path);
        if (exists) {
            return;
        }
    }
}

/* Merges every vars file for 'name' under dir/subdir. Returns a new dict (NULL when there
 * are none), or NULL with 'err' set. */
static int load_entity(const char *dir, const char *subdir, const char *name, struct val **out,
                       struct err *err)
{
    char *base = fs_join(dir, subdir);
    struct svec files = SVEC_INIT;
    int ret = 0;

    *out = NULL;
    if (name[0] != '/' && fs_is_dir(base)) {
        find_var_files(base, name, &files);
    }
    for (size_t i = 0; i < files.len && ret == 0; i++) {
        struct val *data = val_from_yaml_file(files.items[i], err);

        if (!data) {
            ret = -1;
        } else if (data->type == VAL_DICT) {
            *out = *out ? *out : val_dict();
            combine(*out, data);
        } else if (val_truthy(data)) {
            struct srcpos pos = { pos_intern(files.items[i]), 1, 1 };

            ret = err_at(err, ERR_PARSE, &pos, "variables file must be a mapping, not %s",
                         val_type_name(data->type));
        }
        val_unref(data);
    }
    svec_release(&files);
    free(base);
    return ret;
}

static int load_dir_vars(struct inventory *inv, const char *dir, struct val *entry,
                         struct err *err)
{
    struct val *groups = val_dict();
    struct val *hosts = val_dict();
    struct val *data;
    int ret = 0;

    val_dict_set_take(entry, "group_vars", groups);
    val_dict_set_take(entry, "host_vars", hosts);
    for (size_t i = 0; i < inv->groups.len && ret == 0; i++) {
        struct inv_group *group = inv->groups.items[i];

        ret = load_entity(dir, "group_vars", group->name, &data, err);
        if (data) {
            val_dict_set_take(groups, group->name, data);
        }
    }
    for (size_t i = 0; i < inv->hosts.len && ret == 0; i++) {
        struct inv_host *host = inv->hosts.items[i];

        ret = load_entity(dir, "host_vars", host->name, &data, err);
        if (data) {
            val_dict_set_take(hosts, host->name, data);
        }
    }
    return ret;
}

int inv_read_var_files(struct inventory *inv, struct err *err)
{
    for (size_t i = 0; i < inv->var_dirs.len; i++) {
        char *real = realpath(inv->var_dirs.items[i], NULL);
        struct val *entry = val_dict();
        int ret = load_dir_vars(inv, real ? real : inv->var_dirs.items[i], entry, err);

        val_list_push_take(inv->file_vars, entry);
        free(real);
        if (ret < 0) {
            return -1;
        }
    }
    return 0;
}

/* host_vars/ beside a playbook: every host named there, in the inventory or not (the implicit
 * localhost reads its file too). */
static int load_play_host_vars(const char *dir, struct val *hosts, struct err *err)
{
    char *base = fs_join(dir, "host_vars");
    DIR *d = opendir(base);
    struct svec names = SVEC_INIT;
    struct dirent *e;
    int ret = 0;

    for (e = d ? readdir(d) : NULL; e; e = readdir(d)) {
        char *name = xstrdup(e->d_name);

        for (size_t i = 0; i < ARRAY_SIZE(var_exts); i++) {
            if (str_ends_with(name, var_exts[i]) && strlen(name) > strlen(var_exts[i])) {
                name[strlen(name) - strlen(var_exts[i])] = '\0';
                break;
            }
        }
        if (name[0] != '.' && !svec_contains(&names, name)) {
            svec_push(&names, name);
        }
        free(name);
    }
    if (d) {
        closedir(d);
    }
    svec_sort(&names);
    for (size_t i = 0; i < names.len && ret == 0; i++) {
        struct val *data = NULL;

        ret = load_entity(dir, "host_vars", names.items[i], &data, err);
        if (data) {
            val_dict_set_take(hosts, names.items[i], data);
        }
    }
    svec_release(&names);
    free(base);
    return ret;
}

int inv_add_playbook_dir(struct inventory *inv, const char *dir, struct err *err)
{
    char *real = realpath(dir, NULL);
    struct val *entry = val_dict();
    int ret = load_dir_vars(inv, real ? real : dir, entry, err);

    if (ret == 0) {
        ret = load_play_host_vars(real ? real : dir, val_dict_get(entry, "host_vars"), err);
    }
    free(real);
    val_unref(inv->play_vars);
    inv->play_vars = entry;
    if (ret < 0) {
        val_unref(entry);
        inv->play_vars = NULL;
    }
    return ret;
}

/* The vars file data of 'kind' ("group_vars"/"host_vars") for 'name' from inventory source
 * 'i', or from the playbook's directory when 'i' is the number of sources. */
static struct val *file_vars(const struct inventory *inv, size_t i, const char *kind,
                             const char *name)
{
    struct val *src = i < val_list_len(inv->file_vars) ? val_list_get(inv->file_vars, i)
                                                       : inv->play_vars;
    struct val *scope = src ? val_dict_get(src, kind) : NULL;

    return scope ? val_dict_get(scope, name) : NULL;
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

/* The host's groups but 'all', in sort_groups() order: depth, priority, name. */
static void sorted_groups(const struct inventory *inv, const struct inv_host *host,
                          struct vec *out)
{
    struct vec groups = VEC_INIT;

    inv_host_groups(inv, host, &groups);
    for (size_t i = 0; i < groups.len; i++) {
        if (groups.items[i] != inv->groups.items[0]) {
            vec_push(out, groups.items[i]);
        }
    }
    if (out->len > 1) {
        qsort(out->items, out->len, sizeof(void *), compare_groups);
    }
    vec_release(&groups);
}

struct val *inv_host_vars(const struct inventory *inv, const struct inv_host *host)
{
    const struct inv_group *all = inv->groups.items[0];
    size_t nsrc = val_list_len(inv->file_vars);
    struct val *vars = val_dict();
    struct vec groups = VEC_INIT;

    sorted_groups(inv, host, &groups);
    combine(vars, all->vars);
    for (size_t g = 0; g < groups.len; g++) {
        combine(vars, ((struct inv_group *)groups.items[g])->vars);
    }
    /* sources 0..nsrc-1 are the inventory's, nsrc the playbook's directory */
    for (size_t s = 0; s <= nsrc; s++) {
        combine(vars, file_vars(inv, s, "group_vars", "all"));
    }
    for (size_t s = 0; s <= nsrc; s++) {
        for (size_t g = 0; g < groups.len; g++) {
            const struct inv_group *group = groups.items[g];

            combine(vars, file_vars(inv, s, "group_vars", group->name));
        }
    }
    combine(vars, host->vars);
    for (size_t s = 0; s <= nsrc; s++) {
        combine(vars, file_vars(inv, s, "host_vars", host->name));
    }
    vec_release(&groups);
    return vars;
}

struct val *inv_groups_dict(const struct inventory *inv)
{
    struct val *dict = val_dict();

    for (size_t i = 0; i < inv->groups.len; i++) {
        struct inv_group *group = inv->groups.items[i];
        struct val *names = val_list();
        struct vec hosts = VEC_INIT;

        inv_group_hosts(inv, group, &hosts);
        for (size_t h = 0; h < hosts.len; h++) {
            val_list_push_take(names, val_str(((struct inv_host *)hosts.items[h])->name));
        }
        val_dict_set_take(dict, group->name, names);
        vec_release(&hosts);
    }
    return dict;
}

static int compare_strs(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct val *inv_group_names(const struct inventory *inv, const struct inv_host *host)
{
    struct vec groups = VEC_INIT;
    const char **names;
    size_t count = 0;
    struct val *list = val_list();

    inv_host_groups(inv, host, &groups);
    names = xcalloc(groups.len + 1, sizeof(char *));
    for (size_t i = 0; i < groups.len; i++) {
        const struct inv_group *group = groups.items[i];

        if (strcmp(group->name, "all") != 0) {
            names[count++] = group->name;
        }
    }
    qsort(names, count, sizeof(char *), compare_strs);
    for (size_t i = 0; i < count; i++) {
        val_list_push_take(list, val_str(names[i]));
    }
    free(names);
    vec_release(&groups);
    return list;
}

char *inv_hostname_short(const char *name)
{
    if (inv_is_ip_address(name)) {
        return xstrdup(name);
    }
    return xstrndup(name, strcspn(name, "."));
}

void inv_add_magic_vars(const struct inventory *inv, const struct inv_host *host,
                        struct val *vars, struct val *groups_dict)
{
    char *dir = host->source && fs_exists(host->source) ? fs_dirname(host->source) : NULL;
    char *short_name = inv_hostname_short(host->name);

    val_dict_set_take(vars, "inventory_hostname", val_str(host->name));
    val_dict_set_take(vars, "inventory_hostname_short",
                      val_str_take(short_name, strlen(short_name)));
    val_dict_set_take(vars, "group_names", inv_group_names(inv, host));
    if (groups_dict) {
        val_dict_set(vars, "groups", groups_dict);
    }
    val_dict_set_take(vars, "inventory_file", host->source ? val_str(host->source) : val_null());
    val_dict_set_take(vars, "inventory_dir", dir ? val_str_take(dir, strlen(dir)) : val_null());
}

struct val *inv_hostvars_dict(const struct inventory *inv)
{
    struct val *groups = inv_groups_dict(inv);
    struct val *hostvars = val_dict();

    for (size_t i = 0; i < inv->hosts.len; i++) {
        struct inv_host *host = inv->hosts.items[i];
        struct val *vars = inv_host_vars(inv, host);

        inv_add_magic_vars(inv, host, vars, groups);
        val_dict_set_take(hostvars, host->name, vars);
    }
    val_unref(groups);
    return hostvars;
}
