/*
 * adhoc.c - the shared machinery of `pot ping` and `pot exec`: inventory and host selection,
 * per-host connection and become settings, the parallel run, and Ansible-like error lines.
 */
#include "pot.h"
#include <string.h>
#include <strings.h>
#include "base/fs.h"
#include "base/log.h"
#include "base/pool.h"
#include "base/xalloc.h"
#include "cli/adhoc.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "conn/conn-settings.h"
#include "inventory/inv.h"
#include "value/val.h"
#include "value/val-json.h"

#define DEFAULT_FORKS 50

#define AT(field) OPT_AT(struct adhoc_opts, field)
const struct opt adhoc_options[] = {
    { OPT_LIST, "inventory", 'i', AT(inventories), "INV",
      "inventory file, directory or host list (repeatable)" },
    { OPT_STRING, "limit", 'l', AT(limit), "PATTERN", "further limit the selected hosts" },
    { OPT_INT, "forks", 'f', AT(forks), "N", "hosts worked on in parallel (default 50)" },
    { OPT_COUNT, "verbose", 'v', AT(verbose), NULL, "more diagnostics (-vvv: debug)" },
    { OPT_BOOL, "become", 'b', AT(become), NULL,
      "use sudo (or ansible_become_method) on the hosts" },
    { OPT_STRING, "become-user", 0, AT(become_user), "USER", "become this user (default root)" },
    { OPT_STRING, "become-password-file", 0, AT(become_password_file), "FILE",
      "read the become password from FILE (else ansible_become_password)" },
    { 0 },
};
#undef AT

int adhoc_parse(int argc, char **argv, struct adhoc_opts *o, char **command, struct err *err)
{
    struct svec positional = SVEC_INIT;
    struct buf cmd = BUF_INIT;
    int end = argc;
    int ret = -1;

    *command = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            end = i;
            break;
        }
    }
    if (opt_parse(adhoc_options, o, end - 1, argv + 1, &positional, err) < 0) {
        goto out;
    }
    if (positional.len > 1) {
        err_set(err, ERR_USAGE, "%s: only one host pattern may be given, not '%s'", argv[0],
                positional.items[1]);
        goto out;
    }
    if (positional.len == 1) {
        o->pattern = xstrdup(positional.items[0]);
    }
    for (int i = end + 1; i < argc; i++) {
        buf_addf(&cmd, "%s%s", cmd.len ? " " : "", argv[i]);
    }
    if (end < argc) {
        *command = buf_detach(&cmd, NULL);
    }
    ret = 0;
out:
    buf_release(&cmd);
    svec_release(&positional);
    return ret;
}

static int read_password_file(const char *path, char **out, struct err *err)
{
    struct buf text = BUF_INIT;

    if (fs_read_file(path, &text, err) < 0) {
        return err_prefix(err, "--become-password-file: ");
    }
    while (text.len && (text.ptr[text.len - 1] == '\n' || text.ptr[text.len - 1] == '\r')) {
        buf_truncate(&text, text.len - 1);
    }
    *out = buf_detach(&text, NULL);
    log_add_secret(*out);
    return 0;
}

/* ansible_become*, overridden by -b / --become-user / --become-password-file. */
static int set_become(struct adhoc_host *h, const struct val *vars, const struct adhoc_opts *o,
                      const char *file_password, struct err *err)
{
    const struct val *on = val_dict_get(vars, "ansible_become");
    bool wanted = o->become || (on && val_truthy(on) &&
                                !(val_is_str(on) && strcasecmp(val_cstr(on), "false") == 0));

    if (conn_become_from_vars(&h->become, &h->store, h->name, vars, wanted, err) < 0) {
        return -1;
    }
    if (wanted && o->become_user) {
        svec_push(&h->store, o->become_user);
        h->become.user = h->store.items[h->store.len - 1];
    }
    if (wanted && file_password) {
        svec_push(&h->store, file_password);
        h->become.password = h->store.items[h->store.len - 1];
    }
    return 0;
}

static int setup_host(struct adhoc *a, struct adhoc_host *h, const struct inv_host *ih,
                      const struct adhoc_opts *o, const char *file_password, struct err *err)
{
    struct val *vars = inv_host_vars(a->inv, ih);
    int ret = -1;

    h->name = ih->name;
    h->out = (struct buf)BUF_INIT;
    h->errout = (struct buf)BUF_INIT;
    if (conn_settings_from_vars(&h->settings, &h->store, ih->name, vars, err) < 0 ||
        set_become(h, vars, o, file_password, err) < 0) {
        goto out;
    }
    h->conn = conn_new(&h->settings, err);
    ret = h->conn ? 0 : -1;
out:
    val_unref(vars);
    return ret;
}

static int load_inventories(struct adhoc *a, const struct adhoc_opts *o, struct err *err)
{
    if (o->inventories.len == 0) {
        return err_set(err, ERR_USAGE, "no inventory given: use -i INVENTORY");
    }
    a->inv = inv_new();
    for (size_t i = 0; i < o->inventories.len; i++) {
        if (inv_load(a->inv, o->inventories.items[i], err) < 0) {
            return -1;
        }
    }
    return inv_finish(a->inv, err);
}

int adhoc_load(struct adhoc *a, const struct adhoc_opts *o, struct err *err)
{
    struct vec matched = VEC_INIT;
    struct svec warnings = SVEC_INIT;
    char *file_password = NULL;
    int ret = -1;

    memset(a, 0, sizeof(*a));
    a->forks = o->forks > 0 ? o->forks : DEFAULT_FORKS;
    if (load_inventories(a, o, err) < 0 ||
        inv_match(a->inv, o->pattern ? o->pattern : "all", o->limit, &matched, &warnings,
                  err) < 0) {
        goto out;
    }
    for (size_t i = 0; i < warnings.len; i++) {
        fprintf(stderr, "[WARNING]: %s\n", warnings.items[i]);
    }
    if (matched.len == 0) {
        err_set(err, ERR_USAGE, "no hosts matched the pattern '%s'%s%s%s",
                o->pattern ? o->pattern : "all", o->limit ? " with --limit '" : "",
                o->limit ? o->limit : "", o->limit ? "'" : "");
        goto out;
    }
    if (o->become_password_file &&
        read_password_file(o->become_password_file, &file_password, err) < 0) {
        goto out;
    }
    a->hosts = xcalloc(matched.len, sizeof(*a->hosts));
    for (size_t i = 0; i < matched.len; i++) {
        a->count = i + 1;
        if (setup_host(a, &a->hosts[i], matched.items[i], o, file_password, err) < 0) {
            goto out;
        }
    }
    ret = 0;
out:
    if (file_password) {
        explicit_bzero(file_password, strlen(file_password));
        free(file_password);
    }
    svec_release(&warnings);
    vec_release(&matched);
    return ret;
}

struct run_job {
    struct adhoc *a;
    const char *cmd;
    bool with_become;
    void (*done)(size_t index, void *arg);
    void *arg;
};

static void work(size_t index, void *p)
{
    struct run_job *job = p;
    struct adhoc_host *h = &job->a->hosts[index];
    struct exec_req req = { .cmd = job->cmd };
    struct exec_result res = { .out = &h->out, .err = &h->errout };

    if (job->with_become && h->become.method != BECOME_NONE) {
        req.become = &h->become;
    }
    err_clear(&h->err);
    if (conn_open(h->conn, &h->err) < 0) {
        h->unreachable = true;
        return;
    }
    if (conn_exec(h->conn, &req, &res, &h->err) < 0) {
        h->unreachable = h->err.kind == ERR_UNREACHABLE;
        return;
    }
    h->status = res.status;
}

static void job_done(size_t index, void *p)
{
    struct run_job *job = p;

    job->done(index, job->arg);
}

void adhoc_run(struct adhoc *a, const char *cmd, bool with_become,
               void (*done)(size_t index, void *arg), void *arg)
{
    struct run_job job = { a, cmd, with_become, done, arg };

    pool_run(a->count, a->forks, work, job_done, &job);
}

int adhoc_print_error(const struct adhoc_host *h)
{
    struct val *result = val_dict();
    struct buf line = BUF_INIT;
    char prefix[512];
    const char *msg = h->err.msg;

    snprintf(prefix, sizeof(prefix), "host '%s': ", h->name);
    if (strncmp(msg, prefix, strlen(prefix)) == 0) {
        msg += strlen(prefix);
    }
    val_dict_set_take(result, "changed", val_bool(false));
    val_dict_set_take(result, "msg", val_str(msg));
    if (h->unreachable) {
        val_dict_set_take(result, "unreachable", val_bool(true));
    }
    buf_addf(&line, "%s | %s => ", h->name, h->unreachable ? "UNREACHABLE!" : "FAILED!");
    val_to_json(result, &line, -1, 0);
    log_redact(&line);
    printf("%s\n", line.ptr);
    fflush(stdout);
    buf_release(&line);
    val_unref(result);
    return h->unreachable ? POT_EXIT_INPUT : POT_EXIT_FAILED;
}

void adhoc_release(struct adhoc *a)
{
    for (size_t i = 0; i < a->count; i++) {
        struct adhoc_host *h = &a->hosts[i];

        conn_free(h->conn);
        for (size_t k = 0; k < h->store.len; k++) {
            explicit_bzero(h->store.items[k], strlen(h->store.items[k]));
        }
        svec_release(&h->store);
        buf_release(&h->out);
        buf_release(&h->errout);
    }
    free(a->hosts);
    if (a->inv) {
        inv_free(a->inv);
    }
    memset(a, 0, sizeof(*a));
}

void adhoc_opts_release(struct adhoc_opts *o)
{
    svec_release(&o->inventories);
    free((char *)o->pattern);
}
