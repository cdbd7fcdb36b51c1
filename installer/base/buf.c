/*
 * buf.c - growable NUL-terminated byte buffer.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/xalloc.h"

char buf_empty[1];

void buf_init(struct buf *b)
{
    b->ptr = buf_empty;
    b->len = 0;
    b->cap = 0;
}

void buf_release(struct buf *b)
{
    if (b->cap) {
        free(b->ptr);
    }
    buf_init(b);
}

void buf_grow(struct buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    size_t cap;

    if (need <= b->cap) {
        return;
    }
    cap = b->cap ? b->cap : 64;
    while (cap < need) {
        cap *= 2;
    }
    if (b->cap) {
        b->ptr = xrealloc(b->ptr, cap);
    } else {
        b->ptr = xmalloc(cap);
        b->ptr[0] = '\0';
    }
    b->cap = cap;
}

void buf_add(struct buf *b, const void *data, size_t len)
{
    if (!len) {
        return;
    }
    buf_grow(b, len);
    memcpy(b->ptr + b->len, data, len);
    b->len += len;
    b->ptr[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

void buf_addc(struct buf *b, char c)
{
    buf_add(b, &c, 1);
}

void buf_add_utf8(struct buf *b, uint32_t cp)
{
    if (cp < 0x80) {
        buf_addc(b, (char)cp);
    } else if (cp < 0x800) {
        buf_addc(b, (char)(0xC0 | (cp >> 6)));
        buf_addc(b, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        buf_addc(b, (char)(0xE0 | (cp >> 12)));
        buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        buf_addc(b, (char)(0x80 | (cp & 0x3F)));
    } else {
        buf_addc(b, (char)(0xF0 | (cp >> 18)));
        buf_addc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
        buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        buf_addc(b, (char)(0x80 | (cp & 0x3F)));
    }
}

void buf_addn(struct buf *b, char c, size_t count)
{
    if (!count) {
        return;
    }
    buf_grow(b, count);
    memset(b->ptr + b->len, c, count);
    b->len += count;
    b->ptr[b->len] = '\0';
}

void buf_add_html(struct buf *b, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        switch (s[i]) {
        case '<':
            buf_adds(b, "&lt;");
            break;
        case '>':
            buf_adds(b, "&gt;");
            break;
        case '&':
            buf_adds(b, "&amp;");
            break;
        case '\'':
            buf_adds(b, "&#39;");
            break;
        case '"':
            buf_adds(b, "&#34;");
            break;
        case '\0':
            buf_adds(b, "\xEF\xBF\xBD");
            break;
        default:
            buf_addc(b, s[i]);
            break;
        }
    }
}

void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    int n;

    va_copy(copy, ap);
    n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n <= 0) {
        return;
    }
    buf_grow(b, (size_t)n);
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    buf_vaddf(b, fmt, ap);
    va_end(ap);
}

void buf_truncate(struct buf *b, size_t len)
{
    if (len >= b->len) {
        return;
    }
    b->len = len;
    b->ptr[len] = '\0';
}

void buf_reset(struct buf *b)
{
    buf_truncate(b, 0);
}

char *buf_detach(struct buf *b, size_t *len_out)
{
    char *p;

    if (len_out) {
        *len_out = b->len;
    }
    p = b->cap ? b->ptr : xstrdup("");
    buf_init(b);
    return p;
}
