/*
 * probe-host.c - the host facts of the probe (probe-host.h). Every fact comes from a file of
 * /proc, /sys or /etc or a system call, so the probe needs nothing installed on the host.
 */
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "probe/probe-host.h"
#include "probe/probe-json.h"

#define MAX_ITEMS 64
#define CONNECT_TIMEOUT_MS 3000

struct host_opts {
    const char *paths[MAX_ITEMS], *modules[MAX_ITEMS], *binaries[MAX_ITEMS], *sysctls[MAX_ITEMS];
    int ports[MAX_ITEMS];
    size_t npaths, nmodules, nbinaries, nsysctls, nports;
    const char *connect; /* HOST:PORT; NULL: no internet test */
};

/* The first line of 'path' without its newline, in 'out'; "" when it cannot be read. */
static void read_line(const char *path, char *out, size_t len)
{
    FILE *f = fopen(path, "r");

    out[0] = '\0';
    if (f) {
        if (fgets(out, (int)len, f)) {
            out[strcspn(out, "\n")] = '\0';
        }
        fclose(f);
    }
}

static void print_key_string(const char *key, const char *value, const char *sep)
{
    printf("\"%s\": ", key);
    probe_json_string(value);
    fputs(sep, stdout);
}

/* os-release's ID, VERSION_ID and PRETTY_NAME. */
static void print_os(void)
{
    static const char *const keys[] = { "ID", "VERSION_ID", "PRETTY_NAME" };
    char values[3][256] = { "", "", "" }, line[512];
    FILE *f = fopen("/etc/os-release", "r");

    if (!f) {
        f = fopen("/usr/lib/os-release", "r");
    }
    while (f && fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        for (int k = 0; k < 3; k++) {
            size_t n = strlen(keys[k]);
            char *v = line + n + 1;

            if (strncmp(line, keys[k], n) == 0 && line[n] == '=') {
                if (*v == '"' || *v == '\'') {
                    v++;
                    v[strcspn(v, "\"'")] = '\0';
                }
                snprintf(values[k], sizeof(values[k]), "%s", v);
            }
        }
    }
    if (f) {
        fclose(f);
    }
    /* os-release's VERSION_ID is "7" on every CentOS 7: the minor release is only here */
    read_line("/etc/system-release", line, sizeof(line));
    if (!line[0]) {
        read_line("/etc/redhat-release", line, sizeof(line));
    }
    printf(" \"os\": {");
    print_key_string("id", values[0], ", ");
    print_key_string("version_id", values[1], ", ");
    print_key_string("pretty_name", values[2], ", ");
    print_key_string("release", line, "},\n");
}

static void print_identity(void)
{
    char hostname[256] = "", machine_id[128];
    struct utsname u;

    gethostname(hostname, sizeof(hostname) - 1);
    read_line("/etc/machine-id", machine_id, sizeof(machine_id));
    if (!machine_id[0]) {
        read_line("/var/lib/dbus/machine-id", machine_id, sizeof(machine_id));
    }
    uname(&u);
    printf(" ");
    print_key_string("hostname", hostname, ", ");
    print_key_string("machine_id", machine_id, ", ");
    print_key_string("kernel", u.release, ", ");
    print_key_string("arch", u.machine, ",\n");
}

static void print_resources(void)
{
    struct sysinfo si;

    sysinfo(&si);
    printf(" \"cpus\": %ld, \"mem_total_mb\": %llu, \"swap_total_mb\": %llu,\n",
           sysconf(_SC_NPROCESSORS_ONLN),
           (unsigned long long)si.totalram * si.mem_unit / (1024 * 1024),
           (unsigned long long)si.totalswap * si.mem_unit / (1024 * 1024));
}

static void print_paths(const struct host_opts *o)
{
    printf(" \"paths\": [");
    for (size_t i = 0; i < o->npaths; i++) {
        struct statvfs v;
        int ok = statvfs(o->paths[i], &v) == 0;

        printf("%s{\"path\": ", i ? ", " : "");
        probe_json_string(o->paths[i]);
        if (ok) {
            printf(", \"exists\": true, \"total_gb\": %.2f, \"free_gb\": %.2f}",
                   (double)v.f_blocks * v.f_frsize / 1e9, (double)v.f_bavail * v.f_frsize / 1e9);
        } else {
            printf(", \"exists\": false, \"error\": ");
            probe_json_string(strerror(errno));
            printf("}");
        }
    }
    printf("],\n");
}

/* A module is there when the kernel lists it in /sys/module (loaded, or built in). */
static void print_modules(const struct host_opts *o)
{
    printf(" \"modules\": {");
    for (size_t i = 0; i < o->nmodules; i++) {
        char path[512];
        struct stat st;

        snprintf(path, sizeof(path), "/sys/module/%s", o->modules[i]);
        printf("%s", i ? ", " : "");
        probe_json_string(o->modules[i]);
        printf(": %s", stat(path, &st) == 0 ? "true" : "false");
    }
    printf("},\n");
}

static void print_sysctls(const struct host_opts *o)
{
    printf(" \"sysctl\": {");
    for (size_t i = 0; i < o->nsysctls; i++) {
        char path[512], value[256];

        snprintf(path, sizeof(path), "/proc/sys/%s", o->sysctls[i]);
        for (char *c = path + strlen("/proc/sys/"); *c; c++) {
            *c = *c == '.' ? '/' : *c;
        }
        printf("%s", i ? ", " : "");
        probe_json_string(o->sysctls[i]);
        if (access(path, R_OK) == 0) {
            read_line(path, value, sizeof(value));
            printf(": ");
            probe_json_string(value);
        } else {
            printf(": null");
        }
    }
    printf("},\n");
}

/* IPv4 routes from /proc/net/route (addresses in host byte order, as hex). */
static void print_routes(void)
{
    FILE *f = fopen("/proc/net/route", "r");
    char line[512], iface[64];
    unsigned dest, gw, flags, mask;
    int first = 1;

    printf(" \"routes\": [");
    if (f && fgets(line, sizeof(line), f)) { /* the header */
        while (fgets(line, sizeof(line), f)) {
            if (sscanf(line, "%63s %x %x %x %*d %*d %*d %x", iface, &dest, &gw, &flags, &mask) !=
                5) {
                continue;
            }
            printf("%s{\"iface\": ", first ? "" : ", ");
            probe_json_string(iface);
            printf(", \"dest\": \"%u.%u.%u.%u\", \"prefix\": %d}", dest & 255, dest >> 8 & 255,
                   dest >> 16 & 255, dest >> 24, __builtin_popcount(mask));
            first = 0;
        }
    }
    if (f) {
        fclose(f);
    }
    printf("],\n");
}

/* Whether a TCP socket listens on 'port' in /proc/net/tcp or tcp6. */
static int listening(int port)
{
    static const char *const files[] = { "/proc/net/tcp", "/proc/net/tcp6" };

    for (int i = 0; i < 2; i++) {
        FILE *f = fopen(files[i], "r");
        char line[512], local[128];
        unsigned state;
        int found = 0;

        while (f && !found && fgets(line, sizeof(line), f)) {
            const char *colon = NULL;

            if (sscanf(line, " %*d: %127s %*s %x", local, &state) == 2 && state == 0x0A) {
                colon = strrchr(local, ':');
            }
            found = colon && (int)strtol(colon + 1, NULL, 16) == port;
        }
        if (f) {
            fclose(f);
        }
        if (found) {
            return 1;
        }
    }
    return 0;
}

static void print_ports(const struct host_opts *o)
{
    int first = 1;

    printf(" \"listening\": [");
    for (size_t i = 0; i < o->nports; i++) {
        if (listening(o->ports[i])) {
            printf("%s%d", first ? "" : ", ", o->ports[i]);
            first = 0;
        }
    }
    printf("],\n");
}

static void print_dns(void)
{
    FILE *f = fopen("/etc/resolv.conf", "r");
    char line[512], word[256];
    int nameservers = 0, search = 0;

    printf(" \"dns\": {\"nameservers\": [");
    while (f && fgets(line, sizeof(line), f)) {
        if (sscanf(line, "nameserver %255s", word) == 1) {
            printf("%s", nameservers++ ? ", " : "");
            probe_json_string(word);
        }
    }
    printf("], \"search\": [");
    if (f) {
        rewind(f);
    }
    while (f && fgets(line, sizeof(line), f)) {
        char *p = line;
        int n;

        if (strncmp(line, "search ", 7) != 0 && strncmp(line, "domain ", 7) != 0) {
            continue;
        }
        p += 7;
        while (sscanf(p, "%255s%n", word, &n) == 1) {
            printf("%s", search++ ? ", " : "");
            probe_json_string(word);
            p += n;
        }
    }
    if (f) {
        fclose(f);
    }
    printf("]},\n");
}

static void print_binaries(const struct host_opts *o)
{
    static const char *const dirs[] = { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
                                        "/usr/bin",        "/sbin",          "/bin" };

    printf(" \"binaries\": {");
    for (size_t i = 0; i < o->nbinaries; i++) {
        const char *found = NULL;
        char path[512];

        for (size_t d = 0; !found && d < sizeof(dirs) / sizeof(dirs[0]); d++) {
            snprintf(path, sizeof(path), "%s/%s", dirs[d], o->binaries[i]);
            found = access(path, X_OK) == 0 ? path : NULL;
        }
        printf("%s", i ? ", " : "");
        probe_json_string(o->binaries[i]);
        printf(": ");
        if (found) {
            probe_json_string(found);
        } else {
            printf("null");
        }
    }
    printf("},\n");
}

/* Connects to HOST:PORT within CONNECT_TIMEOUT_MS; 0, or -1 with 'why' set. */
static int try_connect(const char *target, char *why, size_t len)
{
    char host[256];
    const char *colon = strrchr(target, ':');
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
    int fd, rc, soerr = 0;
    socklen_t sl = sizeof(soerr);
    struct pollfd p;

    if (!colon || (size_t)(colon - target) >= sizeof(host)) {
        snprintf(why, len, "expected HOST:PORT");
        return -1;
    }
    snprintf(host, sizeof(host), "%.*s", (int)(colon - target), target);
    rc = getaddrinfo(host, colon + 1, &hints, &ai);
    if (rc != 0) {
        snprintf(why, len, "cannot resolve %s: %s", host, gai_strerror(rc));
        return -1;
    }
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    rc = fd < 0 ? -1 : connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc < 0 && errno == EINPROGRESS) {
        p = (struct pollfd){ .fd = fd, .events = POLLOUT };
        rc = poll(&p, 1, CONNECT_TIMEOUT_MS) == 1 ? 0 : -1;
        errno = rc == 0 ? 0 : ETIMEDOUT;
        if (rc == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr) {
            errno = soerr;
            rc = -1;
        }
    }
    if (rc < 0) {
        snprintf(why, len, "%s", strerror(errno));
    }
    if (fd >= 0) {
        close(fd);
    }
    freeaddrinfo(ai);
    return rc;
}

static void print_connect(const struct host_opts *o)
{
    char why[512] = "";
    int ok;

    if (!o->connect) {
        printf(" \"connect\": null,\n");
        return;
    }
    ok = try_connect(o->connect, why, sizeof(why)) == 0;
    printf(" \"connect\": {\"target\": ");
    probe_json_string(o->connect);
    printf(", \"reachable\": %s, \"error\": ", ok ? "true" : "false");
    if (ok) {
        printf("null");
    } else {
        probe_json_string(why);
    }
    printf("},\n");
}

static int bad_arguments(const char *why)
{
    printf("{\"probe\": \"host\", \"version\": 1, \"error\": ");
    probe_json_string(why);
    printf("}\n");
    return 2;
}

static int add(const char **list, size_t *n, const char *item)
{
    if (*n >= MAX_ITEMS) {
        return -1;
    }
    list[(*n)++] = item;
    return 0;
}

static int parse_host_args(int argc, char **argv, struct host_opts *o)
{
    for (int i = 2; i < argc; i += 2) {
        const char *opt = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int rc = -1;

        if (!v) {
            break;
        } else if (strcmp(opt, "--path") == 0) {
            rc = add(o->paths, &o->npaths, v);
        } else if (strcmp(opt, "--module") == 0) {
            rc = add(o->modules, &o->nmodules, v);
        } else if (strcmp(opt, "--binary") == 0) {
            rc = add(o->binaries, &o->nbinaries, v);
        } else if (strcmp(opt, "--sysctl") == 0) {
            rc = add(o->sysctls, &o->nsysctls, v);
        } else if (strcmp(opt, "--port") == 0) {
            long port = strtol(v, NULL, 10);

            if (o->nports < MAX_ITEMS && port > 0 && port < 65536) {
                o->ports[o->nports++] = (int)port;
                rc = 0;
            }
        } else if (strcmp(opt, "--connect") == 0) {
            o->connect = v;
            rc = 0;
        }
        if (rc < 0) {
            return -1;
        }
    }
    return argc % 2 == 0 ? 0 : -1;
}

int probe_host_main(int argc, char **argv)
{
    struct host_opts o = { .npaths = 0 };
    struct timespec now, start, end;

    clock_gettime(CLOCK_REALTIME, &now);
    clock_gettime(CLOCK_MONOTONIC, &start);
    if (parse_host_args(argc, argv, &o) < 0) {
        return bad_arguments("host: an unknown option, a missing value or too many of one");
    }
    printf("{\"probe\": \"host\", \"version\": 1, \"time_ns\": %lld,\n",
           (long long)now.tv_sec * 1000000000LL + now.tv_nsec);
    print_identity();
    print_os();
    print_resources();
    print_paths(&o);
    print_modules(&o);
    print_sysctls(&o);
    print_routes();
    print_ports(&o);
    print_dns();
    print_binaries(&o);
    print_connect(&o);
    fflush(stdout);
    clock_gettime(CLOCK_MONOTONIC, &end);
    printf(" \"elapsed_ns\": %lld}\n",
           (long long)(end.tv_sec - start.tv_sec) * 1000000000LL + (end.tv_nsec - start.tv_nsec));
    return 0;
}
