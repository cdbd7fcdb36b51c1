/*
 * opt.c - parsing argv against a table of struct opt, and the same table as help text.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/strutil.h"
#include "base/vec.h"
#include "cli/opt.h"

/* The help column: after the longest spelling up to this width; longer ones get their own line. */
#define OPT_SPELLING_MAX 32

static const struct opt *find_long(const struct opt *opts, const char *name, size_t len)
{
    for (const struct opt *o = opts; o->type != OPT_END; o++) {
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0) {
            return o;
        }
    }
    return NULL;
}

static const struct opt *find_short(const struct opt *opts, char c)
{
    for (const struct opt *o = opts; o->type != OPT_END; o++) {
        if (o->short_name && o->short_name == c) {
            return o;
        }
    }
    return NULL;
}

static bool takes_value(const struct opt *o)
{
    return o->type == OPT_STRING || o->type == OPT_LIST || o->type == OPT_INT;
}

static int store(const struct opt *o, void *args, const char *value, const char *spelled,
                 struct err *err)
{
    void *dest = (char *)args + o->offset;
    int64_t n;

    switch (o->type) {
    case OPT_BOOL:
        *(bool *)dest = true;
        break;
    case OPT_COUNT:
        (*(int *)dest)++;
        break;
    case OPT_STRING:
        *(const char **)dest = value;
        break;
    case OPT_LIST:
        svec_push(dest, value);
        break;
    case OPT_INT:
        if (parse_int(value, &n) < 0 || n < 0 || n > 1000000) {
            return err_set(err, ERR_USAGE, "option '%s' needs a whole number, not '%s'", spelled,
                           value);
        }
        *(int *)dest = (int)n;
        break;
    case OPT_END:
        break;
    }
    return 0;
}

static int parse_long(const struct opt *opts, void *args, int argc, char **argv, int *i,
                      struct err *err)
{
    const char *arg = argv[*i] + 2;
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    const struct opt *o = find_long(opts, arg, len);
    const char *value = NULL;

    if (!o) {
        return err_set(err, ERR_USAGE, "unknown option '--%.*s'", (int)len, arg);
    }
    if (!takes_value(o)) {
        if (eq) {
            return err_set(err, ERR_USAGE, "option '--%s' takes no value", o->name);
        }
        return store(o, args, NULL, argv[*i], err);
    }
    if (eq) {
        value = eq + 1;
    } else if (*i + 1 < argc) {
        value = argv[++*i];
    } else {
        return err_set(err, ERR_USAGE, "option '--%s' needs a value", o->name);
    }
    return store(o, args, value, o->name, err);
}

static int parse_short(const struct opt *opts, void *args, int argc, char **argv, int *i,
                       struct err *err)
{
    const char *arg = argv[*i] + 1;

    for (size_t k = 0; arg[k]; k++) {
        const struct opt *o = find_short(opts, arg[k]);
        char spelled[3] = { '-', arg[k], '\0' };

        if (!o) {
            return err_set(err, ERR_USAGE, "unknown option '-%c'", arg[k]);
        }
        if (!takes_value(o)) {
            if (store(o, args, NULL, spelled, err) < 0) {
                return -1;
            }
            continue;
        }
        if (arg[k + 1]) {
            return store(o, args, arg + k + 1, spelled, err);
        }
        if (*i + 1 >= argc) {
            return err_set(err, ERR_USAGE, "option '-%c' needs a value", arg[k]);
        }
        return store(o, args, argv[++*i], spelled, err);
    }
    return 0;
}

int opt_parse(const struct opt *opts, void *args, int argc, char **argv, struct svec *positional,
              struct err *err)
{
    bool only_positional = false;

    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        int rc = 0;

        if (only_positional || arg[0] != '-' || arg[1] == '\0') {
            svec_push(positional, arg);
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_positional = true;
            continue;
        }
        if (arg[1] == '-') {
            rc = parse_long(opts, args, argc, argv, &i, err);
        } else {
            rc = parse_short(opts, args, argc, argv, &i, err);
        }
        if (rc < 0) {
            return -1;
        }
    }
    return 0;
}

void opt_wrap(struct buf *out, const char *text, size_t col)
{
    size_t at = col;

    while (*text) {
        size_t word = strcspn(text, " ");

        if (at > col && at + 1 + word > OPT_HELP_WIDTH) {
            buf_addf(out, "\n%*s", (int)col, "");
            at = col;
        } else if (at > col) {
            buf_addc(out, ' ');
            at++;
        }
        buf_add(out, text, word);
        at += word;
        text += word;
        text += strspn(text, " ");
    }
    buf_addc(out, '\n');
}

/* "  -x, --name METAVAR" or "      --name METAVAR". */
static void option_spelling(const struct opt *o, struct buf *out)
{
    if (o->short_name) {
        buf_addf(out, "  -%c, --%s", o->short_name, o->name);
    } else {
        buf_addf(out, "      --%s", o->name);
    }
    if (takes_value(o)) {
        buf_addf(out, " %s", o->metavar ? o->metavar : "VALUE");
    }
}

/* Where the help starts: two spaces after the longest spelling that fits OPT_SPELLING_MAX. */
static size_t help_column(const struct opt *opts)
{
    size_t col = 0;

    for (const struct opt *o = opts; o->type != OPT_END; o++) {
        struct buf left = BUF_INIT;

        option_spelling(o, &left);
        if (left.len + 2 > col && left.len + 2 <= OPT_SPELLING_MAX) {
            col = left.len + 2;
        }
        buf_release(&left);
    }
    return col;
}

void opt_describe(const struct opt *opts, struct buf *out)
{
    size_t col = help_column(opts);

    for (const struct opt *o = opts; o->type != OPT_END; o++) {
        size_t start = out->len;

        option_spelling(o, out);
        if (out->len - start + 2 > col) {
            buf_addf(out, "\n%*s", (int)col, ""); /* too long: the help goes below */
        } else {
            buf_addf(out, "%*s", (int)(col - (out->len - start)), "");
        }
        opt_wrap(out, o->help ? o->help : "", col);
    }
}
