/*
 * lines.h - a text file as a list of lines that keep their line endings (Python's readlines), and
 * Python-compatible regular expressions over them (PCRE2), for lineinfile and blockinfile.
 */
#ifndef LINES_H
#define LINES_H

#include "base/vec.h"

struct buf;
struct rx;
struct val;

/* Splits 'text' after each '\n'; a last line without one is kept as is. */
void lines_split(struct svec *out, const char *text, size_t len);
void lines_join(const struct svec *lines, struct buf *out);
/* Inserts a copy of 's' before index 'at' (at == len appends). */
void lines_insert(struct svec *lines, size_t at, const char *s);
void lines_remove(struct svec *lines, size_t at);
/* The line without its trailing \r and \n characters, in a new string. */
char *lines_rstrip(const char *line);

/* Compiles a Python re pattern. Returns NULL with *why set (a new string, caller frees). */
struct rx *rx_compile(const char *pattern, char **why);
/* The same with re.MULTILINE when 'multiline'. */
struct rx *rx_compile_flags(const char *pattern, bool multiline, char **why);
void rx_free(struct rx *rx);
/* re.search: true when 'subject' contains a match. */
bool rx_search(struct rx *rx, const char *subject);
/* Python's match.expand(template) on the last successful rx_search: \1..\99, \g<n>, \g<name>,
 * \n, \t, \\. Returns a new string. */
char *rx_expand(struct rx *rx, const char *subject, const char *tmpl);
/* match.groups() and match.groupdict() of the last successful rx_search, appended to the list
 * 'groups' and set in the dict 'groupdict' (null for a group that did not take part). */
void rx_groups(struct rx *rx, const char *subject, struct val *groups, struct val *groupdict);

#endif
