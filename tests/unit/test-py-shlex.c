/* tests/unit/test-py-shlex.c: tests installer/python/py-shlex.c against the words Python 3.11's
 * shlex.split gives for the same lines (the expected values below were printed by it) */
#include "unit.h"
#include <string.h>
#include "base/vec.h"
#include "python/py-shlex.h"

struct split_case {
    const char *line;
    bool comments;
    size_t n;
    const char *words[4];
};

static const struct split_case cases[] = {
    { "a b  c", false, 3, { "a", "b", "c" } },
    { "echo #hi", false, 2, { "echo", "#hi" } },
    { "echo #hi", true, 1, { "echo" } },
    { "a#b c", true, 1, { "a" } },
    { "a#b c", false, 2, { "a#b", "c" } },
    { "'x y'\"z\"", false, 1, { "x yz" } },
    { "\"a\\\"b\\\\c\\d\"", false, 1, { "a\"b\\c\\d" } },
    { "a\\ b\\\\", false, 1, { "a b\\" } },
    { "''", false, 1, { "" } },
    { "a '' b", true, 3, { "a", "", "b" } },
    { "h1 a='x y' b=\"1 2\" # comment", true, 3, { "h1", "a=x y", "b=1 2" } },
    { "tab\there\rcr\nnl", false, 4, { "tab", "here", "cr", "nl" } },
    { "x\\\ny", false, 1, { "x\ny" } },
};

static void test_words_as_python_splits_them(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct svec words = SVEC_INIT;
        const char *why = NULL;

        assert_int_equal(py_shlex_split(cases[i].line, cases[i].comments, &words, &why), 0);
        assert_int_equal(words.len, cases[i].n);
        for (size_t w = 0; w < cases[i].n; w++) {
            assert_string_equal(words.items[w], cases[i].words[w]);
        }
        svec_release(&words);
    }
}

static void test_pythons_errors(void **state)
{
    struct svec words = SVEC_INIT;
    const char *why = NULL;

    (void)state;
    assert_int_equal(py_shlex_split("a 'b", false, &words, &why), -1);
    assert_string_equal(why, "No closing quotation");
    assert_int_equal(words.len, 1); /* the words before it */
    svec_release(&words);
    assert_int_equal(py_shlex_split("a \"b", true, &words, &why), -1);
    assert_string_equal(why, "No closing quotation");
    svec_release(&words);
    assert_int_equal(py_shlex_split("a\\", false, &words, &why), -1);
    assert_string_equal(why, "No escaped character");
    svec_release(&words);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words_as_python_splits_them),
        cmocka_unit_test(test_pythons_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
