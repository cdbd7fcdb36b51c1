/*
 * hf-load.c - finding and reading helmfile state files as helmfile v1 does: -f FILE|DIR or the
 * default lookup (helmfile.yaml, helmfile.yaml.gotmpl, helmfile.d/ in name order), parts split
 * on "\n---\n" and rendered one after the other, YAML documents merged, bases: layered under the
 * file, helmfiles: visited before the file's own releases, keys checked strictly; then the
 * releases built and selected. hf_load is the entry point of helmfile.h.
 *
 * Rendering follows helmfile v1 (v0.150+ with v1 mode): a state file is a Go template only
 * when its name ends in .gotmpl; a plain .yaml is read as it is, '{{' included.
 */
#include "pot.h"
#include <glob.h>
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "helmfile/helmfile.h"
#include "helmfile/hf-internal.h"
#include "value/val-yaml.h"
#include "value/val.h"

#define MAX_DEPTH 32

/* helmfile's HelmState keys (pkg/state/state.go). */
static const char *const state_keys[] = {
    "apiVersions",
    "bases",
    "chart",
    "commonLabels",
    "defaultInherit",
    "environments",
    "helmBinary",
    "helmDefaults",
    "helmfiles",
    "hooks",
    "ignoreMissingGitBranch",
    "kubeContext",
    "kubeVersion",
    "kustomizeBinary",
    "llm",
    "lockFilePath",
    "missingFileHandler",
    "missingFileHandlerConfig",
    "namespace",
    "releases",
    "repositories",
    "templates",
    "values",
    NULL,
};

static const char *const environment_keys[] = {
    "kubeContext",
    "mergeStrategy",
    "missingFileHandler",
    "missingFileHandlerConfig",
    "secrets",
    "values",
    NULL,
};

static const char *const helmfiles_keys[] = {
    "inherits", "path", "selectors", "selectorsInherited", "values", NULL,
};

static const char *const helm_defaults_keys[] = {
    "args",
    "atomic",
    "cascade",
    "cleanupOnFail",
    "createNamespace",
    "deleteTimeout",
    "deleteWait",
    "devel",
    "diffArgs",
    "disableAutoDetectedKubeVersionForDiff",
    "disableOpenAPIValidation",
    "disableValidation",
    "enableDNS",
    "force",
    "forceConflicts",
    "helmStuckGrace",
    "historyMax",
    "insecureSkipTLSVerify",
    "keyring",
    "kubeContext",
    "plainHttp",
    "postRenderer",
    "postRendererArgs",
    "recreatePods",
    "reuseValues",
    "rollbackOnFailure",
    "serverSide",
    "skipCRDs",
    "skipDeps",
    "skipRefresh",
    "skipSchemaValidation",
    "suppressOutputLineRegex",
    "syncArgs",
    "syncReleaseLabels",
    "takeOwnership",
    "templateArgs",
    "timeout",
    "trackMode",
    "verify",
    "wait",
    "waitForJobs",
    "waitRetries",
    NULL,
};

struct loader {
    const struct hf_opts *opts;
    struct hf_state *st;
    struct vec releases; /* struct hf_release *, selected, in order */
    bool env_found;      /* a state file defined the environment (or it is "default") */
    int depth;
};

void hf_state_init(struct hf_state *st)
{
    memset(st, 0, sizeof(*st));
}

void hf_state_release(struct hf_state *st)
{
    for (size_t i = 0; i < st->nreleases; i++) {
        hf_release_free(st->releases[i]);
    }
    free(st->releases);
    free(st->environment);
    svec_release(&st->notes);
    memset(st, 0, sizeof(*st));
}

static void note_once(struct svec *notes, const char *text)
{
    if (!svec_contains(notes, text)) {
        svec_push(notes, text);
    }
}

int hf_missing_parse(const struct val *v, enum hf_missing *out, struct err *err)
{
    const char *s = v ? val_cstr(v) : NULL;

    *out = HF_MISSING_ERROR;
    if (!v || v->type == VAL_NULL || (s && strcmp(s, "Error") == 0)) {
        return 0;
    }
    if (s && strcmp(s, "Warn") == 0) {
        *out = HF_MISSING_WARN;
        return 0;
    }
    if (s && (strcmp(s, "Info") == 0 || strcmp(s, "Debug") == 0)) {
        *out = HF_MISSING_QUIET;
        return 0;
    }
    return err_at(err, ERR_PARSE, &v->pos,
                  "missingFileHandler must be Error, Warn, Info or "
                  "Debug");
}

static bool has_glob(const char *s)
{
    return strpbrk(s, "*?[") != NULL;
}

int hf_resolve_files(const char *dir, const char *name, enum hf_missing how, const char *what,
                     struct svec *out, struct svec *notes, struct err *err)
{
    char *full = fs_join(dir, name);
    glob_t g;

    if (has_glob(name)) {
        if (glob(full, 0, NULL, &g) == 0) {
            for (size_t i = 0; i < g.gl_pathc; i++) {
                svec_push(out, g.gl_pathv[i]);
            }
            globfree(&g);
        }
    } else if (fs_exists(full)) {
        svec_push(out, full);
    }
    if (out->len == 0) {
        if (how == HF_MISSING_ERROR) {
            err_set(err, ERR_IO, "%s '%s' does not exist", what, full);
            free(full);
            return -1;
        }
        if (how == HF_MISSING_WARN) {
            char *text = xasprintf("skipping missing %s '%s'", what, full);

            note_once(notes, text);
            free(text);
        }
    }
    free(full);
    return 0;
}

struct val *hf_read_values_text(const char *path, const char *text, const char *what,
                                struct err *err)
{
    struct val *v = val_from_yaml(text, strlen(text), path, err);

    if (v && v->type == VAL_NULL) {
        val_unref(v);
        return val_dict();
    }
    if (v && v->type != VAL_DICT) {
        err_at(err, ERR_PARSE, &v->pos, "%s '%s' must hold a map, not %s", what, path,
               val_type_name(v->type));
        val_unref(v);
        return NULL;
    }
    return v;
}

/* ---- strict keys ---- */

static bool key_at(const char *line, const char *key, size_t klen, size_t i)
{
    const char *p = line + i + klen;

    if (strncmp(line + i, key, klen) != 0) {
        return false;
    }
    if (i > 0 && !strchr(" \t-{,\"'", line[i - 1])) {
        return false;
    }
    if (*p == '"' || *p == '\'') {
        p++;
    }
    while (*p == ' ' || *p == '\t') {
        p++;
    }
    return *p == ':';
}

/* Where 'key' is written between the lines of its dict and of its value (YAML gives positions to
 * values only); the value's position when the text does not say. */
static struct srcpos key_pos(const char *text, const struct val *dict, const char *key,
                             const struct val *value)
{
    struct srcpos pos = value->pos;
    size_t klen = strlen(key);
    int line = 1;

    if (!text || dict->pos.line <= 0) {
        return pos;
    }
    for (const char *l = text; *l && line <= value->pos.line; line++) {
        const char *nl = strchr(l, '\n');
        size_t len = nl ? (size_t)(nl - l) : strlen(l);

        if (line >= dict->pos.line) {
            char *copy = xstrndup(l, len);

            for (size_t i = 0; i < len; i++) {
                if (key_at(copy, key, klen, i)) {
                    pos.line = line;
                    pos.col = (int)i + 1;
                    break;
                }
            }
            free(copy);
        }
        if (!nl) {
            break;
        }
        l = nl + 1;
    }
    return pos;
}

static int check_keys(const struct val *dict, const char *const *allowed, const char *what,
                      const char *text, struct err *err)
{
    for (size_t i = 0; i < val_dict_len(dict); i++) {
        const char *k = val_dict_key_at(dict, i);
        bool ok = false;

        for (size_t j = 0; allowed[j] && !ok; j++) {
            ok = strcmp(allowed[j], k) == 0;
        }
        if (!ok) {
            struct srcpos pos = key_pos(text, dict, k, val_dict_value_at(dict, i));

            return err_at(err, ERR_PARSE, &pos, "unknown key '%s' in %s", k, what);
        }
    }
    return 0;
}

static int check_list_of_dicts(const struct val *list, const char *const *allowed, const char *what,
                               const char *text, bool strings_ok, struct err *err)
{
    if (list->type != VAL_LIST) {
        return err_at(err, ERR_PARSE, &list->pos, "%s must be a list", what);
    }
    for (size_t i = 0; i < val_list_len(list); i++) {
        struct val *e = val_list_get(list, i);

        if (e->type == VAL_DICT) {
            if (check_keys(e, allowed, what, text, err) < 0) {
                return -1;
            }
        } else if (!(strings_ok && val_is_str(e))) {
            return err_at(err, ERR_PARSE, &e->pos, "an entry of %s must be a map", what);
        }
    }
    return 0;
}

static int check_dict_of_dicts(const struct val *dict, const char *const *allowed, const char *what,
                               const char *text, struct err *err)
{
    if (dict->type != VAL_DICT) {
        return err_at(err, ERR_PARSE, &dict->pos, "%s must be a map", what);
    }
    for (size_t i = 0; i < val_dict_len(dict); i++) {
        struct val *e = val_dict_value_at(dict, i);

        if (e->type == VAL_DICT && check_keys(e, allowed, what, text, err) < 0) {
            return -1;
        }
        if (e->type != VAL_DICT && e->type != VAL_NULL) {
            return err_at(err, ERR_PARSE, &e->pos, "%s '%s' must be a map", what,
                          val_dict_key_at(dict, i));
        }
    }
    return 0;
}

/* helmfile decodes its state strictly: every key known, at every level it knows. */
static int check_state(const struct val *doc, const char *text, struct err *err)
{
    struct val *v;

    if (check_keys(doc, state_keys, "the state file", text, err) < 0) {
        return -1;
    }
    v = val_dict_get(doc, "releases");
    if (v && v->type != VAL_NULL &&
        check_list_of_dicts(v, hf_release_keys, "releases", text, false, err) < 0) {
        return -1;
    }
    v = val_dict_get(doc, "templates");
    if (v && v->type != VAL_NULL &&
        check_dict_of_dicts(v, hf_release_keys, "templates", text, err) < 0) {
        return -1;
    }
    v = val_dict_get(doc, "environments");
    if (v && v->type != VAL_NULL &&
        check_dict_of_dicts(v, environment_keys, "environments", text, err) < 0) {
        return -1;
    }
    v = val_dict_get(doc, "helmfiles");
    if (v && v->type != VAL_NULL &&
        check_list_of_dicts(v, helmfiles_keys, "helmfiles", text, true, err) < 0) {
        return -1;
    }
    v = val_dict_get(doc, "helmDefaults");
    if (v && v->type == VAL_DICT &&
        check_keys(v, helm_defaults_keys, "helmDefaults", text, err) < 0) {
        return -1;
    }
    return 0;
}

/* ---- merging state documents, parts and bases ---- */

static bool is_empty(const struct val *v)
{
    switch (v->type) {
    case VAL_NULL:
        return true;
    case VAL_BOOL:
        return !v->u.b;
    case VAL_INT:
        return v->u.i == 0;
    case VAL_STR:
        return v->u.s.len == 0;
    case VAL_LIST:
        return val_list_len(v) == 0;
    case VAL_DICT:
        return val_dict_len(v) == 0;
    default:
        return false;
    }
}

/* mergo.Merge(dst, src, WithOverride[, WithAppendSlice]) over the state's top-level fields: a
 * non-empty field of 'src' replaces dst's (lists are appended with 'append'), maps are merged
 * key by key. Returns a new reference. */
static struct val *merge_state(struct val *dst, const struct val *src, bool append)
{
    struct val *out = dst ? val_copy(dst) : val_dict();

    for (size_t i = 0; i < val_dict_len(src); i++) {
        const char *k = val_dict_key_at(src, i);
        struct val *s = val_dict_value_at(src, i);
        struct val *d = val_dict_get(out, k);

        if (is_empty(s)) {
            if (!d) {
                val_dict_set(out, k, s);
            }
        } else if (append && d && d->type == VAL_LIST && s->type == VAL_LIST) {
            struct val *l = val_copy(d);

            for (size_t j = 0; j < val_list_len(s); j++) {
                val_list_push(l, val_list_get(s, j));
            }
            val_dict_set_take(out, k, l);
        } else if (d && d->type == VAL_DICT && s->type == VAL_DICT) {
            struct val *m = val_copy(d);

            for (size_t j = 0; j < val_dict_len(s); j++) {
                val_dict_set(m, val_dict_key_at(s, j), val_dict_value_at(s, j));
            }
            val_dict_set_take(out, k, m);
        } else {
            val_dict_set(out, k, s);
        }
    }
    return out;
}

/* A base under the file: environments merged name by name (values lists concatenated, the
 * upper layer's last), the rest as mergo's override-and-append merge. */
static struct val *layer_state(struct val *lower, const struct val *upper)
{
    struct val *le = val_dict_get(lower, "environments");
    struct val *ue = val_dict_get(upper, "environments");
    struct val *out = merge_state(lower, upper, true);
    struct val *envs;

    if (!le || le->type != VAL_DICT || !ue || ue->type != VAL_DICT) {
        return out;
    }
    envs = val_copy(le);
    for (size_t i = 0; i < val_dict_len(ue); i++) {
        const char *name = val_dict_key_at(ue, i);
        struct val *u = val_dict_value_at(ue, i);
        struct val *l = val_dict_get(envs, name);
        struct val *m;
        struct val *lv, *uv;

        if (!l || l->type != VAL_DICT || u->type != VAL_DICT) {
            if (!l || u->type == VAL_DICT) {
                val_dict_set(envs, name, u);
            }
            continue;
        }
        m = merge_state(l, u, true);
        lv = val_dict_get(l, "values");
        uv = val_dict_get(u, "values");
        if (lv && lv->type == VAL_LIST && (!uv || uv->type != VAL_LIST)) {
            val_dict_set(m, "values", lv);
        }
        val_dict_set_take(envs, name, m);
    }
    val_dict_set_take(out, "environments", envs);
    return out;
}

/* ---- reading one state file ---- */

/* A part of a state file: its text and the line it starts on. */
struct part {
    char *text; /* owned */
    int line;
};

/* helmfile splits on "\n---\n" before rendering. */
static size_t split_parts(const char *text, struct part **out)
{
    struct part *parts = NULL;
    size_t n = 0, cap = 0;
    const char *start = text;
    int line = 1;

    for (;;) {
        const char *sep = strstr(start, "\n---\n");
        size_t len = sep ? (size_t)(sep - start) + 1 : strlen(start);

        xgrow((void **)&parts, &cap, n + 1, sizeof(*parts));
        parts[n].text = xstrndup(start, len);
        parts[n].line = line;
        n++;
        for (size_t i = 0; i < len; i++) {
            line += start[i] == '\n';
        }
        if (!sep) {
            break;
        }
        line++; /* the "---" line */
        start = sep + 5;
    }
    *out = parts;
    return n;
}

static bool doc_marker(const char *l)
{
    return strncmp(l, "---", 3) == 0 &&
           (l[3] == '\0' || l[3] == '\n' || l[3] == ' ' || l[3] == '\t' || l[3] == '\r');
}

/* Parses the YAML documents of a (rendered) part, lines counted from the file's start, checks
 * them strictly and merges them in order. Returns a new dict or NULL. */
static struct val *parse_docs(const char *path, const char *text, struct err *err)
{
    struct val *acc = val_dict();
    const char *doc = text;
    int doc_line = 1;
    int line = 1;

    for (const char *l = text;; line++) {
        const char *nl = strchr(l, '\n');
        bool last = !nl;
        bool marker = doc_marker(l) && l != doc;

        if (marker || last) {
            const char *end = marker ? l : l + strlen(l);
            struct buf padded = BUF_INIT;
            struct val *v;

            buf_addn(&padded, '\n', (size_t)doc_line - 1);
            buf_add(&padded, doc, (size_t)(end - doc));
            v = val_from_yaml(padded.ptr, padded.len, path, err);
            if (v && v->type != VAL_NULL && v->type != VAL_DICT) {
                err_at(err, ERR_PARSE, &v->pos, "a state document must be a map, not %s",
                       val_type_name(v->type));
                val_unref(v);
                v = NULL;
            }
            if (v && v->type == VAL_DICT && check_state(v, padded.ptr, err) < 0) {
                val_unref(v);
                v = NULL;
            }
            buf_release(&padded);
            if (!v) {
                val_unref(acc);
                return NULL;
            }
            if (v->type == VAL_DICT) {
                struct val *m = merge_state(acc, v, true);

                val_unref(acc);
                acc = m;
            }
            val_unref(v);
            doc = l;
            doc_line = line;
        }
        if (last) {
            break;
        }
        l = nl + 1;
    }
    return acc;
}

static int load_state(struct loader *ld, const char *path, const char *dir,
                      const struct hf_env *ctx, bool has_env, bool evaluate_bases,
                      struct val **state_out, struct hf_env *env_out, struct err *err);

static int load_bases(struct loader *ld, const char *path, const struct hf_env *ctx,
                      struct val **state, struct err *err)
{
    struct val *bases = val_dict_get(*state, "bases");
    char *dir = fs_dirname(path);
    struct val *acc = NULL;
    int ret = -1;

    if (!bases || bases->type == VAL_NULL) {
        free(dir);
        return 0;
    }
    if (bases->type != VAL_LIST) {
        free(dir);
        return err_at(err, ERR_PARSE, &bases->pos, "bases must be a list of files");
    }
    for (size_t i = 0; i < val_list_len(bases); i++) {
        struct val *b = val_list_get(bases, i);
        struct hf_env ignored;
        struct val *base = NULL;
        char *file;
        struct val *m;

        if (!val_is_str(b)) {
            err_at(err, ERR_PARSE, &b->pos, "bases must be a list of files");
            goto out;
        }
        file = fs_join(dir, val_cstr(b));
        if (!fs_exists(file)) {
            err_at(err, ERR_IO, &b->pos, "base '%s' does not exist", file);
            free(file);
            goto out;
        }
        hf_env_init(&ignored, ctx->name);
        ret = load_state(ld, file, dir, ctx, true, false, &base, &ignored, err);
        hf_env_release(&ignored);
        free(file);
        if (ret < 0) {
            goto out;
        }
        ret = -1;
        m = acc ? layer_state(acc, base) : val_ref(base);
        val_unref(acc);
        val_unref(base);
        acc = m;
    }
    if (acc) {
        struct val *m = layer_state(acc, *state);

        val_unref(*state);
        *state = m;
        val_dict_del(*state, "bases");
    }
    ret = 0;
out:
    val_unref(acc);
    free(dir);
    return ret;
}

static bool defines_env(const struct val *state, const char *name)
{
    struct val *envs = val_dict_get(state, "environments");

    return envs && envs->type == VAL_DICT && val_dict_has(envs, name);
}

static bool has_environments(const struct val *state)
{
    struct val *envs = val_dict_get(state, "environments");

    return envs && envs->type == VAL_DICT && val_dict_len(envs) > 0;
}

/* helmfile's desiredStateLoader.load: parts rendered (.gotmpl) with the environment the parts
 * before made, parsed, bases layered, environment values loaded, parts merged. Files named in
 * the state are relative to 'dir': the file's own directory, or for a base the including file's
 * (as in helmfile). Returns 0, 1 when the file does not define the environment (helmfile skips
 * such a file), or -1. */
static int load_state(struct loader *ld, const char *path, const char *dir,
                      const struct hf_env *ctx, bool has_env, bool evaluate_bases,
                      struct val **state_out, struct hf_env *env_out, struct err *err)
{
    struct buf raw = BUF_INIT;
    char *text = NULL;
    struct part *parts = NULL;
    size_t nparts = 0;
    struct val *final = NULL;
    struct hf_env env;
    bool render = str_ends_with(path, ".gotmpl");
    int ret = -1;

    hf_env_copy(&env, ctx);
    if (fs_read_file(path, &raw, err) < 0) {
        goto out;
    }
    text = str_replace_all(raw.ptr, "\r\n", "\n");
    nparts = split_parts(text, &parts);
    for (size_t i = 0; i < nparts; i++) {
        struct buf src = BUF_INIT;
        struct val *part = NULL;
        struct hf_env next;
        int rc = 0;

        if (render) {
            struct val *data = hf_env_template_data(&env);

            rc = hf_render(path, parts[i].line, parts[i].text, data, &src, err);
            val_unref(data);
        } else {
            buf_addn(&src, '\n', (size_t)parts[i].line - 1);
            buf_adds(&src, parts[i].text);
        }
        if (rc == 0) {
            part = parse_docs(path, src.ptr, err);
        }
        buf_release(&src);
        if (!part) {
            goto out;
        }
        if (!evaluate_bases && val_dict_get(part, "bases")) {
            err_at(err, ERR_PARSE, &val_dict_get(part, "bases")->pos,
                   "bases inside a base are "
                   "not supported (helmfile refuses nested bases)");
            val_unref(part);
            goto out;
        }
        if (evaluate_bases && load_bases(ld, path, &env, &part, err) < 0) {
            val_unref(part);
            goto out;
        }
        hf_env_init(&next, env.name);
        if (hf_env_load(&next, part, dir, &env, &ld->st->notes, err) < 0) {
            hf_env_release(&next);
            val_unref(part);
            goto out;
        }
        hf_env_release(&env);
        env = next;
        if (final) {
            struct val *m = merge_state(final, part, false);

            val_unref(final);
            val_unref(part);
            final = m;
        } else {
            final = part;
        }
        if (evaluate_bases && has_environments(final) && strcmp(env.name, "default") != 0 &&
            !defines_env(final, env.name)) {
            ret = 1;
            goto out;
        }
    }
    if (evaluate_bases && !has_environments(final) && strcmp(env.name, "default") != 0 &&
        !has_env) {
        ret = 1;
        goto out;
    }
    *state_out = val_ref(final);
    hf_env_release(env_out);
    *env_out = env;
    memset(&env, 0, sizeof(env));
    ret = 0;
out:
    if (env.name) {
        hf_env_release(&env);
    }
    for (size_t i = 0; i < nparts; i++) {
        free(parts[i].text);
    }
    free(parts);
    val_unref(final);
    free(text);
    buf_release(&raw);
    return ret;
}

/* ---- visiting files: helmfiles, releases ---- */

/* The state files of a directory: *.y*ml and *.y*ml.gotmpl, in name order. */
static int dir_files(const char *dir, struct svec *out, struct err *err)
{
    static const char *const patterns[] = { "*.y*ml", "*.y*ml.gotmpl" };

    for (size_t p = 0; p < ARRAY_SIZE(patterns); p++) {
        char *pattern = fs_join(dir, patterns[p]);
        glob_t g;

        if (glob(pattern, 0, NULL, &g) == 0) {
            for (size_t i = 0; i < g.gl_pathc; i++) {
                svec_push(out, g.gl_pathv[i]);
            }
            globfree(&g);
        }
        free(pattern);
    }
    svec_sort(out);
    if (out->len == 0) {
        return err_set(err, ERR_IO, "no state files (*.yaml, *.yaml.gotmpl) in '%s'", dir);
    }
    return 0;
}

static int visit_file(struct loader *ld, const char *path, const struct hf_env *ctx, bool has_env,
                      const struct hf_selectors *sel, struct err *err);

/* The environment a sub-helmfile starts from: its entry's values: (rendered as environment
 * values with an empty environment, as helmfile does), no --state-values-set. */
static int sub_env(const struct val *entry, const char *dir, const char *env_name,
                   struct hf_env *out, bool *has_env, struct svec *notes, struct err *err)
{
    struct val *values = entry->type == VAL_DICT ? val_dict_get(entry, "values") : NULL;
    struct val *holder;
    struct val *spec;
    struct val *envs;
    struct hf_env empty;
    struct hf_env loaded;
    int rc;

    hf_env_init(out, env_name);
    *has_env = values && values->type == VAL_LIST && val_list_len(values) > 0;
    if (!*has_env) {
        return 0;
    }
    /* Reuse the environment loader on a state holding just these values. */
    holder = val_dict();
    spec = val_dict();
    envs = val_dict();
    val_dict_set(spec, "values", values);
    val_dict_set_take(envs, env_name, spec);
    val_dict_set_take(holder, "environments", envs);
    hf_env_init(&empty, env_name);
    hf_env_init(&loaded, env_name);
    rc = hf_env_load(&loaded, holder, dir, &empty, notes, err);
    if (rc == 0) {
        val_unref(out->over);
        out->over = val_ref(loaded.values);
        val_unref(out->values);
        out->values = val_ref(loaded.values);
    }
    hf_env_release(&loaded);
    hf_env_release(&empty);
    val_unref(holder);
    return rc;
}

static int sub_selectors(const struct val *entry, const struct hf_selectors *inherited,
                         struct hf_selectors *own, const struct hf_selectors **use, struct err *err)
{
    struct val *sels = entry->type == VAL_DICT ? val_dict_get(entry, "selectors") : NULL;
    struct val *inh = entry->type == VAL_DICT ? val_dict_get(entry, "selectorsInherited") : NULL;
    struct svec strs = SVEC_INIT;
    int rc;

    *use = inherited;
    if (!sels || sels->type == VAL_NULL || (inh && val_truthy(inh))) {
        return 0;
    }
    if (sels->type != VAL_LIST) {
        return err_at(err, ERR_PARSE, &sels->pos, "selectors must be a list");
    }
    for (size_t i = 0; i < val_list_len(sels); i++) {
        struct val *s = val_list_get(sels, i);

        if (!val_is_str(s)) {
            svec_release(&strs);
            return err_at(err, ERR_PARSE, &s->pos, "selectors must be strings");
        }
        svec_push(&strs, val_cstr(s));
    }
    rc = hf_selectors_parse(own, &strs, err);
    if (rc < 0) {
        err_prefix(err, "%s:%d:%d: ", sels->pos.file, sels->pos.line, sels->pos.col);
    }
    svec_release(&strs);
    *use = own;
    return rc;
}

static int visit_helmfiles(struct loader *ld, const char *path, const struct val *state,
                           const struct hf_env *env, const struct hf_selectors *sel,
                           struct err *err)
{
    struct val *list = val_dict_get(state, "helmfiles");
    char *dir = fs_dirname(path);
    int ret = 0;

    for (size_t i = 0; list && list->type == VAL_LIST && i < val_list_len(list) && ret == 0; i++) {
        struct val *e = val_list_get(list, i);
        const char *p = val_is_str(e) ? val_cstr(e) : val_dict_get_str(e, "path");
        struct hf_selectors own = { NULL, 0 };
        const struct hf_selectors *use;
        struct svec files = SVEC_INIT;
        struct hf_env sub = { 0 };
        bool has_env = false;

        if (!p || !*p) {
            ret = err_at(err, ERR_PARSE, &e->pos, "helmfiles entry without a path");
            break;
        }
        if (hf_resolve_files(dir, p, has_glob(p) ? HF_MISSING_WARN : HF_MISSING_QUIET,
                             "sub-helmfile", &files, &ld->st->notes, err) < 0 ||
            sub_selectors(e, sel, &own, &use, err) < 0) {
            svec_release(&files);
            ret = -1;
            break;
        }
        if (!has_glob(p) && files.len == 0) {
            ret = err_at(err, ERR_IO, &e->pos, "sub-helmfile '%s' does not exist", p);
        }
        if (ret == 0) {
            ret = sub_env(e, dir, env->name, &sub, &has_env, &ld->st->notes, err);
        }
        for (size_t f = 0; ret == 0 && f < files.len; f++) {
            struct svec inner = SVEC_INIT;

            if (fs_is_dir(files.items[f])) {
                ret = dir_files(files.items[f], &inner, err);
            } else {
                svec_push(&inner, files.items[f]);
            }
            for (size_t j = 0; ret == 0 && j < inner.len; j++) {
                ret = visit_file(ld, inner.items[j], &sub, has_env, use, err);
            }
            svec_release(&inner);
        }
        if (sub.name) {
            hf_env_release(&sub);
        }
        hf_selectors_release(&own);
        svec_release(&files);
        if (ret < 0 && !strstr(err->msg, "in .helmfiles[")) {
            err_prefix(err, "in .helmfiles[%zu]: ", i);
        }
    }
    free(dir);
    return ret;
}

static int add_releases(struct loader *ld, const char *path, const struct val *state,
                        const struct hf_env *env, const struct hf_selectors *sel, struct err *err)
{
    struct val *list = val_dict_get(state, "releases");
    struct val *repos = val_dict_get(state, "repositories");
    struct val *hooks = val_dict_get(state, "hooks");

    if (repos && repos->type == VAL_LIST && val_list_len(repos) > 0) {
        note_once(&ld->st->notes, "repositories: ignored: pot installs offline from local charts");
    }
    if (hooks && hooks->type == VAL_LIST && val_list_len(hooks) > 0) {
        return err_at(err, ERR_USAGE, &hooks->pos,
                      "hooks are not supported by pot (they run "
                      "commands at install time)");
    }
    for (size_t i = 0; list && list->type == VAL_LIST && i < val_list_len(list); i++) {
        bool enabled = true;
        struct hf_release *r = hf_release_build(val_list_get(list, i), state, path, env, &enabled,
                                                &ld->st->notes, err);

        if (!r) {
            return -1;
        }
        if (enabled && hf_selectors_match(sel, r->labels)) {
            vec_push(&ld->releases, r);
        } else {
            hf_release_free(r);
        }
    }
    return 0;
}

static int visit_file(struct loader *ld, const char *path, const struct hf_env *ctx, bool has_env,
                      const struct hf_selectors *sel, struct err *err)
{
    struct val *state = NULL;
    struct hf_env env;
    char *dir;
    int rc;

    if (ld->depth >= MAX_DEPTH) {
        return err_set(err, ERR_PARSE, "helmfiles nested more than %d deep at '%s' (a cycle?)",
                       MAX_DEPTH, path);
    }
    hf_env_init(&env, ctx->name);
    dir = fs_dirname(path);
    rc = load_state(ld, path, dir, ctx, has_env, true, &state, &env, err);
    free(dir);
    if (rc == 0) {
        ld->env_found = true;
        ld->depth++;
        rc = visit_helmfiles(ld, path, state, &env, sel, err);
        ld->depth--;
    }
    if (rc == 0) {
        rc = add_releases(ld, path, state, &env, sel, err);
    }
    hf_env_release(&env);
    val_unref(state);
    return rc < 0 ? -1 : 0;
}

/* helmfile's findDesiredStateFiles. */
static int find_files(const char *file, struct svec *out, struct err *err)
{
    bool yaml, gotmpl, dir;

    if (file) {
        if (fs_is_dir(file)) {
            return dir_files(file, out, err);
        }
        if (!fs_exists(file)) {
            return err_set(err, ERR_IO, "state file '%s' not found", file);
        }
        svec_push(out, file);
        return 0;
    }
    yaml = fs_exists("helmfile.yaml");
    gotmpl = fs_exists("helmfile.yaml.gotmpl");
    dir = fs_is_dir("helmfile.d");
    if (yaml && gotmpl) {
        return err_set(err, ERR_USAGE,
                       "both helmfile.yaml and helmfile.yaml.gotmpl exist; "
                       "remove one of them");
    }
    if (dir && (yaml || gotmpl)) {
        return err_set(err, ERR_USAGE, "either %s or helmfile.d may exist, not both",
                       yaml ? "helmfile.yaml" : "helmfile.yaml.gotmpl");
    }
    if (dir) {
        return dir_files("helmfile.d", out, err);
    }
    if (!yaml && !gotmpl) {
        return err_set(err, ERR_IO,
                       "no state file found: helmfile.yaml, helmfile.yaml.gotmpl or "
                       "helmfile.d/*.yaml (or give one with -f)");
    }
    svec_push(out, yaml ? "helmfile.yaml" : "helmfile.yaml.gotmpl");
    return 0;
}

/* helmfile refuses two selected releases with the same namespace and name. */
static int check_duplicates(struct loader *ld, struct err *err)
{
    for (size_t i = 0; i < ld->releases.len; i++) {
        const struct hf_release *a = ld->releases.items[i];

        for (size_t j = 0; j < i; j++) {
            const struct hf_release *b = ld->releases.items[j];

            if (strcmp(a->name, b->name) == 0 && strcmp(a->namespace, b->namespace) == 0) {
                return err_set(err, ERR_PARSE, "%s: duplicate release '%s/%s' (first at %s)",
                               a->origin, a->namespace, a->name, b->origin);
            }
        }
    }
    return 0;
}

int hf_load(struct hf_state *st, const struct hf_opts *opts, struct err *err)
{
    struct loader ld = { .opts = opts, .st = st };
    struct hf_selectors sel = { NULL, 0 };
    struct svec files = SVEC_INIT;
    struct hf_env ctx;
    int ret = -1;

    hf_env_init(&ctx, opts->environment ? opts->environment : "default");
    free(st->environment);
    st->environment = xstrdup(ctx.name);
    ld.env_found = strcmp(ctx.name, "default") == 0;
    val_unref(ctx.cli);
    ctx.cli = hf_env_parse_set(&opts->state_values_set, err);
    if (ctx.cli && opts->state_values) {
        struct val *merged = hf_merge(opts->state_values, ctx.cli, HF_MERGE_ELEMENTS);

        val_unref(ctx.cli);
        ctx.cli = merged;
    }
    if (!ctx.cli || hf_selectors_parse(&sel, &opts->selectors, err) < 0 ||
        find_files(opts->file, &files, err) < 0) {
        goto out;
    }
    for (size_t i = 0; i < files.len; i++) {
        bool has_env = opts->state_values_set.len > 0 || opts->state_values;

        if (visit_file(&ld, files.items[i], &ctx, has_env, &sel, err) < 0) {
            goto out;
        }
    }
    if (!ld.env_found) {
        err_set(err, ERR_USAGE, "environment '%s' is not defined in %s", ctx.name,
                files.len == 1 ? files.items[0] : "any state file");
        goto out;
    }
    if (check_duplicates(&ld, err) < 0) {
        goto out;
    }
    st->releases = (struct hf_release **)ld.releases.items;
    st->nreleases = ld.releases.len;
    ld.releases.items = NULL;
    ld.releases.len = 0;
    ret = 0;
out:
    for (size_t i = 0; i < ld.releases.len; i++) {
        hf_release_free(ld.releases.items[i]);
    }
    vec_release(&ld.releases);
    hf_selectors_release(&sel);
    svec_release(&files);
    hf_env_release(&ctx);
    return ret;
}
