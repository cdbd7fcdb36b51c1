/*
 * b64.h - standard base64 (RFC 4648, with padding, never line-wrapped).
 */
#ifndef B64_H
#define B64_H

struct buf;

void b64_encode(struct buf *out, const void *data, size_t len);
/* Returns 0, or -1 when 'text' is not valid base64 (whitespace is ignored). */
int b64_decode(struct buf *out, const char *text, size_t len);

#endif
