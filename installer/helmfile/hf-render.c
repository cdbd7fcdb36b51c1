/*
 * hf-render.c - rendering a file as helmfile renders its state .gotmpl and values .gotmpl files:
 * Go templates (gotpl in GOTPL_HELMFILE mode) with helmfile's own functions on top of sprig's:
 * env, requiredEnv, readFile/isFile/isDir (relative to the file's directory), get/getOrNil,
 * setValueAtPath, toYaml/fromYaml; helper templates from _*.tpl beside the file. exec and envExec
 * are refused: pot installs offline and runs no command while reading state.
 */
#include "pot.h"
#include <glob.h>
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "gotpl/gotpl.h"
#include "helmfile/hf-internal.h"
#include "value/val-yaml-emit.h"
#include "value/val-yaml.h"
#include "value/val.h"

struct render_ctx {
    char *dir;    /* owned: the rendered file's directory */
    bool refused; /* exec was called: the error is ERR_USAGE, whatever the engine made of it */
};

static int want_str(struct val *v, const char *what, struct err *err)
{
    if (!val_is_str(v)) {
        return err_set(err, ERR_TEMPLATE, "%s must be a string, not %s", what,
                       val_type_name(v->type));
    }
    return 0;
}

static int fn_env(void *ctx, struct val **args, size_t nargs, struct val **result, struct err *err)
{
    const char *v;

    (void)ctx;
    (void)nargs;
    if (want_str(args[0], "the variable name", err) < 0) {
        return -1;
    }
    v = getenv(val_cstr(args[0]));
    *result = val_str(v ? v : "");
    return 0;
}

static int fn_required_env(void *ctx, struct val **args, size_t nargs, struct val **result,
                           struct err *err)
{
    const char *v;

    (void)ctx;
    (void)nargs;
    if (want_str(args[0], "the variable name", err) < 0) {
        return -1;
    }
    v = getenv(val_cstr(args[0]));
    if (!v || !*v) {
        return err_set(err, ERR_TEMPLATE, "required env var '%s' is not set", val_cstr(args[0]));
    }
    *result = val_str(v);
    return 0;
}

static char *file_arg(const struct render_ctx *rc, struct val *arg, struct err *err)
{
    if (want_str(arg, "the file name", err) < 0) {
        return NULL;
    }
    return fs_join(rc->dir, val_cstr(arg));
}

static int fn_read_file(void *ctx, struct val **args, size_t nargs, struct val **result,
                        struct err *err)
{
    char *path = file_arg(ctx, args[0], err);
    struct buf text = BUF_INIT;
    int ret = -1;

    (void)nargs;
    if (path && fs_read_file(path, &text, err) == 0) {
        *result = val_strn(text.ptr, text.len);
        ret = 0;
    }
    buf_release(&text);
    free(path);
    return ret;
}

static int fn_is_file(void *ctx, struct val **args, size_t nargs, struct val **result,
                      struct err *err)
{
    char *path = file_arg(ctx, args[0], err);

    (void)nargs;
    if (!path) {
        return -1;
    }
    *result = val_bool(fs_exists(path) && !fs_is_dir(path));
    free(path);
    return 0;
}

static int fn_is_dir(void *ctx, struct val **args, size_t nargs, struct val **result,
                     struct err *err)
{
    char *path = file_arg(ctx, args[0], err);

    (void)nargs;
    if (!path) {
        return -1;
    }
    *result = val_bool(fs_is_dir(path));
    free(path);
    return 0;
}

static int fn_exec(void *ctx, struct val **args, size_t nargs, struct val **result, struct err *err)
{
    struct render_ctx *rc = ctx;

    rc->refused = true;
    (void)nargs;
    (void)result;
    return err_set(err, ERR_USAGE,
                   "exec of '%s' refused: pot reads helmfile state offline and "
                   "runs no command from a template; put the value in a values file",
                   val_is_str(args[0]) ? val_cstr(args[0]) : "?");
}

/* helmfile's get: walks "a.b.c" through dicts; 'def' (when given) stands for a missing key. */
static int get_path(const char *path, struct val *def, struct val *obj, struct val **result,
                    struct err *err)
{
    char *copy = xstrdup(path);
    char *rest = copy;
    struct val *cur = obj;
    int ret = 0;

    while (*path && rest) {
        char *key = strsep(&rest, ".");

        if (cur->type != VAL_DICT) {
            ret = err_set(err, ERR_TEMPLATE,
                          "unexpected type (%s) of value for key '%s': it "
                          "must be a map",
                          val_type_name(cur->type), key);
            break;
        }
        cur = val_dict_get(cur, key);
        if (!cur) {
            if (!def) {
                ret = err_set(err, ERR_TEMPLATE, "no value exists for key '%s' in '%s'", key, path);
            }
            cur = def;
            break;
        }
    }
    if (ret == 0) {
        *result = val_ref(cur);
    }
    free(copy);
    return ret;
}

static int fn_get(void *ctx, struct val **args, size_t nargs, struct val **result, struct err *err)
{
    (void)ctx;
    if (want_str(args[0], "the path", err) < 0) {
        return -1;
    }
    if (nargs == 3) {
        return get_path(val_cstr(args[0]), args[1], args[2], result, err);
    }
    return get_path(val_cstr(args[0]), NULL, args[1], result, err);
}

static int fn_get_or_nil(void *ctx, struct val **args, size_t nargs, struct val **result,
                         struct err *err)
{
    struct val *nil = val_null();
    int ret;

    (void)ctx;
    (void)nargs;
    if (want_str(args[0], "the path", err) < 0) {
        val_unref(nil);
        return -1;
    }
    ret = get_path(val_cstr(args[0]), nil, args[1], result, err);
    val_unref(nil);
    return ret;
}

/* Returns the map with the value set. helmfile changes the map in place; values here are
 * immutable, so use the result ({{ $v := setValueAtPath "a.b" 1 .Values }}). */
static int fn_set_value_at_path(void *ctx, struct val **args, size_t nargs, struct val **result,
                                struct err *err)
{
    struct val *root;

    (void)ctx;
    (void)nargs;
    if (want_str(args[0], "the path", err) < 0) {
        return -1;
    }
    if (args[2]->type != VAL_DICT) {
        return err_set(err, ERR_TEMPLATE, "setValueAtPath needs a map, not %s",
                       val_type_name(args[2]->type));
    }
    root = val_ref(args[2]);
    if (hf_set_path(&root, val_cstr(args[0]), args[1], err) < 0) {
        val_unref(root);
        return -1;
    }
    *result = root;
    return 0;
}

/* helmfile's toYaml keeps the trailing newline (helm's trims it). */
static int fn_to_yaml(void *ctx, struct val **args, size_t nargs, struct val **result,
                      struct err *err)
{
    struct val_yaml_emit_opts opts = { .indent = 2, .width = -1, .flow = 0, .sort_keys = true };
    struct buf out = BUF_INIT;
    size_t len;
    char *text;

    (void)ctx;
    (void)nargs;
    if (val_to_yaml(args[0], &out, &opts) < 0) {
        buf_release(&out);
        return err_set(err, ERR_TEMPLATE, "toYaml: the value is not valid UTF-8");
    }
    text = buf_detach(&out, &len);
    *result = val_str_take(text, len);
    return 0;
}

static int fn_from_yaml(void *ctx, struct val **args, size_t nargs, struct val **result,
                        struct err *err)
{
    struct val *v;

    (void)ctx;
    (void)nargs;
    if (want_str(args[0], "the YAML text", err) < 0) {
        return -1;
    }
    v = val_from_yaml(val_cstr(args[0]), args[0]->u.s.len, "fromYaml", err);
    if (!v) {
        return -1;
    }
    if (v->type == VAL_NULL) {
        val_unref(v);
        v = val_dict();
    }
    *result = v;
    return 0;
}

static const struct gotpl_fn_def helmfile_funcs[] = {
    { "env", fn_env, 1, 1 },
    { "envExec", fn_exec, 1, -1 },
    { "exec", fn_exec, 1, -1 },
    { "fromYaml", fn_from_yaml, 1, 1 },
    { "get", fn_get, 2, 3 },
    { "getOrNil", fn_get_or_nil, 2, 2 },
    { "isDir", fn_is_dir, 1, 1 },
    { "isFile", fn_is_file, 1, 1 },
    { "readFile", fn_read_file, 1, 1 },
    { "requiredEnv", fn_required_env, 1, 1 },
    { "setValueAtPath", fn_set_value_at_path, 3, 3 },
    { "toYaml", fn_to_yaml, 1, 1 },
    { 0 },
};

/* helmfile parses every _*.tpl of the file's directory into the set first. */
static int parse_helpers(struct gotpl *t, const char *dir, struct err *err)
{
    char *pattern = fs_join(dir, "_*.tpl");
    glob_t g;
    int ret = 0;

    if (glob(pattern, 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc && ret == 0; i++) {
            struct buf text = BUF_INIT;

            ret = fs_read_file(g.gl_pathv[i], &text, err);
            if (ret == 0) {
                ret = gotpl_parse(t, g.gl_pathv[i], text.ptr, err);
            }
            buf_release(&text);
        }
        globfree(&g);
    }
    free(pattern);
    return ret;
}

int hf_render(const char *path, int first_line, const char *text, struct val *data, struct buf *out,
              struct err *err)
{
    struct render_ctx rc = { .dir = fs_dirname(path) };
    struct gotpl *t = gotpl_new(GOTPL_HELMFILE);
    struct buf padded = BUF_INIT;
    int ret = -1;

    /* The lines before this part are blank, so errors name the file's own line numbers. */
    buf_addn(&padded, '\n', first_line > 1 ? (size_t)first_line - 1 : 0);
    buf_adds(&padded, text);
    gotpl_add_funcs(t, helmfile_funcs, &rc);
    if (parse_helpers(t, rc.dir, err) < 0 || gotpl_parse(t, path, padded.ptr, err) < 0) {
        goto out;
    }
    ret = gotpl_execute(t, path, data, out, err);
    if (ret < 0 && rc.refused) {
        err->kind = ERR_USAGE;
    }
out:
    buf_release(&padded);
    gotpl_free(t);
    free(rc.dir);
    return ret;
}
