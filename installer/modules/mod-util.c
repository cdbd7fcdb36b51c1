/*
 * mod-util.c - remote helpers shared by the file modules: exec with become, one-exec stat,
 * mode resolution, attribute changes only when needed, backups and --diff text.
 */
#include "pot.h"
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/proc.h"
#include "base/strutil.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "conn/conn.h"
#include "conn/shell-quote.h"
#include "modules/mod-util.h"
#include "value/val.h"

int mod_exec(struct module_ctx *ctx, const char *cmd, const char *stdin_data, size_t stdin_len,
             struct buf *out, struct buf *errout, int *status, struct err *err)
{
    struct exec_req req = {
        .cmd = cmd,
        .stdin_data = stdin_data,
        .stdin_len = stdin_len,
        .become = ctx->become,
        .env = ctx->env,
    };
    struct exec_result res = { .out = out, .err = errout };

    if (conn_exec(ctx->conn, &req, &res, err) < 0) {
        return -1;
    }
    *status = res.status;
    return 0;
}

/* 'argv' with run_command's PATH and locale, 'input' on its stdin (NULL: none). */
static int exec_argv_input(struct module_ctx *ctx, char *const *argv, const char *input,
                           struct buf *out, struct buf *errout, int *status, struct err *err)
{
    struct buf cmd = BUF_INIT;
    int ret;

    buf_adds(&cmd, "PATH=$PATH:/sbin:/usr/sbin:/usr/local/sbin LANG=C LC_ALL=C LC_MESSAGES=C "
                   "exec ");
    sh_quote_argv(&cmd, argv);
    ret = mod_exec(ctx, cmd.ptr, input, input ? strlen(input) : 0, out, errout, status, err);
    buf_release(&cmd);
    return ret;
}

int mod_exec_argv(struct module_ctx *ctx, const struct svec *argv, struct buf *out,
                  struct buf *errout, int *status, struct err *err)
{
    return exec_argv_input(ctx, argv->items, NULL, out, errout, status, err);
}

int mod_exec_script(struct module_ctx *ctx, const char *script, const char *const *args,
                    const char *input, struct buf *out, int *status, struct err *err)
{
    struct svec argv = SVEC_INIT;
    int ret;

    svec_push(&argv, "sh");
    svec_push(&argv, "-c");
    svec_push(&argv, script);
    svec_push(&argv, "sh");
    for (size_t i = 0; args[i]; i++) {
        svec_push(&argv, args[i]);
    }
    ret = exec_argv_input(ctx, svec_argv(&argv), input, out, NULL, status, err);
    svec_release(&argv);
    return ret;
}

int mod_fail_missing_bin(struct result *res, const char *name)
{
    return result_fail(res, "Failed to find required executable \"%s\" in paths: "
                            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", name);
}

static const char STAT_FORMAT[] =
    "mode=%f\\nuid=%u\\ngid=%g\\nsize=%s\\nowner=%U\\ngroup=%G\\nmtime=%.9Y\\natime=%.9X\\n"
    "ctime=%.9Z\\ninode=%i\\nnlink=%h\\ndev=%d\\n";

static bool valid_alg(const char *alg)
{
    static const char *const algs[] = { "md5", "sha1", "sha224", "sha256", "sha384", "sha512",
                                        NULL };

    for (size_t i = 0; algs[i]; i++) {
        if (strcmp(alg, algs[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* One sh script printing key=value lines, or "exists=0". */
static void stat_script(const char *path, bool follow, const char *alg, struct buf *s)
{
    buf_adds(s, "p=");
    sh_quote(s, path);
    buf_addf(s, "\nif [ -e \"$p\" ]%s; then\n", follow ? "" : " || [ -L \"$p\" ]");
    buf_addf(s, "stat %s--printf '%s' -- \"$p\" || exit 1\n", follow ? "-L " : "", STAT_FORMAT);
    buf_adds(s, "if [ -L \"$p\" ]; then printf 'lnk_target=%s\\nlnk_source=%s\\n' "
                "\"$(readlink -- \"$p\")\" \"$(readlink -f -- \"$p\")\"; fi\n"
                "[ -r \"$p\" ] && echo readable=1\n[ -w \"$p\" ] && echo writeable=1\n"
                "[ -x \"$p\" ] && echo executable=1\n");
    if (alg) {
        buf_addf(s, "if [ -f \"$p\" ] && [ -r \"$p\" ]; then c=$(%ssum < \"$p\") || exit 1; "
                    "echo \"checksum=${c%%%% *}\"; fi\n", alg);
    }
    buf_adds(s, "echo exists=1\nelse echo exists=0; fi\n");
}

static double parse_time(const char *s)
{
    double d = 0;

    return parse_double(s, &d) == 0 ? d : 0;
}

static int64_t parse_i64(const char *s)
{
    int64_t i = 0;

    return parse_int(s, &i) == 0 ? i : 0;
}

static void stat_field(struct mod_stat *st, const char *key, const char *v)
{
    if (strcmp(key, "exists") == 0) {
        st->exists = strcmp(v, "1") == 0;
    } else if (strcmp(key, "mode") == 0) {
        st->mode = (mode_t)strtoul(v, NULL, 16);
    } else if (strcmp(key, "uid") == 0) {
        st->uid = (uid_t)parse_i64(v);
    } else if (strcmp(key, "gid") == 0) {
        st->gid = (gid_t)parse_i64(v);
    } else if (strcmp(key, "size") == 0) {
        st->size = parse_i64(v);
    } else if (strcmp(key, "owner") == 0) {
        st->owner = xstrdup(v);
    } else if (strcmp(key, "group") == 0) {
        st->group = xstrdup(v);
    } else if (strcmp(key, "mtime") == 0) {
        st->mtime = parse_time(v);
    } else if (strcmp(key, "atime") == 0) {
        st->atime = parse_time(v);
    } else if (strcmp(key, "ctime") == 0) {
        st->ctime = parse_time(v);
    } else if (strcmp(key, "inode") == 0) {
        st->inode = parse_i64(v);
    } else if (strcmp(key, "nlink") == 0) {
        st->nlink = parse_i64(v);
    } else if (strcmp(key, "dev") == 0) {
        st->dev = parse_i64(v);
    } else if (strcmp(key, "lnk_target") == 0) {
        st->lnk_target = xstrdup(v);
    } else if (strcmp(key, "lnk_source") == 0) {
        st->lnk_source = xstrdup(v);
    } else if (strcmp(key, "readable") == 0) {
        st->readable = true;
    } else if (strcmp(key, "writeable") == 0) {
        st->writeable = true;
    } else if (strcmp(key, "executable") == 0) {
        st->executable = true;
    } else if (strcmp(key, "checksum") == 0) {
        st->checksum = xstrdup(v);
    }
}

int mod_stat(struct module_ctx *ctx, const char *path, bool follow, const char *checksum_alg,
             struct mod_stat *st, struct err *err)
{
    struct buf script = BUF_INIT, out = BUF_INIT, errout = BUF_INIT;
    struct svec lines = SVEC_INIT;
    int status = 0;
    int ret = -1;

    memset(st, 0, sizeof(*st));
    if (checksum_alg && !valid_alg(checksum_alg)) {
        return err_set(err, ERR_USAGE, "unsupported checksum algorithm '%s'", checksum_alg);
    }
    stat_script(path, follow, checksum_alg, &script);
    if (mod_exec(ctx, script.ptr, NULL, 0, &out, &errout, &status, err) < 0) {
        goto out;
    }
    if (status != 0) {
        err_set(err, ERR_FAILED, "cannot stat '%s': %s", path, errout.ptr);
        goto out;
    }
    svec_split_lines(&lines, out.ptr);
    for (size_t i = 0; i < lines.len; i++) {
        char *eq = strchr(lines.items[i], '=');

        if (eq) {
            *eq = '\0';
            stat_field(st, lines.items[i], eq + 1);
        }
    }
    ret = 0;
out:
    svec_release(&lines);
    buf_release(&errout);
    buf_release(&out);
    buf_release(&script);
    return ret;
}

void mod_stat_release(struct mod_stat *st)
{
    free(st->owner);
    free(st->group);
    free(st->lnk_target);
    free(st->lnk_source);
    free(st->checksum);
    memset(st, 0, sizeof(*st));
}

void mod_set_path_info(struct result *res, const struct mod_stat *st)
{
    val_dict_set_take(res->data, "uid", val_int(st->uid));
    val_dict_set_take(res->data, "gid", val_int(st->gid));
    mod_set_str(res, "owner", st->owner ? st->owner : "");
    mod_set_str(res, "group", st->group ? st->group : "");
    val_dict_set_take(res->data, "mode", val_strf("0%03o", (unsigned)(st->mode & 07777)));
    mod_set_str(res, "state", mod_stat_state(st));
    val_dict_set_take(res->data, "size", val_int(st->size));
}

int mod_add_path_info(struct module_ctx *ctx, const char *path, struct result *res,
                      struct err *err)
{
    struct mod_stat st = { 0 };

    if (mod_stat(ctx, path, false, NULL, &st, err) < 0) {
        return -1;
    }
    if (st.exists) {
        mod_set_path_info(res, &st);
    }
    mod_stat_release(&st);
    return 0;
}

const char *mod_stat_state(const struct mod_stat *st)
{
    if (!st->exists) {
        return "absent";
    }
    if (S_ISLNK(st->mode)) {
        return "link";
    }
    if (S_ISDIR(st->mode)) {
        return "directory";
    }
    if (S_ISREG(st->mode) && st->nlink > 1) {
        return "hard";
    }
    return "file";
}

static bool parse_octal(const char *spec, mode_t *out)
{
    char *end = NULL;
    unsigned long v;

    if (!*spec || strspn(spec, "01234567") != strlen(spec)) {
        return false;
    }
    v = strtoul(spec, &end, 8);
    if (v > 07777) {
        return false;
    }
    *out = (mode_t)v;
    return true;
}

/* This process's umask without changing it (umask(2) would race with other threads). */
static mode_t current_umask(void)
{
    FILE *f = fopen("/proc/self/status", "re");
    char line[256];
    unsigned mask = 022;

    while (f && fgets(line, sizeof(line), f)) {
        if (sscanf(line, "Umask: %o", &mask) == 1) {
            break;
        }
    }
    if (f) {
        fclose(f);
    }
    return (mode_t)mask;
}

/* The bits one permission letter grants to 'user' (u, g or o), like Ansible's
 * _get_octal_mode_from_symbolic_perms; 'rev_umask' limits r/w/x when no user was named. */
static int perm_for_user(char user, char perm, mode_t prev, bool is_dir, mode_t rev_umask,
                         mode_t *out)
{
    int shift = user == 'u' ? 6 : user == 'g' ? 3 : 0;
    bool any_x = is_dir || (prev & (S_IXUSR | S_IXGRP | S_IXOTH));

    switch (perm) {
    case 'r': *out = (04 << shift) & rev_umask; return 0;
    case 'w': *out = (02 << shift) & rev_umask; return 0;
    case 'x': *out = (01 << shift) & rev_umask; return 0;
    case 'X': *out = any_x ? (mode_t)(01 << shift) : 0; return 0;
    case 's': *out = user == 'u' ? S_ISUID : user == 'g' ? S_ISGID : 0; return 0;
    case 't': *out = user == 'o' ? S_ISVTX : 0; return 0;
    case 'u': *out = ((prev & S_IRWXU) >> 6) << shift; return 0;
    case 'g': *out = ((prev & S_IRWXG) >> 3) << shift; return 0;
    case 'o': *out = (prev & S_IRWXO) << shift; return 0;
    default: return -1;
    }
}

static mode_t apply_op(char user, char op, mode_t bits, mode_t mode)
{
    mode_t mask = user == 'u' ? (S_IRWXU | S_ISUID) : user == 'g' ? (S_IRWXG | S_ISGID)
                                                                  : (S_IRWXO | S_ISVTX);

    if (op == '=') {
        return (mode & (mask ^ 07777)) | bits;
    }
    return op == '+' ? mode | bits : mode & ~bits;
}

/* One clause: [ugoa]*[+-=][rwxXstugo]*, applied user by user like Ansible. */
static int apply_clause(const char *clause, size_t len, mode_t *mode, bool is_dir)
{
    size_t who_len = strspn(clause, "ugoa");
    const char *users = "ugo";
    mode_t rev_umask = 07777;
    char op;

    if (who_len >= len || !strchr("+-=", clause[who_len])) {
        return -1;
    }
    if (who_len == 0) {
        rev_umask = current_umask() ^ 07777;
    }
    op = clause[who_len];
    for (const char *u = users; *u; u++) {
        mode_t bits = 0;

        if (who_len > 0 && !memchr(clause, *u, who_len) && !memchr(clause, 'a', who_len)) {
            continue;
        }
        for (size_t i = who_len + 1; i < len; i++) {
            mode_t one = 0;

            if (perm_for_user(*u, clause[i], *mode, is_dir, rev_umask, &one) < 0) {
                return -1;
            }
            bits |= one;
        }
        *mode = apply_op(*u, op, bits, *mode);
    }
    return 0;
}

int mod_mode_resolve(const char *spec, mode_t cur, bool is_dir, mode_t *out)
{
    mode_t mode = cur & 07777;

    if (parse_octal(spec, out)) {
        return 0;
    }
    while (*spec) {
        size_t len = strcspn(spec, ",");

        if (apply_clause(spec, len, &mode, is_dir) < 0) {
            return -1;
        }
        spec += len + (spec[len] == ',');
    }
    *out = mode;
    return 0;
}

static bool same_principal(const char *want, const char *name, long id)
{
    int64_t n = 0;

    if (parse_int(want, &n) == 0) {
        return n == id;
    }
    return name && strcmp(want, name) == 0;
}

static int run_or_fail(struct module_ctx *ctx, const char *cmd, struct result *res,
                       struct err *err)
{
    struct buf errout = BUF_INIT;
    int status = 0;
    int ret;

    ret = mod_exec(ctx, cmd, NULL, 0, NULL, &errout, &status, err);
    if (ret == 0 && status != 0) {
        while (errout.len && errout.ptr[errout.len - 1] == '\n') {
            buf_truncate(&errout, errout.len - 1);
        }
        result_fail(res, "%s", errout.ptr);
        ret = 1;
    }
    buf_release(&errout);
    return ret;
}

static int change_attr(struct module_ctx *ctx, const char *tool, const char *value,
                       const char *path, bool is_link, struct result *res, struct err *err)
{
    struct buf cmd = BUF_INIT;
    int ret;

    buf_addf(&cmd, "%s %s", tool, is_link && strcmp(tool, "chmod") != 0 ? "-h " : "");
    sh_quote(&cmd, value);
    buf_adds(&cmd, " -- ");
    sh_quote(&cmd, path);
    ret = run_or_fail(ctx, cmd.ptr, res, err);
    buf_release(&cmd);
    return ret;
}

int mod_set_attrs(struct module_ctx *ctx, const char *path, const struct mod_stat *st,
                  const char *mode, const char *owner, const char *group, bool *changed,
                  struct result *res, struct err *err)
{
    bool is_link = S_ISLNK(st->mode);
    int ret = 0;

    if (owner && !same_principal(owner, st->owner, (long)st->uid)) {
        *changed = true;
        ret = ctx->check_mode ? 0 : change_attr(ctx, "chown", owner, path, is_link, res, err);
    }
    if (ret == 0 && group && !same_principal(group, st->group, (long)st->gid)) {
        *changed = true;
        ret = ctx->check_mode ? 0 : change_attr(ctx, "chgrp", group, path, is_link, res, err);
    }
    if (ret == 0 && mode && !is_link) {
        mode_t want = 0;
        char octal[8];

        if (mod_mode_resolve(mode, st->mode, S_ISDIR(st->mode), &want) < 0) {
            result_fail(res, "mode must be in octal or symbolic form");
            return 1;
        }
        if (want != (st->mode & 07777)) {
            *changed = true;
            snprintf(octal, sizeof(octal), "%04o", (unsigned)want);
            ret = ctx->check_mode ? 0 : change_attr(ctx, "chmod", octal, path, false, res, err);
        }
    }
    return ret;
}

char *mod_backup_name(const char *path, long pid)
{
    time_t now = time(NULL);
    struct tm tm;
    char stamp[32];

    localtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%d@%H:%M:%S", &tm);
    return xasprintf("%s.%ld.%s~", path, pid, stamp);
}

int mod_backup(struct module_ctx *ctx, const char *path, char **backup_file, struct result *res,
               struct err *err)
{
    char *name = mod_backup_name(path, (long)getpid());
    struct buf cmd = BUF_INIT;
    int ret;

    buf_adds(&cmd, "cp -p -- ");
    sh_quote(&cmd, path);
    buf_addc(&cmd, ' ');
    sh_quote(&cmd, name);
    ret = run_or_fail(ctx, cmd.ptr, res, err);
    buf_release(&cmd);
    if (ret == 0) {
        *backup_file = name;
    } else {
        free(name);
    }
    return ret;
}

struct val *mod_split_lines(const char *text)
{
    struct val *list = val_list();
    struct svec lines = SVEC_INIT;

    svec_split_lines(&lines, text);
    for (size_t i = 0; i < lines.len; i++) {
        size_t n = strlen(lines.items[i]);

        if (n && lines.items[i][n - 1] == '\r') {
            lines.items[i][n - 1] = '\0';
        }
        val_list_push_take(list, val_str(lines.items[i]));
    }
    svec_release(&lines);
    return list;
}

/* unsafe_writes: after a failed atomic put, write the file in place (what Ansible's
 * _unsafe_writes does when the rename is refused, as for a bind-mounted file). */
static int put_in_place(struct module_ctx *ctx, const char *path, const char *data, size_t len,
                        mode_t mode, struct result *res, struct err *err)
{
    struct buf cmd = BUF_INIT;
    struct buf errout = BUF_INIT;
    int status = 0;
    int ret;

    buf_adds(&cmd, "p=");
    sh_quote(&cmd, path);
    buf_addf(&cmd, "; if [ -e \"$p\" ]; then cat > \"$p\"; "
                   "else (umask 077; cat > \"$p\") && chmod %04o -- \"$p\"; fi",
             (unsigned)mode);
    ret = mod_exec(ctx, cmd.ptr, data, len, NULL, &errout, &status, err);
    if (ret == 0 && status != 0) {
        while (errout.len && errout.ptr[errout.len - 1] == '\n') {
            buf_truncate(&errout, errout.len - 1);
        }
        ret = (result_fail(res, "%s", errout.ptr), 1);
    }
    buf_release(&errout);
    buf_release(&cmd);
    return ret;
}

int mod_put(struct module_ctx *ctx, const char *path, const char *data, size_t len, mode_t mode,
            bool unsafe_writes, struct result *res, struct err *err)
{
    struct err perr = ERR_INIT;

    if (conn_put(ctx->conn, path, data, len, mode, ctx->become, &perr) == 0) {
        return 0;
    }
    if (perr.kind == ERR_UNREACHABLE) {
        *err = perr;
        return -1;
    }
    if (unsafe_writes) {
        return put_in_place(ctx, path, data, len, mode, res, err);
    }
    result_fail(res, "%s", perr.msg);
    return 1;
}

int mod_diff(const char *before, size_t before_len, const char *after, size_t after_len,
             const char *before_label, const char *after_label, struct buf *out,
             struct err *err)
{
    char *dir = NULL;
    char *a = NULL, *b = NULL, *la = NULL, *lb = NULL;
    struct proc_result pr = { 0 };
    struct proc_opts opts = { 0 };
    int ret = -1;

    if (before_len == after_len && memcmp(before, after, before_len) == 0) {
        return 0;
    }
    dir = xstrdup("/tmp/pot-diff.XXXXXX");
    if (!mkdtemp(dir)) {
        err_errno(err, "cannot create a temporary directory");
        goto out;
    }
    a = fs_join(dir, "before");
    b = fs_join(dir, "after");
    la = before_label ? xasprintf("before: %s", before_label) : xstrdup("before");
    lb = after_label ? xasprintf("after: %s", after_label) : xstrdup("after");
    if (fs_write_atomic(a, before, before_len, 0600, err) == 0 &&
        fs_write_atomic(b, after, after_len, 0600, err) == 0) {
        char *argv[] = { "diff", "-u", "--label", la, "--label", lb, a, b, NULL };

        ret = proc_run(argv, &opts, out, NULL, &pr, err);
    }
    unlink(a);
    unlink(b);
    rmdir(dir);
out:
    free(la);
    free(lb);
    free(a);
    free(b);
    free(dir);
    return ret;
}

void mod_set_str(struct result *res, const char *key, const char *value)
{
    val_dict_set_take(res->data, key, val_str(value));
}
