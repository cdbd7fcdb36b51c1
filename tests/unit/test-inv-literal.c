/* tests/unit/test-inv-literal.c: tests installer/python/py-literal.c as the INI inventory uses it
 * (inv_literal_eval in installer/inventory/inv-ini.c) */
#include "unit.h"
#include "base/buf.h"
#include "inventory/inv-impl.h"
#include "value/val-json.h"
#include "value/val.h"

/* The JSON of inv_literal_eval(text), as ansible-inventory would print it on one line. */
static void assert_eval(const char *text, const char *json)
{
    struct val *v = inv_literal_eval(text);
    struct buf out = BUF_INIT;

    val_to_json(v, &out, -1, 0);
    assert_string_equal(out.ptr, json);
    buf_release(&out);
    val_unref(v);
}

static void test_inv_literal_numbers(void **state)
{
    (void)state;
    assert_eval("1", "1");
    assert_eval("-3", "-3");
    assert_eval("0x1F", "31");
    assert_eval("0o17", "15");
    assert_eval("0b101", "5");
    assert_eval("1_000", "1000");
    assert_eval("1e3", "1000.0");
    assert_eval(".5", "0.5");
    assert_eval("00", "0");
    assert_eval("0777", "\"0777\"");
    assert_eval("1j", "\"1j\"");
}

static void test_inv_literal_strings(void **state)
{
    (void)state;
    assert_eval("'true' # comment", "\"true\"");
    assert_eval("\"a\\tb\"", "\"a\\tb\"");
    assert_eval("r'a\\tb'", "\"a\\\\tb\"");
    assert_eval("'a' \"b\"", "\"ab\"");
    assert_eval("b'hi'", "\"hi\"");
    assert_eval("'\\u00e9'", "\"\xc3\xa9\"");
    assert_eval("bar # comment", "\"bar # comment\"");
    assert_eval("'unterminated", "\"'unterminated\"");
    assert_eval("", "\"\"");
}

static void test_inv_literal_containers_and_names(void **state)
{
    (void)state;
    assert_eval("True", "true");
    assert_eval("None", "null");
    assert_eval("yes", "\"yes\"");
    assert_eval("[1, 'a', None,]", "[1, \"a\", null]");
    assert_eval("(1,)", "[1]");
    assert_eval("(1)", "1");
    assert_eval("1, 2", "[1, 2]");
    assert_eval("{'k': {'n': [True]}, 1: 2}", "{\"k\": {\"n\": [true]}, \"1\": 2}");
    assert_eval("{1: 2 3: 4}", "\"{1: 2 3: 4}\"");
    assert_eval("-'a'", "\"-'a'\"");
    assert_eval("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
                "[[[[[[[[[[[[[[[[[[[[[[[",
                "\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
                "[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inv_literal_numbers),
        cmocka_unit_test(test_inv_literal_strings),
        cmocka_unit_test(test_inv_literal_containers_and_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
