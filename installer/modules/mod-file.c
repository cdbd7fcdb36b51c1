/*
 * mod-file.c - the `file` module: make a path absent, a file, a directory (optionally applying
 * attributes recursively), a symlink, a hard link, or touch it; ported from Ansible's file.py
 * (ensure_absent, ensure_file_attributes, ensure_directory, ensure_symlink, ensure_hardlink,
 * execute_touch) with the same messages, result keys and --diff state dicts.
 */
#include "pot.h"
#include <string.h>
#include <sys/stat.h>
#include "base/buf.h"
#include "base/fs.h"
#include "base/strutil.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "conn/shell-quote.h"
#include "modules/args.h"
#include "modules/mod-util.h"
#include "value/val-json.h"
#include "value/val.h"

static const struct arg_spec file_args[] = {
    { .name = "follow", .type = ARG_BOOL, .def = "true" },
    { .name = "force", .type = ARG_BOOL, .def = "false" },
    { .name = "group", .type = ARG_STR },
    { .name = "mode", .type = ARG_MODE },
    { .name = "owner", .type = ARG_STR },
    { .name = "path", .type = ARG_PATH, .required = true, .aliases = "dest,name" },
    { .name = "recurse", .type = ARG_BOOL, .def = "false" },
    { .name = "src", .type = ARG_PATH },
    { .name = "state", .type = ARG_CHOICE, .choices = "absent,directory,file,hard,link,touch" },
    /* accepted like Ansible's: file writes no content, so there is no rename to fall back from */
    { .name = "unsafe_writes", .type = ARG_BOOL, .def = "false" },
    { 0 },
};

struct file_job {
    struct module_ctx *ctx;
    const struct margs *args;
    char *path;           /* owned: the path worked on (may be rewritten, or a link's target) */
    const char *src;      /* borrowed from args, or 'link_src' */
    char *link_src;       /* owned: an existing link's target when src was not given */
    const char *key;      /* "path" or "dest": how the result names the path */
    struct mod_stat st;   /* lstat of 'path' before any change */
    const char *prev;     /* state of 'path' before any change */
    struct val *before;   /* owned: diff dict */
    struct val *after;    /* owned: diff dict */
    bool changed;
};

/* Fails the result with 'msg' and the path, like Ansible's AnsibleModuleError results. */
static int fail_path(struct file_job *j, struct result *res, char *msg)
{
    mod_set_str(res, "path", j->path);
    result_fail(res, "%s", msg);
    free(msg);
    return 1;
}

static void trim_end(struct buf *b)
{
    while (b->len && (b->ptr[b->len - 1] == '\n' || b->ptr[b->len - 1] == ' ')) {
        buf_truncate(b, b->len - 1);
    }
}

/* Runs 'cmd'; a non-zero exit fails the result with "WHAT: stderr". Returns 0, 1 or -1. */
static int run_step(struct file_job *j, const char *cmd, const char *what, struct result *res,
                    struct err *err)
{
    struct buf out = BUF_INIT, errout = BUF_INIT;
    int status = 0;
    int ret = mod_exec(j->ctx, cmd, NULL, 0, &out, &errout, &status, err);

    if (ret == 0 && status != 0) {
        trim_end(&errout);
        ret = fail_path(j, res, xasprintf("%s: %s", what, errout.ptr));
    }
    buf_release(&out);
    buf_release(&errout);
    return ret;
}

static void diff_state(struct file_job *j, const char *state)
{
    if (strcmp(j->prev, state) != 0) {
        val_dict_set_take(j->before, "state", val_str(j->prev));
        val_dict_set_take(j->after, "state", val_str(state));
    }
}

/* Records a mode change in the diff the way set_fs_attributes_if_different does. */
static void diff_mode(struct file_job *j, const struct mod_stat *st)
{
    const char *mode = margs_str(j->args, "mode");
    mode_t want = 0;

    if (!mode || S_ISLNK(st->mode) ||
        mod_mode_resolve(mode, st->mode, S_ISDIR(st->mode), &want) < 0 ||
        want == (st->mode & 07777)) {
        return;
    }
    val_dict_set_take(j->before, "mode", val_strf("0%03o", (unsigned)(st->mode & 07777)));
    val_dict_set_take(j->after, "mode", val_strf("0%03o", (unsigned)want));
}

/* Applies mode/owner/group to 'path' (following a link when 'follow'). Returns 0, 1 or -1. */
static int apply_attrs(struct file_job *j, const char *path, bool follow, struct result *res,
                       struct err *err)
{
    struct mod_stat st;
    int ret = 0;

    if (mod_stat(j->ctx, path, follow, NULL, &st, err) < 0) {
        return -1;
    }
    if (st.exists) {
        diff_mode(j, &st);
        ret = mod_set_attrs(j->ctx, path, &st, margs_str(j->args, "mode"),
                            margs_str(j->args, "owner"), margs_str(j->args, "group"),
                            &j->changed, res, err);
    }
    mod_stat_release(&st);
    return ret;
}

/* Ansible's add_path_info: uid, gid, owner, group, mode, state, size of an existing path. */
static int add_path_info(struct file_job *j, struct result *res, struct err *err)
{
    struct mod_stat st, target = { 0 };

    mod_set_str(res, j->key, j->path);
    if (mod_stat(j->ctx, j->path, false, NULL, &st, err) < 0) {
        return -1;
    }
    if (st.exists && S_ISLNK(st.mode) && mod_stat(j->ctx, j->path, true, NULL, &target, err) < 0) {
        mod_stat_release(&st);
        return -1;
    }
    if (st.exists && (!S_ISLNK(st.mode) || target.exists)) {
        mod_set_path_info(res, &st);
    }
    mod_stat_release(&target);
    mod_stat_release(&st);
    return 0;
}

static int ensure_absent(struct file_job *j, struct result *res, struct err *err)
{
    struct buf cmd = BUF_INIT;
    bool is_dir = strcmp(j->prev, "directory") == 0;
    int ret = 0;

    mod_set_str(res, "state", "absent");
    if (strcmp(j->prev, "absent") == 0) {
        return 0;
    }
    diff_state(j, "absent");
    j->changed = true;
    if (!j->ctx->check_mode) {
        buf_adds(&cmd, is_dir ? "rm -rf -- " : "rm -f -- ");
        sh_quote(&cmd, j->path);
        ret = run_step(j, cmd.ptr, is_dir ? "rmtree failed" : "unlinking failed", res, err);
    }
    buf_release(&cmd);
    return ret;
}

/* With follow, a link is replaced by its target before working on attributes. */
static void follow_link(struct file_job *j)
{
    if (margs_bool(j->args, "follow") && strcmp(j->prev, "link") == 0 && j->st.lnk_source) {
        free(j->path);
        j->path = xstrdup(j->st.lnk_source);
    }
}

static int restat(struct file_job *j, struct err *err)
{
    mod_stat_release(&j->st);
    if (mod_stat(j->ctx, j->path, false, NULL, &j->st, err) < 0) {
        return -1;
    }
    j->prev = mod_stat_state(&j->st);
    return 0;
}

static int ensure_file(struct file_job *j, struct result *res, struct err *err)
{
    if (strcmp(j->prev, "file") != 0 && strcmp(j->prev, "link") == 0 &&
        margs_bool(j->args, "follow")) {
        follow_link(j);
        if (restat(j, err) < 0) {
            return -1;
        }
    }
    if (strcmp(j->prev, "file") != 0 && strcmp(j->prev, "hard") != 0) {
        mod_set_str(res, "state", j->prev);
        return fail_path(j, res, xasprintf("file (%s) is %s, cannot continue", j->path,
                                           j->prev));
    }
    diff_state(j, "file");
    return apply_attrs(j, j->path, false, res, err);
}

/* mkdir for each missing component, parents first; prints each directory it made, and as
 * "raced" one that another process made meanwhile (EEXIST on a directory is fine, as in
 * Ansible's ensure_directory). */
static void mkdirs_script(const char *path, struct buf *s)
{
    buf_adds(s, "d=");
    sh_quote(s, path);
    buf_adds(s, "\nset --\nwhile [ ! -e \"$d\" ] && [ ! -L \"$d\" ]; do set -- \"$d\" \"$@\"; "
                "d=$(dirname -- \"$d\"); done\n"
                "for x in \"$@\"; do\n"
                "  if mkdir -- \"$x\" 2>/dev/null; then printf 'made %s\\n' \"$x\"\n"
                "  elif [ -d \"$x\" ]; then printf 'raced %s\\n' \"$x\"\n"
                "  elif mkdir -- \"$x\"; then printf 'made %s\\n' \"$x\"\n"
                "  else printf 'fail %s\\n' \"$x\"; exit 1; fi\n"
                "done\n");
}

static int create_dirs(struct file_job *j, struct result *res, struct err *err)
{
    struct buf script = BUF_INIT, out = BUF_INIT, errout = BUF_INIT;
    struct svec lines = SVEC_INIT;
    int status = 0;
    int ret;

    mkdirs_script(j->path, &script);
    ret = mod_exec(j->ctx, script.ptr, NULL, 0, &out, &errout, &status, err);
    svec_split_lines(&lines, out.ptr);
    for (size_t i = 0; ret == 0 && i < lines.len; i++) {
        if (str_starts_with(lines.items[i], "made ")) {
            j->changed = true;
            ret = apply_attrs(j, lines.items[i] + 5, false, res, err);
        } else if (str_starts_with(lines.items[i], "raced ")) {
            ret = apply_attrs(j, lines.items[i] + 6, false, res, err);
        } else if (str_starts_with(lines.items[i], "fail ")) {
            trim_end(&errout);
            ret = fail_path(j, res, xasprintf("There was an issue creating %s as requested: %s",
                                              lines.items[i] + 5, errout.ptr));
        }
    }
    svec_release(&lines);
    buf_release(&errout);
    buf_release(&out);
    buf_release(&script);
    return ret;
}

static bool principal_differs(const char *want, const char *name, const char *id)
{
    int64_t n = 0;

    if (!want) {
        return false;
    }
    return parse_int(want, &n) == 0 ? strcmp(want, id) != 0 : strcmp(want, name) != 0;
}

/* One entry of the recursive listing "TYPE MODE UID GID USER GROUP PATH": appends the commands
 * that bring it in line to 'cmds'. Returns 0, or -1 for an invalid mode. */
static int recurse_entry(struct file_job *j, char *line, bool follow, struct buf *cmds)
{
    const char *mode = margs_str(j->args, "mode");
    const char *owner = margs_str(j->args, "owner");
    const char *group = margs_str(j->args, "group");
    char *f[7] = { 0 };
    char *p = line;
    const char *h;

    for (size_t i = 0; i < 6 && p; i++) {
        f[i] = p;
        p = strchr(p, ' ');
        p = p ? (*p = '\0', p + 1) : NULL;
    }
    if (!p) {
        return 0;
    }
    h = f[0][0] == 'l' && !follow ? "-h " : "";
    if (mode && f[0][0] != 'l') {
        mode_t cur = (mode_t)strtoul(f[1], NULL, 8), want = 0;

        if (mod_mode_resolve(mode, cur, f[0][0] == 'd', &want) < 0) {
            return -1;
        }
        if (want != cur) {
            buf_addf(cmds, "chmod %04o -- ", (unsigned)want);
            sh_quote(cmds, p);
            buf_adds(cmds, " || exit 1\n");
        }
    }
    if (principal_differs(owner, f[4], f[2]) && (follow || f[0][0] != 'l' || *h)) {
        buf_addf(cmds, "chown %s", h);
        sh_quote(cmds, owner);
        buf_adds(cmds, " -- ");
        sh_quote(cmds, p);
        buf_adds(cmds, " || exit 1\n");
    }
    if (principal_differs(group, f[5], f[3])) {
        buf_addf(cmds, "chgrp %s", h);
        sh_quote(cmds, group);
        buf_adds(cmds, " -- ");
        sh_quote(cmds, p);
        buf_adds(cmds, " || exit 1\n");
    }
    return 0;
}

/* recurse=yes: one exec lists everything below the directory, one exec fixes what differs. */
static int recurse_attrs(struct file_job *j, struct result *res, struct err *err)
{
    bool follow = margs_bool(j->args, "follow");
    struct buf list = BUF_INIT, out = BUF_INIT, cmds = BUF_INIT;
    int status = 0;
    int ret = 0;

    buf_addf(&list, "find %s", follow ? "-L " : "");
    sh_quote(&list, j->path);
    buf_adds(&list, " -mindepth 1 \\( -type l -printf l -o -type d -printf d -o -printf f \\) "
                    "-printf ' %m %U %G %u %g %p\\0'");
    if (mod_exec(j->ctx, list.ptr, NULL, 0, &out, NULL, &status, err) < 0) {
        ret = -1;
        goto out;
    }
    for (size_t at = 0; at < out.len; at += strlen(out.ptr + at) + 1) {
        if (recurse_entry(j, out.ptr + at, follow, &cmds) < 0) {
            ret = (result_fail(res, "mode must be in octal or symbolic form"), 1);
            goto out;
        }
    }
    if (cmds.len > 0) {
        j->changed = true;
        ret = j->ctx->check_mode ? 0 : run_step(j, cmds.ptr, "recursive change failed", res, err);
    }
out:
    buf_release(&cmds);
    buf_release(&out);
    buf_release(&list);
    return ret;
}

static int ensure_directory(struct file_job *j, struct result *res, struct err *err)
{
    int ret;

    if (strcmp(j->prev, "link") == 0 && margs_bool(j->args, "follow")) {
        follow_link(j);
        if (restat(j, err) < 0) {
            return -1;
        }
    }
    diff_state(j, "directory");
    if (strcmp(j->prev, "absent") == 0) {
        j->changed = true;
        return j->ctx->check_mode ? 0 : create_dirs(j, res, err);
    }
    if (strcmp(j->prev, "directory") != 0) {
        return fail_path(j, res, xasprintf("%s already exists as a %s", j->path, j->prev));
    }
    ret = apply_attrs(j, j->path, false, res, err);
    if (ret == 0 && margs_bool(j->args, "recurse")) {
        ret = recurse_attrs(j, res, err);
    }
    return ret;
}

/* Facts about the link's source for ensure_symlink: "srcok" when it exists (relative to the
 * link's directory), "empty" when 'path' is an empty directory. */
static int probe_link(struct file_job *j, const char *absrc, bool *src_ok, bool *empty,
                      struct err *err)
{
    struct buf s = BUF_INIT, out = BUF_INIT;
    int status = 0;
    int ret;

    buf_adds(&s, "p=");
    sh_quote(&s, j->path);
    buf_adds(&s, "\ns=");
    sh_quote(&s, absrc ? absrc : "");
    buf_adds(&s, "\n[ -n \"$s\" ] && [ -e \"$s\" ] && echo srcok\n"
                 "[ -d \"$p\" ] && [ ! -L \"$p\" ] && [ -z \"$(ls -A -- \"$p\")\" ] && echo empty\n"
                 "exit 0\n");
    ret = mod_exec(j->ctx, s.ptr, NULL, 0, &out, NULL, &status, err);
    *src_ok = strstr(out.ptr, "srcok") != NULL;
    *empty = strstr(out.ptr, "empty") != NULL;
    buf_release(&out);
    buf_release(&s);
    return ret;
}

/* Why a symlink may not replace what is there, or NULL. Returns a new string. */
static char *symlink_refusal(struct file_job *j, const char *absrc, bool src_ok, bool empty)
{
    bool force = margs_bool(j->args, "force");

    if (!force && j->src && !src_ok) {
        return xasprintf("src file does not exist, use \"force=yes\" if you really want to "
                         "create the link: %s", absrc);
    }
    if (strcmp(j->prev, "directory") == 0) {
        if (!force) {
            return xasprintf("refusing to convert from %s to symlink for %s", j->prev, j->path);
        }
        if (!empty) {
            return xasprintf("the directory %s is not empty, refusing to convert it", j->path);
        }
    } else if ((strcmp(j->prev, "file") == 0 || strcmp(j->prev, "hard") == 0) && !force) {
        return xasprintf("refusing to convert from %s to symlink for %s", j->prev, j->path);
    }
    return NULL;
}

/* Makes 'path' a link (symbolic or hard) to j->src atomically: a temporary link renamed over. */
static int replace_with_link(struct file_job *j, bool symbolic, struct result *res,
                             struct err *err)
{
    struct buf cmd = BUF_INIT;
    bool absent = strcmp(j->prev, "absent") == 0;
    int ret;

    buf_adds(&cmd, "p=");
    sh_quote(&cmd, j->path);
    buf_adds(&cmd, "\ns=");
    sh_quote(&cmd, j->src);
    if (absent) {
        buf_addf(&cmd, "\nln %s-- \"$s\" \"$p\"\n", symbolic ? "-s " : "");
    } else {
        buf_addf(&cmd, "\nt=$(dirname -- \"$p\")/.$$.pot.tmp\n%s"
                       "ln %s-- \"$s\" \"$t\" && mv -fT -- \"$t\" \"$p\" || "
                       "{ rm -f -- \"$t\"; exit 1; }\n",
                 strcmp(j->prev, "directory") == 0 ? "rmdir -- \"$p\" || exit 1\n" : "",
                 symbolic ? "-s " : "");
    }
    ret = run_step(j, cmd.ptr, absent ? "Error while linking" : "Error while replacing", res,
                   err);
    buf_release(&cmd);
    return ret;
}

/* Attributes of a link: on its target with follow (a missing target is skipped, as Ansible
 * warns), else on the link itself. */
static int link_attrs(struct file_job *j, struct result *res, struct err *err)
{
    bool follow = margs_bool(j->args, "follow");

    if (j->ctx->check_mode && strcmp(j->prev, "absent") == 0) {
        return 0;
    }
    return apply_attrs(j, j->path, follow, res, err);
}

static int ensure_symlink(struct file_job *j, struct result *res, struct err *err)
{
    char *dir = NULL, *absrc = NULL, *why = NULL;
    bool src_ok = false, empty = false;
    int ret;

    if (!j->src && margs_bool(j->args, "follow") && j->st.lnk_target) {
        j->src = j->link_src = xstrdup(j->st.lnk_target);
    }
    dir = strcmp(j->prev, "directory") == 0 ? xstrdup(j->path) : fs_dirname(j->path);
    absrc = j->src ? fs_join(dir, j->src) : NULL;
    ret = probe_link(j, absrc, &src_ok, &empty, err);
    why = ret == 0 ? symlink_refusal(j, absrc, src_ok, empty) : NULL;
    if (why) {
        ret = fail_path(j, res, why);
    } else if (ret == 0) {
        diff_state(j, "link");
        if (strcmp(j->prev, "link") != 0 && !j->src) {
            ret = (result_fail(res, "src is required for creating new symlinks"), 1);
        } else if (strcmp(j->prev, "link") != 0 ||
                   (j->src && j->st.lnk_target && strcmp(j->st.lnk_target, j->src) != 0)) {
            if (strcmp(j->prev, "link") == 0) {
                val_dict_set_take(j->before, "src", val_str(j->st.lnk_target));
                val_dict_set_take(j->after, "src", val_str(j->src));
            }
            j->changed = true;
            ret = j->ctx->check_mode ? 0 : replace_with_link(j, true, res, err);
        }
    }
    if (ret == 0) {
        ret = link_attrs(j, res, err);
    }
    free(dir);
    free(absrc);
    return ret;
}

/* Decides whether a hard link must be (re)made; returns a refusal message or NULL. */
static char *hardlink_plan(struct file_job *j, const struct mod_stat *src)
{
    bool force = margs_bool(j->args, "force");

    if (strcmp(j->prev, "absent") == 0) {
        j->changed = true;
    } else if (strcmp(j->prev, "link") == 0) {
        j->changed = !j->st.lnk_target || strcmp(j->st.lnk_target, j->src) != 0;
        if (j->changed) {
            val_dict_set_take(j->before, "src", val_str(j->st.lnk_target ? j->st.lnk_target : ""));
            val_dict_set_take(j->after, "src", val_str(j->src));
        }
    } else if (strcmp(j->prev, "hard") == 0) {
        j->changed = j->st.inode != src->inode || j->st.dev != src->dev;
        if (j->changed && !force) {
            return xstrdup("Cannot link, different hard link exists at destination");
        }
    } else if (strcmp(j->prev, "file") == 0) {
        j->changed = true;
        if (!force) {
            return xasprintf("Cannot link, %s exists at destination", j->prev);
        }
    } else {
        j->changed = true;
        if (!force) {
            return xstrdup("Cannot link: different hard link exists at destination");
        }
    }
    return NULL;
}

static int ensure_hardlink(struct file_job *j, struct result *res, struct err *err)
{
    struct mod_stat src = { 0 };
    char *why = NULL;
    int ret = 0;

    if (strcmp(j->prev, "hard") != 0 && !j->src) {
        return result_fail(res, "src is required for creating new hardlinks"), 1;
    }
    if (!j->src) {
        diff_state(j, "hard");
        return apply_attrs(j, j->path, false, res, err);
    }
    if (mod_stat(j->ctx, j->src, true, NULL, &src, err) < 0) {
        return -1;
    }
    if (src.exists) {
        why = hardlink_plan(j, &src);
    }
    if (!src.exists || why != NULL) {
        mod_set_str(res, "dest", j->path);
        mod_set_str(res, "src", j->src);
        ret = (result_fail(res, "%s", why ? why : "src does not exist"), 1);
        free(why);
    } else {
        diff_state(j, "hard");
        if (j->changed && !j->ctx->check_mode) {
            ret = replace_with_link(j, false, res, err);
        }
        if (ret == 0 && !(j->ctx->check_mode && strcmp(j->prev, "absent") == 0)) {
            ret = apply_attrs(j, j->path, false, res, err);
        }
    }
    mod_stat_release(&src);
    return ret;
}

/* touch: creates the file when missing, sets attributes and the times to now: always changed. */
static int execute_touch(struct file_job *j, struct result *res, struct err *err)
{
    struct buf cmd = BUF_INIT;
    int ret = 0;

    j->changed = true;
    if (j->ctx->check_mode && strcmp(j->prev, "absent") == 0) {
        return 0;
    }
    diff_state(j, "touch");
    if (!j->ctx->check_mode) {
        buf_adds(&cmd, "touch -- ");
        sh_quote(&cmd, j->path);
        ret = run_step(j, cmd.ptr, "Error, could not touch target", res, err);
    }
    if (ret == 0) {
        ret = apply_attrs(j, j->path, margs_bool(j->args, "follow"), res, err);
    }
    buf_release(&cmd);
    return ret;
}

/* Ansible's additional_parameter_handling: path rewrite, default state, argument checks. */
static int prepare(struct file_job *j, const char **state, struct result *res, struct err *err)
{
    bool recurse = margs_bool(j->args, "recurse");

    if (restat(j, err) < 0) {
        return -1;
    }
    if (*state && strcmp(*state, "link") != 0 && strcmp(*state, "absent") != 0 && j->src &&
        strcmp(j->prev, "directory") == 0) {
        char *inside = fs_join(j->path, fs_basename(j->src));

        free(j->path);
        j->path = inside;
        if (restat(j, err) < 0) {
            return -1;
        }
    }
    if (!*state) {
        *state = strcmp(j->prev, "absent") != 0 ? j->prev : recurse ? "directory" : "file";
    }
    if (recurse && strcmp(*state, "directory") != 0) {
        return fail_path(j, res, xstrdup("recurse option requires state to be 'directory'"));
    }
    if (j->src && strcmp(*state, "link") != 0 && strcmp(*state, "hard") != 0) {
        return fail_path(j, res, xstrdup("src option requires state to be 'link' or 'hard'"));
    }
    return 0;
}

static int dispatch(struct file_job *j, const char *state, struct result *res, struct err *err)
{
    bool names_dest = strcmp(state, "link") == 0 || strcmp(state, "hard") == 0 ||
                      strcmp(state, "touch") == 0;

    j->key = names_dest ? "dest" : "path";
    if (strcmp(state, "absent") == 0) {
        return ensure_absent(j, res, err);
    }
    if (strcmp(state, "file") == 0) {
        return ensure_file(j, res, err);
    }
    if (strcmp(state, "directory") == 0) {
        return ensure_directory(j, res, err);
    }
    if (strcmp(state, "link") == 0) {
        return ensure_symlink(j, res, err);
    }
    if (strcmp(state, "hard") == 0) {
        return ensure_hardlink(j, res, err);
    }
    return execute_touch(j, res, err);
}

/* The --diff text: the before/after dicts as the default callback prints them. */
static int add_diff(struct file_job *j, struct result *res, struct err *err)
{
    struct buf a = BUF_INIT, b = BUF_INIT;
    int ret;

    if (!j->ctx->diff_mode) {
        return 0;
    }
    val_to_json(j->before, &a, 4, VAL_JSON_SORT_KEYS);
    val_to_json(j->after, &b, 4, VAL_JSON_SORT_KEYS);
    buf_addc(&a, '\n');
    buf_addc(&b, '\n');
    ret = mod_diff(a.ptr, a.len, b.ptr, b.len, NULL, NULL, &res->diff, err);
    buf_release(&a);
    buf_release(&b);
    return ret;
}

static int finish(struct file_job *j, const char *state, struct result *res, struct err *err)
{
    if (add_path_info(j, res, err) < 0) {
        return -1;
    }
    if (strcmp(state, "link") == 0 || strcmp(state, "hard") == 0) {
        if (j->src) {
            mod_set_str(res, "src", j->src);
        }
    }
    if (strcmp(state, "absent") == 0 && !val_dict_has(res->data, "state")) {
        mod_set_str(res, "state", "absent");
    }
    res->status = j->changed ? RESULT_CHANGED : RESULT_OK;
    return add_diff(j, res, err) < 0 ? -1 : 0;
}

static int file_run(struct module_ctx *ctx, const struct margs *args, struct result *res,
                    struct err *err)
{
    struct file_job j = {
        .ctx = ctx,
        .args = args,
        .path = xstrdup(margs_str(args, "path")),
        .src = margs_str(args, "src"),
        .before = val_dict(),
        .after = val_dict(),
    };
    const char *state = margs_str(args, "state");
    int ret = prepare(&j, &state, res, err);

    if (ret == 0) {
        val_dict_set_take(j.before, "path", val_str(j.path));
        val_dict_set_take(j.after, "path", val_str(j.path));
        ret = dispatch(&j, state, res, err);
    }
    if (ret == 0) {
        ret = finish(&j, state, res, err);
    }
    mod_stat_release(&j.st);
    val_unref(j.before);
    val_unref(j.after);
    free(j.link_src);
    free(j.path);
    return ret < 0 ? -1 : 0;
}

const struct module module_file = {
    .name = "file",
    .args = file_args,
    .flags = MOD_CHECK_MODE | MOD_DIFF,
    .run = file_run,
};
