/*
 * mod-authorized-key.c - the `authorized_key` module (ansible.posix): SSH public keys present in
 * or absent from a user's authorized_keys (~user/.ssh/authorized_keys, or 'path'), parsed and
 * rewritten as the collection's module does: a line's options, key type, key and comment; keys
 * matched by their key text, a present key with other options or comment replaced at the end,
 * lines that are no key kept as they are, the file ordered by line, 'exclusive' dropping every
 * other key. With manage_dir the .ssh directory is made 0700 and owned by the user; the file is
 * 0600 and the user's. Keys given as URLs are not fetched (a host without the internet is the
 * rule here): such a key fails. Returns the module's parameters, keyfile and changed; --diff.
 */
#include "pot.h"
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "base/fs.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "modules/args.h"
#include "modules/mod-util.h"
#include "value/val.h"

static const struct arg_spec authorized_key_args[] = {
    { .name = "comment", .type = ARG_STR },
    { .name = "exclusive", .type = ARG_BOOL, .def = "false" },
    { .name = "follow", .type = ARG_BOOL, .def = "false" },
    { .name = "key", .type = ARG_STR, .required = true },
    { .name = "key_options", .type = ARG_STR },
    { .name = "manage_dir", .type = ARG_BOOL, .def = "true" },
    { .name = "path", .type = ARG_PATH },
    { .name = "state", .type = ARG_CHOICE, .choices = "absent,present", .def = "present" },
    { .name = "user", .type = ARG_STR, .required = true },
    { .name = "validate_certs", .type = ARG_BOOL, .def = "true" },
    { 0 },
};

#define WHITESPACE " \t\r\n\v\f"

/* The collection's VALID_SSH2_KEY_TYPES. */
static const char *const key_types[] = {
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "webauthn-sk-ecdsa-sha2-nistp256@openssh.com",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp384-cert-v01@openssh.com",
    "ecdsa-sha2-nistp521",
    "ecdsa-sha2-nistp521-cert-v01@openssh.com",
    "sk-ssh-ed25519@openssh.com",
    "sk-ssh-ed25519-cert-v01@openssh.com",
    "ssh-ed25519",
    "ssh-ed25519-cert-v01@openssh.com",
    "ssh-dss",
    "ssh-rsa",
    "ssh-xmss@openssh.com",
    "ssh-xmss-cert-v01@openssh.com",
    "rsa-sha2-256",
    "rsa-sha2-512",
    "ssh-rsa-cert-v01@openssh.com",
    "rsa-sha2-256-cert-v01@openssh.com",
    "rsa-sha2-512-cert-v01@openssh.com",
    "ssh-dss-cert-v01@openssh.com",
    NULL,
};

/* One entry of the file: a key (type set) or a line kept as it is (type NULL, id the line). */
struct ak_entry {
    char *id;         /* owned: the key text, or the whole line */
    char *type;       /* owned; NULL for a kept line */
    struct svec opts; /* owned: "name" or "name=value", in order (a name may repeat) */
    char *comment;    /* owned */
    long rank;        /* the order in the file */
};

struct ak_list {
    struct ak_entry *items; /* owned; insertion order, as the collection's dict */
    size_t len, cap;
};

static void entry_release(struct ak_entry *e)
{
    free(e->id);
    free(e->type);
    svec_release(&e->opts);
    free(e->comment);
}

static void list_release(struct ak_list *l)
{
    for (size_t i = 0; i < l->len; i++) {
        entry_release(&l->items[i]);
    }
    free(l->items);
}

static struct ak_entry *list_find(struct ak_list *l, const char *id)
{
    for (size_t i = 0; i < l->len; i++) {
        if (strcmp(l->items[i].id, id) == 0) {
            return &l->items[i];
        }
    }
    return NULL;
}

/* keys[id] = e: replaces the value in place (the dict keeps its position), else appends. */
static void list_set(struct ak_list *l, struct ak_entry *e)
{
    struct ak_entry *have = list_find(l, e->id);

    if (have) {
        entry_release(have);
        *have = *e;
        return;
    }
    if (l->len == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->items = xrealloc(l->items, l->cap * sizeof(*l->items));
    }
    l->items[l->len++] = *e;
}

static void list_del(struct ak_list *l, const char *id)
{
    struct ak_entry *e = list_find(l, id);

    if (e) {
        size_t i = (size_t)(e - l->items);

        entry_release(e);
        memmove(e, e + 1, (l->len - i - 1) * sizeof(*e));
        l->len--;
    }
}

/* One unit of the options pattern ((?:[^,"']|"[^"]*"|'[^']*')+) at s: its length, 0 when none
 * starts there. */
static size_t option_unit(const char *s)
{
    if (*s == '"' || *s == '\'') {
        const char *close = strchr(s + 1, *s);

        return close ? (size_t)(close - s) + 1 : 0;
    }
    return *s && *s != ',' ? 1 : 0;
}

/* parseoptions: the pattern's matches and the text between them (skipped when it is ","), the
 * text before the first match and after the last left out, as re.split(...)[1:-1] does. */
static void parse_options(const char *text, struct svec *out)
{
    const char *p = text, *prev_end = NULL;

    while (*p) {
        const char *start = p;
        size_t n;

        for (n = option_unit(p); n > 0; n = option_unit(p)) {
            p += n;
        }
        if (p == start) {
            p++;
            continue;
        }
        if (prev_end && !(start - prev_end == 1 && *prev_end == ',')) {
            svec_push_take(out, xstrndup(prev_end, (size_t)(start - prev_end)));
        }
        svec_push_take(out, xstrndup(start, (size_t)(p - start)));
        prev_end = p;
    }
}

/* parsekey: 0 with 'e' filled from one line (a kept line when it is a comment), -1 when the
 * line names no key type. A key type with nothing after it is -2 (the collection crashes). */
static int parse_key(const char *raw, long rank, struct ak_entry *e)
{
    char *text = xstrdup(raw), *w, *r;
    struct svec parts = SVEC_INIT;
    size_t type_at = SIZE_MAX;
    int ret = -1;

    for (w = r = text; *r; r++) { /* raw_key.replace(r'\#', '#') */
        if (r[0] == '\\' && r[1] == '#') {
            r++;
        }
        *w++ = *r;
    }
    *w = '\0';
    for (const char *p = text; *p;) { /* shlex without quotes: words between whitespace */
        size_t n;

        p += strspn(p, WHITESPACE);
        n = strcspn(p, WHITESPACE);
        if (n > 0) {
            svec_push_take(&parts, xstrndup(p, n));
        }
        p += n;
    }
    memset(e, 0, sizeof(*e));
    e->rank = rank;
    if (parts.len > 0 && strcmp(parts.items[0], "#") == 0) {
        e->id = xstrdup(raw);
        ret = 0;
        goto out;
    }
    for (size_t i = 0; i < parts.len && type_at == SIZE_MAX; i++) {
        for (size_t t = 0; key_types[t]; t++) {
            if (strcmp(parts.items[i], key_types[t]) == 0) {
                type_at = i;
                break;
            }
        }
    }
    if (type_at == SIZE_MAX) {
        goto out;
    }
    if (type_at + 1 >= parts.len) {
        ret = -2;
        goto out;
    }
    if (type_at > 0) {
        struct buf opts = BUF_INIT;

        for (size_t i = 0; i < type_at; i++) {
            buf_addf(&opts, "%s%s", i ? " " : "", parts.items[i]);
        }
        parse_options(opts.ptr, &e->opts);
        buf_release(&opts);
    }
    e->type = xstrdup(parts.items[type_at]);
    e->id = xstrdup(parts.items[type_at + 1]);
    {
        struct buf comment = BUF_INIT;

        buf_adds(&comment, "");
        for (size_t i = type_at + 2; i < parts.len; i++) {
            buf_addf(&comment, "%s%s", i > type_at + 2 ? " " : "", parts.items[i]);
        }
        e->comment = buf_detach(&comment, NULL);
    }
    ret = 0;
out:
    svec_release(&parts);
    free(text);
    return ret;
}

/* The values of option 'name' in 'opts', in order, joined by '\n' (for comparing). */
static char *option_values(const struct svec *opts, const char *name, size_t name_len)
{
    struct buf b = BUF_INIT;

    buf_adds(&b, "");
    for (size_t i = 0; i < opts->len; i++) {
        const char *o = opts->items[i], *eq = strchr(o, '=');
        size_t n = eq ? (size_t)(eq - o) : strlen(o);

        if (n == name_len && memcmp(o, name, n) == 0) {
            buf_addf(&b, "%s\n", eq ? eq + 1 : "\x01");
        }
    }
    return buf_detach(&b, NULL);
}

/* The options dicts equal as dict.__eq__ compares the collection's keydict: every name with the
 * same values in the same order, whatever the order of the names. */
static bool options_equal(const struct svec *a, const struct svec *b)
{
    bool equal = a->len == b->len;

    for (size_t i = 0; equal && i < a->len; i++) {
        const char *eq = strchr(a->items[i], '=');
        size_t n = eq ? (size_t)(eq - a->items[i]) : strlen(a->items[i]);
        char *va = option_values(a, a->items[i], n), *vb = option_values(b, a->items[i], n);

        equal = strcmp(va, vb) == 0;
        free(va);
        free(vb);
    }
    return equal;
}

static bool entries_equal(const struct ak_entry *a, const struct ak_entry *b)
{
    return strcmp(a->id, b->id) == 0 && !a->type == !b->type &&
           (!a->type || strcmp(a->type, b->type) == 0) && options_equal(&a->opts, &b->opts) &&
           !a->comment == !b->comment && (!a->comment || strcmp(a->comment, b->comment) == 0);
}

/* parsekeys: every line of the file, keyed by its key (or by itself). */
static void parse_file(const char *content, struct ak_list *keys)
{
    const char *p = content;
    long rank = 0;

    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
        char *line = xstrndup(p, n);
        struct ak_entry e;

        if (parse_key(line, rank, &e) != 0) {
            entry_release(&e);
            memset(&e, 0, sizeof(e));
            e.id = xstrdup(line);
            e.rank = rank;
        }
        list_set(keys, &e);
        free(line);
        p += n;
        rank++;
    }
}

static int by_rank(const void *a, const void *b)
{
    const struct ak_entry *x = *(const struct ak_entry *const *)a;
    const struct ak_entry *y = *(const struct ak_entry *const *)b;

    if (x->rank != y->rank) {
        return x->rank < y->rank ? -1 : 1;
    }
    return x < y ? -1 : x > y; /* stable: insertion order */
}

/* serialize: the entries by rank; a key as "[options ]type key comment\n". */
static char *serialize(const struct ak_list *keys)
{
    const struct ak_entry **order = xcalloc(keys->len + 1, sizeof(*order));
    struct buf b = BUF_INIT;

    for (size_t i = 0; i < keys->len; i++) {
        order[i] = &keys->items[i];
    }
    qsort(order, keys->len, sizeof(*order), by_rank);
    buf_adds(&b, "");
    for (size_t i = 0; i < keys->len; i++) {
        const struct ak_entry *e = order[i];

        if (!e->type) {
            buf_adds(&b, e->id);
            continue;
        }
        for (size_t k = 0; k < e->opts.len; k++) {
            buf_addf(&b, "%s%s", k ? "," : "", e->opts.items[k]);
        }
        buf_addf(&b, "%s%s %s %s\n", e->opts.len ? " " : "", e->type, e->id,
                 e->comment ? e->comment : "None");
    }
    free(order);
    return buf_detach(&b, NULL);
}

/* The user's passwd entry: home, uid, gid. 1 found, 0 not, -1 unreachable. */
static int lookup_user(struct module_ctx *ctx, const char *user, char **home, long *uid, long *gid,
                       struct err *err)
{
    struct svec argv = SVEC_INIT;
    struct buf out = BUF_INIT;
    int status = 0, ret;

    svec_push(&argv, "getent");
    svec_push(&argv, "passwd");
    svec_push(&argv, user);
    ret = mod_exec_argv(ctx, &argv, &out, NULL, &status, err);
    ret = ret < 0 ? -1 : 0;
    if (status == 0 && ret == 0) { /* name:pw:uid:gid:gecos:home:shell */
        struct svec f = SVEC_INIT;
        char *nl = strchr(out.ptr, '\n');

        if (nl) {
            *nl = '\0';
        }
        svec_split(&f, out.ptr, ':');
        ret = f.len >= 6;
        if (ret) {
            *uid = strtol(f.items[2], NULL, 10);
            *gid = strtol(f.items[3], NULL, 10);
            *home = xstrdup(f.items[5]);
        }
        svec_release(&f);
    }
    svec_release(&argv);
    buf_release(&out);
    return ret;
}

/* What the module needs of the host before deciding: the keys file's path (realpath with
 * follow) and its content when it is a regular file. */
static const char read_script[] = "f=$1\n"
                                  "[ \"$2\" = 1 ] && f=$(realpath -m -- \"$f\")\n"
                                  "printf '%s\\n' \"$f\"\n"
                                  "[ -f \"$f\" ] && cat -- \"$f\"\n"
                                  "exit 0\n";

/* keyfile(write=True) then writefile: $1 .ssh dir, $2 keys file, $3 uid, $4 gid, $5 1 to
 * manage the dir; the new content on stdin, put in place by rename. */
static const char write_script[] =
    "set -e\n"
    "dir=$1 f=$2 uid=$3 gid=$4\n"
    "if [ \"$5\" = 1 ]; then\n"
    "  [ -e \"$dir\" ] || mkdir -m 0700 -- \"$dir\"\n"
    "  chown \"$uid:$gid\" -- \"$dir\"; chmod 0700 -- \"$dir\"\n"
    "fi\n"
    "if [ ! -e \"$f\" ]; then mkdir -p -- \"$(dirname -- \"$f\")\"; : >\"$f\"; fi\n"
    "chown \"$uid:$gid\" -- \"$f\" 2>/dev/null && chmod 0600 -- \"$f\" 2>/dev/null || true\n"
    "tmp=$(mktemp \"$(dirname -- \"$f\")/.pot-authorized-key.XXXXXX\")\n"
    "cat >\"$tmp\"\n"
    "chown --reference=\"$f\" -- \"$tmp\" 2>/dev/null || true\n"
    "chmod --reference=\"$f\" -- \"$tmp\"\n"
    "mv -f -- \"$tmp\" \"$f\"\n";

/* The module's return values: its parameters as given (path null when absent), keyfile. */
static void set_result(const struct margs *args, const char *keyfile, bool changed,
                       struct result *res)
{
    static const char *const strings[] = { "comment", "key",  "key_options", "path",
                                           "state",   "user", NULL };
    static const char *const bools[] = { "exclusive", "follow", "manage_dir", "validate_certs",
                                         NULL };

    val_dict_set_take(res->data, "changed", val_bool(changed));
    for (size_t i = 0; strings[i]; i++) {
        const char *v = margs_str(args, strings[i]);

        val_dict_set_take(res->data, strings[i], v ? val_str(v) : val_null());
    }
    for (size_t i = 0; bools[i]; i++) {
        val_dict_set_take(res->data, bools[i], val_bool(margs_bool(args, bools[i])));
    }
    val_dict_set_take(res->data, "keyfile", keyfile ? val_str(keyfile) : val_null());
}

/* enforce_state over the parsed file: 1 when the file must be written, 0 not, -1 with
 * res failed (an invalid key). */
static int enforce_state(const struct margs *args, struct ak_list *existing, struct result *res)
{
    bool present = strcmp(margs_str(args, "state"), "present") == 0, write = false;
    const char *options = margs_str(args, "key_options"), *comment = margs_str(args, "comment");
    struct svec wanted = SVEC_INIT, lines = SVEC_INIT;
    long max_rank = (long)existing->len, rank = 0;
    int ret = 0;

    svec_split_lines(&lines, margs_str(args, "key"));
    for (size_t i = 0; i < lines.len && ret == 0; i++) {
        const char *line = lines.items[i];
        struct ak_entry e;
        struct ak_entry *have;

        if (!*line || line[0] == '#') {
            continue;
        }
        if (parse_key(line, rank++, &e) != 0 || !e.type) {
            entry_release(&e);
            result_fail(res, "invalid key specified: %s", line);
            ret = -1;
            break;
        }
        if (options) {
            svec_release(&e.opts);
            parse_options(options, &e.opts);
        }
        if (comment) {
            free(e.comment);
            e.comment = xstrdup(comment);
        }
        have = list_find(existing, e.id);
        if (present) {
            svec_push(&wanted, e.id);
            if (have && !entries_equal(&e, have)) {
                list_del(existing, e.id);
                have = NULL;
                write = true;
            }
            if (!have) {
                e.rank += max_rank;
                list_set(existing, &e);
                write = true;
                continue;
            }
        } else if (have) {
            list_del(existing, e.id);
            write = true;
        }
        entry_release(&e);
    }
    if (ret == 0 && present && margs_bool(args, "exclusive")) {
        for (size_t i = existing->len; i-- > 0;) {
            if (!svec_contains(&wanted, existing->items[i].id)) {
                list_del(existing, existing->items[i].id);
                write = true;
            }
        }
    }
    svec_release(&wanted);
    svec_release(&lines);
    return ret < 0 ? -1 : write;
}

/* The file written (unless in check mode) with its --diff, as enforce_state's do_write. */
static int finish_write(struct module_ctx *ctx, const struct margs *args, const char *sshdir,
                        const char *keyfile, long uid, long gid, const char *before,
                        const struct ak_list *keys, struct result *res, struct err *err)
{
    char *after = serialize(keys), *target = xstrdup(keyfile);
    char uid_text[32], gid_text[32];
    struct buf out = BUF_INIT;
    int status = 0, ret = 0;

    if (margs_bool(args, "follow")) {
        const char *argv[] = { keyfile, "1", NULL };

        ret = mod_exec_script(ctx, read_script, argv, NULL, &out, &status, err);
        if (ret == 0) {
            free(target);
            target = xstrndup(out.ptr, strcspn(out.ptr, "\n"));
        }
    }
    if (ret == 0 && ctx->diff_mode) {
        ret = mod_diff(before, strlen(before), after, strlen(after), keyfile, target, &res->diff,
                       err);
    }
    if (ret == 0 && !ctx->check_mode) {
        const char *argv[] = {
            sshdir, target, uid_text, gid_text, margs_bool(args, "manage_dir") ? "1" : "0", NULL
        };

        snprintf(uid_text, sizeof(uid_text), "%ld", uid);
        snprintf(gid_text, sizeof(gid_text), "%ld", gid);
        buf_reset(&out);
        ret = mod_exec_script(ctx, write_script, argv, after, &out, &status, err);
        if (ret == 0 && status != 0) {
            set_result(args, keyfile, false, res);
            result_fail(res, "Failed to write to file %s", target);
            goto out;
        }
    }
    if (ret == 0) {
        set_result(args, keyfile, true, res);
        res->status = RESULT_CHANGED;
    }
out:
    buf_release(&out);
    free(target);
    free(after);
    return ret < 0 ? -1 : 0;
}

static int authorized_key_run(struct module_ctx *ctx, const struct margs *args, struct result *res,
                              struct err *err)
{
    const char *user = margs_str(args, "user"), *path = margs_str(args, "path");
    char *home = NULL, *sshdir = NULL, *keyfile = NULL, *content = NULL;
    struct ak_list keys = { 0 };
    struct buf out = BUF_INIT;
    long uid = -1, gid = -1;
    int status = 0, found = 0, write, ret = -1;

    if (strncmp(margs_str(args, "key"), "http", 4) == 0) {
        ret = result_fail(res, "Error getting key from: %s (pot fetches no keys from the network)",
                          margs_str(args, "key"));
        goto out;
    }
    if (!(ctx->check_mode && path)) {
        found = lookup_user(ctx, user, &home, &uid, &gid, err);
        if (found < 0) {
            goto out;
        }
        if (!found) {
            ret = ctx->check_mode && !path
                      ? result_fail(res, "Either user must exist or you must provide full path "
                                         "to key file in check mode")
                      : result_fail(res,
                                    "Failed to lookup user %s: \"getpwnam(): name not found: "
                                    "'%s'\"",
                                    user, user);
            goto out;
        }
    }
    sshdir = path ? fs_dirname(path) : xasprintf("%s/.ssh", home);
    keyfile = path ? xstrdup(path) : xasprintf("%s/authorized_keys", sshdir);
    {
        const char *argv[] = { keyfile, "0", NULL };

        if (mod_exec_script(ctx, read_script, argv, NULL, &out, &status, err) < 0) {
            goto out;
        }
    }
    content = xstrdup(strchr(out.ptr, '\n') ? strchr(out.ptr, '\n') + 1 : "");
    parse_file(content, &keys);
    write = enforce_state(args, &keys, res);
    if (write == 1) {
        ret = finish_write(ctx, args, sshdir, keyfile, uid, gid, content, &keys, res, err);
    } else if (write == 0) {
        set_result(args, keyfile, false, res);
        res->status = RESULT_OK;
        ret = 0;
    } else {
        ret = 0; /* an invalid key: res holds the failure alone */
    }
    if (ret == 0 && res->status != RESULT_FAILED && path) {
        ret = mod_add_path_info(ctx, path, res, err);
    }
out:
    list_release(&keys);
    buf_release(&out);
    free(content);
    free(keyfile);
    free(sshdir);
    free(home);
    return ret;
}

const struct module module_authorized_key = {
    .name = "authorized_key",
    .collection = "ansible.posix",
    .args = authorized_key_args,
    .flags = MOD_CHECK_MODE | MOD_DIFF,
    .run = authorized_key_run,
};
