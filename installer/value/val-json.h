/*
 * val-json.h - JSON text <-> struct val. Parsing goes through jansson (the one JSON library pot
 * uses, and only here); emitting is ours, byte-for-byte like Python's json.dumps, so to_json,
 * to_nice_json and `pot inventory --list` match Ansible's output.
 */
#ifndef VAL_JSON_H
#define VAL_JSON_H

struct val;
struct buf;
struct err;

enum val_json_flags {
    VAL_JSON_SORT_KEYS = 1 << 0,
    VAL_JSON_ENSURE_ASCII = 1 << 1, /* escape non-ASCII as \uXXXX, Python's default */
};

/* Parses any JSON value. 'name' is used in error positions. Returns a new reference or NULL. */
struct val *val_from_json(const char *text, size_t len, const char *name, struct err *err);
struct val *val_from_json_file(const char *path, struct err *err);
/* Appends JSON. indent < 0: one line with ", " and ": " separators (json.dumps default);
 * indent >= 0: pretty with ',' and ': ' (json.dumps(indent=N)). */
void val_to_json(const struct val *v, struct buf *out, int indent, unsigned flags);

#endif
