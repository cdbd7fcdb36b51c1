/*
 * args.c - checks a task's arguments against a module's arg_spec and converts them to the
 * declared types, with Ansible's rules and messages.
 */
#include "pot.h"
#include <string.h>
#include <strings.h>
#include "base/buf.h"
#include "base/strutil.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "modules/args.h"
#include "value/val-json.h"
#include "value/val.h"

static const char RAW_PARAMS[] = "_raw_params";

static bool in_csv(const char *csv, const char *name)
{
    size_t n = strlen(name);

    while (csv && *csv) {
        const char *comma = strchr(csv, ',');
        size_t len = comma ? (size_t)(comma - csv) : strlen(csv);

        if (len == n && strncmp(csv, name, n) == 0) {
            return true;
        }
        csv = comma ? comma + 1 : NULL;
    }
    return false;
}

static const struct arg_spec *find_spec(const struct module *m, const char *key)
{
    for (const struct arg_spec *s = m->args; s && s->name; s++) {
        if (strcmp(s->name, key) == 0 || in_csv(s->aliases, key)) {
            return s;
        }
    }
    return NULL;
}

static const struct srcpos *pos_of(const struct val *v, const struct srcpos *fallback)
{
    return v && v->pos.line > 0 ? &v->pos : fallback;
}

/* "a, b, c": canonical names and aliases, sorted like Ansible's list. */
static void supported_list(const struct module *m, struct buf *out)
{
    struct svec names = SVEC_INIT;

    for (const struct arg_spec *s = m->args; s && s->name; s++) {
        svec_push(&names, s->name);
        if (s->aliases) {
            svec_split(&names, s->aliases, ',');
        }
    }
    svec_sort(&names);
    for (size_t i = 0; i < names.len; i++) {
        buf_addf(out, "%s%s", i ? ", " : "", names.items[i]);
    }
    svec_release(&names);
}

static bool is_absent(const struct val *v)
{
    return !v || v->type == VAL_NULL;
}

static int check_unknown(const struct module *m, const struct val *raw, const struct srcpos *pos,
                         struct err *err)
{
    for (size_t i = 0; i < val_dict_len(raw); i++) {
        const char *key = val_dict_key_at(raw, i);
        struct buf list = BUF_INIT;

        if (find_spec(m, key) || (strcmp(key, RAW_PARAMS) == 0 && (m->flags & MOD_FREE_FORM))) {
            continue;
        }
        supported_list(m, &list);
        err_at(err, ERR_PARSE, pos_of(val_dict_value_at(raw, i), pos),
               "unsupported parameter '%s' for module '%s'; supported parameters: %s", key,
               m->name, list.ptr);
        buf_release(&list);
        return -1;
    }
    return 0;
}

/* The value given for 's' under its name or one alias; two spellings at once is an error. */
static int lookup_given(const struct arg_spec *s, const struct val *raw, const struct srcpos *pos,
                        struct val **found, struct err *err)
{
    const char *found_key = NULL;

    *found = NULL;
    for (size_t i = 0; i < val_dict_len(raw); i++) {
        const char *key = val_dict_key_at(raw, i);

        if (strcmp(key, s->name) != 0 && !in_csv(s->aliases, key)) {
            continue;
        }
        if (found_key) {
            return err_at(err, ERR_PARSE, pos, "parameters are mutually exclusive: %s|%s",
                          found_key, key);
        }
        found_key = key;
        *found = val_dict_value_at(raw, i);
    }
    return 0;
}

static int check_required(const struct module *m, const struct val *raw, const struct srcpos *pos,
                          struct err *err)
{
    struct buf missing = BUF_INIT;
    int ret = 0;

    for (const struct arg_spec *s = m->args; s && s->name; s++) {
        struct val *v = NULL;

        if (lookup_given(s, raw, pos, &v, err) < 0) {
            ret = -1;
            goto out;
        }
        if (s->required && is_absent(v) &&
            !(strcmp(s->name, RAW_PARAMS) == 0 && val_dict_has(raw, RAW_PARAMS))) {
            buf_addf(&missing, "%s%s", missing.len ? ", " : "", s->name);
        }
    }
    if (missing.len) {
        ret = err_at(err, ERR_PARSE, pos, "missing required arguments: %s (module '%s')",
                     missing.ptr, m->name);
    }
out:
    buf_release(&missing);
    return ret;
}

int margs_check(const struct module *m, const struct val *raw, const struct srcpos *pos,
                struct err *err)
{
    struct val *empty = NULL;
    int ret;

    if (raw && raw->type != VAL_DICT) {
        return err_at(err, ERR_PARSE, pos, "arguments of module '%s' must be a dict, got %s",
                      m->name, val_type_name(raw->type));
    }
    if (raw && !(m->flags & MOD_ANY_ARGS) && check_unknown(m, raw, pos, err) < 0) {
        return -1;
    }
    if (!raw) {
        empty = val_dict();
    }
    ret = check_required(m, raw ? raw : empty, pos, err);
    val_unref(empty);
    return ret;
}

int margs_parse_bool(const char *s, bool *out)
{
    static const char *const truthy[] = { "yes", "on", "1", "true", "y", "t", NULL };
    static const char *const falsy[] = { "no", "off", "0", "false", "n", "f", "", NULL };

    for (size_t i = 0; truthy[i]; i++) {
        if (strcasecmp(s, truthy[i]) == 0) {
            *out = true;
            return 0;
        }
    }
    for (size_t i = 0; falsy[i]; i++) {
        if (strcasecmp(s, falsy[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return -1;
}

/* Python's str() of a scalar (True, 3, 1.5, text); lists and dicts as Python prints them. */
static struct val *to_str(const struct val *v)
{
    struct buf b = BUF_INIT;
    size_t len;
    char *s;

    if (v->type == VAL_STR) {
        return val_ref((struct val *)v);
    }
    val_to_pystr(v, &b);
    s = buf_detach(&b, &len);
    return val_str_take(s, len);
}

static int type_error(const struct val *v, const char *name, const char *type, const char *why,
                      const struct srcpos *pos, struct err *err)
{
    return err_at(err, ERR_PARSE, pos_of(v, pos),
                  "argument '%s' is of type %s and we were unable to convert to %s%s%s", name,
                  val_type_name(v->type), type, why ? ": " : "", why ? why : "");
}

static struct val *to_bool(const struct val *v, const char *name, const struct srcpos *pos,
                           struct err *err)
{
    bool b = false;

    if (v->type == VAL_BOOL) {
        return val_ref((struct val *)v);
    }
    if (v->type == VAL_INT && (v->u.i == 0 || v->u.i == 1)) {
        return val_bool(v->u.i == 1);
    }
    if (v->type == VAL_STR && margs_parse_bool(v->u.s.ptr, &b) == 0) {
        return val_bool(b);
    }
    if (v->type == VAL_STR) {
        char *why = xasprintf("the value '%s' is not a valid boolean", v->u.s.ptr);

        type_error(v, name, "bool", why, pos, err);
        free(why);
        return NULL;
    }
    type_error(v, name, "bool", NULL, pos, err);
    return NULL;
}

static struct val *to_int(const struct val *v, const char *name, const struct srcpos *pos,
                          struct err *err)
{
    int64_t i = 0;

    if (v->type == VAL_INT) {
        return val_ref((struct val *)v);
    }
    if (v->type == VAL_DOUBLE && v->u.d == (double)(int64_t)v->u.d) {
        return val_int((int64_t)v->u.d);
    }
    if (v->type == VAL_STR && parse_int(v->u.s.ptr, &i) == 0) {
        return val_int(i);
    }
    type_error(v, name, "int", NULL, pos, err);
    return NULL;
}

static struct val *to_list(const struct val *v)
{
    struct val *list;
    struct svec parts = SVEC_INIT;

    if (v->type == VAL_LIST) {
        return val_ref((struct val *)v);
    }
    list = val_list();
    if (v->type != VAL_STR) {
        val_list_push_take(list, to_str(v));
        return list;
    }
    svec_split(&parts, v->u.s.ptr, ',');
    for (size_t i = 0; i < parts.len; i++) {
        val_list_push_take(list, val_str(parts.items[i]));
    }
    svec_release(&parts);
    return list;
}

static struct val *to_dict(const struct val *v, const char *name, const struct srcpos *pos,
                           struct err *err)
{
    struct err ignored = ERR_INIT;
    struct val *d;

    if (v->type == VAL_DICT) {
        return val_ref((struct val *)v);
    }
    if (v->type == VAL_STR) {
        d = val_from_json(v->u.s.ptr, v->u.s.len, name, &ignored);
        if (d && d->type == VAL_DICT) {
            return d;
        }
        val_unref(d);
    }
    type_error(v, name, "dict", NULL, pos, err);
    return NULL;
}

/* A mode: int 420 (YAML 0644) -> "0644"; strings ("0644", "644", "u+rwx") unchanged. */
static struct val *to_mode(const struct val *v, const char *name, const struct srcpos *pos,
                           struct err *err)
{
    if (v->type == VAL_INT && v->u.i >= 0 && v->u.i <= 07777) {
        return val_strf("0%03o", (unsigned)v->u.i);
    }
    if (v->type == VAL_STR) {
        return val_ref((struct val *)v);
    }
    type_error(v, name, "mode", NULL, pos, err);
    return NULL;
}

static struct val *check_choice(struct val *s, const struct arg_spec *spec,
                                const struct srcpos *pos, struct err *err)
{
    char *list;

    if (in_csv(spec->choices, s->u.s.ptr)) {
        return s;
    }
    list = str_replace_all(spec->choices, ",", ", ");
    err_at(err, ERR_PARSE, pos_of(s, pos), "value of %s must be one of: %s, got: %s",
           spec->name, list, s->u.s.ptr);
    free(list);
    val_unref(s);
    return NULL;
}

/* Returns a new reference to 'v' converted to spec->type, or NULL with err set. */
static struct val *convert(const struct val *v, const struct arg_spec *spec,
                           const struct srcpos *pos, struct err *err)
{
    switch (spec->type) {
    case ARG_STR:
    case ARG_PATH:
        return to_str(v);
    case ARG_CHOICE:
        return check_choice(to_str(v), spec, pos, err);
    case ARG_BOOL:
        return to_bool(v, spec->name, pos, err);
    case ARG_INT:
        return to_int(v, spec->name, pos, err);
    case ARG_LIST:
        return to_list(v);
    case ARG_DICT:
        return to_dict(v, spec->name, pos, err);
    case ARG_MODE:
        return to_mode(v, spec->name, pos, err);
    case ARG_RAW:
    case ARG_END:
        break;
    }
    return val_ref((struct val *)v);
}

static int add_spec_value(const struct arg_spec *spec, const struct val *raw,
                          const struct srcpos *pos, struct val *dict, struct err *err)
{
    struct val *given = NULL;
    struct val *def = NULL;
    struct val *conv;

    if (lookup_given(spec, raw, pos, &given, err) < 0) {
        return -1;
    }
    if (is_absent(given) && !spec->def) {
        return 0;
    }
    if (is_absent(given)) {
        def = val_str(spec->def);
        def->pos = pos ? *pos : def->pos;
        given = def;
    }
    conv = convert(given, spec, pos, err);
    val_unref(def);
    if (!conv) {
        return -1;
    }
    val_dict_set_take(dict, spec->name, conv);
    return 0;
}

int margs_parse(const struct module *m, const struct val *raw, const struct srcpos *pos,
                struct margs *out, struct err *err)
{
    struct val *empty = NULL;
    struct val *dict;

    memset(out, 0, sizeof(*out));
    if (margs_check(m, raw, pos, err) < 0) {
        return -1;
    }
    if (!raw) {
        empty = val_dict();
        raw = empty;
    }
    dict = val_dict();
    for (const struct arg_spec *s = m->args; s && s->name; s++) {
        if (add_spec_value(s, raw, pos, dict, err) < 0) {
            val_unref(dict);
            val_unref(empty);
            return -1;
        }
    }
    for (size_t i = 0; i < val_dict_len(raw); i++) {
        const char *key = val_dict_key_at(raw, i);

        if (!find_spec(m, key) && !is_absent(val_dict_value_at(raw, i))) {
            val_dict_set(dict, key, val_dict_value_at(raw, i));
        }
    }
    val_unref(empty);
    out->dict = dict;
    out->free_form = val_dict_get_str(dict, RAW_PARAMS);
    return 0;
}

void margs_release(struct margs *a)
{
    val_unref(a->dict);
    memset(a, 0, sizeof(*a));
}

struct val *margs_get(const struct margs *a, const char *name)
{
    struct val *v = a->dict ? val_dict_get(a->dict, name) : NULL;

    return is_absent(v) ? NULL : v;
}

bool margs_has(const struct margs *a, const char *name)
{
    return margs_get(a, name) != NULL;
}

const char *margs_str(const struct margs *a, const char *name)
{
    return val_cstr(margs_get(a, name));
}

bool margs_bool(const struct margs *a, const char *name)
{
    struct val *v = margs_get(a, name);

    return v && v->type == VAL_BOOL && v->u.b;
}

int64_t margs_int(const struct margs *a, const char *name, int64_t def)
{
    struct val *v = margs_get(a, name);

    return v && v->type == VAL_INT ? v->u.i : def;
}

struct val *margs_list(const struct margs *a, const char *name)
{
    struct val *v = margs_get(a, name);

    return v && v->type == VAL_LIST ? v : NULL;
}
