/*
 * inv-load.c - turn -i sources into an inventory the way ansible-core's InventoryManager
 * does: a comma host list, a directory of inventory files, or one file handed to the YAML
 * reader first and the INI reader when it is not a YAML mapping; then inv_finish().
 */
#include "pot.h"
#include <dirent.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
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

/* IGNORED in ansible/inventory/manager.py with the default INVENTORY_IGNORE_EXTS. */
static bool ignored_entry(const char *name)
{
    static const char *const exts[] = { ".pyc", ".pyo", ".swp", ".bak", "~",    ".rpm", ".md",
                                        ".txt", ".rst", ".orig", ".ini", ".cfg", ".retry" };

    if (name[0] == '.' || strcmp(name, "host_vars") == 0 || strcmp(name, "group_vars") == 0 ||
        strcmp(name, "vars_plugins") == 0) {
        return true;
    }
    for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
        if (str_ends_with(name, exts[i])) {
            return true;
        }
    }
    return false;
}

int inv_load_host_list(struct inventory *inv, const char *list, struct err *err)
{
    struct svec items = SVEC_INIT;
    struct inv_group *ungrouped = inv_find_group(inv, "ungrouped");

    (void)err;
    svec_split(&items, list, ',');
    for (size_t i = 0; i < items.len; i++) {
        char *item = str_trim(items.items[i]);
        char *host = NULL;
        int port = 0;

        if (item[0] && inv_parse_address(item, &host, &port) < 0) {
            host = xstrdup(item);
            port = 0;
        }
        if (item[0] && !inv_find_host(inv, host)) {
            inv_add_host(inv, host, ungrouped, port);
        }
        free(host);
        free(item);
    }
    svec_release(&items);
    return 0;
}

static bool yaml_extension(const char *path)
{
    const char *base = fs_basename(path);
    const char *dot = strrchr(base, '.');

    return !dot || dot == base || strcmp(dot, ".yml") == 0 || strcmp(dot, ".yaml") == 0 ||
           strcmp(dot, ".json") == 0;
}

static bool yaml_named(const char *path)
{
    return str_ends_with(path, ".yml") || str_ends_with(path, ".yaml") ||
           str_ends_with(path, ".json");
}

/* YAML when the text is a YAML mapping (and the name allows YAML), INI otherwise. When
 * both fail, the error of the format the file name suggests is kept. */
static int load_file(struct inventory *inv, const char *path, struct err *err)
{
    struct buf text = BUF_INIT;
    struct err yaml_err = ERR_INIT;
    struct val *probe = NULL;
    const char *nul;
    int ret = -1;

    if (fs_read_file(path, &text, err) < 0) {
        goto out;
    }
    /* a binary file (a program, an archive) would parse as an empty INI inventory */
    nul = text.len ? memchr(text.ptr, '\0', text.len) : NULL;
    if (nul) {
        err_set(err, ERR_PARSE, "%s: not a text inventory (a NUL byte at offset %zu)", path,
                (size_t)(nul - text.ptr));
        goto out;
    }
    if (yaml_extension(path)) {
        probe = val_from_yaml(text.ptr, text.len, path, &yaml_err);
    }
    if (probe && probe->type == VAL_DICT) {
        ret = inv_load_yaml(inv, text.ptr, path, err);
        goto out;
    }
    ret = inv_load_ini(inv, text.ptr, path, err);
    if (ret < 0 && yaml_named(path)) {
        err_clear(err);
        ret = probe ? inv_load_yaml(inv, text.ptr, path, err) : -1;
        if (!probe) {
            *err = yaml_err;
        }
    }
out:
    val_unref(probe);
    buf_release(&text);
    return ret;
}

static int load_path(struct inventory *inv, const char *path, struct err *err);

static int load_dir(struct inventory *inv, const char *path, struct err *err)
{
    struct svec names = SVEC_INIT;
    struct dirent *entry;
    DIR *dir = opendir(path);
    int ret = 0;

    if (!dir) {
        return err_errno(err, "cannot read inventory directory '%s'", path);
    }
    entry = readdir(dir);
    while (entry != NULL) {
        if (!ignored_entry(entry->d_name)) {
            svec_push(&names, entry->d_name);
        }
        entry = readdir(dir);
    }
    closedir(dir);
    svec_sort(&names);
    for (size_t i = 0; i < names.len && ret == 0; i++) {
        char *full = fs_join(path, names.items[i]);

        ret = load_path(inv, full, err);
        free(full);
    }
    svec_release(&names);
    return ret;
}

static int load_path(struct inventory *inv, const char *path, struct err *err)
{
    if (fs_is_dir(path)) {
        return load_dir(inv, path, err);
    }
    inv->current = pos_intern(path);
    return load_file(inv, path, err);
}

/* unfrackpath(follow=False): an absolute path without '.' or '..' parts or double slashes. */
static char *absolute_path(const char *path)
{
    char cwd[PATH_MAX];
    struct svec parts = SVEC_INIT;
    struct svec kept = SVEC_INIT;
    struct buf out = BUF_INIT;
    char *joined = path[0] == '/' || !getcwd(cwd, sizeof(cwd))
                       ? xstrdup(path)
                       : xasprintf("%s/%s", cwd, path);

    svec_split(&parts, joined, '/');
    for (size_t i = 0; i < parts.len; i++) {
        if (strcmp(parts.items[i], "..") == 0 && kept.len > 0) {
            free(kept.items[--kept.len]);
            kept.items[kept.len] = NULL;
        } else if (parts.items[i][0] && strcmp(parts.items[i], ".") != 0 &&
                   strcmp(parts.items[i], "..") != 0) {
            svec_push(&kept, parts.items[i]);
        }
    }
    for (size_t i = 0; i < kept.len; i++) {
        buf_addf(&out, "/%s", kept.items[i]);
    }
    if (out.len == 0) {
        buf_addc(&out, '/');
    }
    svec_release(&parts);
    svec_release(&kept);
    free(joined);
    return buf_detach(&out, NULL);
}

int inv_load(struct inventory *inv, const char *source, struct err *err)
{
    char *path;
    int ret;

    if (strchr(source, ',') && !fs_exists(source)) {
        inv->current = pos_intern(source);
        ret = inv_load_host_list(inv, source, err);
        inv->current = NULL;
        return ret;
    }
    if (!fs_exists(source)) {
        return err_set(err, ERR_IO, "inventory source '%s' does not exist", source);
    }
    path = absolute_path(source);
    if (fs_is_dir(path)) {
        svec_push(&inv->var_dirs, path);
    } else {
        svec_push_take(&inv->var_dirs, fs_dirname(path));
    }
    ret = load_path(inv, path, err);
    inv->current = NULL;
    free(path);
    return ret;
}

int inv_finish(struct inventory *inv, struct err *err)
{
    if (inv_reconcile(inv, err) < 0) {
        return -1;
    }
    return inv_read_var_files(inv, err);
}
