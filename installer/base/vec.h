/*
 * vec.h - struct vec, a growable array of pointers, and struct svec, a NULL-terminated list of
 * owned strings (usable as argv).
 */
#ifndef VEC_H
#define VEC_H

struct vec {
    void **items;  /* owned array; the items themselves belong to whoever pushed them */
    size_t len;
    size_t cap;
};

#define VEC_INIT { NULL, 0, 0 }

void vec_push(struct vec *v, void *item);
void *vec_pop(struct vec *v);
/* Whether 'item' (compared as a pointer) is in 'v'. */
bool vec_contains(const struct vec *v, const void *item);
void vec_release(struct vec *v);

struct svec {
    char **items;  /* owned strings, items[len] == NULL */
    size_t len;
    size_t cap;
};

#define SVEC_INIT { NULL, 0, 0 }

/* Copies 's'. */
void svec_push(struct svec *v, const char *s);
void svec_pushf(struct svec *v, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Takes ownership of 's'. */
void svec_push_take(struct svec *v, char *s);
/* Returns the argv-style array (never NULL once something was pushed; call svec_ensure first). */
char **svec_argv(struct svec *v);
bool svec_contains(const struct svec *v, const char *s);
/* Sorts the strings in strcmp (byte) order. */
void svec_sort(struct svec *v);
void svec_release(struct svec *v);
/* Splits 'text' on '\n' (a trailing newline does not make an empty last line). */
void svec_split_lines(struct svec *out, const char *text);
/* Splits on 'sep', keeping empty fields. */
void svec_split(struct svec *out, const char *text, char sep);

#endif
