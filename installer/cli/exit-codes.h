/*
 * exit-codes.h - THE table of pot's exit codes: what each code means, what ansible-playbook means
 * by the same code (pot uses Ansible's codes), and which error kinds exit with it. main.c turns a
 * returned error into its code with exit_code_for(); `pot help` prints the table and each
 * command's help the codes that command exits with (exit_codes_describe).
 */
#ifndef CLI_EXIT_CODES_H
#define CLI_EXIT_CODES_H

#include "base/err.h"

struct buf;

enum pot_exit {
    POT_EXIT_OK = 0,
    POT_EXIT_ERROR = 1,
    POT_EXIT_FAILED = 2,
    POT_EXIT_INPUT = 4, /* a host unreachable, or input that cannot be parsed */
    POT_EXIT_USAGE = 5,
};
/* One more than the highest code: the size of the arrays indexed by code. */
#define POT_EXIT_LIMIT 6

/* The bit of error kind 'kind' in struct exit_code.kinds. */
#define EXIT_KIND(kind) (1u << (kind))

struct exit_code {
    enum pot_exit code;
    const char *name;    /* a few words: "bad options" */
    const char *meaning; /* the sentence help and README give */
    const char *ansible; /* what ansible-playbook means by this code */
    unsigned kinds;      /* EXIT_KIND() of each enum err_kind that exits with this code */
};

/* The table in ascending order of code, ending with an entry whose name is NULL. */
const struct exit_code *exit_code_table(void);
/* The code a command exits with when it returns an error of this kind (POT_EXIT_ERROR for a kind
 * no entry lists). */
enum pot_exit exit_code_for(enum err_kind kind);

/* A command's word on its exit codes (struct command.exits), indexed by code: NULL for a code the
 * command never exits with, EXIT_AS_TABLE when the table's meaning says it all, otherwise what
 * the code means for this command (the help prints it after the code's name). */
#define EXIT_AS_TABLE ""
/* Appends "exit codes:" and a line per code the command exits with. */
void exit_codes_describe(const char *const exits[POT_EXIT_LIMIT], struct buf *out);
/* Appends "exit codes (as ansible-playbook):" and a line per code of the table. */
void exit_codes_describe_all(struct buf *out);

#endif
