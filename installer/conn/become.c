/*
 * become.c - sudo/su command-line wrapping and the stdin that carries the become password.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "conn/become.h"
#include "conn/conn.h"
#include "conn/shell-quote.h"

static const char *target_user(const struct become *b)
{
    return b->user && *b->user ? b->user : "root";
}

static void wrap_sudo(const struct become *b, const char *cmd, bool use_password,
                      struct become_cmd *out)
{
    struct buf line = BUF_INIT;

    buf_adds(&line, "sudo -H -S ");
    if (use_password) {
        char *key = str_random_hex(); /* so the prompt cannot be faked by command output */

        out->prompt = xasprintf("[sudo via pot, key=%s] password:", key);
        free(key);
        buf_adds(&line, "-p ");
        sh_quote(&line, out->prompt);
    } else {
        buf_adds(&line, "-n");
    }
    buf_adds(&line, " -u ");
    sh_quote(&line, target_user(b));
    buf_adds(&line, " /bin/sh -c ");
    sh_quote(&line, cmd);
    out->cmdline = buf_detach(&line, NULL);
}

static void wrap_su(const struct become *b, const char *cmd, struct become_cmd *out)
{
    struct buf line = BUF_INIT;

    buf_adds(&line, "su - ");
    sh_quote(&line, target_user(b));
    buf_adds(&line, " -c ");
    sh_quote(&line, cmd);
    out->cmdline = buf_detach(&line, NULL);
}

void become_wrap(const struct become *b, const char *cmd, bool use_password,
                 struct become_cmd *out)
{
    memset(out, 0, sizeof(*out));
    use_password = use_password && b && b->password && *b->password;
    out->sends_password = use_password;
    if (!b || b->method == BECOME_NONE) {
        out->cmdline = xstrdup(cmd);
        out->sends_password = false;
    } else if (b->method == BECOME_SUDO) {
        wrap_sudo(b, cmd, use_password, out);
    } else {
        wrap_su(b, cmd, out);
    }
}

void become_cmd_release(struct become_cmd *bc)
{
    free(bc->cmdline);
    free(bc->prompt);
    memset(bc, 0, sizeof(*bc));
}

char *become_probe_cmdline(const struct become *b)
{
    struct buf line = BUF_INIT;

    if (!b || b->method != BECOME_SUDO) {
        return NULL;
    }
    buf_adds(&line, "sudo -n -u ");
    sh_quote(&line, target_user(b));
    buf_adds(&line, " true");
    return buf_detach(&line, NULL);
}

void become_stdin(const struct become *b, const struct become_cmd *bc, const char *data,
                  size_t len, struct buf *out)
{
    if (bc->sends_password) {
        buf_adds(out, b->password);
        buf_addc(out, '\n');
    }
    if (data && len > 0) {
        buf_add(out, data, len);
    }
}

void become_wipe(struct buf *b)
{
    if (b->cap > 0) {
        explicit_bzero(b->ptr, b->cap);
    }
    buf_release(b);
}
