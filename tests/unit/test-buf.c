/* tests/unit/test-buf.c: tests installer/base/buf.c and base/b64.c */
#include "unit.h"
#include "base/b64.h"
#include "base/buf.h"

static void test_buf_starts_empty_and_terminated(void **state)
{
    struct buf b = BUF_INIT;

    (void)state;
    assert_int_equal(b.len, 0);
    assert_string_equal(b.ptr, "");
    buf_release(&b);
}

static void test_buf_addf_grows_past_initial_capacity(void **state)
{
    struct buf b = BUF_INIT;

    (void)state;
    for (int i = 0; i < 1000; i++) {
        buf_addf(&b, "%d,", i);
    }
    assert_true(b.len > 3000);
    assert_memory_equal(b.ptr, "0,1,2,", 6);
    assert_int_equal(b.ptr[b.len], '\0');
    buf_release(&b);
}

static void test_buf_detach_leaves_empty(void **state)
{
    struct buf b = BUF_INIT;
    size_t len = 0;
    char *s;

    (void)state;
    buf_adds(&b, "hello");
    s = buf_detach(&b, &len);
    assert_string_equal(s, "hello");
    assert_int_equal(len, 5);
    assert_int_equal(b.len, 0);
    free(s);
}

static void test_b64_roundtrip_never_wraps(void **state)
{
    struct buf enc = BUF_INIT;
    struct buf dec = BUF_INIT;
    const char *secret = "a password that is definitely longer than fifty-seven bytes in total!";

    (void)state;
    b64_encode(&enc, secret, strlen(secret));
    assert_null(strchr(enc.ptr, '\n'));
    assert_int_equal(b64_decode(&dec, enc.ptr, enc.len), 0);
    assert_string_equal(dec.ptr, secret);
    buf_release(&enc);
    buf_release(&dec);
}

static void test_b64_known_vectors(void **state)
{
    const char *in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
    const char *out[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(in); i++) {
        struct buf b = BUF_INIT;

        b64_encode(&b, in[i], strlen(in[i]));
        assert_string_equal(b.ptr, out[i]);
        buf_release(&b);
    }
}

/* One code point of each UTF-8 length, at the edges between lengths. */
static void test_buf_add_utf8_each_length(void **state)
{
    const uint32_t cps[] = { 0x41, 0x7F, 0x80, 0xE9, 0x7FF, 0x800, 0x4E2D, 0xFFFF, 0x10000,
                             0x1F600, 0x10FFFF };
    const char *want[] = { "A", "\x7f", "\xc2\x80", "\xc3\xa9", "\xdf\xbf", "\xe0\xa0\x80",
                           "\xe4\xb8\xad", "\xef\xbf\xbf", "\xf0\x90\x80\x80",
                           "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf" };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cps); i++) {
        struct buf b = BUF_INIT;

        buf_add_utf8(&b, cps[i]);
        assert_string_equal(b.ptr, want[i]);
        buf_release(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_starts_empty_and_terminated),
        cmocka_unit_test(test_buf_addf_grows_past_initial_capacity),
        cmocka_unit_test(test_buf_detach_leaves_empty),
        cmocka_unit_test(test_b64_roundtrip_never_wraps),
        cmocka_unit_test(test_b64_known_vectors),
        cmocka_unit_test(test_buf_add_utf8_each_length),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
