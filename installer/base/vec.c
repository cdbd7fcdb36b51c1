/*
 * vec.c - growable pointer arrays and string lists.
 */
#include "pot.h"
#include <string.h>
#include "base/vec.h"
#include "base/xalloc.h"

void vec_push(struct vec *v, void *item)
{
    xgrow((void **)&v->items, &v->cap, v->len + 1, sizeof(*v->items));
    v->items[v->len++] = item;
}

void *vec_pop(struct vec *v)
{
    if (!v->len) {
        return NULL;
    }
    return v->items[--v->len];
}

bool vec_contains(const struct vec *v, const void *item)
{
    for (size_t i = 0; i < v->len; i++) {
        if (v->items[i] == item) {
            return true;
        }
    }
    return false;
}

void vec_release(struct vec *v)
{
    free(v->items);
    v->items = NULL;
    v->len = 0;
    v->cap = 0;
}

void svec_push_take(struct svec *v, char *s)
{
    xgrow((void **)&v->items, &v->cap, v->len + 2, sizeof(*v->items));
    v->items[v->len++] = s;
    v->items[v->len] = NULL;
}

void svec_push(struct svec *v, const char *s)
{
    svec_push_take(v, xstrdup(s));
}

void svec_pushf(struct svec *v, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    svec_push_take(v, xvasprintf(fmt, ap));
    va_end(ap);
}

char **svec_argv(struct svec *v)
{
    if (!v->items) {
        xgrow((void **)&v->items, &v->cap, 1, sizeof(*v->items));
        v->items[0] = NULL;
    }
    return v->items;
}

bool svec_contains(const struct svec *v, const char *s)
{
    for (size_t i = 0; i < v->len; i++) {
        if (strcmp(v->items[i], s) == 0) {
            return true;
        }
    }
    return false;
}

void svec_release(struct svec *v)
{
    for (size_t i = 0; i < v->len; i++) {
        free(v->items[i]);
    }
    free(v->items);
    v->items = NULL;
    v->len = 0;
    v->cap = 0;
}

void svec_split(struct svec *out, const char *text, char sep)
{
    const char *start = text;

    for (const char *p = text;; p++) {
        if (*p == sep || *p == '\0') {
            svec_push_take(out, xstrndup(start, (size_t)(p - start)));
            if (*p == '\0') {
                break;
            }
            start = p + 1;
        }
    }
}

void svec_split_lines(struct svec *out, const char *text)
{
    const char *start = text;

    while (*start) {
        const char *nl = strchr(start, '\n');

        if (!nl) {
            svec_push(out, start);
            break;
        }
        svec_push_take(out, xstrndup(start, (size_t)(nl - start)));
        start = nl + 1;
    }
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void svec_sort(struct svec *v)
{
    if (v->len > 1) {
        qsort(v->items, v->len, sizeof(char *), compare_strings);
    }
}
