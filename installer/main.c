/*
 * main.c - pot's entry point: finds the subcommand in the table, runs it (or prints its help),
 * and turns a returned struct err into a message and an exit code (cli/exit-codes.h, the codes
 * of ansible-playbook). The only place that exits.
 */
#include "pot.h"
#include <signal.h>
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "cli/cli.h"
#include "cli/exit-codes.h"

static void print_help(const struct command *cmd)
{
    struct buf text = BUF_INIT;

    command_help(cmd, &text);
    fputs(text.ptr, stdout);
    buf_release(&text);
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
        return POT_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        argv[1] = "version";
    } else if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        argv[1] = "help";
    }
    cmd = command_find(argv[1]);
    if (!cmd) {
        log_error("unknown command '%s'; 'pot help' lists them", argv[1]);
        return POT_EXIT_USAGE;
    }
    if (wants_help(argc - 1, argv + 1)) {
        print_help(cmd);
        return POT_EXIT_OK;
    }
    rc = cmd->run(argc - 1, argv + 1, &err);
    if (rc < 0) {
        err_format(&err, message, sizeof(message));
        log_error("%s", message);
        return exit_code_for(err.kind);
    }
    return rc;
}
