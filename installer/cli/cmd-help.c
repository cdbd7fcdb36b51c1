/*
 * cmd-help.c - `pot help [COMMAND]`: the list of commands and the exit codes, or one command's
 * help, built from the command table: its usage, its option table, its exit codes.
 */
#include "pot.h"
#include "base/buf.h"
#include "base/err.h"
#include "cli/cli.h"

void command_help(const struct command *c, struct buf *out)
{
    buf_adds(out, c->usage);
    if (c->opts) {
        buf_adds(out, "\noptions:\n");
        opt_describe(c->opts, out);
    }
    buf_adds(out, "\n");
    exit_codes_describe(c->exits, out);
}

static void list_commands(struct buf *out)
{
    buf_adds(out, "usage: pot COMMAND [ARGS...]\n\n"
                  "pot installs TKEStack and business services on hosts without internet "
                  "access.\n\ncommands:\n");
    for (const struct command *c = command_table(); c->name; c++) {
        buf_addf(out, "  %-12s %s\n", c->name, c->summary);
    }
    buf_adds(out, "\n'pot help COMMAND' or 'pot COMMAND --help' shows the usage, options and "
                  "exit codes of one.\n\n");
    exit_codes_describe_all(out);
}

int cmd_help(int argc, char **argv, struct err *err)
{
    const struct command *c = NULL;
    struct buf out = BUF_INIT;

    if (argc > 2) {
        return err_set(err, ERR_USAGE, "usage: pot help [COMMAND]");
    }
    if (argc == 2) {
        c = command_find(argv[1]);
        if (!c) {
            return err_set(err, ERR_USAGE, "unknown command '%s'; 'pot help' lists them", argv[1]);
        }
        command_help(c, &out);
    } else {
        list_commands(&out);
    }
    fputs(out.ptr, stdout);
    buf_release(&out);
    return 0;
}
