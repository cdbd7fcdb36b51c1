/*
 * inv-ini.c - read an Ansible INI inventory into a struct inventory, line by line as
 * ansible-core 2.14's ini plugin does: [group], [group:vars], [group:children] (children and
 * vars may come before the group is declared), host lines split like Python's
 * shlex.split(comments=True) (python/py-shlex.h), inline key=value vars and [g:vars] values
 * through inv_literal_eval() (Python's literal_eval, python/py-literal.h). Matching host patterns
 * is inv-pattern.c's job; this file only parses.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "inventory/inv-impl.h"
#include "inventory/inv.h"
#include "python/py-literal.h"
#include "python/py-shlex.h"
#include "value/val.h"

enum section_state {
    STATE_HOSTS,
    STATE_VARS,
    STATE_CHILDREN
};

/* A group named in [g:vars] or [p:children] before [g] declared it. */
struct pending {
    char *name; /* owned */
    enum section_state state;
    int line;
    struct svec parents; /* for STATE_CHILDREN: the groups waiting for it */
};

struct ini {
    struct inventory *inv;
    const char *file; /* interned */
    int line;
    int col;
    struct inv_group *group;
    enum section_state state;
    struct vec pending; /* owned struct pending * */
    struct err *err;
};

static int fail(struct ini *p, const char *fmt, ...) PRINTF_LIKE(2, 3);

static int fail(struct ini *p, const char *fmt, ...)
{
    struct srcpos pos = { p->file, p->line, p->col };
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return err_at(p->err, ERR_PARSE, &pos, "%s", msg);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static bool is_word(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           (unsigned char)c >= 0x80;
}

struct val *inv_literal_eval(const char *text)
{
    static const struct py_literal_opts plain = { 0 }; /* ast.literal_eval as it is */
    struct val *v = py_literal_eval(text, strlen(text), &plain);

    return v ? v : val_str(text);
}

static struct pending *find_pending(struct ini *p, const char *name)
{
    for (size_t i = 0; i < p->pending.len; i++) {
        struct pending *pd = p->pending.items[i];

        if (strcmp(pd->name, name) == 0) {
            return pd;
        }
    }
    return NULL;
}

static void drop_pending(struct ini *p, struct pending *pd)
{
    for (size_t i = 0; i < p->pending.len; i++) {
        if (p->pending.items[i] == pd) {
            memmove(&p->pending.items[i], &p->pending.items[i + 1],
                    (p->pending.len - i - 1) * sizeof(void *));
            p->pending.len--;
            break;
        }
    }
    free(pd->name);
    svec_release(&pd->parents);
    free(pd);
}

static struct pending *add_pending(struct ini *p, const char *name, enum section_state state)
{
    struct pending *pd = xcalloc(1, sizeof(*pd));

    pd->name = xstrdup(name);
    pd->state = state;
    pd->line = p->line;
    vec_push(&p->pending, pd);
    return pd;
}

/* _add_pending_children: the waiting parents get their child, recursively up the chain. */
static int resolve_children(struct ini *p, struct pending *pd)
{
    struct inv_group *child = inv_find_group(p->inv, pd->name);
    struct srcpos pos = { p->file, p->line, p->col };

    for (size_t i = 0; i < pd->parents.len; i++) {
        struct inv_group *parent = inv_find_group(p->inv, pd->parents.items[i]);
        struct pending *up = find_pending(p, pd->parents.items[i]);

        if (inv_add_child(p->inv, parent, child, &pos, p->err) < 0) {
            return -1;
        }
        if (up && up != pd && up->state == STATE_CHILDREN && resolve_children(p, up) < 0) {
            return -1;
        }
    }
    drop_pending(p, pd);
    return 0;
}

/* Matches ^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$; fills name and tag (tag may be empty). */
static bool match_section(const char *line, struct buf *name, struct buf *tag)
{
    const char *s = line + 1;

    if (line[0] != '[') {
        return false;
    }
    while (*s && *s != ':' && *s != ']' && !is_space(*s)) {
        buf_addc(name, *s++);
    }
    if (name->len == 0) {
        return false;
    }
    if (*s == ':') {
        s++;
        while (is_word(*s)) {
            buf_addc(tag, *s++);
        }
        if (tag->len == 0) {
            return false;
        }
    }
    if (*s++ != ']') {
        return false;
    }
    while (is_space(*s)) {
        s++;
    }
    return *s == '\0' || *s == '#';
}

static int enter_section(struct ini *p, const char *name, const char *tag)
{
    struct pending *pd;

    if (!*tag || strcmp(tag, "hosts") == 0) {
        p->state = STATE_HOSTS;
    } else if (strcmp(tag, "vars") == 0) {
        p->state = STATE_VARS;
    } else if (strcmp(tag, "children") == 0) {
        p->state = STATE_CHILDREN;
    } else {
        return fail(p, "unknown section type '%s' in [%s:%s]", tag, name, tag);
    }
    if (!inv_find_group(p->inv, name) && p->state == STATE_VARS && !find_pending(p, name)) {
        add_pending(p, name, STATE_VARS);
    }
    p->group = inv_add_group(p->inv, name);
    pd = find_pending(p, name);
    if (pd && p->state != STATE_VARS) {
        if (pd->state == STATE_CHILDREN) {
            return resolve_children(p, pd);
        }
        drop_pending(p, pd);
    }
    return 0;
}

/* Python str.strip(); *col is the 1-based column of the first kept character. */
static char *strip(const char *line, int *col)
{
    size_t start = 0;
    size_t end = strlen(line);

    while (is_space(line[start])) {
        start++;
    }
    while (end > start && is_space(line[end - 1])) {
        end--;
    }
    *col = (int)start + 1;
    return xstrndup(line + start, end - start);
}

static int parse_host_vars(struct ini *p, char **tokens, struct val *vars)
{
    for (size_t i = 0; tokens[i]; i++) {
        char *eq = strchr(tokens[i], '=');
        char *key;

        if (!eq) {
            return fail(p, "expected key=value host variable, got '%s'", tokens[i]);
        }
        key = xstrndup(tokens[i], (size_t)(eq - tokens[i]));
        val_dict_set_take(vars, key, inv_literal_eval(eq + 1));
        free(key);
    }
    return 0;
}

static int expand_hosts(struct ini *p, const char *pattern, struct svec *names, int *port)
{
    struct srcpos pos = { p->file, p->line, p->col };
    size_t len = strlen(pattern);

    if (inv_expand_host_pattern(pattern, names, port, &pos, p->err) < 0) {
        return -1;
    }
    if (len > 0 && pattern[len - 1] == ':' && *port == 0) {
        return fail(p, "invalid host pattern '%s': a trailing ':' must be followed by a port",
                    pattern);
    }
    for (size_t i = 0; i < names->len; i++) {
        if (strcmp(names->items[i], "---") == 0) {
            return fail(p, "invalid host pattern '---': this looks like a YAML file");
        }
        if (!names->items[i][0]) {
            return fail(p, "empty host name");
        }
    }
    return 0;
}

static int parse_host_line(struct ini *p, const char *line)
{
    struct svec tokens = SVEC_INIT;
    struct svec names = SVEC_INIT;
    struct val *vars = val_dict();
    const char *what = NULL;
    int port = 0;
    int ret = -1;

    if (py_shlex_split(line, true, &tokens, &what) < 0) {
        /* Python's message, in lower case as pot's other INI errors */
        fail(p, "cannot split host line: %c%s", (char)(what[0] - 'A' + 'a'), what + 1);
        goto out;
    }
    if (tokens.len == 0) {
        fail(p, "expected a host name");
        goto out;
    }
    if (expand_hosts(p, tokens.items[0], &names, &port) < 0 ||
        parse_host_vars(p, tokens.items + 1, vars) < 0) {
        goto out;
    }
    for (size_t i = 0; i < names.len; i++) {
        struct inv_host *host = inv_add_host(p->inv, names.items[i], p->group, port);

        for (size_t k = 0; k < val_dict_len(vars); k++) {
            inv_set_host_var(host, val_dict_key_at(vars, k), val_dict_value_at(vars, k));
        }
    }
    ret = 0;
out:
    val_unref(vars);
    svec_release(&names);
    svec_release(&tokens);
    return ret;
}

static int parse_var_line(struct ini *p, const char *line)
{
    const char *eq = strchr(line, '=');
    char *raw_key;
    char *key;
    char *value;
    struct val *v;
    int col;

    if (!eq) {
        return fail(p, "expected key=value in [%s:vars], got '%s'", p->group->name, line);
    }
    raw_key = xstrndup(line, (size_t)(eq - line));
    key = strip(raw_key, &col);
    value = strip(eq + 1, &col);
    v = inv_literal_eval(value);
    inv_set_group_var(p->group, key, v);
    val_unref(v);
    free(raw_key);
    free(key);
    free(value);
    return 0;
}

/* A [parent:children] line: ^([^:\]\s]+)\s*(?:#.*)?$ */
static int parse_child_line(struct ini *p, const char *line)
{
    size_t len = strcspn(line, ":] \t\r\n\v\f");
    const char *rest = line + len;
    struct srcpos pos = { p->file, p->line, p->col };
    struct inv_group *child;
    struct pending *pd;
    char *name;
    int ret = 0;

    while (is_space(*rest)) {
        rest++;
    }
    if (len == 0 || (*rest && *rest != '#')) {
        return fail(p, "expected a group name in [%s:children], got '%s'", p->group->name, line);
    }
    name = xstrndup(line, len);
    child = inv_find_group(p->inv, name);
    if (child) {
        ret = inv_add_child(p->inv, p->group, child, &pos, p->err);
    } else {
        pd = find_pending(p, name);
        if (!pd) {
            pd = add_pending(p, name, STATE_CHILDREN);
        }
        svec_push(&pd->parents, p->group->name);
    }
    free(name);
    return ret;
}

static int parse_line(struct ini *p, const char *line)
{
    struct buf name = BUF_INIT;
    struct buf tag = BUF_INIT;
    size_t len = strlen(line);
    int ret;

    if (match_section(line, &name, &tag)) {
        ret = enter_section(p, name.ptr, tag.ptr);
    } else if (line[0] == '[' && !strchr(line, ']')) {
        ret = fail(p, "unclosed section header '%s': missing ']'", line);
    } else if (line[0] == '[' && line[len - 1] == ']') {
        ret = fail(p, "invalid section header '%s': no spaces or other characters allowed", line);
    } else if (p->state == STATE_HOSTS) {
        ret = parse_host_line(p, line);
    } else if (p->state == STATE_VARS) {
        ret = parse_var_line(p, line);
    } else {
        ret = parse_child_line(p, line);
    }
    buf_release(&name);
    buf_release(&tag);
    return ret;
}

/* Groups still pending at the end were never declared: report the first, as Ansible does. */
static int check_pending(struct ini *p)
{
    struct pending *pd;

    if (p->pending.len == 0) {
        return 0;
    }
    pd = p->pending.items[0];
    p->line = pd->line;
    p->col = 1;
    if (pd->state == STATE_VARS) {
        return fail(p, "[%s:vars] names group '%s', which is never defined", pd->name, pd->name);
    }
    return fail(p, "undefined group '%s' in [%s:children]", pd->name,
                pd->parents.items[pd->parents.len - 1]);
}

int inv_load_ini(struct inventory *inv, const char *text, const char *name, struct err *err)
{
    struct ini p = { .inv = inv, .file = pos_intern(name), .state = STATE_HOSTS, .err = err };
    struct svec lines = SVEC_INIT;
    int ret = 0;

    p.group = inv_find_group(inv, "ungrouped");
    svec_split_lines(&lines, text);
    for (size_t i = 0; i < lines.len && ret == 0; i++) {
        char *line = strip(lines.items[i], &p.col);

        p.line = (int)i + 1;
        if (line[0] && line[0] != ';' && line[0] != '#') {
            ret = parse_line(&p, line);
        }
        free(line);
    }
    if (ret == 0) {
        ret = check_pending(&p);
    }
    while (p.pending.len > 0) {
        drop_pending(&p, p.pending.items[0]);
    }
    vec_release(&p.pending);
    svec_release(&lines);
    return ret;
}
