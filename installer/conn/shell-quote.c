/*
 * shell-quote.c - POSIX sh single-quote quoting and word splitting, like Python's shlex.quote and
 * shlex.split, and the check for a sh variable name.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/vec.h"
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

/* Inside double quotes a backslash escapes only these (shlex's escapedquotes plus '\\'). */
static bool dq_escapable(char c)
{
    return c == '"' || c == '\\';
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Reads one word starting at *p (not at a space) into 'word'. */
static int split_word(const char **p, struct buf *word, const char **why)
{
    const char *s = *p;

    while (*s && !is_space(*s)) {
        if (*s == '\'') {
            const char *end = strchr(s + 1, '\'');

            if (!end) {
                *why = "No closing quotation";
                return -1;
            }
            buf_add(word, s + 1, (size_t)(end - s - 1));
            s = end + 1;
        } else if (*s == '"') {
            for (s++; *s && *s != '"'; s++) {
                if (*s == '\\' && s[1] && dq_escapable(s[1])) {
                    s++;
                }
                buf_addc(word, *s);
            }
            if (!*s) {
                *why = "No closing quotation";
                return -1;
            }
            s++;
        } else if (*s == '\\') {
            if (!s[1]) {
                *why = "No escaped character";
                return -1;
            }
            buf_addc(word, s[1]);
            s += 2;
        } else {
            buf_addc(word, *s++);
        }
    }
    *p = s;
    return 0;
}

int sh_split(const char *line, struct svec *out, const char **why)
{
    struct buf word = BUF_INIT;
    const char *p = line;
    int ret = 0;

    while (ret == 0) {
        while (is_space(*p)) {
            p++;
        }
        if (!*p || *p == '#') {
            break;
        }
        buf_reset(&word);
        ret = split_word(&p, &word, why);
        if (ret == 0) {
            svec_push(out, word.ptr);
        }
    }
    buf_release(&word);
    return ret;
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
