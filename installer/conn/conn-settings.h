/*
 * conn-settings.h - builds a struct conn_settings from a host's variables the way Ansible's ssh
 * connection plugin reads them, so `pot ping`, `pot exec` and `pot play` reach hosts alike.
 *
 * Variables (later names in a row win, as in Ansible):
 *   ansible_connection                       "ssh" (also smart, paramiko) or "local"
 *   ansible_host, ansible_ssh_host           address (default: the inventory name)
 *   ansible_port, ansible_ssh_port           port (default 22)
 *   ansible_user, ansible_ssh_user           login user (default: the local user)
 *   ansible_password, ansible_ssh_pass, ansible_ssh_password         (registered as a secret)
 *   ansible_private_key_file, ansible_ssh_private_key_file           (~/ expanded)
 *   ansible_host_key_checking, ansible_ssh_host_key_checking         true/false/accept-new
 *   ansible_ssh_timeout, ansible_timeout     connect timeout in seconds (default 10)
 *   ansible_ssh_common_args, ansible_ssh_extra_args: these -o options are honoured:
 *     UserKnownHostsFile, StrictHostKeyChecking (yes/no/accept-new), ConnectTimeout, Port,
 *     User, IdentityFile; other options are ignored (logged at -vvv).
 * The environment variables ANSIBLE_HOST_KEY_CHECKING, ANSIBLE_REMOTE_USER, ANSIBLE_REMOTE_PORT,
 * ANSIBLE_PRIVATE_KEY_FILE, ANSIBLE_TIMEOUT and ANSIBLE_TRANSPORT (set from ansible.cfg by
 * cli/ansible-cfg.c, and from -u, --private-key, -T and -c by `pot play`) set the defaults the
 * variables override; the passwords -k and -K asked for are the defaults of ansible_password and
 * ansible_become_password.
 * The become variables (ansible_become_method/_user/_password) give a struct become
 * (conn_become_from_vars) for the callers that decide themselves whether to become.
 * Values must already be templated: this file does no templating.
 */
#ifndef CONN_SETTINGS_H
#define CONN_SETTINGS_H

struct conn_settings;
struct err;
struct svec;
struct val;

/* Fills 's' for 'host_name' from 'vars' (a dict). Every string 's' points at is copied into
 * 'store' (the caller releases it with svec_release after conn_new, which copies them again).
 * Returns -1 with ERR_USAGE naming the host and variable when a value is unusable. */
int conn_settings_from_vars(struct conn_settings *s, struct svec *store, const char *host_name,
                            const struct val *vars, struct err *err);

/* Fills 'b' from the host's become variables when 'wanted' (else BECOME_NONE): the method from
 * ansible_become_method (sudo, the default, or su), the user from ansible_become_user (NULL =
 * root), the password from ansible_become_password, else ansible_become_pass (registered as a
 * secret). Strings are copied into 'store'. ERR_USAGE naming the host for another method. */
struct become;
int conn_become_from_vars(struct become *b, struct svec *store, const char *host_name,
                          const struct val *vars, bool wanted, struct err *err);

/* The passwords `pot play -k` / `-K` asked for (either NULL), below the variables; the strings
 * must live until the process ends. */
void conn_settings_set_prompted(const char *ssh_password, const char *become_password);
const char *conn_settings_prompted_become_password(void);

#endif
