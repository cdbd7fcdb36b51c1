/*
 * cmd-check.c - `pot check disk|net -i INV [PATTERN] [--json]`: the host probe (check/check.h)
 * run on every selected host in parallel (disk), or between every ordered pair of them in
 * contention-free phases (net); the numbers and a verdict per check printed per host or pair as
 * each finishes (or one JSON document at the end), and the exit code of the worst verdict.
 */
#include "pot.h"
#include <limits.h>
#include <math.h>
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/pool.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "check/check.h"
#include "cli/adhoc.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "inventory/inv.h"
#include "value/val-json.h"
#include "value/val.h"

#define DEFAULT_PATH "/data" /* the kit's check_path */
#define DEFAULT_SIZE "256M"
#define PROBE_TIMEOUT_S 900
#define DEFAULT_NET_TIME_S 5
#define DEFAULT_NET_STREAMS 4
#define DEFAULT_NET_PORT 5201 /* iperf3's */
#define TIME_NOT_GIVEN INT_MIN

struct check_args {
    struct adhoc_opts common;
    const char *path, *size; /* borrowed from argv */
    const char *report;      /* --report DIR; NULL: none */
    int time_s, streams;
    bool json, gate;
};

#define AT(field) OPT_AT(struct check_args, field)
const struct opt check_options[] = {
    { OPT_LIST, "inventory", 'i', AT(common.inventories), "INV",
      "inventory file, directory or host list (repeatable)" },
    { OPT_STRING, "limit", 'l', AT(common.limit), "PATTERN", "further limit the selected hosts" },
    { OPT_INT, "forks", 'f', AT(common.forks), "N",
      "hosts (host, disk) or pairs of one phase (net) at once (default 50)" },
    { OPT_STRING, "path", 0, AT(path), "DIR",
      "disk: directory measured on each host; it must exist (default: the host variable "
      "check_path, else " DEFAULT_PATH ")" },
    { OPT_STRING, "size", 0, AT(size), "S",
      "disk: test file size for IOPS and throughput, with K, M or G (default: the host "
      "variable check_disk_size, else " DEFAULT_SIZE "); the fdatasync test always appends "
      "22 MiB" },
    { OPT_INT, "time", 0, AT(time_s), "SECONDS",
      "net: seconds of each throughput test, one stream and parallel (default: the host "
      "variable check_net_time, else 5)" },
    { OPT_INT, "streams", 0, AT(streams), "N",
      "net: TCP connections of the parallel throughput test (default 4)" },
    { OPT_BOOL, "json", 0, AT(json), NULL, "print one JSON document instead of text" },
    { OPT_BOOL, "gate", 0, AT(gate), NULL,
      "exit 2 only when a check whose *_mandatory switch is 'true' fails; other failures and "
      "warnings are printed and exit 0 (how `pot install` runs the checks)" },
    { OPT_STRING, "report", 0, AT(report), "DIR",
      "also save the JSON document as DIR/check-host.json, check-disk.json or check-net.json "
      "and rebuild DIR/" CHECK_REPORT_HTML " from all three (the kit keeps them in "
      "/data/perfor-reports)" },
    { OPT_BOOL, "become", 'b', AT(common.become), NULL,
      "use sudo (or ansible_become_method) on the hosts" },
    { OPT_STRING, "become-user", 0, AT(common.become_user), "USER",
      "become this user (default root)" },
    { OPT_STRING, "become-password-file", 0, AT(common.become_password_file), "FILE",
      "read the become password from FILE (else ansible_become_password)" },
    { OPT_COUNT, "verbose", 'v', AT(common.verbose), NULL, "more diagnostics (-vvv: debug)" },
    { 0 },
};
#undef AT

/* One host's run: filled on a worker thread, judged and printed on the main one. */
struct host_run {
    char *dir;                   /* owned */
    struct val *probe;           /* owned; NULL when it did not run */
    int64_t before_ns, after_ns; /* host: our wall clock around the probe's run */
    struct val *entry;           /* owned: its entry of the report, until run_disk() lists it */
    struct err err;
};

struct check_run {
    struct adhoc *a;
    struct host_run *runs;
    struct check_disk_opts opts;
    const char *path; /* --path, NULL: per host */
    bool json;
    struct val *report; /* the JSON document: {"hosts": [...]} */
    enum verdict worst;
    bool mandatory_failed; /* a fail of a check whose *_mandatory switch is on */
    bool gate;             /* --gate: only mandatory_failed makes the exit code non-zero */
    bool unreachable;
    struct err usage;                 /* a threshold variable that is not a number */
    struct check_net_host *net_hosts; /* net: one per host of 'a' */
    struct val **pair_entries; /* net: the report's entry of pair (from, to) at from * n + to */
};

static struct val *host_vars(const struct adhoc *a, const char *name)
{
    return inv_host_vars(a->inv, inv_find_host(a->inv, name));
}

/* Counts a host's or pair's outcomes, marked mandatory from 'vars', into the run's verdict. */
static void note_outcomes(struct check_run *cr, struct check_list *list, const struct val *vars)
{
    check_list_mark_mandatory(list, vars);
    cr->mandatory_failed |= check_list_mandatory_failed(list);
    if (check_list_worst(list) > cr->worst) {
        cr->worst = check_list_worst(list);
    }
}

static void disk_work(size_t index, void *arg)
{
    struct check_run *cr = arg;
    struct adhoc_host *h = &cr->a->hosts[index];
    struct host_run *r = &cr->runs[index];
    struct check_disk_opts o = cr->opts;

    o.dir = r->dir;
    if (check_disk_run(h->conn, h->become.method != BECOME_NONE ? &h->become : NULL, &o, &r->probe,
                       &r->err) < 0) {
        h->unreachable = r->err.kind == ERR_UNREACHABLE;
    }
}

static void print_disk_numbers(const char *host, const char *dir, const struct val *p)
{
    const struct val *s = val_dict_get(p, "fdatasync");

    printf("%s | disk %s: fdatasync p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms; 4k random read "
           "%.0f IOPS, write %.0f IOPS (QD %.0f); sequential write %.1f MiB/s, read %.1f MiB/s\n",
           host, dir, check_number(s, "p50_us") / 1e3, check_number(s, "p99_us") / 1e3,
           check_number(s, "p999_us") / 1e3, check_number(p, "randread_iops"),
           check_number(p, "randwrite_iops"), check_number(p, "qd"),
           check_number(p, "seq_write_mibps"), check_number(p, "seq_read_mibps"));
}

static void disk_host_done(size_t index, void *arg)
{
    struct check_run *cr = arg;
    struct adhoc_host *h = &cr->a->hosts[index];
    struct host_run *r = &cr->runs[index];
    struct val *vars = host_vars(cr->a, h->name), *entry = val_dict(), *checks = val_list();
    struct check_list list = { 0 };
    const char *why = r->err.kind != ERR_NONE ? r->err.msg : NULL;

    cr->unreachable |= h->unreachable;
    if (check_disk_judge(r->probe, why, vars, &list, &cr->usage) < 0) {
        err_prefix(&cr->usage, "host '%s': ", h->name);
    }
    note_outcomes(cr, &list, vars);
    if (!cr->json && r->probe && list.len && strcmp(list.items[0].id, "disk.probe") != 0) {
        print_disk_numbers(h->name, r->dir, r->probe);
    }
    for (size_t i = 0; i < list.len; i++) {
        if (!cr->json) {
            check_outcome_print(h->name, &list.items[i]);
        }
        val_list_push_take(checks, check_outcome_json(&list.items[i]));
    }
    fflush(stdout);
    val_dict_set_take(entry, "host", val_str(h->name));
    val_dict_set_take(entry, "path", val_str(r->dir));
    val_dict_set_take(entry, "unreachable", val_bool(h->unreachable));
    val_dict_set_take(entry, "verdict", val_str(verdict_name(check_list_worst(&list))));
    val_dict_set_take(entry, "probe", r->probe ? val_ref(r->probe) : val_null());
    val_dict_set_take(entry, "checks", checks);
    r->entry = entry;
    check_list_release(&list);
    val_unref(vars);
}

/* Each host's directory: --path, else its check_path variable, else DEFAULT_PATH. */
static void pick_dirs(struct check_run *cr)
{
    for (size_t i = 0; i < cr->a->count; i++) {
        struct val *vars = host_vars(cr->a, cr->a->hosts[i].name);
        const char *var = val_dict_get_str(vars, "check_path");

        cr->runs[i].dir = xstrdup(cr->path ? cr->path : var && *var ? var : DEFAULT_PATH);
        val_unref(vars);
    }
}

/* The exit code: an unreachable host first, then the worst verdict (with --gate: a mandatory
 * check failed or not). */
static int exit_code(const struct check_run *cr)
{
    if (cr->unreachable) {
        return POT_EXIT_INPUT;
    }
    if (cr->gate) {
        return cr->mandatory_failed ? POT_EXIT_FAILED : POT_EXIT_OK;
    }
    return cr->worst == VERDICT_FAIL   ? POT_EXIT_FAILED
           : cr->worst == VERDICT_WARN ? POT_EXIT_ERROR
                                       : POT_EXIT_OK;
}

/* Sets the report's verdict, prints it with --json, and returns the exit code. */
static int finish_report(struct check_run *cr)
{
    struct buf out = BUF_INIT;

    val_dict_set_take(cr->report, "verdict", val_str(verdict_name(cr->worst)));
    if (cr->json) {
        val_to_json(cr->report, &out, 2, 0);
        log_redact(&out);
        printf("%s\n", out.ptr);
        buf_release(&out);
    }
    return exit_code(cr);
}

static int run_disk(struct check_run *cr, struct err *err)
{
    cr->runs = xcalloc(cr->a->count, sizeof(*cr->runs));
    cr->report = val_dict();
    val_dict_set_take(cr->report, "check", val_str("disk"));
    val_dict_set_take(cr->report, "version", val_int(1));
    val_dict_set_take(cr->report, "hosts", val_list());
    pick_dirs(cr);
    pool_run(cr->a->count, cr->a->forks, disk_work, disk_host_done, cr);
    for (size_t i = 0; i < cr->a->count; i++) { /* in the inventory's order */
        val_list_push_take(val_dict_get(cr->report, "hosts"), cr->runs[i].entry);
        cr->runs[i].entry = NULL;
    }
    if (cr->usage.kind != ERR_NONE) {
        *err = cr->usage;
        return -1;
    }
    return finish_report(cr);
}

/* ---- host ---- */

static void host_facts_work(size_t index, void *arg)
{
    struct check_run *cr = arg;
    struct adhoc_host *h = &cr->a->hosts[index];
    struct host_run *r = &cr->runs[index];
    struct val *vars = host_vars(cr->a, h->name);
    struct check_host_facts facts;

    if (check_host_run(h->conn, h->become.method != BECOME_NONE ? &h->become : NULL,
                       cr->opts.probe_path, vars, &facts, &r->err) < 0) {
        h->unreachable = r->err.kind == ERR_UNREACHABLE;
    }
    r->probe = facts.probe;
    r->before_ns = facts.before_ns;
    r->after_ns = facts.after_ns;
    val_unref(vars);
}

static void print_host_facts(const char *host, const struct val *p)
{
    const struct val *os = val_dict_get(p, "os");

    printf("%s | host: %s, kernel %s, %s, %.0f CPUs, %.0f MB memory, %.0f MB swap, hostname %s\n",
           host, val_dict_get_str(os, "pretty_name") ? val_dict_get_str(os, "pretty_name") : "?",
           val_dict_get_str(p, "kernel") ? val_dict_get_str(p, "kernel") : "?",
           val_dict_get_str(p, "arch") ? val_dict_get_str(p, "arch") : "?", check_number(p, "cpus"),
           check_number(p, "mem_total_mb"), check_number(p, "swap_total_mb"),
           val_dict_get_str(p, "hostname") ? val_dict_get_str(p, "hostname") : "?");
}

/* One host's entry of the report, printed unless --json; its checks are 'list'. */
static struct val *host_entry(struct check_run *cr, size_t i, const struct check_list *list)
{
    struct adhoc_host *h = &cr->a->hosts[i];
    struct val *entry = val_dict(), *checks = val_list();

    if (!cr->json && cr->runs[i].probe && !val_dict_get_str(cr->runs[i].probe, "error")) {
        print_host_facts(h->name, cr->runs[i].probe);
    }
    for (size_t k = 0; k < list->len; k++) {
        if (!cr->json) {
            check_outcome_print(h->name, &list->items[k]);
        }
        val_list_push_take(checks, check_outcome_json(&list->items[k]));
    }
    val_dict_set_take(entry, "host", val_str(h->name));
    val_dict_set_take(entry, "unreachable", val_bool(h->unreachable));
    val_dict_set_take(entry, "verdict", val_str(verdict_name(check_list_worst(list))));
    val_dict_set_take(entry, "probe", cr->runs[i].probe ? val_ref(cr->runs[i].probe) : val_null());
    val_dict_set_take(entry, "checks", checks);
    return entry;
}

/* Judges every host once all have reported (uniqueness needs them all), in inventory order. */
static void judge_hosts(struct check_run *cr)
{
    size_t n = cr->a->count;
    struct check_host_facts *facts = xcalloc(n, sizeof(*facts));
    struct check_list *lists = xcalloc(n, sizeof(*lists));
    const char **names = xcalloc(n, sizeof(*names));

    for (size_t i = 0; i < n; i++) {
        struct val *vars = host_vars(cr->a, cr->a->hosts[i].name);
        const char *why = cr->runs[i].err.kind != ERR_NONE ? cr->runs[i].err.msg : NULL;

        facts[i] = (struct check_host_facts){ .probe = cr->runs[i].probe,
                                              .before_ns = cr->runs[i].before_ns,
                                              .after_ns = cr->runs[i].after_ns };
        names[i] = cr->a->hosts[i].name;
        if (cr->usage.kind == ERR_NONE &&
            check_host_judge(&facts[i], why, vars, &lists[i], &cr->usage) < 0) {
            err_prefix(&cr->usage, "host '%s': ", names[i]);
        }
        val_unref(vars);
    }
    check_hosts_judge_unique(facts, names, n, lists);
    for (size_t i = 0; cr->usage.kind == ERR_NONE && i < n; i++) {
        struct val *vars = host_vars(cr->a, names[i]);

        note_outcomes(cr, &lists[i], vars);
        val_unref(vars);
        val_list_push_take(val_dict_get(cr->report, "hosts"), host_entry(cr, i, &lists[i]));
        cr->unreachable |= cr->a->hosts[i].unreachable;
    }
    for (size_t i = 0; i < n; i++) {
        check_list_release(&lists[i]);
    }
    free(lists);
    free(facts);
    free(names);
}

static int run_host(struct check_run *cr, struct err *err)
{
    cr->runs = xcalloc(cr->a->count, sizeof(*cr->runs));
    cr->report = val_dict();
    val_dict_set_take(cr->report, "check", val_str("host"));
    val_dict_set_take(cr->report, "version", val_int(1));
    val_dict_set_take(cr->report, "hosts", val_list());
    pool_run(cr->a->count, cr->a->forks, host_facts_work, NULL, cr);
    judge_hosts(cr);
    if (cr->usage.kind != ERR_NONE) {
        *err = cr->usage;
        return -1;
    }
    return finish_report(cr);
}

/* ---- net ---- */

static void print_net_numbers(const char *subject, const struct val *p)
{
    const struct val *one = val_dict_get(p, "single"), *many = val_dict_get(p, "parallel"),
                     *rtt = val_dict_get(p, "rtt");

    printf("%s | net: 1 stream %.0f Mbit/s, %.0f streams %.0f Mbit/s, retransmits %.3f%%; "
           "round trip p50 %.3f ms, p99 %.3f ms\n",
           subject, check_number(one, "mbps"), check_number(p, "streams"),
           check_number(many, "mbps"), check_number(p, "retransmit_pct"),
           check_number(rtt, "p50_us") / 1e3, check_number(rtt, "p99_us") / 1e3);
}

static void net_pair_done(const struct check_net_pair *pair, const struct val *probe,
                          const char *why, void *arg)
{
    struct check_run *cr = arg;
    const char *from = cr->net_hosts[pair->from].name, *to = cr->net_hosts[pair->to].name;
    struct val *vars = host_vars(cr->a, from), *entry = val_dict(), *checks = val_list();
    struct check_list list = { 0 };
    char *subject = xasprintf("%s -> %s", from, to);

    if (check_net_judge(probe, why, vars, &list, &cr->usage) < 0) {
        err_prefix(&cr->usage, "host '%s': ", from);
    }
    note_outcomes(cr, &list, vars);
    if (!cr->json && probe && list.len && strcmp(list.items[0].id, "net.probe") != 0) {
        print_net_numbers(subject, probe);
    }
    for (size_t i = 0; i < list.len; i++) {
        if (!cr->json) {
            check_outcome_print(subject, &list.items[i]);
        }
        val_list_push_take(checks, check_outcome_json(&list.items[i]));
    }
    fflush(stdout);
    val_dict_set_take(entry, "from", val_str(from));
    val_dict_set_take(entry, "to", val_str(to));
    val_dict_set_take(entry, "phase", val_int((int64_t)pair->phase));
    val_dict_set_take(entry, "verdict", val_str(verdict_name(check_list_worst(&list))));
    val_dict_set_take(entry, "probe", probe ? val_ref((struct val *)probe) : val_null());
    val_dict_set_take(entry, "checks", checks);
    cr->pair_entries[pair->from * cr->a->count + pair->to] = entry;
    check_list_release(&list);
    free(subject);
    val_unref(vars);
}

/* Each host's address for the others (check_net_address, else ansible_host) and its server's
 * port (check_net_port, else DEFAULT_NET_PORT). */
static int pick_net_hosts(struct check_run *cr, struct err *err)
{
    cr->net_hosts = xcalloc(cr->a->count, sizeof(*cr->net_hosts));
    for (size_t i = 0; i < cr->a->count; i++) {
        struct adhoc_host *h = &cr->a->hosts[i];
        struct val *vars = host_vars(cr->a, h->name);
        const char *address = val_dict_get_str(vars, "check_net_address");
        double port;
        int ret = check_threshold(vars, "check_net_port", DEFAULT_NET_PORT, &port, err);

        if (address && *address) {
            svec_push(&h->store, address); /* outlives 'vars' */
            address = h->store.items[h->store.len - 1];
        } else {
            address = h->settings.address;
        }
        cr->net_hosts[i] = (struct check_net_host){
            .name = h->name,
            .conn = h->conn,
            .address = address,
            .port = (int)port,
            .err = ERR_INIT,
        };
        val_unref(vars);
        if (ret < 0 || port < 1 || port > 65535) {
            return ret < 0 ? ret
                           : err_set(err, ERR_USAGE, "host '%s': check_net_port %g is not a port",
                                     h->name, port);
        }
    }
    return 0;
}

static int run_net(struct check_run *cr, const struct check_net_opts *o, struct err *err)
{
    struct val *names = val_list();

    if (cr->a->count < 2) {
        val_unref(names);
        return err_set(err, ERR_USAGE, "pot check net: needs at least two hosts, %zu selected",
                       cr->a->count);
    }
    if (pick_net_hosts(cr, err) < 0) {
        val_unref(names);
        return -1;
    }
    cr->report = val_dict();
    val_dict_set_take(cr->report, "check", val_str("net"));
    val_dict_set_take(cr->report, "version", val_int(1));
    for (size_t i = 0; i < cr->a->count; i++) {
        val_list_push_take(names, val_str(cr->a->hosts[i].name));
    }
    val_dict_set_take(cr->report, "hosts", names);
    val_dict_set_take(cr->report, "pairs", val_list());
    cr->pair_entries = xcalloc(cr->a->count * cr->a->count, sizeof(*cr->pair_entries));
    check_net_run(cr->net_hosts, cr->a->count, o, net_pair_done, cr);
    for (size_t i = 0; i < cr->a->count * cr->a->count; i++) { /* from, then to, in order */
        if (cr->pair_entries[i]) {
            val_list_push_take(val_dict_get(cr->report, "pairs"), cr->pair_entries[i]);
            cr->pair_entries[i] = NULL;
        }
    }
    for (size_t i = 0; i < cr->a->count; i++) {
        cr->unreachable |= cr->net_hosts[i].err.kind == ERR_UNREACHABLE;
    }
    if (cr->usage.kind != ERR_NONE) {
        *err = cr->usage;
        return -1;
    }
    return finish_report(cr);
}

static void check_run_release(struct check_run *cr)
{
    for (size_t i = 0; cr->runs && i < cr->a->count; i++) {
        free(cr->runs[i].dir);
        val_unref(cr->runs[i].probe);
    }
    free(cr->runs);
    free(cr->net_hosts);
    free(cr->pair_entries);
    val_unref(cr->report);
}

/* The seconds a check_net_time host variable says (an INI string or a YAML number); -1 when it
 * is not a whole number. */
static int64_t var_seconds(const struct val *v)
{
    int64_t seconds;

    if (v->type == VAL_INT) {
        return v->u.i;
    }
    return v->type == VAL_STR && parse_int(val_cstr(v), &seconds) == 0 ? seconds : -1;
}

/* --size and --time, else the first host's check_disk_size and check_net_time, else the
 * defaults; checked, the size parsed into *size. */
static int sizes_from_inventory(struct check_args *o, const struct adhoc *a, uint64_t *size,
                                struct err *err)
{
    struct val *vars = a->count ? host_vars(a, a->hosts[0].name) : NULL;
    const char *size_text = o->size ? o->size : NULL;
    const struct val *time_var = vars ? val_dict_get(vars, "check_net_time") : NULL;
    int ret = -1;

    if (!size_text) {
        size_text = vars && val_dict_get_str(vars, "check_disk_size")
                        ? val_dict_get_str(vars, "check_disk_size")
                        : DEFAULT_SIZE;
    }
    if (o->time_s == TIME_NOT_GIVEN) {
        int64_t seconds = time_var ? var_seconds(time_var) : DEFAULT_NET_TIME_S;

        o->time_s = seconds >= 1 && seconds <= 3600 ? (int)seconds : -1;
    }
    if (o->time_s < 1 || o->time_s > 3600 || o->streams < 1 || o->streams > 128) {
        err_set(err, ERR_USAGE,
                "pot check: --time (or check_net_time) takes 1 to 3600 seconds, --streams 1 "
                "to 128");
    } else if (!str_parse_size(size_text, size)) {
        err_set(err, ERR_USAGE, "%s '%s': expected a positive number with K, M or G",
                o->size ? "--size" : "check_disk_size", size_text);
    } else {
        ret = 0;
    }
    val_unref(vars);
    return ret;
}

int cmd_check(int argc, char **argv, struct err *err)
{
    struct check_args o = { .common = { .inventories = SVEC_INIT },
                            .time_s = TIME_NOT_GIVEN,
                            .streams = DEFAULT_NET_STREAMS };
    struct svec positional = SVEC_INIT;
    struct adhoc a = { 0 };
    struct check_run cr = { .a = &a, .opts = { .timeout_s = PROBE_TIMEOUT_S } };
    char *probe = NULL;
    int ret = -1;

    if (opt_parse(check_options, &o, argc - 1, argv + 1, &positional, err) < 0) {
        goto out;
    }
    if (positional.len < 1 || positional.len > 2 ||
        (strcmp(positional.items[0], "disk") != 0 && strcmp(positional.items[0], "net") != 0 &&
         strcmp(positional.items[0], "host") != 0)) {
        err_set(err, ERR_USAGE,
                "pot check: expected 'host', 'disk' or 'net' and at most one host pattern");
        goto out;
    }
    o.common.pattern = positional.len > 1 ? xstrdup(positional.items[1]) : NULL;
    log_set_level(o.common.verbose);
    probe = check_probe_find(err);
    if (!probe || adhoc_load(&a, &o.common, err) < 0 ||
        sizes_from_inventory(&o, &a, &cr.opts.size, err) < 0) {
        goto out;
    }
    cr.opts.probe_path = probe;
    cr.path = o.path;
    cr.json = o.json;
    cr.gate = o.gate;
    if (strcmp(positional.items[0], "net") == 0) {
        struct check_net_opts net = { .probe_path = probe,
                                      .time_s = o.time_s,
                                      .streams = o.streams,
                                      .forks = a.forks };

        ret = run_net(&cr, &net, err);
    } else if (strcmp(positional.items[0], "host") == 0) {
        ret = run_host(&cr, err);
    } else {
        ret = run_disk(&cr, err);
    }
    if (ret >= 0 && o.report) {
        if (check_report_save(o.report, positional.items[0], cr.report, err) < 0) {
            ret = -1;
        } else {
            fprintf(stderr, "report: %s/%s\n", o.report, CHECK_REPORT_HTML);
        }
    }
out:
    check_run_release(&cr);
    free(probe);
    adhoc_release(&a);
    adhoc_opts_release(&o.common);
    svec_release(&positional);
    return ret;
}
