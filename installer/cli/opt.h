/*
 * opt.h - a small declarative command-line option parser.
 * Each command lists its options in a table ending with { 0 }; opt_parse fills the destinations
 * and collects positional arguments. Accepts --name=value, --name value, -x value, -xvalue,
 * bundled flags (-vvv) and '--' to end options.
 */
#ifndef OPT_H
#define OPT_H

struct svec;
struct buf;
struct err;

enum opt_type {
    OPT_END = 0,
    OPT_BOOL,   /* dest: bool * */
    OPT_STRING, /* dest: const char ** (borrowed from argv) */
    OPT_LIST,   /* dest: struct svec * (repeatable; values copied) */
    OPT_INT,    /* dest: int * */
    OPT_COUNT,  /* dest: int * (each occurrence adds one: -vvv) */
};

struct opt {
    enum opt_type type;
    const char *name; /* long name without dashes */
    char short_name;  /* 0 when none */
    void *dest;
    const char *metavar;
    const char *help;
};

/* Returns 0, or -1 with an ERR_USAGE error naming the bad option. */
int opt_parse(const struct opt *opts, int argc, char **argv, struct svec *positional,
              struct err *err);
/* Appends an aligned option list for help output. */
void opt_describe(const struct opt *opts, struct buf *out);

#endif
