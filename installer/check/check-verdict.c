/*
 * check-verdict.c - verdicts of the host checks (check.h): judging a value against fail and warn
 * limits, thresholds from host variables, and the tables of disk and network checks over the
 * probe's JSON.
 */
#include "pot.h"
#include <math.h>
#include <string.h>
#include "base/err.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "check/check.h"
#include "value/val.h"

/* A check: a number of the probe's JSON judged against limits from host variables. */
struct probe_rule {
    const char *id;
    const char *section; /* the JSON object holding 'key', NULL: the top level */
    const char *key;
    double scale; /* probe unit -> reported unit */
    const char *unit;
    bool higher_is_better;
    struct check_limits limits;
    const char *hint;
};

/* Defaults: etcd's WAL fsync p99 < 10 ms (etcd hardware guide); the kit's hosts-check role judges
 * fio's random-write IOPS against disk_iops=300; etcd asks 500 IOPS of a loaded cluster. */
static const struct probe_rule disk_rules[] = {
    { "disk.fdatasync_p99",
      "fdatasync",
      "p99_us",
      1e-3,
      "ms",
      false,
      { "check_disk_fdatasync_p99_ms", 10, "check_disk_fdatasync_p99_warn_ms", NAN },
      "etcd needs fdatasync p99 under 10 ms: put its data dir on a local SSD/NVMe disk, not "
      "on shared, network or throttled storage" },
    { "disk.fdatasync_p999",
      "fdatasync",
      "p999_us",
      1e-3,
      "ms",
      false,
      { "check_disk_fdatasync_p999_ms", NAN, "check_disk_fdatasync_p999_warn_ms", 10 },
      "fdatasync has latency spikes: look for other I/O on this disk (backups, logs, "
      "neighbours on the same storage) or move etcd to a dedicated disk" },
    { "disk.randread_iops",
      NULL,
      "randread_iops",
      1,
      "IOPS",
      true,
      { "disk_iops", 300, "check_disk_iops_warn", 500 },
      "the disk is slow at random reads: use an SSD or a volume with more provisioned IOPS" },
    { "disk.randwrite_iops",
      NULL,
      "randwrite_iops",
      1,
      "IOPS",
      true,
      { "disk_iops", 300, "check_disk_iops_warn", 500 },
      "the disk is slow at random writes: use an SSD or a volume with more provisioned IOPS" },
};

/* Defaults: a 1 GbE link carries about 940 Mbit/s of TCP; less than half of that is a link
 * negotiated down, a saturated or shaped path. Round trips inside one site take well under a
 * millisecond; etcd's heartbeat (100 ms) tolerates far more, but 10 ms p99 already slows every
 * write that needs a quorum. Retransmissions in a saturating test are congestion or loss. */
static const struct probe_rule net_rules[] = {
    { "net.throughput",
      "single",
      "mbps",
      1,
      "Mbit/s",
      true,
      { "check_net_mbps", 500, "check_net_mbps_warn", 900 },
      "one TCP stream is slow between these hosts: check the link speed and duplex (ethtool), "
      "MTU mismatches, and shaping or a firewall on the path" },
    { "net.throughput_parallel",
      "parallel",
      "mbps",
      1,
      "Mbit/s",
      true,
      { "check_net_mbps", 500, "check_net_mbps_warn", 900 },
      "parallel TCP streams are slow between these hosts: the link or a switch on the path "
      "is saturated or shaped" },
    { "net.rtt_p99",
      "rtt",
      "p99_us",
      1e-3,
      "ms",
      false,
      { "check_net_rtt_p99_ms", 10, "check_net_rtt_p99_warn_ms", 2 },
      "round trips are slow or jittery: put the hosts in one site and network segment, and "
      "look for overloaded hosts or links" },
    { "net.retransmits",
      NULL,
      "retransmit_pct",
      1,
      "%",
      false,
      { "check_net_retransmit_pct", 2, "check_net_retransmit_pct_warn", 0.5 },
      "TCP segments are lost between these hosts: look for a faulty cable or NIC, duplex "
      "mismatch, or an overflowing switch buffer" },
};

/* The outcome when the probe could not measure: what it is called and how to fix it. */
struct probe_failure {
    const char *id;
    const char *hint;
};

static const struct probe_failure disk_failure = {
    "disk.probe",
    "the test could not run: make room on the directory (it needs --size plus 22 MiB), "
    "pass a smaller --size, or choose another --path",
};

static const struct probe_failure net_failure = {
    "net.probe",
    "the test could not run between these hosts: open the TCP port (check_net_port, "
    "default 5201) from the first to the second, or free it on the second",
};

const char *verdict_name(enum verdict v)
{
    static const char *const names[] = { "pass", "warn", "fail" };

    return names[v];
}

void check_list_release(struct check_list *list)
{
    for (size_t i = 0; i < list->len; i++) {
        free(list->items[i].detail);
    }
    free(list->items);
    memset(list, 0, sizeof(*list));
}

enum verdict check_list_worst(const struct check_list *list)
{
    enum verdict worst = VERDICT_PASS;

    for (size_t i = 0; i < list->len; i++) {
        if (list->items[i].verdict > worst) {
            worst = list->items[i].verdict;
        }
    }
    return worst;
}

/* The original kit's *_mandatory switch of each family of checks and its default there
 * (roles/hosts-check/defaults/main.yml: only a CIDR conflict stops the install by default). */
static const struct {
    const char *prefix; /* an ID, or a family ending in '.' */
    const char *kit_switch;
    bool kit_default;
} kit_switches[] = {
    { "host.os", "check_version_mandatory", false },
    { "host.kernel", "check_version_mandatory", false },
    { "host.kernel_modules", "check_nat_mandatory", false },
    { "host.sysctl", "check_nat_mandatory", false },
    { "host.data_dir", "check_disk_mandatory", false },
    { "host.data_disk", "check_disk_mandatory", false },
    { "host.root_free", "check_disk_mandatory", false },
    { "host.pod_cidr", "check_network_mandatory", true },
    { "host.dns", "check_dns_mandatory", false },
    { "disk.", "check_perfor_mandatory", false },
    { "net.", "check_perfor_mandatory", false },
};

/* A switch as the kit writes it ('true') or as YAML does (true); 'def' when it is not set. */
static bool switch_on(const struct val *vars, const char *name, bool def)
{
    const struct val *v = val_dict_get(vars, name);

    if (!v) {
        return def;
    }
    if (v->type == VAL_BOOL) {
        return v->u.b;
    }
    return v && v->type == VAL_STR && str_ansible_bool(val_cstr(v)) == 1;
}

static bool outcome_mandatory(const char *id, const struct val *vars)
{
    char *own = xasprintf("check_%s_mandatory", id);
    bool on;

    for (char *c = own; *c; c++) {
        *c = *c == '.' ? '_' : *c;
    }
    on = switch_on(vars, own, false);
    free(own);
    for (size_t i = 0; !on && i < ARRAY_SIZE(kit_switches); i++) {
        const char *prefix = kit_switches[i].prefix;
        size_t n = strlen(prefix);
        bool family = prefix[n - 1] == '.';

        if (family ? strncmp(id, prefix, n) == 0 : strcmp(id, prefix) == 0) {
            on = switch_on(vars, kit_switches[i].kit_switch, kit_switches[i].kit_default);
        }
    }
    return on;
}

void check_list_mark_mandatory(struct check_list *list, const struct val *vars)
{
    for (size_t i = 0; i < list->len; i++) {
        list->items[i].mandatory = outcome_mandatory(list->items[i].id, vars);
    }
}

bool check_list_mandatory_failed(const struct check_list *list)
{
    for (size_t i = 0; i < list->len; i++) {
        if (list->items[i].verdict == VERDICT_FAIL && list->items[i].mandatory) {
            return true;
        }
    }
    return false;
}

static bool past(double value, bool higher_is_better, double limit)
{
    if (isnan(limit)) {
        return false;
    }
    return higher_is_better ? value < limit : value > limit;
}

enum verdict check_judge(double value, bool higher_is_better, double fail_at, double warn_at)
{
    if (past(value, higher_is_better, fail_at)) {
        return VERDICT_FAIL;
    }
    return past(value, higher_is_better, warn_at) ? VERDICT_WARN : VERDICT_PASS;
}

int check_threshold(const struct val *vars, const char *name, double def, double *out,
                    struct err *err)
{
    const struct val *v = vars ? val_dict_get(vars, name) : NULL;

    *out = def;
    if (!v || v->type == VAL_NULL) {
        return 0;
    }
    if (v->type == VAL_INT) {
        *out = (double)v->u.i;
        return 0;
    }
    if (v->type == VAL_DOUBLE) {
        *out = v->u.d;
        return 0;
    }
    if (v->type == VAL_STR && parse_double(v->u.s.ptr, out) == 0) {
        return 0;
    }
    return err_set(err, ERR_USAGE, "host variable '%s' is not a number", name);
}

struct check_outcome *check_list_add(struct check_list *out, const char *id, const char *unit,
                                     bool higher_is_better, const char *hint)
{
    struct check_outcome *o;

    xgrow((void **)&out->items, &out->cap, out->len + 1, sizeof(*out->items));
    o = &out->items[out->len++];
    *o = (struct check_outcome){ .id = id,
                                 .unit = unit,
                                 .higher_is_better = higher_is_better,
                                 .hint = hint,
                                 .value = NAN,
                                 .threshold = NAN };
    return o;
}

int check_judge_limits(struct check_outcome *o, double value, const struct val *vars,
                       const struct check_limits *limits, struct err *err)
{
    double fail_at, warn_at;

    if (check_threshold(vars, limits->fail_var, limits->fail_def, &fail_at, err) < 0 ||
        check_threshold(vars, limits->warn_var, limits->warn_def, &warn_at, err) < 0) {
        return -1;
    }
    o->value = value;
    if (isnan(value)) {
        o->verdict = VERDICT_FAIL; /* never a silent skip */
        o->threshold = fail_at;
        return 0;
    }
    o->verdict = check_judge(value, o->higher_is_better, fail_at, warn_at);
    o->threshold = o->verdict == VERDICT_WARN || isnan(fail_at) ? warn_at : fail_at;
    return 0;
}

double check_number(const struct val *obj, const char *key)
{
    const struct val *v = obj && obj->type == VAL_DICT ? val_dict_get(obj, key) : NULL;

    if (v && v->type == VAL_INT) {
        return (double)v->u.i;
    }
    return v && v->type == VAL_DOUBLE ? v->u.d : NAN;
}

/* The number at rule->section.rule->key of the probe's JSON; NAN when absent. */
static double probe_number(const struct val *probe, const struct probe_rule *rule)
{
    return check_number(rule->section ? val_dict_get(probe, rule->section) : probe, rule->key);
}

static int judge_rule(const struct probe_rule *rule, const struct val *probe,
                      const struct val *vars, struct check_list *out, struct err *err)
{
    double value = probe_number(probe, rule) * rule->scale;
    struct check_outcome *o = check_list_add(out, rule->id, rule->unit, rule->higher_is_better,
                                             rule->hint);

    if (check_judge_limits(o, value, vars, &rule->limits, err) < 0) {
        return -1;
    }
    if (isnan(value)) {
        o->detail = xasprintf("the probe did not report '%s'", rule->key);
    }
    return 0;
}

/* The outcomes of 'rules' for a probe's JSON, or one 'failure' when it did not measure. */
static int judge_probe(const struct probe_rule *rules, size_t n,
                       const struct probe_failure *failure, const struct val *probe,
                       const char *why, const struct val *vars, struct check_list *out,
                       struct err *err)
{
    const char *probe_error = probe ? val_dict_get_str(probe, "error") : why;
    struct check_outcome *o;

    if (!probe || probe_error) {
        o = check_list_add(out, failure->id, "", false, failure->hint);
        o->verdict = VERDICT_FAIL;
        o->detail = xstrdup(probe_error ? probe_error : "the probe did not run");
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (judge_rule(&rules[i], probe, vars, out, err) < 0) {
            return -1;
        }
    }
    return 0;
}

int check_disk_judge(const struct val *probe, const char *why, const struct val *vars,
                     struct check_list *out, struct err *err)
{
    return judge_probe(disk_rules, ARRAY_SIZE(disk_rules), &disk_failure, probe, why, vars, out,
                       err);
}

int check_net_judge(const struct val *probe, const char *why, const struct val *vars,
                    struct check_list *out, struct err *err)
{
    return judge_probe(net_rules, ARRAY_SIZE(net_rules), &net_failure, probe, why, vars, out, err);
}
