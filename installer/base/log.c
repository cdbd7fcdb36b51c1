/*
 * log.c - leveled diagnostics to stderr or a file, with secret redaction.
 */
#include "pot.h"
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "base/b64.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/strutil.h"
#include "base/vec.h"
#include "base/xalloc.h"

static int current_level;
static FILE *log_stream;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static struct svec secrets;

void log_set_level(int level)
{
    current_level = level;
}

int log_level(void)
{
    return current_level;
}

int log_set_file(const char *path)
{
    int fd;
    FILE *f;

    if (log_stream) {
        fclose(log_stream);
        log_stream = NULL;
    }
    if (!path) {
        return 0;
    }
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        return -1;
    }
    f = fdopen(fd, "a");
    if (!f) {
        close(fd);
        return -1;
    }
    log_stream = f;
    return 0;
}

static void add_secret_form(const char *s)
{
    if (strlen(s) >= 3 && !svec_contains(&secrets, s)) {
        svec_push(&secrets, s);
    }
}

void log_add_secret(const char *secret)
{
    struct buf encoded = BUF_INIT;

    if (!secret || strlen(secret) < 3) {
        return;
    }
    pthread_mutex_lock(&log_lock);
    add_secret_form(secret);
    b64_encode(&encoded, secret, strlen(secret));
    add_secret_form(encoded.ptr);
    pthread_mutex_unlock(&log_lock);
    buf_release(&encoded);
}

void log_clear_secrets(void)
{
    pthread_mutex_lock(&log_lock);
    svec_release(&secrets);
    pthread_mutex_unlock(&log_lock);
}

static void redact_one(struct buf *b, const char *secret)
{
    char *redacted;

    if (!strstr(b->ptr, secret)) {
        return;
    }
    redacted = str_replace_all(b->ptr, secret, "********");
    buf_release(b);
    buf_adds(b, redacted);
    free(redacted);
}

void log_redact(struct buf *b)
{
    pthread_mutex_lock(&log_lock);
    for (size_t i = 0; i < secrets.len; i++) {
        redact_one(b, secrets.items[i]);
    }
    pthread_mutex_unlock(&log_lock);
}

static void emit(const char *level, const char *fmt, va_list ap)
{
    struct buf line = BUF_INIT;
    FILE *out;

    buf_vaddf(&line, fmt, ap);
    log_redact(&line);
    pthread_mutex_lock(&log_lock);
    out = log_stream ? log_stream : stderr;
    if (log_stream) {
        char stamp[32];
        time_t now = time(NULL);
        struct tm tm;

        localtime_r(&now, &tm);
        strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
        fprintf(out, "%s %s: %s\n", stamp, level, line.ptr);
    } else {
        fprintf(out, "pot: %s%s\n", strcmp(level, "error") == 0 ? "error: " : "", line.ptr);
    }
    fflush(out);
    pthread_mutex_unlock(&log_lock);
    buf_release(&line);
}

void log_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    emit("error", fmt, ap);
    va_end(ap);
}

void log_info(const char *fmt, ...)
{
    va_list ap;

    if (current_level < 1) {
        return;
    }
    va_start(ap, fmt);
    emit("info", fmt, ap);
    va_end(ap);
}

void log_debug(const char *fmt, ...)
{
    va_list ap;

    if (current_level < 3) {
        return;
    }
    va_start(ap, fmt);
    emit("debug", fmt, ap);
    va_end(ap);
}
