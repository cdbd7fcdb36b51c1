/*
 * probe-disk.h - the disk measurements of the host probe: sequential write and read throughput,
 * 4 KiB random read and write IOPS with O_DIRECT at a queue depth (one thread per outstanding
 * I/O, as fio's psync engine with numjobs), and etcd's fdatasync latency (appends of 2300 bytes,
 * fdatasync after each, as fio --rw=write --ioengine=sync --fdatasync=1 --bs=2300 --size=22m).
 *
 * The test files are PROBE_DATA_FILE and PROBE_WAL_FILE in the directory measured; they are
 * removed when a measurement ends, by the signal handler of probe-main.c when the probe is
 * stopped, and at the start of every run (what a SIGKILL left behind).
 */
#ifndef PROBE_DISK_H
#define PROBE_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROBE_DATA_FILE "pot-probe.data"
#define PROBE_WAL_FILE "pot-probe.wal"

struct probe_disk_opts {
    const char *dir;   /* directory measured (must exist) */
    uint64_t size;     /* bytes of the throughput/IOPS file, rounded down to whole MiB */
    int qd;            /* outstanding random I/Os (threads) */
    int runtime_s;     /* seconds of each random test */
    uint64_t wal_size; /* bytes appended by the fdatasync test */
    unsigned wal_bs;   /* bytes per append */
};

struct probe_disk_result {
    bool direct; /* O_DIRECT was honoured (false: the fs refused it) */
    double seq_write_mibps, seq_read_mibps;
    double randread_iops, randwrite_iops;
    size_t sync_count; /* fdatasync calls measured */
    uint64_t sync_p50_ns, sync_p99_ns, sync_p999_ns, sync_max_ns;
    double sync_mean_ns;
};

/* Runs every measurement on o->dir. Returns 0, or -1 with a message in 'msg' (what failed on
 * which file, with strerror). Leaves no test file behind either way. */
int probe_disk_run(const struct probe_disk_opts *o, struct probe_disk_result *r, char *msg,
                   size_t msg_len);
/* The paths of the two test files in 'dir' (static storage, for the signal handler). */
const char *probe_disk_data_path(void);
const char *probe_disk_wal_path(void);
/* Fills the two paths for 'dir' and removes files of those names; returns -1 when 'dir' is too
 * long for a path. */
int probe_disk_prepare(const char *dir);

#endif
