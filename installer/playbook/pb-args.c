/*
 * pb-args.c - a task's module and arguments, exactly as Ansible's ModArgsParser finds them:
 * one non-keyword key is the module; its value is a dict, a free-form "k=v" string (split like
 * parse_kv/split_args, quotes and jinja2 blocks kept together), or nothing; `args:` is merged
 * under it; `action:`/`local_action:` carry "module k=v" strings or dicts with a `module` key.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "python/py-escape.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "playbook/pb.h"
#include "template/tpl.h"
#include "value/val.h"

static const char *const raw_actions[] = { "command", "raw", "script", "shell", NULL };
static const char *const raw_param_actions[] = {
    "add_host", "command", "group_by", "import_role", "import_tasks", "include",
    "include_role", "include_tasks", "include_vars", "meta", "raw", "script", "set_fact", "shell",
    NULL,
};
static const char *const raw_keep_keys[] = {
    "creates", "removes", "chdir", "executable", "warn", "stdin", "stdin_add_newline",
    "strip_empty_ends", NULL,
};

static bool in_list(const char *const *list, const char *s)
{
    for (; *list; list++) {
        if (strcmp(*list, s) == 0) {
            return true;
        }
    }
    return false;
}

const char *pb_action_short(const char *action)
{
    return tpl_fqcn_short(action);
}

bool pb_action_is_raw(const char *action)
{
    return in_list(raw_actions, pb_action_short(action));
}

static char quote_state(const char *token, char quote)
{
    for (size_t i = 0; token[i]; i++) {
        char c = token[i];

        if ((c == '"' || c == '\'') && (i == 0 || token[i - 1] != '\\')) {
            if (!quote) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            }
        }
    }
    return quote;
}

static size_t count_str(const char *s, const char *needle)
{
    size_t n = 0;
    size_t len = strlen(needle);

    for (const char *p = strstr(s, needle); p; p = strstr(p + len, needle)) {
        n++;
    }
    return n;
}

static int jinja_depth(const char *token, int depth, const char *open, const char *close)
{
    size_t n_open = count_str(token, open);
    size_t n_close = count_str(token, close);

    if (n_open != n_close) {
        depth += (int)n_open - (int)n_close;
        if (depth < 0) {
            depth = 0;
        }
    }
    return depth;
}

struct split_state {
    char quote;
    int print_depth;
    int block_depth;
    int comment_depth;
};

static void last_append(struct svec *out, const char *a, const char *b)
{
    char *joined = xasprintf("%s%s%s", out->items[out->len - 1], a, b);

    free(out->items[out->len - 1]);
    out->items[out->len - 1] = joined;
}

static bool depth_changed(int *depth, const char *token, const char *open, const char *close)
{
    int before = *depth;

    *depth = jinja_depth(token, *depth, open, close);
    return *depth != before;
}

static void split_token(struct split_state *st, struct svec *out, const char *token, size_t idx,
                        size_t ntokens)
{
    bool was_inside = st->quote != 0;
    bool inside;
    bool appended = false;
    bool in_jinja = st->print_depth || st->block_depth || st->comment_depth;

    st->quote = quote_state(token, st->quote);
    inside = st->quote != 0;
    if (inside && !was_inside && !in_jinja) {
        svec_push(out, token);
        appended = true;
    } else if ((in_jinja || inside || was_inside) && out->len > 0) {
        if (idx == 0 && was_inside) {
            last_append(out, "", token);
        } else if (ntokens > 1) {
            last_append(out, idx > 0 ? " " : "", token);
        } else {
            last_append(out, "\n", token);
        }
        appended = true;
    }
    if (depth_changed(&st->print_depth, token, "{{", "}}") && !appended) {
        svec_push(out, token);
        appended = true;
    }
    if (depth_changed(&st->block_depth, token, "{%", "%}") && !appended) {
        svec_push(out, token);
        appended = true;
    }
    if (depth_changed(&st->comment_depth, token, "{#", "#}") && !appended) {
        svec_push(out, token);
        appended = true;
    }
    if (!(st->print_depth || st->block_depth || st->comment_depth) && !st->quote && !appended &&
        token[0]) {
        svec_push(out, token);
    }
}

static void split_line(struct split_state *st, struct svec *out, const char *line,
                       bool *continuation)
{
    struct svec tokens = SVEC_INIT;

    svec_split(&tokens, line, ' ');
    *continuation = false;
    for (size_t i = 0; i < tokens.len; i++) {
        const char *token = tokens.items[i];

        if (!token[0] && i != 0) {
            if (out->len > 0) {
                last_append(out, " ", "");
            }
            continue;
        }
        if (strcmp(token, "\\") == 0 && !st->quote) {
            *continuation = true;
            continue;
        }
        split_token(st, out, token, i, tokens.len);
    }
    svec_release(&tokens);
}

int pb_split_args(const char *s, struct svec *out, const struct srcpos *pos, struct err *err)
{
    struct split_state st = { 0 };
    struct svec lines = SVEC_INIT;

    svec_split(&lines, s, '\n');
    for (size_t i = 0; i < lines.len; i++) {
        bool continuation;

        split_line(&st, out, lines.items[i], &continuation);
        if (lines.len > 1 && i != lines.len - 1 && !continuation && out->len > 0) {
            last_append(out, "\n", "");
        }
    }
    svec_release(&lines);
    if (st.quote || st.print_depth || st.block_depth || st.comment_depth) {
        return err_at(err, ERR_PARSE, pos,
                      "failed at splitting arguments, either an unbalanced jinja2 block or "
                      "quotes: '%s'", s);
    }
    return 0;
}

/*
 * Ansible's _decode_escapes: Python unicode-escape sequences in a k=v token. Its pattern has no
 * line continuation; what does not decode stays as written.
 */
static char *decode_escapes(const char *s)
{
    struct buf out = BUF_INIT;
    const char *p = s;

    while (*p) {
        if (*p == '\\') {
            p += pyesc_decode(p, SIZE_MAX, PYESC_CONTROL, &out);
        } else {
            buf_addc(&out, *p++);
        }
    }
    return buf_detach(&out, NULL);
}

static char *unquote(const char *s)
{
    size_t len = strlen(s);

    if (len > 1 && s[0] == s[len - 1] && (s[0] == '"' || s[0] == '\'') && s[len - 2] != '\\') {
        return xstrndup(s + 1, len - 2);
    }
    return xstrdup(s);
}

/* Index of the first '=' after position 0 not preceded by a backslash, or -1. */
static long find_equals(const char *x)
{
    for (size_t i = 1; x[i]; i++) {
        if (x[i] == '=' && x[i - 1] != '\\') {
            return (long)i;
        }
    }
    return -1;
}

static void join_raw(struct buf *raw, const char *p)
{
    if (raw->len > 0 && raw->ptr[raw->len - 1] != '\n') {
        buf_addc(raw, ' ');
    }
    buf_adds(raw, p);
}

static void kv_token(struct val *options, struct buf *raw, const char *orig, bool check_raw)
{
    char *x = decode_escapes(orig);
    long eq = strchr(x, '=') ? find_equals(x) : -2;

    if (eq == -2) {
        join_raw(raw, orig);
    } else if (eq == -1) {
        char *plain = str_replace_all(x, "\\=", "=");

        join_raw(raw, plain);
        free(plain);
    } else {
        char *key = xstrndup(x, (size_t)eq);

        if (check_raw && !in_list(raw_keep_keys, key)) {
            join_raw(raw, orig);
        } else {
            char *k = str_trim(key);
            char *v = str_trim(x + eq + 1);

            char *value = unquote(v);

            val_dict_set_take(options, k, val_str(value));
            free(value);
            free(k);
            free(v);
        }
        free(key);
    }
    free(x);
}

struct val *pb_parse_kv(const char *s, bool check_raw, const struct srcpos *pos, struct err *err)
{
    struct svec tokens = SVEC_INIT;
    struct buf raw = BUF_INIT;
    struct val *options = NULL;

    if (pb_split_args(s, &tokens, pos, err) < 0) {
        svec_release(&tokens);
        return NULL;
    }
    options = val_dict();
    for (size_t i = 0; i < tokens.len; i++) {
        kv_token(options, &raw, tokens.items[i], check_raw);
    }
    if (raw.len > 0) {
        val_dict_set_take(options, "_raw_params", val_strn(raw.ptr, raw.len));
    }
    /* errors in a value (an undefined variable) point at the string the pairs came from */
    for (size_t i = 0; pos && i < val_dict_len(options); i++) {
        val_dict_value_at(options, i)->pos = *pos;
    }
    buf_release(&raw);
    svec_release(&tokens);
    return options;
}

/* "copy src=a dest=b" -> action "copy" (arena), args parsed from the rest. */
static struct val *split_module_string(const char *s, struct arena *a, const char **action,
                                       const struct srcpos *pos, struct err *err)
{
    const char *p = s + strspn(s, " \t\n");
    size_t n = strcspn(p, " \t\n");
    const char *rest = p + n + strspn(p + n, " \t\n");

    *action = arena_strndup(a, p, n);
    return pb_parse_kv(rest, pb_action_is_raw(*action), pos, err);
}

static struct val *new_style_args(struct val *thing, const char *action, const struct srcpos *pos,
                                  struct err *err)
{
    if (!thing || thing->type == VAL_NULL) {
        return val_dict();
    }
    if (thing->type == VAL_DICT) {
        return val_copy(thing);
    }
    if (thing->type == VAL_STR) {
        return pb_parse_kv(val_cstr(thing), pb_action_is_raw(action), pos, err);
    }
    err_at(err, ERR_PARSE, pos, "unexpected parameter type in action '%s': %s", action,
           val_type_name(thing->type));
    return NULL;
}

static struct val *old_style_args(struct val *thing, struct arena *a, const char **action,
                                  const struct srcpos *pos, struct err *err)
{
    struct val *args = NULL;
    struct val *parsed = NULL;

    if (thing->type == VAL_STR) {
        return split_module_string(val_cstr(thing), a, action, pos, err);
    }
    if (thing->type != VAL_DICT || !val_dict_get_str(thing, "module")) {
        err_at(err, ERR_PARSE, pos, "no module/action detected in task");
        return NULL;
    }
    parsed = split_module_string(val_dict_get_str(thing, "module"), a, action, pos, err);
    if (!parsed) {
        return NULL;
    }
    args = val_copy(thing);
    val_dict_del(args, "module");
    for (size_t i = 0; i < val_dict_len(parsed); i++) {
        val_dict_set(args, val_dict_key_at(parsed, i), val_dict_value_at(parsed, i));
    }
    val_unref(parsed);
    return args;
}

/* final = args: keyword, then the module's own arguments over it. */
static struct val *merge_args(struct val *extra, struct val *args, const char *action,
                              const struct srcpos *pos, struct err *err)
{
    struct val *final = NULL;

    if (extra && extra->type != VAL_DICT) {
        val_unref(args);
        err_at(err, ERR_PARSE, &extra->pos,
               "complex args must be a dictionary or variable string (\"{{var}}\")");
        return NULL;
    }
    final = extra ? val_copy(extra) : val_dict();
    for (size_t i = 0; i < val_dict_len(args); i++) {
        val_dict_set(final, val_dict_key_at(args, i), val_dict_value_at(args, i));
    }
    val_unref(args);
    if (val_dict_get_str(final, "_raw_params") && *val_dict_get_str(final, "_raw_params") &&
        !in_list(raw_param_actions, pb_action_short(action))) {
        err_at(err, ERR_PARSE, pos,
               "this task '%s' has extra params, which is only allowed in the following modules: "
               "%s", action, "command, shell, script, raw, include_tasks, import_tasks, "
               "include_role, import_role, include_vars, set_fact, add_host, group_by, meta");
        val_unref(final);
        return NULL;
    }
    return final;
}

static bool is_action_candidate(const char *key)
{
    if (strcmp(key, "action") == 0 || strcmp(key, "local_action") == 0) {
        return false;
    }
    return !pb_keyword_find(key) && !str_starts_with(key, "with_");
}

int pb_task_action(struct val *ds, struct arena *a, const char **action, struct val **args,
                   struct srcpos *action_pos, bool *delegate_local, struct err *err)
{
    struct val *extra = val_dict_get(ds, "args");
    struct val *raw = NULL;
    const char *found = NULL;

    *action = NULL;
    *args = NULL;
    *delegate_local = false;
    for (size_t i = 0; i < val_dict_len(ds); i++) {
        const char *key = val_dict_key_at(ds, i);
        bool old_style = strcmp(key, "action") == 0 || strcmp(key, "local_action") == 0;
        struct val *thing = val_dict_value_at(ds, i);

        if (!old_style && !is_action_candidate(key)) {
            continue;
        }
        if (found) {
            val_unref(*args);
            *args = NULL;
            return err_at(err, ERR_PARSE, &thing->pos,
                          "conflicting action statements: %s, %s", found, key);
        }
        found = key;
        *action_pos = thing->pos.line ? thing->pos : ds->pos;
        if (old_style) {
            *delegate_local = key[0] == 'l';
            raw = old_style_args(thing, a, action, action_pos, err);
        } else {
            *action = key;
            raw = new_style_args(thing, key, action_pos, err);
        }
        if (!raw) {
            return -1;
        }
        found = *action;
        *args = merge_args(extra, raw, *action, action_pos, err);
        if (!*args) {
            return -1;
        }
    }
    if (!found) {
        return err_at(err, ERR_PARSE, &ds->pos, "no module/action detected in task");
    }
    return 0;
}
