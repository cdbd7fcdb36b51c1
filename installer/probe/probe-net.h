/*
 * probe-net.h - the network measurements of the host probe, between two hosts: TCP throughput
 * with one stream and with several in parallel (128 KiB writes for a fixed time, counted by the
 * receiver as iperf3 counts its "receiver" line), TCP retransmissions of the sender (its
 * TCP_INFO, as iperf3 reports "Retr"), and round-trip time of 64-byte messages over one
 * TCP_NODELAY connection.
 *
 * One side serves (probe_net_serve: a background process that accepts connections until it is
 * told to quit or stays idle for its timeout), the other measures against it (probe_net_measure).
 * Every connection starts with one byte saying what it is for:
 *   'S' sink: the client sends data until it shuts its side down; the server answers with 16
 *       bytes, little-endian: the bytes it read and the nanoseconds from first byte to EOF.
 *   'E' echo: the client sends 64-byte messages, the server returns each one.
 *   'Q' quit: the server answers one byte and exits.
 */
#ifndef PROBE_NET_H
#define PROBE_NET_H

#include <stddef.h>
#include <stdint.h>

#define PROBE_NET_DEFAULT_PORT 5201 /* iperf3's, often already opened in firewalls for it */

struct probe_net_opts {
    const char *address; /* the server, IPv4 or IPv6 literal or name */
    int port;
    int time_s;  /* seconds of each throughput test */
    int streams; /* connections of the parallel test */
    int pings;   /* round trips of the latency test */
};

struct probe_net_throughput {
    uint64_t bytes;    /* read by the receiver */
    uint64_t ns;       /* the receiver's longest first-byte-to-EOF time */
    double mbps;       /* bytes * 8 / ns * 1000: Mbit/s */
    uint64_t retrans;  /* segments the sender retransmitted */
    uint64_t segs_out; /* segments the sender sent */
};

struct probe_net_result {
    struct probe_net_throughput single, parallel;
    size_t pings;
    uint64_t rtt_min_ns, rtt_p50_ns, rtt_p99_ns, rtt_max_ns;
    double rtt_mean_ns;
};

/* Binds 'port' on every address, then forks: the child serves in the background (stdio on
 * /dev/null, its own session) until a quit or 'idle_s' seconds without a connection; the parent
 * returns the child's pid. Returns -1 with a message in 'msg' when the port cannot be bound. */
int probe_net_serve(int port, int idle_s, long *child_pid, char *msg, size_t msg_len);

/* Measures against a server started by probe_net_serve, then tells it to quit. Returns 0, or -1
 * with a message (what failed against which address) in 'msg'. */
int probe_net_measure(const struct probe_net_opts *o, struct probe_net_result *r, char *msg,
                      size_t msg_len);

/* Tells the server at address:port to quit; errors are ignored (it also quits when idle). */
void probe_net_quit(const char *address, int port);

#endif
