/*
 * mod-run.h - running a command line on the host the way command, shell, raw and script report
 * it: rc, stdout, stderr, *_lines, start, end, delta; and the creates/removes/chdir checks they
 * share.
 */
#ifndef MOD_RUN_H
#define MOD_RUN_H

#include "modules/module.h"

struct mod_run_opts {
    const char *chdir;      /* NULL: the login directory */
    const char *stdin_data; /* NULL: none */
    size_t stdin_len;
    bool strip;             /* strip_empty_ends: drop trailing \r and \n from stdout/stderr */
    bool timings;           /* add start/end/delta */
};

/* Runs 'cmdline' with ctx's become and env; sets rc, stdout, stderr, stdout_lines, stderr_lines
 * (and start/end/delta) in res->data; RESULT_CHANGED, or RESULT_FAILED "non-zero return code".
 * Returns 0, -1 when the host is unreachable. */
int mod_run(struct module_ctx *ctx, const char *cmdline, const struct mod_run_opts *opts,
            struct result *res, struct err *err);

/* mod_run with the 'stdin' and 'stdin_add_newline' arguments of command and shell applied, and
 * their 'msg' ("" unless the command failed). */
int mod_run_with_stdin(struct module_ctx *ctx, const char *cmdline, struct mod_run_opts *opts,
                       const struct margs *args, struct result *res, struct err *err);
/* Handles chdir/creates/removes like Ansible's command module. Returns 0 and sets *done when the
 * result is final (skipped run: ok with msg "Did not run command since 'X' exists", or failed
 * "Unable to change directory before execution: ..."); -1 when unreachable. */
int mod_run_guards(struct module_ctx *ctx, const struct margs *args, const char *verb,
                   struct result *res, bool *done, struct err *err);

#endif
