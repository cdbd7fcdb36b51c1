/*
 * adhoc.h - what `pot ping` and `pot exec` share: the inventory options, picking hosts, building
 * each host's connection and become settings from its variables, running one command on every
 * host in parallel (forks), and printing results like Ansible's ad-hoc output.
 *
 * Use: adhoc_load() -> adhoc_run(cmd, done) (done runs on the main thread as each host finishes,
 * and prints) -> adhoc_release().
 */
#ifndef ADHOC_H
#define ADHOC_H

#include "base/buf.h"
#include "base/err.h"
#include "base/vec.h"
#include "conn/conn.h"

struct inventory;

struct adhoc_opts {
    struct svec inventories;          /* -i, repeatable */
    const char *limit;                /* --limit; NULL: none */
    const char *pattern;              /* positional host pattern; NULL: "all" */
    int forks;                        /* -f; 0: 50 */
    int verbose;                      /* -v count */
    bool become;                      /* -b */
    const char *become_user;          /* --become-user */
    const char *become_password_file; /* --become-password-file */
};

struct adhoc_host {
    const char *name;             /* borrowed from the inventory */
    struct conn_settings settings;
    struct svec store;            /* owned: strings 'settings' and 'become' point at */
    struct become become;
    struct conn *conn;            /* owned */
    /* outcome of the last adhoc_run */
    bool unreachable;             /* could not connect or authenticate, or the link broke */
    struct err err;               /* set when the command could not run to completion */
    int status;
    struct buf out, errout;
};

struct adhoc {
    struct inventory *inv;  /* owned */
    struct adhoc_host *hosts; /* owned array */
    size_t count;
    int forks;
};

/* Parses argv[1..] (argv[0] is the command name) up to an optional '--' against adhoc_options
 * (cli.h: the option table of both commands, with offsets into struct adhoc_opts); positional
 * words before it are the host pattern, words after it are returned joined in *command (owned;
 * NULL when there is no '--'). */
int adhoc_parse(int argc, char **argv, struct adhoc_opts *o, char **command, struct err *err);
/* Loads the inventories and the hosts matching the pattern and limit. */
int adhoc_load(struct adhoc *a, const struct adhoc_opts *o, struct err *err);
/* Runs 'cmd' on every host, 'forks' at a time, with the host's become settings (ansible_become*
 * variables, -b, --become-user) when 'with_become';
 * calls done(index, arg) on the calling thread as each host finishes. */
void adhoc_run(struct adhoc *a, const char *cmd, bool with_become,
               void (*done)(size_t index, void *arg), void *arg);
/* Prints "NAME | UNREACHABLE! => {...}" or "NAME | FAILED! => {...}" for a host whose err is set;
 * returns POT_EXIT_INPUT (unreachable) or POT_EXIT_FAILED, the exit code Ansible uses. */
int adhoc_print_error(const struct adhoc_host *h);
void adhoc_release(struct adhoc *a);
void adhoc_opts_release(struct adhoc_opts *o);

#endif
