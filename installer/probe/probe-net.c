/*
 * probe-net.c - the network measurements of the host probe (probe-net.h): the background server
 * and the client that measures throughput, retransmissions and round-trip time against it.
 * Plain POSIX sockets and threads, one thread per connection on both sides, so that the parallel
 * test is not limited to one core of either host.
 */
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "probe/probe-net.h"
#include "probe/probe-stats.h"

#define BLOCK (128u * 1024u) /* iperf3's default TCP write size */
#define PING_LEN 64
#define PING_WARMUP 10
#define PING_MAX_NS (2ull * 1000000000ull) /* the latency test stops after this long */
#define CONNECT_TIMEOUT_MS 5000
#define REPLY_TIMEOUT_S 30
#define MAX_STREAMS 128

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int fail(char *msg, size_t msg_len, const char *what, const char *address, int port)
{
    snprintf(msg, msg_len, "%s %s port %d: %s", what, address, port, strerror(errno));
    return -1;
}

/* Reads exactly 'len' bytes; -1 on error or EOF before them. */
static int read_full(int fd, void *p, size_t len)
{
    char *c = p;

    while (len > 0) {
        ssize_t n = read(fd, c, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            if (n == 0) {
                errno = ECONNRESET;
            }
            return -1;
        }
        c += n;
        len -= (size_t)n;
    }
    return 0;
}

static int write_full(int fd, const void *p, size_t len)
{
    const char *c = p;

    while (len > 0) {
        ssize_t n = send(fd, c, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return -1;
        }
        c += n;
        len -= (size_t)n;
    }
    return 0;
}

static void put_le64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        p[i] = (unsigned char)(v >> (8 * i));
    }
}

static uint64_t get_le64(const unsigned char *p)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--) {
        v = v << 8 | p[i];
    }
    return v;
}

static void set_nodelay(int fd)
{
    int one = 1;

    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* ---- the server ---- */

static void serve_sink(int fd)
{
    static __thread char buf[BLOCK];
    unsigned char reply[16];
    uint64_t bytes = 0, first = 0, last = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));

        if (n == 0) {
            break;
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return;
        }
        last = now_ns();
        if (bytes == 0) {
            first = last;
        }
        bytes += (uint64_t)n;
    }
    put_le64(reply, bytes);
    put_le64(reply + 8, last - first);
    write_full(fd, reply, sizeof(reply));
}

static void serve_echo(int fd)
{
    char msg[PING_LEN];

    set_nodelay(fd);
    while (read_full(fd, msg, sizeof(msg)) == 0 && write_full(fd, msg, sizeof(msg)) == 0) {
    }
}

static void *serve_connection(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char mode;

    if (read_full(fd, &mode, 1) == 0) {
        if (mode == 'S') {
            serve_sink(fd);
        } else if (mode == 'E') {
            serve_echo(fd);
        } else if (mode == 'Q') {
            write_full(fd, "q", 1);
            _exit(0);
        }
    }
    close(fd);
    return NULL;
}

static void serve_loop(int listen_fd, int idle_s)
{
    struct pollfd p = { .fd = listen_fd, .events = POLLIN };

    for (;;) {
        int ready = poll(&p, 1, idle_s * 1000);
        pthread_t thread;
        int fd;

        if (ready == 0) {
            _exit(0); /* idle: the measuring side is gone */
        }
        if (ready < 0) {
            continue;
        }
        fd = accept(listen_fd, NULL, NULL);
        if (fd < 0) {
            continue;
        }
        if (pthread_create(&thread, NULL, serve_connection, (void *)(intptr_t)fd) != 0) {
            close(fd);
            continue;
        }
        pthread_detach(thread);
    }
}

/* A listening socket on every address: IPv6 with IPv4 mapped, else IPv4 alone. */
static int listen_any(int port)
{
    struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
                               .sin6_port = htons((uint16_t)port),
                               .sin6_addr = IN6ADDR_ANY_INIT };
    struct sockaddr_in a4 = { .sin_family = AF_INET,
                              .sin_port = htons((uint16_t)port),
                              .sin_addr.s_addr = htonl(INADDR_ANY) };
    int one = 1, zero = 0, fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd >= 0) {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
        if (bind(fd, (struct sockaddr *)&a6, sizeof(a6)) == 0 && listen(fd, 64) == 0) {
            return fd;
        }
        if (errno == EADDRINUSE) {
            close(fd);
            return -1;
        }
        close(fd);
    }
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&a4, sizeof(a4)) == 0 && listen(fd, 64) == 0) {
        return fd;
    }
    close(fd);
    return -1;
}

static void detach_stdio(void)
{
    int null = open("/dev/null", O_RDWR);

    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        if (null > 2) {
            close(null);
        }
    }
}

/* Listens on 'port'; when it is taken, asks a probe server left there by an interrupted run to
 * quit, and tries again for up to a second. */
static int listen_any_retrying(int port)
{
    int fd = listen_any(port);
    struct timespec pause = { .tv_nsec = 100 * 1000000 };

    for (int i = 0; fd < 0 && errno == EADDRINUSE && i < 10; i++) {
        if (i == 0) {
            probe_net_quit("localhost", port);
        }
        nanosleep(&pause, NULL);
        fd = listen_any(port);
    }
    return fd;
}

int probe_net_serve(int port, int idle_s, long *child_pid, char *msg, size_t msg_len)
{
    int fd = listen_any_retrying(port);
    pid_t pid;

    if (fd < 0) {
        return fail(msg, msg_len, "listening on", "*", port);
    }
    fflush(stdout);
    pid = fork();
    if (pid < 0) {
        close(fd);
        return fail(msg, msg_len, "starting the server for", "*", port);
    }
    if (pid > 0) {
        close(fd);
        *child_pid = pid;
        return 0;
    }
    setsid();
    detach_stdio();
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    serve_loop(fd, idle_s);
    _exit(0);
}

/* ---- the client ---- */

static int connect_within(int fd, const struct addrinfo *ai)
{
    int flags = fcntl(fd, F_GETFL), soerr = 0;
    socklen_t len = sizeof(soerr);
    struct pollfd p = { .fd = fd, .events = POLLOUT };

    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        if (errno != EINPROGRESS) {
            return -1;
        }
        if (poll(&p, 1, CONNECT_TIMEOUT_MS) != 1) {
            errno = ETIMEDOUT;
            return -1;
        }
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
        if (soerr != 0) {
            errno = soerr;
            return -1;
        }
    }
    fcntl(fd, F_SETFL, flags);
    return 0;
}

/* A connection to the server that has announced 'mode', reads on it timing out after
 * 'timeout_s'; -1 with errno set. */
static int open_connection(const char *address, int port, char mode, int timeout_s)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *list, *ai;
    struct timeval tv = { .tv_sec = timeout_s };
    char service[16];
    int fd = -1, saved = ECONNREFUSED, rc;

    snprintf(service, sizeof(service), "%d", port);
    rc = getaddrinfo(address, service, &hints, &list);
    if (rc != 0) {
        errno = rc == EAI_SYSTEM ? errno : EHOSTUNREACH;
        return -1;
    }
    for (ai = list; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd >= 0 && connect_within(fd, ai) == 0) {
            break;
        }
        saved = errno;
        if (fd >= 0) {
            close(fd);
        }
        fd = -1;
    }
    freeaddrinfo(list);
    if (fd < 0) {
        errno = saved;
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (write_full(fd, &mode, 1) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

struct stream {
    int fd;
    uint64_t deadline_ns;
    const char *buf;
    /* results */
    int error; /* errno; 0: fine */
    uint64_t bytes, ns, retrans, segs_out;
};

static void *run_stream(void *arg)
{
    struct stream *s = arg;
    struct tcp_info info;
    socklen_t len = sizeof(info);
    unsigned char reply[16];

    while (now_ns() < s->deadline_ns) {
        if (write_full(s->fd, s->buf, BLOCK) < 0) {
            s->error = errno;
            return NULL;
        }
    }
    memset(&info, 0, sizeof(info));
    if (getsockopt(s->fd, IPPROTO_TCP, TCP_INFO, &info, &len) == 0) {
        s->retrans = info.tcpi_total_retrans;
        s->segs_out = info.tcpi_segs_out;
    }
    if (shutdown(s->fd, SHUT_WR) < 0 || read_full(s->fd, reply, sizeof(reply)) < 0) {
        s->error = errno;
        return NULL;
    }
    s->bytes = get_le64(reply);
    s->ns = get_le64(reply + 8);
    return NULL;
}

static char *random_block(void)
{
    uint64_t *p = malloc(BLOCK), x = 0x9E3779B97F4A7C15ull;

    if (!p) {
        abort();
    }
    for (size_t i = 0; i < BLOCK / sizeof(*p); i++) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        p[i] = x * 0x2545F4914F6CDD1DULL; /* incompressible, whatever the path does */
    }
    return (char *)p;
}

/* 'n' connections sending for o->time_s seconds from one start. */
static int run_throughput(const struct probe_net_opts *o, int n, struct probe_net_throughput *t,
                          char *msg, size_t msg_len)
{
    struct stream streams[MAX_STREAMS];
    pthread_t threads[MAX_STREAMS];
    char *buf = random_block();
    uint64_t deadline;
    int opened = 0, ret = 0;

    memset(t, 0, sizeof(*t));
    for (; opened < n; opened++) {
        streams[opened] = (struct stream){ .fd = open_connection(o->address, o->port, 'S',
                                                                 REPLY_TIMEOUT_S) };
        if (streams[opened].fd < 0) {
            ret = fail(msg, msg_len, "connecting to", o->address, o->port);
            break;
        }
    }
    deadline = now_ns() + (uint64_t)o->time_s * 1000000000u;
    for (int i = 0; ret == 0 && i < n; i++) {
        streams[i].deadline_ns = deadline;
        streams[i].buf = buf;
        pthread_create(&threads[i], NULL, run_stream, &streams[i]);
    }
    for (int i = 0; ret == 0 && i < n; i++) {
        pthread_join(threads[i], NULL);
    }
    for (int i = 0; i < opened; i++) {
        close(streams[i].fd);
        if (ret == 0 && streams[i].error) {
            errno = streams[i].error;
            ret = fail(msg, msg_len, "sending to", o->address, o->port);
        }
        t->bytes += streams[i].bytes;
        t->retrans += streams[i].retrans;
        t->segs_out += streams[i].segs_out;
        if (streams[i].ns > t->ns) {
            t->ns = streams[i].ns;
        }
    }
    t->mbps = t->ns ? (double)t->bytes * 8 * 1000 / (double)t->ns : 0;
    free(buf);
    return ret;
}

static int run_pings(const struct probe_net_opts *o, struct probe_net_result *r, char *msg,
                     size_t msg_len)
{
    uint64_t *samples = calloc((size_t)o->pings, sizeof(*samples)), start;
    char ping[PING_LEN] = "pot-probe ping";
    int fd = open_connection(o->address, o->port, 'E', REPLY_TIMEOUT_S), ret = 0;
    size_t n = 0;

    if (!samples) {
        abort();
    }
    if (fd < 0) {
        free(samples);
        return fail(msg, msg_len, "connecting to", o->address, o->port);
    }
    set_nodelay(fd);
    start = now_ns();
    for (int i = 0; i < PING_WARMUP + o->pings && now_ns() - start < PING_MAX_NS; i++) {
        uint64_t t0 = now_ns();

        if (write_full(fd, ping, sizeof(ping)) < 0 || read_full(fd, ping, sizeof(ping)) < 0) {
            ret = fail(msg, msg_len, "exchanging messages with", o->address, o->port);
            break;
        }
        if (i >= PING_WARMUP) {
            samples[n++] = now_ns() - t0;
        }
    }
    close(fd);
    stats_sort(samples, n);
    r->pings = n;
    r->rtt_min_ns = n ? samples[0] : 0;
    r->rtt_max_ns = n ? samples[n - 1] : 0;
    r->rtt_p50_ns = stats_percentile(samples, n, 50);
    r->rtt_p99_ns = stats_percentile(samples, n, 99);
    r->rtt_mean_ns = stats_mean(samples, n);
    free(samples);
    return ret;
}

void probe_net_quit(const char *address, int port)
{
    int fd = open_connection(address, port, 'Q', 1);
    char ack;

    if (fd >= 0) {
        read_full(fd, &ack, 1);
        close(fd);
    }
}

int probe_net_measure(const struct probe_net_opts *o, struct probe_net_result *r, char *msg,
                      size_t msg_len)
{
    int ret;

    memset(r, 0, sizeof(*r));
    if (o->streams < 1 || o->streams > MAX_STREAMS) {
        snprintf(msg, msg_len, "streams must be 1 to %d", MAX_STREAMS);
        return -1;
    }
    ret = run_pings(o, r, msg, msg_len);
    if (ret == 0) {
        ret = run_throughput(o, 1, &r->single, msg, msg_len);
    }
    if (ret == 0) {
        ret = run_throughput(o, o->streams, &r->parallel, msg, msg_len);
    }
    probe_net_quit(o->address, o->port);
    return ret;
}
