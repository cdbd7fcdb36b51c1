/*
 * journal.c - the append-only resume journal: one checksummed line per record, fsync per record,
 * a torn tail dropped on open. The run lock is journal-lock.c's job.
 *
 * Line format (fields escaped with %XX for '%', tab, CR and LF):
 *   1 TAB time TAB event TAB stage TAB host TAB inputs TAB msg TAB sum LF
 * where sum is the first 16 hex digits of the SHA-256 of everything before "TAB sum".
 */
#include "pot.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/digest.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/strutil.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "journal/journal.h"

#define SUM_LEN 16
#define NFIELDS 8

struct journal {
    char *path;      /* owned */
    int fd;          /* O_APPEND, owned */
    struct journal_rec *recs; /* owned array */
    size_t len;
    size_t cap;
    size_t dropped;
};

static const char *const event_names[] = {
    [JOURNAL_STARTED] = "started",
    [JOURNAL_FINISHED] = "finished",
    [JOURNAL_FAILED] = "failed",
    [JOURNAL_RESET] = "reset",
    [JOURNAL_UNDONE] = "undone",
};

const char *journal_event_name(enum journal_event event)
{
    return event_names[event];
}

static int event_parse(const char *s, enum journal_event *out)
{
    for (size_t i = 0; i < ARRAY_SIZE(event_names); i++) {
        if (strcmp(s, event_names[i]) == 0) {
            *out = (enum journal_event)i;
            return 0;
        }
    }
    return -1;
}

static void add_escaped(struct buf *b, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '%' || *s == '\t' || *s == '\n' || *s == '\r') {
            buf_addf(b, "%%%02X", (unsigned char)*s);
        } else {
            buf_addc(b, *s);
        }
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Returns a new unescaped string, or NULL when 's' has a bad escape. */
static char *unescape(const char *s)
{
    struct buf b = BUF_INIT;

    for (; *s; s++) {
        if (*s != '%') {
            buf_addc(&b, *s);
            continue;
        }
        if (hexval(s[1]) < 0 || hexval(s[2]) < 0) {
            buf_release(&b);
            return NULL;
        }
        buf_addc(&b, (char)(hexval(s[1]) * 16 + hexval(s[2])));
        s += 2;
    }
    return buf_detach(&b, NULL);
}

static void line_sum(const char *data, size_t len, char sum[SUM_LEN + 1])
{
    char hex[SHA256_HEX_LEN + 1];

    sha256_hex(data, len, hex);
    memcpy(sum, hex, SUM_LEN);
    sum[SUM_LEN] = '\0';
}

static void rec_release(struct journal_rec *r)
{
    free(r->stage);
    free(r->host);
    free(r->inputs);
    free(r->msg);
}

/* Parses one line (without its LF) into 'r'. Returns -1 when it is not a valid record. */
static int parse_record(const char *line, size_t len, struct journal_rec *r)
{
    struct svec fields = SVEC_INIT;
    char sum[SUM_LEN + 1];
    const char *tab = memrchr(line, '\t', len);
    int64_t time;
    int ret = -1;

    memset(r, 0, sizeof(*r));
    if (!tab || memchr(line, '\0', len) || (size_t)(line + len - tab - 1) != SUM_LEN) {
        return -1;
    }
    line_sum(line, (size_t)(tab - line), sum);
    if (memcmp(sum, tab + 1, SUM_LEN) != 0) {
        return -1;
    }
    {
        char *copy = xstrndup(line, len);

        svec_split(&fields, copy, '\t');
        free(copy);
    }
    if (fields.len != NFIELDS || strcmp(fields.items[0], "1") != 0 ||
        parse_int(fields.items[1], &time) < 0 || event_parse(fields.items[2], &r->event) < 0) {
        goto out;
    }
    r->time = time;
    r->stage = unescape(fields.items[3]);
    r->host = unescape(fields.items[4]);
    r->inputs = unescape(fields.items[5]);
    r->msg = unescape(fields.items[6]);
    if (!r->stage || !r->host || !r->inputs || !r->msg) {
        rec_release(r);
        goto out;
    }
    ret = 0;
out:
    svec_release(&fields);
    return ret;
}

static void push_rec(struct journal *j, const struct journal_rec *r)
{
    xgrow((void **)&j->recs, &j->cap, j->len + 1, sizeof(*j->recs));
    j->recs[j->len++] = *r;
}

/* Reads every record of 'text'; sets *valid_len to the end of the last valid one. */
static int parse_all(struct journal *j, const struct buf *text, size_t *valid_len,
                     struct err *err)
{
    size_t pos = 0;
    int lineno = 0;

    *valid_len = 0;
    while (pos < text->len) {
        const char *start = text->ptr + pos;
        const char *nl = memchr(start, '\n', text->len - pos);
        struct journal_rec r;

        lineno++;
        if (!nl) {
            break; /* torn: the write of the last line never completed */
        }
        if (parse_record(start, (size_t)(nl - start), &r) < 0) {
            struct journal_rec later;
            const char *next = nl + 1;

            /* A bad line is a torn tail only if nothing valid follows it. */
            while (next < text->ptr + text->len) {
                const char *nl2 = memchr(next, '\n', (size_t)(text->ptr + text->len - next));

                if (!nl2) {
                    break;
                }
                if (parse_record(next, (size_t)(nl2 - next), &later) == 0) {
                    rec_release(&later);
                    return err_set(err, ERR_PARSE,
                                   "%s:%d: corrupt journal record followed by valid ones; the "
                                   "file was edited or damaged (move it away to start afresh)",
                                   j->path, lineno);
                }
                next = nl2 + 1;
            }
            break;
        }
        push_rec(j, &r);
        pos = (size_t)(nl + 1 - text->ptr);
        *valid_len = pos;
    }
    return 0;
}

static int read_fd(int fd, const char *path, struct buf *out, struct err *err)
{
    char chunk[65536];
    off_t off = 0;
    ssize_t n;

    for (;;) {
        n = pread(fd, chunk, sizeof(chunk), off);
        if (n == 0) {
            break;
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return err_errno(err, "cannot read journal '%s'", path);
        }
        buf_add(out, chunk, (size_t)n);
        off += n;
    }
    return 0;
}

static int open_file(struct journal *j, struct err *err)
{
    char *dir = fs_dirname(j->path);
    bool existed = fs_exists(j->path);
    int ret = -1;

    if (fs_mkdir_p(dir, 0700, err) < 0) {
        goto out;
    }
    j->fd = open(j->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (j->fd < 0) {
        err_errno(err, "cannot open journal '%s'", j->path);
        goto out;
    }
    if (!existed) {
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    }
    ret = 0;
out:
    free(dir);
    return ret;
}

struct journal *journal_open(const char *path, struct err *err)
{
    struct journal *j = xcalloc(1, sizeof(*j));
    struct buf text = BUF_INIT;
    size_t valid_len;

    j->path = xstrdup(path);
    j->fd = -1;
    if (open_file(j, err) < 0 || read_fd(j->fd, path, &text, err) < 0 ||
        parse_all(j, &text, &valid_len, err) < 0) {
        goto fail;
    }
    if (valid_len < text.len) {
        j->dropped = text.len - valid_len;
        if (ftruncate(j->fd, (off_t)valid_len) < 0 || fsync(j->fd) < 0) {
            err_errno(err, "cannot cut the torn tail of journal '%s'", path);
            goto fail;
        }
        log_info("journal '%s': dropped a torn last record (%zu bytes)", path, j->dropped);
    }
    buf_release(&text);
    return j;
fail:
    buf_release(&text);
    journal_free(j);
    return NULL;
}

void journal_free(struct journal *j)
{
    if (!j) {
        return;
    }
    for (size_t i = 0; i < j->len; i++) {
        rec_release(&j->recs[i]);
    }
    free(j->recs);
    if (j->fd >= 0) {
        close(j->fd);
    }
    free(j->path);
    free(j);
}

static int write_line(struct journal *j, const struct buf *line, struct err *err)
{
    size_t done = 0;

    while (done < line->len) {
        ssize_t n = write(j->fd, line->ptr + done, line->len - done);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return err_errno(err, "cannot append to journal '%s'", j->path);
        }
        done += (size_t)n;
    }
    if (fdatasync(j->fd) < 0) {
        return err_errno(err, "cannot sync journal '%s'", j->path);
    }
    return 0;
}

int journal_append(struct journal *j, enum journal_event event, const char *stage, const char *host,
                   const char *inputs, const char *msg, struct err *err)
{
    struct buf line = BUF_INIT;
    struct buf text = BUF_INIT;
    struct journal_rec r;
    char sum[SUM_LEN + 1];
    int ret = -1;

    buf_adds(&text, msg ? msg : "");
    log_redact(&text);
    r.time = (int64_t)time(NULL);
    r.event = event;
    r.stage = xstrdup(stage ? stage : "");
    r.host = xstrdup(host ? host : "");
    r.inputs = xstrdup(inputs ? inputs : "");
    r.msg = buf_detach(&text, NULL);
    buf_addf(&line, "1\t%lld\t%s\t", (long long)r.time, event_names[event]);
    add_escaped(&line, r.stage);
    buf_addc(&line, '\t');
    add_escaped(&line, r.host);
    buf_addc(&line, '\t');
    add_escaped(&line, r.inputs);
    buf_addc(&line, '\t');
    add_escaped(&line, r.msg);
    line_sum(line.ptr, line.len, sum);
    buf_addf(&line, "\t%s\n", sum);
    if (write_line(j, &line, err) < 0) {
        rec_release(&r);
        goto out;
    }
    push_rec(j, &r);
    ret = 0;
out:
    buf_release(&line);
    return ret;
}

size_t journal_count(const struct journal *j)
{
    return j->len;
}

const struct journal_rec *journal_at(const struct journal *j, size_t i)
{
    return i < j->len ? &j->recs[i] : NULL;
}

size_t journal_dropped_bytes(const struct journal *j)
{
    return j->dropped;
}

const struct journal_rec *journal_last(const struct journal *j, const char *stage,
                                       const char *host)
{
    const char *h = host ? host : "";

    for (size_t i = j->len; i-- > 0;) {
        const struct journal_rec *r = &j->recs[i];

        if (r->event == JOURNAL_RESET) {
            return NULL;
        }
        if (strcmp(r->stage, stage) == 0 && strcmp(r->host, h) == 0) {
            return r;
        }
    }
    return NULL;
}

bool journal_is_done(const struct journal *j, const char *stage, const char *host,
                     const char *inputs)
{
    const struct journal_rec *r = journal_last(j, stage, host);

    return r && r->event == JOURNAL_FINISHED && strcmp(r->inputs, inputs ? inputs : "") == 0;
}

const struct journal_rec *journal_last_failure(const struct journal *j)
{
    for (size_t i = j->len; i-- > 0;) {
        const struct journal_rec *r = &j->recs[i];

        if (r->event == JOURNAL_RESET) {
            return NULL;
        }
        if (r->event == JOURNAL_FAILED) {
            return journal_last(j, r->stage, r->host) == r ? r : NULL;
        }
    }
    return NULL;
}
