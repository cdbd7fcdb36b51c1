/*
 * check.h - host checks with verdicts: every check has a stable ID and yields pass, warn or fail
 * (never a silent skip) with the measured value, the threshold it was judged against and a
 * one-line fix hint. Thresholds are host variables of the inventory; their defaults are in the
 * table of check-verdict.c and in `pot help check` (cli/commands.c).
 *
 * Disk: check_disk_run() copies the static probe (installer/probe/) to a host over its
 * connection, runs it on a directory, removes it and returns the probe's JSON; check_disk_judge()
 * turns that JSON and the host's variables into outcomes.
 *
 * Network: check_net_run() measures every ordered pair of hosts, in the phases of
 * check_net_schedule() so that no host is in two measurements at once; check_net_judge() judges
 * each pair's JSON against the measuring host's variables.
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include "base/err.h"

struct become;
struct buf;
struct conn;
struct val;

/* Ordered: a worse verdict compares greater. */
enum verdict {
    VERDICT_PASS,
    VERDICT_WARN,
    VERDICT_FAIL,
};

/* "pass", "warn", "fail". */
const char *verdict_name(enum verdict v);

/* One check on one host. */
struct check_outcome {
    const char *id; /* static: "disk.fdatasync_p99" */
    enum verdict verdict;
    double value;          /* measured, in 'unit'; NAN when nothing was measured */
    double threshold;      /* the limit the verdict comes from (the fail limit on a pass); NAN
                              when the check has none */
    const char *unit;      /* static: "ms", "IOPS"; "" for none */
    bool higher_is_better; /* a pass needs value >= threshold (else value <= threshold) */
    const char *hint;      /* static: the one-line fix, shown unless pass */
    char *detail;          /* owned: why, when not a measurement (the probe's error); NULL */
    bool mandatory;        /* its *_mandatory switch is 'true': a fail stops `pot install` */
};

struct check_list {
    struct check_outcome *items; /* owned */
    size_t len, cap;
};

void check_list_release(struct check_list *list);
/* The worst verdict of the list; VERDICT_PASS when empty. */
enum verdict check_list_worst(const struct check_list *list);

/* Marks each outcome of 'list' mandatory when one of its switches is 'true' in the host's 'vars':
 * its own, check_<ID with dots as underscores>_mandatory (check_host_memory_mandatory), or the
 * original kit's switch of its family, as hosts-check reads it (check_version_mandatory for
 * host.os and host.kernel, check_nat_mandatory for kernel modules and sysctl,
 * check_disk_mandatory for the data directory and disks, check_network_mandatory for the pod
 * CIDRs, 'true' unless set as in the kit, check_dns_mandatory for DNS, check_perfor_mandatory
 * for every disk.* and net.* check). */
void check_list_mark_mandatory(struct check_list *list, const struct val *vars);
/* True when 'list' has a failed outcome marked mandatory. */
bool check_list_mandatory_failed(const struct check_list *list);

/* The outcome as an object of the report's schema: id, verdict, value, threshold, unit, pass_if
 * (">=", "<=" or null), hint, detail, mandatory. */
struct val *check_outcome_json(const struct check_outcome *o);
/* Prints "SUBJECT | VERDICT ID VALUE UNIT (pass: >= LIMIT UNIT): DETAIL -> HINT" on stdout, the
 * parts that apply ("FAIL (mandatory)" for a mandatory fail), secrets redacted. */
void check_outcome_print(const char *subject, const struct check_outcome *o);

#define CHECK_REPORT_HTML "report.html"

/* Saves a report ('kind' "host", "disk" or "net": the document `pot check KIND --json` prints)
 * as DIR/check-KIND.json and rebuilds DIR/report.html from it and the other kinds' saved
 * reports, where there are some. The directory is created; files are written whole (temporary
 * name, then rename), 0644 (they hold measurements and host names, no secrets; redacted all the
 * same). */
int check_report_save(const char *dir, const char *kind, const struct val *report, struct err *err);

/* The reports one page shows; any may be NULL. */
struct check_reports {
    const struct val *host, *disk, *net;
};

/* Appends the self-contained HTML page for the reports, stamped 'generated'. */
void check_html_render(const struct check_reports *r, const char *generated, struct buf *out);

/* A check's limits: the host variable of the fail limit and its default, the same for the warn
 * limit (NAN: no such limit unless the variable is set). */
struct check_limits {
    const char *fail_var;
    double fail_def;
    const char *warn_var;
    double warn_def;
};

/* Appends an outcome with these static strings, value and threshold NAN, verdict pass. */
struct check_outcome *check_list_add(struct check_list *out, const char *id, const char *unit,
                                     bool higher_is_better, const char *hint);

/* Judges 'value' into 'o' against 'limits' read from the host's 'vars': sets value, verdict and
 * the threshold it is judged against; a NAN value fails (never a silent skip; the caller says
 * why in o->detail). Returns -1 with ERR_USAGE for a variable that is not a number. */
int check_judge_limits(struct check_outcome *o, double value, const struct val *vars,
                       const struct check_limits *limits, struct err *err);

/* The verdict of 'value' against a fail and a warn limit (NAN: no such limit): fail when it is
 * past the fail limit, else warn when past the warn limit, else pass. "Past" is below for
 * higher_is_better, above otherwise; a value equal to a limit passes it. */
enum verdict check_judge(double value, bool higher_is_better, double fail_at, double warn_at);

/* The number in host variable 'name' (int, float or numeric string), 'def' when it is unset.
 * Returns 0, or -1 with ERR_USAGE when it is set to something that is not a number. */
int check_threshold(const struct val *vars, const char *name, double def, double *out,
                    struct err *err);

/* The number at obj[key] (int or float); NAN when 'obj' is not a dict or has no number there. */
double check_number(const struct val *obj, const char *key);

/* Appends the outcomes of the network checks for the probe's JSON of one ordered pair, as
 * check_disk_judge() does for a disk; a probe that failed yields one fail, net.probe. */
int check_net_judge(const struct val *probe, const char *why, const struct val *vars,
                    struct check_list *out, struct err *err);

/* Appends the outcomes of the disk checks for a probe's JSON ('probe', NULL when the probe could
 * not run; 'why' then says why) against the thresholds in the host's 'vars'. A probe that failed
 * or ran nothing yields one fail, disk.probe, with its error. Returns -1 with ERR_USAGE for a
 * threshold variable that is not a number. */
int check_disk_judge(const struct val *probe, const char *why, const struct val *vars,
                     struct check_list *out, struct err *err);

struct check_disk_opts {
    const char *probe_path; /* the local pot-probe binary */
    const char *dir;        /* the directory measured on the host (must exist) */
    uint64_t size;          /* bytes of the IOPS/throughput test file */
    int timeout_s;          /* of the whole run on the host */
};

#define CHECK_PROBE_NAME "pot-probe"

/* Where the probe binary is: $POT_PROBE, else pot-probe next to the running pot. Owned by the
 * caller; ERR_IO when it is not there. */
char *check_probe_find(struct err *err);

/* Runs 'cmd' on the host (through 'become' when not NULL) and reads the JSON object the probe
 * printed. Returns 0 with *json set (owned; may hold "error": the probe ran and failed), or -1
 * with 'err' set: the host was unreachable (ERR_UNREACHABLE) or nothing parsable was printed
 * (ERR_FAILED, with the exit status and stderr). */
int check_probe_exec(struct conn *c, const struct become *become, const char *cmd, int timeout_s,
                     struct val **json, struct err *err);

/* Copies the probe to the host, runs it on o->dir (through 'become' when not NULL), removes it
 * and parses what it printed. Returns 0 with *probe set (owned; may hold "error": the probe ran
 * and failed), or -1 with 'err' set: the host was unreachable (ERR_UNREACHABLE), the copy failed,
 * or the probe printed no JSON (ERR_FAILED, with its exit status and stderr). */
int check_disk_run(struct conn *c, const struct become *become, const struct check_disk_opts *o,
                   struct val **probe, struct err *err);

/* ---- host facts ---- */

/* What the probe's `host` run printed on one host, and our wall clock around it. */
struct check_host_facts {
    struct val *probe; /* owned; NULL when it did not run */
    int64_t before_ns; /* the installer's CLOCK_REALTIME just before the run and just after */
    int64_t after_ns;
};

/* The shell command that runs the probe's `host` facts on a host and removes it: the lists it
 * asks about come from the host's variables (check_path, check_kernel_modules, check_ports,
 * check_binaries, check_binaries_optional, check_sysctls, check_ex_net and
 * check_internet_target). Owned by the caller. */
char *check_host_command(const struct val *vars);

/* Copies the probe to the host, runs check_host_command() (through 'become' when not NULL) and
 * fills 'facts'. Returns 0, or -1 with 'err' set as check_probe_exec() does. */
int check_host_run(struct conn *c, const struct become *become, const char *probe_path,
                   const struct val *vars, struct check_host_facts *facts, struct err *err);

/* Appends the host checks of one host's facts (or one fail, host.probe, with 'why' when they
 * could not be read). Returns -1 with ERR_USAGE for a threshold variable that is not a number or
 * a cluster_cidr/service_cidr that is not an IPv4 network. */
int check_host_judge(const struct check_host_facts *facts, const char *why, const struct val *vars,
                     struct check_list *out, struct err *err);

/* Appends to outs[i] whether host i's hostname and machine-id are its own among the 'n' hosts
 * (host.hostname_unique, host.machine_id_unique); hosts without facts get none. */
void check_hosts_judge_unique(const struct check_host_facts *facts, const char *const *names,
                              size_t n, struct check_list *outs);

/* One ordered pair of the network mesh: 'from' measures to 'to', in 'phase'. */
struct check_net_pair {
    size_t from, to, phase;
};

/* The n*(n-1) ordered pairs of 'n' hosts (owned array in *pairs) in phases where no host is in
 * two pairs: a round-robin tournament (circle method) over n rounded up to even, each round's
 * pairs measured one way in a phase and the other way in the next. Pairs are sorted by phase;
 * *phases is the number of phases (2 * (n - 1) for even n, 2 * n for odd). Returns the number
 * of pairs; 0 for n < 2. */
size_t check_net_schedule(size_t n, struct check_net_pair **pairs, size_t *phases);

struct check_net_opts {
    const char *probe_path; /* the local pot-probe binary */
    int time_s;             /* seconds of each throughput test */
    int streams;            /* connections of the parallel test */
    int forks;              /* pairs measured at once within a phase */
};

/* A host of the mesh. */
struct check_net_host {
    const char *name;    /* borrowed */
    struct conn *conn;   /* borrowed */
    const char *address; /* borrowed: where the other hosts reach it */
    int port;            /* its probe server's TCP port */
    struct err err;      /* set by check_net_run() when the probe could not be placed on it */
};

/* Called on the calling thread of check_net_run() for each pair as it finishes: 'probe' is the
 * probe's JSON (may hold "error"), or NULL with 'why' saying why it did not run (a host of the
 * pair unreachable, the probe printing nothing). */
typedef void check_net_done_fn(const struct check_net_pair *pair, const struct val *probe,
                               const char *why, void *arg);

/* Measures every ordered pair of 'hosts' phase by phase (check_net_schedule), up to o->forks
 * pairs at once: the probe copied to every host first, its server started on the 'to' host of a
 * pair and the 'from' host measuring to it, the probe removed from every host at the end. Sets
 * hosts[i].err (ERR_UNREACHABLE when it could not be reached) for hosts that could not take
 * part; their pairs are reported with 'why'. */
void check_net_run(struct check_net_host *hosts, size_t n, const struct check_net_opts *o,
                   check_net_done_fn *done, void *arg);

#endif
