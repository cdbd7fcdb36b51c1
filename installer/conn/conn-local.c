/*
 * conn-local.c - the "local" transport: commands run on this machine through /bin/sh -c (with
 * sudo/su wrapping from become.c), files are written atomically with plain syscalls, or through
 * a small sh snippet under become.
 */
#include "pot.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/proc.h"
#include "base/xalloc.h"
#include "conn/become.h"
#include "conn/conn.h"
#include "conn/shell-quote.h"

static int local_open(struct conn *c, struct err *err)
{
    (void)c;
    (void)err;
    return 0;
}

static void local_close(struct conn *c)
{
    (void)c;
}

/* The command line before become wrapping: exports, cd, then the command. */
static int build_inner(const struct exec_req *req, struct buf *out, struct err *err)
{
    for (size_t i = 0; req->env && req->env[i]; i++) {
        const char *eq = strchr(req->env[i], '=');

        if (!eq || !sh_is_name(req->env[i], (size_t)(eq - req->env[i]))) {
            return err_set(err, ERR_USAGE, "invalid environment entry '%.*s'",
                           eq ? (int)(eq - req->env[i]) : (int)strlen(req->env[i]), req->env[i]);
        }
        buf_addf(out, "export %.*s=", (int)(eq - req->env[i]), req->env[i]);
        sh_quote(out, eq + 1);
        buf_addc(out, '\n');
    }
    if (req->chdir) {
        buf_adds(out, "cd ");
        sh_quote(out, req->chdir);
        buf_adds(out, " || exit 1\n");
    }
    buf_adds(out, req->cmd);
    return 0;
}

static int run_sh(const char *cmdline, const char *in, size_t in_len, int timeout_s,
                  struct buf *out, struct buf *errout, struct proc_result *pr, struct err *err)
{
    char *argv[] = { "/bin/sh", "-c", (char *)cmdline, NULL };
    struct proc_opts opts = {
        .stdin_data = in,
        .stdin_len = in_len,
        .timeout_ms = timeout_s > 0 ? timeout_s * 1000 : 0,
    };

    return proc_run(argv, &opts, out, errout, pr, err);
}

/* sudo with a password: true unless `sudo -n` shows none is needed right now. */
static bool needs_password(const struct become *b)
{
    char *probe;
    struct proc_result pr = { 0 };
    struct err ignored = ERR_INIT;
    bool need = true;

    if (!b->password || !*b->password) {
        return false;
    }
    if (b->method == BECOME_SU) {
        return geteuid() != 0;
    }
    probe = become_probe_cmdline(b);
    if (run_sh(probe, NULL, 0, 30, NULL, NULL, &pr, &ignored) == 0 && pr.status == 0) {
        need = false;
    }
    free(probe);
    return need;
}

/* Removes sudo's prompt from the command's stderr. */
static void strip_prompt(struct buf *errout, size_t start, const char *prompt)
{
    char *at;
    size_t plen;

    if (!errout || !prompt) {
        return;
    }
    at = strstr(errout->ptr + start, prompt);
    if (!at) {
        return;
    }
    plen = strlen(prompt);
    memmove(at, at + plen, errout->len - (size_t)(at - errout->ptr) - plen + 1);
    errout->len -= plen;
}

static int local_exec(struct conn *c, const struct exec_req *req, struct exec_result *res,
                      struct err *err)
{
    struct buf inner = BUF_INIT;
    struct buf in = BUF_INIT;
    struct become_cmd bc = { 0 };
    struct proc_result pr = { 0 };
    size_t err_start = res->err ? res->err->len : 0;
    int ret = -1;

    (void)c;
    if (build_inner(req, &inner, err) < 0) {
        goto out;
    }
    if (req->become && req->become->method != BECOME_NONE) {
        become_wrap(req->become, inner.ptr, needs_password(req->become), &bc);
    } else {
        become_wrap(NULL, inner.ptr, false, &bc);
    }
    become_stdin(req->become, &bc, req->stdin_data, req->stdin_len, &in);
    if (run_sh(bc.cmdline, in.len ? in.ptr : NULL, in.len, req->timeout_s, res->out, res->err,
               &pr, err) < 0) {
        goto out;
    }
    strip_prompt(res->err, err_start, bc.prompt);
    res->status = pr.timed_out ? -1 : pr.status;
    ret = 0;
out:
    become_wipe(&in);
    become_cmd_release(&bc);
    buf_release(&inner);
    return ret;
}

/* Under become: write stdin to a temporary file next to 'path', chmod, rename over it. */
static int put_as(struct conn *c, const char *path, const void *data, size_t len, mode_t mode,
                  const struct become *become, struct err *err)
{
    struct buf cmd = BUF_INIT;
    struct buf errout = BUF_INIT;
    struct exec_result res = { .err = &errout };
    char *dir = fs_dirname(path);
    struct exec_req req = { .stdin_data = data, .stdin_len = len, .become = become };
    int ret = -1;

    buf_adds(&cmd, "umask 077; t=$(mktemp ");
    sh_quote(&cmd, dir);
    buf_adds(&cmd, "/.pot-tmp.XXXXXX) || exit 1; if cat > \"$t\" && chmod ");
    buf_addf(&cmd, "%04o \"$t\" && mv -f \"$t\" ", (unsigned)(mode & 07777));
    sh_quote(&cmd, path);
    buf_adds(&cmd, "; then exit 0; fi; rm -f \"$t\"; exit 1");
    req.cmd = cmd.ptr;
    if (local_exec(c, &req, &res, err) < 0) {
        goto out;
    }
    if (res.status != 0) {
        err_set(err, ERR_IO, "cannot write '%s': %s", path, errout.ptr);
        goto out;
    }
    ret = 0;
out:
    free(dir);
    buf_release(&errout);
    buf_release(&cmd);
    return ret;
}

static bool becomes(const struct become *become)
{
    return become && become->method != BECOME_NONE;
}

static int local_put(struct conn *c, const char *path, const void *data, size_t len, mode_t mode,
                     const struct become *become, struct err *err)
{
    if (becomes(become)) {
        return put_as(c, path, data, len, mode, become, err);
    }
    return fs_write_atomic(path, data, len, mode, err);
}

static int copy_fd(int from, int to)
{
    char chunk[65536];

    for (;;) {
        ssize_t n = read(from, chunk, sizeof(chunk));

        if (n == 0) {
            return 0;
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(to, chunk + done, (size_t)(n - done));

            if (w < 0 && errno != EINTR) {
                return -1;
            }
            done += w > 0 ? w : 0;
        }
    }
}

/* Streams 'local_path' into a temporary file beside 'path', then renames it into place. */
static int stream_file(const char *local_path, const char *path, mode_t mode, struct err *err)
{
    char *dir = fs_dirname(path);
    char *tmp = xasprintf("%s/.pot-tmp.XXXXXX", dir);
    int in = open(local_path, O_RDONLY | O_CLOEXEC);
    int outfd = -1;
    int ret = -1;

    if (in < 0) {
        err_errno(err, "cannot read '%s'", local_path);
        goto out;
    }
    outfd = mkostemp(tmp, O_CLOEXEC);
    if (outfd < 0) {
        err_errno(err, "cannot write '%s'", path);
        goto out;
    }
    if (copy_fd(in, outfd) < 0 || fchmod(outfd, mode & 07777) < 0 || fsync(outfd) < 0 ||
        rename(tmp, path) < 0) {
        err_errno(err, "cannot write '%s'", path);
        unlink(tmp);
        goto out;
    }
    ret = 0;
out:
    if (outfd >= 0) {
        close(outfd);
    }
    if (in >= 0) {
        close(in);
    }
    free(tmp);
    free(dir);
    return ret;
}

static int local_put_file(struct conn *c, const char *local_path, const char *path, mode_t mode,
                          const struct become *become, struct err *err)
{
    struct buf data = BUF_INIT;
    int ret;

    if (!becomes(become)) {
        return stream_file(local_path, path, mode, err);
    }
    ret = fs_read_file(local_path, &data, err);
    if (ret == 0) {
        ret = put_as(c, path, data.ptr, data.len, mode, become, err);
    }
    buf_release(&data);
    return ret;
}

static int local_fetch(struct conn *c, const char *path, struct buf *out,
                       const struct become *become, struct err *err)
{
    struct buf cmd = BUF_INIT;
    struct buf errout = BUF_INIT;
    struct exec_result res = { .out = out, .err = &errout };
    struct exec_req req = { .become = become };
    int ret = -1;

    if (!becomes(become)) {
        return fs_read_file(path, out, err);
    }
    buf_adds(&cmd, "cat -- ");
    sh_quote(&cmd, path);
    req.cmd = cmd.ptr;
    if (local_exec(c, &req, &res, err) == 0) {
        ret = res.status == 0 ? 0
                              : err_set(err, ERR_IO, "cannot read '%s': %s", path, errout.ptr);
    }
    buf_release(&errout);
    buf_release(&cmd);
    return ret;
}

const struct conn_ops conn_local_ops = {
    .name = "local",
    .open = local_open,
    .exec = local_exec,
    .put = local_put,
    .put_file = local_put_file,
    .fetch = local_fetch,
    .close = local_close,
};
