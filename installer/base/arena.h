/*
 * arena.h - bump allocator for data compiled once and freed all together (template ASTs,
 * parsed playbooks). Nothing allocated from an arena is freed piece by piece.
 */
#ifndef ARENA_H
#define ARENA_H

struct arena_block;

struct arena {
    struct arena_block *head; /* owned chain of blocks */
};

#define ARENA_INIT { NULL }

/* Returns zeroed memory aligned for any type. */
void *arena_alloc(struct arena *a, size_t size);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
void arena_release(struct arena *a);

#endif
