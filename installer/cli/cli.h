/*
 * cli.h - the table of pot's subcommands, with their option tables.
 * A subcommand is a function taking its own argv (argv[0] is the subcommand name) and returning
 * the process exit code (exit-codes.h), or -1 with 'err' set (main.c maps the error kind to an
 * exit code and prints it). Its help is generated: the hand-written usage, then its option table
 * (the one opt_parse reads), then its exit codes from the table of exit-codes.c.
 * Add one by writing cmd-<name>.c with a file-scope option table and one entry in commands.c.
 */
#ifndef CLI_H
#define CLI_H

#include "cli/exit-codes.h"
#include "cli/opt.h"

struct buf;
struct err;

/* Where `pot install` keeps tke-installer's data and pot's journal unless --data-dir says. */
#define POT_DEFAULT_DATA_DIR "/opt/tke-installer/data"
/* The tke-installer image the kit ships unless --installer-image says. */
#define POT_DEFAULT_INSTALLER_IMAGE "tkestack/tke-installer:v1.2.4"

/* say.c: a report callback (struct pipe_report, struct helm_report) printing one redacted line. */
void cli_say_line(void *ctx, const char *line);

struct command {
    const char *name;
    int (*run)(int argc, char **argv, struct err *err);
    const char *summary;               /* one line for `pot help` */
    const char *usage;                 /* the usage line(s) and what the command does */
    const struct opt *opts;            /* the option table it parses, or NULL: it has none */
    const char *exits[POT_EXIT_LIMIT]; /* its exit codes, as exit_codes_describe() takes them */
};

const struct command *command_find(const char *name);
/* The table, sorted by name, ending with an entry whose name is NULL. */
const struct command *command_table(void);
/* cmd-help.c: appends the help of `pot help NAME` and `pot NAME --help`: the usage, the options
 * of c->opts, the exit codes of c->exits. */
void command_help(const struct command *c, struct buf *out);

/* The option tables, each ending with { 0 } (cmd-<name>.c; exec and ping share adhoc.c's). */
extern const struct opt adhoc_options[];
extern const struct opt check_options[];
extern const struct opt diff_host_options[];
extern const struct opt health_options[];
extern const struct opt helmfile_options[];
extern const struct opt images_options[];
extern const struct opt install_options[];
extern const struct opt inventory_options[];
extern const struct opt logs_options[];
extern const struct opt node_options[];
extern const struct opt pack_options[];
extern const struct opt play_options[];
extern const struct opt status_options[];
extern const struct opt template_options[];
extern const struct opt uninstall_options[];
extern const struct opt verify_package_options[];

int cmd_check(int argc, char **argv, struct err *err);
int cmd_diff_host(int argc, char **argv, struct err *err);
int cmd_exec(int argc, char **argv, struct err *err);
int cmd_health(int argc, char **argv, struct err *err);
int cmd_help(int argc, char **argv, struct err *err);
int cmd_helmfile(int argc, char **argv, struct err *err);
int cmd_play(int argc, char **argv, struct err *err);
int cmd_images(int argc, char **argv, struct err *err);
int cmd_install(int argc, char **argv, struct err *err);
int cmd_inventory(int argc, char **argv, struct err *err);
int cmd_logs(int argc, char **argv, struct err *err);
int cmd_node(int argc, char **argv, struct err *err);
int cmd_pack(int argc, char **argv, struct err *err);
int cmd_ping(int argc, char **argv, struct err *err);
int cmd_status(int argc, char **argv, struct err *err);
int cmd_template(int argc, char **argv, struct err *err);
int cmd_uninstall(int argc, char **argv, struct err *err);
int cmd_verify_package(int argc, char **argv, struct err *err);
int cmd_version(int argc, char **argv, struct err *err);

#endif
