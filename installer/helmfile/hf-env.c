/*
 * hf-env.c - environments and state values as helmfile layers them: the selected environment's
 * values: entries (files, globs, .gotmpl files, inline maps) under its missingFileHandler, the
 * state's top-level values: (defaults), a parent's helmfiles[].values and --state-values-set;
 * and the template data (.Environment, .Values, .StateValues) they make.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "helmfile/hf-internal.h"
#include "value/val.h"

void hf_env_init(struct hf_env *env, const char *name)
{
    env->name = xstrdup(name);
    env->values = val_dict();
    env->defaults = val_dict();
    env->cli = val_dict();
    env->over = val_dict();
}

void hf_env_release(struct hf_env *env)
{
    free(env->name);
    val_unref(env->values);
    val_unref(env->defaults);
    val_unref(env->cli);
    val_unref(env->over);
    memset(env, 0, sizeof(*env));
}

void hf_env_copy(struct hf_env *dst, const struct hf_env *src)
{
    dst->name = xstrdup(src->name);
    dst->values = val_ref(src->values);
    dst->defaults = val_ref(src->defaults);
    dst->cli = val_ref(src->cli);
    dst->over = val_ref(src->over);
}

struct val *hf_env_state_values(const struct hf_env *env)
{
    struct val *a = hf_merge(env->defaults, env->values, HF_MERGE_SPARSE);
    struct val *b = hf_merge(a, env->cli, HF_MERGE_ELEMENTS);

    val_unref(a);
    return b;
}

struct val *hf_env_template_data(const struct hf_env *env)
{
    struct val *data = val_dict();
    struct val *e = val_dict();
    struct val *sv = hf_env_state_values(env);

    val_dict_set_take(e, "Name", val_str(env->name));
    val_dict_set_take(e, "KubeContext", val_str(""));
    val_dict_set_take(e, "Values", hf_merge(env->values, env->cli, HF_MERGE_ELEMENTS));
    val_dict_set_take(data, "Environment", e);
    val_dict_set_take(data, "Namespace", val_str(""));
    val_dict_set(data, "Values", sv);
    val_dict_set_take(data, "StateValues", sv);
    return data;
}

/* One values file: rendered first when it is a .gotmpl, then read as YAML. */
static struct val *load_file(const char *path, const struct hf_env *ctx, struct err *err)
{
    struct buf text = BUF_INIT;
    struct buf rendered = BUF_INIT;
    struct val *v = NULL;

    if (fs_read_file(path, &text, err) < 0) {
        goto out;
    }
    if (str_ends_with(path, ".gotmpl")) {
        struct val *data = hf_env_template_data(ctx);
        int rc = hf_render(path, 1, text.ptr, data, &rendered, err);

        val_unref(data);
        if (rc < 0) {
            goto out;
        }
        v = hf_read_values_text(path, rendered.ptr, "environment values file", err);
    } else {
        v = hf_read_values_text(path, text.ptr, "environment values file", err);
    }
out:
    buf_release(&rendered);
    buf_release(&text);
    return v;
}

/* helmfile's LoadEnvironmentValues: entries in order, each merged over what came before (or
 * under it, with mergeStrategy: fallback). Returns a new dict reference or NULL. */
static struct val *load_entries(const struct val *entries, const char *dir, enum hf_missing how,
                                bool fallback, const struct hf_env *ctx, struct svec *notes,
                                struct err *err)
{
    struct val *acc = val_dict();

    for (size_t i = 0; entries && i < val_list_len(entries); i++) {
        struct val *e = val_list_get(entries, i);
        struct svec files = SVEC_INIT;
        int rc = 0;

        if (e->type == VAL_DICT) {
            struct val *m = fallback ? hf_merge(e, acc, HF_MERGE_SPARSE)
                                     : hf_merge(acc, e, HF_MERGE_SPARSE);

            val_unref(acc);
            acc = m;
            continue;
        }
        if (!val_is_str(e)) {
            err_at(err, ERR_PARSE, &e->pos, "a values entry must be a file name or a map, not %s",
                   val_type_name(e->type));
            val_unref(acc);
            return NULL;
        }
        rc = hf_resolve_files(dir, val_cstr(e), how, "environment values file", &files, notes, err);
        for (size_t f = 0; rc == 0 && f < files.len; f++) {
            struct val *v = load_file(files.items[f], ctx, err);
            struct val *m;

            if (!v) {
                rc = -1;
                break;
            }
            m = fallback ? hf_merge(v, acc, HF_MERGE_SPARSE) : hf_merge(acc, v, HF_MERGE_SPARSE);
            val_unref(v);
            val_unref(acc);
            acc = m;
        }
        svec_release(&files);
        if (rc < 0) {
            val_unref(acc);
            return NULL;
        }
    }
    return acc;
}

static int env_values(const struct val *state, const struct val *spec, const char *dir,
                      const struct hf_env *ctx, struct svec *notes, struct val **out,
                      struct err *err)
{
    const struct val *handler = val_dict_get(spec, "missingFileHandler");
    struct val *strategy = val_dict_get(spec, "mergeStrategy");
    struct val *secrets = val_dict_get(spec, "secrets");
    struct val *values = val_dict_get(spec, "values");
    enum hf_missing how;
    bool fallback = false;

    if (!handler) {
        handler = val_dict_get(state, "missingFileHandler");
    }
    if (hf_missing_parse(handler, &how, err) < 0) {
        return -1;
    }
    if (strategy && strategy->type != VAL_NULL) {
        const char *s = val_cstr(strategy);

        if (!s || (strcmp(s, "override") != 0 && strcmp(s, "fallback") != 0)) {
            return err_at(err, ERR_PARSE, &strategy->pos,
                          "environment '%s': invalid "
                          "mergeStrategy (must be 'override' or 'fallback')",
                          ctx->name);
        }
        fallback = strcmp(s, "fallback") == 0;
    }
    if (secrets && val_list_len(secrets) > 0) {
        return err_at(err, ERR_USAGE, &secrets->pos,
                      "environment '%s': secrets need helm-secrets "
                      "and a decryption key; pot does not decrypt, use values files",
                      ctx->name);
    }
    if (values && values->type != VAL_NULL && values->type != VAL_LIST) {
        return err_at(err, ERR_PARSE, &values->pos, "environment '%s': values must be a list",
                      ctx->name);
    }
    *out = load_entries(values, dir, how, fallback, ctx, notes, err);
    return *out ? 0 : -1;
}

int hf_env_load(struct hf_env *out, const struct val *state, const char *dir,
                const struct hf_env *ctx, struct svec *notes, struct err *err)
{
    struct val *envs = val_dict_get(state, "environments");
    struct val *spec = envs && envs->type == VAL_DICT ? val_dict_get(envs, ctx->name) : NULL;
    struct val *defaults_list = val_dict_get(state, "values");
    struct val *loaded = NULL;
    struct val *defaults = NULL;
    struct val *layered;

    if (spec && spec->type == VAL_DICT &&
        env_values(state, spec, dir, ctx, notes, &loaded, err) < 0) {
        return -1;
    }
    if (defaults_list && defaults_list->type != VAL_NULL && defaults_list->type != VAL_LIST) {
        val_unref(loaded);
        return err_at(err, ERR_PARSE, &defaults_list->pos, "values must be a list");
    }
    defaults = load_entries(defaults_list, dir, HF_MISSING_ERROR, false, ctx, notes, err);
    if (!defaults) {
        val_unref(loaded);
        return -1;
    }
    hf_env_release(out);
    out->name = xstrdup(ctx->name);
    layered = hf_merge(ctx->values, loaded, HF_MERGE_SPARSE);
    out->values = hf_merge(layered, ctx->over, HF_MERGE_SPARSE);
    out->defaults = hf_merge(ctx->defaults, defaults, HF_MERGE_SPARSE);
    out->cli = val_ref(ctx->cli);
    out->over = val_ref(ctx->over);
    val_unref(layered);
    val_unref(loaded);
    val_unref(defaults);
    return 0;
}

struct val *hf_env_parse_set(const struct svec *sets, struct err *err)
{
    struct val *root = val_dict();

    for (size_t i = 0; i < sets->len; i++) {
        struct svec ops = SVEC_INIT;
        int rc = 0;

        svec_split(&ops, sets->items[i], ',');
        for (size_t j = 0; j < ops.len && rc == 0; j++) {
            char *eq = strchr(ops.items[j], '=');
            struct val *v;

            if (!eq || eq == ops.items[j]) {
                rc = err_set(err, ERR_USAGE, "--state-values-set '%s': expected key=value",
                             sets->items[i]);
                break;
            }
            *eq = '\0';
            v = hf_typed_value(eq + 1);
            rc = hf_set_path(&root, ops.items[j], v, err);
            val_unref(v);
        }
        svec_release(&ops);
        if (rc < 0) {
            val_unref(root);
            return NULL;
        }
    }
    return root;
}
