/*
 * fuzz-deflate.c - libFuzzer target for installer/images/img-deflate.c: whatever the input, the
 * encoder's stream must inflate (zlib) back to exactly that input.
 *
 * Input: two control bytes, then the data. The first byte picks how the data is cut into up to
 * four calls (compressed or stored, a flush after some), the second how often the data is
 * repeated with a small change each time (up to 64 times and 160 KiB, to reach past the 32 KiB
 * window and the 60 KiB blocks that a short input never does). Any crash, sanitizer report or
 * mismatch is a bug.
 */
#include "pot.h"
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "base/buf.h"
#include "base/xalloc.h"
#include "images/img-deflate.h"

#define MAX_EXPANDED (160u << 10)

static int collect(void *ctx, const void *data, size_t len)
{
    buf_add(ctx, data, len);
    return 0;
}

/* The data, repeated 'times' times; each copy has one byte changed, so matches break. */
static unsigned char *expand(const uint8_t *data, size_t len, size_t times, size_t *out_len)
{
    unsigned char *all = xmalloc(len * times + 1);

    for (size_t t = 0; t < times; t++) {
        memcpy(all + t * len, data, len);
        if (len) {
            all[t * len + (t * 7919) % len] ^= (unsigned char)t;
        }
    }
    *out_len = len * times;
    return all;
}

static int encode(const unsigned char *all, size_t len, unsigned cuts, struct buf *z)
{
    struct img_deflate *d = img_deflate_new();
    size_t pieces = (cuts & 3) + 1;
    size_t off = 0;
    int rc = 0;

    img_deflate_begin(d, collect, z);
    for (size_t i = 0; i < pieces && rc == 0; i++) {
        size_t end = i + 1 == pieces ? len : len / pieces * (i + 1);
        bool final = i + 1 == pieces;

        if (cuts & (4u << i)) {
            rc = img_deflate_store(d, all + off, end - off, final);
        } else {
            rc = img_deflate_compress(d, all + off, off, end - off, final);
        }
        if (rc == 0 && !final && (cuts & (64u << (i % 2)))) {
            rc = img_deflate_flush(d);
        }
        off = end;
    }
    if (rc == 0) {
        rc = img_deflate_flush(d);
    }
    img_deflate_free(d);
    return rc;
}

static void check_inflates(const struct buf *z, const unsigned char *all, size_t len)
{
    unsigned char *back = xmalloc(len + 1);
    z_stream s;

    memset(&s, 0, sizeof(s));
    if (inflateInit2(&s, -15) != Z_OK) {
        abort();
    }
    s.next_in = (unsigned char *)z->ptr;
    s.avail_in = (uInt)z->len;
    s.next_out = back;
    s.avail_out = (uInt)len + 1;
    if (inflate(&s, Z_FINISH) != Z_STREAM_END || s.total_out != len || s.avail_in != 0 ||
        memcmp(back, all, len) != 0) {
        abort();
    }
    inflateEnd(&s);
    free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf z = BUF_INIT;
    unsigned char *all;
    size_t times;
    size_t len;

    if (size < 2) {
        return 0;
    }
    times = (data[1] & 63) + 1;
    if ((size - 2) * times > MAX_EXPANDED) {
        times = MAX_EXPANDED / (size - 2);
    }
    all = expand(data + 2, size - 2, times, &len);
    if (encode(all, len, data[0], &z) != 0) {
        abort();
    }
    check_inflates(&z, all, len);
    buf_release(&z);
    free(all);
    return 0;
}
