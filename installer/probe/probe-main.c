/*
 * probe-main.c - pot-probe, the static binary `pot check` copies to a host and runs there:
 * `pot-probe disk DIR [--size BYTES] [--qd N] [--runtime SECONDS]` measures the disk holding DIR
 * (probe-disk.h) and prints one JSON object on stdout: the numbers, or {"error": "..."} with
 * exit status 1 (2 for bad arguments). SIGINT, SIGTERM, SIGHUP and SIGPIPE remove the test
 * files before the probe dies; a SIGKILL leaves them under names the next run removes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "probe/probe-disk.h"

#define DEFAULT_SIZE (256ull << 20)
#define DEFAULT_QD 32
#define DEFAULT_RUNTIME_S 5
#define WAL_SIZE (22ull << 20) /* etcd's recipe: --size=22m --bs=2300 */
#define WAL_BS 2300

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

/* Prints 's' as a JSON string. */
static void put_json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;

        if (ch == '"' || ch == '\\') {
            printf("\\%c", ch);
        } else if (ch < 0x20) {
            printf("\\u%04x", ch);
        } else {
            putchar(ch);
        }
    }
    putchar('"');
}

static int usage(const char *why)
{
    printf("{\"error\": ");
    put_json_string(why);
    printf("}\n");
    fprintf(stderr, "usage: pot-probe disk DIR [--size BYTES] [--qd N] [--runtime SECONDS]\n");
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

static int parse_args(int argc, char **argv, struct probe_disk_opts *o)
{
    if (argc < 3 || strcmp(argv[1], "disk") != 0) {
        return usage("expected: disk DIR");
    }
    o->dir = argv[2];
    for (int i = 3; i < argc; i += 2) {
        unsigned long long v;

        if (i + 1 >= argc || parse_number(argv[i + 1], 1, &v) < 0) {
            return usage("an option lacks a positive number");
        }
        if (strcmp(argv[i], "--size") == 0) {
            o->size = v;
        } else if (strcmp(argv[i], "--qd") == 0 && v <= 1024) {
            o->qd = (int)v;
        } else if (strcmp(argv[i], "--runtime") == 0 && v <= 3600) {
            o->runtime_s = (int)v;
        } else {
            return usage("unknown option or value out of range");
        }
    }
    return 0;
}

static void print_result(const struct probe_disk_opts *o, const struct probe_disk_result *r)
{
    printf("{\"probe\": \"disk\", \"version\": 1, \"dir\": ");
    put_json_string(o->dir);
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

int main(int argc, char **argv)
{
    struct probe_disk_opts o = {
        .size = DEFAULT_SIZE,
        .qd = DEFAULT_QD,
        .runtime_s = DEFAULT_RUNTIME_S,
        .wal_size = WAL_SIZE,
        .wal_bs = WAL_BS,
    };
    struct probe_disk_result r;
    char msg[1024];

    if (parse_args(argc, argv, &o) != 0) {
        return 2;
    }
    o.size = o.size >> 20 << 20;
    if (probe_disk_prepare(o.dir) < 0) {
        return usage("directory path too long");
    }
    catch_signals();
    if (probe_disk_run(&o, &r, msg, sizeof(msg)) < 0) {
        printf("{\"probe\": \"disk\", \"version\": 1, \"error\": ");
        put_json_string(msg);
        printf("}\n");
        return 1;
    }
    print_result(&o, &r);
    return 0;
}
