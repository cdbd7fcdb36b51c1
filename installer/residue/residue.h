/*
 * residue.h - host residue snapshots: what pot may leave behind on a host, recorded before pot
 * first changes it (the baseline) and compared with the host as it is now (`pot diff-host`, the
 * end of `pot uninstall`).
 *
 * Files: residue-collect.c (the collector: one /bin/sh script run as root over conn/, printing
 * KIND<TAB>KEY<TAB>VALUE lines), residue-snap.c (struct residue_snapshot: those lines parsed and
 * sorted, the .snap file, ignored paths), residue-compare.c (two snapshots to lines a person
 * reads), residue-hosts.c (the inventory's hosts reached in parallel; baseline and check).
 *
 * What a snapshot records, one entry per KIND and KEY (values are names, numbers or hashes, never
 * file contents):
 *   file      every path under RESIDUE_FILE_ROOTS and the host variable `check_path` (default
 *             /data) that exist, staying on each root's filesystem (find -xdev) and skipping
 *             RESIDUE_EXCLUDED_PATHS and the host variable `residue_ignore` (a list of absolute
 *             paths, or one path as a string; each is left out with everything below it);
 *             value "TYPE MODE UID:GID [sha256=HEX|size=BYTES|unreadable|-> TARGET]": files up
 *             to RESIDUE_HASH_MAX bytes by their sha256, larger ones by size only, symbolic links
 *             by their target; never the mtime. Names holding a tab, newline or backslash are
 *             skipped (a note counts them).
 *   mount     mount point -> "FSTYPE SOURCE" (/proc/self/mountinfo; " (xN)" when the same is
 *             mounted N times there, different stacked mounts joined " + ")
 *   iptables, ip6tables (and iptables-legacy, ip6tables-legacy when iptables is the nf_tables
 *             variant and legacy tables exist)
 *             "TABLE: -A ..." -> how many times the rule is there; "TABLE: chain NAME" -> policy
 *             ("-" for a user chain); counters and comment lines dropped
 *   nft       `nft list ruleset`: "FAMILY TABLE: table|chain NAME|set NAME|map NAME",
 *             "FAMILY TABLE CHAIN: LINE" -> count; counters dropped; the ip/ip6 tables iptables
 *             shows (filter nat mangle raw security) are left to iptables when it uses nf_tables
 *   ipvs      `ipvsadm -Sn` line -> count
 *   link      interface name -> its kind (`ip -o -d link`: dummy, veth, bridge, ...; "device"
 *             for a plain one)
 *   netns     `ip netns list` names
 *   listen    "tcp|udp ADDRESS:PORT" listening (`ss -lntu`), no pids
 *   sysctl    RESIDUE_SYSCTL_KEYS, the keys named in /etc/sysctl.conf and /etc/sysctl.d/NAME.conf,
 *             and (when checking) the baseline's keys -> value, "absent" when the kernel has none
 *   module    loaded kernel modules (/proc/modules)
 *   package   name (rpm: name.arch) -> version(s) (dpkg-query -W or rpm -qa); a dpkg package not
 *             fully installed carries its state: "1.2 [rc]"
 *   service   with systemd: every unit file -> "ENABLEMENT" and, for services, "ENABLEMENT/ACTIVE"
 *             (template instances are not listed); without systemd nothing, and a note says so
 *   docker    when `docker info` works: "container NAME" -> image, "image REPO:TAG" -> short id
 * Notes (kind "note" in the collector's output) say what could not be looked at ("service: no
 * systemd", "nft: not installed").
 *
 * Snapshot file: <dir>/<host>.snap, mode 0600 in a 0700 directory, written atomically:
 *   # pot-residue 1<TAB>host=NAME<TAB>time=2024-05-01T10:00:00Z[<TAB>note=TEXT]...
 *   KIND<TAB>KEY<TAB>VALUE                  sorted by kind, then key (bytes)
 *
 * Difference lines (residue_compare): "file /etc/kubernetes/admin.conf: added",
 * "file /etc/kubernetes/: added (12 entries)" (a whole tree added or removed is one line),
 * "file /etc/hosts: content changed", "file /x: mode 0644 -> 0600, owner 0:0 -> 1000:1000",
 * "mount /var/lib/kubelet/pods/x (tmpfs): added", "iptables nat: added -A PREROUTING -j X",
 * "iptables filter: chain INPUT: ACCEPT -> DROP", "link cni0 (dummy): added",
 * "sysctl net.ipv4.ip_forward: 0 -> 1", "package foo 1.2: removed", "package foo: 1.2 -> 1.3",
 * "listen tcp 0.0.0.0:10250: added", "module br_netfilter: added",
 * "service kubelet.service (enabled/active): added", "docker container x (nginx:1): added".
 */
#ifndef RESIDUE_H
#define RESIDUE_H

#include "base/vec.h"

struct buf;
struct err;

#define RESIDUE_FORMAT_VERSION 1

/* Where files are looked at (besides `check_path`). */
#define RESIDUE_FILE_ROOTS "/etc", "/opt", "/usr/local", "/var/lib", "/var/spool/cron", "/root", \
    "/srv"

/* Never recorded, nor anything below them: logs, caches, package databases (kind package says
 * what is installed), container runtimes' stores, and files that change on their own. */
#define RESIDUE_EXCLUDED_PATHS                                                                    \
    "/var/log", "/var/cache", "/var/tmp", "/var/lib/apt/lists", "/var/lib/dpkg",                  \
    "/var/lib/rpm", "/var/lib/yum", "/var/lib/dnf", "/var/lib/docker", "/var/lib/containerd",     \
    "/var/lib/systemd", "/var/lib/sudo", "/var/lib/dhcp", "/var/lib/logrotate",                   \
    "/var/lib/chrony", "/var/lib/rsyslog", "/var/lib/NetworkManager", "/var/lib/postfix",         \
    "/root/.bash_history", "/root/.ansible", "/root/.cache", "/root/.viminfo", "/root/.lesshst", \
    "/root/.python_history", "/etc/ld.so.cache"

/* Regular files up to this size are hashed; larger ones are recorded by size. */
#define RESIDUE_HASH_MAX (4 * 1024 * 1024)

/* The sysctl keys always recorded: those Kubernetes installs set. */
#define RESIDUE_SYSCTL_KEYS                                                                       \
    "net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding", "net.bridge.bridge-nf-call-iptables",  \
    "net.bridge.bridge-nf-call-ip6tables", "net.bridge.bridge-nf-call-arptables",                 \
    "net.ipv4.conf.all.rp_filter", "net.ipv4.conf.default.rp_filter",                             \
    "net.ipv4.conf.all.route_localnet", "net.ipv4.ip_local_port_range",                           \
    "net.ipv4.tcp_tw_reuse", "net.ipv4.neigh.default.gc_thresh1",                                 \
    "net.ipv4.neigh.default.gc_thresh2", "net.ipv4.neigh.default.gc_thresh3",                     \
    "net.core.somaxconn", "net.core.netdev_max_backlog", "net.netfilter.nf_conntrack_max",        \
    "net.ipv6.conf.all.disable_ipv6", "vm.swappiness", "vm.max_map_count",                        \
    "vm.overcommit_memory", "vm.panic_on_oom", "fs.inotify.max_user_watches",                     \
    "fs.inotify.max_user_instances", "fs.file-max", "fs.may_detach_mounts", "kernel.pid_max",     \
    "kernel.panic", "kernel.panic_on_oops", "kernel.keys.root_maxkeys",                           \
    "kernel.keys.root_maxbytes"

/* ---- residue-snap.c ---- */

struct residue_entry {
    char *kind;  /* owned: "file", "mount", ... */
    char *key;   /* owned */
    char *value; /* owned; "" when the kind has none */
};

struct residue_snapshot {
    char *host;                    /* owned */
    char *time;                    /* owned: when it was taken, "2024-05-01T10:00:00Z" */
    struct svec notes;             /* owned: what the collector could not look at */
    struct residue_entry *entries; /* owned; sorted by kind then key, (kind, key) unique */
    size_t len;
    size_t cap;
};

/* Snapshot order: by kind, then key (bytes); <0, 0 or >0 like strcmp. */
int residue_entry_cmp(const struct residue_entry *a, const struct residue_entry *b);
/* An empty snapshot of 'host' taken at 'time' (both copied). */
void residue_snapshot_init(struct residue_snapshot *s, const char *host, const char *time);
void residue_snapshot_release(struct residue_snapshot *s);
/* Adds the collector's output: KIND<TAB>KEY<TAB>VALUE lines in any order ("note" lines become
 * notes), then sorts. Lines of one kind and key become one entry, their distinct values joined
 * with " + ". Returns -1 with ERR_REMOTE naming 'what' and the line number when a line lacks its
 * tabs. */
int residue_snapshot_add_lines(struct residue_snapshot *s, const char *text, const char *what,
                               struct err *err);
/* The entry of 'kind' and 'key' (borrowed), or NULL. */
const struct residue_entry *residue_snapshot_find(const struct residue_snapshot *s,
                                                  const char *kind, const char *key);
/* Drops the file entries at or below any of 'paths' (absolute, no trailing slash). */
void residue_snapshot_ignore(struct residue_snapshot *s, const struct svec *paths);
/* Appends the .snap text (header line, then the entries). */
void residue_snapshot_format(const struct residue_snapshot *s, struct buf *out);
/* Parses .snap text ('name' for messages) into 's' (initialised here). ERR_PARSE when the header
 * is not a version RESIDUE_FORMAT_VERSION snapshot or a line is malformed ('s' is initialised
 * either way: release it). */
int residue_snapshot_parse(struct residue_snapshot *s, const char *text, const char *name,
                           struct err *err);
/* Writes/reads <dir>/<host>.snap; save creates 'dir' (0700) and the file (0600) atomically.
 * load: ERR_IO when the file cannot be read, ERR_PARSE as above ('s' initialised either way). */
int residue_snapshot_save(const struct residue_snapshot *s, const char *dir, struct err *err);
int residue_snapshot_load(struct residue_snapshot *s, const char *dir, const char *host,
                          struct err *err);
/* "<dir>/<host>.snap" (new string). */
char *residue_snapshot_path(const char *dir, const char *host);

/* ---- residue-compare.c ---- */

/* Appends to 'lines' one line per difference from 'before' to 'after' (formats above), in
 * snapshot order; nothing when they are alike. Notes are not compared. */
void residue_compare(const struct residue_snapshot *before, const struct residue_snapshot *after,
                     struct svec *lines);

/* ---- residue-collect.c ---- */

struct residue_collect_opts {
    const char *check_path;         /* borrowed: an absolute path, or NULL */
    const struct svec *ignore;      /* borrowed: absolute paths left out, or NULL */
    const struct svec *sysctl_keys; /* borrowed: more sysctl keys to read, or NULL */
};

/* The collector: a /bin/sh script (new string) that must run as root (it exits 3 otherwise) and
 * prints KIND<TAB>KEY<TAB>VALUE lines for residue_snapshot_add_lines. Only coreutils, findutils,
 * awk and the tools it finds are used; it writes only its own temporary directory. */
char *residue_collect_script(const struct residue_collect_opts *o);

/* ---- residue-hosts.c ---- */

/* One line per host event or difference, called on the calling thread only, in host order:
 * "node3: baseline recorded (1534 entries)", "node3: baseline of 2024-05-01T10:00:00Z kept",
 * "node3: file /etc/kubernetes/: added (3 entries)", "node3: clean",
 * "node5: unreachable: <why>", "node5: failed: <why>". No newline. 'say' may be NULL. */
struct residue_report {
    void (*say)(void *ctx, const char *line);
    void *ctx;
};

/* Takes the baseline of each host in 'hosts' (inventory names) that has none in 'dir' yet
 * ('replace': of every host, replacing what is there). pot's own state is left out on every host
 * (the directory above 'dir' when 'dir' is residue_dir()'s, else 'dir'), so that the installer
 * node may be one of them. The hosts' connection variables are used
 * as `pot exec` uses them; the collector runs as root, through the host's become settings
 * (ansible_become_method, ansible_become_password) when its user is not root. Hosts run in
 * parallel; an unreachable host is reported and the others continue. Returns -1 after all ran
 * with ERR_UNREACHABLE naming the hosts that could not be reached (ERR_FAILED when all were
 * reached but a collector failed); ERR_USAGE, before any host is contacted, when a host is not
 * in the inventory or a host variable is unusable; ERR_PARSE/ERR_IO when the inventory cannot
 * be read. */
int residue_baseline(const char *inventory, const struct svec *hosts, const char *dir,
                     bool replace, const struct residue_report *rep, struct err *err);

/* Takes a fresh snapshot of each host and compares it with its baseline, both without the host's
 * `residue_ignore` paths: one line per difference, or "HOST: clean". '*dirty' = the number of
 * hosts that differ. A host without a baseline in 'dir' is an ERR_USAGE error naming it, before
 * any host is contacted; other errors as residue_baseline. */
int residue_check(const char *inventory, const struct svec *hosts, const char *dir,
                  const struct residue_report *rep, int *dirty, struct err *err);

/* "<data_dir>/pot/residue" (new string). */
char *residue_dir(const char *data_dir);

#endif
