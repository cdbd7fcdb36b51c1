/* tests/unit/test-shell-quote.c: tests installer/conn/shell-quote.c */
#include "unit.h"
#include "base/buf.h"
#include "conn/shell-quote.h"

static void expect_quote(const char *in, const char *want)
{
    char *got = sh_quote_dup(in);

    assert_string_equal(got, want);
    free(got);
}

static void test_sh_quote_leaves_safe_words(void **state)
{
    (void)state;
    expect_quote("/usr/bin/ls", "/usr/bin/ls");
    expect_quote("a=b,c:d@e%f+g-h_i.j", "a=b,c:d@e%f+g-h_i.j");
}

static void test_sh_quote_quotes_like_shlex(void **state)
{
    (void)state;
    expect_quote("", "''");
    expect_quote("a b", "'a b'");
    expect_quote("it's", "'it'\"'\"'s'");
    expect_quote("$HOME;rm -rf /", "'$HOME;rm -rf /'");
}

static void test_sh_quote_argv_roundtrips_through_sh(void **state)
{
    char *argv[] = { "printf", "%s|", "a b", "it's", "", "$x", NULL };
    struct buf line = BUF_INIT;
    char buf[256] = { 0 };
    FILE *p;

    (void)state;
    sh_quote_argv(&line, argv);
    p = popen(line.ptr, "r");
    assert_non_null(p);
    assert_non_null(fgets(buf, sizeof(buf), p));
    pclose(p);
    assert_string_equal(buf, "a b|it's||$x|");
    buf_release(&line);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sh_quote_leaves_safe_words),
        cmocka_unit_test(test_sh_quote_quotes_like_shlex),
        cmocka_unit_test(test_sh_quote_argv_roundtrips_through_sh),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
