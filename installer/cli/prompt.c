/*
 * prompt.c - questions to the operator on the terminal (prompt.h).
 */
#include "pot.h"
#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "cli/prompt.h"

/* One line from 'fd' without its newline, a byte at a time (nothing read past it); -1 at the
 * end of input before any byte. */
static int read_line(int fd, struct buf *out)
{
    char c = 0;
    ssize_t n = read(fd, &c, 1);
    bool any = false;

    for (; n == 1 && c != '\n'; n = read(fd, &c, 1)) {
        buf_addc(out, c);
        any = true;
    }
    return n == 1 || any ? 0 : -1;
}

int cli_ask(const char *question, bool secret, struct buf *answer, struct err *err)
{
    struct termios old, quiet;
    int tty = open("/dev/tty", O_RDWR | O_CLOEXEC);
    int fd = tty >= 0 ? tty : STDIN_FILENO;
    bool echo_off = false;
    size_t start = answer->len;
    int rc;

    if (tty >= 0 && write(tty, question, strlen(question)) >= 0) {
        echo_off = secret && tcgetattr(tty, &old) == 0;
    } else if (tty < 0) {
        (void)!write(STDERR_FILENO, question, strlen(question));
    }
    if (echo_off) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(tty, TCSAFLUSH, &quiet);
    }
    rc = read_line(fd, answer);
    if (echo_off) {
        tcsetattr(tty, TCSAFLUSH, &old);
        (void)!write(tty, "\n", 1);
    }
    if (tty >= 0) {
        close(tty);
    }
    if (rc < 0) {
        return err_set(err, ERR_IO, "no answer to '%.*s' (end of input)",
                       (int)strcspn(question, ":[\n"), question);
    }
    if (secret) {
        log_add_secret(answer->len > start ? answer->ptr + start : "");
    }
    return 0;
}
