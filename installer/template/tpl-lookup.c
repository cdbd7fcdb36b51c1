/*
 * tpl-lookup.c - the lookup plugins of ansible-core 2.14 that pot has, one home for both
 * lookup()/query() in templates (tpl-global.c) and a task's with_<lookup> loop (exec-task.c):
 * items, list, dict, indexed_items, flattened, together, nested, subelements, sequence,
 * random_choice, fileglob, first_found, lines, file, template, env. Each takes its terms as a
 * list and returns the list Ansible's plugin returns; an unknown plugin is an error naming it.
 * Files are searched as Ansible's find_file_in_search_path does: the task's directory (its role's
 * directory for a role's tasks/), then the playbook's, each with the plugin's subdirectory
 * ('files', or 'templates'/'vars' for a with_ loop on template/include_vars) first.
 */
#include "pot.h"
#include <glob.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include "base/buf.h"
#include "base/fs.h"
#include "base/proc.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "template/tpl-eval.h"

struct lookup_call {
    const char *plugin;
    struct val *terms;          /* borrowed list */
    const struct val *kw;       /* borrowed dict or NULL */
    const struct tpl_scope *scope;
    const char *subdir;
    struct err *err;
};

typedef struct val *lookup_fn(struct lookup_call *l);

static const struct val *kw_get(const struct lookup_call *l, const char *name)
{
    return l->kw ? val_dict_get(l->kw, name) : NULL;
}

/* --- search path --- */

static char *scope_str(const struct tpl_scope *s, const char *name)
{
    struct err e = ERR_INIT;
    struct val *v = s && s->lookup ? s->lookup(s->ctx, name, &e) : NULL;
    char *out = v && val_cstr(v) ? xstrdup(val_cstr(v)) : NULL;

    val_unref(v);
    return out;
}

/* The directories Ansible searches, in order: a role's tasks/ directory stands for its role. */
static void search_dirs(const struct lookup_call *l, struct svec *dirs)
{
    const char *dir = l->scope && l->scope->search_dir ? l->scope->search_dir : ".";
    char *pb = scope_str(l->scope, "playbook_dir");
    size_t n = strlen(dir);

    if (n >= 6 && strcmp(dir + n - 6, "/tasks") == 0) {
        char *role = fs_dirname(dir);

        svec_push(dirs, role);
        free(role);
    }
    svec_push(dirs, dir);
    if (pb && !svec_contains(dirs, pb)) {
        svec_push(dirs, pb);
    }
    free(pb);
}

/* The path of 'name' on the search path, or NULL when no such file exists. */
static char *find_file(const struct lookup_call *l, const char *subdir, const char *name)
{
    struct svec dirs = SVEC_INIT;
    char *found = NULL;

    if (name[0] == '/') {
        return fs_exists(name) ? xstrdup(name) : NULL;
    }
    search_dirs(l, &dirs);
    for (size_t i = 0; !found && i < dirs.len; i++) {
        char *sub = fs_join(dirs.items[i], subdir);
        char *a = fs_join(sub, name), *b = fs_join(dirs.items[i], name);

        found = fs_exists(a) ? xstrdup(a) : fs_exists(b) ? xstrdup(b) : NULL;
        free(sub);
        free(a);
        free(b);
    }
    svec_release(&dirs);
    return found;
}

/* --- list shapes --- */

/* LookupBase._flatten: one level of lists spliced in. */
static void flatten_once(struct val *list, struct val *out)
{
    for (size_t i = 0; i < val_list_len(list); i++) {
        struct val *it = val_list_get(list, i);

        if (it->type == VAL_LIST) {
            for (size_t j = 0; j < val_list_len(it); j++) {
                val_list_push(out, val_list_get(it, j));
            }
        } else {
            val_list_push(out, it);
        }
    }
}

static struct val *lk_items(struct lookup_call *l)
{
    struct val *out = val_list();

    flatten_once(l->terms, out);
    return out;
}

static struct val *lk_list(struct lookup_call *l)
{
    return val_ref(l->terms);
}

static struct val *lk_dict(struct lookup_call *l)
{
    struct val *out = val_list();

    for (size_t i = 0; i < val_list_len(l->terms); i++) {
        struct val *d = val_list_get(l->terms, i);

        if (d->type != VAL_DICT) {
            val_unref(out);
            err_set(l->err, ERR_TEMPLATE, "with_dict expects a dict");
            return NULL;
        }
        for (size_t k = 0; k < val_dict_len(d); k++) {
            struct val *kv = val_dict();

            val_dict_set_take(kv, "key", val_str(val_dict_key_at(d, k)));
            val_dict_set(kv, "value", val_dict_value_at(d, k));
            val_list_push_take(out, kv);
        }
    }
    return out;
}

static struct val *pair(struct val *a, struct val *b)
{
    struct val *p = val_list();

    val_list_push_take(p, a);
    val_list_push(p, b);
    return p;
}

static struct val *lk_indexed_items(struct lookup_call *l)
{
    struct val *flat = lk_items(l), *out = val_list();

    for (size_t i = 0; i < val_list_len(flat); i++) {
        val_list_push_take(out, pair(val_int((int64_t)i), val_list_get(flat, i)));
    }
    val_unref(flat);
    return out;
}

/* flattened: every level, a term "None" or "null" ends the list (Ansible's undefined marker). */
static bool flatten_all(struct val *list, struct val *out)
{
    for (size_t i = 0; i < val_list_len(list); i++) {
        struct val *it = val_list_get(list, i);
        const char *s = val_cstr(it);

        if (s && (strcmp(s, "None") == 0 || strcmp(s, "null") == 0)) {
            return false;
        }
        if (it->type == VAL_LIST) {
            if (!flatten_all(it, out)) {
                return false;
            }
        } else {
            val_list_push(out, it);
        }
    }
    return true;
}

static struct val *lk_flattened(struct lookup_call *l)
{
    struct val *out = val_list();

    flatten_all(l->terms, out);
    return out;
}

/* A term as a list: listify_lookup_plugin_terms makes a string (or scalar) a list of one. */
static struct val *term_list(struct val *t)
{
    struct val *l;

    if (t->type == VAL_LIST) {
        return val_ref(t);
    }
    l = val_list();
    if (t->type == VAL_DICT) {
        for (size_t i = 0; i < val_dict_len(t); i++) {
            val_list_push_take(l, val_str(val_dict_key_at(t, i)));
        }
    } else {
        val_list_push(l, t);
    }
    return l;
}

static struct val *lk_together(struct lookup_call *l)
{
    size_t n = val_list_len(l->terms), longest = 0;
    struct val *out;

    if (n == 0) {
        err_set(l->err, ERR_TEMPLATE, "with_together requires at least one element in each list");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        struct val *t = term_list(val_list_get(l->terms, i));

        longest = val_list_len(t) > longest ? val_list_len(t) : longest;
        val_unref(t);
    }
    out = val_list();
    for (size_t k = 0; k < longest; k++) {
        struct val *row = val_list(), *flat = val_list();

        for (size_t i = 0; i < n; i++) {
            struct val *t = term_list(val_list_get(l->terms, i));

            val_list_push_take(row, k < val_list_len(t) ? val_ref(val_list_get(t, k)) :
                                                          val_null());
            val_unref(t);
        }
        flatten_once(row, flat);
        val_unref(row);
        val_list_push_take(out, flat);
    }
    return out;
}

/* nested: the first list is the outer loop; one list alone gives each item as a list (a
 * string's characters, as Python iterates it). */
static struct val *as_row(struct val *x, struct err *err)
{
    struct val *row = val_list();

    if (x->type == VAL_LIST) {
        flatten_once(x, row);
    } else if (val_cstr(x)) {
        for (size_t i = 0; i < x->u.s.len; i++) {
            val_list_push_take(row, val_str_take(xstrndup(x->u.s.ptr + i, 1), 1));
        }
    } else {
        val_unref(row);
        err_set(err, ERR_TEMPLATE, "'%s' object is not iterable", val_type_name(x->type));
        return NULL;
    }
    return row;
}

static struct val *lk_nested(struct lookup_call *l)
{
    size_t n = val_list_len(l->terms);
    struct val *acc, *out;

    if (n == 0) {
        err_set(l->err, ERR_TEMPLATE, "with_nested requires at least one element in the nested "
                                      "list");
        return NULL;
    }
    acc = term_list(val_list_get(l->terms, 0));
    for (size_t i = 1; i < n; i++) {
        struct val *b = term_list(val_list_get(l->terms, i)), *next = val_list();

        for (size_t x = 0; x < val_list_len(acc); x++) {
            for (size_t y = 0; y < val_list_len(b); y++) {
                struct val *two = pair(val_ref(val_list_get(acc, x)), val_list_get(b, y));
                struct val *flat = val_list();

                flatten_once(two, flat);
                val_unref(two);
                val_list_push_take(next, flat);
            }
        }
        val_unref(b);
        val_unref(acc);
        acc = next;
    }
    out = val_list();
    for (size_t i = 0; i < val_list_len(acc); i++) {
        struct val *row = as_row(val_list_get(acc, i), l->err);

        if (!row) {
            val_unref(out);
            out = NULL;
            break;
        }
        val_list_push_take(out, row);
    }
    val_unref(acc);
    return out;
}

/* --- subelements --- */

static int subelements_of(struct lookup_call *l, struct val *item0, struct svec *keys,
                          bool skip_missing, struct val *out)
{
    struct val *copy = val_deep_copy(item0), *sub = copy, *list = NULL;

    for (size_t k = 0; k < keys->len; k++) {
        struct val *v = val_dict_get(sub, keys->items[k]);
        bool last = k + 1 == keys->len;

        if (!v) {
            if (skip_missing) {
                continue;
            }
            val_unref(copy);
            return err_set(l->err, ERR_TEMPLATE, "could not find '%s' key in iterated item",
                           keys->items[k]);
        }
        if (!last && v->type != VAL_DICT) {
            if (skip_missing) {
                continue;
            }
            val_unref(copy);
            return err_set(l->err, ERR_TEMPLATE, "the key %s should point to a dictionary",
                           keys->items[k]);
        }
        if (!last) {
            sub = v;
            continue;
        }
        if (v->type != VAL_LIST) {
            val_unref(copy);
            return err_set(l->err, ERR_TEMPLATE, "the key %s should point to a list",
                           keys->items[k]);
        }
        list = val_ref(v);
        val_dict_del(sub, keys->items[k]); /* Ansible pops the subkey from the item */
    }
    for (size_t i = 0; list && i < val_list_len(list); i++) {
        val_list_push_take(out, pair(val_ref(copy), val_list_get(list, i)));
    }
    val_unref(list);
    val_unref(copy);
    return 0;
}

static struct val *lk_subelements(struct lookup_call *l)
{
    size_t n = val_list_len(l->terms);
    struct val *src = n ? val_list_get(l->terms, 0) : NULL, *out, *flags = NULL;
    struct svec keys = SVEC_INIT;
    bool skip_missing = false;

    if (n < 2 || n > 3 || (src->type != VAL_LIST && src->type != VAL_DICT) ||
        !val_cstr(val_list_get(l->terms, 1))) {
        err_set(l->err, ERR_TEMPLATE, "subelements lookup expects a list of two or three items, "
                                      "first a dict or a list, second a string pointing to the "
                                      "subkey");
        return NULL;
    }
    flags = n == 3 ? val_list_get(l->terms, 2) : NULL;
    if (flags && flags->type == VAL_DICT && val_dict_get(flags, "skip_missing")) {
        skip_missing = val_truthy(val_dict_get(flags, "skip_missing"));
    }
    if (src->type == VAL_DICT && val_dict_get(src, "skipped") &&
        val_truthy(val_dict_get(src, "skipped"))) {
        return val_list();
    }
    svec_split(&keys, val_cstr(val_list_get(l->terms, 1)), '.');
    out = val_list();
    for (size_t i = 0; i < (src->type == VAL_DICT ? val_dict_len(src) : val_list_len(src)); i++) {
        struct val *item0 = src->type == VAL_DICT ? val_dict_value_at(src, i) :
                                                    val_list_get(src, i);
        struct val *sk = item0->type == VAL_DICT ? val_dict_get(item0, "skipped") : NULL;

        if (item0->type != VAL_DICT) {
            err_set(l->err, ERR_TEMPLATE, "subelements lookup expects a dictionary, got '%s'",
                    val_cstr(item0) ? val_cstr(item0) : val_type_name(item0->type));
            goto fail;
        }
        if (sk && val_truthy(sk)) {
            continue;
        }
        if (subelements_of(l, item0, &keys, skip_missing, out) < 0) {
            goto fail;
        }
    }
    svec_release(&keys);
    return out;
fail:
    svec_release(&keys);
    val_unref(out);
    return NULL;
}

/* --- sequence --- */

struct seq {
    int64_t start, end, stride, count;
    bool has_end, has_count;
    char format[64];
};

/* Python's int(s, 0): decimal, 0x, 0o or 0b. */
static bool seq_int(const char *s, int64_t *out)
{
    char *end;
    int base = 10;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
    } else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
        base = 8;
    } else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
        base = 2;
    }
    *out = strtoll(base == 10 ? s : s + 2, &end, base);
    return *s && end != s && *end == 0 && (base == 10 || s[2]);
}

static int seq_set(struct lookup_call *l, const char *name, const char *text, int64_t *dst)
{
    if (!seq_int(text, dst)) {
        return err_set(l->err, ERR_TEMPLATE, "can't parse %s=%s as integer", name, text);
    }
    return 0;
}

/* The shortcut form [start-]end[/stride][:format]: 1 parsed, 0 not this form, -1 error. */
static int seq_shortcut(struct lookup_call *l, const char *term, struct seq *q)
{
    const char *colon = strchr(term, ':');
    size_t len = colon ? (size_t)(colon - term) : strlen(term);
    char *nums = xstrndup(term, len), *slash = strchr(nums, '/'), *dash = strchr(nums, '-');
    int ret = 1;

    if (len == 0 || strspn(nums, "0123456789abcdefABCDEFxX-/") != len ||
        (colon && !colon[1])) {
        free(nums);
        return 0;
    }
    if (slash) {
        *slash = 0;
        ret = seq_set(l, "stride", slash + 1, &q->stride) < 0 ? -1 : ret;
    }
    if (dash && (!slash || dash < slash)) {
        *dash = 0;
        ret = ret < 0 || seq_set(l, "start", nums, &q->start) < 0 ? -1 : ret;
    }
    q->has_end = true;
    ret = ret < 0 || seq_set(l, "end", dash && (!slash || dash < slash) ? dash + 1 : nums,
                             &q->end) < 0 ? -1 : ret;
    if (colon) {
        snprintf(q->format, sizeof(q->format), "%s", colon + 1);
    }
    free(nums);
    return ret;
}

static int seq_kv(struct lookup_call *l, const char *term, struct seq *q)
{
    struct svec words = SVEC_INIT;
    int ret = 0;

    svec_split(&words, term, ' ');
    for (size_t i = 0; ret == 0 && i < words.len; i++) {
        char *w = words.items[i], *eq = strchr(w, '=');

        if (!*w) {
            continue;
        }
        if (!eq) {
            ret = err_set(l->err, ERR_TEMPLATE, "unrecognized arguments to with_sequence: "
                                                "['_raw_params']");
            break;
        }
        *eq = 0;
        if (strcmp(w, "start") == 0 || strcmp(w, "stride") == 0) {
            ret = seq_set(l, w, eq + 1, w[2] == 'a' ? &q->start : &q->stride);
        } else if (strcmp(w, "end") == 0) {
            q->has_end = true;
            ret = seq_set(l, w, eq + 1, &q->end);
        } else if (strcmp(w, "count") == 0) {
            q->has_count = true;
            ret = seq_set(l, w, eq + 1, &q->count);
        } else if (strcmp(w, "format") == 0) {
            snprintf(q->format, sizeof(q->format), "%s", eq + 1);
        } else {
            ret = err_set(l->err, ERR_TEMPLATE, "unrecognized arguments to with_sequence: "
                                                "['%s']", w);
        }
    }
    svec_release(&words);
    return ret;
}

/* The format with its one conversion rewritten for an int64_t, or false when Python's '%' would
 * not take an int there (only flags, width, precision and d i o u x X s are allowed). */
static bool seq_c_format(const char *fmt, char *out, size_t size)
{
    const char *p = strchr(fmt, '%');
    struct buf b = BUF_INIT;
    size_t spec;
    bool ok;

    spec = strspn(p + 1, "-+ #0123456789.");
    ok = strchr("diouxXs", p[1 + spec]) && p[1 + spec];
    if (ok) {
        buf_add(&b, fmt, (size_t)(p - fmt) + 1 + spec);
        buf_addf(&b, "%s", p[1 + spec] == 's' || p[1 + spec] == 'i' || p[1 + spec] == 'u' ?
                               PRId64 : p[1 + spec] == 'o' ? PRIo64 :
                               p[1 + spec] == 'x' ? PRIx64 : p[1 + spec] == 'X' ? PRIX64 : PRId64);
        buf_addf(&b, "%s", p + 2 + spec);
        ok = b.len < size && strchr(b.ptr, '%') == strrchr(b.ptr, '%');
        snprintf(out, size, "%s", ok ? b.ptr : "");
    }
    buf_release(&b);
    return ok;
}

static int seq_generate(struct lookup_call *l, struct seq *q, struct val *out)
{
    char cfmt[128];
    const char *pct = strchr(q->format, '%');

    if (!q->has_count && !q->has_end) {
        return err_set(l->err, ERR_TEMPLATE, "must specify count or end in with_sequence");
    }
    if (q->has_count && q->has_end) {
        return err_set(l->err, ERR_TEMPLATE, "can't specify both count and end in with_sequence");
    }
    if (q->has_count) {
        q->end = q->count ? q->start + q->count * q->stride - 1 : 0;
        q->start = q->count ? q->start : 0;
        q->stride = q->count ? q->stride : 0;
    }
    if (q->stride > 0 && q->end < q->start) {
        return err_set(l->err, ERR_TEMPLATE, "to count backwards make stride negative");
    }
    if (q->stride < 0 && q->end > q->start) {
        return err_set(l->err, ERR_TEMPLATE, "to count forward don't make stride negative");
    }
    if (!pct || strchr(pct + 1, '%')) {
        return err_set(l->err, ERR_TEMPLATE, "bad formatting string: %s", q->format);
    }
    if (!seq_c_format(q->format, cfmt, sizeof(cfmt))) {
        return err_set(l->err, ERR_TEMPLATE, "problem formatting with '%s'", q->format);
    }
    if (q->stride != 0 && (q->end - q->start) / q->stride > 1000000) {
        return err_set(l->err, ERR_TEMPLATE, "with_sequence would produce more than 1000000 "
                                             "items");
    }
    for (int64_t i = q->start; q->stride != 0 && (q->stride > 0 ? i <= q->end : i >= q->end);
         i += q->stride) {
        char num[256];

        snprintf(num, sizeof(num), cfmt, i);
        val_list_push_take(out, val_str(num));
    }
    return 0;
}

static struct val *lk_sequence(struct lookup_call *l)
{
    struct val *out = val_list();

    for (size_t i = 0; i < val_list_len(l->terms); i++) {
        const char *term = val_cstr(val_list_get(l->terms, i));
        struct seq q = { .start = 1, .stride = 1, .format = "%d" };
        int r = term ? seq_shortcut(l, term, &q) : 0;

        if (r == 0) {
            r = term ? seq_kv(l, term, &q) : err_set(l->err, ERR_TEMPLATE, "with_sequence "
                                                                           "terms must be "
                                                                           "strings");
        }
        if (r < 0 || seq_generate(l, &q, out) < 0) {
            val_unref(out);
            return NULL;
        }
    }
    return out;
}

static struct val *lk_random_choice(struct lookup_call *l)
{
    size_t n = val_list_len(l->terms);
    uint32_t r = 0;
    struct val *out = val_list();

    if (n == 0) {
        return out;
    }
    if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
        r = 0; /* no entropy: the first term is as good a choice */
    }
    val_list_push(out, val_list_get(l->terms, r % n));
    return out;
}

/* --- files --- */

static struct val *lk_fileglob(struct lookup_call *l)
{
    struct val *out = val_list();

    for (size_t i = 0; i < val_list_len(l->terms); i++) {
        const char *term = val_cstr(val_list_get(l->terms, i));
        const char *base = term ? fs_basename(term) : NULL;
        char *dir = NULL, *pattern;
        glob_t g = { 0 };

        if (!term) {
            continue;
        }
        if (base != term) {
            char *d = fs_dirname(term);

            dir = find_file(l, "files", d);
            free(d);
        } else {
            struct svec dirs = SVEC_INIT;

            search_dirs(l, &dirs); /* the first directory holding a files/ subdirectory */
            for (size_t k = 0; !dir && k < dirs.len; k++) {
                char *f = fs_join(dirs.items[k], "files");

                dir = fs_is_dir(f) ? f : NULL;
                if (!dir) {
                    free(f);
                }
            }
            dir = dir ? dir : xstrdup(dirs.len ? dirs.items[0] : ".");
            svec_release(&dirs);
        }
        if (!dir) {
            continue;
        }
        pattern = fs_join(dir, base);
        if (glob(pattern, GLOB_NOSORT, NULL, &g) == 0) {
            for (size_t k = 0; k < g.gl_pathc; k++) {
                if (fs_exists(g.gl_pathv[k]) && !fs_is_dir(g.gl_pathv[k])) {
                    val_list_push_take(out, val_str(g.gl_pathv[k]));
                }
            }
        }
        globfree(&g);
        free(pattern);
        free(dir);
    }
    return out;
}

/* first_found: strings, lists of them, or dicts of files/paths/skip; 'files' and 'paths' given
 * as one string split on ',' and ';' (paths on ':' too). */
static void split_into(const struct val *v, const char *seps, struct svec *out)
{
    if (val_cstr(v)) {
        const char *s = val_cstr(v);

        while (*s) {
            size_t n = strcspn(s, seps);

            if (n) {
                char *tok = xstrndup(s, n);

                svec_push(out, tok);
                free(tok);
            }
            s += n + (s[n] != 0);
        }
        return;
    }
    for (size_t i = 0; v && v->type == VAL_LIST && i < val_list_len(v); i++) {
        split_into(val_list_get((struct val *)v, i), seps, out);
    }
}

static void first_found_terms(struct val *terms, struct svec *names, bool *skip)
{
    for (size_t i = 0; i < val_list_len(terms); i++) {
        struct val *t = val_list_get(terms, i);
        struct svec files = SVEC_INIT, paths = SVEC_INIT;

        if (t->type == VAL_LIST) {
            first_found_terms(t, names, skip);
            continue;
        }
        if (t->type != VAL_DICT) {
            split_into(t, "", names);
            continue;
        }
        split_into(val_dict_get(t, "files"), ",;", &files);
        split_into(val_dict_get(t, "paths"), ",:;", &paths);
        *skip = val_dict_get(t, "skip") ? val_truthy(val_dict_get(t, "skip")) : *skip;
        for (size_t f = 0; f < files.len; f++) {
            for (size_t p = 0; p < paths.len; p++) {
                char *j = fs_join(paths.items[p], files.items[f]);

                svec_push(names, j);
                free(j);
            }
            if (!paths.len) {
                svec_push(names, files.items[f]);
            }
        }
        svec_release(&files);
        svec_release(&paths);
    }
}

static struct val *lk_first_found(struct lookup_call *l)
{
    struct svec names = SVEC_INIT;
    const struct val *skip_kw = kw_get(l, "skip");
    bool skip = skip_kw && val_truthy(skip_kw);
    struct val *out = val_list();
    char *found = NULL;

    first_found_terms(l->terms, &names, &skip);
    for (size_t i = 0; !found && i < names.len; i++) {
        found = find_file(l, l->subdir, names.items[i]);
    }
    svec_release(&names);
    if (found) {
        val_list_push_take(out, val_str_take(found, strlen(found)));
    } else if (!skip) {
        val_unref(out);
        err_set(l->err, ERR_TEMPLATE, "No file was found when using first_found.");
        return NULL;
    }
    return out;
}

static struct val *lk_lines(struct lookup_call *l)
{
    struct val *out = val_list();
    char *pb = scope_str(l->scope, "playbook_dir");

    for (size_t i = 0; i < val_list_len(l->terms); i++) {
        const char *term = val_cstr(val_list_get(l->terms, i));
        char *argv[] = { "/bin/sh", "-c", (char *)(term ? term : ""), NULL };
        struct proc_opts o = { .cwd = pb };
        struct proc_result r = { 0 };
        struct buf text = BUF_INIT;
        struct svec lines = SVEC_INIT;

        if (proc_run(argv, &o, &text, NULL, &r, l->err) < 0 || r.status != 0) {
            if (r.status != 0) {
                err_set(l->err, ERR_TEMPLATE, "lookup_plugin.lines(%s) returned %d", argv[2],
                        r.status);
            }
            buf_release(&text);
            val_unref(out);
            free(pb);
            return NULL;
        }
        svec_split_lines(&lines, text.ptr ? text.ptr : "");
        for (size_t k = 0; k < lines.len; k++) {
            val_list_push_take(out, val_str(lines.items[k]));
        }
        svec_release(&lines);
        buf_release(&text);
    }
    free(pb);
    return out;
}

/* One term of file or template: the file's text (template: rendered in the caller's scope). */
static struct val *read_one(struct lookup_call *l, struct val *term, bool rstrip)
{
    struct buf text = BUF_INIT, out = BUF_INIT;
    bool tmpl = strcmp(l->plugin, "template") == 0;
    char *path = val_cstr(term) ? find_file(l, tmpl ? "templates" : "files", val_cstr(term))
                                : NULL;

    if (!val_cstr(term)) {
        err_set(l->err, ERR_TEMPLATE, "lookup('%s'): terms must be strings", l->plugin);
        return NULL;
    }
    if (!path || fs_read_file(path, &text, l->err) < 0) {
        free(path);
        buf_release(&text);
        err_set(l->err, ERR_TEMPLATE, "could not locate file in lookup: '%s'", val_cstr(term));
        return NULL;
    }
    if (tmpl) {
        struct tpl_opts o = { .name = path, .trim_blocks = true, .keep_trailing_newline = true };
        struct tpl *t = tpl_compile(text.ptr, text.len, &o, l->err);

        if (!t || tpl_render(t, l->scope, &out, l->err) < 0) {
            err_prefix(l->err, "lookup('template')");
            tpl_free(t);
            free(path);
            buf_release(&text);
            buf_release(&out);
            return NULL;
        }
        tpl_free(t);
        buf_release(&text);
    } else {
        out = text;
        while (rstrip && out.len > 0 && strchr(" \t\r\n\v\f", out.ptr[out.len - 1])) {
            out.len--;
        }
        out.ptr[out.len] = 0;
    }
    free(path);
    return tpl_str_from_buf(&out);
}

static struct val *lk_file(struct lookup_call *l)
{
    const struct val *rs = kw_get(l, "rstrip");
    struct val *out = val_list();

    for (size_t i = 0; i < val_list_len(l->terms); i++) {
        struct val *r = read_one(l, val_list_get(l->terms, i), !rs || val_truthy(rs));

        if (!r) {
            val_unref(out);
            return NULL;
        }
        val_list_push_take(out, r);
    }
    return out;
}

static struct val *lk_env(struct lookup_call *l)
{
    const struct val *def = kw_get(l, "default");
    struct val *out = val_list();

    for (size_t i = 0; i < val_list_len(l->terms); i++) {
        const char *name = val_cstr(val_list_get(l->terms, i));
        const char *e = name ? getenv(name) : NULL;

        val_list_push_take(out, e ? val_str(e) : def ? val_ref((struct val *)def) : val_str(""));
    }
    return out;
}

static const struct {
    const char *name;
    lookup_fn *fn;
} lookups[] = {
    { "dict", lk_dict },
    { "env", lk_env },
    { "file", lk_file },
    { "fileglob", lk_fileglob },
    { "first_found", lk_first_found },
    { "flattened", lk_flattened },
    { "indexed_items", lk_indexed_items },
    { "items", lk_items },
    { "lines", lk_lines },
    { "list", lk_list },
    { "nested", lk_nested },
    { "random_choice", lk_random_choice },
    { "sequence", lk_sequence },
    { "subelements", lk_subelements },
    { "template", lk_file },
    { "together", lk_together },
};

/* ansible-core 2.14's other builtin lookups: valid with_<name> keywords pot cannot run. */
static const char *const ansible_only[] = {
    "config", "csvfile", "ini", "inventory_hostnames", "password", "pipe", "unvault", "url",
    "varnames", "vars",
};

static lookup_fn *lookup_find(const char *name)
{
    name = tpl_fqcn_short(name);
    for (size_t i = 0; i < ARRAY_SIZE(lookups); i++) {
        if (strcmp(lookups[i].name, name) == 0) {
            return lookups[i].fn;
        }
    }
    return NULL;
}

bool tpl_lookup_exists(const char *name)
{
    return lookup_find(name) != NULL;
}

bool tpl_lookup_ansible(const char *name)
{
    name = tpl_fqcn_short(name);
    for (size_t i = 0; i < ARRAY_SIZE(ansible_only); i++) {
        if (strcmp(ansible_only[i], name) == 0) {
            return true;
        }
    }
    return lookup_find(name) != NULL;
}

struct val *tpl_lookup(const char *plugin, struct val *terms, const struct val *kw,
                       const char *subdir, const struct tpl_scope *scope, struct err *err)
{
    struct lookup_call l = { plugin, terms, kw, scope, subdir ? subdir : "files", err };
    lookup_fn *fn = lookup_find(plugin);

    if (!fn) {
        err_set(err, ERR_TEMPLATE, "lookup plugin '%s' not found (pot has dict, env, file, "
                                   "fileglob, first_found, flattened, indexed_items, items, "
                                   "lines, list, nested, random_choice, sequence, subelements, "
                                   "template, together)", plugin);
        return NULL;
    }
    return fn(&l);
}
