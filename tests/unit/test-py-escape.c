/* tests/unit/test-py-escape.c: tests installer/python/py-escape.c */
#include "unit.h"
#include "base/buf.h"
#include "python/py-escape.h"

/* Decodes the escape at the start of 's' (read up to its NUL) and checks the bytes consumed and
 * the bytes appended. */
static void expect(const char *s, unsigned flags, int used, const char *want, size_t want_len)
{
    struct buf out = BUF_INIT;

    assert_int_equal(pyesc_decode(s, SIZE_MAX, flags, &out), used);
    assert_int_equal(out.len, want_len);
    assert_memory_equal(out.ptr, want, want_len);
    buf_release(&out);
}

#define EXPECT(s, flags, used, want) expect((s), (flags), (used), (want), sizeof(want) - 1)

static void test_pyescape_python_set(void **state)
{
    (void)state;
    EXPECT("\\n", PYESC_PYTHON, 2, "\n");
    EXPECT("\\\\x", PYESC_PYTHON, 2, "\\");
    EXPECT("\\'", PYESC_PYTHON, 2, "'");
    EXPECT("\\a", PYESC_PYTHON, 2, "\a");
    EXPECT("\\v", PYESC_PYTHON, 2, "\v");
    EXPECT("\\101x", PYESC_PYTHON, 4, "A");
    EXPECT("\\0", PYESC_PYTHON, 2, "\0");
    EXPECT("\\1012", PYESC_PYTHON, 4, "A"); /* at most three octal digits */
    EXPECT("\\777", PYESC_PYTHON, 4, "\xc7\xbf");
    EXPECT("\\x41", PYESC_PYTHON, 4, "A");
    EXPECT("\\u00e9", PYESC_PYTHON, 6, "\xc3\xa9");
    EXPECT("\\U0001F600", PYESC_PYTHON, 10, "\xf0\x9f\x98\x80");
    EXPECT("\\\nx", PYESC_PYTHON, 2, "");
}

static void test_pyescape_lenient_keeps_what_it_cannot_read(void **state)
{
    (void)state;
    EXPECT("\\q", PYESC_PYTHON, 1, "\\");
    EXPECT("\\", PYESC_PYTHON, 1, "\\");
    EXPECT("\\x4", PYESC_PYTHON, 1, "\\");
    EXPECT("\\x4g", PYESC_PYTHON, 1, "\\");
    EXPECT("\\U00110000", PYESC_PYTHON, 1, "\\");
    EXPECT("\\N{BULLET}", PYESC_PYTHON, 1, "\\");
}

static void test_pyescape_len_bounds_the_read(void **state)
{
    struct buf out = BUF_INIT;

    (void)state;
    assert_int_equal(pyesc_decode("\\x41", 3, PYESC_PYTHON, &out), 1);
    assert_string_equal(out.ptr, "\\");
    buf_reset(&out);
    assert_int_equal(pyesc_decode("\\123", 3, PYESC_PYTHON, &out), 3);
    assert_string_equal(out.ptr, "\n");
    buf_reset(&out);
    assert_int_equal(pyesc_decode("\\n", 1, PYESC_PYTHON, &out), 1);
    assert_string_equal(out.ptr, "\\");
    buf_release(&out);
}

static void test_pyescape_flags_turn_escapes_off(void **state)
{
    (void)state;
    EXPECT("\\a", 0, 1, "\\");
    EXPECT("\\n", 0, 2, "\n");
    EXPECT("\\101", PYESC_CONTROL, 1, "\\");
    EXPECT("\\\n", PYESC_CONTROL | PYESC_OCTAL, 1, "\\");
    EXPECT("\\x41", 0, 4, "A");
}

static void test_pyescape_strict_fails(void **state)
{
    (void)state;
    EXPECT("\\x4", PYESC_STRICT, -1, "");
    EXPECT("\\u12", PYESC_STRICT, -1, "");
    EXPECT("\\U00110000", PYESC_STRICT, -1, "");
    EXPECT("\\N{BULLET}", PYESC_STRICT, 1, "\\");
    EXPECT("\\N{BULLET}", PYESC_NAME_FAILS, -1, "");
    EXPECT("\\q", PYESC_STRICT | PYESC_NAME_FAILS, 1, "\\");
}

static void test_pyescape_bytes(void **state)
{
    unsigned flags = PYESC_PYTHON | PYESC_STRICT | PYESC_NAME_FAILS | PYESC_BYTES;

    (void)state;
    EXPECT("\\xff", flags, 4, "\xff");
    EXPECT("\\377", flags, 4, "\xff");
    EXPECT("\\u00e9", flags, 1, "\\");
    EXPECT("\\U0001F600", flags, 1, "\\");
    EXPECT("\\N{BULLET}", flags, 1, "\\");
    EXPECT("\\xf", flags, -1, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pyescape_python_set),
        cmocka_unit_test(test_pyescape_lenient_keeps_what_it_cannot_read),
        cmocka_unit_test(test_pyescape_len_bounds_the_read),
        cmocka_unit_test(test_pyescape_flags_turn_escapes_off),
        cmocka_unit_test(test_pyescape_strict_fails),
        cmocka_unit_test(test_pyescape_bytes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
