/*
 * become.h - privilege escalation (sudo, su) as command-line wrapping, shared by every transport.
 * The become password never appears in the command line, the environment or a log: it is the
 * first line the transport writes to the wrapped command's stdin, before the command's own stdin.
 *
 * Use: become_wrap() -> run bc.cmdline with /bin/sh -c (local) or as the ssh exec command ->
 * when bc.sends_password, stdin = become_stdin() (password line, then the data) -> become_wipe()
 * that buffer -> become_cmd_release().
 *
 * sudo with a password reads it only when it prompts; with NOPASSWD or a cached timestamp the line
 * would reach the command instead. A transport that cannot converse (conn-local) first runs
 * become_probe_cmdline() and passes use_password=false when it exits 0. A transport that can
 * converse (ssh) may instead watch stderr for bc.prompt and write the password only then.
 */
#ifndef BECOME_H
#define BECOME_H

struct buf;
struct become;

struct become_cmd {
    char *cmdline;       /* owned: the sh command line that runs the command as the target user */
    char *prompt;        /* owned: the password prompt sudo prints (-p), NULL when not prompting */
    bool sends_password; /* the password line must precede the command's stdin */
};

/* Wraps the sh command line 'cmd' for 'b' (method sudo or su; user NULL = root), like Ansible:
 *   sudo, password used: sudo -H -S -p '[sudo via pot, key=RANDOM] password:' -u USER
 *                        /bin/sh -c 'CMD'
 *   sudo, no password:   sudo -H -S -n -u USER /bin/sh -c 'CMD'
 *   su:                  su - USER -c 'CMD'
 * use_password: the password (b->password, non-empty) will be written to stdin. BECOME_NONE
 * copies 'cmd' unchanged. */
void become_wrap(const struct become *b, const char *cmd, bool use_password,
                 struct become_cmd *out);
void become_cmd_release(struct become_cmd *bc);

/* Returns a new command line exiting 0 when 'b' needs no password right now
 * ("sudo -n -u USER true"), or NULL when the method has no such probe (su). */
char *become_probe_cmdline(const struct become *b);

/* Appends the wrapped command's stdin to 'out': "PASSWORD\n" when bc->sends_password, then
 * 'data' (len bytes, may be NULL). 'out' then holds a secret: release it with become_wipe(). */
void become_stdin(const struct become *b, const struct become_cmd *bc, const char *data,
                  size_t len, struct buf *out);
/* Zeroes the buffer's bytes, then releases it. */
void become_wipe(struct buf *b);

#endif
