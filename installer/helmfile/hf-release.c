/*
 * hf-release.c - one entry of releases: made into a struct hf_release as helmfile would hand it
 * to helm: helmDefaults as defaults, commonLabels plus the built-in name/namespace/chart labels,
 * the local chart made absolute (remote charts refused offline), the condition, and the values:
 * files (.gotmpl rendered with .Release), inline maps, then set/setString/set file, merged the
 * way helm merges its -f and --set arguments.
 */
#include "pot.h"
#include <limits.h>
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "helmfile/helmfile.h"
#include "helmfile/hf-internal.h"
#include "value/val.h"

/* helmfile's ReleaseSpec keys (pkg/state/state.go). */
const char *const hf_release_keys[] = {
    "adopt",
    "apiVersions",
    "atomic",
    "chart",
    "chartPath",
    "cleanupOnFail",
    "condition",
    "cascade",
    "conditionTemplate",
    "createNamespace",
    "deleteTimeout",
    "deleteWait",
    "dependencies",
    "description",
    "devel",
    "disableAutoDetectedKubeVersionForDiff",
    "disableOpenAPIValidation",
    "disableValidation",
    "disableValidationOnInstall",
    "enableDNS",
    "env",
    "force",
    "forceConflicts",
    "forceGoGetter",
    "forceNamespace",
    "helmStuckGrace",
    "historyMax",
    "hooks",
    "inherit",
    "insecureSkipTLSVerify",
    "installed",
    "installedTemplate",
    "jsonPatches",
    "keyring",
    "kubeContext",
    "kubeVersion",
    "kubedogBurst",
    "kubedogQPS",
    "labels",
    "missingFileHandler",
    "missingFileHandlerConfig",
    "name",
    "namespace",
    "needs",
    "plainHttp",
    "postRenderer",
    "postRendererArgs",
    "recreatePods",
    "reuseValues",
    "rollbackOnFailure",
    "secrets",
    "serverSide",
    "set",
    "setString",
    "setTemplate",
    "skipDeps",
    "skipKinds",
    "skipRefresh",
    "skipSchemaValidation",
    "strategicMergePatches",
    "suppressDiff",
    "suppressOutputLineRegex",
    "syncReleaseLabels",
    "takeOwnership",
    "timeout",
    "trackFailOnError",
    "trackFailedLogs",
    "trackKinds",
    "trackLogs",
    "trackMode",
    "trackResources",
    "trackTimeout",
    "transformers",
    "unitTests",
    "updateStrategy",
    "values",
    "valuesPathPrefix",
    "valuesTemplate",
    "verify",
    "verifyTemplate",
    "version",
    "wait",
    "waitForJobs",
    "waitRetries",
    "waitTemplate",
    NULL,
};

/* What go-yaml gives when a scalar is decoded into a Go string. */
static void scalar_text(const struct val *v, struct buf *out)
{
    switch (v->type) {
    case VAL_NULL:
        break;
    case VAL_BOOL:
        buf_adds(out, v->u.b ? "true" : "false");
        break;
    case VAL_INT:
        buf_addf(out, "%lld", (long long)v->u.i);
        break;
    case VAL_DOUBLE:
        val_format_double(v->u.d, out);
        break;
    default:
        buf_add(out, v->u.s.ptr, v->u.s.len);
        break;
    }
}

static bool is_scalar(const struct val *v)
{
    return v->type != VAL_LIST && v->type != VAL_DICT;
}

/* The string field 'key' of 'spec' (NULL when absent or null); scalars are turned into text. */
static int str_field(const struct val *spec, const char *key, const char *rel, char **out,
                     struct err *err)
{
    struct val *v = val_dict_get(spec, key);
    struct buf b = BUF_INIT;

    *out = NULL;
    if (!v || v->type == VAL_NULL) {
        return 0;
    }
    if (!is_scalar(v)) {
        return err_at(err, ERR_PARSE, &v->pos, "release '%s': %s must be a string", rel, key);
    }
    scalar_text(v, &b);
    *out = buf_detach(&b, NULL);
    return 0;
}

/* A bool field: the release's, else helmDefaults', else 'def'. */
static int bool_field(const struct val *spec, const struct val *defaults, const char *key,
                      const char *rel, bool def, bool *out, struct err *err)
{
    struct val *v = val_dict_get(spec, key);

    if (!v || v->type == VAL_NULL) {
        v = defaults ? val_dict_get(defaults, key) : NULL;
    }
    *out = def;
    if (!v || v->type == VAL_NULL) {
        return 0;
    }
    if (v->type != VAL_BOOL) {
        return err_at(err, ERR_PARSE, &v->pos, "release '%s': %s must be true or false", rel, key);
    }
    *out = v->u.b;
    return 0;
}

static int labels_into(struct val *labels, const struct val *src, const char *rel, struct err *err)
{
    if (!src || src->type == VAL_NULL) {
        return 0;
    }
    if (src->type != VAL_DICT) {
        return err_at(err, ERR_PARSE, &src->pos, "release '%s': labels must be a map", rel);
    }
    for (size_t i = 0; i < val_dict_len(src); i++) {
        struct val *v = val_dict_value_at(src, i);
        struct buf b = BUF_INIT;
        size_t len;
        char *text;

        if (!is_scalar(v)) {
            return err_at(err, ERR_PARSE, &v->pos, "release '%s': label '%s' must be a string", rel,
                          val_dict_key_at(src, i));
        }
        scalar_text(v, &b);
        text = buf_detach(&b, &len);
        val_dict_set_take(labels, val_dict_key_at(src, i), val_str_take(text, len));
    }
    return 0;
}

/* helmfile's ConditionEnabled: "a.b.enabled" looked up in the state values. */
static int condition(const struct val *spec, const struct hf_env *env, const char *rel,
                     bool *enabled, struct err *err)
{
    struct val *c = val_dict_get(spec, "condition");
    struct val *values;
    const struct val *cur;
    struct svec keys = SVEC_INIT;
    int ret = 0;

    *enabled = true;
    if (!c || c->type == VAL_NULL || (val_is_str(c) && !*val_cstr(c))) {
        return 0;
    }
    if (!val_is_str(c)) {
        return err_at(err, ERR_PARSE, &c->pos, "release '%s': condition must be a string", rel);
    }
    if (strcasecmp(val_cstr(c), "true") == 0 || strcasecmp(val_cstr(c), "false") == 0) {
        *enabled = strcasecmp(val_cstr(c), "true") == 0;
        return 0;
    }
    svec_split(&keys, val_cstr(c), '.');
    if (strcmp(keys.items[keys.len - 1], "enabled") != 0) {
        svec_release(&keys);
        return err_at(err, ERR_PARSE, &c->pos,
                      "release '%s': condition '%s' must be in the form "
                      "'foo.enabled'",
                      rel, val_cstr(c));
    }
    values = hf_env_state_values(env);
    cur = values;
    for (size_t i = 0; i + 1 < keys.len; i++) {
        cur = val_dict_get(cur, keys.items[i]);
        if (!cur || cur->type != VAL_DICT) {
            ret = err_at(err, ERR_TEMPLATE, &c->pos,
                         "release '%s': condition '%s': environment "
                         "values field '%s' %s",
                         rel, val_cstr(c), keys.items[i], cur ? "is not a map" : "not found");
            break;
        }
    }
    if (ret == 0) {
        const struct val *e = val_dict_get(cur, "enabled");

        *enabled = e && e->type == VAL_BOOL && e->u.b;
    }
    val_unref(values);
    svec_release(&keys);
    return ret;
}

static bool is_remote_scheme(const char *chart)
{
    return str_starts_with(chart, "oci://") || str_starts_with(chart, "http://") ||
           str_starts_with(chart, "https://");
}

/* A local chart directory or .tgz, relative to the state file's directory, made absolute. */
static int resolve_chart(struct hf_release *r, const char *dir, const struct val *pos,
                         struct err *err)
{
    char *joined;
    char real[PATH_MAX];
    const char *c = r->chart;
    bool looks_local = c[0] == '/' || str_starts_with(c, "./") || str_starts_with(c, "../") ||
                       str_ends_with(c, ".tgz") || !strchr(c, '/');

    if (is_remote_scheme(c)) {
        return err_at(err, ERR_USAGE, &pos->pos,
                      "release '%s': chart '%s' is remote; pot installs "
                      "offline from local charts only (a directory or .tgz beside the state "
                      "file)",
                      r->name, c);
    }
    joined = fs_join(dir, c);
    if (realpath(joined, real)) {
        free(r->chart);
        r->chart = xstrdup(real);
        free(joined);
        return 0;
    }
    if (looks_local) {
        err_at(err, ERR_IO, &pos->pos,
               "release '%s': chart '%s' not found (no directory or file "
               "'%s')",
               r->name, c, joined);
    } else {
        err_at(err, ERR_USAGE, &pos->pos,
               "release '%s': chart '%s' is a remote repository chart; "
               "pot installs offline from local charts only (a directory or .tgz beside the "
               "state file)",
               r->name, c);
    }
    free(joined);
    return -1;
}

/* .Release and the rest of helmfile's releaseTemplateData. */
static struct val *release_data(const struct hf_release *r, const char *chart_as_written,
                                const struct hf_env *env)
{
    struct val *data = hf_env_template_data(env);
    struct val *rel = val_dict();

    val_dict_set_take(rel, "Name", val_str(r->name));
    val_dict_set_take(rel, "Namespace", val_str(r->namespace));
    val_dict_set(rel, "Labels", r->labels);
    val_dict_set_take(rel, "Chart", val_str(chart_as_written));
    val_dict_set_take(rel, "ChartVersion", val_str(r->version ? r->version : ""));
    val_dict_set_take(rel, "KubeContext", val_str(""));
    val_dict_set_take(data, "Release", rel);
    val_dict_set_take(data, "KubeContext", val_str(""));
    val_dict_set_take(data, "Chart", val_str(""));
    return data;
}

static struct val *values_file(const char *path, struct val *data, const char *rel, struct err *err)
{
    struct buf text = BUF_INIT;
    struct buf rendered = BUF_INIT;
    struct val *v = NULL;
    const char *src;

    if (fs_read_file(path, &text, err) < 0) {
        goto out;
    }
    src = text.ptr;
    if (str_ends_with(path, ".gotmpl")) {
        if (hf_render(path, 1, text.ptr, data, &rendered, err) < 0) {
            goto out;
        }
        src = rendered.ptr;
    }
    v = hf_read_values_text(path, src, "values file", err);
out:
    if (!v) {
        err_prefix(err, "release '%s': ", rel);
    }
    buf_release(&rendered);
    buf_release(&text);
    return v;
}

static int merge_values(struct hf_release *r, const struct val *spec, const char *dir,
                        const struct val *state, struct val *data, struct val **merged,
                        struct svec *notes, struct err *err)
{
    struct val *list = val_dict_get(spec, "values");
    const struct val *handler = val_dict_get(spec, "missingFileHandler");
    enum hf_missing how;

    if (!handler) {
        handler = val_dict_get(state, "missingFileHandler");
    }
    if (hf_missing_parse(handler, &how, err) < 0) {
        return err_prefix(err, "release '%s': ", r->name);
    }
    if (list && list->type != VAL_NULL && list->type != VAL_LIST) {
        return err_at(err, ERR_PARSE, &list->pos, "release '%s': values must be a list", r->name);
    }
    for (size_t i = 0; list && i < val_list_len(list); i++) {
        struct val *e = val_list_get(list, i);
        struct svec files = SVEC_INIT;
        int rc;

        if (e->type == VAL_DICT) {
            struct val *m = hf_merge(*merged, e, HF_MERGE_HELM);

            val_unref(*merged);
            *merged = m;
            continue;
        }
        if (!val_is_str(e)) {
            return err_at(err, ERR_PARSE, &e->pos,
                          "release '%s': a values entry must be a file "
                          "name or a map",
                          r->name);
        }
        rc = hf_resolve_files(dir, val_cstr(e), how, "values file", &files, notes, err);
        for (size_t f = 0; rc == 0 && f < files.len; f++) {
            struct val *v = values_file(files.items[f], data, r->name, err);
            struct val *m;

            if (!v) {
                rc = -1;
                break;
            }
            m = hf_merge(*merged, v, HF_MERGE_HELM);
            val_unref(v);
            val_unref(*merged);
            *merged = m;
        }
        svec_release(&files);
        if (rc < 0) {
            if (err->kind == ERR_IO && !str_starts_with(err->msg, "release '")) {
                err_prefix(err, "release '%s': ", r->name);
            }
            return -1;
        }
    }
    return 0;
}

/* The value of one set entry, as helm's --set (typed), --set-string or --set-file reads it. */
static struct val *set_value(const struct val *entry, const char *dir, bool typed, bool *is_file,
                             struct err *err)
{
    struct val *value = val_dict_get(entry, "value");
    struct val *values = val_dict_get(entry, "values");
    struct val *file = val_dict_get(entry, "file");
    struct buf b = BUF_INIT;

    *is_file = false;
    if (file && val_is_str(file)) {
        char *path = fs_join(dir, val_cstr(file));
        struct val *v = NULL;

        *is_file = true;
        if (fs_read_file(path, &b, err) == 0) {
            v = val_strn(b.ptr, b.len);
        }
        free(path);
        buf_release(&b);
        return v;
    }
    if (values && values->type == VAL_LIST) {
        struct val *list = val_list();

        for (size_t i = 0; i < val_list_len(values); i++) {
            buf_reset(&b);
            scalar_text(val_list_get(values, i), &b);
            val_list_push_take(list, typed ? hf_typed_value(b.ptr) : val_str(b.ptr));
        }
        buf_release(&b);
        return list;
    }
    if (value && !is_scalar(value)) {
        err_at(err, ERR_PARSE, &value->pos, "set: value must be a scalar (use values: for a list)");
        return NULL;
    }
    if (value) {
        scalar_text(value, &b);
    }
    value = typed ? hf_typed_value(b.ptr) : val_str(b.ptr);
    buf_release(&b);
    return value;
}

/* set: then setString: then the set entries with file:, in helm's order. */
static int apply_sets(struct hf_release *r, const struct val *spec, const char *dir,
                      struct val **merged, struct err *err)
{
    static const char *const keys[] = { "set", "setString", "set" };

    for (size_t pass = 0; pass < 3; pass++) {
        struct val *list = val_dict_get(spec, keys[pass]);

        if (!list || list->type == VAL_NULL) {
            continue;
        }
        if (list->type != VAL_LIST) {
            return err_at(err, ERR_PARSE, &list->pos, "release '%s': %s must be a list", r->name,
                          keys[pass]);
        }
        for (size_t i = 0; i < val_list_len(list); i++) {
            struct val *e = val_list_get(list, i);
            const char *name = e->type == VAL_DICT ? val_dict_get_str(e, "name") : NULL;
            bool is_file;
            struct val *v;
            int rc;

            if (!name) {
                return err_at(err, ERR_PARSE, &e->pos, "release '%s': a %s entry needs a name",
                              r->name, keys[pass]);
            }
            v = set_value(e, dir, pass == 0, &is_file, err);
            if (!v) {
                return err_prefix(err, "release '%s': %s '%s': ", r->name, keys[pass], name);
            }
            rc = is_file == (pass == 2) ? hf_set_path(merged, name, v, err) : 0;
            val_unref(v);
            if (rc < 0) {
                return err_prefix(err, "release '%s': ", r->name);
            }
        }
    }
    return 0;
}

static int timeout_field(const struct val *spec, const struct val *defaults, const char *rel,
                         int *out, struct err *err)
{
    struct val *v = val_dict_get(spec, "timeout");

    if (!v || v->type == VAL_NULL) {
        v = defaults ? val_dict_get(defaults, "timeout") : NULL;
    }
    *out = 300; /* helm's default when helmfile passes no --timeout */
    if (!v || v->type == VAL_NULL) {
        return 0;
    }
    if (v->type != VAL_INT || v->u.i < 0 || v->u.i > INT_MAX) {
        return err_at(err, ERR_PARSE, &v->pos,
                      "release '%s': timeout must be a number of "
                      "seconds",
                      rel);
    }
    if (v->u.i > 0) {
        *out = (int)v->u.i;
    }
    return 0;
}

static int needs_field(struct hf_release *r, const struct val *spec, struct err *err)
{
    struct val *needs = val_dict_get(spec, "needs");

    if (!needs || needs->type == VAL_NULL) {
        return 0;
    }
    if (needs->type != VAL_LIST) {
        return err_at(err, ERR_PARSE, &needs->pos, "release '%s': needs must be a list", r->name);
    }
    for (size_t i = 0; i < val_list_len(needs); i++) {
        struct val *n = val_list_get(needs, i);

        if (!val_is_str(n)) {
            return err_at(err, ERR_PARSE, &n->pos, "release '%s': needs entries must be strings",
                          r->name);
        }
        svec_push(&r->needs, val_cstr(n));
    }
    return 0;
}

static int refuse_unsupported(const struct hf_release *r, const struct val *spec, struct err *err)
{
    static const char *const keys[] = {
        "secrets", "jsonPatches", "strategicMergePatches", "transformers", "dependencies",
        "hooks",   "inherit",     "valuesTemplate",        "setTemplate",  NULL
    };

    for (size_t i = 0; keys[i]; i++) {
        struct val *v = val_dict_get(spec, keys[i]);

        if (v && v->type == VAL_LIST && val_list_len(v) > 0) {
            return err_at(err, ERR_USAGE, &v->pos, "release '%s': '%s' is not supported by pot",
                          r->name, keys[i]);
        }
    }
    return 0;
}

struct hf_release *hf_release_build(const struct val *spec, const struct val *state,
                                    const char *path, const struct hf_env *env, bool *enabled,
                                    struct svec *notes, struct err *err)
{
    struct hf_release *r = xcalloc(1, sizeof(*r));
    struct val *defaults = val_dict_get(state, "helmDefaults");
    char *dir = fs_dirname(path);
    char *chart_as_written = NULL;
    struct val *merged = val_dict();
    struct val *data = NULL;
    struct buf yaml = BUF_INIT;
    const char *slash;

    r->labels = val_dict();
    if (str_field(spec, "name", "?", &r->name, err) < 0) {
        goto fail;
    }
    if (!r->name || !*r->name) {
        err_at(err, ERR_PARSE, &spec->pos, "a release needs a name");
        goto fail;
    }
    r->origin = xasprintf("%s:%d:%d", spec->pos.file ? spec->pos.file : path, spec->pos.line,
                          spec->pos.col);
    if (str_field(spec, "namespace", r->name, &r->namespace, err) < 0 ||
        str_field(spec, "chart", r->name, &r->chart, err) < 0 ||
        str_field(spec, "version", r->name, &r->version, err) < 0) {
        goto fail;
    }
    if (!r->namespace || !*r->namespace) {
        free(r->namespace);
        r->namespace = xstrdup(
            val_dict_get_str(state, "namespace") ? val_dict_get_str(state, "namespace") : "");
    }
    if (!r->chart || !*r->chart) {
        err_at(err, ERR_PARSE, &spec->pos, "release '%s': chart is required", r->name);
        goto fail;
    }
    if (labels_into(r->labels, val_dict_get(state, "commonLabels"), r->name, err) < 0 ||
        labels_into(r->labels, val_dict_get(spec, "labels"), r->name, err) < 0) {
        goto fail;
    }
    slash = strrchr(r->chart, '/');
    val_dict_set_take(r->labels, "name", val_str(r->name));
    val_dict_set_take(r->labels, "namespace", val_str(r->namespace));
    val_dict_set_take(r->labels, "chart", val_str(slash ? slash + 1 : r->chart));
    if (needs_field(r, spec, err) < 0 || refuse_unsupported(r, spec, err) < 0 ||
        bool_field(spec, NULL, "installed", r->name, true, &r->installed, err) < 0 ||
        bool_field(spec, defaults, "wait", r->name, false, &r->wait, err) < 0 ||
        bool_field(spec, defaults, "createNamespace", r->name, true, &r->create_namespace, err) <
            0 ||
        timeout_field(spec, defaults, r->name, &r->timeout, err) < 0 ||
        condition(spec, env, r->name, enabled, err) < 0) {
        goto fail;
    }
    chart_as_written = xstrdup(r->chart);
    /* installed: false needs no chart (helmfile fetches none): a package may leave it out */
    if (r->installed && resolve_chart(r, dir, val_dict_get(spec, "chart"), err) < 0) {
        goto fail;
    }
    data = release_data(r, chart_as_written, env);
    if (merge_values(r, spec, dir, state, data, &merged, notes, err) < 0 ||
        apply_sets(r, spec, dir, &merged, err) < 0) {
        goto fail;
    }
    hf_values_yaml(merged, &yaml);
    r->values_yaml = buf_detach(&yaml, NULL);
    val_unref(merged);
    val_unref(data);
    free(chart_as_written);
    free(dir);
    return r;
fail:
    val_unref(merged);
    val_unref(data);
    free(chart_as_written);
    free(dir);
    hf_release_free(r);
    return NULL;
}

void hf_release_free(struct hf_release *r)
{
    if (!r) {
        return;
    }
    free(r->name);
    free(r->namespace);
    free(r->chart);
    free(r->version);
    val_unref(r->labels);
    svec_release(&r->needs);
    free(r->values_yaml);
    free(r->origin);
    free(r);
}
