/*
 * b64.c - base64 encoding and decoding without line wrapping.
 */
#include "pot.h"
#include "base/b64.h"
#include "base/buf.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void b64_encode(struct buf *out, const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t i;

    buf_grow(out, (len + 2) / 3 * 4);
    for (i = 0; i + 2 < len; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];

        buf_addc(out, alphabet[v >> 18 & 63]);
        buf_addc(out, alphabet[v >> 12 & 63]);
        buf_addc(out, alphabet[v >> 6 & 63]);
        buf_addc(out, alphabet[v & 63]);
    }
    if (i < len) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < len ? (unsigned)p[i + 1] << 8 : 0);

        buf_addc(out, alphabet[v >> 18 & 63]);
        buf_addc(out, alphabet[v >> 12 & 63]);
        buf_addc(out, i + 1 < len ? alphabet[v >> 6 & 63] : '=');
        buf_addc(out, '=');
    }
}

static int sextet(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

int b64_decode(struct buf *out, const char *text, size_t len)
{
    unsigned acc = 0;
    int bits = 0;
    int pad = 0;

    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        int v;

        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            continue;
        }
        if (c == '=') {
            pad++;
            continue;
        }
        v = sextet(c);
        if (v < 0 || pad) {
            return -1;
        }
        acc = acc << 6 | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf_addc(out, (char)(acc >> bits & 0xff));
        }
    }
    if (pad > 2) {
        return -1;
    }
    return 0;
}
