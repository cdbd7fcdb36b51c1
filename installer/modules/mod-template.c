/*
 * mod-template.c - the `template` module: renders a controller-side Jinja2 file with the host's
 * variables plus Ansible's template_* variables and ansible_managed, then writes it to 'dest'
 * through mod-write (checksum first, so an unchanged rendering transfers nothing).
 */
#include "pot.h"
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include "base/buf.h"
#include "base/fs.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "modules/args.h"
#include "modules/mod-util.h"
#include "modules/mod-write.h"
#include "template/tpl.h"
#include "value/val.h"

static const struct arg_spec template_args[] = {
    { .name = "backup", .type = ARG_BOOL, .def = "false" },
    { .name = "dest", .type = ARG_PATH, .required = true },
    { .name = "follow", .type = ARG_BOOL, .def = "false" },
    { .name = "force", .type = ARG_BOOL, .def = "true" },
    { .name = "group", .type = ARG_STR },
    { .name = "lstrip_blocks", .type = ARG_BOOL, .def = "false" },
    { .name = "mode", .type = ARG_MODE },
    { .name = "newline_sequence", .type = ARG_STR, .def = "\n" },
    { .name = "owner", .type = ARG_STR },
    { .name = "src", .type = ARG_PATH, .required = true },
    { .name = "trim_blocks", .type = ARG_BOOL, .def = "true" },
    { .name = "unsafe_writes", .type = ARG_BOOL, .def = "false" },
    { .name = "validate", .type = ARG_STR },
    { 0 },
};

/* The template's own variables, looked up before the host's. */
struct tpl_vars {
    struct val *own;               /* owned dict: template_* and ansible_managed */
    const struct tpl_scope *outer; /* borrowed: the host's scope, or NULL */
};

static struct val *lookup_var(void *ctx, const char *name, struct err *err)
{
    struct tpl_vars *v = ctx;
    struct val *own = val_dict_get(v->own, name);

    if (own) {
        return val_ref(own);
    }
    return v->outer ? v->outer->lookup(v->outer->ctx, name, err) : NULL;
}

/* Python's str(datetime): "2024-05-01 12:00:00" plus ".ffffff" when there are microseconds. */
static struct val *datetime_str(time_t secs, long usec)
{
    struct tm tm;
    char stamp[32];

    localtime_r(&secs, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
    return usec ? val_strf("%s.%06ld", stamp, usec) : val_str(stamp);
}

/* Ansible's generate_ansible_template_vars (template_mtime and template_run_date are strings). */
static struct val *template_vars(const char *src, const char *fullpath, const char *dest,
                                 const struct stat *st)
{
    struct val *d = val_dict();
    struct passwd pw, *found = NULL;
    struct utsname un;
    struct timespec now;
    char pwbuf[1024];

    uname(&un);
    clock_gettime(CLOCK_REALTIME, &now);
    getpwuid_r(st->st_uid, &pw, pwbuf, sizeof(pwbuf), &found);
    val_dict_set_take(d, "template_host", val_str(un.nodename));
    val_dict_set_take(d, "template_path", val_str(src));
    val_dict_set_take(d, "template_mtime", datetime_str(st->st_mtim.tv_sec,
                                                        st->st_mtim.tv_nsec / 1000));
    val_dict_set_take(d, "template_uid", found ? val_str(found->pw_name)
                                               : val_strf("%u", (unsigned)st->st_uid));
    val_dict_set_take(d, "template_run_date", datetime_str(now.tv_sec, now.tv_nsec / 1000));
    val_dict_set_take(d, "template_destpath", val_str(dest));
    val_dict_set_take(d, "template_fullpath", val_str(fullpath));
    val_dict_set_take(d, "ansible_managed", val_str("Ansible managed"));
    return d;
}

/* _find_needle('templates', src): the role's templates/, then templates/ and the task's dir. */
static char *find_template(const struct module_ctx *ctx, const char *src)
{
    const char *dirs[] = { ctx->templates_dir, ctx->task_dir, ctx->task_dir };
    const char *subs[] = { "", "templates/", "" };

    if (src[0] == '/') {
        return fs_exists(src) ? xstrdup(src) : NULL;
    }
    for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
        char *path;

        if (!dirs[i]) {
            continue;
        }
        path = xasprintf("%s/%s%s", dirs[i], subs[i], src);
        if (fs_exists(path) && !fs_is_dir(path)) {
            return path;
        }
        free(path);
    }
    return NULL;
}

/* Jinja2's newline_sequence. The engine reads every template line ending as \n; here each \n of
 * the rendering becomes 'nl' (unlike Jinja2, also those inside variable values: tpl_opts has no
 * newline_sequence yet). */
static void apply_newlines(const struct buf *in, const char *nl, struct buf *out)
{
    for (size_t i = 0; i < in->len; i++) {
        if (in->ptr[i] == '\n' && !(i > 0 && in->ptr[i - 1] == '\r')) {
            buf_adds(out, nl);
        } else {
            buf_addc(out, in->ptr[i]);
        }
    }
}

/* Accepts "\n" or its escaped spelling "\\n" (and \r, \r\n), like the action plugin. */
static const char *newline_sequence(const char *arg)
{
    static const char *const wrong[] = { "\\n", "\\r", "\\r\\n" };
    static const char *const allowed[] = { "\n", "\r", "\r\n" };

    for (size_t i = 0; i < ARRAY_SIZE(allowed); i++) {
        if (strcmp(arg, wrong[i]) == 0 || strcmp(arg, allowed[i]) == 0) {
            return allowed[i];
        }
    }
    return NULL;
}

/* Reads and renders 'path'. Returns 0, or 1 with the result failed. */
static int render(struct module_ctx *ctx, const struct margs *args, const char *path,
                  const char *nl, struct buf *out, struct result *res)
{
    struct buf raw = BUF_INIT, text = BUF_INIT;
    struct err terr = ERR_INIT;
    struct stat st;
    struct tpl_vars vars = { .outer = ctx->scope };
    struct tpl_scope scope = { .lookup = lookup_var, .ctx = &vars };
    struct tpl_opts opts = {
        .name = path,
        .trim_blocks = margs_bool(args, "trim_blocks"),
        .lstrip_blocks = margs_bool(args, "lstrip_blocks"),
        .keep_trailing_newline = true,
    };
    struct tpl *t = NULL;
    int ret = 1;

    if (fs_read_file(path, &raw, &terr) < 0 || stat(path, &st) < 0) {
        result_fail(res, "could not find src=%s, %s", path, terr.msg);
        goto out;
    }
    scope.search_dir = ctx->scope ? ctx->scope->search_dir : NULL;
    vars.own = template_vars(margs_str(args, "src"), path, margs_str(args, "dest"), &st);
    t = tpl_compile(raw.ptr, raw.len, &opts, &terr);
    if (!t || tpl_render(t, &scope, &text, &terr) < 0) {
        result_fail(res, "%s", terr.msg);
        goto out;
    }
    if (strcmp(nl, "\n") == 0) {
        buf_add(out, text.ptr, text.len);
    } else {
        apply_newlines(&text, nl, out);
    }
    ret = 0;
out:
    tpl_free(t);
    val_unref(vars.own);
    buf_release(&text);
    buf_release(&raw);
    return ret;
}

/* 'dest' itself, or dest/<template name> when dest is a directory (as copy does). */
static int dest_path(struct module_ctx *ctx, const char *dest, const char *src, char **out,
                     struct err *err)
{
    struct mod_stat st;

    if (mod_stat(ctx, dest, true, NULL, &st, err) < 0) {
        return -1;
    }
    *out = str_ends_with(dest, "/") || (st.exists && S_ISDIR(st.mode))
               ? fs_join(dest, fs_basename(src))
               : xstrdup(dest);
    mod_stat_release(&st);
    return 0;
}

/* mode=preserve: the template file's own mode. Returns a new string or NULL. */
static char *effective_mode(const struct margs *args, const char *path)
{
    const char *mode = margs_str(args, "mode");
    struct stat st;

    if (mode && strcmp(mode, "preserve") == 0 && stat(path, &st) == 0) {
        return xasprintf("0%03o", (unsigned)(st.st_mode & 07777));
    }
    return mode ? xstrdup(mode) : NULL;
}

static int write_rendered(struct module_ctx *ctx, const struct margs *args, const char *path,
                          const struct buf *text, struct result *res, struct err *err)
{
    char *dest = NULL;
    char *mode = effective_mode(args, path);
    struct mod_write w = {
        .mode = mode,
        .owner = margs_str(args, "owner"),
        .group = margs_str(args, "group"),
        .backup = margs_bool(args, "backup"),
        .force = margs_bool(args, "force"),
        .validate = margs_str(args, "validate"),
        .unsafe_writes = margs_bool(args, "unsafe_writes"),
    };
    int ret = dest_path(ctx, margs_str(args, "dest"), path, &dest, err);

    if (ret == 0) {
        w.dest = dest;
        ret = mod_write_file(ctx, &w, text->ptr, text->len, res, err);
    }
    free(dest);
    free(mode);
    return ret;
}

static int template_run(struct module_ctx *ctx, const struct margs *args, struct result *res,
                        struct err *err)
{
    const char *src = margs_str(args, "src");
    const char *nl = newline_sequence(margs_str(args, "newline_sequence"));
    struct buf text = BUF_INIT;
    char *path = NULL;
    int ret = 0;

    if (!nl) {
        return result_fail(res, "newline_sequence needs to be one of: \n, \r or \r\n");
    }
    path = find_template(ctx, src);
    if (!path) {
        return result_fail(res, "Could not find or access '%s' on the Ansible Controller.", src);
    }
    if (render(ctx, args, path, nl, &text, res) == 0) {
        ret = write_rendered(ctx, args, path, &text, res, err);
    }
    buf_release(&text);
    free(path);
    return ret;
}

const struct module module_template = {
    .name = "template",
    .args = template_args,
    .flags = MOD_CHECK_MODE | MOD_DIFF,
    .run = template_run,
};
