/*
 * residue-hosts.c - residue snapshots of inventory hosts: each host reached with its connection
 * variables, the collector run on it as root (worker threads, base/pool.h), then its baseline
 * stored or its fresh snapshot compared with the baseline; what each host has to say reported
 * on the calling thread in host order.
 */
#include "pot.h"
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/pool.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "conn/conn-settings.h"
#include "conn/conn.h"
#include "inventory/inv.h"
#include "residue/residue.h"
#include "value/val.h"

#define FORKS 20
#define COLLECT_TIMEOUT_S 900
#define DEFAULT_CHECK_PATH "/data"

struct host_job {
    const char *name;             /* borrowed: from the caller's host list */
    struct conn_settings settings;
    struct svec store;            /* owned: the strings 'settings' and 'become' point at */
    struct become become;         /* BECOME_NONE when the login user is root */
    struct conn *conn;            /* owned: not yet opened until the worker runs */
    char *check_path;             /* owned */
    struct svec ignore;           /* owned: residue_ignore, absolute, no trailing '/' */
    struct residue_snapshot base; /* owned: check: the baseline; record: the one kept */
    bool keep;                    /* record: a baseline is there and is kept */
    /* outcome, written by the worker */
    bool unreachable;
    struct err err;               /* kind ERR_NONE when the host was done */
    struct svec lines;            /* owned: what to report, without the host prefix */
};

struct run {
    struct host_job *jobs; /* owned array */
    size_t count;
    const char *dir;       /* borrowed */
    bool check;
    const struct residue_report *rep; /* borrowed */
    bool *finished;        /* owned: per job, set on the calling thread */
    size_t reported;       /* jobs before this one were reported */
    int dirty;
};

/* ---- host settings from the inventory ---- */

/* 'value' is a usable path for the collector: absolute, without tab or newline. */
static bool usable_path(const char *value)
{
    return value && value[0] == '/' && !strpbrk(value, "\t\n");
}

static int path_var(const struct host_job *h, const char *var, const char *value,
                    struct err *err)
{
    if (!usable_path(value)) {
        return err_set(err, ERR_USAGE, "host '%s': variable '%s' must hold absolute paths, not "
                       "'%s'", h->name, var, value ? value : "(not a string)");
    }
    return 0;
}

static void push_ignore(struct host_job *h, const char *path)
{
    size_t n = strlen(path);

    while (n > 1 && path[n - 1] == '/') {
        n--;
    }
    svec_push_take(&h->ignore, xstrndup(path, n));
}

/* check_path (default /data) and residue_ignore (a list, or one path as a string). */
static int read_paths(struct host_job *h, const struct val *vars, struct err *err)
{
    const struct val *check = val_dict_get(vars, "check_path");
    const struct val *ignore = val_dict_get(vars, "residue_ignore");

    if (check && path_var(h, "check_path", val_cstr(check), err) < 0) {
        return -1;
    }
    h->check_path = xstrdup(check ? val_cstr(check) : DEFAULT_CHECK_PATH);
    if (!ignore) {
        return 0;
    }
    if (ignore->type != VAL_LIST) {
        if (path_var(h, "residue_ignore", val_cstr(ignore), err) < 0) {
            return -1;
        }
        push_ignore(h, val_cstr(ignore));
        return 0;
    }
    for (size_t i = 0; i < val_list_len(ignore); i++) {
        const char *path = val_cstr(val_list_get(ignore, i));

        if (path_var(h, "residue_ignore", path, err) < 0) {
            return -1;
        }
        push_ignore(h, path);
    }
    return 0;
}

static bool logs_in_as_root(const struct conn_settings *s)
{
    if (strcmp(s->transport, "local") == 0 || !s->user) {
        return geteuid() == 0;
    }
    return strcmp(s->user, "root") == 0;
}

/* Root for the collector: nothing when the login user is root, else the host's become method
 * and password towards root (whatever ansible_become_user says). */
static int become_root(struct host_job *h, const struct val *vars, struct err *err)
{
    if (conn_become_from_vars(&h->become, &h->store, h->name, vars,
                              !logs_in_as_root(&h->settings), err) < 0) {
        return -1;
    }
    h->become.user = NULL;
    return 0;
}

static int setup_job(struct host_job *h, const struct inventory *inv, const char *inventory,
                     struct err *err)
{
    const struct inv_host *ih = inv_find_host(inv, h->name);
    struct val *vars = NULL;
    int ret = -1;

    if (!ih) {
        return err_set(err, ERR_USAGE, "host '%s' is not in the inventory '%s'", h->name,
                       inventory);
    }
    if (strchr(h->name, '/')) {
        return err_set(err, ERR_USAGE, "host '%s': a name with '/' cannot name a snapshot file",
                       h->name);
    }
    vars = inv_host_vars(inv, ih);
    if (conn_settings_from_vars(&h->settings, &h->store, h->name, vars, err) < 0 ||
        become_root(h, vars, err) < 0 || read_paths(h, vars, err) < 0) {
        goto out;
    }
    /* fails early (ERR_USAGE) on an unknown transport */
    h->conn = conn_new(&h->settings, err);
    ret = h->conn ? 0 : -1;
out:
    val_unref(vars);
    return ret;
}

static void job_release(struct host_job *h)
{
    conn_free(h->conn);
    for (size_t k = 0; k < h->store.len; k++) {
        explicit_bzero(h->store.items[k], strlen(h->store.items[k]));
    }
    svec_release(&h->store);
    svec_release(&h->ignore);
    svec_release(&h->lines);
    free(h->check_path);
    residue_snapshot_release(&h->base);
}

static void run_release(struct run *r)
{
    for (size_t i = 0; i < r->count; i++) {
        job_release(&r->jobs[i]);
    }
    free(r->jobs);
    free(r->finished);
}

/* What pot itself writes while it works must not count as residue of the host it runs on (the
 * installer node is often in the inventory too): the snapshots' directory, or all of pot's state
 * (<data_dir>/pot: journal, logs, snapshots) when 'dir' is residue_dir()'s. Absolute (new). */
static char *own_state_dir(const char *dir)
{
    char cwd[4096];
    char *abs = dir[0] == '/' || !getcwd(cwd, sizeof(cwd)) ? xstrdup(dir)
                                                          : xasprintf("%s/%s", cwd, dir);
    size_t n = strlen(abs);

    while (n > 1 && abs[n - 1] == '/') {
        abs[--n] = '\0';
    }
    if (str_ends_with(abs, "/pot/residue")) {
        abs[n - strlen("/residue")] = '\0';
    }
    return abs;
}

/* Loads the inventory and every host's settings; nothing is contacted. */
static int run_init(struct run *r, const char *inventory, const struct svec *hosts,
                    struct err *err)
{
    struct inventory *inv = inv_new();
    char *own = own_state_dir(r->dir);
    int ret = -1;

    r->count = hosts->len;
    r->jobs = xcalloc(hosts->len ? hosts->len : 1, sizeof(*r->jobs));
    r->finished = xcalloc(hosts->len ? hosts->len : 1, sizeof(*r->finished));
    for (size_t i = 0; i < hosts->len; i++) {
        r->jobs[i].name = hosts->items[i];
        residue_snapshot_init(&r->jobs[i].base, hosts->items[i], "");
    }
    if (inv_load(inv, inventory, err) < 0 || inv_finish(inv, err) < 0) {
        goto out;
    }
    for (size_t i = 0; i < hosts->len; i++) {
        if (setup_job(&r->jobs[i], inv, inventory, err) < 0) {
            goto out;
        }
        push_ignore(&r->jobs[i], own);
    }
    ret = 0;
out:
    free(own);
    inv_free(inv);
    return ret;
}

/* ---- the work on one host (worker thread) ---- */

static char *now_utc(void)
{
    char text[32];
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return xstrdup(text);
}

/* Runs the collector; on success 'snap' holds what it printed. */
static int run_collector(struct host_job *h, struct residue_snapshot *snap, struct err *err)
{
    struct residue_collect_opts o = { h->check_path, &h->ignore, NULL };
    struct svec keys = SVEC_INIT;
    struct buf out = BUF_INIT, errout = BUF_INIT;
    char *script = NULL;
    struct exec_req req = { 0 };
    struct exec_result res = { .out = &out, .err = &errout };
    int ret = -1;

    for (size_t i = 0; i < h->base.len; i++) {
        if (strcmp(h->base.entries[i].kind, "sysctl") == 0) {
            svec_push(&keys, h->base.entries[i].key);
        }
    }
    o.sysctl_keys = &keys;
    script = residue_collect_script(&o);
    /* The script goes on stdin: argv and sudo's log stay short. */
    req.cmd = "s=$(cat) && eval \"$s\"";
    req.stdin_data = script;
    req.stdin_len = strlen(script);
    req.become = h->become.method != BECOME_NONE ? &h->become : NULL;
    req.timeout_s = COLLECT_TIMEOUT_S;
    if (conn_exec(h->conn, &req, &res, err) < 0) {
        h->unreachable = err->kind == ERR_UNREACHABLE;
        goto out;
    }
    if (res.status < 0) {
        err_set(err, ERR_FAILED, "the collector did not finish within %d s", COLLECT_TIMEOUT_S);
        goto out;
    }
    if (res.status != 0) {
        while (errout.len && errout.ptr[errout.len - 1] == '\n') {
            buf_truncate(&errout, errout.len - 1);
        }
        err_set(err, ERR_FAILED, "the collector exited with status %d: %s", res.status,
                errout.len ? errout.ptr : "no message");
        goto out;
    }
    ret = residue_snapshot_add_lines(snap, out.ptr, "the collector's output", err);
out:
    free(script);
    buf_release(&errout);
    buf_release(&out);
    svec_release(&keys);
    return ret;
}

static int collect(struct host_job *h, struct residue_snapshot *snap, struct err *err)
{
    char *taken = now_utc();

    residue_snapshot_init(snap, h->name, taken);
    free(taken);
    if (conn_open(h->conn, err) < 0) {
        h->unreachable = true;
        return -1;
    }
    return run_collector(h, snap, err);
}

static void record(struct host_job *h, const char *dir)
{
    struct residue_snapshot snap;

    if (collect(h, &snap, &h->err) == 0 && residue_snapshot_save(&snap, dir, &h->err) == 0) {
        svec_pushf(&h->lines, "baseline recorded (%zu entries)", snap.len);
    }
    residue_snapshot_release(&snap);
}

static void check(struct host_job *h)
{
    struct residue_snapshot snap;

    if (collect(h, &snap, &h->err) == 0) {
        residue_snapshot_ignore(&h->base, &h->ignore);
        residue_snapshot_ignore(&snap, &h->ignore);
        residue_compare(&h->base, &snap, &h->lines);
    }
    residue_snapshot_release(&snap);
}

static void work(size_t index, void *arg)
{
    struct run *r = arg;
    struct host_job *h = &r->jobs[index];

    if (h->keep) {
        svec_pushf(&h->lines, "baseline of %s kept", h->base.time);
    } else if (r->check) {
        check(h);
    } else {
        record(h, r->dir);
    }
}

/* ---- reporting (calling thread) ---- */

static void say(const struct run *r, const char *name, const char *text)
{
    char *line;

    if (!r->rep || !r->rep->say) {
        return;
    }
    line = xasprintf("%s: %s", name, text);
    r->rep->say(r->rep->ctx, line);
    free(line);
}

/* "unreachable: WHY" or "failed: WHY", without the "host 'NAME': " that conn/ puts first. */
static void report_failure(const struct run *r, const struct host_job *h)
{
    char *prefix = xasprintf("host '%s': ", h->name);
    const char *msg = h->err.msg;
    char *text;

    if (str_starts_with(msg, prefix)) {
        msg += strlen(prefix);
    }
    text = xasprintf("%s: %s", h->unreachable ? "unreachable" : "failed", msg);
    say(r, h->name, text);
    free(text);
    free(prefix);
}

static void report_job(struct run *r, const struct host_job *h)
{
    if (h->err.kind != ERR_NONE) {
        report_failure(r, h);
        return;
    }
    if (r->check && h->lines.len == 0) {
        say(r, h->name, "clean");
        return;
    }
    r->dirty += r->check ? 1 : 0;
    for (size_t i = 0; i < h->lines.len; i++) {
        say(r, h->name, h->lines.items[i]);
    }
}

static void done(size_t index, void *arg)
{
    struct run *r = arg;

    r->finished[index] = true;
    while (r->reported < r->count && r->finished[r->reported]) {
        report_job(r, &r->jobs[r->reported]);
        r->reported++;
    }
}

/* After every host ran: an error naming the hosts that were not done. */
static int outcome(const struct run *r, struct err *err)
{
    struct buf names = BUF_INIT;
    bool unreachable = false;
    int ret = 0;

    for (size_t i = 0; i < r->count; i++) {
        const struct host_job *h = &r->jobs[i];

        if (h->err.kind != ERR_NONE) {
            buf_addf(&names, "%s'%s'", names.len ? ", " : "", h->name);
            unreachable = unreachable || h->unreachable;
        }
    }
    if (names.len) {
        ret = err_set(err, unreachable ? ERR_UNREACHABLE : ERR_FAILED,
                      "no snapshot could be taken of %s (see above)", names.ptr);
    }
    buf_release(&names);
    return ret;
}

static int run_all(struct run *r, struct err *err)
{
    pool_run(r->count, FORKS, work, done, r);
    return outcome(r, err);
}

/* ---- the API ---- */

/* record: marks the hosts whose baseline is kept (their snapshot header read for its time). */
static int find_kept(struct run *r, struct err *err)
{
    for (size_t i = 0; i < r->count; i++) {
        struct host_job *h = &r->jobs[i];
        char *path = residue_snapshot_path(r->dir, h->name);
        bool there = fs_exists(path);

        free(path);
        if (!there) {
            continue;
        }
        residue_snapshot_release(&h->base);
        if (residue_snapshot_load(&h->base, r->dir, h->name, err) < 0) {
            return -1;
        }
        h->keep = true;
    }
    return 0;
}

int residue_baseline(const char *inventory, const struct svec *hosts, const char *dir,
                     bool replace, const struct residue_report *rep, struct err *err)
{
    struct run r = { .dir = dir, .check = false, .rep = rep };
    int ret = -1;

    if (run_init(&r, inventory, hosts, err) < 0 || (!replace && find_kept(&r, err) < 0)) {
        goto out;
    }
    ret = run_all(&r, err);
out:
    run_release(&r);
    return ret;
}

/* check: every host's baseline, or an ERR_USAGE error naming those without one. */
static int load_baselines(struct run *r, struct err *err)
{
    struct buf quoted = BUF_INIT, plain = BUF_INIT;
    size_t missing = 0;
    int ret = 0;

    for (size_t i = 0; i < r->count; i++) {
        char *path = residue_snapshot_path(r->dir, r->jobs[i].name);

        if (!fs_exists(path)) {
            buf_addf(&quoted, "%s'%s'", missing ? ", " : "", r->jobs[i].name);
            buf_addf(&plain, "%s%s", missing ? " " : "", r->jobs[i].name);
            missing++;
        }
        free(path);
    }
    if (missing) {
        ret = err_set(err, ERR_USAGE, "no snapshot of %s in '%s'; `pot diff-host --record %s` "
                      "takes %s", quoted.ptr, r->dir, plain.ptr, missing == 1 ? "one" : "them");
    }
    for (size_t i = 0; ret == 0 && i < r->count; i++) {
        struct host_job *h = &r->jobs[i];

        residue_snapshot_release(&h->base);
        ret = residue_snapshot_load(&h->base, r->dir, h->name, err);
    }
    buf_release(&plain);
    buf_release(&quoted);
    return ret;
}

int residue_check(const char *inventory, const struct svec *hosts, const char *dir,
                  const struct residue_report *rep, int *dirty, struct err *err)
{
    struct run r = { .dir = dir, .check = true, .rep = rep };
    int ret = -1;

    *dirty = 0;
    if (run_init(&r, inventory, hosts, err) < 0 || load_baselines(&r, err) < 0) {
        goto out;
    }
    ret = run_all(&r, err);
    *dirty = r.dirty;
out:
    run_release(&r);
    return ret;
}

char *residue_dir(const char *data_dir)
{
    return xasprintf("%s/pot/residue", data_dir);
}
