/*
 * hf-values.c - values as helmfile and helm combine them: the merges (helm's -f layering,
 * helmfile's maputil.MergeMaps with sparse or element-wise lists), key paths "a.b[0]" with helm's
 * --set typing, and the one values document handed to helm.
 */
#include "pot.h"
#include <regex.h>
#include <pthread.h>
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "helmfile/hf-internal.h"
#include "value/val-json.h"
#include "value/val-yaml-emit.h"
#include "value/val-yaml.h"
#include "value/val.h"

static struct val *merge_lists(struct val *base, struct val *over, enum hf_merge how)
{
    size_t nb = val_list_len(base);
    size_t no = val_list_len(over);
    bool sparse = how == HF_MERGE_ELEMENTS;
    struct val *out;

    for (size_t i = 0; i < no && !sparse; i++) {
        sparse = val_list_get(over, i)->type == VAL_NULL;
    }
    if (!sparse) {
        return val_ref(over);
    }
    out = val_list();
    for (size_t i = 0; i < nb || i < no; i++) {
        struct val *b = i < nb ? val_list_get(base, i) : NULL;
        struct val *o = i < no ? val_list_get(over, i) : NULL;

        if (!o || o->type == VAL_NULL) {
            val_list_push_take(out, b ? val_ref(b) : val_null());
        } else if (b && b->type == VAL_DICT && o->type == VAL_DICT) {
            val_list_push_take(out, hf_merge(b, o, how));
        } else {
            val_list_push(out, o);
        }
    }
    return out;
}

struct val *hf_merge(struct val *base, struct val *over, enum hf_merge how)
{
    struct val *out;

    if (!over) {
        return base ? val_ref(base) : val_dict();
    }
    if (!base || base->type != VAL_DICT || over->type != VAL_DICT) {
        return val_ref(over);
    }
    out = val_copy(base);
    for (size_t i = 0; i < val_dict_len(over); i++) {
        const char *k = val_dict_key_at(over, i);
        struct val *o = val_dict_value_at(over, i);
        struct val *b = val_dict_get(out, k);

        if (how != HF_MERGE_HELM && o->type == VAL_NULL) {
            if (!b) {
                val_dict_set(out, k, o);
            }
        } else if (b && b->type == VAL_DICT && o->type == VAL_DICT) {
            val_dict_set_take(out, k, hf_merge(b, o, how));
        } else if (how != HF_MERGE_HELM && b && b->type == VAL_LIST && o->type == VAL_LIST) {
            val_dict_set_take(out, k, merge_lists(b, o, how));
        } else {
            val_dict_set(out, k, o);
        }
    }
    return out;
}

struct val *hf_typed_value(const char *s)
{
    int64_t i;

    if (strcasecmp(s, "true") == 0 || strcasecmp(s, "false") == 0) {
        return val_bool(strcasecmp(s, "true") == 0);
    }
    if (strcasecmp(s, "null") == 0) {
        return val_null();
    }
    if (strcmp(s, "0") == 0) {
        return val_int(0);
    }
    if (s[0] && s[0] != '0' && !strchr(s, ' ') && parse_int(s, &i) == 0) {
        return val_int(i);
    }
    return val_str(s);
}

/* One step of a key path: a dict key, or a list index when 'index' >= 0. */
struct step {
    char *key; /* owned; NULL for an index */
    long index;
};

static void free_steps(struct step *steps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(steps[i].key);
    }
    free(steps);
}

/* Splits "a.b\.c[0][2].d" into a, b.c, [0], [2], d. Returns the count, or -1. */
static long parse_path(const char *path, struct step **out)
{
    struct step *steps = NULL;
    size_t n = 0, cap = 0;
    struct buf key = BUF_INIT;
    const char *p = path;
    bool want_key = true;

    while (*p) {
        if (*p == '[') {
            char *end;
            long idx = strtol(p + 1, &end, 10);

            if (end == p + 1 || *end != ']' || idx < 0) {
                goto bad;
            }
            if (key.len) {
                xgrow((void **)&steps, &cap, n + 1, sizeof(*steps));
                steps[n++] = (struct step){ buf_detach(&key, NULL), -1 };
            } else if (want_key && n > 0) {
                goto bad;
            }
            xgrow((void **)&steps, &cap, n + 1, sizeof(*steps));
            steps[n++] = (struct step){ NULL, idx };
            want_key = false;
            p = end + 1;
            continue;
        }
        if (*p == '.') {
            if (key.len) {
                xgrow((void **)&steps, &cap, n + 1, sizeof(*steps));
                steps[n++] = (struct step){ buf_detach(&key, NULL), -1 };
            } else if (want_key) {
                goto bad;
            }
            want_key = true;
            p++;
            continue;
        }
        if (*p == '\\' && p[1]) {
            p++;
        }
        buf_addc(&key, *p++);
        want_key = true;
    }
    if (key.len) {
        xgrow((void **)&steps, &cap, n + 1, sizeof(*steps));
        steps[n++] = (struct step){ buf_detach(&key, NULL), -1 };
    } else if (want_key) {
        goto bad;
    }
    if (n == 0 || !steps[0].key) {
        goto bad;
    }
    *out = steps;
    return (long)n;
bad:
    buf_release(&key);
    free_steps(steps, n);
    return -1;
}

/* Replaces list item 'i' (the list grows with nulls), stealing 'v'. */
static void list_put_take(struct val *list, size_t i, struct val *v)
{
    while (val_list_len(list) <= i) {
        val_list_push_take(list, val_null());
    }
    val_unref(list->u.list.items[i]);
    list->u.list.items[i] = v;
}

/* The container for step 'next' inside 'parent' at 'here', made fresh when it is of the wrong
 * kind. 'parent' is private to the caller (a deep copy), so it is modified in place. */
static struct val *child_for(struct val *parent, const struct step *here, const struct step *next)
{
    enum val_type want = next->key ? VAL_DICT : VAL_LIST;
    struct val *cur = here->key ? val_dict_get(parent, here->key)
                                : val_list_get(parent, (size_t)here->index);

    if (cur && cur->type == want) {
        return cur;
    }
    cur = want == VAL_DICT ? val_dict() : val_list();
    if (here->key) {
        val_dict_set_take(parent, here->key, cur);
    } else {
        list_put_take(parent, (size_t)here->index, cur);
    }
    return cur;
}

int hf_set_path(struct val **root, const char *path, struct val *value, struct err *err)
{
    struct step *steps = NULL;
    long n = parse_path(path, &steps);
    struct val *copy;
    struct val *cur;

    if (n < 0) {
        return err_set(err, ERR_USAGE, "malformed key path '%s'", path);
    }
    copy = *root && (*root)->type == VAL_DICT ? val_deep_copy(*root) : val_dict();
    cur = copy;
    for (long i = 0; i + 1 < n; i++) {
        cur = child_for(cur, &steps[i], &steps[i + 1]);
    }
    if (steps[n - 1].key) {
        val_dict_set(cur, steps[n - 1].key, value);
    } else {
        list_put_take(cur, (size_t)steps[n - 1].index, val_ref(value));
    }
    free_steps(steps, (size_t)n);
    val_unref(*root);
    *root = copy;
    return 0;
}

/* The emitter quotes what PyYAML would not read back as a string; helm reads values with go-yaml
 * v2, which also reads y/n as booleans and 1e5, 0o17, 0X1F as numbers. */
static regex_t goyaml_num_rx;
static pthread_once_t rx_once = PTHREAD_ONCE_INIT;

static void compile_rx(void)
{
    if (regcomp(&goyaml_num_rx,
                "^[-+]?(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*"
                "|(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?)$",
                REG_EXTENDED | REG_NOSUB)) {
        BUG("go-yaml number regex does not compile");
    }
}

/* Whether go-yaml would read 's', written plain, as something PyYAML reads as a string. */
static bool goyaml_misreads(const char *s, size_t len)
{
    static const char *const words[] = { "y", "Y", "n", "N", NULL };
    struct val *py;
    bool py_str;
    bool go_str = true;

    if (strlen(s) != len) {
        return false;
    }
    for (size_t i = 0; words[i]; i++) {
        go_str = go_str && strcmp(s, words[i]) != 0;
    }
    pthread_once(&rx_once, compile_rx);
    if (go_str && regexec(&goyaml_num_rx, s, 0, NULL, 0) == 0) {
        go_str = false;
    }
    if (go_str) {
        return false;
    }
    py = val_resolve_plain_scalar(s, len);
    py_str = py->type == VAL_STR;
    val_unref(py);
    return py_str;
}

static bool has_misread(const struct val *v)
{
    switch (v->type) {
    case VAL_STR:
        return goyaml_misreads(v->u.s.ptr, v->u.s.len);
    case VAL_LIST:
        for (size_t i = 0; i < val_list_len(v); i++) {
            if (has_misread(val_list_get(v, i))) {
                return true;
            }
        }
        return false;
    case VAL_DICT:
        for (size_t i = 0; i < val_dict_len(v); i++) {
            const char *k = val_dict_key_at(v, i);

            if (goyaml_misreads(k, strlen(k)) || has_misread(val_dict_value_at(v, i))) {
                return true;
            }
        }
        return false;
    default:
        return false;
    }
}

void hf_values_yaml(const struct val *values, struct buf *out)
{
    struct val_yaml_emit_opts opts = { .indent = 2, .width = -1, .flow = 0, .sort_keys = true };
    size_t start = out->len;

    /* JSON is YAML too, with every string quoted: used when a plain string would change type. */
    if (has_misread(values) || val_to_yaml(values, out, &opts) < 0) {
        buf_truncate(out, start);
        val_to_json(values, out, 2, VAL_JSON_SORT_KEYS);
        buf_addc(out, '\n');
    }
}
