/*
 * lines.c - line lists that keep their endings (Python's readlines) for lineinfile and blockinfile.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/xalloc.h"
#include "modules/lines.h"

void lines_split(struct svec *out, const char *text, size_t len)
{
    size_t start = 0;

    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n') {
            svec_push_take(out, xstrndup(text + start, i + 1 - start));
            start = i + 1;
        }
    }
    if (start < len) {
        svec_push_take(out, xstrndup(text + start, len - start));
    }
}

void lines_join(const struct svec *lines, struct buf *out)
{
    for (size_t i = 0; i < lines->len; i++) {
        buf_adds(out, lines->items[i]);
    }
}

void lines_insert(struct svec *lines, size_t at, const char *s)
{
    char *copy;

    svec_push(lines, s);
    copy = lines->items[lines->len - 1];
    memmove(lines->items + at + 1, lines->items + at, (lines->len - 1 - at) * sizeof(char *));
    lines->items[at] = copy;
}

void lines_remove(struct svec *lines, size_t at)
{
    free(lines->items[at]);
    memmove(lines->items + at, lines->items + at + 1, (lines->len - at) * sizeof(char *));
    lines->len--;
}

char *lines_rstrip(const char *line)
{
    size_t n = strlen(line);

    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) {
        n--;
    }
    return xstrndup(line, n);
}
