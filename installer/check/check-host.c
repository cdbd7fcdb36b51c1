/*
 * check-host.c - the host checks (check.h): what the probe's `host` facts are judged against, per
 * host (OS, kernel, CPUs, memory, swap, data directory and disk, system disk, kernel modules,
 * sysctls, pod CIDR against the host's routes, ports the cluster needs, clock offset from the
 * installer, DNS, internet access, binaries) and across hosts (unique hostnames and machine-ids).
 * The union of the original kit's hosts-check and of kubeadm's, kubespray's, KubeKey's, sealos's
 * and k0sctl's host checks; thresholds from host variables, defaults in the tables below.
 */
#include "pot.h"
#include <math.h>
#include <string.h>
#include <time.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/strutil.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "check/check.h"
#include "conn/conn.h"
#include "conn/shell-quote.h"
#include "value/val.h"

#define PROBE_REMOTE_PATH "/tmp/" CHECK_PROBE_NAME "-host"
#define PROBE_TIMEOUT_S 60

/* Defaults of the lists a host is checked for; each a host variable that replaces it. */
static const char default_modules[] = "iptable_nat,br_netfilter,overlay,nf_conntrack";
static const char default_sysctls[] = "net.ipv4.ip_forward=1,net.bridge.bridge-nf-call-iptables=1";
static const char default_ports[] = "6443,2379,2380,10250,10257,10259,80,443";
/* kubeadm's: ip, iptables, mount and nsenter are errors, the others warnings */
static const char default_binaries[] = "ip,iptables,mount,nsenter";
static const char default_binaries_optional[] = "ebtables,ethtool,socat,tc,conntrack,ipset";
static const char default_cluster_cidr[] = "172.16.0.0/19"; /* the kit's hosts.tpl */
static const char default_internet_target[] = "114.114.114.114:53";

/* The oldest release of each OS the kit supports (its hosts-check: CentOS 7.2, tlinux 2.2,
 * Ubuntu 16), and of the other families TKEStack runs on. */
static const struct {
    const char *id, *min_version;
} supported_os[] = {
    { "almalinux", "8" },     { "centos", "7.2" },   { "debian", "10" }, { "kylin", "10" },
    { "openEuler", "20.03" }, { "rhel", "7.2" },     { "rocky", "8" },   { "tencentos", "2.4" },
    { "tlinux", "2.2" },      { "ubuntu", "16.04" },
};

/* What a host's judges need. */
struct host_ctx {
    const struct val *probe, *vars;
    int64_t before_ns, after_ns; /* the installer's wall clock around the probe's run */
};

/* The words of host variable 'name' (a list, or a string split at commas and blanks), else of
 * 'def'. */
static void words(const struct val *vars, const char *name, const char *def, struct svec *out)
{
    const struct val *v = vars ? val_dict_get(vars, name) : NULL;
    const char *text = v && v->type == VAL_STR ? v->u.s.ptr : def;

    if (v && v->type == VAL_LIST) {
        for (size_t i = 0; i < v->u.list.len; i++) {
            if (v->u.list.items[i]->type == VAL_STR) {
                svec_push(out, v->u.list.items[i]->u.s.ptr);
            }
        }
        return;
    }
    while (*text) {
        size_t n = strcspn(text, ", \t");

        if (n) {
            svec_push_take(out, xstrndup(text, n));
        }
        text += n + (text[n] != '\0');
    }
}

/* An Ansible boolean host variable ('true', 'yes', true...), 'def' when unset. */
static bool flag(const struct val *vars, const char *name, bool def)
{
    const struct val *v = vars ? val_dict_get(vars, name) : NULL;

    if (v && v->type == VAL_BOOL) {
        return v->u.b;
    }
    return v && v->type == VAL_STR ? str_ansible_bool(v->u.s.ptr) == 1 : def;
}

static const char *var_str(const struct val *vars, const char *name, const char *def)
{
    const char *s = vars ? val_dict_get_str(vars, name) : NULL;

    return s && *s ? s : def;
}

char *check_host_command(const struct val *vars)
{
    struct buf cmd = BUF_INIT;
    struct svec list = SVEC_INIT;

    /* the lists of the command: a repeated probe option per word of a host variable */
    static const struct {
        const char *option, *var, *def;
    } lists[] = {
        { "--module", "check_kernel_modules", default_modules },
        { "--port", "check_ports", default_ports },
        { "--binary", "check_binaries", default_binaries },
        { "--binary", "check_binaries_optional", default_binaries_optional },
    };

    buf_adds(&cmd, PROBE_REMOTE_PATH " host --path /");
    buf_adds(&cmd, " --path ");
    sh_quote(&cmd, var_str(vars, "check_path", "/data"));
    for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
        words(vars, lists[i].var, lists[i].def, &list);
        for (size_t j = 0; j < list.len; j++) {
            buf_addf(&cmd, " %s ", lists[i].option);
            sh_quote(&cmd, list.items[j]);
        }
        svec_release(&list);
    }
    words(vars, "check_sysctls", default_sysctls, &list);
    for (size_t j = 0; j < list.len; j++) {
        buf_adds(&cmd, " --sysctl ");
        buf_add(&cmd, list.items[j], strcspn(list.items[j], "="));
    }
    svec_release(&list);
    if (flag(vars, "check_ex_net", true)) {
        buf_adds(&cmd, " --connect ");
        sh_quote(&cmd, var_str(vars, "check_internet_target", default_internet_target));
    }
    buf_adds(&cmd, "; rc=$?; rm -f " PROBE_REMOTE_PATH "; exit $rc");
    return buf_detach(&cmd, NULL);
}

static int64_t wall_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int check_host_run(struct conn *c, const struct become *become, const char *probe_path,
                   const struct val *vars, struct check_host_facts *facts, struct err *err)
{
    char *cmd = check_host_command(vars);
    int ret = -1;

    memset(facts, 0, sizeof(*facts));
    if (conn_open(c, err) == 0 &&
        conn_put_file(c, probe_path, PROBE_REMOTE_PATH, 0755, become, err) == 0) {
        facts->before_ns = wall_ns();
        ret = check_probe_exec(c, become, cmd, PROBE_TIMEOUT_S, &facts->probe, err);
        facts->after_ns = wall_ns();
    }
    free(cmd);
    return ret;
}

/* ---- the judges: one outcome each ---- */

/* A number judged against limits from host variables; a missing one says so. */
static int judge_number(struct check_outcome *o, double value, const struct val *vars,
                        const struct check_limits *limits, struct err *err)
{
    if (check_judge_limits(o, value, vars, limits, err) < 0) {
        return -1;
    }
    if (isnan(value)) {
        o->detail = xstrdup("the probe did not report it");
    }
    return 0;
}

/* Compares dotted versions by their numbers ("3.10.0-1160.el7" > "3.9"; "22.04" > "16.04");
 * what follows the numbers is ignored. */
static int version_compare(const char *a, const char *b)
{
    while (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
        char *ea, *eb;
        long x = strtol(a, &ea, 10), y = strtol(b, &eb, 10);

        if (x != y) {
            return x < y ? -1 : 1;
        }
        a = *ea == '.' ? ea + 1 : ea;
        b = *eb == '.' ? eb + 1 : eb;
    }
    return (*a >= '0' && *a <= '9') - (*b >= '0' && *b <= '9');
}

/* A version judged against a minimum: fail below 'fail_min', warn below 'warn_min' (NULL:
 * none). Versions are not numbers (3.10 > 3.9), so value and threshold stay NAN and the detail
 * says "WHAT VERSION (needs MIN or later)". */
static void judge_version(struct check_outcome *o, const char *what, const char *version,
                          const char *fail_min, const char *warn_min)
{
    const char *needs = fail_min;

    if (version_compare(version, fail_min) < 0) {
        o->verdict = VERDICT_FAIL;
    } else if (warn_min && version_compare(version, warn_min) < 0) {
        o->verdict = VERDICT_WARN;
        needs = warn_min;
    } else {
        o->verdict = VERDICT_PASS;
    }
    o->detail = xasprintf("%s%s%s (needs %s or later)", what, *what ? " " : "", version, needs);
}

/* The OS version: the number after "release " in /etc/system-release when there is one (CentOS 7
 * says only "7" in os-release, "release 7.9.2009" there), else os-release's VERSION_ID. */
static const char *os_version(const struct val *os)
{
    const char *release = val_dict_get_str(os, "release");
    const char *at = release ? strstr(release, "release ") : NULL;
    const char *version = val_dict_get_str(os, "version_id");

    if (at && at[8] >= '0' && at[8] <= '9') {
        return at + 8;
    }
    return version ? version : "";
}

static int judge_os(const struct host_ctx *c, struct check_list *out, struct err *err)
{
    const struct val *os = val_dict_get(c->probe, "os");
    const char *id = val_dict_get_str(os, "id"), *version = os_version(os);
    struct check_outcome *o = check_list_add(
        out, "host.os", "", true,
        "install a supported OS release: CentOS/RHEL 7.2+, Rocky/Alma 8+, Ubuntu "
        "16.04+, Debian 10+, tlinux 2.2+, TencentOS 2.4+, openEuler 20.03+, Kylin 10+");

    (void)err;
    id = id && *id ? id : "unknown";
    for (size_t i = 0; i < ARRAY_SIZE(supported_os); i++) {
        if (strcasecmp(id, supported_os[i].id) == 0) {
            judge_version(o, id, version, supported_os[i].min_version, NULL);
            return 0;
        }
    }
    o->verdict = VERDICT_WARN; /* an OS nobody tested pot or TKEStack on */
    o->detail = xasprintf("%s %s is not among the supported systems", id, version);
    return 0;
}

static int judge_kernel(const struct host_ctx *c, struct check_list *out, struct err *err)
{
    const char *kernel = val_dict_get_str(c->probe, "kernel");
    struct check_outcome *o =
        check_list_add(out, "host.kernel", "", true,
                       "update the kernel (the package's optional kernel update step, "
                       "offline-pot-cmd.sh -s update-kernal.sh): 3.10 is the least, 4.x wanted for "
                       "calico and ipvs");

    (void)err;
    kernel = kernel ? kernel : "";
    judge_version(o, "", kernel, var_str(c->vars, "check_kernel_min", "3.10"),
                  var_str(c->vars, "check_kernel_warn",
                          flag(c->vars, "use_calico", false) ? "4" : "3.10"));
    return 0;
}

static int judge_cpus(const struct host_ctx *c, struct check_list *out, struct err *err)
{
    static const struct check_limits cpus = { "check_cpus", 2, "check_cpus_warn", 4 };

    return judge_number(
        check_list_add(out, "host.cpus", "CPUs", true,
                       "give the host more CPUs: kubeadm needs 2, TKEStack's global "
                       "cluster wants 4 or more"),
        check_number(c->probe, "cpus"), c->vars, &cpus, err);
}

static int judge_memory(const struct host_ctx *c, struct check_list *out, struct err *err)
{
    static const struct check_limits memory = { "check_memory_mb", 1700, "check_memory_warn_mb",
                                                7680 };

    return judge_number(
        check_list_add(out, "host.memory", "MB", true,
                       "give the host more memory: kubeadm needs 1700 MB, TKEStack's "
                       "global cluster wants 8 GB or more"),
        check_number(c->probe, "mem_total_mb"), c->vars, &memory, err);
}

static int judge_swap(const struct host_ctx *c, struct check_list *out, struct err *err)
{
    static const struct check_limits swap = { "check_swap_mb", NAN, "check_swap_warn_mb", 0 };

    return judge_number(check_list_add(out, "host.swap", "MB", false,
                                       "turn swap off (swapoff -a, and remove it from /etc/fstab): "
                                       "kubelet refuses to start with swap on by default"),
                        check_number(c->probe, "swap_total_mb"), c->vars, &swap, err);
}

/* The probe's entry for 'path' in "paths". */
static const struct val *path_entry(const struct val *probe, const char *path)
{
    const struct val *paths = val_dict_get(probe, "paths");

    for (size_t i = 0; paths && paths->type == VAL_LIST && i < paths->u.list.len; i++) {
        const char *p = val_dict_get_str(paths->u.list.items[i], "path");

        if (p && strcmp(p, path) == 0) {
            return paths->u.list.items[i];
        }
    }
    return NULL;
}

static int judge_data_dir(const struct host_ctx *c, struct check_list *out, struct err *err)
{
    static const struct check_limits data_disk = { "check_data_disk_size", 200,
                                                   "check_data_disk_size_warn", NAN };
    const char *dir = var_str(c->vars, "check_path", "/data");
    const struct val *e = path_entry(c->probe, dir), *exists = val_dict_get(e, "exists");
    struct check_outcome *o;

    o = check_list_add(out, "host.data_dir", "", true,
                       "create the data directory, or let host-init mount the data disk there "
                       "(data_disk_init_swith, disk_device_name)");
    o->detail = xstrdup(dir);
    if (!exists || exists->type != VAL_BOOL || !exists->u.b) {
        const char *why = e ? val_dict_get_str(e, "error") : NULL;

        o->verdict = VERDICT_FAIL;
        free(o->detail);
        o->detail = xasprintf("%s: %s", dir, why ? why : "not reported");
    }
    o = check_list_add(
        out, "host.data_disk", "GB", true,
        "put the data directory on a disk of at least check_data_disk_size GB (the kit's "
        "data disk, data_disk_name)");
    if (!exists || exists->type != VAL_BOOL || !exists->u.b) {
        o->verdict = VERDICT_FAIL;
        o->detail = xasprintf("%s is missing", dir);
        return 0;
    }
    if (!flag(c->vars, "check_data_disk_size_switch", true)) {
        o->verdict = VERDICT_PASS;
        o->detail = xstrdup("not judged: check_data_disk_size_switch is false");
        o->value = check_number(e, "total_gb");
        return 0;
    }
    return judge_number(o, check_number(e, "total_gb"), c->vars, &data_disk, err);
}

static int judge_root_free(const struct host_ctx *c, struct check_list *out, struct err *err)
{
    static const struct check_limits root_free = { "check_root_free_gb", 10,
                                                   "check_root_free_warn_gb", 20 };

    return judge_number(check_list_add(out, "host.root_free", "GB", true,
                                       "free space on the system disk (/): images, logs and the "
                                       "kubelet need room there too"),
                        check_number(path_entry(c->probe, "/"), "free_gb"), c->vars, &root_free,
                        err);
}

/* A check of a list of items, each good or bad: fail (or warn) when any is bad; the value is how
 * many are bad and the detail names them. */
static void judge_items(struct check_outcome *o, const struct svec *bad, enum verdict when_bad)
{
    struct buf detail = BUF_INIT;

    o->value = (double)bad->len;
    o->threshold = 0;
    o->verdict = bad->len ? when_bad : VERDICT_PASS;
    for (size_t i = 0; i < bad->len; i++) {
        buf_addf(&detail, "%s%s", i ? ", " : "", bad->items[i]);
    }
    o->detail = bad->len ? buf_detach(&detail, NULL) : NULL;
    buf_release(&detail);
}

static int judge_modules(const struct host_ctx *c, struct check_list *out, struct err *err)
{
    const struct val *modules = val_dict_get(c->probe, "modules");
    struct svec want = SVEC_INIT, missing = SVEC_INIT;

    (void)err;
    words(c->vars, "check_kernel_modules", default_modules, &want);
    for (size_t i = 0; i < want.len; i++) {
        const struct val *v = val_dict_get(modules, want.items[i]);

        if (!v || v->type != VAL_BOOL || !v->u.b) {
            svec_pushf(&missing, "%s not loaded", want.items[i]);
        }
    }
    judge_items(check_list_add(out, "host.kernel_modules", "missing", false,
                               "load them (modprobe NAME) and list them in /etc/modules-load.d/ so "
                               "they load at boot; host-init does both"),
                &missing, VERDICT_FAIL);
    svec_release(&want);
    svec_release(&missing);
    return 0;
}

static int judge_sysctls(const struct host_ctx *c, struct check_list *out, struct err *err)
{
    const struct val *sysctl = val_dict_get(c->probe, "sysctl");
    struct svec want = SVEC_INIT, wrong = SVEC_INIT;

    (void)err;
    words(c->vars, "check_sysctls", default_sysctls, &want);
    for (size_t i = 0; i < want.len; i++) {
        char *name = xstrdup(want.items[i]), *eq = strchr(name, '=');
        const char *value;

        if (eq) {
            *eq = '\0';
        }
        value = val_dict_get_str(sysctl, name);
        if (!value) {
            svec_pushf(&wrong, "%s absent", name);
        } else if (eq && strcmp(value, eq + 1) != 0) {
            svec_pushf(&wrong, "%s=%s (needs %s)", name, value, eq + 1);
        }
        free(name);
    }
    judge_items(
        check_list_add(out, "host.sysctl", "wrong", false,
                       "set them (sysctl -w NAME=VALUE) and keep them in /etc/sysctl.d/; "
                       "host-init does both (a bridge-nf sysctl appears once br_netfilter is "
                       "loaded)"),
        &wrong, VERDICT_FAIL);
    svec_release(&want);
    svec_release(&wrong);
    return 0;
}

/* An IPv4 network "A.B.C.D/N" as address and prefix; -1 when it is not one. */
static int parse_cidr(const char *s, uint32_t *addr, int *prefix)
{
    unsigned a, b, c, d;
    int n, used = 0;

    if (sscanf(s, "%u.%u.%u.%u/%d%n", &a, &b, &c, &d, &n, &used) != 5 || s[used] || a > 255 ||
        b > 255 || c > 255 || d > 255 || n < 0 || n > 32) {
        return -1;
    }
    *addr = a << 24 | b << 16 | c << 8 | d;
    *prefix = n;
    return 0;
}

static bool overlap(uint32_t a, int pa, uint32_t b, int pb)
{
    int p = pa < pb ? pa : pb;
    uint32_t mask = p == 0 ? 0 : ~0u << (32 - p);

    return (a & mask) == (b & mask);
}

static int judge_cidr(const struct host_ctx *c, struct check_list *out, struct err *err)
{
    const struct val *routes = val_dict_get(c->probe, "routes");
    struct svec cidrs = SVEC_INIT, conflicts = SVEC_INIT;
    int ret = 0;

    svec_push(&cidrs, var_str(c->vars, "cluster_cidr", default_cluster_cidr));
    if (var_str(c->vars, "service_cidr", NULL)) {
        svec_push(&cidrs, var_str(c->vars, "service_cidr", NULL));
    }
    for (size_t i = 0; ret == 0 && i < cidrs.len; i++) {
        uint32_t net, route;
        int prefix, route_prefix;

        if (parse_cidr(cidrs.items[i], &net, &prefix) < 0) {
            ret = err_set(err, ERR_USAGE, "'%s' is not an IPv4 network (A.B.C.D/N)",
                          cidrs.items[i]);
            break;
        }
        for (size_t r = 0; routes && routes->type == VAL_LIST && r < routes->u.list.len; r++) {
            const struct val *e = routes->u.list.items[r];
            char *text = xasprintf("%s/%d", val_dict_get_str(e, "dest"),
                                   (int)check_number(e, "prefix"));

            if (parse_cidr(text, &route, &route_prefix) == 0 && route_prefix > 0 &&
                overlap(net, prefix, route, route_prefix)) {
                svec_pushf(&conflicts, "%s overlaps %s on %s", cidrs.items[i], text,
                           val_dict_get_str(e, "iface"));
            }
            free(text);
        }
    }
    if (ret == 0) {
        judge_items(
            check_list_add(out, "host.pod_cidr", "conflicts", false,
                           "choose a cluster_cidr (and service_cidr) that overlaps no network "
                           "the hosts route to"),
            &conflicts, VERDICT_FAIL);
    }
    svec_release(&cidrs);
    svec_release(&conflicts);
    return ret;
}

static int judge_ports(const struct host_ctx *c, struct check_list *out, struct err *err)
{
    const struct val *listening = val_dict_get(c->probe, "listening");
    struct svec taken = SVEC_INIT;

    (void)err;
    for (size_t i = 0; listening && listening->type == VAL_LIST && i < listening->u.list.len; i++) {
        svec_pushf(&taken, "%lld in use", (long long)listening->u.list.items[i]->u.i);
    }
    judge_items(
        check_list_add(out, "host.ports", "in use", false,
                       "stop what listens there (ss -ltnp shows it), or leave the cluster's "
                       "ports (check_ports) free on this host"),
        &taken, VERDICT_FAIL);
    svec_release(&taken);
    return 0;
}

/* The probe read its clock when it started, between our 'before' and 'after' less the time it
 * then ran: its offset is within [t - (after - elapsed), t - before]; the smallest offset that
 * fits is the one judged. */
static int judge_time(const struct host_ctx *c, struct check_list *out, struct err *err)
{
    static const struct check_limits offset = { "check_time_offset_ms", 1000,
                                                "check_time_offset_warn_ms", 200 };
    double t = check_number(c->probe, "time_ns"), elapsed = check_number(c->probe, "elapsed_ns");
    double lo, hi, offset_ms = NAN;
    struct check_outcome *o = check_list_add(
        out, "host.time_offset", "ms", false,
        "synchronise the clocks: host-init points chrony at the installer "
        "(time_sync); etcd and certificates need hosts within a second of each other");

    if (!isnan(t) && !isnan(elapsed)) {
        lo = (t - ((double)c->after_ns - elapsed)) / 1e6;
        hi = (t - (double)c->before_ns) / 1e6;
        offset_ms = lo > 0 ? lo : hi < 0 ? -hi : 0;
    }
    if (judge_number(o, offset_ms, c->vars, &offset, err) < 0) {
        return -1;
    }
    if (!isnan(t) && !isnan(elapsed)) {
        o->detail = xasprintf("the clock is %+.0f to %+.0f ms from the installer's", lo, hi);
    }
    return 0;
}

static int judge_dns(const struct host_ctx *c, struct check_list *out, struct err *err)
{
    const struct val *dns = val_dict_get(c->probe, "dns");
    const struct val *ns = val_dict_get(dns, "nameservers"), *search = val_dict_get(dns, "search");
    size_t n = ns && ns->type == VAL_LIST ? ns->u.list.len : 0;
    size_t m = search && search->type == VAL_LIST ? search->u.list.len : 0;
    struct check_outcome *o =
        check_list_add(out, "host.dns", "nameservers", true,
                       "add a nameserver (or a search domain) to /etc/resolv.conf: "
                       "CoreDNS forwards to the host's resolvers");

    (void)err;
    o->value = (double)n;
    o->threshold = 1;
    o->verdict = n || m ? VERDICT_PASS : VERDICT_FAIL;
    if (!n && m) {
        o->detail = xstrdup("search domains only");
    }
    return 0;
}

static int judge_internet(const struct host_ctx *c, struct check_list *out, struct err *err)
{
    const struct val *conn = val_dict_get(c->probe, "connect"), *reachable;
    struct check_outcome *o =
        check_list_add(out, "host.internet", "", false,
                       "the host reaches the internet, which an offline install neither needs nor "
                       "expects: confirm that this is what the customer wants");

    (void)err;
    if (!conn || conn->type != VAL_DICT) {
        o->verdict = VERDICT_PASS;
        o->detail = xstrdup("not tested: check_ex_net is false");
        return 0;
    }
    reachable = val_dict_get(conn, "reachable");
    if (reachable && reachable->type == VAL_BOOL && reachable->u.b) {
        o->verdict = VERDICT_WARN;
        o->detail = xasprintf("%s answered", val_dict_get_str(conn, "target"));
        return 0;
    }
    o->verdict = VERDICT_PASS;
    o->detail = xasprintf("%s: %s", val_dict_get_str(conn, "target"),
                          val_dict_get_str(conn, "error") ? val_dict_get_str(conn, "error")
                                                          : "unreachable");
    return 0;
}

static void missing_binaries(const struct host_ctx *c, const char *var, const char *def,
                             struct svec *missing)
{
    const struct val *binaries = val_dict_get(c->probe, "binaries");
    struct svec want = SVEC_INIT;

    words(c->vars, var, def, &want);
    for (size_t i = 0; i < want.len; i++) {
        const struct val *v = val_dict_get(binaries, want.items[i]);

        if (!v || v->type != VAL_STR) {
            svec_pushf(missing, "%s missing", want.items[i]);
        }
    }
    svec_release(&want);
}

static int judge_binaries(const struct host_ctx *c, struct check_list *out, struct err *err)
{
    struct svec missing = SVEC_INIT;

    (void)err;
    missing_binaries(c, "check_binaries", default_binaries, &missing);
    judge_items(check_list_add(out, "host.binaries", "missing", false,
                               "install them from the package's offline repository (host-init's "
                               "install_base_tools): kubelet and kube-proxy call them"),
                &missing, VERDICT_FAIL);
    svec_release(&missing);
    missing_binaries(c, "check_binaries_optional", default_binaries_optional, &missing);
    judge_items(
        check_list_add(out, "host.binaries_optional", "missing", false,
                       "install them from the package's offline repository: port forwarding, "
                       "ipvs and conntrack cleanup use them"),
        &missing, VERDICT_WARN);
    svec_release(&missing);
    return 0;
}

typedef int host_judge_fn(const struct host_ctx *c, struct check_list *out, struct err *err);

/* In the order they are reported. */
static host_judge_fn *const judges[] = {
    judge_os,       judge_kernel,    judge_cpus,    judge_memory,   judge_swap,
    judge_data_dir, judge_root_free, judge_modules, judge_sysctls,  judge_cidr,
    judge_ports,    judge_time,      judge_dns,     judge_internet, judge_binaries,
};

static const char probe_hint[] =
    "the host's facts could not be read: check that the host is up and that /tmp is writable";

int check_host_judge(const struct check_host_facts *facts, const char *why, const struct val *vars,
                     struct check_list *out, struct err *err)
{
    const char *probe_error = facts->probe ? val_dict_get_str(facts->probe, "error") : why;
    struct host_ctx c = { .probe = facts->probe,
                          .vars = vars,
                          .before_ns = facts->before_ns,
                          .after_ns = facts->after_ns };

    if (!facts->probe || probe_error) {
        struct check_outcome *o = check_list_add(out, "host.probe", "", false, probe_hint);

        o->verdict = VERDICT_FAIL;
        o->detail = xstrdup(probe_error ? probe_error : "the probe did not run");
        return 0;
    }
    for (size_t i = 0; i < ARRAY_SIZE(judges); i++) {
        if (judges[i](&c, out, err) < 0) {
            return -1;
        }
    }
    return 0;
}

/* Appends to each host's list whether its 'key' (hostname, machine_id) is shared with another
 * host, or empty. */
static void judge_unique(const struct check_host_facts *facts, const char *const *names, size_t n,
                         const char *key, const char *id, const char *hint, struct check_list *outs)
{
    for (size_t i = 0; i < n; i++) {
        const char *mine = facts[i].probe ? val_dict_get_str(facts[i].probe, key) : NULL;
        struct svec same = SVEC_INIT;
        struct check_outcome *o;

        if (!mine) {
            continue; /* the probe failed: host.probe says so */
        }
        for (size_t j = 0; j < n; j++) {
            const char *theirs = facts[j].probe ? val_dict_get_str(facts[j].probe, key) : NULL;

            if (j != i && *mine && theirs && strcmp(mine, theirs) == 0) {
                svec_pushf(&same, "same as %s", names[j]);
            }
        }
        o = check_list_add(&outs[i], id, "hosts", false, hint);
        judge_items(o, &same, VERDICT_FAIL);
        if (!*mine) {
            o->verdict = VERDICT_WARN;
            o->detail = xasprintf("the host has no %s", key);
        }
        svec_release(&same);
    }
}

void check_hosts_judge_unique(const struct check_host_facts *facts, const char *const *names,
                              size_t n, struct check_list *outs)
{
    judge_unique(facts, names, n, "hostname", "host.hostname_unique",
                 "give every host its own hostname (hostnamectl set-hostname): nodes register "
                 "under it",
                 outs);
    judge_unique(facts, names, n, "machine_id", "host.machine_id_unique",
                 "a cloned machine: remove /etc/machine-id and run systemd-machine-id-setup", outs);
}
