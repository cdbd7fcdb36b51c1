/*
 * probe-main.c - pot-probe, the static binary `pot check` copies to a host and runs there:
 * `pot-probe disk DIR [--size BYTES] [--qd N] [--runtime SECONDS]` measures the disk holding DIR
 * (probe-disk.h); `pot-probe net-serve [--port N] [--idle SECONDS]` starts a background server
 * and `pot-probe net ADDRESS [--port N] [--time SECONDS] [--streams N] [--pings N]` measures the
 * network to it (probe-net.h); `pot-probe host ...` prints the host's facts (probe-host.h). Each
 * prints one JSON object on stdout: the numbers, or
 * {"error": "..."} with exit status 1 (2 for bad arguments). SIGINT, SIGTERM, SIGHUP and
 * SIGPIPE remove the disk test's files before the probe dies; a SIGKILL leaves them under names
 * the next run removes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "probe/probe-disk.h"
#include "probe/probe-host.h"
#include "probe/probe-json.h"
#include "probe/probe-net.h"

#define DEFAULT_SIZE (256ull << 20)
#define DEFAULT_QD 32
#define DEFAULT_RUNTIME_S 5
#define WAL_SIZE (22ull << 20) /* etcd's recipe: --size=22m --bs=2300 */
#define WAL_BS 2300
#define DEFAULT_IDLE_S 60    /* a server with no connection for this long exits */
#define DEFAULT_NET_TIME_S 5 /* seconds of each throughput test */
#define DEFAULT_STREAMS 4    /* connections of the parallel test */
#define DEFAULT_PINGS 1000   /* round trips of the latency test (2 s at most) */

static void on_signal(int sig)
{
    unlink(probe_disk_data_path());
    unlink(probe_disk_wal_path());
    signal(sig, SIG_DFL);
    raise(sig);
}

static void catch_signals(void)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };

    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        signal(sigs[i], on_signal);
    }
}

static int usage(const char *why)
{
    printf("{\"error\": ");
    probe_json_string(why);
    printf("}\n");
    fprintf(stderr, "usage: pot-probe disk DIR [--size BYTES] [--qd N] [--runtime SECONDS]\n"
                    "       pot-probe net-serve [--port N] [--idle SECONDS]\n"
                    "       pot-probe net ADDRESS [--port N] [--time SECONDS] [--streams N] "
                    "[--pings N]\n"
                    "       pot-probe host [--path DIR]... [--port N]... [--module NAME]...\n"
                    "                      [--binary NAME]... [--sysctl NAME]... "
                    "[--connect HOST:PORT]\n");
    return 2;
}

static int parse_number(const char *s, unsigned long long min, unsigned long long *out)
{
    char *end;

    if (*s == '-') {
        return -1; /* strtoull would take it and wrap around */
    }
    errno = 0;
    *out = strtoull(s, &end, 10);
    return errno == 0 && end != s && *end == '\0' && *out >= min ? 0 : -1;
}

/* An option of a measurement: "--NAME N" with N in [1, max], stored in *value. */
struct number_option {
    const char *name;
    unsigned long long max;
    unsigned long long *value;
};

/* Reads "--NAME N" pairs from argv[first..] into the options; returns 2 (usage printed) when one
 * is unknown, lacks a number or is out of range. */
static int parse_options(int argc, char **argv, int first, const struct number_option *opts)
{
    for (int i = first; i < argc; i += 2) {
        const struct number_option *o = opts;
        unsigned long long v;

        if (i + 1 >= argc || parse_number(argv[i + 1], 1, &v) < 0) {
            return usage("an option lacks a positive number");
        }
        while (o->name && strcmp(o->name, argv[i]) != 0) {
            o++;
        }
        if (!o->name || v > o->max) {
            return usage("unknown option or value out of range");
        }
        *o->value = v;
    }
    return 0;
}

static void print_result(const struct probe_disk_opts *o, const struct probe_disk_result *r)
{
    printf("{\"probe\": \"disk\", \"version\": 1, \"dir\": ");
    probe_json_string(o->dir);
    printf(", \"size\": %llu, \"qd\": %d, \"runtime_s\": %d, \"direct\": %s,\n",
           (unsigned long long)o->size, o->qd, o->runtime_s, r->direct ? "true" : "false");
    printf(" \"seq_write_mibps\": %.1f, \"seq_read_mibps\": %.1f,\n", r->seq_write_mibps,
           r->seq_read_mibps);
    printf(" \"randread_iops\": %.0f, \"randwrite_iops\": %.0f,\n", r->randread_iops,
           r->randwrite_iops);
    printf(" \"fdatasync\": {\"count\": %zu, \"bs\": %u, \"p50_us\": %.1f, \"p99_us\": %.1f, "
           "\"p999_us\": %.1f, \"max_us\": %.1f, \"mean_us\": %.1f}}\n",
           r->sync_count, o->wal_bs, (double)r->sync_p50_ns / 1e3, (double)r->sync_p99_ns / 1e3,
           (double)r->sync_p999_ns / 1e3, (double)r->sync_max_ns / 1e3, r->sync_mean_ns / 1e3);
}

static void print_error(const char *probe, const char *msg)
{
    printf("{\"probe\": \"%s\", \"version\": 1, \"error\": ", probe);
    probe_json_string(msg);
    printf("}\n");
}

static int run_disk(int argc, char **argv)
{
    unsigned long long size = DEFAULT_SIZE, qd = DEFAULT_QD, runtime = DEFAULT_RUNTIME_S;
    const struct number_option opts[] = {
        { "--size", ~0ull, &size },
        { "--qd", 1024, &qd },
        { "--runtime", 3600, &runtime },
        { NULL, 0, NULL },
    };
    struct probe_disk_opts o = { .wal_size = WAL_SIZE, .wal_bs = WAL_BS };
    struct probe_disk_result r;
    char msg[1024];

    if (argc < 3) {
        return usage("expected: disk DIR");
    }
    if (parse_options(argc, argv, 3, opts) != 0) {
        return 2;
    }
    o.dir = argv[2];
    o.size = size >> 20 << 20;
    o.qd = (int)qd;
    o.runtime_s = (int)runtime;
    if (probe_disk_prepare(o.dir) < 0) {
        return usage("directory path too long");
    }
    catch_signals();
    if (probe_disk_run(&o, &r, msg, sizeof(msg)) < 0) {
        print_error("disk", msg);
        return 1;
    }
    print_result(&o, &r);
    return 0;
}

static int run_net_serve(int argc, char **argv)
{
    unsigned long long port = PROBE_NET_DEFAULT_PORT, idle = DEFAULT_IDLE_S;
    const struct number_option opts[] = {
        { "--port", 65535, &port },
        { "--idle", 3600, &idle },
        { NULL, 0, NULL },
    };
    char msg[1024];
    long pid;

    if (parse_options(argc, argv, 2, opts) != 0) {
        return 2;
    }
    if (probe_net_serve((int)port, (int)idle, &pid, msg, sizeof(msg)) < 0) {
        print_error("net-serve", msg);
        return 1;
    }
    printf("{\"probe\": \"net-serve\", \"version\": 1, \"port\": %llu, \"pid\": %ld}\n", port, pid);
    return 0;
}

static void print_throughput(const char *name, const struct probe_net_throughput *t)
{
    printf(" \"%s\": {\"bytes\": %llu, \"seconds\": %.3f, \"mbps\": %.1f, \"retransmits\": %llu, "
           "\"segments\": %llu},\n",
           name, (unsigned long long)t->bytes, (double)t->ns / 1e9, t->mbps,
           (unsigned long long)t->retrans, (unsigned long long)t->segs_out);
}

/* Segments retransmitted per segment sent, over both throughput tests, in percent. */
static double retransmit_pct(const struct probe_net_result *r)
{
    uint64_t sent = r->single.segs_out + r->parallel.segs_out;

    return sent ? 100.0 * (double)(r->single.retrans + r->parallel.retrans) / (double)sent : 0;
}

static int run_net(int argc, char **argv)
{
    unsigned long long port = PROBE_NET_DEFAULT_PORT, time_s = DEFAULT_NET_TIME_S,
                       streams = DEFAULT_STREAMS, pings = DEFAULT_PINGS;
    const struct number_option opts[] = {
        { "--port", 65535, &port },    { "--time", 3600, &time_s }, { "--streams", 128, &streams },
        { "--pings", 100000, &pings }, { NULL, 0, NULL },
    };
    struct probe_net_result r;
    struct probe_net_opts o;
    char msg[1024];

    if (argc < 3) {
        return usage("expected: net ADDRESS");
    }
    if (parse_options(argc, argv, 3, opts) != 0) {
        return 2;
    }
    o = (struct probe_net_opts){ .address = argv[2],
                                 .port = (int)port,
                                 .time_s = (int)time_s,
                                 .streams = (int)streams,
                                 .pings = (int)pings };
    signal(SIGPIPE, SIG_IGN);
    if (probe_net_measure(&o, &r, msg, sizeof(msg)) < 0) {
        print_error("net", msg);
        return 1;
    }
    printf("{\"probe\": \"net\", \"version\": 1, \"address\": ");
    probe_json_string(o.address);
    printf(", \"port\": %d, \"time_s\": %d, \"streams\": %d,\n", o.port, o.time_s, o.streams);
    print_throughput("single", &r.single);
    print_throughput("parallel", &r.parallel);
    printf(" \"retransmit_pct\": %.4f,\n", retransmit_pct(&r));
    printf(" \"rtt\": {\"count\": %zu, \"min_us\": %.1f, \"p50_us\": %.1f, \"p99_us\": %.1f, "
           "\"max_us\": %.1f, \"mean_us\": %.1f}}\n",
           r.pings, (double)r.rtt_min_ns / 1e3, (double)r.rtt_p50_ns / 1e3,
           (double)r.rtt_p99_ns / 1e3, (double)r.rtt_max_ns / 1e3, r.rtt_mean_ns / 1e3);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "disk") == 0) {
        return run_disk(argc, argv);
    }
    if (argc >= 2 && strcmp(argv[1], "net-serve") == 0) {
        return run_net_serve(argc, argv);
    }
    if (argc >= 2 && strcmp(argv[1], "net") == 0) {
        return run_net(argc, argv);
    }
    if (argc >= 2 && strcmp(argv[1], "host") == 0) {
        return probe_host_main(argc, argv);
    }
    return usage("expected: disk, net-serve, net or host");
}
