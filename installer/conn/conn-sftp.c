/*
 * conn-sftp.c - file transfer for the ssh transport. put and put_file write over SFTP to a
 * temporary name, then one command sets the mode and renames it over the target (rename(2) is
 * atomic; libssh 0.10 has no posix-rename@openssh.com call). With become the file is uploaded as
 * the login user into a private temporary directory and one become command installs it next to
 * the target and renames it, like Ansible. fetch reads over SFTP, or with become through 'cat'.
 * Deciding whether a file needs sending (checksums) is the modules' job, not this file's.
 */
#include "pot.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "conn/conn.h"
#include "conn/conn-ssh.h"
#include "conn/shell-quote.h"

#define CHUNK (64 * 1024)

/* Where the bytes come from: memory ('data', 'len') or an open local file ('fd' >= 0). */
struct source {
    const char *data;
    size_t len;
    int fd;
    const char *local_path; /* for messages */
};

static const char *sftp_error_text(int code)
{
    switch (code) {
    case SSH_FX_NO_SUCH_FILE:
        return "no such file or directory";
    case SSH_FX_PERMISSION_DENIED:
        return "permission denied";
    case SSH_FX_FILE_ALREADY_EXISTS:
        return "file exists";
    default:
        return "failure";
    }
}

/* ERR_UNREACHABLE when the connection is gone, else ERR_FAILED "host 'H': cannot W 'P': why". */
static int sftp_fail(struct conn *c, const char *what, const char *path, struct err *err)
{
    struct ssh_link *link = c->transport;
    int code = link && link->sftp ? sftp_get_error(link->sftp) : 0;

    if (!conn_ssh_alive(c)) {
        conn_ssh_unreachable(c, link ? link->session : NULL, "connection lost during a transfer",
                             err);
        conn_ssh_drop(c);
        return -1;
    }
    return err_set(err, ERR_FAILED, "host '%s': cannot %s '%s': %s", c->settings.host_name, what,
                   path, sftp_error_text(code));
}

static sftp_session start_sftp(struct conn *c, struct err *err)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        struct ssh_link *link = conn_ssh_link(c, err);

        if (!link) {
            return NULL;
        }
        if (link->sftp) {
            return link->sftp;
        }
        link->sftp = sftp_new(link->session);
        if (link->sftp && sftp_init(link->sftp) == SSH_OK) {
            return link->sftp;
        }
        if (link->sftp) {
            sftp_free(link->sftp);
            link->sftp = NULL;
        }
        if (conn_ssh_alive(c)) {
            conn_ssh_unreachable(c, link->session, "cannot start the SFTP subsystem", err);
            return NULL;
        }
        conn_ssh_drop(c);
    }
    conn_ssh_unreachable(c, NULL, "connection dropped and reconnecting failed", err);
    return NULL;
}

/* Reads the next piece of 'src' into 'chunk'; returns its size, 0 at the end, -1 on error. */
static ssize_t next_piece(struct source *src, size_t *pos, char *chunk, struct err *err)
{
    ssize_t n;

    if (src->fd < 0) {
        size_t left = src->len - *pos;
        size_t take = left < CHUNK ? left : CHUNK;

        memcpy(chunk, src->data + *pos, take);
        *pos += take;
        return (ssize_t)take;
    }
    do {
        n = read(src->fd, chunk, CHUNK);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return err_errno(err, "cannot read '%s'", src->local_path);
    }
    return n;
}

static int upload(struct conn *c, sftp_session sftp, const char *tmp, struct source *src,
                  struct err *err)
{
    sftp_file f = sftp_open(sftp, tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
    char *chunk = NULL;
    size_t pos = 0;
    int ret = -1;

    if (!f) {
        return sftp_fail(c, "create", tmp, err);
    }
    chunk = xmalloc(CHUNK);
    for (;;) {
        ssize_t n = next_piece(src, &pos, chunk, err);

        if (n < 0) {
            goto out;
        }
        if (n == 0) {
            break;
        }
        if (sftp_write(f, chunk, (size_t)n) != n) {
            sftp_fail(c, "write", tmp, err);
            goto out;
        }
    }
    ret = 0;
out:
    if (sftp_close(f) != SSH_OK && ret == 0) {
        ret = sftp_fail(c, "write", tmp, err);
    }
    free(chunk);
    return ret;
}

/* Runs 'cmd' (with 'become') and turns a non-zero exit into "cannot write 'path': stderr". */
static int run_step(struct conn *c, const char *cmd, const struct become *become,
                    const char *path, struct err *err)
{
    struct buf errout = BUF_INIT;
    struct exec_req req = { .cmd = cmd, .become = become };
    struct exec_result res = { .err = &errout };
    int ret = 0;

    if (conn_ssh_exec(c, &req, &res, err) < 0) {
        ret = -1;
    } else if (res.status != 0) {
        while (errout.len && errout.ptr[errout.len - 1] == '\n') {
            buf_truncate(&errout, errout.len - 1);
        }
        ret = err_set(err, ERR_FAILED, "host '%s': cannot write '%s': %s", c->settings.host_name,
                      path, errout.len ? errout.ptr : "the rename failed");
    }
    buf_release(&errout);
    return ret;
}

/* "chmod MODE TMP && mv -f TMP PATH", or with become "install -m MODE SRC DIR/.pot-tmp-X &&
 * mv -f DIR/.pot-tmp-X PATH" so the file belongs to the become user. */
static void rename_command(struct buf *cmd, const char *src, const char *staged,
                           const char *path, mode_t mode, bool install)
{
    if (install) {
        buf_addf(cmd, "install -m %04o ", (unsigned)mode & 07777);
        sh_quote(cmd, src);
        buf_adds(cmd, " ");
    } else {
        buf_addf(cmd, "chmod %04o ", (unsigned)mode & 07777);
    }
    sh_quote(cmd, staged);
    buf_adds(cmd, " && mv -f ");
    sh_quote(cmd, staged);
    buf_adds(cmd, " ");
    sh_quote(cmd, path);
    buf_adds(cmd, " || { rc=$?; rm -f ");
    sh_quote(cmd, staged);
    buf_adds(cmd, "; exit $rc; }");
}

static char *staged_name(const char *path)
{
    char *dir = fs_dirname(path);
    char *hex = str_random_hex();
    char *staged = xasprintf("%s/.pot-tmp-%.12s-%s", dir, hex, fs_basename(path));

    free(hex);
    free(dir);
    return staged;
}

static int put_direct(struct conn *c, sftp_session sftp, const char *path, struct source *src,
                      mode_t mode, struct err *err)
{
    char *staged = staged_name(path);
    struct buf cmd = BUF_INIT;
    int ret = -1;

    if (upload(c, sftp, staged, src, err) < 0) {
        sftp_unlink(sftp, staged);
        goto out;
    }
    rename_command(&cmd, NULL, staged, path, mode, false);
    ret = run_step(c, cmd.ptr, NULL, path, err);
out:
    buf_release(&cmd);
    free(staged);
    return ret;
}

static bool becomes_other_non_root(const struct conn *c, const struct become *b)
{
    const char *user = b->user && *b->user ? b->user : "root";

    return strcmp(user, "root") != 0 && !(c->settings.user && strcmp(c->settings.user, user) == 0);
}

static int put_become(struct conn *c, sftp_session sftp, const char *path, struct source *src,
                      mode_t mode, const struct become *become, struct err *err)
{
    char *hex = str_random_hex();
    char *dir = xasprintf("/tmp/.pot-%s", hex);
    char *file = xasprintf("%s/data", dir);
    char *staged = staged_name(path);
    struct buf cmd = BUF_INIT;
    int ret = -1;

    if (sftp_mkdir(sftp, dir, 0700) != SSH_OK) {
        sftp_fail(c, "create", dir, err);
        goto out;
    }
    if (upload(c, sftp, file, src, err) < 0) {
        goto cleanup;
    }
    /* The become user must read the file: a random name in a directory it cannot list. */
    if (becomes_other_non_root(c, become) &&
        (sftp_chmod(sftp, file, 0644) != SSH_OK || sftp_chmod(sftp, dir, 0711) != SSH_OK)) {
        sftp_fail(c, "chmod", file, err);
        goto cleanup;
    }
    rename_command(&cmd, file, staged, path, mode, true);
    ret = run_step(c, cmd.ptr, become, path, err);
cleanup:
    if (conn_ssh_alive(c)) {
        sftp_unlink(sftp, file);
        sftp_rmdir(sftp, dir);
    }
out:
    buf_release(&cmd);
    free(staged);
    free(file);
    free(dir);
    free(hex);
    return ret;
}

static int put_source(struct conn *c, const char *path, struct source *src, mode_t mode,
                      const struct become *become, struct err *err)
{
    sftp_session sftp = start_sftp(c, err);

    if (!sftp) {
        return -1;
    }
    log_debug("host '%s': sftp put '%s' mode %04o%s", c->settings.host_name, path,
              (unsigned)mode & 07777, become && become->method != BECOME_NONE ? " (become)" : "");
    if (become && become->method != BECOME_NONE) {
        return put_become(c, sftp, path, src, mode, become, err);
    }
    return put_direct(c, sftp, path, src, mode, err);
}

int conn_sftp_put(struct conn *c, const char *path, const void *data, size_t len, mode_t mode,
                  const struct become *become, struct err *err)
{
    struct source src = { .data = data, .len = len, .fd = -1 };

    return put_source(c, path, &src, mode, become, err);
}

int conn_sftp_put_file(struct conn *c, const char *local_path, const char *path, mode_t mode,
                       const struct become *become, struct err *err)
{
    struct source src = { .fd = open(local_path, O_RDONLY | O_CLOEXEC), .local_path = local_path };
    int ret;

    if (src.fd < 0) {
        return err_errno(err, "cannot open '%s'", local_path);
    }
    ret = put_source(c, path, &src, mode, become, err);
    close(src.fd);
    return ret;
}

static int fetch_sftp(struct conn *c, const char *path, struct buf *out, struct err *err)
{
    sftp_session sftp = start_sftp(c, err);
    sftp_file f;
    char *chunk = NULL;
    int ret = -1;

    if (!sftp) {
        return -1;
    }
    f = sftp_open(sftp, path, O_RDONLY, 0);
    if (!f) {
        return sftp_fail(c, "read", path, err);
    }
    chunk = xmalloc(CHUNK);
    for (;;) {
        ssize_t n = sftp_read(f, chunk, CHUNK);

        if (n < 0) {
            sftp_fail(c, "read", path, err);
            goto out;
        }
        if (n == 0) {
            break;
        }
        buf_add(out, chunk, (size_t)n);
    }
    ret = 0;
out:
    sftp_close(f);
    free(chunk);
    return ret;
}

static int fetch_become(struct conn *c, const char *path, struct buf *out,
                        const struct become *become, struct err *err)
{
    struct buf cmd = BUF_INIT, errout = BUF_INIT;
    struct exec_req req = { .become = become };
    struct exec_result res = { .out = out, .err = &errout };
    int ret = -1;

    buf_adds(&cmd, "cat -- ");
    sh_quote(&cmd, path);
    req.cmd = cmd.ptr;
    if (conn_ssh_exec(c, &req, &res, err) < 0) {
        goto out;
    }
    if (res.status != 0) {
        while (errout.len && errout.ptr[errout.len - 1] == '\n') {
            buf_truncate(&errout, errout.len - 1);
        }
        err_set(err, ERR_FAILED, "host '%s': cannot read '%s': %s", c->settings.host_name, path,
                errout.ptr);
        goto out;
    }
    ret = 0;
out:
    buf_release(&errout);
    buf_release(&cmd);
    return ret;
}

int conn_sftp_fetch(struct conn *c, const char *path, struct buf *out,
                    const struct become *become, struct err *err)
{
    if (become && become->method != BECOME_NONE) {
        return fetch_become(c, path, out, become, err);
    }
    return fetch_sftp(c, path, out, err);
}
