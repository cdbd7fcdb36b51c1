/* tests/unit/test-img-gzip.c: tests installer/images/img-gzip.c */
#include "unit.h"
#include <zlib.h>
#include "base/buf.h"
#include "base/digest.h"
#include "images/img-gzip.h"

static int collect(void *ctx, const void *data, size_t len)
{
    buf_add(ctx, data, len);
    return 0;
}

static void compress_in_pieces(const char *data, size_t len, size_t piece, struct buf *out)
{
    struct img_gzip gz;

    img_gzip_init(&gz);
    for (size_t off = 0; off < len; off += piece) {
        size_t n = len - off < piece ? len - off : piece;

        assert_int_equal(img_gzip_feed(&gz, data + off, n, false, collect, out), 0);
    }
    assert_int_equal(img_gzip_feed(&gz, NULL, 0, true, collect, out), 0);
    img_gzip_end(&gz);
}

static char *sample(size_t len)
{
    char *d = xmalloc(len);
    uint32_t x = 12345;

    for (size_t i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        d[i] = (char)(i % 3 ? 'a' + (x >> 24) % 4 : (x >> 16));
    }
    return d;
}

static void test_img_gzip_same_input_same_bytes(void **state)
{
    size_t len = 300000;
    char *data = sample(len);
    struct buf a = BUF_INIT;
    struct buf b = BUF_INIT;
    char ha[SHA256_HEX_LEN + 1];
    char hb[SHA256_HEX_LEN + 1];

    (void)state;
    compress_in_pieces(data, len, 65536, &a);
    compress_in_pieces(data, len, 777, &b);
    sha256_hex(a.ptr, a.len, ha);
    sha256_hex(b.ptr, b.len, hb);
    assert_string_equal(ha, hb);
    buf_release(&a);
    buf_release(&b);
    free(data);
}

static void test_img_gzip_header_has_no_mtime_or_name(void **state)
{
    struct buf out = BUF_INIT;
    const unsigned char *h;

    (void)state;
    compress_in_pieces("hello", 5, 5, &out);
    h = (const unsigned char *)out.ptr;
    assert_int_equal(h[0], 0x1f);
    assert_int_equal(h[1], 0x8b);
    assert_int_equal(h[3] & 0x08, 0); /* FNAME not set */
    assert_int_equal(h[4] | h[5] | h[6] | h[7], 0);
    buf_release(&out);
}

static void test_img_gzip_roundtrips(void **state)
{
    size_t len = 200000;
    char *data = sample(len);
    struct buf z = BUF_INIT;
    char *back = xmalloc(len);
    z_stream s = { 0 };

    (void)state;
    compress_in_pieces(data, len, 4096, &z);
    assert_int_equal(inflateInit2(&s, 15 + 16), Z_OK);
    s.next_in = (unsigned char *)z.ptr;
    s.avail_in = (uInt)z.len;
    s.next_out = (unsigned char *)back;
    s.avail_out = (uInt)len;
    assert_int_equal(inflate(&s, Z_FINISH), Z_STREAM_END);
    assert_int_equal(s.total_out, len);
    assert_memory_equal(back, data, len);
    inflateEnd(&s);
    buf_release(&z);
    free(back);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_img_gzip_same_input_same_bytes),
        cmocka_unit_test(test_img_gzip_header_has_no_mtime_or_name),
        cmocka_unit_test(test_img_gzip_roundtrips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
