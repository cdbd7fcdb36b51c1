/*
 * arena.c - a chain of large blocks handed out by bumping a pointer.
 */
#include "pot.h"
#include <string.h>
#include "base/arena.h"
#include "base/xalloc.h"

#define ARENA_BLOCK_SIZE 65536

struct arena_block {
    struct arena_block *next;
    size_t used;
    size_t size;
    max_align_t data[];
};

void *arena_alloc(struct arena *a, size_t size)
{
    size_t align = sizeof(max_align_t);
    struct arena_block *b = a->head;
    void *p;

    size = (size + align - 1) / align * align;
    if (!b || b->used + size > b->size) {
        size_t block_size = size > ARENA_BLOCK_SIZE ? size : ARENA_BLOCK_SIZE;

        b = xmalloc(sizeof(*b) + block_size);
        b->used = 0;
        b->size = block_size;
        b->next = a->head;
        a->head = b;
    }
    p = (char *)b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

void arena_release(struct arena *a)
{
    struct arena_block *b = a->head;

    while (b) {
        struct arena_block *next = b->next;

        free(b);
        b = next;
    }
    a->head = NULL;
}
