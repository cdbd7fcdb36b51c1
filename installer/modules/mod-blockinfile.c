/*
 * mod-blockinfile.c - the `blockinfile` module: insert, update or remove a block of lines
 * between two marker lines, ported from Ansible's blockinfile.py so the same file ends up with
 * the same bytes and the same messages.
 */
#include "pot.h"
#include <string.h>
#include <sys/stat.h>
#include "base/buf.h"
#include "base/fs.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "conn/conn.h"
#include "conn/shell-quote.h"
#include "modules/args.h"
#include "modules/lines.h"
#include "modules/mod-util.h"
#include "python/py-re.h"
#include "value/val.h"

static const struct arg_spec blockinfile_args[] = {
    { .name = "backup", .type = ARG_BOOL, .def = "false" },
    { .name = "block", .type = ARG_STR, .def = "", .aliases = "content" },
    { .name = "create", .type = ARG_BOOL, .def = "false" },
    { .name = "group", .type = ARG_STR },
    { .name = "insertafter", .type = ARG_STR },
    { .name = "insertbefore", .type = ARG_STR },
    { .name = "marker", .type = ARG_STR, .def = "# {mark} ANSIBLE MANAGED BLOCK" },
    { .name = "marker_begin", .type = ARG_STR, .def = "BEGIN" },
    { .name = "marker_end", .type = ARG_STR, .def = "END" },
    { .name = "mode", .type = ARG_MODE },
    { .name = "owner", .type = ARG_STR },
    { .name = "path", .type = ARG_PATH, .required = true, .aliases = "dest,destfile,name" },
    { .name = "state", .type = ARG_CHOICE, .choices = "absent,present", .def = "present" },
    { .name = "unsafe_writes", .type = ARG_BOOL, .def = "false" },
    { 0 },
};

/* The marker line for 'mark' ("# BEGIN ANSIBLE MANAGED BLOCK\n"). Returns a new string. */
static char *marker_line(const struct margs *args, const char *mark)
{
    char *m = str_replace_all(margs_str(args, "marker"), "{mark}", mark);
    char *line = xasprintf("%s\n", m);

    free(m);
    return line;
}

/* The lines to insert: begin marker, the block (newline-terminated), end marker; none when the
 * state is absent or the block is empty. */
static void block_lines(const struct margs *args, const char *m0, const char *m1,
                        struct svec *out)
{
    const char *block = margs_str(args, "block");
    struct buf b = BUF_INIT;

    if (strcmp(margs_str(args, "state"), "present") != 0 || !*block) {
        return;
    }
    buf_adds(&b, block);
    if (!str_ends_with(block, "\n")) {
        buf_addc(&b, '\n');
    }
    svec_push(out, m0);
    lines_split(out, b.ptr, b.len);
    svec_push(out, m1);
    buf_release(&b);
}

/* Where a new block goes when the markers are not both there (Ansible's n0). */
static size_t insert_at(const struct svec *lines, const char *after, const char *before,
                        struct py_re *re)
{
    long n0 = -1;

    if (!re) {
        return before ? 0 : lines->len;
    }
    for (size_t i = 0; i < lines->len; i++) {
        if (py_re_search(re, lines->items[i])) {
            n0 = (long)i;
        }
    }
    if (n0 < 0) {
        return lines->len;
    }
    return after ? (size_t)n0 + 1 : (size_t)n0;
}

/* Applies the block to 'lines'. Returns 0, or 1 with res failed (bad regexp). */
static int edit_lines(const struct margs *args, struct svec *lines, bool *has_block,
                      struct result *res)
{
    const char *after = margs_str(args, "insertafter");
    const char *before = margs_str(args, "insertbefore");
    const char *pattern = after && strcmp(after, "EOF") != 0    ? after
                        : !after && before && strcmp(before, "BOF") != 0 ? before
                                                                         : NULL;
    char *m0 = marker_line(args, margs_str(args, "marker_begin"));
    char *m1 = marker_line(args, margs_str(args, "marker_end"));
    struct svec block = SVEC_INIT;
    struct py_re re = { 0 };
    char why[300];
    long n0 = -1, n1 = -1;
    size_t at;

    if (pattern && py_re_compile(&re, pattern, strlen(pattern), 0, why, sizeof(why)) < 0) {
        result_fail(res, "unable to compile regexp '%s': %s", pattern, why);
        free(m0);
        free(m1);
        return 1;
    }
    for (size_t i = 0; i < lines->len; i++) {
        n0 = strcmp(lines->items[i], m0) == 0 ? (long)i : n0;
        n1 = strcmp(lines->items[i], m1) == 0 ? (long)i : n1;
    }
    if (n0 < 0 || n1 < 0) {
        at = insert_at(lines, after, !after ? before : NULL, pattern ? &re : NULL);
    } else {
        long lo = n0 < n1 ? n0 : n1, hi = n0 < n1 ? n1 : n0;

        for (long i = hi; i >= lo; i--) {
            lines_remove(lines, (size_t)i);
        }
        at = (size_t)lo;
    }
    if (at > 0 && !str_ends_with(lines->items[at - 1], "\n")) {
        char *fixed = xasprintf("%s\n", lines->items[at - 1]);

        free(lines->items[at - 1]);
        lines->items[at - 1] = fixed;
    }
    block_lines(args, m0, m1, &block);
    for (size_t i = 0; i < block.len; i++) {
        lines_insert(lines, at + i, block.items[i]);
    }
    *has_block = block.len > 0;
    svec_release(&block);
    py_re_free(&re);
    free(m0);
    free(m1);
    return 0;
}

/* Backup, parent directory, and the write (through a symlink to its target). Returns 0, 1, -1. */
static int save(struct module_ctx *ctx, const struct margs *args, const struct mod_stat *st,
                const struct buf *text, struct result *res, struct err *err)
{
    const char *path = margs_str(args, "path");
    const char *target = st->lnk_source ? st->lnk_source : path;
    struct buf cmd = BUF_INIT;
    char *dir = fs_dirname(path);
    char *backup = NULL;
    int status = 0;
    int ret = 0;

    if (st->exists && margs_bool(args, "backup")) {
        ret = mod_backup(ctx, path, &backup, res, err);
        if (ret == 0) {
            mod_set_str(res, "backup_file", backup);
        }
    }
    if (ret == 0 && !st->exists) {
        buf_adds(&cmd, "mkdir -p -- ");
        sh_quote(&cmd, dir);
        ret = mod_exec(ctx, cmd.ptr, NULL, 0, NULL, NULL, &status, err);
    }
    if (ret == 0) {
        ret = mod_put(ctx, target, text->ptr, text->len, st->exists ? st->mode & 07777 : 0644,
                      margs_bool(args, "unsafe_writes"), res, err);
    }
    free(backup);
    free(dir);
    buf_release(&cmd);
    return ret;
}

static int apply_attrs(struct module_ctx *ctx, const struct margs *args, bool *changed,
                       char **msg, struct result *res, struct err *err)
{
    struct mod_stat st;
    bool attr_changed = false;
    int ret;

    if (mod_stat(ctx, margs_str(args, "path"), true, NULL, &st, err) < 0) {
        return -1;
    }
    ret = st.exists ? mod_set_attrs(ctx, margs_str(args, "path"), &st, margs_str(args, "mode"),
                                    margs_str(args, "owner"), margs_str(args, "group"),
                                    &attr_changed, res, err)
                    : 0;
    mod_stat_release(&st);
    if (ret == 0 && attr_changed) {
        char *m = xasprintf("%s%sownership, perms or SE linux context changed", *msg,
                            *changed ? " and " : "");

        free(*msg);
        *msg = m;
        *changed = true;
    }
    return ret;
}

/* Reads the file (or decides it is missing). Returns 0, 1 when the result is final, -1. */
static int load(struct module_ctx *ctx, const struct margs *args, const struct mod_stat *st,
                struct buf *original, struct result *res, struct err *err)
{
    const char *path = margs_str(args, "path");

    if (st->exists && S_ISDIR(st->mode)) {
        val_dict_set_take(res->data, "rc", val_int(256));
        return result_fail(res, "Path %s is a directory !", path), 1;
    }
    if (!st->exists && !margs_bool(args, "create")) {
        val_dict_set_take(res->data, "rc", val_int(257));
        return result_fail(res, "Path %s does not exist !", path), 1;
    }
    if (!st->exists && strcmp(margs_str(args, "state"), "present") != 0) {
        char *msg = xasprintf("File %s not present", path);

        mod_set_str(res, "msg", msg);
        free(msg);
        res->status = RESULT_OK;
        return 1;
    }
    if (st->exists && conn_fetch(ctx->conn, path, original, ctx->become, err) < 0) {
        return err->kind == ERR_UNREACHABLE ? -1 : (result_fail(res, "%s", err->msg), 1);
    }
    return 0;
}

static int content_diff(struct module_ctx *ctx, const char *path, const struct buf *before,
                        const struct buf *after, struct result *res, struct err *err)
{
    char *label = xasprintf("%s (content)", path);
    int ret = 0;

    if (ctx->diff_mode) {
        ret = mod_diff(before->ptr, before->len, after->ptr, after->len, label, label,
                       &res->diff, err);
    }
    free(label);
    return ret < 0 ? -1 : 0;
}

static int edit(struct module_ctx *ctx, const struct margs *args, const struct mod_stat *st,
                struct result *res, struct err *err)
{
    struct buf original = BUF_INIT, text = BUF_INIT;
    struct svec lines = SVEC_INIT;
    bool has_block = false, changed;
    char *msg = NULL;
    int ret = load(ctx, args, st, &original, res, err);

    if (ret == 0) {
        lines_split(&lines, original.ptr, original.len);
        ret = edit_lines(args, &lines, &has_block, res);
    }
    if (ret == 0) {
        lines_join(&lines, &text);
        changed = !st->exists || original.len != text.len ||
                  memcmp(original.ptr, text.ptr, text.len) != 0;
        msg = xstrdup(!changed ? "" : !st->exists ? "File created"
                                    : !has_block  ? "Block removed"
                                                  : "Block inserted");
        ret = content_diff(ctx, margs_str(args, "path"), &original, &text, res, err);
        if (ret == 0 && changed && !ctx->check_mode) {
            ret = save(ctx, args, st, &text, res, err);
        }
        if (ret == 0 && !(ctx->check_mode && !st->exists)) {
            ret = apply_attrs(ctx, args, &changed, &msg, res, err);
        }
        if (ret == 0 && res->status != RESULT_FAILED) {
            mod_set_str(res, "msg", msg);
            res->status = changed ? RESULT_CHANGED : RESULT_OK;
        }
    }
    free(msg);
    svec_release(&lines);
    buf_release(&text);
    buf_release(&original);
    return ret;
}

static int blockinfile_run(struct module_ctx *ctx, const struct margs *args, struct result *res,
                           struct err *err)
{
    struct mod_stat st;
    int ret;

    if (margs_has(args, "insertafter") && margs_has(args, "insertbefore")) {
        return result_fail(res, "parameters are mutually exclusive: insertbefore|insertafter");
    }
    if (mod_stat(ctx, margs_str(args, "path"), true, NULL, &st, err) < 0) {
        return -1;
    }
    ret = edit(ctx, args, &st, res, err);
    mod_stat_release(&st);
    return ret < 0 ? -1 : 0;
}

const struct module module_blockinfile = {
    .name = "blockinfile",
    .args = blockinfile_args,
    .flags = MOD_CHECK_MODE | MOD_DIFF,
    .run = blockinfile_run,
};
