/*
 * opt.h - a small declarative command-line option parser.
 * Each command lists its options once, in a file-scope table ending with { 0 } whose entries name
 * their destination as a field of the command's own args struct (OPT_AT); opt_parse fills the
 * fields of the struct it is given and collects positional arguments, and opt_describe prints the
 * same table as the options part of `pot help`. Accepts --name=value, --name value, -x value,
 * -xvalue, bundled flags (-vvv) and '--' to end options.
 */
#ifndef OPT_H
#define OPT_H

#include <stddef.h>

struct svec;
struct buf;
struct err;

enum opt_type {
    OPT_END = 0,
    OPT_BOOL,   /* field: bool */
    OPT_STRING, /* field: const char * (borrowed from argv) */
    OPT_LIST,   /* field: struct svec (repeatable; values copied) */
    OPT_INT,    /* field: int */
    OPT_COUNT,  /* field: int (each occurrence adds one: -vvv) */
};

struct opt {
    enum opt_type type;
    const char *name;    /* long name without dashes */
    char short_name;     /* 0 when none */
    size_t offset;       /* where the value goes in the args struct: OPT_AT(type, field) */
    const char *metavar; /* the value's name in the help (options that take one) */
    const char *help;    /* what it does, for the help; wrapped by opt_describe */
};

/* The destination of an entry: 'field' (may be nested: common.inventory) of struct 'type'. */
#define OPT_AT(type, field) offsetof(type, field)

/* Parses argv[0..argc) against 'opts', storing into the fields of 'args' (the struct the table's
 * offsets are of); other words go to 'positional'. Returns 0, or -1 with an ERR_USAGE error
 * naming the bad option. */
int opt_parse(const struct opt *opts, void *args, int argc, char **argv, struct svec *positional,
              struct err *err);
/* Appends the table as help lines: "  -x, --name METAVAR   help", help aligned and wrapped. */
void opt_describe(const struct opt *opts, struct buf *out);

/* The width help text is wrapped to. */
#define OPT_HELP_WIDTH 88
/* Appends 'text' and a newline, the line starting at column 'col' (where 'out' stands) and
 * words going on to lines indented to 'col' when they would pass OPT_HELP_WIDTH. */
void opt_wrap(struct buf *out, const char *text, size_t col);

#endif
