/*
 * mod-util.h - what several modules need from the host, each in as few round trips as possible:
 * run a command line with the task's become, stat a path (with checksum) in one exec, apply
 * mode/owner/group only when they differ, back up a file, resolve octal and symbolic modes, and
 * make the unified diff text shown by --diff.
 */
#ifndef MOD_UTIL_H
#define MOD_UTIL_H

#include <sys/types.h>
#include "base/vec.h"
#include "modules/module.h"

/* One remote path as stat(2) sees it (lstat unless 'follow'). */
struct mod_stat {
    bool exists;
    mode_t mode;       /* full st_mode: type and permission bits */
    uid_t uid;
    gid_t gid;
    char *owner;       /* owned: user name ("UNKNOWN" when it has none) */
    char *group;       /* owned */
    int64_t size;
    double mtime, atime, ctime;
    int64_t inode, nlink, dev;
    char *lnk_target;  /* owned: readlink text for a symlink, else NULL */
    char *lnk_source;  /* owned: the fully resolved path of a symlink, else NULL */
    bool readable, writeable, executable; /* for the connecting (or become) user */
    char *checksum;    /* owned: hex digest of a regular readable file, when asked; else NULL */
};

/* Runs the sh command line 'cmd' on the host with ctx's become and env. 'out'/'errout' may be
 * NULL. Returns 0 with *status set (see exec_result.status), -1 when the host is unreachable. */
int mod_exec(struct module_ctx *ctx, const char *cmd, const char *stdin_data, size_t stdin_len,
             struct buf *out, struct buf *errout, int *status, struct err *err);

/* Runs the command 'argv' on the host as run_command(list) does: no shell features (each
 * argument quoted), in the C locale, with the sbin directories Ansible's get_bin_path searches
 * added to PATH. Exit status 127 means the program was not found (mod_fail_missing_bin). Returns
 * 0 with *status set, -1 when the host is unreachable. */
int mod_exec_argv(struct module_ctx *ctx, const struct svec *argv, struct buf *out,
                  struct buf *errout, int *status, struct err *err);
/* Runs the shell script 'script' as `sh -c SCRIPT sh ARGS...` (NULL-terminated 'args'), as
 * mod_exec_argv runs a command, with 'input' on its stdin (NULL: none). Returns 0 with *status
 * and stdout in 'out', -1 when the host is unreachable. */
int mod_exec_script(struct module_ctx *ctx, const char *script, const char *const *args,
                    const char *input, struct buf *out, int *status, struct err *err);
/* Fails the module with get_bin_path's message for a program the host lacks; returns 0. */
int mod_fail_missing_bin(struct result *res, const char *name);

/* Stats 'path' in one exec. checksum_alg: NULL for none, or "sha1", "sha256", "md5", "sha224",
 * "sha384", "sha512" (the coreutils <alg>sum tools). Returns 0 (st->exists false when absent),
 * -1 when the host is unreachable or the probe failed (err set). Release with mod_stat_release. */
int mod_stat(struct module_ctx *ctx, const char *path, bool follow, const char *checksum_alg,
             struct mod_stat *st, struct err *err);
void mod_stat_release(struct mod_stat *st);
/* "file", "directory", "link", "hard" (a regular file with nlink > 1 is still "file"), "absent". */
const char *mod_stat_state(const struct mod_stat *st);
/* Sets the path keys Ansible's file-like results carry (uid, gid, owner, group, mode, state,
 * size) from 'st'. */
void mod_set_path_info(struct result *res, const struct mod_stat *st);
/* AnsibleModule.add_path_info: when 'path' exists on the host, its attributes (lstat) go into
 * the result as mod_set_path_info puts them. Returns 0, -1 when the host is unreachable. */
int mod_add_path_info(struct module_ctx *ctx, const char *path, struct result *res,
                      struct err *err);

/* Resolves a mode given as octal text ("0644", "644") or symbolic ("u+rwx,g-w,o=", "a+X", "u=rw")
 * against the current permission bits 'cur'. Returns 0 with *out set, or -1 when 'spec' is
 * invalid. */
int mod_mode_resolve(const char *spec, mode_t cur, bool is_dir, mode_t *out);

/* Applies 'mode', 'owner', 'group' (each NULL to leave alone) to 'path' when they differ from
 * 'st' (which must describe the path); in check mode only reports. Sets *changed when something
 * differs. Returns 0; 1 when the module failed (res holds the message); -1 when unreachable. */
int mod_set_attrs(struct module_ctx *ctx, const char *path, const struct mod_stat *st,
                  const char *mode, const char *owner, const char *group, bool *changed,
                  struct result *res, struct err *err);

/* Returns Ansible's backup name "PATH.PID.YYYY-MM-DD@HH:MM:SS~" (local time). Caller frees. */
char *mod_backup_name(const char *path, long pid);
/* Copies 'path' to its backup name keeping attributes (cp -p). Returns 0 with *backup_file set
 * (caller frees); 1 when the copy failed (res holds the message); -1 when unreachable. */
int mod_backup(struct module_ctx *ctx, const char *path, char **backup_file, struct result *res,
               struct err *err);

/* Writes data[len] to 'path' atomically with 'mode' (conn_put). When that fails and
 * 'unsafe_writes' is set, writes the file in place instead (an existing file keeps its inode
 * and mode), as Ansible does. Returns 0; 1 when the module failed (res holds the message); -1
 * when unreachable. */
int mod_put(struct module_ctx *ctx, const char *path, const char *data, size_t len, mode_t mode,
            bool unsafe_writes, struct result *res, struct err *err);

/* Appends a unified diff (diff -u, 3 lines of context) of before -> after to 'out', with the
 * headers "--- before: LABEL" / "+++ after: LABEL" ("--- before" alone when before_label is
 * NULL, for a file that did not exist; "+++ after" alone when after_label is NULL, as for the
 * file module's state dicts). Nothing is appended when the texts are equal. */
int mod_diff(const char *before, size_t before_len, const char *after, size_t after_len,
             const char *before_label, const char *after_label, struct buf *out,
             struct err *err);

/* Python's str.splitlines() for \n and \r\n, as a new list value (stdout_lines). */
struct val *mod_split_lines(const char *text);

/* Puts 'key' -> a new string in res->data. */
void mod_set_str(struct result *res, const char *key, const char *value);

#endif
