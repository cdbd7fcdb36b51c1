/*
 * mod-setup.c - the `setup` module: facts gathered natively in one exec. A POSIX sh script prints
 * sections ("@@name" lines: os-release, uname, cpuinfo, meminfo, mounts with statfs numbers,
 * block devices, the default IPv4 route (a route lookup, no traffic), addresses, interfaces,
 * hostname, python, date, environment) and this file turns them into Ansible's fact names.
 * Like Ansible's setup, the keys of data["ansible_facts"] carry the "ansible_" prefix.
 */
#include "pot.h"
#include <fnmatch.h>
#include <string.h>
#include "base/buf.h"
#include "base/strutil.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "modules/args.h"
#include "modules/mod-util.h"
#include "value/val.h"

static const struct arg_spec setup_args[] = {
    { .name = "filter", .type = ARG_LIST },
    { .name = "gather_subset", .type = ARG_LIST, .def = "all" },
    { 0 },
};

static const char FACTS_SCRIPT[] =
    "echo @@os; cat /etc/os-release 2>/dev/null\n"
    "echo @@debian; cat /etc/debian_version 2>/dev/null\n"
    "echo @@redhat; cat /etc/centos-release /etc/redhat-release 2>/dev/null | head -n 1\n"
    "echo @@uname; uname -s; uname -r; uname -v; uname -m; uname -n\n"
    "echo @@bits; getconf LONG_BIT 2>/dev/null\n"
    "echo @@nproc; nproc 2>/dev/null\n"
    "echo @@cpu; grep -E '^(processor|vendor_id|physical id|cpu cores|siblings|model name)' "
    "/proc/cpuinfo 2>/dev/null\n"
    "echo @@mem; grep -E '^(MemTotal|MemFree|SwapTotal|SwapFree):' /proc/meminfo 2>/dev/null\n"
    "echo @@mounts; while read -r dev mnt fs opts rest; do case \"$dev\" in /*|*:/*) "
    "s=$(stat -f -c '%S %b %f %a %c %d' -- \"$mnt\" 2>/dev/null) && "
    "printf '%s %s %s %s %s\\n' \"$s\" \"$dev\" \"$mnt\" \"$fs\" \"$opts\";; esac; "
    "done < /proc/mounts\n"
    "echo @@devices; for d in /sys/block/*; do [ -e \"$d/size\" ] || continue; "
    "printf '%s %s %s %s %s %s\\n' \"${d##*/}\" \"$(cat \"$d/size\")\" "
    "\"$(cat \"$d/queue/logical_block_size\" 2>/dev/null || echo 512)\" "
    "\"$(cat \"$d/removable\" 2>/dev/null)\" \"$(cat \"$d/queue/rotational\" 2>/dev/null)\" "
    "\"$(cat \"$d/device/model\" 2>/dev/null)\"; done\n"
    "echo @@route; { ip -4 route get 1.1.1.1 || ip -4 route show default; } 2>/dev/null "
    "| head -n 1\n"
    "echo @@addr; ip -4 -o addr show 2>/dev/null\n"
    "echo @@ifaces; for i in /sys/class/net/*; do [ -e \"$i\" ] || continue; "
    "printf '%s %s %s %s\\n' \"${i##*/}\" \"$(cat \"$i/address\" 2>/dev/null)\" "
    "\"$(cat \"$i/mtu\" 2>/dev/null)\" \"$(cat \"$i/type\" 2>/dev/null)\"; done\n"
    "echo @@fqdn; hostname -f 2>/dev/null || hostname 2>/dev/null || uname -n\n"
    "echo @@python; command -v python3 || command -v python || "
    "command -v /usr/libexec/platform-python\n"
    "echo @@date; date +'%Y-%m-%d %d %s %H %M %m %S %H:%M:%S %Z %z %A %w %W %Y'; "
    "date -u +'%Y-%m-%dT%H:%M:%SZ %Y%m%dT%H%M%S'\n"
    "echo @@env; env\n"
    "exit 0\n";

/* The parsed sections: each a list of lines. */
struct sections {
    struct svec os, debian, redhat, uname, bits, nproc, cpu, mem, mounts, devices, route, addr,
        ifaces, fqdn, python, date, env;
};

static struct svec *section_for(struct sections *s, const char *name)
{
    static const char *const names[] = { "os", "debian", "redhat", "uname", "bits", "nproc",
                                         "cpu", "mem", "mounts", "devices", "route", "addr",
                                         "ifaces", "fqdn", "python", "date", "env" };
    struct svec *all[] = { &s->os, &s->debian, &s->redhat, &s->uname, &s->bits, &s->nproc,
                           &s->cpu, &s->mem, &s->mounts, &s->devices, &s->route, &s->addr,
                           &s->ifaces, &s->fqdn, &s->python, &s->date, &s->env };

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (strcmp(names[i], name) == 0) {
            return all[i];
        }
    }
    return NULL;
}

static void split_sections(const char *text, struct sections *s)
{
    struct svec lines = SVEC_INIT;
    struct svec *cur = NULL;

    svec_split_lines(&lines, text);
    for (size_t i = 0; i < lines.len; i++) {
        if (str_starts_with(lines.items[i], "@@")) {
            cur = section_for(s, lines.items[i] + 2);
        } else if (cur) {
            svec_push(cur, lines.items[i]);
        }
    }
    svec_release(&lines);
}

static void release_sections(struct sections *s)
{
    struct svec *all[] = { &s->os, &s->debian, &s->redhat, &s->uname, &s->bits, &s->nproc,
                           &s->cpu, &s->mem, &s->mounts, &s->devices, &s->route, &s->addr,
                           &s->ifaces, &s->fqdn, &s->python, &s->date, &s->env };

    for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
        svec_release(all[i]);
    }
}

static const char *line_at(const struct svec *v, size_t i)
{
    return i < v->len ? v->items[i] : "";
}

/* The value of KEY=value in os-release, unquoted. Returns a new string ("" when missing). */
static char *os_release(const struct svec *os, const char *key)
{
    size_t klen = strlen(key);

    for (size_t i = 0; i < os->len; i++) {
        const char *l = os->items[i];

        if (strncmp(l, key, klen) == 0 && l[klen] == '=') {
            const char *v = l + klen + 1;
            size_t n = strlen(v);

            if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
                return xstrndup(v + 1, n - 2);
            }
            return xstrdup(v);
        }
    }
    return xstrdup("");
}

static void fact_str(struct val *f, const char *name, const char *value)
{
    val_dict_set_take(f, name, val_str(value));
}

static void fact_take(struct val *f, const char *name, struct val *value)
{
    val_dict_set_take(f, name, value);
}

/* Ansible's distribution name for an os-release ID. */
static char *distribution_name(const char *id, const char *redhat_line)
{
    static const struct { const char *id, *name; } map[] = {
        { "debian", "Debian" },   { "ubuntu", "Ubuntu" },       { "centos", "CentOS" },
        { "rhel", "RedHat" },     { "rocky", "Rocky" },         { "almalinux", "AlmaLinux" },
        { "fedora", "Fedora" },   { "tencentos", "TencentOS" }, { "tlinux", "TencentOS" },
        { "amzn", "Amazon" },     { "ol", "OracleLinux" },      { "openeuler", "openEuler" },
        { "uos", "Uos" },         { "kylin", "Kylin Linux Advanced Server" },
        { "sles", "SLES" },       { "opensuse-leap", "openSUSE Leap" },
    };
    char *name;

    if (strstr(redhat_line, "TencentOS Server")) {
        return xstrdup("TencentOS");
    }
    for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
        if (strcmp(id, map[i].id) == 0) {
            return xstrdup(map[i].name);
        }
    }
    if (!*id) {
        return xstrdup("OtherLinux");
    }
    name = xstrdup(id);
    name[0] = (char)(name[0] >= 'a' && name[0] <= 'z' ? name[0] - 32 : name[0]);
    return name;
}

static const char *os_family(const char *dist)
{
    static const char *const redhat[] = { "RedHat", "Fedora", "CentOS", "OracleLinux", "Amazon",
                                          "openEuler", "AlmaLinux", "Rocky", "TencentOS",
                                          "Kylin Linux Advanced Server", NULL };
    static const char *const debian[] = { "Debian", "Ubuntu", "Uos", "Deepin", "Kali", NULL };

    for (size_t i = 0; redhat[i]; i++) {
        if (strcmp(dist, redhat[i]) == 0) {
            return "RedHat";
        }
    }
    for (size_t i = 0; debian[i]; i++) {
        if (strcmp(dist, debian[i]) == 0) {
            return "Debian";
        }
    }
    return strncmp(dist, "SLES", 4) == 0 || strncmp(dist, "openSUSE", 8) == 0 ? "Suse" : dist;
}

/* The first run of digits and dots in 's' ("CentOS Linux release 7.9.2009 (Core)" -> 7.9.2009). */
static char *version_in(const char *s)
{
    const char *p = s + strcspn(s, "0123456789");

    return xstrndup(p, strspn(p, "0123456789."));
}

/* distribution_version like ansible's sys_info: debian_version for Debian, two parts of the
 * release file's version for CentOS, else os-release VERSION_ID. */
static char *distribution_version(const char *id, const struct sections *s)
{
    const char *deb = line_at(&s->debian, 0);

    if (strcmp(id, "debian") == 0 && *deb >= '0' && *deb <= '9') {
        return xstrdup(deb);
    }
    if (strcmp(id, "centos") == 0 && s->redhat.len > 0) {
        char *v = version_in(line_at(&s->redhat, 0));
        char *dot = strchr(v, '.');

        if (dot && strchr(dot + 1, '.')) {
            *strchr(dot + 1, '.') = '\0';
        }
        return v;
    }
    return os_release(&s->os, "VERSION_ID");
}

/* VERSION_CODENAME, else the word in parentheses of VERSION or the release file, else "NA". */
static char *distribution_release(const struct sections *s)
{
    char *code = os_release(&s->os, "VERSION_CODENAME");
    char *version = NULL;
    const char *open;

    if (*code) {
        return code;
    }
    free(code);
    version = os_release(&s->os, "VERSION");
    open = strchr(version, '(');
    if (!open) {
        open = strchr(line_at(&s->redhat, 0), '(');
    }
    code = open ? xstrndup(open + 1, strcspn(open + 1, ")")) : xstrdup("NA");
    free(version);
    return code;
}

static void distribution_facts(const struct sections *s, struct val *f)
{
    char *id = os_release(&s->os, "ID");
    char *dist = distribution_name(id, line_at(&s->redhat, 0));
    char *version = distribution_version(id, s);
    char *release = distribution_release(s);
    size_t major = strcspn(version, ".");

    fact_str(f, "ansible_distribution", dist);
    fact_str(f, "ansible_distribution_version", version);
    fact_take(f, "ansible_distribution_major_version", val_strn(version, major));
    if (version[major] == '.') {
        fact_str(f, "ansible_distribution_minor_version", version + major + 1);
    }
    fact_str(f, "ansible_distribution_release", release);
    fact_str(f, "ansible_os_family", os_family(dist));
    free(id);
    free(dist);
    free(version);
    free(release);
}

static void platform_facts(const struct sections *s, struct val *f)
{
    const char *machine = line_at(&s->uname, 3);
    const char *fqdn = line_at(&s->fqdn, 0);
    const char *node = line_at(&s->uname, 4);
    const char *dot = strchr(fqdn, '.');

    fact_str(f, "ansible_system", line_at(&s->uname, 0));
    fact_str(f, "ansible_kernel", line_at(&s->uname, 1));
    fact_str(f, "ansible_kernel_version", line_at(&s->uname, 2));
    fact_str(f, "ansible_machine", machine);
    fact_str(f, "ansible_architecture",
             strlen(machine) == 4 && machine[0] == 'i' && strcmp(machine + 2, "86") == 0
                 ? "i386"
                 : machine);
    fact_str(f, "ansible_userspace_bits", line_at(&s->bits, 0));
    fact_str(f, "ansible_nodename", node);
    fact_take(f, "ansible_hostname", val_strn(node, strcspn(node, ".")));
    fact_str(f, "ansible_fqdn", fqdn);
    fact_str(f, "ansible_domain", dot ? dot + 1 : "");
    if (s->python.len > 0) {
        struct val *py = val_dict();

        fact_str(py, "executable", line_at(&s->python, 0));
        fact_take(f, "ansible_python", py);
    }
}

static int64_t num(const char *s)
{
    int64_t n = 0;

    return parse_int(s, &n) == 0 ? n : 0;
}

/* "key\t: value" lines of /proc/cpuinfo. */
static void cpu_facts(const struct sections *s, struct val *f)
{
    struct svec phys = SVEC_INIT;
    struct val *procs = val_list();
    int64_t vcpus = 0, cores = 0, siblings = 0;

    for (size_t i = 0; i < s->cpu.len; i++) {
        char *colon = strchr(s->cpu.items[i], ':');
        const char *v = colon ? colon + 1 + strspn(colon + 1, " ") : "";

        if (str_starts_with(s->cpu.items[i], "processor")) {
            val_list_push_take(procs, val_strf("%lld", (long long)vcpus++));
        } else if (str_starts_with(s->cpu.items[i], "vendor_id") ||
                   str_starts_with(s->cpu.items[i], "model name")) {
            val_list_push_take(procs, val_str(v));
        } else if (str_starts_with(s->cpu.items[i], "physical id") && !svec_contains(&phys, v)) {
            svec_push(&phys, v);
        } else if (str_starts_with(s->cpu.items[i], "cpu cores")) {
            cores = num(v);
        } else if (str_starts_with(s->cpu.items[i], "siblings")) {
            siblings = num(v);
        }
    }
    cores = cores ? cores : 1;
    fact_take(f, "ansible_processor", procs);
    fact_take(f, "ansible_processor_vcpus", val_int(vcpus));
    fact_take(f, "ansible_processor_count", val_int(phys.len ? (int64_t)phys.len : vcpus));
    fact_take(f, "ansible_processor_cores", val_int(cores));
    fact_take(f, "ansible_processor_threads_per_core", val_int(siblings ? siblings / cores : 1));
    fact_take(f, "ansible_processor_nproc", val_int(num(line_at(&s->nproc, 0))));
    svec_release(&phys);
}

static void mem_facts(const struct sections *s, struct val *f)
{
    static const struct { const char *key, *fact; } map[] = {
        { "MemTotal:", "ansible_memtotal_mb" },   { "MemFree:", "ansible_memfree_mb" },
        { "SwapTotal:", "ansible_swaptotal_mb" }, { "SwapFree:", "ansible_swapfree_mb" },
    };

    for (size_t i = 0; i < s->mem.len; i++) {
        for (size_t k = 0; k < ARRAY_SIZE(map); k++) {
            if (str_starts_with(s->mem.items[i], map[k].key)) {
                char *v = str_trim(s->mem.items[i] + strlen(map[k].key));

                v[strcspn(v, " ")] = '\0';
                fact_take(f, map[k].fact, val_int(num(v) / 1024));
                free(v);
            }
        }
    }
}

/* Splits 'line' on spaces into at most 'max' fields (the last keeps the rest). */
static size_t fields(char *line, char **out, size_t max)
{
    size_t n = 0;

    while (*line && n < max) {
        line += strspn(line, " \t");
        if (!*line) {
            break;
        }
        out[n++] = line;
        if (n == max) {
            break;
        }
        line += strcspn(line, " \t");
        if (*line) {
            *line++ = '\0';
        }
    }
    return n;
}

/* "BSIZE BLOCKS BFREE BAVAIL FILES FFREE DEV MOUNT FSTYPE OPTIONS" -> one ansible_mounts item. */
static struct val *mount_item(char *line)
{
    char *f[10];
    struct val *m;
    int64_t bs, blocks, bfree, bavail, files, ffree;

    if (fields(line, f, 10) < 10) {
        return NULL;
    }
    bs = num(f[0]), blocks = num(f[1]), bfree = num(f[2]), bavail = num(f[3]);
    files = num(f[4]), ffree = num(f[5]);
    m = val_dict();
    fact_take(m, "block_available", val_int(bavail));
    fact_take(m, "block_size", val_int(bs));
    fact_take(m, "block_total", val_int(blocks));
    fact_take(m, "block_used", val_int(blocks - bfree));
    fact_str(m, "device", f[6]);
    fact_str(m, "fstype", f[8]);
    fact_take(m, "inode_available", val_int(ffree));
    fact_take(m, "inode_total", val_int(files));
    fact_take(m, "inode_used", val_int(files - ffree));
    fact_str(m, "mount", f[7]);
    fact_str(m, "options", f[9]);
    fact_take(m, "size_available", val_int(bavail * bs));
    fact_take(m, "size_total", val_int(blocks * bs));
    return m;
}

/* Ansible's bytes_to_human: "%.2f %s" in powers of 1024. */
static struct val *human_size(double bytes)
{
    static const char *const units[] = { "Bytes", "KB", "MB", "GB", "TB", "PB", "EB" };
    size_t u = 0;

    while (bytes >= 1024 && u + 1 < ARRAY_SIZE(units)) {
        bytes /= 1024;
        u++;
    }
    return val_strf("%.2f %s", bytes, units[u]);
}

/* "NAME SECTORS SECTORSIZE REMOVABLE ROTATIONAL MODEL" -> ansible_devices[NAME]. */
static void device_item(char *line, struct val *devices)
{
    char *f[6] = { 0 };
    size_t n = fields(line, f, 6);
    struct val *d;

    if (n < 3) {
        return;
    }
    d = val_dict();
    fact_take(d, "model", n > 5 ? val_str(f[5]) : val_null());
    fact_take(d, "removable", val_str(n > 3 ? f[3] : "0"));
    fact_take(d, "rotational", val_str(n > 4 ? f[4] : "0"));
    fact_str(d, "sectors", f[1]);
    fact_str(d, "sectorsize", f[2]);
    fact_take(d, "size", human_size((double)num(f[1]) * (double)num(f[2])));
    val_dict_set_take(devices, f[0], d);
}

static void hardware_facts(const struct sections *s, struct val *f)
{
    struct val *mounts = val_list();
    struct val *devices = val_dict();

    cpu_facts(s, f);
    mem_facts(s, f);
    for (size_t i = 0; i < s->mounts.len; i++) {
        struct val *m = mount_item(s->mounts.items[i]);

        if (m) {
            val_list_push_take(mounts, m);
        }
    }
    for (size_t i = 0; i < s->devices.len; i++) {
        device_item(s->devices.items[i], devices);
    }
    fact_take(f, "ansible_mounts", mounts);
    fact_take(f, "ansible_devices", devices);
}

/* The word after 'key' in an `ip route` line, or NULL. Returns a new string. */
static char *route_word(const char *line, const char *key)
{
    size_t klen = strlen(key);

    const char *p = strstr(line, key);

    while (p != NULL) {
        if ((p == line || p[-1] == ' ') && p[klen] == ' ') {
            const char *w = p + klen + 1;

            return xstrndup(w, strcspn(w, " "));
        }
        p = strstr(p + klen, key);
    }
    return NULL;
}

static uint32_t parse_ipv4(const char *s)
{
    unsigned a = 0, b = 0, c = 0, d = 0;

    if (sscanf(s, "%u.%u.%u.%u", &a, &b, &c, &d) != 4) {
        return 0;
    }
    return (uint32_t)(a << 24 | b << 16 | c << 8 | d);
}

static struct val *ipv4_str(uint32_t ip)
{
    return val_strf("%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

/* Fills address/broadcast/netmask/network/prefix from `ip -4 -o addr` for 'addr' on 'dev'. */
static void add_prefix_info(const struct sections *s, const char *dev, const char *addr,
                            struct val *d)
{
    for (size_t i = 0; i < s->addr.len; i++) {
        char *inet = route_word(s->addr.items[i], "inet");
        char *brd = route_word(s->addr.items[i], "brd");
        char *slash = inet ? strchr(inet, '/') : NULL;

        if (slash && strstr(s->addr.items[i], dev) &&
            (!addr || strncmp(inet, addr, (size_t)(slash - inet)) == 0)) {
            int64_t prefix = num(slash + 1);
            uint32_t mask = prefix ? (uint32_t)(0xffffffffu << (32 - prefix)) : 0;

            *slash = '\0';
            fact_str(d, "address", inet);
            fact_take(d, "broadcast", val_str(brd ? brd : ""));
            fact_take(d, "netmask", ipv4_str(mask));
            fact_take(d, "network", ipv4_str(parse_ipv4(inet) & mask));
            fact_take(d, "prefix", val_strf("%lld", (long long)prefix));
            free(inet);
            free(brd);
            return;
        }
        free(inet);
        free(brd);
    }
}

static void add_link_info(const struct sections *s, const char *dev, struct val *d)
{
    for (size_t i = 0; i < s->ifaces.len; i++) {
        char *copy = xstrdup(s->ifaces.items[i]);
        char *f[4] = { 0 };

        if (fields(copy, f, 4) == 4 && strcmp(f[0], dev) == 0) {
            fact_str(d, "macaddress", f[1]);
            fact_take(d, "mtu", val_int(num(f[2])));
            fact_str(d, "type", strcmp(f[3], "1") == 0     ? "ether"
                                : strcmp(f[3], "772") == 0 ? "loopback"
                                                           : "unknown");
        }
        free(copy);
    }
}

static struct val *default_ipv4(const struct sections *s)
{
    const char *line = line_at(&s->route, 0);
    char *dev = route_word(line, "dev");
    char *via = route_word(line, "via");
    char *src = route_word(line, "src");
    struct val *d = val_dict();

    if (dev) {
        fact_str(d, "alias", dev);
        fact_str(d, "gateway", via ? via : "");
        fact_str(d, "interface", dev);
        add_prefix_info(s, dev, src, d);
        add_link_info(s, dev, d);
    }
    free(dev);
    free(via);
    free(src);
    return d;
}

static void network_facts(const struct sections *s, struct val *f)
{
    struct val *all = val_list();
    struct val *ifaces = val_list();

    for (size_t i = 0; i < s->addr.len; i++) {
        char *inet = route_word(s->addr.items[i], "inet");

        if (inet && !str_starts_with(inet, "127.")) {
            inet[strcspn(inet, "/")] = '\0';
            val_list_push_take(all, val_str(inet));
        }
        free(inet);
    }
    for (size_t i = 0; i < s->ifaces.len; i++) {
        const char *l = s->ifaces.items[i];

        val_list_push_take(ifaces, val_strn(l, strcspn(l, " ")));
    }
    fact_take(f, "ansible_default_ipv4", default_ipv4(s));
    fact_take(f, "ansible_all_ipv4_addresses", all);
    fact_take(f, "ansible_interfaces", ifaces);
}

static void date_facts(const struct sections *s, struct val *f)
{
    static const char *const keys[] = { "date", "day", "epoch", "hour", "minute", "month",
                                        "second", "time", "tz", "tz_offset", "weekday",
                                        "weekday_number", "weeknumber", "year" };
    char *local = xstrdup(line_at(&s->date, 0));
    char *utc = xstrdup(line_at(&s->date, 1));
    char *lf[ARRAY_SIZE(keys)] = { 0 }, *uf[2] = { 0 };
    struct val *d = val_dict();

    if (fields(local, lf, ARRAY_SIZE(keys)) == ARRAY_SIZE(keys) && fields(utc, uf, 2) == 2) {
        for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
            fact_str(d, keys[i], lf[i]);
        }
        fact_str(d, "epoch_int", lf[2]);
        fact_str(d, "tz_dst", lf[8]);
        fact_str(d, "iso8601", uf[0]);
        fact_str(d, "iso8601_basic_short", uf[1]);
    }
    fact_take(f, "ansible_date_time", d);
    free(local);
    free(utc);
}

static void env_facts(const struct sections *s, struct val *f)
{
    struct val *env = val_dict();

    for (size_t i = 0; i < s->env.len; i++) {
        const char *l = s->env.items[i];
        size_t name = strspn(l, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");

        if (name > 0 && l[name] == '=') {
            char *key = xstrndup(l, name);

            fact_str(env, key, l + name + 1);
            free(key);
        }
    }
    fact_take(f, "ansible_env", env);
}

/* gather_subset: "all" (default), "min", "hardware", "network", and "!name" exclusions. */
static bool subset_wants(const struct val *subset, const char *name)
{
    bool all = false, named = false, not_all = false, not_named = false;

    for (size_t i = 0; i < val_list_len(subset); i++) {
        const char *s = val_cstr(val_list_get(subset, i));
        bool neg = s && s[0] == '!';

        if (!s) {
            continue;
        }
        s += neg;
        if (strcmp(s, "all") == 0) {
            *(neg ? &not_all : &all) = true;
        } else if (strcmp(s, name) == 0) {
            *(neg ? &not_named : &named) = true;
        }
    }
    return !not_named && (named || (all && !not_all));
}

/* Keeps the facts whose names match one of the 'filter' globs. */
static struct val *apply_filter(struct val *facts, const struct val *filter)
{
    struct val *kept;

    if (!filter || val_list_len(filter) == 0) {
        return facts;
    }
    kept = val_dict();
    for (size_t i = 0; i < val_dict_len(facts); i++) {
        const char *key = val_dict_key_at(facts, i);

        for (size_t k = 0; k < val_list_len(filter); k++) {
            const char *pat = val_cstr(val_list_get(filter, k));

            if (pat && fnmatch(pat, key, 0) == 0) {
                val_dict_set(kept, key, val_dict_value_at(facts, i));
                break;
            }
        }
    }
    val_unref(facts);
    return kept;
}

static struct val *build_facts(const struct sections *s, const struct val *subset)
{
    struct val *f = val_dict();

    distribution_facts(s, f);
    platform_facts(s, f);
    date_facts(s, f);
    env_facts(s, f);
    if (subset_wants(subset, "hardware")) {
        hardware_facts(s, f);
    }
    if (subset_wants(subset, "network")) {
        network_facts(s, f);
    }
    return f;
}

static int setup_run(struct module_ctx *ctx, const struct margs *args, struct result *res,
                     struct err *err)
{
    struct val *subset = margs_list(args, "gather_subset");
    struct buf out = BUF_INIT;
    struct sections s = { 0 };
    struct val *facts;
    int status = 0;

    if (mod_exec(ctx, FACTS_SCRIPT, NULL, 0, &out, NULL, &status, err) < 0) {
        buf_release(&out);
        return -1;
    }
    split_sections(out.ptr, &s);
    facts = apply_filter(build_facts(&s, subset), margs_list(args, "filter"));
    val_dict_set(facts, "gather_subset", subset);
    val_dict_set_take(facts, "module_setup", val_bool(true));
    val_dict_set_take(res->data, "ansible_facts", facts);
    res->status = RESULT_OK;
    release_sections(&s);
    buf_release(&out);
    return 0;
}

const struct module module_setup = {
    .name = "setup",
    .args = setup_args,
    .flags = MOD_CHECK_MODE,
    .run = setup_run,
};
