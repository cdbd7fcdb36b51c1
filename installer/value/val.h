/*
 * val.h - struct val, the value model shared by the YAML/JSON loaders, the template engine and
 * the variable store: null, bool, int64, double, UTF-8 string, list, ordered dict (insertion
 * order kept, as Python dicts and Ansible keep it).
 *
 * Values are reference counted (atomically, so worker threads may share them) and immutable once
 * shared: build a list or dict, then hand it out. Every constructor returns a new reference
 * (count 1); the caller releases it with val_unref(). Accessors borrow: the returned pointer
 * lives as long as the container does. Functions named *_take steal the caller's reference to
 * their argument.
 *
 * Every value may carry the source position it was read from (val->pos), so errors can name
 * file:line:col.
 */
#ifndef VAL_H
#define VAL_H

#include "base/err.h"

struct buf;

/* How deeply lists and dicts may nest: the YAML and JSON readers (and so from_yaml/from_json)
 * refuse a document nested deeper with "nested too deeply (more than 1000 levels)" at the
 * offending position, so that the recursive walks over values (free, copy, compare, emit) stay
 * within the stack. A top-level list is 1 level; a YAML alias counts the depth of the node it
 * names. Python's own readers stop near the same depth (RecursionError). */
#define VAL_MAX_DEPTH 1000

enum val_type {
    VAL_NULL,
    VAL_BOOL,
    VAL_INT,
    VAL_DOUBLE,
    VAL_STR,
    VAL_LIST,
    VAL_DICT,
};

enum val_flags {
    VAL_UNSAFE = 1 << 0, /* a string that must never be templated (YAML !unsafe) */
};

struct dict_index;

struct val {
    enum val_type type;
    unsigned flags;
    int refs;
    struct srcpos pos;
    union {
        bool b;
        int64_t i;
        double d;
        struct {
            char *ptr; /* owned, NUL-terminated, may contain NULs within len */
            size_t len;
        } s;
        struct {
            struct val **items; /* owned references */
            size_t len;
            size_t cap;
        } list;
        struct {
            char **keys;         /* owned */
            struct val **values; /* owned references */
            size_t len;
            size_t cap;
            struct dict_index *index; /* owned hash index, built once len grows */
        } dict;
    } u;
};

/* Constructors: each returns a new reference. */
struct val *val_null(void);
struct val *val_bool(bool b);
struct val *val_int(int64_t i);
struct val *val_double(double d);
struct val *val_str(const char *s);
struct val *val_strn(const char *s, size_t len);
/* Takes ownership of the malloc'd string 's' (len bytes, NUL-terminated). */
struct val *val_str_take(char *s, size_t len);
struct val *val_strf(const char *fmt, ...) PRINTF_LIKE(1, 2);
struct val *val_list(void);
struct val *val_dict(void);

struct val *val_ref(struct val *v);
void val_unref(struct val *v);

/* Shallow copy of a list or dict (items shared by reference); for a scalar, a new reference to
 * the value itself. */
struct val *val_copy(struct val *v);
/* Deep copy: lists and dicts copied recursively. */
struct val *val_deep_copy(struct val *v);

/* Lists. */
size_t val_list_len(const struct val *list);
struct val *val_list_get(const struct val *list, size_t i); /* borrowed; NULL out of range */
void val_list_push(struct val *list, struct val *item);      /* takes its own reference */
void val_list_push_take(struct val *list, struct val *item); /* steals 'item' */

/* Dicts. Keys are strings; setting an existing key replaces its value in place (order kept). */
size_t val_dict_len(const struct val *dict);
struct val *val_dict_get(const struct val *dict, const char *key); /* borrowed; NULL if absent */
const char *val_dict_key_at(const struct val *dict, size_t i);
/* The keys in byte order (strcmp), as Go iterates a map and JSON/YAML emitters sort them: a new
 * array of val_dict_len() + 1 entries ending in NULL, freed by the caller; the strings are
 * borrowed from the dict. */
const char **val_dict_sorted_keys(const struct val *dict);
struct val *val_dict_value_at(const struct val *dict, size_t i); /* borrowed */
void val_dict_set(struct val *dict, const char *key, struct val *value);
void val_dict_set_take(struct val *dict, const char *key, struct val *value);
bool val_dict_del(struct val *dict, const char *key);
bool val_dict_has(const struct val *dict, const char *key);
/* Convenience: the string at dict[key], or NULL when absent or not a string. */
const char *val_dict_get_str(const struct val *dict, const char *key);

/* Types and truth. */
const char *val_type_name(enum val_type type); /* Python-ish: "NoneType", "bool", "int", ... */
bool val_is_str(const struct val *v);
const char *val_cstr(const struct val *v); /* the string, or NULL if not a string */
/* Python truthiness: None, False, 0, 0.0, "", [], {} are false. */
bool val_truthy(const struct val *v);
/* Python equality (1 == 1.0 == True; dicts compare by content, not order). */
bool val_equal(const struct val *a, const struct val *b);
/* Deep equality by the caller's rule: 'same' is asked about every pair, containers included; it
 * returns false to make them differ, and for two lists (two dicts) true lets their items in
 * order (their values by key, in any order) decide. val_equal is this with Python's rule; Go's
 * reflect.DeepEqual (installer/gotpl/) is this with Go's types. */
bool val_equal_by(const struct val *a, const struct val *b,
                  bool (*same)(const struct val *a, const struct val *b));
/* Python ordering for sort/min/max: returns <0, 0, >0. Sets *incomparable (when not NULL) if Python
 * would refuse the comparison (str < int, dict < dict); the result is then by type name. */
int val_compare(const struct val *a, const struct val *b, bool *incomparable);

/* Appends Python's str() of the value (True, None, [1, 'a'], {'k': 'v'}) - what Jinja2 prints. */
void val_to_pystr(const struct val *v, struct buf *out);
/* Appends Python's repr() of the value ('a' quoted). */
void val_to_pyrepr(const struct val *v, struct buf *out);
/* Python's repr of a float: shortest round-trip form, "1.0", "inf", "nan", "1e+16". */
void val_format_double(double d, struct buf *out);

#endif
