/*
 * err.c - filling struct err with a kind, a position and a message; interning file names.
 */
#include "pot.h"
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include "base/err.h"
#include "base/xalloc.h"

static void set_msg(struct err *err, const char *fmt, va_list ap)
{
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int err_set(struct err *err, enum err_kind kind, const char *fmt, ...)
{
    va_list ap;

    err->kind = kind;
    err->pos.file = NULL;
    err->pos.line = 0;
    err->pos.col = 0;
    va_start(ap, fmt);
    set_msg(err, fmt, ap);
    va_end(ap);
    return -1;
}

int err_at(struct err *err, enum err_kind kind, const struct srcpos *pos, const char *fmt, ...)
{
    va_list ap;

    err->kind = kind;
    if (pos) {
        err->pos = *pos;
    } else {
        err->pos.file = NULL;
        err->pos.line = 0;
        err->pos.col = 0;
    }
    va_start(ap, fmt);
    set_msg(err, fmt, ap);
    va_end(ap);
    return -1;
}

int err_errno(struct err *err, const char *fmt, ...)
{
    int saved = errno;
    char what[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return err_set(err, ERR_IO, "%s: %s", what, strerror(saved));
}

/* out = a + b, cut to fit 'size' (always NUL-terminated). */
static void join_truncated(char *out, size_t size, const char *a, const char *b)
{
    size_t alen = strlen(a);
    size_t blen = strlen(b);

    if (alen > size - 1) {
        alen = size - 1;
    }
    if (blen > size - 1 - alen) {
        blen = size - 1 - alen;
    }

    memcpy(out, a, alen);
    memcpy(out + alen, b, blen);
    out[alen + blen] = '\0';
}

int err_prefix(struct err *err, const char *fmt, ...)
{
    char prefix[1024];
    char old[sizeof(err->msg)];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof(old));
    join_truncated(err->msg, sizeof(err->msg), prefix, old);
    return -1;
}

void err_clear(struct err *err)
{
    err->kind = ERR_NONE;
    err->pos.file = NULL;
    err->pos.line = 0;
    err->pos.col = 0;
    err->msg[0] = '\0';
}

void err_format(const struct err *err, char *out, size_t size)
{
    if (err->pos.file && err->pos.line > 0 && err->pos.col > 0) {
        snprintf(out, size, "%s:%d:%d: %s", err->pos.file, err->pos.line, err->pos.col, err->msg);
    } else if (err->pos.file && err->pos.line > 0) {
        snprintf(out, size, "%s:%d: %s", err->pos.file, err->pos.line, err->msg);
    } else if (err->pos.file) {
        snprintf(out, size, "%s: %s", err->pos.file, err->msg);
    } else {
        snprintf(out, size, "%s", err->msg);
    }
}

struct interned {
    struct interned *next;
    char path[];
};

static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;
static struct interned *interned_paths;

const char *pos_intern(const char *path)
{
    struct interned *it;
    size_t len;

    if (!path) {
        return NULL;
    }
    pthread_mutex_lock(&intern_lock);
    for (it = interned_paths; it; it = it->next) {
        if (strcmp(it->path, path) == 0) {
            pthread_mutex_unlock(&intern_lock);
            return it->path;
        }
    }
    len = strlen(path);
    it = xmalloc(sizeof(*it) + len + 1);
    memcpy(it->path, path, len + 1);
    it->next = interned_paths;
    interned_paths = it;
    pthread_mutex_unlock(&intern_lock);
    return it->path;
}
