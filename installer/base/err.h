/*
 * err.h - struct err: what went wrong, where, and of which kind.
 * Library functions return -1 (or NULL) and fill the caller's struct err; only main.c turns an
 * err into an exit code. Messages are lowercase, what is wrong first, names in single quotes.
 */
#ifndef ERR_H
#define ERR_H

/* A position in a source file; 'file' is borrowed (interned with pos_intern). line/col are 1-based,
 * 0 when unknown. */
struct srcpos {
    const char *file;
    int line;
    int col;
};

enum err_kind {
    ERR_NONE = 0,
    ERR_USAGE,       /* bad command line: exit 5 */
    ERR_PARSE,       /* bad YAML, INI, JSON, template syntax: exit 4 */
    ERR_TEMPLATE,    /* a template failed to render (undefined variable, type error) */
    ERR_IO,          /* a local file could not be read or written */
    ERR_UNREACHABLE, /* a host could not be reached */
    ERR_AUTH,        /* authentication failed */
    ERR_REMOTE,      /* a registry or remote API answered with an error */
    ERR_FAILED,      /* the work ran and failed (hosts failed, a check did not pass) */
    ERR_INTERNAL,
};

struct err {
    enum err_kind kind;
    struct srcpos pos;
    char msg[2048];
};

#define ERR_INIT { ERR_NONE, { NULL, 0, 0 }, { 0 } }

/* Each of these sets the error and returns -1, so 'return err_set(...)' reads naturally. */
int err_set(struct err *err, enum err_kind kind, const char *fmt, ...) PRINTF_LIKE(3, 4);
int err_at(struct err *err, enum err_kind kind, const struct srcpos *pos, const char *fmt, ...)
    PRINTF_LIKE(4, 5);
/* Sets from errno: "<what>: <strerror>". */
int err_errno(struct err *err, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Puts context before the existing message; returns -1. */
int err_prefix(struct err *err, const char *fmt, ...) PRINTF_LIKE(2, 3);
void err_clear(struct err *err);
/* Writes "file:line:col: message" (or just the message) into out[size]. */
void err_format(const struct err *err, char *out, size_t size);

/* Returns a stable copy of 'path' that lives until exit; safe from any thread. */
const char *pos_intern(const char *path);

#endif
