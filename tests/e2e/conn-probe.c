/*
 * conn-probe.c - a test helper for tests/e2e/t3001-ssh-*.sh: drives one struct conn directly so
 * the SFTP transfers can be tested against real sshd hosts without the runner.
 *
 *   conn-probe [--user U] [--key F] [--password-file F] [--known-hosts F] [--checking N]
 *              [--become-user U --become-password-file F] ADDRESS put LOCAL REMOTE MODE
 *   conn-probe ... ADDRESS fetch REMOTE LOCAL
 * Prints the error and exits 1 when the operation fails.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/strutil.h"
#include "conn/conn.h"

struct probe {
    struct conn_settings s;
    struct become b;
    struct buf password, become_password;
};

static int read_secret(const char *path, struct buf *out, struct err *err)
{
    if (fs_read_file(path, out, err) < 0) {
        return -1;
    }
    while (out->len && out->ptr[out->len - 1] == '\n') {
        buf_truncate(out, out->len - 1);
    }
    return 0;
}

static int parse_flags(struct probe *p, int *i, int argc, char **argv, struct err *err)
{
    for (; *i + 1 < argc && strncmp(argv[*i], "--", 2) == 0; *i += 2) {
        const char *flag = argv[*i], *value = argv[*i + 1];
        int64_t n;

        if (strcmp(flag, "--user") == 0) {
            p->s.user = value;
        } else if (strcmp(flag, "--key") == 0) {
            p->s.private_key_file = value;
        } else if (strcmp(flag, "--known-hosts") == 0) {
            p->s.known_hosts_file = value;
        } else if (strcmp(flag, "--checking") == 0 && parse_int(value, &n) == 0) {
            p->s.host_key_checking = (int)n;
        } else if (strcmp(flag, "--password-file") == 0) {
            if (read_secret(value, &p->password, err) < 0) {
                return -1;
            }
            p->s.password = p->password.ptr;
        } else if (strcmp(flag, "--become-user") == 0) {
            p->b.method = BECOME_SUDO;
            p->b.user = value;
        } else if (strcmp(flag, "--become-password-file") == 0) {
            if (read_secret(value, &p->become_password, err) < 0) {
                return -1;
            }
            p->b.password = p->become_password.ptr;
        } else {
            return err_set(err, ERR_USAGE, "conn-probe: bad option '%s'", flag);
        }
    }
    return 0;
}

static int run(struct conn *c, const struct become *b, char **args, int n, struct err *err)
{
    struct buf data = BUF_INIT;
    int64_t mode;
    int ret = -1;

    if (n == 4 && strcmp(args[0], "put") == 0 && parse_int(args[3], &mode) == 0) {
        ret = conn_put_file(c, args[1], args[2], (mode_t)strtol(args[3], NULL, 8), b, err);
    } else if (n == 3 && strcmp(args[0], "fetch") == 0) {
        ret = conn_fetch(c, args[1], &data, b, err);
        if (ret == 0) {
            ret = fs_write_atomic(args[2], data.ptr, data.len, 0644, err);
        }
    } else {
        ret = err_set(err, ERR_USAGE, "conn-probe: usage: ADDRESS put|fetch ...");
    }
    buf_release(&data);
    return ret;
}

int main(int argc, char **argv)
{
    struct probe p = { .s = { .host_name = "probe", .transport = "ssh", .port = 22,
                              .host_key_checking = 1, .connect_timeout_s = 10 },
                       .password = BUF_INIT, .become_password = BUF_INIT };
    struct err err = ERR_INIT;
    struct conn *c = NULL;
    char msg[sizeof(err.msg) + 256];
    int i = 1, rc = 1;

    if (parse_flags(&p, &i, argc, argv, &err) < 0 || i >= argc) {
        goto out;
    }
    p.s.address = argv[i];
    c = conn_new(&p.s, &err);
    if (c && conn_open(c, &err) == 0 &&
        run(c, p.b.method ? &p.b : NULL, argv + i + 1, argc - i - 1, &err) == 0) {
        rc = 0;
    }
out:
    if (rc != 0) {
        err_format(&err, msg, sizeof(msg));
        fprintf(stderr, "conn-probe: %s\n", msg[0] ? msg : "usage error");
    }
    conn_free(c);
    buf_release(&p.password);
    buf_release(&p.become_password);
    return rc;
}
