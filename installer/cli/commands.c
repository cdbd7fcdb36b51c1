/*
 * commands.c - THE table of pot's subcommands, sorted by name.
 */
#include "pot.h"
#include <string.h>
#include "cli/cli.h"

static const struct command commands[] = {
    {
        .name = "help",
        .run = cmd_help,
        .summary = "show the commands, or the help of one command",
        .usage = "usage: pot help [COMMAND]\n",
    },
    {
        .name = "version",
        .run = cmd_version,
        .summary = "print pot's version and the versions of the libraries it uses",
        .usage = "usage: pot version\n       pot --version\n",
    },
    { 0 },
};

const struct command *command_table(void)
{
    return commands;
}

const struct command *command_find(const char *name)
{
    for (const struct command *c = commands; c->name; c++) {
        if (strcmp(c->name, name) == 0) {
            return c;
        }
    }
    return NULL;
}
