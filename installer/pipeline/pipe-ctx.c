/*
 * pipe-ctx.c - the paths and the mode of one `pot install` run, derived from its options, and
 * the helpers every stage uses to describe its inputs (files, whole trees, the inventory).
 */
#include "pot.h"
#include <dirent.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include "base/buf.h"
#include "base/digest.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "pipeline/pipe.h"

static const char *const mode_names[] = {
    [PIPE_MODE_AUTO] = "auto",
    [PIPE_MODE_FULL] = "full",
    [PIPE_MODE_TKESTACK] = "tkestack",
    [PIPE_MODE_BUSINESS] = "business",
};

enum pipe_mode pipe_mode_parse(const char *s, struct err *err)
{
    for (size_t i = 0; i < ARRAY_SIZE(mode_names); i++) {
        if (strcmp(s, mode_names[i]) == 0) {
            return (enum pipe_mode)i;
        }
    }
    err_set(err, ERR_USAGE, "unknown --mode '%s'; use full, tkestack or business", s);
    return PIPE_MODE_AUTO;
}

const char *pipe_mode_name(enum pipe_mode mode)
{
    return mode_names[mode];
}

char *pipe_journal_path(const char *data_dir)
{
    return xasprintf("%s/pot/journal", data_dir);
}

char *pipe_lock_path(const char *data_dir)
{
    return xasprintf("%s/pot/lock", data_dir);
}

/* <kit>-<suffix>, next to the kit like the original /data/offline-pot-images. */
static char *kit_sibling(const char *kit, const char *suffix)
{
    size_t len = strlen(kit);

    while (len > 1 && kit[len - 1] == '/') {
        len--;
    }
    return xasprintf("%.*s-%s", (int)len, kit, suffix);
}

/* <parent of kit>/<name>: the original kit's ../tkestack. */
static char *kit_parent_join(const char *kit, const char *name)
{
    char *parent = fs_dirname(kit);
    char *path = fs_join(parent, name);

    free(parent);
    return path;
}

static enum pipe_mode detect_mode(const struct pipe_ctx *c)
{
    if (!fs_is_dir(c->tkestack_dir)) {
        return PIPE_MODE_BUSINESS;
    }
    if (!fs_is_dir(c->images_dir) && !fs_is_dir(c->tgz_dir)) {
        return PIPE_MODE_TKESTACK;
    }
    return PIPE_MODE_FULL;
}

int pipe_ctx_init(struct pipe_ctx *c, const struct pipe_opts *opts, struct err *err)
{
    memset(c, 0, sizeof(*c));
    c->opts = opts;
    if (!fs_is_dir(opts->kit_dir)) {
        return err_set(err, ERR_USAGE, "kit directory '%s' does not exist", opts->kit_dir);
    }
    c->inventory = opts->inventory ? xstrdup(opts->inventory) : fs_join(opts->kit_dir, "hosts");
    c->tkestack_dir = kit_parent_join(opts->kit_dir, "tkestack");
    c->images_dir = kit_sibling(opts->kit_dir, "images");
    c->tgz_dir = kit_sibling(opts->kit_dir, "tgz");
    c->reports_dir = kit_parent_join(opts->kit_dir, "perfor-reports");
    c->pot_dir = fs_join(opts->data_dir, "pot");
    c->hook_dir = fs_join(c->pot_dir, "hooks");
    c->tke_json = fs_join(opts->data_dir, "tke.json");
    c->tke_log = fs_join(opts->data_dir, "tke.log");
    c->mode = opts->mode == PIPE_MODE_AUTO ? detect_mode(c) : opts->mode;
    if (!fs_exists(c->inventory)) {
        return err_set(err, ERR_USAGE,
                       "inventory '%s' does not exist (copy hosts.tpl to hosts "
                       "and edit it, or pass -i)",
                       c->inventory);
    }
    return 0;
}

void pipe_ctx_release(struct pipe_ctx *c)
{
    free(c->inventory);
    free(c->tkestack_dir);
    free(c->images_dir);
    free(c->tgz_dir);
    free(c->reports_dir);
    free(c->pot_dir);
    free(c->hook_dir);
    free(c->tke_json);
    free(c->tke_log);
    svec_release(&c->ran);
    svec_release(&c->limit);
    memset(c, 0, sizeof(*c));
}

void pipe_say(const struct pipe_ctx *c, const char *fmt, ...)
{
    struct buf line = BUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    buf_vaddf(&line, fmt, ap);
    va_end(ap);
    if (c->opts->report.say) {
        c->opts->report.say(c->opts->report.ctx, line.ptr);
    }
    buf_release(&line);
}

void pipe_progress(const struct pipe_ctx *c, const char *fmt, ...)
{
    struct buf line = BUF_INIT;
    va_list ap;

    if (!c->opts->report.progress) {
        return;
    }
    if (fmt) {
        va_start(ap, fmt);
        buf_vaddf(&line, fmt, ap);
        va_end(ap);
    }
    c->opts->report.progress(c->opts->report.ctx, fmt ? line.ptr : NULL);
    buf_release(&line);
}

void pipe_hash_file(struct buf *text, const char *label, const char *path)
{
    struct buf content = BUF_INIT;
    struct err err = ERR_INIT;

    buf_addf(text, "%s=%s\n", label, path);
    if (fs_read_file(path, &content, &err) == 0) {
        buf_add(text, content.ptr, content.len);
    } else {
        buf_adds(text, "<none>");
    }
    buf_addc(text, '\n');
    buf_release(&content);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void pipe_hash_dir(struct buf *text, const char *label, const char *dir)
{
    struct svec names = SVEC_INIT;
    struct dirent *e;
    DIR *d = opendir(dir);

    buf_addf(text, "%s=%s\n", label, dir);
    for (e = d ? readdir(d) : NULL; e; e = readdir(d)) {
        struct stat st;
        char *path = fs_join(dir, e->d_name);

        if (e->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            svec_pushf(&names, "%s %lld", e->d_name, (long long)st.st_size);
        }
        free(path);
    }
    if (d) {
        closedir(d);
    }
    if (names.len) {
        qsort(names.items, names.len, sizeof(char *), cmp_str);
    }
    for (size_t i = 0; i < names.len; i++) {
        buf_addf(text, "%s\n", names.items[i]);
    }
    svec_release(&names);
}

/* Files larger than this are described by size and mtime instead of their content. */
#define HASH_CONTENT_MAX (16L << 20)
#define HASH_DEPTH_MAX 32

/* One line "relpath x|- <sha256 or size:mtime>" per regular file under 'dir' (recursive). */
static void tree_lines(const char *dir, const char *rel, int depth, struct svec *lines)
{
    struct dirent *e;
    DIR *d = depth < HASH_DEPTH_MAX ? opendir(dir) : NULL;

    for (e = d ? readdir(d) : NULL; e; e = readdir(d)) {
        char *path, *name;
        struct stat st;

        if (e->d_name[0] == '.') {
            continue;
        }
        path = fs_join(dir, e->d_name);
        name = rel ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            tree_lines(path, name, depth + 1, lines);
        } else if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            struct buf content = BUF_INIT;
            struct err err = ERR_INIT;
            char hex[SHA256_HEX_LEN + 1] = "<unreadable>";
            char x = st.st_mode & S_IXUSR ? 'x' : '-';

            if (st.st_size > HASH_CONTENT_MAX) {
                svec_pushf(lines, "%s %c size=%lld mtime=%lld.%09ld", name, x,
                           (long long)st.st_size, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
            } else {
                if (fs_read_file(path, &content, &err) == 0) {
                    sha256_hex(content.ptr, content.len, hex);
                }
                svec_pushf(lines, "%s %c %s", name, x, hex);
            }
            buf_release(&content);
        }
        free(name);
        free(path);
    }
    if (d) {
        closedir(d);
    }
}

void pipe_hash_tree(struct buf *text, const char *label, const char *path)
{
    struct svec lines = SVEC_INIT;

    if (!fs_is_dir(path)) {
        pipe_hash_file(text, label, path);
        return;
    }
    buf_addf(text, "%s=%s/\n", label, path);
    tree_lines(path, NULL, 0, &lines);
    if (lines.len) {
        qsort(lines.items, lines.len, sizeof(char *), cmp_str);
    }
    for (size_t i = 0; i < lines.len; i++) {
        buf_addf(text, "%s\n", lines.items[i]);
    }
    svec_release(&lines);
}

void pipe_hash_inventory(struct pipe_ctx *c, struct buf *text)
{
    pipe_hash_tree(text, "inventory", c->inventory);
    if (!fs_is_dir(c->inventory)) {
        char *dir = fs_dirname(c->inventory);
        char *group_vars = fs_join(dir, "group_vars");
        char *host_vars = fs_join(dir, "host_vars");

        pipe_hash_tree(text, "group_vars", group_vars);
        pipe_hash_tree(text, "host_vars", host_vars);
        free(host_vars);
        free(group_vars);
        free(dir);
    }
}
