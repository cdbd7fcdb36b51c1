/*
 * py-shlex.h - Python's shlex.split: a line split into words as a POSIX shell would, the way
 * Ansible splits INI inventory host lines (shlex.split(line, comments=True)) and the free-form
 * argument of command, script and run_command (shlex.split(args)). Its inverse, quoting for sh,
 * is conn/shell-quote.h.
 */
#ifndef PY_SHLEX_H
#define PY_SHLEX_H

#include <stdbool.h>

struct svec;

/*
 * Splits 's' into words as shlex.split(s, comments=comments) does in POSIX mode: words end at
 * ' ', '\t', '\r' or '\n'; single quotes keep everything; inside double quotes a backslash
 * escapes only '"' and '\'; outside quotes it escapes any character; quoted parts join the word
 * around them ('' alone is an empty word). With 'comments', '#' ends the line, inside a word
 * too; without, it is an ordinary character. Returns 0, or -1 with *why set to Python's message
 * ("No closing quotation", "No escaped character") and 'out' holding the words before it.
 */
int py_shlex_split(const char *s, bool comments, struct svec *out, const char **why);

#endif
