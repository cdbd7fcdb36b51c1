/*
 * lines.h - a text file as a list of lines that keep their line endings (Python's readlines), for
 * lineinfile and blockinfile (their regexps are python/py-re.h).
 */
#ifndef LINES_H
#define LINES_H

#include "base/vec.h"

struct buf;

/* Splits 'text' after each '\n'; a last line without one is kept as is. */
void lines_split(struct svec *out, const char *text, size_t len);
void lines_join(const struct svec *lines, struct buf *out);
/* Inserts a copy of 's' before index 'at' (at == len appends). */
void lines_insert(struct svec *lines, size_t at, const char *s);
void lines_remove(struct svec *lines, size_t at);
/* The line without its trailing \r and \n characters, in a new string. */
char *lines_rstrip(const char *line);

#endif
