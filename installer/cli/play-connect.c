/*
 * play-connect.c - the connection and privilege flags of `pot play` (play-connect.h): set as the
 * ANSIBLE_* defaults, and the -k / -K password prompts (cli/prompt.h: no echo on a terminal;
 * a line of stdin without one, as Python's getpass falls back). The passwords are registered as
 * secrets and kept for the process's life (conn_settings_set_prompted).
 */
#include "pot.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "cli/play-connect.h"
#include "cli/prompt.h"
#include "conn/conn-settings.h"

/* Asks 'prompt' for a password (cli/prompt.h); a new string, registered as a secret. */
static char *ask_secret(const char *prompt, struct err *err)
{
    struct buf answer = BUF_INIT;
    char *text;

    if (cli_ask(prompt, true, &answer, err) < 0) {
        buf_release(&answer);
        return NULL;
    }
    text = buf_detach(&answer, NULL);
    return text ? text : xstrdup("");
}

static void set_default(const char *name, const char *value)
{
    if (value) {
        setenv(name, value, 1);
    }
}

int play_connect_apply(const struct play_connect *pc, struct err *err)
{
    static char *ssh_password, *become_password; /* kept: the connections read them late */
    int64_t seconds;

    if (pc->timeout && (parse_int(pc->timeout, &seconds) < 0 || seconds <= 0)) {
        return err_set(err, ERR_USAGE,
                       "-T/--timeout '%s': expected a positive whole number of "
                       "seconds",
                       pc->timeout);
    }
    if (pc->connection && strcmp(pc->connection, "ssh") != 0 &&
        strcmp(pc->connection, "smart") != 0 && strcmp(pc->connection, "paramiko") != 0 &&
        strcmp(pc->connection, "local") != 0) {
        return err_set(err, ERR_USAGE, "-c/--connection '%s': pot connects with ssh or local",
                       pc->connection);
    }
    set_default("ANSIBLE_TRANSPORT", pc->connection);
    set_default("ANSIBLE_REMOTE_USER", pc->user);
    set_default("ANSIBLE_PRIVATE_KEY_FILE", pc->private_key);
    set_default("ANSIBLE_TIMEOUT", pc->timeout);
    set_default("ANSIBLE_BECOME", pc->become ? "True" : NULL);
    set_default("ANSIBLE_BECOME_METHOD", pc->become_method);
    set_default("ANSIBLE_BECOME_USER", pc->become_user);
    if (pc->ask_pass && !ssh_password) {
        ssh_password = ask_secret("SSH password: ", err);
        if (!ssh_password) {
            return -1;
        }
    }
    if (pc->ask_become_pass && !become_password) {
        become_password = ask_secret(pc->ask_pass ? "BECOME password[defaults to SSH password]: "
                                                  : "BECOME password: ",
                                     err);
        if (!become_password) {
            return -1;
        }
        if (!become_password[0] && ssh_password) {
            free(become_password);
            become_password = xstrdup(ssh_password);
        }
    }
    conn_settings_set_prompted(ssh_password, become_password);
    return 0;
}
