/*
 * journal-lock.c - the run lock of `pot install`: flock on a file that names its holder.
 * flock is released by the kernel when the holder dies (even by kill -9), so a file that still
 * names a pid but is not locked is a stale lock and is taken over.
 */
#include "pot.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "journal/journal.h"

struct journal_lock {
    int fd;     /* owned; holds the flock */
    char *path; /* owned */
};

/* Reads the holder description ("pid=... started=... command=...") into 'out'. */
static void read_holder(int fd, struct buf *out)
{
    char chunk[4096];
    ssize_t n = pread(fd, chunk, sizeof(chunk) - 1, 0);

    if (n > 0) {
        buf_add(out, chunk, (size_t)n);
        while (out->len && (out->ptr[out->len - 1] == '\n')) {
            buf_truncate(out, out->len - 1);
        }
    }
}

static long holder_pid(const char *text)
{
    int64_t pid = 0;
    const char *p = strstr(text, "pid=");
    char *num;

    if (!p) {
        return 0;
    }
    num = xstrndup(p + 4, strcspn(p + 4, " \n"));
    if (parse_int(num, &pid) < 0 || pid <= 0) {
        pid = 0;
    }
    free(num);
    return (long)pid;
}

static int write_holder(int fd, const char *path, const char *command, struct err *err)
{
    struct buf text = BUF_INIT;
    char when[64];
    time_t now = time(NULL);
    struct tm tm;
    ssize_t n;
    int ret = 0;

    localtime_r(&now, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S%z", &tm);
    buf_addf(&text, "pid=%ld started=%s command=%s\n", (long)getpid(), when, command);
    log_redact(&text);
    n = ftruncate(fd, 0) < 0 ? -1 : pwrite(fd, text.ptr, text.len, 0);
    if (n < 0 || (size_t)n != text.len || fsync(fd) < 0) {
        ret = err_errno(err, "cannot write lock file '%s'", path);
    }
    buf_release(&text);
    return ret;
}

struct journal_lock *journal_lock_acquire(const char *path, const char *command, long *stale_pid,
                                          struct err *err)
{
    struct buf holder = BUF_INIT;
    char *dir = fs_dirname(path);
    int fd = -1;
    long pid;

    if (stale_pid) {
        *stale_pid = 0;
    }
    if (fs_mkdir_p(dir, 0700, err) < 0) {
        goto fail;
    }
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        err_errno(err, "cannot open lock file '%s'", path);
        goto fail;
    }
    read_holder(fd, &holder);
    pid = holder_pid(holder.ptr);
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        if (errno == EWOULDBLOCK) {
            err_set(err, ERR_FAILED, "another pot run is in progress (%s); lock file '%s'",
                    holder.len ? holder.ptr : "holder unknown", path);
        } else {
            err_errno(err, "cannot lock '%s'", path);
        }
        goto fail;
    }
    if (pid > 0) {
        bool alive = kill((pid_t)pid, 0) == 0 || errno == EPERM;

        log_info("taking over the lock '%s' left by pid %ld (%s)", path, pid,
                 alive ? "pid now reused by another process" : "no longer running");
        if (stale_pid) {
            *stale_pid = pid;
        }
    }
    if (write_holder(fd, path, command, err) < 0) {
        goto fail;
    }
    free(dir);
    buf_release(&holder);
    {
        struct journal_lock *lock = xcalloc(1, sizeof(*lock));

        lock->fd = fd;
        lock->path = xstrdup(path);
        return lock;
    }
fail:
    if (fd >= 0) {
        close(fd);
    }
    free(dir);
    buf_release(&holder);
    return NULL;
}

void journal_lock_release(struct journal_lock *lock)
{
    if (!lock) {
        return;
    }
    if (ftruncate(lock->fd, 0) == 0) {
        fsync(lock->fd);
    }
    close(lock->fd); /* drops the flock */
    free(lock->path);
    free(lock);
}
