/*
 * mod-lineinfile.c - the `lineinfile` module: ensure one line is present (replacing the last
 * regexp match, or inserted after/before an anchor) or absent, ported from Ansible's present()
 * and absent() so the same file ends up with the same bytes.
 */
#include "pot.h"
#include <string.h>
#include <sys/stat.h>
#include "base/buf.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "conn/conn.h"
#include "conn/shell-quote.h"
#include "modules/args.h"
#include "modules/lines.h"
#include "modules/mod-util.h"
#include "python/py-re.h"
#include "value/val.h"

static const struct arg_spec lineinfile_args[] = {
    { .name = "backrefs", .type = ARG_BOOL, .def = "false" },
    { .name = "backup", .type = ARG_BOOL, .def = "false" },
    { .name = "create", .type = ARG_BOOL, .def = "false" },
    { .name = "firstmatch", .type = ARG_BOOL, .def = "false" },
    { .name = "group", .type = ARG_STR },
    { .name = "insertafter", .type = ARG_STR },
    { .name = "insertbefore", .type = ARG_STR },
    { .name = "line", .type = ARG_STR, .aliases = "value" },
    { .name = "mode", .type = ARG_MODE },
    { .name = "owner", .type = ARG_STR },
    { .name = "path", .type = ARG_PATH, .required = true, .aliases = "dest,destfile,name" },
    { .name = "regexp", .type = ARG_STR, .aliases = "regex" },
    { .name = "search_string", .type = ARG_STR },
    { .name = "state", .type = ARG_CHOICE, .choices = "absent,present", .def = "present" },
    { .name = "unsafe_writes", .type = ARG_BOOL, .def = "false" },
    { 0 },
};

struct lif {
    const struct margs *args;
    struct svec lines;   /* the file's lines, endings kept */
    struct py_re re;     /* owned: regexp (code NULL when none) */
    struct py_re ins;    /* owned: insertafter/insertbefore pattern (code NULL when none) */
    char *msg;           /* owned */
    bool changed;
};

static void set_msg(struct lif *l, char *msg)
{
    free(l->msg);
    l->msg = msg;
}

static bool is_eol(char c)
{
    return c == '\n' || c == '\r';
}

static bool line_equals(const char *file_line, const char *line)
{
    char *s = lines_rstrip(file_line);
    bool eq = strcmp(s, line) == 0;

    free(s);
    return eq;
}

static void add_line(struct lif *l, size_t at, const char *line)
{
    char *with_nl = xasprintf("%s\n", line);

    lines_insert(&l->lines, at, with_nl);
    free(with_nl);
    set_msg(l, xstrdup("line added"));
    l->changed = true;
}

static void fix_last_newline(struct lif *l)
{
    char *last;

    if (l->lines.len == 0) {
        return;
    }
    last = l->lines.items[l->lines.len - 1];
    if (!is_eol(last[strlen(last) - 1])) {
        l->lines.items[l->lines.len - 1] = xasprintf("%s\n", last);
        free(last);
    }
}

/* The line that replaces match index[0] (Ansible's b_new_line). Returns 0, or 1 with res failed
 * when a backreference names no group (Python's re.error). */
static int replace_at(struct lif *l, long at, bool backrefs, const char *line, struct result *res)
{
    struct buf new_line = BUF_INIT;
    char why[200];

    if (!(backrefs && l->re.code)) {
        buf_adds(&new_line, line);
    } else if (py_re_expand(&l->re, l->lines.items[at], line, strlen(line), &new_line, why,
                            sizeof(why)) < 0) {
        buf_release(&new_line);
        return result_fail(res, "line '%s': %s", line, why), 1;
    }
    if (new_line.len == 0 || new_line.ptr[new_line.len - 1] != '\n') {
        buf_addc(&new_line, '\n');
    }
    if (strcmp(l->lines.items[at], new_line.ptr) != 0) {
        free(l->lines.items[at]);
        l->lines.items[at] = buf_detach(&new_line, NULL);
        set_msg(l, xstrdup("line replaced"));
        l->changed = true;
    }
    buf_release(&new_line);
    return 0;
}

/* Ansible's index search: index[0] the matching line, index[1] the insertion anchor. */
static bool find_match(struct lif *l, const char *line, long index[2], bool *exact)
{
    const char *search = margs_str(l->args, "search_string");
    bool first = margs_bool(l->args, "firstmatch");
    bool after = margs_has(l->args, "insertafter");
    bool match = false;

    for (size_t i = 0; (l->re.code || search) && i < l->lines.len; i++) {
        if ((l->re.code && py_re_search(&l->re, l->lines.items[i])) ||
            (search && strstr(l->lines.items[i], search))) {
            index[0] = (long)i;
            match = true;
            if (first) {
                break;
            }
        }
    }
    if (l->re.code && match) {
        py_re_search(&l->re, l->lines.items[index[0]]);
    }
    for (size_t i = 0; !match && i < l->lines.len; i++) {
        if (line_equals(l->lines.items[i], line)) {
            index[0] = (long)i;
            *exact = true;
        } else if (l->ins.code && py_re_search(&l->ins, l->lines.items[i])) {
            index[1] = after ? (long)i + 1 : (long)i;
            if (first) {
                break;
            }
        }
    }
    return match;
}

/* Returns 0, or 1 with res failed. */
static int present(struct lif *l, struct result *res)
{
    const char *line = margs_str(l->args, "line");
    const char *after = margs_str(l->args, "insertafter");
    const char *before = margs_str(l->args, "insertbefore");
    bool backrefs = margs_bool(l->args, "backrefs");
    long index[2] = { -1, -1 };
    bool exact = false;
    bool match = find_match(l, line, index, &exact);

    if (index[0] != -1) {
        return replace_at(l, index[0], backrefs && match, line, res);
    }
    if (backrefs) {
        return 0;
    }
    if ((before && strcmp(before, "BOF") == 0) || (after && strcmp(after, "BOF") == 0)) {
        add_line(l, 0, line);
    } else if ((after && strcmp(after, "EOF") == 0) || index[1] == -1) {
        fix_last_newline(l);
        add_line(l, l->lines.len, line);
    } else if (after && index[1] != -1) {
        if ((long)l->lines.len == index[1]) {
            if (!line_equals(l->lines.items[index[1] - 1], line)) {
                add_line(l, l->lines.len, line);
            }
        } else if (!line_equals(l->lines.items[index[1]], line)) {
            add_line(l, (size_t)index[1], line);
        }
    } else {
        add_line(l, (size_t)index[1], line);
    }
    return 0;
}

static void absent(struct lif *l, struct result *res)
{
    const char *line = margs_str(l->args, "line");
    const char *search = margs_str(l->args, "search_string");
    int64_t found = 0;

    for (size_t i = 0; i < l->lines.len;) {
        bool hit = l->re.code ? py_re_search(&l->re, l->lines.items[i])
                 : search ? strstr(l->lines.items[i], search) != NULL
                          : line_equals(l->lines.items[i], line);

        if (hit) {
            lines_remove(&l->lines, i);
            found++;
        } else {
            i++;
        }
    }
    val_dict_set_take(res->data, "found", val_int(found));
    l->changed = found > 0;
    if (found > 0) {
        set_msg(l, xasprintf("%lld line(s) removed", (long long)found));
    }
}

/* Ansible's argument checks; returns 0, or 1 with res failed. */
static int validate(const struct margs *args, struct result *res)
{
    bool present = strcmp(margs_str(args, "state"), "present") == 0;

    if (margs_has(args, "insertafter") && margs_has(args, "insertbefore")) {
        return result_fail(res, "parameters are mutually exclusive: insertafter|insertbefore"), 1;
    }
    if (margs_has(args, "regexp") && margs_has(args, "search_string")) {
        return result_fail(res, "parameters are mutually exclusive: regexp|search_string"), 1;
    }
    if (present && margs_bool(args, "backrefs") && !margs_has(args, "regexp")) {
        return result_fail(res, "regexp is required with backrefs=true"), 1;
    }
    if (present && !margs_has(args, "line")) {
        return result_fail(res, "line is required with state=present"), 1;
    }
    if (!present && !margs_has(args, "line") && !margs_has(args, "regexp") &&
        !margs_has(args, "search_string")) {
        return result_fail(res, "one of line, search_string, or regexp is required with "
                                "state=absent"), 1;
    }
    return 0;
}

static int compile_patterns(struct lif *l, struct result *res)
{
    const char *re = margs_str(l->args, "regexp");
    const char *after = margs_str(l->args, "insertafter");
    const char *before = margs_str(l->args, "insertbefore");
    const char *ins = after && strcmp(after, "BOF") != 0 && strcmp(after, "EOF") != 0 ? after
                    : before && strcmp(before, "BOF") != 0                         ? before
                                                                                   : NULL;
    char why[300];

    if (re && py_re_compile(&l->re, re, strlen(re), 0, why, sizeof(why)) < 0) {
        return result_fail(res, "unable to compile regexp '%s': %s", re, why), 1;
    }
    if (ins && strcmp(margs_str(l->args, "state"), "present") == 0 &&
        py_re_compile(&l->ins, ins, strlen(ins), 0, why, sizeof(why)) < 0) {
        return result_fail(res, "unable to compile regexp '%s': %s", ins, why), 1;
    }
    return 0;
}

/* Reads the file, or decides it is missing/unusable. Returns 0, 1 when finished, -1. */
static int load(struct module_ctx *ctx, struct lif *l, const char *path, const struct mod_stat *st,
                struct buf *before, struct result *res, struct err *err)
{
    bool present = strcmp(margs_str(l->args, "state"), "present") == 0;

    if (st->exists && S_ISDIR(st->mode)) {
        val_dict_set_take(res->data, "rc", val_int(256));
        return result_fail(res, "Path %s is a directory !", path), 1;
    }
    if (!st->exists && present && !margs_bool(l->args, "create")) {
        val_dict_set_take(res->data, "rc", val_int(257));
        return result_fail(res, "Destination %s does not exist !", path), 1;
    }
    if (!st->exists && !present) {
        mod_set_str(res, "msg", "file not present");
        res->status = RESULT_OK;
        return 1;
    }
    if (st->exists && conn_fetch(ctx->conn, path, before, ctx->become, err) < 0) {
        return err->kind == ERR_UNREACHABLE ? -1 : (result_fail(res, "%s", err->msg), 1);
    }
    lines_split(&l->lines, before->ptr, before->len);
    return 0;
}

/* Backup, parent directory (for create=yes) and atomic write. Returns 0, 1 failed, -1. */
static int save(struct module_ctx *ctx, struct lif *l, const char *path,
                const struct mod_stat *st, const struct buf *after, struct result *res,
                struct err *err)
{
    struct buf cmd = BUF_INIT;
    char *dir = fs_dirname(path);
    char *backup = NULL;
    int status = 0;
    int ret = 0;

    if (margs_bool(l->args, "backup") && st->exists) {
        ret = mod_backup(ctx, path, &backup, res, err);
        if (ret == 0) {
            mod_set_str(res, "backup", backup);
        }
    }
    if (ret == 0 && !st->exists) {
        buf_adds(&cmd, "mkdir -p -- ");
        sh_quote(&cmd, dir);
        ret = mod_exec(ctx, cmd.ptr, NULL, 0, NULL, NULL, &status, err);
    }
    if (ret == 0) {
        ret = mod_put(ctx, path, after->ptr, after->len, st->exists ? st->mode & 07777 : 0644,
                      margs_bool(l->args, "unsafe_writes"), res, err);
    }
    free(backup);
    buf_release(&cmd);
    free(dir);
    return ret;
}

static int apply_attrs(struct module_ctx *ctx, struct lif *l, const char *path,
                       struct result *res, struct err *err)
{
    struct mod_stat st;
    bool changed = false;
    int ret;

    if (mod_stat(ctx, path, true, NULL, &st, err) < 0) {
        return -1;
    }
    if (!st.exists) {
        mod_stat_release(&st);
        return 0;
    }
    ret = mod_set_attrs(ctx, path, &st, margs_str(l->args, "mode"), margs_str(l->args, "owner"),
                        margs_str(l->args, "group"), &changed, res, err);
    mod_stat_release(&st);
    if (ret == 0 && changed) {
        set_msg(l, xasprintf("%s%sownership, perms or SE linux context changed",
                             l->msg ? l->msg : "", l->msg && *l->msg ? " and " : ""));
        l->changed = true;
    }
    return ret;
}

static int edit(struct module_ctx *ctx, struct lif *l, const char *path, struct result *res,
                struct err *err)
{
    struct buf before = BUF_INIT, after = BUF_INIT;
    struct mod_stat st;
    int ret;

    if (mod_stat(ctx, path, true, NULL, &st, err) < 0) {
        return -1;
    }
    ret = load(ctx, l, path, &st, &before, res, err);
    if (ret == 0 && strcmp(margs_str(l->args, "state"), "present") != 0) {
        absent(l, res);
    } else if (ret == 0) {
        ret = present(l, res);
    }
    if (ret == 0) {
        lines_join(&l->lines, &after);
        if (ctx->diff_mode) {
            /* Ansible's headers: "before: PATH (content)" */
            char *label = xasprintf("%s (content)", path);

            ret = mod_diff(before.ptr, before.len, after.ptr, after.len, label, label,
                           &res->diff, err) < 0 ? -1 : 0;
            free(label);
        }
    }
    if (ret == 0 && l->changed && !ctx->check_mode) {
        ret = save(ctx, l, path, &st, &after, res, err);
    }
    if (ret == 0 && !(ctx->check_mode && !st.exists)) {
        ret = apply_attrs(ctx, l, path, res, err);
    }
    mod_stat_release(&st);
    buf_release(&before);
    buf_release(&after);
    return ret;
}

static int lineinfile_run(struct module_ctx *ctx, const struct margs *args, struct result *res,
                          struct err *err)
{
    struct lif l = { .args = args };
    const char *path = margs_str(args, "path");
    int ret = 0;

    if (validate(args, res) == 0 && compile_patterns(&l, res) == 0) {
        ret = edit(ctx, &l, path, res, err);
        if (ret == 0 && res->status != RESULT_FAILED && !val_dict_has(res->data, "msg")) {
            mod_set_str(res, "msg", l.msg ? l.msg : "");
            res->status = l.changed ? RESULT_CHANGED : RESULT_OK;
        }
    }
    free(l.msg);
    py_re_free(&l.re);
    py_re_free(&l.ins);
    svec_release(&l.lines);
    return ret < 0 ? -1 : 0;
}

const struct module module_lineinfile = {
    .name = "lineinfile",
    .args = lineinfile_args,
    .flags = MOD_CHECK_MODE | MOD_DIFF,
    .run = lineinfile_run,
};
