/*
 * mod-wait-for.c - the `wait_for` module: waits on the host, in one exec, for a TCP port to open
 * (started), close (stopped) or have no established connections (drained), for a file to appear
 * (present/started, optionally containing search_regex) or disappear (absent), or just sleeps.
 *
 * The wait loop is a POSIX sh script. A port is probed by connecting to it: bash's /dev/tcp
 * under coreutils' `timeout` when bash exists, else `nc -z`; drained uses `ss`. search_regex is
 * matched per line with `grep -P` (PCRE, as Python's re) while waiting, or `grep -E` where -P is
 * missing; then match_groups come from the file's content with Python's re semantics (PCRE2).
 */
#include "pot.h"
#include <string.h>
#include <time.h>
#include "base/buf.h"
#include "base/xalloc.h"
#include "conn/conn.h"
#include "conn/shell-quote.h"
#include "modules/args.h"
#include "modules/mod-util.h"
#include "python/py-re.h"
#include "value/val.h"

static const struct arg_spec wait_for_args[] = {
    { .name = "connect_timeout", .type = ARG_INT, .def = "5" },
    { .name = "delay", .type = ARG_INT, .def = "0" },
    { .name = "host", .type = ARG_STR, .def = "127.0.0.1" },
    { .name = "msg", .type = ARG_STR },
    { .name = "path", .type = ARG_PATH },
    { .name = "port", .type = ARG_INT },
    { .name = "search_regex", .type = ARG_STR },
    { .name = "sleep", .type = ARG_INT, .def = "1" },
    { .name = "state", .type = ARG_CHOICE, .def = "started",
      .choices = "absent,drained,present,started,stopped" },
    { .name = "timeout", .type = ARG_INT, .def = "300" },
    { 0 },
};

static const char PORT_UP[] =
    "up() { if command -v bash >/dev/null 2>&1; then timeout \"$ct\" bash -c "
    "'exec 3<>\"/dev/tcp/$0/$1\"' \"$h\" \"$p\" 2>/dev/null; "
    "else nc -z -w \"$ct\" \"$h\" \"$p\" 2>/dev/null; fi; }\n";

/* The sh condition that ends the wait. */
static const char *condition(const struct margs *args)
{
    const char *state = margs_str(args, "state");
    bool port = margs_has(args, "port");

    if (!port && !margs_has(args, "path") && strcmp(state, "drained") != 0) {
        return "false";
    }
    if (strcmp(state, "drained") == 0) {
        return "! ss -Htn state established \"( sport = :$p )\" 2>/dev/null | grep -q .";
    }
    if (strcmp(state, "stopped") == 0) {
        return "! up";
    }
    if (strcmp(state, "absent") == 0) {
        return port ? "! up" : "[ ! -e \"$f\" ]";
    }
    if (port) {
        return "up";
    }
    if (margs_has(args, "search_regex")) {
        return "[ -e \"$f\" ] && { grep -Pq -- \"$r\" \"$f\" 2>/dev/null || "
               "grep -Eq -- \"$r\" \"$f\" 2>/dev/null; }";
    }
    return "[ -e \"$f\" ]";
}

static void set_var(struct buf *s, const char *name, const char *value)
{
    buf_addf(s, "%s=", name);
    sh_quote(s, value ? value : "");
    buf_addc(s, '\n');
}

/* Prints "ok" when the condition was met, "timeout" when the time ran out. */
static void wait_script(const struct margs *args, struct buf *s)
{
    set_var(s, "h", margs_str(args, "host"));
    buf_addf(s, "p=%lld\nct=%lld\nt=%lld\nd=%lld\nsl=%lld\n",
             (long long)margs_int(args, "port", 0),
             (long long)margs_int(args, "connect_timeout", 5),
             (long long)margs_int(args, "timeout", 300), (long long)margs_int(args, "delay", 0),
             (long long)margs_int(args, "sleep", 1));
    set_var(s, "f", margs_str(args, "path"));
    set_var(s, "r", margs_str(args, "search_regex"));
    buf_adds(s, PORT_UP);
    buf_adds(s, "end=$(( $(date +%s) + t ))\nsleep \"$d\"\n");
    if (strcmp(condition(args), "false") == 0) {
        buf_adds(s, "sleep \"$t\"\necho ok\nexit 0\n");
        return;
    }
    buf_addf(s, "while :; do\n  if %s; then echo ok; exit 0; fi\n"
                "  [ \"$(date +%%s)\" -ge \"$end\" ] && { echo timeout; exit 0; }\n"
                "  sleep \"$sl\"\ndone\n",
             condition(args));
}

/* Ansible's timeout messages. Returns a new string. */
static char *timeout_msg(const struct margs *args)
{
    const char *state = margs_str(args, "state");
    const char *host = margs_str(args, "host");
    const char *path = margs_str(args, "path");
    const char *re = margs_str(args, "search_regex");
    long long port = (long long)margs_int(args, "port", 0);

    if (margs_has(args, "msg")) {
        return xstrdup(margs_str(args, "msg"));
    }
    if (strcmp(state, "drained") == 0) {
        return xasprintf("Timeout when waiting for %s:%lld to drain", host, port);
    }
    if (strcmp(state, "stopped") == 0 || strcmp(state, "absent") == 0) {
        return margs_has(args, "port")
                   ? xasprintf("Timeout when waiting for %s:%lld to stop.", host, port)
                   : xasprintf("Timeout when waiting for %s to be absent.", path);
    }
    if (margs_has(args, "port")) {
        return re ? xasprintf("Timeout when waiting for search string %s in %s:%lld", re, host,
                              port)
                  : xasprintf("Timeout when waiting for %s:%lld", host, port);
    }
    return re ? xasprintf("Timeout when waiting for search string %s in %s", re, path)
              : xasprintf("Timeout when waiting for file %s", path);
}

/* Ansible's argument checks; returns 0, or 1 with res failed. */
static int validate(const struct margs *args, struct result *res)
{
    const char *state = margs_str(args, "state");
    const char *why = NULL;

    if (margs_has(args, "port") && margs_has(args, "path")) {
        why = "port and path parameter can not both be passed to wait_for";
    } else if (margs_has(args, "path") && strcmp(state, "stopped") == 0) {
        why = "state=stopped should only be used for checking a port in the wait_for module";
    } else if (margs_has(args, "path") && strcmp(state, "drained") == 0) {
        why = "state=drained should only be used for checking a port in the wait_for module";
    } else if (margs_has(args, "port") && margs_has(args, "search_regex")) {
        why = "search_regex on a port is not supported by pot's wait_for";
    }
    if (why) {
        val_dict_set_take(res->data, "elapsed", val_int(0));
        result_fail(res, "%s", why);
        return 1;
    }
    return 0;
}

static void report(const struct margs *args, int64_t elapsed, struct result *res)
{
    const char *re = margs_str(args, "search_regex");
    const char *path = margs_str(args, "path");

    mod_set_str(res, "state", margs_str(args, "state"));
    val_dict_set_take(res->data, "port", margs_has(args, "port")
                                             ? val_int(margs_int(args, "port", 0))
                                             : val_null());
    val_dict_set_take(res->data, "search_regex", re ? val_str(re) : val_null());
    val_dict_set_take(res->data, "match_groups", val_list());
    val_dict_set_take(res->data, "match_groupdict", val_dict());
    val_dict_set_take(res->data, "path", path ? val_str(path) : val_null());
    val_dict_set_take(res->data, "elapsed", val_int(elapsed));
}

/* match_groups/match_groupdict of search_regex over the file's content, as re.search with
 * re.MULTILINE finds them. Returns 0, -1 when unreachable. */
static int add_groups(struct module_ctx *ctx, const struct margs *args, struct result *res,
                      struct err *err)
{
    const char *re = margs_str(args, "search_regex");
    const char *path = margs_str(args, "path");
    struct buf text = BUF_INIT;
    struct err ferr = ERR_INIT;
    struct py_re rx = { 0 };
    char why[300];
    int ret = 0;

    if (!re || !path || margs_has(args, "port") ||
        strcmp(margs_str(args, "state"), "absent") == 0) {
        return 0;
    }
    if (conn_fetch(ctx->conn, path, &text, ctx->become, &ferr) < 0) {
        ret = ferr.kind == ERR_UNREACHABLE ? (*err = ferr, -1) : 0;
        goto out;
    }
    if (py_re_compile(&rx, re, strlen(re), PY_RE_MULTILINE, why, sizeof(why)) == 0 &&
        py_re_exec(&rx, text.ptr, text.len, 0, 0) > 0) {
        py_re_groups(&rx, text.ptr, val_dict_get(res->data, "match_groups"),
                     val_dict_get(res->data, "match_groupdict"));
    }
out:
    py_re_free(&rx);
    buf_release(&text);
    return ret;
}

/* AnsibleModule.add_path_info: an existing 'path' adds its owner, mode, type and size. */
static int add_path_info(struct module_ctx *ctx, const struct margs *args, struct result *res,
                         struct err *err)
{
    const char *path = margs_str(args, "path");

    return path ? mod_add_path_info(ctx, path, res, err) : 0;
}

static int wait_for_run(struct module_ctx *ctx, const struct margs *args, struct result *res,
                        struct err *err)
{
    struct buf script = BUF_INIT, out = BUF_INIT;
    struct timespec start, end;
    int status = 0;
    int ret = 0;
    char *msg = NULL;

    if (validate(args, res) != 0) {
        return 0;
    }
    wait_script(args, &script);
    clock_gettime(CLOCK_MONOTONIC, &start);
    ret = mod_exec(ctx, script.ptr, NULL, 0, &out, NULL, &status, err);
    clock_gettime(CLOCK_MONOTONIC, &end);
    if (ret == 0 && strncmp(out.ptr, "ok", 2) == 0) {
        report(args, (int64_t)(end.tv_sec - start.tv_sec), res);
        res->status = RESULT_OK;
        ret = add_groups(ctx, args, res, err);
        if (ret == 0) {
            ret = add_path_info(ctx, args, res, err);
        }
    } else if (ret == 0) {
        val_dict_set_take(res->data, "elapsed", val_int((int64_t)(end.tv_sec - start.tv_sec)));
        msg = timeout_msg(args);
        result_fail(res, "%s", msg);
    }
    free(msg);
    buf_release(&out);
    buf_release(&script);
    return ret;
}

const struct module module_wait_for = {
    .name = "wait_for",
    .args = wait_for_args,
    .flags = 0,
    .run = wait_for_run,
};
