/*
 * buf.h - struct buf: a growable byte buffer, always NUL-terminated.
 * Initialise with BUF_INIT (or buf_init), append with buf_add*, release with buf_release.
 * 'ptr' is never NULL; an empty buf points at a shared "" until it first grows.
 */
#ifndef BUF_H
#define BUF_H

struct buf {
    char *ptr;  /* owned once cap > 0 */
    size_t len;
    size_t cap;
};

extern char buf_empty[];
#define BUF_INIT { buf_empty, 0, 0 }

void buf_init(struct buf *b);
void buf_release(struct buf *b);
/* Makes room for at least 'extra' more bytes (plus the NUL). */
void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_addf(struct buf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
void buf_vaddf(struct buf *b, const char *fmt, va_list ap) PRINTF_LIKE(2, 0);
/* Appends code point 'cp' (at most 0x10FFFF) encoded as UTF-8. */
void buf_add_utf8(struct buf *b, uint32_t cp);
/* Appends 'count' copies of 'c'. */
void buf_addn(struct buf *b, char c, size_t count);
/* Appends 'len' bytes of 's' escaped for HTML text and attribute values as Go's
 * template.HTMLEscape does: < > & ' " as &lt; &gt; &amp; &#39; &#34;, NUL as U+FFFD. */
void buf_add_html(struct buf *b, const char *s, size_t len);
void buf_truncate(struct buf *b, size_t len);
void buf_reset(struct buf *b);
/* Hands the bytes to the caller (who frees them) and leaves 'b' empty. */
char *buf_detach(struct buf *b, size_t *len_out);

#endif
