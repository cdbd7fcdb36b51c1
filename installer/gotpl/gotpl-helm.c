/*
 * gotpl-helm.c - the functions Helm adds to sprig's (helm/pkg/engine/funcs.go and engine.go):
 * include and tpl (rendering into a string, with the nesting limit), required, toYaml/mustToYaml/
 * toYamlPretty, fromYaml/fromYamlArray, toJson/mustToJson, fromJson/fromJsonArray (errors land in
 * an "Error" key or item, as Helm does), and lookup, which is always empty offline. And the type
 * Helm gives .Values and the root object, chartutil.Values, with its methods.
 */
#include "pot.h"
#include <math.h>
#include <string.h>
#include "base/xalloc.h"
#include "base/strutil.h"
#include "gotpl/gotpl-int.h"
#include "value/val-yaml.h"

static const char *str_arg(const struct val *v, struct buf *tmp)
{
    if (v->type == VAL_STR) {
        return v->u.s.ptr;
    }
    gotpl_strval(v, tmp);
    return tmp->ptr;
}

static int fn_include(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf name = BUF_INIT, out = BUF_INIT;
    int rc;

    (void)n;
    rc = gotpl_exec_named(x->t, x, str_arg(a[0], &name), a[1]->type == VAL_NULL ? NULL : a[1], &out,
                          err);
    buf_release(&name);
    if (rc < 0) {
        buf_release(&out);
        return -1;
    }
    *res = gotpl_take_buf(&out);
    return 0;
}

/* Helm replaces "<no value>" in what tpl renders. */
static void strip_no_value(struct buf *b)
{
    char *s = str_replace_all(b->ptr, "<no value>", "");

    buf_reset(b);
    buf_adds(b, s);
    free(s);
}

static int fn_tpl(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf text = BUF_INIT, out = BUF_INIT;
    char *key = xasprintf("%s#tpl%u", x->tmpl_name, ++x->t->tpl_serial);
    int rc;

    (void)n;
    rc = gotpl_parse_into(x->t, key, x->tmpl_name, str_arg(a[0], &text), err);
    if (rc == 0) {
        rc = gotpl_exec_named(x->t, x, key, a[1]->type == VAL_NULL ? NULL : a[1], &out, err);
    }
    free(key);
    buf_release(&text);
    if (rc < 0) {
        buf_release(&out);
        return -1;
    }
    if (x->t->mode == GOTPL_HELM) {
        strip_no_value(&out);
    }
    *res = gotpl_take_buf(&out);
    return 0;
}

static int fn_required(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf msg = BUF_INIT;

    (void)x;
    (void)n;
    if (a[1]->type == VAL_NULL || (a[1]->type == VAL_STR && a[1]->u.s.len == 0)) {
        err_set(err, ERR_TEMPLATE, "%s", str_arg(a[0], &msg));
        buf_release(&msg);
        return -1;
    }
    *res = val_ref(a[1]);
    return 0;
}

static int to_yaml(struct val **a, struct val **res, struct err *err, bool must, bool pretty)
{
    struct buf out = BUF_INIT;
    int rc = pretty ? gotpl_to_yaml_pretty(a[0], &out, err) : gotpl_to_yaml(a[0], &out, err);

    if (rc < 0) {
        buf_release(&out);
        if (must) {
            return -1;
        }
        *res = val_str("");
        return 0;
    }
    if (out.len > 0 && out.ptr[out.len - 1] == '\n') {
        buf_truncate(&out, out.len - 1);
    }
    *res = gotpl_take_buf(&out);
    return 0;
}

static int fn_to_yaml(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    return to_yaml(a, res, err, false, false);
}

static int fn_must_to_yaml(struct gx *x, struct val **a, size_t n, struct val **res,
                           struct err *err)
{
    (void)x;
    (void)n;
    return to_yaml(a, res, err, true, false);
}

static int fn_to_yaml_pretty(struct gx *x, struct val **a, size_t n, struct val **res,
                             struct err *err)
{
    (void)x;
    (void)n;
    return to_yaml(a, res, err, false, true);
}

/* The first NaN or infinity in 'v' (which JSON cannot hold), or NULL. */
static const struct val *non_finite(const struct val *v)
{
    if (v->type == VAL_DOUBLE && (isnan(v->u.d) || isinf(v->u.d))) {
        return v;
    }
    for (size_t i = 0; v->type == VAL_LIST && i < v->u.list.len; i++) {
        const struct val *f = non_finite(v->u.list.items[i]);

        if (f) {
            return f;
        }
    }
    for (size_t i = 0; v->type == VAL_DICT && i < v->u.dict.len; i++) {
        const struct val *f = non_finite(v->u.dict.values[i]);

        if (f) {
            return f;
        }
    }
    return NULL;
}

/* Parses YAML as sigs.k8s.io/yaml does (numbers become float64). NULL with err set on failure. */
static struct val *parse_yaml(const struct val *text, struct err *err)
{
    struct buf tmp = BUF_INIT;
    const char *s = str_arg(text, &tmp);
    struct val *raw = val_from_yaml_rules(s, strlen(s), "yaml", VAL_YAML_GOYAML2, err);
    struct val *v = NULL;

    if (raw) {
        const struct val *bad = non_finite(raw);

        if (bad) {
            struct buf num = BUF_INIT;

            gotpl_fmt_float(bad->u.d, &num);
            err_set(err, ERR_TEMPLATE, "json: unsupported value: %s", num.ptr);
            buf_release(&num);
        } else {
            v = gotpl_float_numbers(raw);
        }
        val_unref(raw);
    }
    buf_release(&tmp);
    return v;
}

static int fn_from_yaml(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct err perr = ERR_INIT;
    struct val *v = parse_yaml(a[0], &perr);

    (void)x;
    (void)n;
    (void)err;
    if (v && v->type == VAL_DICT) {
        *res = v;
        return 0;
    }
    *res = val_dict();
    if (!v) {
        val_dict_set_take(*res, "Error", val_strf("error converting YAML to JSON: %s", perr.msg));
    } else if (v->type != VAL_NULL) {
        val_dict_set_take(*res, "Error",
                          val_strf("error unmarshaling JSON: while decoding JSON: json: cannot "
                                   "unmarshal %s into Go value of type map[string]interface {}",
                                   v->type == VAL_LIST   ? "array"
                                   : v->type == VAL_STR  ? "string"
                                   : v->type == VAL_BOOL ? "bool"
                                                         : "number"));
    }
    val_unref(v);
    return 0;
}

static int fn_from_yaml_array(struct gx *x, struct val **a, size_t n, struct val **res,
                              struct err *err)
{
    struct err perr = ERR_INIT;
    struct val *v = parse_yaml(a[0], &perr);

    (void)x;
    (void)n;
    (void)err;
    if (v && v->type == VAL_LIST) {
        *res = v;
        return 0;
    }
    *res = val_list();
    if (!v) {
        val_list_push_take(*res, val_strf("error converting YAML to JSON: %s", perr.msg));
    } else if (v->type != VAL_NULL) {
        val_list_push_take(*res, val_strf("error unmarshaling JSON: while decoding JSON: json: "
                                          "cannot unmarshal %s into Go value of type "
                                          "[]interface {}",
                                          v->type == VAL_DICT   ? "object"
                                          : v->type == VAL_STR  ? "string"
                                          : v->type == VAL_BOOL ? "bool"
                                                                : "number"));
    }
    val_unref(v);
    return 0;
}

static int to_json(struct val **a, struct val **res, struct err *err, bool must)
{
    struct buf out = BUF_INIT;

    if (gotpl_to_json(a[0], &out, NULL, true) < 0) {
        buf_release(&out);
        if (must) {
            return err_set(err, ERR_TEMPLATE, "json: unsupported value");
        }
        *res = val_str("");
        return 0;
    }
    *res = gotpl_take_buf(&out);
    return 0;
}

static int fn_to_json(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    return to_json(a, res, err, false);
}

static int fn_must_to_json(struct gx *x, struct val **a, size_t n, struct val **res,
                           struct err *err)
{
    (void)x;
    (void)n;
    return to_json(a, res, err, true);
}

static const char *json_kind(const struct val *v)
{
    switch (v->type) {
    case VAL_LIST:
        return "array";
    case VAL_DICT:
        return "object";
    case VAL_STR:
        return "string";
    case VAL_BOOL:
        return "bool";
    default:
        return "number";
    }
}

static int fn_from_json(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf msg = BUF_INIT;
    struct val *v = gotpl_from_json(a[0]->u.s.ptr, a[0]->u.s.len, &msg);

    (void)x;
    (void)n;
    (void)err;
    if (v && v->type == VAL_DICT) {
        *res = v; /* what was decoded, and the error of a number out of range */
        v = NULL;
    } else {
        *res = val_dict();
    }
    if (v && v->type != VAL_NULL) {
        val_dict_set_take(*res, "Error",
                          val_strf("json: cannot unmarshal %s into Go value of type "
                                   "map[string]interface {}",
                                   json_kind(v)));
    } else if (msg.len > 0) {
        val_dict_set_take(*res, "Error", gotpl_take_buf(&msg));
    }
    val_unref(v);
    buf_release(&msg);
    return 0;
}

static int fn_from_json_array(struct gx *x, struct val **a, size_t n, struct val **res,
                              struct err *err)
{
    struct buf msg = BUF_INIT;
    struct val *v = gotpl_from_json(a[0]->u.s.ptr, a[0]->u.s.len, &msg);

    (void)x;
    (void)n;
    (void)err;
    if (v && v->type == VAL_LIST && msg.len == 0) {
        *res = v;
        return 0;
    }
    *res = val_list();
    if (v && v->type != VAL_LIST && v->type != VAL_NULL) {
        val_list_push_take(*res, val_strf("json: cannot unmarshal %s into Go value of type "
                                          "[]interface {}",
                                          json_kind(v)));
    } else if (msg.len > 0) {
        val_list_push_take(*res, gotpl_take_buf(&msg));
    }
    val_unref(v);
    buf_release(&msg);
    return 0;
}

static int fn_lookup(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)a;
    (void)n;
    (void)err;
    *res = val_dict();
    return 0;
}

const struct gfunc gotpl_helm_funcs[] = {
    { "fromJson", fn_from_json, "s" },
    { "fromJsonArray", fn_from_json_array, "s" },
    { "fromYaml", fn_from_yaml, "s" },
    { "fromYamlArray", fn_from_yaml_array, "s" },
    { "include", fn_include, "sa" },
    { "lookup", fn_lookup, "ssss" },
    { "mustToJson", fn_must_to_json, "a" },
    { "mustToYaml", fn_must_to_yaml, "a" },
    { "required", fn_required, "sa" },
    { "toJson", fn_to_json, "a" },
    { "toYaml", fn_to_yaml, "a" },
    { "toYamlPretty", fn_to_yaml_pretty, "a" },
    { "tpl", fn_tpl, "sa" },
};
const size_t gotpl_helm_nfuncs = ARRAY_SIZE(gotpl_helm_funcs);

/* ---- chartutil.Values ---- */

/* Values.AsMap: the map as a map[string]interface {}. Go returns the same map; this is a new dict
 * holding the same values (a top-level key set through it does not show in .Values). */
static int m_as_map(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    (void)err;
    *res = val_dict();
    for (size_t i = 0; i < a[0]->u.dict.len; i++) {
        val_dict_set(*res, a[0]->u.dict.keys[i], a[0]->u.dict.values[i]);
    }
    return 0;
}

/* chartutil's istable: a value of type map[string]interface {}. */
static bool is_table(const struct val *v)
{
    return strcmp(gotpl_type_name(v), "map[string]interface {}") == 0;
}

/* Values.PathValue: the value at a dotted path; it must not be a table. */
static int m_path_value(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    const struct val *t = a[0];
    const char *path = a[1]->u.s.ptr;
    const char *key = strrchr(path, '.') ? strrchr(path, '.') + 1 : path;
    struct val *v = NULL;
    struct buf quoted = BUF_INIT;

    (void)x;
    (void)n;
    if (!*path) {
        return err_set(err, ERR_TEMPLATE, "YAML path cannot be empty");
    }
    for (const char *seg = path; t; seg = strchr(seg, '.') + 1) {
        char *name = xstrndup(seg, strcspn(seg, "."));

        v = val_dict_get(t, name);
        free(name);
        if (seg == key) {
            break;
        }
        t = v && (is_table(v) || (v->flags & GOTPL_VAL_CHART_VALUES)) ? v : NULL;
    }
    if (!t || !v || is_table(v)) {
        gotpl_quote(key, strlen(key), &quoted);
        err_set(err, ERR_TEMPLATE, "%s is not a value", quoted.ptr);
        buf_release(&quoted);
        return -1;
    }
    *res = val_ref(v);
    return 0;
}

/* Values.YAML: yaml.Marshal's document, its trailing newline kept. */
static int m_yaml(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf out = BUF_INIT;

    (void)x;
    (void)n;
    if (gotpl_to_yaml(a[0], &out, err) < 0) {
        buf_release(&out);
        return -1;
    }
    *res = gotpl_take_buf(&out);
    return 0;
}

const struct gfunc gotpl_values_methods[] = {
    { "AsMap", m_as_map, "" },
    { "PathValue", m_path_value, "s" },
    { "YAML", m_yaml, "" },
};
const size_t gotpl_values_nmethods = ARRAY_SIZE(gotpl_values_methods);

struct val *gotpl_helm_root(struct val *values)
{
    struct val *root = val_dict();
    struct val *v = values->type == VAL_DICT ? gotpl_float_numbers(values) : val_dict();

    v->flags |= GOTPL_VAL_CHART_VALUES;
    root->flags |= GOTPL_VAL_CHART_VALUES;
    val_dict_set_take(root, "Values", v);
    return root;
}
