/*
 * mod-run.c - runs a command line on the host and reports it like Ansible's command module;
 * evaluates creates/removes globs and chdir on the host first.
 */
#include "pot.h"
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include "base/buf.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "conn/conn.h"
#include "conn/shell-quote.h"
#include "modules/args.h"
#include "modules/mod-run.h"
#include "modules/mod-util.h"
#include "value/val.h"

/* Python's str(datetime.now()): "2024-05-01 12:00:00.123456". */
static struct val *format_time(const struct timeval *tv)
{
    struct tm tm;
    char stamp[32];

    localtime_r(&tv->tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
    return val_strf("%s.%06ld", stamp, (long)tv->tv_usec);
}

/* Python's str(timedelta): "0:00:01.002003". */
static struct val *format_delta(const struct timeval *a, const struct timeval *b)
{
    long long us = (long long)(b->tv_sec - a->tv_sec) * 1000000 + (b->tv_usec - a->tv_usec);
    long long s = us / 1000000;

    return val_strf("%lld:%02lld:%02lld.%06lld", s / 3600, s / 60 % 60, s % 60, us % 1000000);
}

static void strip_ends(struct buf *b)
{
    while (b->len && (b->ptr[b->len - 1] == '\n' || b->ptr[b->len - 1] == '\r')) {
        buf_truncate(b, b->len - 1);
    }
}

int mod_run(struct module_ctx *ctx, const char *cmdline, const struct mod_run_opts *opts,
            struct result *res, struct err *err)
{
    struct buf out = BUF_INIT, errout = BUF_INIT;
    struct exec_req req = {
        .cmd = cmdline,
        .stdin_data = opts->stdin_data,
        .stdin_len = opts->stdin_len,
        .become = ctx->become,
        .env = ctx->env,
        .chdir = opts->chdir,
    };
    struct exec_result er = { .out = &out, .err = &errout };
    struct timeval start, end;
    int ret = -1;

    gettimeofday(&start, NULL);
    if (conn_exec(ctx->conn, &req, &er, err) < 0) {
        goto out;
    }
    gettimeofday(&end, NULL);
    if (opts->strip) {
        strip_ends(&out);
        strip_ends(&errout);
    }
    val_dict_set_take(res->data, "rc", val_int(er.status));
    val_dict_set_take(res->data, "stdout", val_strn(out.ptr, out.len));
    val_dict_set_take(res->data, "stderr", val_strn(errout.ptr, errout.len));
    val_dict_set_take(res->data, "stdout_lines", mod_split_lines(out.ptr));
    val_dict_set_take(res->data, "stderr_lines", mod_split_lines(errout.ptr));
    if (opts->timings) {
        val_dict_set_take(res->data, "start", format_time(&start));
        val_dict_set_take(res->data, "end", format_time(&end));
        val_dict_set_take(res->data, "delta", format_delta(&start, &end));
    }
    res->status = RESULT_CHANGED;
    /* Ansible reports changed=true even when the command failed */
    val_dict_set_take(res->data, "changed", val_bool(true));
    if (er.status != 0) {
        result_fail(res, "non-zero return code");
    }
    ret = 0;
out:
    buf_release(&out);
    buf_release(&errout);
    return ret;
}

/* A glob for sh: glob characters stay bare, everything else is quoted. */
static void quote_glob(struct buf *out, const char *pattern)
{
    while (*pattern) {
        size_t plain = strcspn(pattern, "*?[]");
        size_t globby;

        if (plain) {
            char *part = xstrndup(pattern, plain);

            sh_quote(out, part);
            free(part);
        }
        pattern += plain;
        globby = strspn(pattern, "*?[]");
        buf_add(out, pattern, globby);
        pattern += globby;
    }
}

/* Prints "nodir" when chdir fails, then "yes" for each of creates/removes that matches. */
static void guard_script(const char *chdir, const char *creates, const char *removes,
                         struct buf *s)
{
    const char *globs[] = { creates, removes };

    if (chdir) {
        buf_adds(s, "cd ");
        sh_quote(s, chdir);
        buf_adds(s, " 2>/dev/null || { echo nodir; exit 0; }\n");
    }
    for (size_t i = 0; i < 2; i++) {
        if (!globs[i]) {
            buf_adds(s, "echo -\n");
            continue;
        }
        buf_adds(s, "m=no; for f in ");
        quote_glob(s, globs[i]);
        buf_adds(s, "; do if [ -e \"$f\" ] || [ -L \"$f\" ]; then m=yes; fi; done; echo $m\n");
    }
}

static void skip_with(struct result *res, const char *msg, const char *stdout_text)
{
    mod_set_str(res, "msg", msg);
    mod_set_str(res, "stdout", stdout_text);
    val_dict_set_take(res->data, "rc", val_int(0));
    val_dict_set_take(res->data, "changed", val_bool(false));
    res->status = RESULT_OK;
    free(res->msg);
    res->msg = xstrdup(msg);
}

int mod_run_with_stdin(struct module_ctx *ctx, const char *cmdline, struct mod_run_opts *opts,
                       const struct margs *args, struct result *res, struct err *err)
{
    char *stdin_text = NULL;
    int ret;

    if (margs_has(args, "stdin")) {
        stdin_text = xasprintf("%s%s", margs_str(args, "stdin"),
                               margs_bool(args, "stdin_add_newline") ? "\n" : "");
        opts->stdin_data = stdin_text;
        opts->stdin_len = strlen(stdin_text);
    }
    ret = mod_run(ctx, cmdline, opts, res, err);
    if (ret == 0 && res->status != RESULT_FAILED && !val_dict_has(res->data, "msg")) {
        mod_set_str(res, "msg", ""); /* command and shell always return one */
    }
    free(stdin_text);
    return ret;
}

int mod_run_guards(struct module_ctx *ctx, const struct margs *args, const char *verb,
                   struct result *res, bool *done, struct err *err)
{
    const char *chdir = margs_str(args, "chdir");
    const char *creates = margs_str(args, "creates");
    const char *removes = margs_str(args, "removes");
    struct buf script = BUF_INIT, out = BUF_INIT;
    struct svec lines = SVEC_INIT;
    int status = 0;
    int ret = -1;
    char *msg = NULL, *text = NULL;

    *done = false;
    if (!chdir && !creates && !removes) {
        return 0;
    }
    guard_script(chdir, creates, removes, &script);
    if (mod_exec(ctx, script.ptr, NULL, 0, &out, NULL, &status, err) < 0) {
        goto out;
    }
    svec_split_lines(&lines, out.ptr);
    ret = 0;
    *done = true;
    if (lines.len > 0 && strcmp(lines.items[0], "nodir") == 0) {
        result_fail(res, "Unable to change directory before execution: [Errno 2] No such file "
                         "or directory: '%s'", chdir);
    } else if (lines.len >= 2 && strcmp(lines.items[0], "yes") == 0) {
        msg = xasprintf("%s not run command since '%s' exists", verb, creates);
        text = xasprintf("skipped, since %s exists", creates);
    } else if (lines.len >= 2 && strcmp(lines.items[1], "no") == 0) {
        msg = xasprintf("%s not run command since '%s' does not exist", verb, removes);
        text = xasprintf("skipped, since %s does not exist", removes);
    } else {
        *done = false;
    }
    if (msg) {
        skip_with(res, msg, text);
    }
out:
    free(msg);
    free(text);
    svec_release(&lines);
    buf_release(&out);
    buf_release(&script);
    return ret;
}
