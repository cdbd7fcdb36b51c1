/* tests/unit/test-img-gzip.c: tests installer/images/img-gzip.c */
#include "unit.h"
#include "unit-inflate.h"
#include "base/buf.h"
#include "base/digest.h"
#include "images/img-gzip.h"

/* sha256 of the golden input compressed (see test_img_gzip_golden_digest) */
#define GOLDEN_HEX "3d6f30d21dfcba2e57433afdc1af57751492b0231cc49a559bc190828d047c5a"

static int collect(void *ctx, const void *data, size_t len)
{
    buf_add(ctx, data, len);
    return 0;
}

static void compress_threaded(const char *data, size_t len, size_t piece, int threads,
                              struct buf *out)
{
    struct img_gzip *gz = img_gzip_new(threads);

    for (size_t off = 0; off < len; off += piece) {
        size_t n = len - off < piece ? len - off : piece;

        assert_int_equal(img_gzip_feed(gz, data + off, n, false, collect, out), 0);
    }
    assert_int_equal(img_gzip_feed(gz, NULL, 0, true, collect, out), 0);
    img_gzip_free(gz);
}

static void compress_in_pieces(const char *data, size_t len, size_t piece, struct buf *out)
{
    compress_threaded(data, len, piece, 1, out);
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

/* Random bytes from a fixed generator: incompressible, so stored. */
static void fill_random(char *d, size_t len, uint32_t seed)
{
    uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;

    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        d[i] = (char)(x >> 32);
    }
}

/* Inflates 'z' as one gzip member, which must be all of it, and compares with 'data'. */
static void assert_inflates_to(const struct buf *z, const char *data, size_t len)
{
    unit_assert_inflates(z->ptr, z->len, 15 + 16, NULL, 0, data, len);
}

static void test_img_gzip_roundtrips(void **state)
{
    size_t len = 200000;
    char *data = sample(len);
    struct buf z = BUF_INIT;

    (void)state;
    compress_in_pieces(data, len, 4096, &z);
    assert_inflates_to(&z, data, len);
    buf_release(&z);
    free(data);
}

static void test_img_gzip_empty_input(void **state)
{
    struct buf z = BUF_INIT;

    (void)state;
    compress_in_pieces("", 0, 1, &z);
    assert_inflates_to(&z, "", 0);
    buf_release(&z);
}

/* Several blocks mixing compressible and random segments, with the lengths at and around the
 * block and segment edges: valid, exact, and the same bytes however the input is cut. */
static void test_img_gzip_mixed_blocks(void **state)
{
    size_t lens[] = { IMG_GZIP_BLOCK, IMG_GZIP_BLOCK + 1, 2 * IMG_GZIP_BLOCK - 1,
                      2 * IMG_GZIP_BLOCK + IMG_GZIP_SEGMENT + 5000, IMG_GZIP_SEGMENT + 100 };
    size_t max = 3 * IMG_GZIP_BLOCK;
    char *data = sample(max);

    (void)state;
    /* random stretches across a block edge, inside a block, and at the very end */
    fill_random(data + IMG_GZIP_BLOCK - 3 * IMG_GZIP_SEGMENT, 5 * IMG_GZIP_SEGMENT, 1);
    fill_random(data + IMG_GZIP_BLOCK + 7 * IMG_GZIP_SEGMENT + 100, 2 * IMG_GZIP_SEGMENT, 2);
    fill_random(data + 2 * IMG_GZIP_BLOCK, IMG_GZIP_SEGMENT + 5000, 3);
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        struct buf a = BUF_INIT;
        struct buf b = BUF_INIT;

        compress_in_pieces(data, lens[i], IMG_GZIP_BLOCK, &a);
        compress_in_pieces(data, lens[i], 100003, &b);
        assert_int_equal(a.len, b.len);
        assert_memory_equal(a.ptr, b.ptr, a.len);
        assert_inflates_to(&a, data, lens[i]);
        assert_true(a.len < lens[i]);
        buf_release(&a);
        buf_release(&b);
    }
    free(data);
}

static void test_img_gzip_random_is_stored(void **state)
{
    size_t len = 3 * IMG_GZIP_SEGMENT;
    char *data = xmalloc(len);
    struct buf z = BUF_INIT;

    (void)state;
    fill_random(data, len, 7);
    assert_true(img_gzip_incompressible((unsigned char *)data, IMG_GZIP_SEGMENT));
    compress_in_pieces(data, len, 4096, &z);
    /* header, trailer, and 5 bytes per stored block of at most 65535 bytes */
    assert_int_equal(z.len, 10 + 8 + len + 5 * ((len + 65534) / 65535));
    assert_inflates_to(&z, data, len);
    buf_release(&z);
    free(data);
}

static void test_img_gzip_text_is_compressed(void **state)
{
    size_t len = IMG_GZIP_SEGMENT;
    char *data = sample(len);

    (void)state;
    assert_false(img_gzip_incompressible((unsigned char *)data, len));
    memset(data, 0, len);
    assert_false(img_gzip_incompressible((unsigned char *)data, len));
    /* too short to judge */
    fill_random(data, 1000, 9);
    assert_false(img_gzip_incompressible((unsigned char *)data, 1000));
    free(data);
}

/* Compressible text with random stretches, 'len' bytes over several blocks. */
static char *mixed_sample(size_t len)
{
    char *data = sample(len);

    fill_random(data + IMG_GZIP_BLOCK / 2, IMG_GZIP_BLOCK, 11);
    if (len > 3 * IMG_GZIP_BLOCK + 3 * IMG_GZIP_SEGMENT) {
        fill_random(data + 3 * IMG_GZIP_BLOCK, 3 * IMG_GZIP_SEGMENT, 12);
    }
    return data;
}

/* The same bytes with 1, 2 and 4 threads, however the input is cut, and they inflate back. */
static void assert_threads_agree(const char *data, size_t len)
{
    struct buf one = BUF_INIT;
    int threads[] = { 2, 4 };
    size_t pieces[] = { IMG_GZIP_BLOCK, 100003 };

    compress_threaded(data, len, 65536, 1, &one);
    assert_inflates_to(&one, data, len);
    for (size_t t = 0; t < sizeof(threads) / sizeof(threads[0]); t++) {
        for (size_t p = 0; p < sizeof(pieces) / sizeof(pieces[0]); p++) {
            struct buf z = BUF_INIT;

            compress_threaded(data, len, pieces[p], threads[t], &z);
            assert_int_equal(z.len, one.len);
            assert_memory_equal(z.ptr, one.ptr, one.len);
            buf_release(&z);
        }
    }
    buf_release(&one);
}

static void test_img_gzip_threads_same_bytes(void **state)
{
    size_t len = 6 * IMG_GZIP_BLOCK + 12345;
    char *data = mixed_sample(len);

    (void)state;
    assert_threads_agree(data, len);
    free(data);
}

/* Lengths at block edges (a full last block, one byte more or less) and below one block. */
static void test_img_gzip_threads_block_edges(void **state)
{
    size_t lens[] = { 0, 1, IMG_GZIP_BLOCK - 1, IMG_GZIP_BLOCK, IMG_GZIP_BLOCK + 1,
                      3 * IMG_GZIP_BLOCK, 3 * IMG_GZIP_BLOCK + IMG_GZIP_SEGMENT + 7 };
    size_t max = 4 * IMG_GZIP_BLOCK;
    char *data = mixed_sample(max);

    (void)state;
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        assert_threads_agree(data, lens[i]);
    }
    free(data);
}

static void test_img_gzip_threads_incompressible(void **state)
{
    size_t len = 5 * IMG_GZIP_BLOCK + 999;
    char *data = xmalloc(len);
    struct buf z = BUF_INIT;

    (void)state;
    fill_random(data, len, 21);
    assert_threads_agree(data, len);
    compress_threaded(data, len, 65536, 4, &z);
    /* all stored: header, trailer, and 5 bytes per stored block; blocks restart them */
    assert_true(z.len <= 10 + 8 + len + 5 * (len / 65535 + 6));
    assert_true(z.len > len);
    buf_release(&z);
    free(data);
}

/* The format itself: a fixed input must give these bytes on every machine and with any threads.
 * If this changes, every layer digest pot has pushed changes with it. */
static void test_img_gzip_golden_digest(void **state)
{
    size_t len = 4 * IMG_GZIP_BLOCK + 4321;
    char *data = mixed_sample(len);
    char hex[SHA256_HEX_LEN + 1];

    (void)state;
    for (int threads = 1; threads <= 3; threads++) {
        struct buf z = BUF_INIT;

        compress_threaded(data, len, 70000, threads, &z);
        sha256_hex(z.ptr, z.len, hex);
        assert_string_equal(hex, GOLDEN_HEX);
        buf_release(&z);
    }
    free(data);
}

struct failing {
    size_t left;
};

static int fail_after(void *ctx, const void *data, size_t len)
{
    struct failing *f = ctx;

    (void)data;
    if (len > f->left) {
        return -1;
    }
    f->left -= len;
    return 0;
}

/* An output error comes back from feed, and freeing then stops the threads cleanly. */
static void test_img_gzip_threads_output_error(void **state)
{
    size_t len = 8 * IMG_GZIP_BLOCK;
    char *data = mixed_sample(len);
    struct img_gzip *gz = img_gzip_new(3);
    struct failing f = { 300000 };
    int rc = 0;

    (void)state;
    for (size_t off = 0; off < len && rc == 0; off += 65536) {
        rc = img_gzip_feed(gz, data + off, 65536, false, fail_after, &f);
    }
    if (rc == 0) {
        rc = img_gzip_feed(gz, NULL, 0, true, fail_after, &f);
    }
    assert_int_equal(rc, -1);
    img_gzip_free(gz);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_img_gzip_same_input_same_bytes),
        cmocka_unit_test(test_img_gzip_header_has_no_mtime_or_name),
        cmocka_unit_test(test_img_gzip_roundtrips),
        cmocka_unit_test(test_img_gzip_empty_input),
        cmocka_unit_test(test_img_gzip_mixed_blocks),
        cmocka_unit_test(test_img_gzip_random_is_stored),
        cmocka_unit_test(test_img_gzip_text_is_compressed),
        cmocka_unit_test(test_img_gzip_threads_same_bytes),
        cmocka_unit_test(test_img_gzip_threads_block_edges),
        cmocka_unit_test(test_img_gzip_threads_incompressible),
        cmocka_unit_test(test_img_gzip_golden_digest),
        cmocka_unit_test(test_img_gzip_threads_output_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
