/*
 * exit-codes.c - THE table of pot's exit codes (exit-codes.h): the codes of ansible-playbook,
 * with the error kinds that exit with each, and the "exit codes:" part of the help.
 */
#include "pot.h"
#include "base/buf.h"
#include "cli/exit-codes.h"
#include "cli/opt.h"

/* Where a code's meaning starts on its help line: "  N  meaning". */
#define MEANING_COLUMN 5

static const struct exit_code exit_codes[] = {
    {
        .code = POT_EXIT_OK,
        .name = "success",
        .meaning = "success",
        .ansible = "ok",
    },
    {
        .code = POT_EXIT_ERROR,
        .name = "error",
        .meaning = "an error: a file or role that cannot be read, a template that fails to "
                   "render, a registry or other service that refuses (authentication, HTTP 4xx)",
        .ansible = "an error",
        .kinds = EXIT_KIND(ERR_TEMPLATE) | EXIT_KIND(ERR_IO) | EXIT_KIND(ERR_AUTH) |
                 EXIT_KIND(ERR_REMOTE) | EXIT_KIND(ERR_INTERNAL),
    },
    {
        .code = POT_EXIT_FAILED,
        .name = "failed",
        .meaning = "one or more hosts failed, or a stage, release, image or component did",
        .ansible = "one or more hosts failed",
        .kinds = EXIT_KIND(ERR_FAILED),
    },
    {
        .code = POT_EXIT_INPUT,
        .name = "unreachable or bad input",
        .meaning = "a host was unreachable, or an input file (YAML, INI, JSON, template, image "
                   "tarball) could not be parsed",
        .ansible = "a host was unreachable, or a parse error",
        .kinds = EXIT_KIND(ERR_UNREACHABLE) | EXIT_KIND(ERR_PARSE),
    },
    {
        .code = POT_EXIT_USAGE,
        .name = "bad options",
        .meaning = "bad command-line options: an unknown option, command, host or stage, or a "
                   "missing argument",
        .ansible = "bad command-line options",
        .kinds = EXIT_KIND(ERR_USAGE),
    },
    { 0 },
};

const struct exit_code *exit_code_table(void)
{
    return exit_codes;
}

enum pot_exit exit_code_for(enum err_kind kind)
{
    for (const struct exit_code *e = exit_codes; e->name; e++) {
        if (e->kinds & EXIT_KIND(kind)) {
            return e->code;
        }
    }
    return POT_EXIT_ERROR;
}

void exit_codes_describe(const char *const exits[POT_EXIT_LIMIT], struct buf *out)
{
    buf_adds(out, "exit codes:\n");
    for (const struct exit_code *e = exit_codes; e->name; e++) {
        const char *note = exits[e->code];
        struct buf line = BUF_INIT;

        if (!note) {
            continue;
        }
        if (*note) {
            buf_addf(&line, "%s: %s", e->name, note);
        } else {
            buf_adds(&line, e->meaning);
        }
        buf_addf(out, "  %d  ", (int)e->code);
        opt_wrap(out, line.ptr, MEANING_COLUMN);
        buf_release(&line);
    }
}

void exit_codes_describe_all(struct buf *out)
{
    buf_adds(out, "exit codes (as ansible-playbook):\n");
    for (const struct exit_code *e = exit_codes; e->name; e++) {
        buf_addf(out, "  %d  ", (int)e->code);
        opt_wrap(out, e->meaning, MEANING_COLUMN);
    }
}
