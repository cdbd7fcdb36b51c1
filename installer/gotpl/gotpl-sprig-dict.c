/*
 * gotpl-sprig-dict.c - sprig's dict functions: dict, get, set and unset (which change the map in
 * place, as Go maps are references), hasKey, pluck, dig, keys and values (sorted here; Go's order
 * is random), pick, omit, deepCopy, and merge/mergeOverwrite with mergo's rules (merge fills only
 * missing or empty keys and recurses into maps; mergeOverwrite replaces, lists included).
 */
#include "pot.h"
#include <string.h>
#include "base/xalloc.h"
#include "gotpl/gotpl-int.h"

static int fn_dict(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)err;
    *res = val_dict();
    for (size_t i = 0; i < n; i += 2) {
        struct buf key = BUF_INIT;

        gotpl_strval(a[i], &key);
        if (i + 1 < n) {
            val_dict_set(*res, key.ptr, a[i + 1]);
        } else {
            val_dict_set_take(*res, key.ptr, val_str(""));
        }
        buf_release(&key);
    }
    return 0;
}

static int fn_get(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct val *v = val_dict_get(a[0], a[1]->u.s.ptr);

    (void)x;
    (void)n;
    (void)err;
    *res = v ? val_ref(v) : val_str("");
    return 0;
}

/* Whether 'needle' is 'v' or inside it: storing it there would make a cycle. */
static bool reaches(const struct val *v, const struct val *needle, int depth)
{
    if (v == needle) {
        return true;
    }
    if (depth > 10000) {
        return true;
    }
    if (v->type == VAL_LIST) {
        for (size_t i = 0; i < v->u.list.len; i++) {
            if (reaches(v->u.list.items[i], needle, depth + 1)) {
                return true;
            }
        }
    } else if (v->type == VAL_DICT) {
        for (size_t i = 0; i < v->u.dict.len; i++) {
            if (reaches(v->u.dict.values[i], needle, depth + 1)) {
                return true;
            }
        }
    }
    return false;
}

static int fn_set(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    if (reaches(a[2], a[0], 0)) {
        return err_set(err, ERR_TEMPLATE, "a map cannot contain itself");
    }
    val_dict_set(a[0], a[1]->u.s.ptr, a[2]);
    *res = val_ref(a[0]);
    return 0;
}

static int fn_unset(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    (void)err;
    val_dict_del(a[0], a[1]->u.s.ptr);
    *res = val_ref(a[0]);
    return 0;
}

static int fn_has_key(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    (void)err;
    *res = val_bool(val_dict_has(a[0], a[1]->u.s.ptr));
    return 0;
}

static int fn_pluck(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)err;
    *res = val_list();
    for (size_t i = 1; i < n; i++) {
        struct val *v = val_dict_get(a[i], a[0]->u.s.ptr);

        if (v) {
            val_list_push(*res, v);
        }
    }
    return 0;
}

/* Go's v.(map[string]interface {}): fails for other types, chartutil.Values and semvers too. */
static int assert_plain_map(const struct val *v, struct err *err)
{
    const char *type = gotpl_type_name(v);

    if (strcmp(type, "map[string]interface {}") != 0) {
        return err_set(err, ERR_TEMPLATE,
                       "interface conversion: interface {} is %s, not map[string]interface {}",
                       type);
    }
    return 0;
}

/* sprig's dig: the dict and the keys are asserted to their types before any lookup. */
static int fn_dig(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct val *d;

    (void)x;
    if (n < 3) {
        return err_set(err, ERR_TEMPLATE, "dig needs at least three arguments");
    }
    d = a[n - 1];
    if (assert_plain_map(d, err) < 0) {
        return -1;
    }
    for (size_t i = 0; i < n - 2; i++) {
        if (a[i]->type != VAL_STR) {
            return err_set(err, ERR_TEMPLATE,
                           "interface conversion: interface {} is %s, not string",
                           gotpl_type_name(a[i]));
        }
    }
    for (size_t i = 0; i < n - 2; i++) {
        struct val *step;

        if (assert_plain_map(d, err) < 0) {
            return -1;
        }
        step = val_dict_get(d, a[i]->u.s.ptr);
        if (!step) {
            *res = val_ref(a[n - 2]);
            return 0;
        }
        d = step;
    }
    *res = val_ref(d);
    return 0;
}

static int fn_keys(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct val *keys = val_list();

    (void)x;
    (void)err;
    keys->flags |= GOTPL_VAL_STRS;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < a[i]->u.dict.len; k++) {
            val_list_push_take(keys, val_str(a[i]->u.dict.keys[k]));
        }
    }
    *res = keys;
    return 0;
}

static int fn_values(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    size_t len = a[0]->u.dict.len;
    const char **keys = val_dict_sorted_keys(a[0]);

    (void)x;
    (void)n;
    (void)err;
    *res = val_list();
    for (size_t i = 0; i < len; i++) {
        val_list_push(*res, val_dict_get(a[0], keys[i]));
    }
    free(keys);
    return 0;
}

static int pick_omit(struct val **a, size_t n, struct val **res, bool pick)
{
    *res = val_dict();
    for (size_t i = 0; i < a[0]->u.dict.len; i++) {
        const char *k = a[0]->u.dict.keys[i];
        bool listed = false;

        for (size_t j = 1; j < n && !listed; j++) {
            listed = strcmp(a[j]->u.s.ptr, k) == 0;
        }
        if (listed == pick) {
            val_dict_set(*res, k, a[0]->u.dict.values[i]);
        }
    }
    return 0;
}

static int fn_pick(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)err;
    return pick_omit(a, n, res, true);
}

static int fn_omit(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)err;
    return pick_omit(a, n, res, false);
}

static int fn_deep_copy(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    (void)err;
    *res = val_deep_copy(a[0]);
    return 0;
}

/* mergo's deepMerge of map 'src' into map 'dst' (in place). */
static void merge_into(struct val *dst, struct val *src, bool overwrite, int depth)
{
    if (depth > 100) {
        return;
    }
    for (size_t i = 0; i < src->u.dict.len; i++) {
        const char *k = src->u.dict.keys[i];
        struct val *s = src->u.dict.values[i];
        struct val *d = val_dict_get(dst, k);

        if (s->type == VAL_NULL) {
            if (overwrite) {
                val_dict_set(dst, k, s);
            }
            continue;
        }
        if (s->type == VAL_DICT && d && d->type == VAL_DICT) {
            merge_into(d, s, overwrite, depth + 1);
        }
        if (s->type == VAL_LIST && overwrite) {
            val_dict_set(dst, k, s);
            continue;
        }
        if (d && gotpl_truth(d) && (s->type == VAL_DICT || s->type == VAL_LIST)) {
            continue;
        }
        if (overwrite || !d || !gotpl_truth(d)) {
            val_dict_set(dst, k, s);
        }
    }
}

static int merge(struct val **a, size_t n, struct val **res, bool overwrite, struct err *err)
{
    for (size_t i = 1; i < n; i++) {
        if (a[i] != a[0] && reaches(a[i], a[0], 0)) {
            return err_set(err, ERR_TEMPLATE, "a map cannot contain itself");
        }
    }
    for (size_t i = 1; i < n; i++) {
        merge_into(a[0], a[i], overwrite, 0);
    }
    *res = val_ref(a[0]);
    return 0;
}

static int fn_merge(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    return merge(a, n, res, false, err);
}

static int fn_merge_overwrite(struct gx *x, struct val **a, size_t n, struct val **res,
                              struct err *err)
{
    (void)x;
    return merge(a, n, res, true, err);
}

const struct gfunc gotpl_sprig_dict_funcs[] = {
    { "deepCopy", fn_deep_copy, "a" },
    { "dict", fn_dict, "a." },
    { "dig", fn_dig, "a." },
    { "get", fn_get, "ms" },
    { "hasKey", fn_has_key, "ms" },
    { "keys", fn_keys, "m." },
    { "merge", fn_merge, "mm." },
    { "mergeOverwrite", fn_merge_overwrite, "mm." },
    { "mustDeepCopy", fn_deep_copy, "a" },
    { "mustMerge", fn_merge, "mm." },
    { "mustMergeOverwrite", fn_merge_overwrite, "mm." },
    { "omit", fn_omit, "ms." },
    { "pick", fn_pick, "ms." },
    { "pluck", fn_pluck, "sm." },
    { "set", fn_set, "msa" },
    { "unset", fn_unset, "ms" },
    { "values", fn_values, "m" },
};
const size_t gotpl_sprig_dict_nfuncs = ARRAY_SIZE(gotpl_sprig_dict_funcs);
