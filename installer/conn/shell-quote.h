/*
 * shell-quote.h - POSIX sh quoting for command lines that a shell will parse (local /bin/sh -c,
 * remote ssh exec, sudo/su wrappers), the same as Python's shlex.quote, which Ansible uses.
 * Splitting such a line back into words is python/py-shlex.h.
 */
#ifndef SHELL_QUOTE_H
#define SHELL_QUOTE_H

struct buf;

/* Appends 's' quoted for sh: unchanged when it is non-empty and made only of [A-Za-z0-9_@%+=:,./-],
 * otherwise inside single quotes with each ' written as '"'"'. The empty string becomes ''. */
void sh_quote(struct buf *out, const char *s);
/* Returns a new string: 's' quoted as above. The caller frees it. */
char *sh_quote_dup(const char *s);
/* Appends each argv item quoted, separated by single spaces. */
void sh_quote_argv(struct buf *out, char *const argv[]);
/* Whether the first 'len' bytes of 's' are a POSIX sh name ([A-Za-z_][A-Za-z0-9_]*), what
 * `export NAME=VALUE` accepts. */
bool sh_is_name(const char *s, size_t len);

#endif
