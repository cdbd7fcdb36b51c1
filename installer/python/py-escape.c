/*
 * py-escape.c - one backslash escape of a Python string literal to UTF-8 or a byte; the rules
 * each caller takes are chosen by enum pyesc_flags (see py-escape.h).
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "python/py-escape.h"
#include "base/strutil.h"


static void add_value(struct buf *out, uint32_t cp, unsigned flags)
{
    if (flags & PYESC_BYTES) {
        buf_addc(out, (char)cp);
    } else {
        buf_add_utf8(out, cp);
    }
}

/* The character at s[k], or NUL at or past 'len'. */
static char at(const char *s, size_t len, size_t k)
{
    return k < len ? s[k] : '\0';
}

/* A one-letter escape's value, or NUL when 'c' is not one under 'flags'. */
static char simple_escape(char c, unsigned flags)
{
    static const char from[] = "\\'\"nrtabfv";
    static const char to[] = "\\'\"\n\r\t\a\b\f\v";
    size_t plain = 6; /* from[0..5] are always taken; the rest need PYESC_CONTROL */
    const char *hit = c ? strchr(from, c) : NULL;

    if (!hit || ((size_t)(hit - from) >= plain && !(flags & PYESC_CONTROL))) {
        return '\0';
    }
    return to[hit - from];
}

/* \xHH \uHHHH \UHHHHHHHH after the backslash at s[0]: bytes consumed, 0 when malformed. */
static int hex_escape(const char *s, size_t len, int digits, unsigned flags, struct buf *out)
{
    uint32_t cp = 0;

    for (int k = 0; k < digits; k++) {
        int v = str_hex_digit(at(s, len, 2 + (size_t)k));

        if (v < 0) {
            return 0;
        }
        cp = cp * 16 + (uint32_t)v;
    }
    if (cp > 0x10FFFF) {
        return 0;
    }
    add_value(out, cp, flags);
    return 2 + digits;
}

static int octal_escape(const char *s, size_t len, unsigned flags, struct buf *out)
{
    uint32_t cp = 0;
    int n = 0;

    while (n < 3 && at(s, len, 1 + (size_t)n) >= '0' && at(s, len, 1 + (size_t)n) <= '7') {
        cp = cp * 8 + (uint32_t)(s[1 + n] - '0');
        n++;
    }
    add_value(out, cp, flags);
    return 1 + n;
}

int pyesc_decode(const char *s, size_t len, unsigned flags, struct buf *out)
{
    bool bytes = flags & PYESC_BYTES;
    char c = at(s, len, 1);
    char simple = simple_escape(c, flags);
    int digits = c == 'x' ? 2 : (!bytes && c == 'u') ? 4 : (!bytes && c == 'U') ? 8 : 0;

    if (simple) {
        buf_addc(out, simple);
        return 2;
    }
    if (c == '\n' && (flags & PYESC_CONTINUATION)) {
        return 2;
    }
    if (c >= '0' && c <= '7' && (flags & PYESC_OCTAL)) {
        return octal_escape(s, len, flags, out);
    }
    if (digits) {
        int used = hex_escape(s, len, digits, flags, out);

        if (used) {
            return used;
        }
        if (flags & PYESC_STRICT) {
            return -1;
        }
    }
    if (c == 'N' && !bytes && (flags & PYESC_NAME_FAILS)) {
        return -1;
    }
    buf_addc(out, '\\');
    return 1;
}
