/*
 * log.h - diagnostic logging by verbosity level, with secret redaction.
 * Every registered secret (and its base64 form) is replaced by "********" in anything passed
 * through log_* or log_redact(), so a password never reaches a log line or the terminal.
 */
#ifndef LOG_H
#define LOG_H

struct buf;

/* 0 = quiet (errors only), 1 = -v, 2 = -vv, ... */
void log_set_level(int level);
int log_level(void);
/* Sends log lines to 'path' (appended, mode 0600) instead of stderr; NULL restores stderr. */
int log_set_file(const char *path);

void log_error(const char *fmt, ...) PRINTF_LIKE(1, 2);
void log_info(const char *fmt, ...) PRINTF_LIKE(1, 2);  /* shown at -v */
void log_debug(const char *fmt, ...) PRINTF_LIKE(1, 2); /* shown at -vvv */

/* Registers a secret; its plain and base64 forms are redacted from now on. Empty or very short
 * strings (under 3 bytes) are ignored: redacting them would garble everything. */
void log_add_secret(const char *secret);
/* Replaces every registered secret in 'b' in place. */
void log_redact(struct buf *b);
/* Forgets every secret (tests). */
void log_clear_secrets(void);

#endif
