/*
 * xalloc.h - allocation that never returns NULL: running out of memory aborts.
 */
#ifndef XALLOC_H
#define XALLOC_H

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grows *ptr (an array of elem_size items, capacity *cap) to hold at least 'need' items. */
void xgrow(void **ptr, size_t *cap, size_t need, size_t elem_size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a new string formatted like printf; the caller frees it. */
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);
char *xvasprintf(const char *fmt, va_list ap) PRINTF_LIKE(1, 0);

#endif
