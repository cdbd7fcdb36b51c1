/*
 * cmd-help.c - `pot help [COMMAND]`: the list of commands, or one command's usage.
 */
#include "pot.h"
#include "base/err.h"
#include "cli/cli.h"

int cmd_help(int argc, char **argv, struct err *err)
{
    const struct command *c;

    if (argc > 2) {
        return err_set(err, ERR_USAGE, "usage: pot help [COMMAND]");
    }
    if (argc == 2) {
        c = command_find(argv[1]);
        if (!c) {
            return err_set(err, ERR_USAGE, "unknown command '%s'; 'pot help' lists them", argv[1]);
        }
        fputs(c->usage, stdout);
        return 0;
    }
    printf("usage: pot COMMAND [ARGS...]\n\n"
           "pot installs TKEStack and business services on hosts without internet access.\n\n"
           "commands:\n");
    for (c = command_table(); c->name; c++) {
        printf("  %-12s %s\n", c->name, c->summary);
    }
    printf("\n'pot help COMMAND' or 'pot COMMAND --help' shows the options of one command.\n");
    return 0;
}
