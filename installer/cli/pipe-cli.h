/*
 * pipe-cli.h - what the pipeline commands (`pot install`, `pot uninstall`, `pot node`) share: the
 * kit, inventory, data-dir, check and verbose options and the struct pipe_opts they give, and
 * the operator's view of the run: each progress line on stdout and, time-stamped and redacted,
 * in <data-dir>/pot/install.log.
 * On a terminal the tke-installer steps share one updating status line "step N/M name [elapsed]";
 * otherwise (pipes, files, TERM=dumb) every line is printed plainly.
 *
 * Order: PIPE_CLI_OPTIONS in the command's option table -> opt_parse -> pipe_cli_start (paths,
 * log level, struct pipe_opts, the run log) -> the pipeline call -> pipe_cli_finish.
 */
#ifndef CLI_PIPE_CLI_H
#define CLI_PIPE_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include "cli/cli.h"
#include "pipeline/pipe.h"

struct err;

/* The options every pipeline command has, and what pipe_cli_start resolves from them. */
struct pipe_cli {
    const char *inventory, *kit_dir, *data_dir; /* borrowed from argv */
    bool check;
    int verbose;
    char *kit, *data, *exe; /* owned: absolute kit and data dirs, the running pot */
};

/* The entries of an option table (struct opt) for the struct pipe_cli 'field' of the args
 * struct 'type'. */
#define PIPE_CLI_OPTIONS(type, field)                                                            \
    { OPT_STRING, "inventory", 'i', OPT_AT(type, field.inventory), "INV",                        \
      "inventory (default KIT/hosts)" },                                                         \
        { OPT_STRING, "kit-dir", 0, OPT_AT(type, field.kit_dir), "DIR",                          \
          "the kit: hooks/ playbooks/ templates/ charts/ helmfile/ (default cwd)" },             \
        { OPT_STRING, "data-dir", 0, OPT_AT(type, field.data_dir), "DIR",                        \
          "tke-installer data (default " POT_DEFAULT_DATA_DIR ")" },                             \
        { OPT_BOOL, "check", 'C', OPT_AT(type, field.check), NULL,                               \
          "show what would be done (the plan); change nothing" },                                \
        { OPT_COUNT, "verbose", 'v', OPT_AT(type, field.verbose), NULL, "more diagnostics" }

struct run_log {
    FILE *file;          /* owned: <data>/pot/install.log, or NULL */
    bool tty;            /* stdout is a terminal: steps go to one updating status line */
    char *status;        /* owned: the "step N/M name" or a playbook's progress on the status
                            line, or NULL */
    bool in_progress;    /* 'status' is a playbook's progress */
    time_t status_since; /* when that step (or playbook) was first reported */
};

/* Resolves the paths, sets the log level, fills o->kit_dir, inventory, data_dir, check, pot_exe,
 * image and container (the kit's defaults) and report, and opens the run log 'l'. */
void pipe_cli_start(struct pipe_cli *a, struct pipe_opts *o, struct run_log *l);
/* Records the error of a failed run (ret < 0), closes the log, frees what start resolved;
 * returns 'ret'. */
int pipe_cli_finish(struct pipe_cli *a, struct run_log *l, int ret, const struct err *err);

#endif
