/*
 * main.c - pot's entry point: finds the subcommand in the table, runs it, and turns a returned
 * struct err into a message and an exit code. The only place that exits.
 *
 * Exit codes follow ansible-playbook: 0 ok, 1 error, 2 a host failed, 4 unreachable host or parse
 * error, 5 bad options.
 */
#include "pot.h"
#include <signal.h>
#include <string.h>
#include "base/err.h"
#include "base/log.h"
#include "cli/cli.h"

static int exit_code_for(enum err_kind kind)
{
    switch (kind) {
    case ERR_USAGE:
        return 5;
    case ERR_PARSE:
    case ERR_UNREACHABLE:
        return 4;
    case ERR_FAILED:
        return 2;
    default:
        return 1;
    }
}

static bool wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            return false;
        }
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            return true;
        }
    }
    return false;
}

int main(int argc, char **argv)
{
    struct err err = ERR_INIT;
    const struct command *cmd;
    char message[sizeof(err.msg) + 512];
    int rc;

    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        char *help_argv[] = { "help", NULL };

        cmd_help(1, help_argv, &err);
        return 5;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        argv[1] = "version";
    } else if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        argv[1] = "help";
    }
    cmd = command_find(argv[1]);
    if (!cmd) {
        fprintf(stderr, "pot: unknown command '%s'; 'pot help' lists them\n", argv[1]);
        return 5;
    }
    if (wants_help(argc - 1, argv + 1) && strcmp(cmd->name, "help") != 0) {
        fputs(cmd->usage, stdout);
        return 0;
    }
    rc = cmd->run(argc - 1, argv + 1, &err);
    if (rc < 0) {
        err_format(&err, message, sizeof(message));
        log_error("%s", message);
        return exit_code_for(err.kind);
    }
    return rc;
}
