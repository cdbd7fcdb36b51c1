/*
 * cli.h - the table of pot's subcommands.
 * A subcommand is a function taking its own argv (argv[0] is the subcommand name) and returning
 * the process exit code, or -1 with 'err' set (main.c maps the error kind to an exit code and
 * prints it).
 * Add one by writing cmd-<name>.c and one line in commands.c.
 */
#ifndef CLI_H
#define CLI_H

struct err;

/* Where `pot install` keeps tke-installer's data and pot's journal unless --data-dir says. */
#define POT_DEFAULT_DATA_DIR "/opt/tke-installer/data"

/* say.c: a report callback (struct pipe_report, struct helm_report) printing one redacted line. */
void cli_say_line(void *ctx, const char *line);

struct command {
    const char *name;
    int (*run)(int argc, char **argv, struct err *err);
    const char *summary; /* one line for `pot help` */
    const char *usage;   /* the full help text for `pot help NAME` and `pot NAME --help` */
};

const struct command *command_find(const char *name);
/* The table, ending with an entry whose name is NULL. */
const struct command *command_table(void);

int cmd_exec(int argc, char **argv, struct err *err);
int cmd_health(int argc, char **argv, struct err *err);
int cmd_help(int argc, char **argv, struct err *err);
int cmd_helmfile(int argc, char **argv, struct err *err);
int cmd_play(int argc, char **argv, struct err *err);
int cmd_images(int argc, char **argv, struct err *err);
int cmd_install(int argc, char **argv, struct err *err);
int cmd_inventory(int argc, char **argv, struct err *err);
int cmd_logs(int argc, char **argv, struct err *err);
int cmd_ping(int argc, char **argv, struct err *err);
int cmd_status(int argc, char **argv, struct err *err);
int cmd_template(int argc, char **argv, struct err *err);
int cmd_version(int argc, char **argv, struct err *err);

#endif
