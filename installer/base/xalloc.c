/*
 * xalloc.c - allocation wrappers that abort on out-of-memory, and pot_bug().
 */
#include "pot.h"
#include <string.h>
#include "base/xalloc.h"

NORETURN static void out_of_memory(size_t size)
{
    fprintf(stderr, "pot: out of memory (allocating %zu bytes)\n", size);
    abort();
}

void pot_bug(const char *file, int line, const char *msg)
{
    fprintf(stderr, "pot: BUG at %s:%d: %s\n", file, line, msg);
    abort();
}

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);

    if (!p) {
        out_of_memory(size);
    }
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);

    if (!p) {
        out_of_memory(count * size);
    }
    return p;
}

void *xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);

    if (!p) {
        out_of_memory(size);
    }
    return p;
}

void xgrow(void **ptr, size_t *cap, size_t need, size_t elem_size)
{
    size_t new_cap;

    if (need <= *cap) {
        return;
    }
    new_cap = *cap ? *cap * 2 : 8;
    while (new_cap < need) {
        new_cap *= 2;
    }
    *ptr = xrealloc(*ptr, new_cap * elem_size);
    *cap = new_cap;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
    char *out = NULL;

    if (vasprintf(&out, fmt, ap) < 0) {
        out_of_memory(strlen(fmt));
    }
    return out;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *out;

    va_start(ap, fmt);
    out = xvasprintf(fmt, ap);
    va_end(ap);
    return out;
}
