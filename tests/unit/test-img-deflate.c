/* tests/unit/test-img-deflate.c: tests installer/images/img-deflate.c against zlib's inflate */
#include "unit.h"
#include "unit-inflate.h"
#include "base/buf.h"
#include "images/img-deflate.h"

static int collect(void *ctx, const void *data, size_t len)
{
    buf_add(ctx, data, len);
    return 0;
}

/* Inflates raw deflate 'z', primed with 'dict', and compares with data[0..len). */
static void assert_inflates_to(const struct buf *z, const unsigned char *dict, size_t dict_len,
                               const unsigned char *data, size_t len)
{
    unit_assert_inflates(z->ptr, z->len, -15, dict, dict_len, data, len);
}

/* One final compress call over data[0..len), with no history. */
static void deflate_whole(const unsigned char *data, size_t len, struct buf *z)
{
    struct img_deflate *d = img_deflate_new();

    img_deflate_begin(d, collect, z);
    assert_int_equal(img_deflate_compress(d, data, 0, len, true), 0);
    assert_int_equal(img_deflate_flush(d), 0);
    img_deflate_free(d);
}

static void roundtrip(const unsigned char *data, size_t len, struct buf *z)
{
    deflate_whole(data, len, z);
    assert_inflates_to(z, NULL, 0, data, len);
}

static unsigned char *xorshift_bytes(size_t len, uint32_t seed)
{
    unsigned char *d = xmalloc(len ? len : 1);
    uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;

    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        d[i] = (unsigned char)(x >> 32);
    }
    return d;
}

/* Words from a small vocabulary with random separators: text-like, full of matches at all
 * distances and lengths. */
static unsigned char *text_like(size_t len)
{
    static const char *const words[] = {
        "pot ", "offline ",   "registry.tke.com/library/", "install ", "kubernetes\n",
        "a",    "layer.tar ", "0123456789abcdef",          "\t",       "--"
    };
    unsigned char *d = xmalloc(len);
    unsigned char *r = xorshift_bytes(len, 5);
    size_t i = 0;

    for (size_t k = 0; i < len; k++) {
        const char *w = words[r[k] % 10];

        for (size_t j = 0; w[j] && i < len; j++) {
            d[i++] = (unsigned char)w[j];
        }
    }
    free(r);
    return d;
}

static void test_img_deflate_empty_and_tiny(void **state)
{
    const unsigned char *inputs[] = { (const unsigned char *)"", (const unsigned char *)"x",
                                      (const unsigned char *)"abc", (const unsigned char *)"aaaa",
                                      (const unsigned char *)"abcabcabcabcabc" };

    (void)state;
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        struct buf z = BUF_INIT;

        roundtrip(inputs[i], strlen((const char *)inputs[i]), &z);
        buf_release(&z);
    }
}

/* Long runs: distance 1, maximal lengths, several blocks. */
static void test_img_deflate_runs_of_one_byte(void **state)
{
    size_t len = 300000;
    unsigned char *data = xmalloc(len);
    struct buf z = BUF_INIT;

    (void)state;
    memset(data, 0, len);
    memset(data + 100000, 'q', 70000);
    roundtrip(data, len, &z);
    assert_true(z.len < len / 100);
    buf_release(&z);
    free(data);
}

static void test_img_deflate_text_compresses(void **state)
{
    size_t len = 1u << 20;
    unsigned char *data = text_like(len);
    struct buf z = BUF_INIT;

    (void)state;
    roundtrip(data, len, &z);
    assert_true(z.len < len / 2);
    buf_release(&z);
    free(data);
}

/* Random bytes become stored blocks: at most 5 bytes of overhead per 65535. */
static void test_img_deflate_random_is_stored(void **state)
{
    size_t len = 200000;
    unsigned char *data = xorshift_bytes(len, 3);
    struct buf z = BUF_INIT;

    (void)state;
    roundtrip(data, len, &z);
    assert_true(z.len <= len + 5 * (len / 65535 + 2) + 1);
    buf_release(&z);
    free(data);
}

/* Bytes drawn with Fibonacci-like weights (each symbol about 0.6 times as likely as the one
 * before): codes from 1 bit to the longest side by side, in every block. */
static void test_img_deflate_skewed_symbols(void **state)
{
    size_t len = 1u << 19;
    unsigned char *r = xorshift_bytes(4 * len, 11);
    unsigned char *data = xmalloc(len);
    uint32_t weight[26];
    uint32_t total = 0;
    struct buf z = BUF_INIT;

    (void)state;
    weight[0] = weight[1] = 1;
    for (size_t k = 2; k < 26; k++) {
        weight[k] = weight[k - 1] + weight[k - 2];
    }
    for (size_t k = 0; k < 26; k++) {
        total += weight[k];
    }
    for (size_t i = 0; i < len; i++) {
        uint32_t v;
        size_t k = 25;

        memcpy(&v, r + 4 * i, sizeof(v));
        for (v %= total; v >= weight[k]; k--) {
            v -= weight[k];
        }
        data[i] = (unsigned char)(k * 9);
    }
    roundtrip(data, len, &z);
    buf_release(&z);
    free(data);
    free(r);
}

/* Kraft's sum of the lengths, in units of 2^-15: exactly 2^15 for a complete code. */
static uint32_t kraft(const uint8_t *len, size_t n)
{
    uint32_t sum = 0;

    for (size_t i = 0; i < n; i++) {
        sum += len[i] ? 1u << (15 - len[i]) : 0;
    }
    return sum;
}

/* Fibonacci frequencies give an optimal code as deep as the alphabet: limited to 15 bits (and to
 * 7 for the code-length alphabet), still complete, and never longer for a more frequent symbol. */
static void test_img_deflate_code_lengths_limited(void **state)
{
    const size_t sizes[] = { 30, 19 };
    const unsigned limits[] = { 15, 7 };

    (void)state;
    for (size_t t = 0; t < 2; t++) {
        uint32_t freq[30] = { 1, 1 };
        uint8_t len[30];
        unsigned longest = 0;

        for (size_t s = 2; s < sizes[t]; s++) {
            freq[s] = freq[s - 1] + freq[s - 2];
        }
        img_deflate_code_lengths(freq, sizes[t], limits[t], len);
        for (size_t s = 0; s < sizes[t]; s++) {
            longest = len[s] > longest ? len[s] : longest;
            assert_true(len[s] >= 1);
            assert_true(s == 0 || len[s] <= len[s - 1]);
        }
        assert_int_equal(longest, limits[t]);
        assert_int_equal(kraft(len, sizes[t]), 1u << 15);
    }
}

/* One used symbol, or none, still gets a two-symbol code (inflate rejects a lone code). */
static void test_img_deflate_code_lengths_pads_to_two(void **state)
{
    uint32_t freq[30] = { 0 };
    uint8_t len[30];

    (void)state;
    freq[7] = 40;
    img_deflate_code_lengths(freq, 30, 15, len);
    assert_int_equal(len[7], 1);
    assert_int_equal(len[0], 1);
    assert_int_equal(kraft(len, 30), 1u << 15);
    memset(freq, 0, sizeof(freq));
    img_deflate_code_lengths(freq, 30, 15, len);
    assert_int_equal(len[0] + len[1], 2);
    assert_int_equal(kraft(len, 30), 1u << 15);
}

/* Several calls on one stream: compressed and stored pieces referring back to each other, with
 * flushes between them (byte-aligning the stream with an empty stored block when needed). */
static void test_img_deflate_pieces_refer_back(void **state)
{
    size_t len = 150000;
    unsigned char *data = text_like(len);
    struct img_deflate *d = img_deflate_new();
    struct buf z = BUF_INIT;

    (void)state;
    memcpy(data + 100000, data, 50000); /* the last piece repeats the first */
    img_deflate_begin(d, collect, &z);
    assert_int_equal(img_deflate_compress(d, data, 0, 60000, false), 0);
    assert_int_equal(img_deflate_flush(d), 0);
    assert_int_equal(img_deflate_store(d, data + 60000, 40000, false), 0);
    assert_int_equal(img_deflate_store(d, NULL, 0, false), 0);
    assert_int_equal(img_deflate_flush(d), 0);
    assert_int_equal(img_deflate_compress(d, data + 100000, 100000, 50000, false), 0);
    assert_int_equal(img_deflate_store(d, NULL, 0, true), 0);
    assert_int_equal(img_deflate_flush(d), 0);
    assert_inflates_to(&z, NULL, 0, data, len);
    img_deflate_free(d);
    buf_release(&z);
    free(data);
}

/* Matches reach into the history given before the data, and only as far as the 32 KiB window. */
static void test_img_deflate_uses_history(void **state)
{
    size_t hist = 40000;
    size_t len = 30000;
    unsigned char *data = xorshift_bytes(hist + len, 17);
    struct img_deflate *d = img_deflate_new();
    struct buf z = BUF_INIT;

    (void)state;
    memcpy(data + hist, data + hist - 32000, len); /* 32000 bytes back: inside the window */
    img_deflate_begin(d, collect, &z);
    assert_int_equal(img_deflate_compress(d, data + hist, hist, len, true), 0);
    assert_int_equal(img_deflate_flush(d), 0);
    assert_true(z.len < 1000);
    assert_inflates_to(&z, data + hist - 32768, 32768, data + hist, len);
    img_deflate_free(d);
    buf_release(&z);
    free(data);
}

/* The same input gives the same bytes, from a fresh or a reused encoder. */
static void test_img_deflate_deterministic(void **state)
{
    size_t len = 200000;
    unsigned char *data = text_like(len);
    struct img_deflate *d = img_deflate_new();
    struct buf a = BUF_INIT;
    struct buf b = BUF_INIT;

    (void)state;
    deflate_whole(data, len, &a);
    for (int i = 0; i < 2; i++) {
        buf_reset(&b);
        img_deflate_begin(d, collect, &b);
        assert_int_equal(img_deflate_compress(d, data, 0, len, true), 0);
        assert_int_equal(img_deflate_flush(d), 0);
        assert_int_equal(a.len, b.len);
        assert_memory_equal(a.ptr, b.ptr, a.len);
    }
    img_deflate_free(d);
    buf_release(&a);
    buf_release(&b);
    free(data);
}

static int refuse(void *ctx, const void *data, size_t len)
{
    (void)ctx;
    (void)data;
    (void)len;
    return -1;
}

static void test_img_deflate_output_error(void **state)
{
    size_t len = 1u << 20;
    unsigned char *data = xorshift_bytes(len, 23);
    struct img_deflate *d = img_deflate_new();

    (void)state;
    img_deflate_begin(d, refuse, NULL);
    /* a megabyte of stored output passes the point where the encoder hands output on */
    assert_int_equal(img_deflate_compress(d, data, 0, len, true), -1);
    img_deflate_free(d);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_img_deflate_empty_and_tiny),
        cmocka_unit_test(test_img_deflate_runs_of_one_byte),
        cmocka_unit_test(test_img_deflate_text_compresses),
        cmocka_unit_test(test_img_deflate_random_is_stored),
        cmocka_unit_test(test_img_deflate_skewed_symbols),
        cmocka_unit_test(test_img_deflate_code_lengths_limited),
        cmocka_unit_test(test_img_deflate_code_lengths_pads_to_two),
        cmocka_unit_test(test_img_deflate_pieces_refer_back),
        cmocka_unit_test(test_img_deflate_uses_history),
        cmocka_unit_test(test_img_deflate_deterministic),
        cmocka_unit_test(test_img_deflate_output_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
