/*
 * mod-sysctl.c - the `sysctl` module (ansible.posix.sysctl): one kernel parameter kept in a
 * sysctl file (default /etc/sysctl.conf) and, with reload (the default), loaded with
 * `sysctl -p FILE`; sysctl_set also sets it at once with `sysctl -w`. Ported from the
 * collection's Linux path so the file ends up with the same bytes (keys rewritten as `k=v`, a
 * repeated key kept once) and `changed` says the same.
 */
#include "pot.h"
#include <string.h>
#include <sys/stat.h>
#include "base/buf.h"
#include "base/strutil.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "conn/conn.h"
#include "modules/args.h"
#include "modules/lines.h"
#include "modules/mod-util.h"
#include "python/py-re.h"
#include "value/val.h"

static const struct arg_spec sysctl_args[] = {
    { .name = "ignoreerrors", .type = ARG_BOOL, .def = "false" },
    { .name = "name", .type = ARG_STR, .required = true, .aliases = "key" },
    { .name = "reload", .type = ARG_BOOL, .def = "true" },
    { .name = "state", .type = ARG_CHOICE, .choices = "present,absent", .def = "present" },
    { .name = "sysctl_file", .type = ARG_PATH, .def = "/etc/sysctl.conf" },
    { .name = "sysctl_set", .type = ARG_BOOL, .def = "false" },
    { .name = "value", .type = ARG_STR, .aliases = "val" },
    { 0 },
};

struct sysctl_job {
    char *name;         /* owned: stripped */
    char *value;        /* owned: '1'/'0' for a boolean, else stripped; "" when absent */
    bool present;
    char *proc_value;   /* owned: `sysctl -e -n NAME` output, NULL when it failed */
    char *file_value;   /* owned: the value the file gives NAME (its last line), NULL when none */
    struct svec lines;  /* the file's lines, stripped */
    bool exists;        /* the file is a regular file */
    mode_t mode;        /* its permission bits */
};

/* Python's value parsing of the module: booleans as 1/0, anything else stripped. */
static char *parse_value(const char *value)
{
    int b;

    if (!value) {
        return xstrdup("");
    }
    b = str_ansible_bool(value);
    return b == 1 ? xstrdup("1") : b == 0 ? xstrdup("0") : str_trim(value);
}

/* The next whitespace-separated word of *s (Python's str.split()): its start and length, *s
 * moved past it; false at the end. */
static bool next_word(const char **s, const char **word, size_t *len)
{
    const char *p = *s + strspn(*s, " \t\n\r\v\f");

    *word = p;
    *len = strcspn(p, " \t\n\r\v\f");
    *s = p + *len;
    return *len > 0;
}

/* Python's a.split() == b.split(). */
static bool values_equal(const char *a, const char *b)
{
    const char *wa, *wb;
    size_t la, lb;
    bool more_a, more_b;

    if (!a || !b) {
        return false;
    }
    for (;;) {
        more_a = next_word(&a, &wa, &la);
        more_b = next_word(&b, &wb, &lb);
        if (!more_a || !more_b) {
            return more_a == more_b;
        }
        if (la != lb || memcmp(wa, wb, la) != 0) {
            return false;
        }
    }
}

/* A `key = value` line: its key and value, stripped (new strings); false for a comment, a
 * blank line or a line without '='. */
static bool split_setting(const char *line, char **key, char **value)
{
    const char *eq = strchr(line, '=');
    char *k;

    if (!*line || *line == '#' || *line == ';' || !eq) {
        return false;
    }
    k = xstrndup(line, (size_t)(eq - line));
    *key = str_trim(k);
    *value = str_trim(eq + 1);
    free(k);
    return true;
}

/* Runs `sysctl ARG1 [ARG2 [ARG3]]` (NULLs left out); returns 0 with *status, out and errout
 * set, -1 when unreachable. */
static int run_sysctl(struct module_ctx *ctx, const char *const args[3], struct buf *out,
                      struct buf *errout, int *status, struct err *err)
{
    struct svec argv = SVEC_INIT;
    int ret;

    svec_push(&argv, "sysctl");
    for (size_t i = 0; i < 3; i++) {
        if (args[i]) {
            svec_push(&argv, args[i]);
        }
    }
    ret = mod_exec_argv(ctx, &argv, out, errout, status, err);
    svec_release(&argv);
    return ret;
}

/* The current value and the file. Returns 0, 1 failed (res set), -1 unreachable. */
static int read_state(struct module_ctx *ctx, const char *file, struct sysctl_job *job,
                      struct result *res, struct err *err)
{
    struct buf out = BUF_INIT, errout = BUF_INIT, text = BUF_INIT;
    const char *const get[3] = { "-e", "-n", job->name };
    struct mod_stat st;
    int status = 0, ret;

    ret = run_sysctl(ctx, get, &out, &errout, &status, err);
    if (ret == 0 && status == 127) {
        ret = 1;
        mod_fail_missing_bin(res, "sysctl");
    } else if (ret == 0) {
        job->proc_value = status == 0 ? buf_detach(&out, NULL) : NULL;
        ret = mod_stat(ctx, file, true, NULL, &st, err);
    }
    if (ret == 0) {
        job->exists = st.exists && S_ISREG(st.mode);
        job->mode = st.mode & 07777;
        mod_stat_release(&st);
        if (job->exists && conn_fetch(ctx->conn, file, &text, ctx->become, err) < 0) {
            ret = err->kind == ERR_UNREACHABLE
                      ? -1
                      : (result_fail(res, "Failed to open %s: %s", file, err->msg), 1);
        }
    }
    if (ret == 0) {
        struct svec raw = SVEC_INIT;

        lines_split(&raw, text.ptr, text.len);
        for (size_t i = 0; i < raw.len; i++) {
            char *k = NULL, *v = NULL;

            svec_push_take(&job->lines, str_trim(raw.items[i]));
            if (split_setting(job->lines.items[i], &k, &v) && strcmp(k, job->name) == 0) {
                free(job->file_value); /* the last line of a repeated key wins, as in a dict */
                job->file_value = v;
                v = NULL;
            }
            free(k);
            free(v);
        }
        svec_release(&raw);
    }
    buf_release(&out);
    buf_release(&errout);
    buf_release(&text);
    return ret;
}

/* The file as the module rewrites it (fix_lines + write_sysctl): comments and blank lines kept,
 * every key once as `k=v` (the first line of a repeated key), NAME set, dropped or appended. */
static void fixed_file(const struct sysctl_job *job, struct buf *out)
{
    struct svec seen = SVEC_INIT;

    for (size_t i = 0; i < job->lines.len; i++) {
        char *k = NULL, *v = NULL;

        if (!split_setting(job->lines.items[i], &k, &v)) {
            buf_addf(out, "%s\n", job->lines.items[i]);
        } else if (!svec_contains(&seen, k)) {
            svec_push(&seen, k);
            if (strcmp(k, job->name) != 0) {
                buf_addf(out, "%s=%s\n", k, v);
            } else if (job->present) {
                buf_addf(out, "%s=%s\n", k, job->value);
            }
        }
        free(k);
        free(v);
    }
    if (!svec_contains(&seen, job->name) && job->present) {
        buf_addf(out, "%s=%s\n", job->name, job->value);
    }
    svec_release(&seen);
}

/* Ansible's _stderr_failed: sysctl printed an error for a key it could not set. */
static bool stderr_failed(const char *errout)
{
    static const char pattern[] =
        "^sysctl: setting key \"[^\"]+\": (Invalid argument|Read-only file system)$";
    struct py_re re = { 0 };
    char why[200];
    bool failed;

    if (py_re_compile(&re, pattern, strlen(pattern), PY_RE_MULTILINE, why, sizeof(why)) < 0) {
        return false;
    }
    failed = py_re_search(&re, errout);
    py_re_free(&re);
    return failed;
}

/* Runs `sysctl [-e] OPTION VALUE` and fails the module with "WHAT: OUT ERR" when it fails.
 * Returns 0, 1 failed, -1 unreachable. */
static int apply(struct module_ctx *ctx, const struct margs *args, const char *what,
                 const char *option, const char *value, struct result *res, struct err *err)
{
    bool ignore = margs_bool(args, "ignoreerrors");
    const char *const argv[3] = { ignore ? "-e" : option, ignore ? option : value,
                                  ignore ? value : NULL };
    struct buf out = BUF_INIT, errout = BUF_INIT;
    int status = 0, ret;

    ret = run_sysctl(ctx, argv, &out, &errout, &status, err);
    if (ret == 0 && (status != 0 || stderr_failed(errout.ptr))) {
        result_fail(res, "%s: %s%s", what, out.ptr, errout.ptr);
        ret = 1;
    }
    buf_release(&out);
    buf_release(&errout);
    return ret;
}

/* The changes process() decides, made unless in check mode. Returns 0, 1 failed, -1. */
static int process(struct module_ctx *ctx, const struct margs *args, const char *file,
                   struct sysctl_job *job, struct result *res, struct err *err)
{
    bool reload = margs_bool(args, "reload"), changed = false, write_file = false;
    bool set_proc = false;
    struct buf text = BUF_INIT;
    int ret = 0;

    if (!job->file_value) {
        changed = write_file = job->present;
    } else if (!job->present && *job->file_value) {
        changed = write_file = true;
    } else if (strcmp(job->file_value, job->value) != 0) {
        changed = write_file = true;
    } else if (reload) {
        changed = !values_equal(job->proc_value, job->value);
    }
    if (margs_bool(args, "sysctl_set") && job->present &&
        !values_equal(job->proc_value, job->value)) {
        changed = true;
        set_proc = job->proc_value != NULL;
    }
    if (!ctx->check_mode && set_proc) {
        char *setting = xasprintf("%s=%s", job->name, job->value);
        char *what = xasprintf("setting %s failed", job->name);

        ret = apply(ctx, args, what, "-w", setting, res, err);
        free(setting);
        free(what);
    }
    if (ret == 0 && !ctx->check_mode && write_file) {
        fixed_file(job, &text);
        ret = mod_put(ctx, file, text.ptr, text.len, job->exists ? job->mode : 0644, false, res,
                      err);
    }
    if (ret == 0 && !ctx->check_mode && changed && reload) {
        ret = apply(ctx, args, "Failed to reload sysctl", "-p", file, res, err);
    }
    if (ret == 0) {
        res->status = changed ? RESULT_CHANGED : RESULT_OK;
    }
    buf_release(&text);
    return ret;
}

static int sysctl_run(struct module_ctx *ctx, const struct margs *args, struct result *res,
                      struct err *err)
{
    const char *value = margs_str(args, "value");
    const char *file = margs_str(args, "sysctl_file");
    struct sysctl_job job = {
        .name = str_trim(margs_str(args, "name")),
        .value = parse_value(value),
        .present = strcmp(margs_str(args, "state"), "present") == 0,
    };
    int ret = 0;

    if (job.present && !value) {
        result_fail(res, "state is present but all of the following are missing: value");
    } else if (!*job.name) {
        result_fail(res, "name cannot be blank");
    } else if (job.present && !*value) {
        result_fail(res, "value cannot be blank");
    } else {
        ret = read_state(ctx, file, &job, res, err);
        if (ret == 0) {
            ret = process(ctx, args, file, &job, res, err);
        }
    }
    free(job.name);
    free(job.value);
    free(job.proc_value);
    free(job.file_value);
    svec_release(&job.lines);
    return ret < 0 ? -1 : 0;
}

const struct module module_sysctl = {
    .name = "sysctl",
    .collection = "ansible.posix",
    .args = sysctl_args,
    .flags = MOD_CHECK_MODE,
    .run = sysctl_run,
};
