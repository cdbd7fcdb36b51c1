/*
 * shell-quote.c - POSIX sh single-quote quoting like Python's shlex.quote, and the check for a sh
 * variable name.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "conn/shell-quote.h"

static bool is_safe_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           strchr("_@%+=:,./-", c) != NULL;
}

static bool is_safe_word(const char *s)
{
    if (*s == '\0') {
        return false;
    }
    for (; *s; s++) {
        if (!is_safe_char((unsigned char)*s)) {
            return false;
        }
    }
    return true;
}

void sh_quote(struct buf *out, const char *s)
{
    if (is_safe_word(s)) {
        buf_adds(out, s);
        return;
    }
    buf_addc(out, '\'');
    for (; *s; s++) {
        if (*s == '\'') {
            buf_adds(out, "'\"'\"'");
        } else {
            buf_addc(out, *s);
        }
    }
    buf_addc(out, '\'');
}

char *sh_quote_dup(const char *s)
{
    struct buf b = BUF_INIT;

    sh_quote(&b, s);
    return buf_detach(&b, NULL);
}

void sh_quote_argv(struct buf *out, char *const argv[])
{
    for (size_t i = 0; argv[i]; i++) {
        if (i > 0) {
            buf_addc(out, ' ');
        }
        sh_quote(out, argv[i]);
    }
}

bool sh_is_name(const char *s, size_t len)
{
    if (len == 0 || (s[0] >= '0' && s[0] <= '9')) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];

        if (!(ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9'))) {
            return false;
        }
    }
    return true;
}
