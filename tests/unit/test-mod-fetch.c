/* tests/unit/test-mod-fetch.c: tests installer/modules/mod-fetch.c through the local connection */
#include "unit-mod.h"

static int setup(void **state)
{
    struct unit_mod *m = xcalloc(1, sizeof(*m));

    unit_mod_setup(m);
    *state = m;
    return 0;
}

static int teardown(void **state)
{
    unit_mod_teardown(*state);
    free(*state);
    return 0;
}

static void test_fetch_per_host_layout_then_ok(void **state)
{
    struct unit_mod *m = *state;
    char *src = unit_write_file(m->dir, "remote.log", "abc");
    char *want = xasprintf("%s/out/localhost%s", m->dir, src);
    char *text;

    assert_int_equal(unit_mod_run(m, "fetch", NULL, "{\"src\": \"%s\", \"dest\": \"out\"}", src),
                     RESULT_CHANGED);
    assert_string_equal(unit_mod_str(m, "dest"), want);
    assert_string_equal(unit_mod_str(m, "checksum"), "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert_string_equal(unit_mod_str(m, "remote_checksum"),
                        "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert_string_equal(unit_mod_str(m, "md5sum"), "900150983cd24fb0d6963f7d28e17f72");
    text = unit_read(want);
    assert_string_equal(text, "abc");
    free(text);
    assert_int_equal(unit_mod_run(m, "fetch", NULL, "{\"src\": \"%s\", \"dest\": \"out\"}", src),
                     RESULT_OK);
    assert_string_equal(unit_mod_str(m, "file"), src);
    free(src);
    free(want);
}

static void test_fetch_flat_and_missing(void **state)
{
    struct unit_mod *m = *state;
    char *src = unit_write_file(m->dir, "r.txt", "x");
    char *want = xasprintf("%s/flat/r.txt", m->dir);

    assert_int_equal(unit_mod_run(m, "fetch", NULL,
                                  "{\"src\": \"%s\", \"dest\": \"%s/flat/\", \"flat\": true}", src,
                                  m->dir),
                     RESULT_CHANGED);
    assert_string_equal(unit_mod_str(m, "dest"), want);
    assert_int_equal(access(want, F_OK), 0);
    assert_int_equal(unit_mod_run(m, "fetch", NULL,
                                  "{\"src\": \"%s\", \"dest\": \"%s/flat\", \"flat\": true}", src,
                                  m->dir),
                     RESULT_FAILED);
    assert_string_equal(m->res.msg,
                        "dest is an existing directory, use a trailing slash if you want to fetch "
                        "src into that directory");
    assert_int_equal(unit_mod_run(m, "fetch", NULL, "{\"src\": \"%s/nope\", \"dest\": \"out\"}",
                                  m->dir),
                     RESULT_FAILED);
    assert_string_equal(m->res.msg, "the remote file does not exist, not transferring, ignored");
    assert_int_equal(
        unit_mod_run(m, "fetch", NULL,
                     "{\"src\": \"%s/nope\", \"dest\": \"out\", \"fail_on_missing\": false}",
                     m->dir),
        RESULT_OK);
    assert_int_equal(
        unit_mod_run(m, "fetch", NULL,
                     "{\"src\": \"%s\", \"dest\": \"out\", \"fail_on_missing\": false}", m->dir),
        RESULT_OK);
    assert_string_equal(
        unit_mod_str(m, "msg"),
        "remote file is a directory, fetch cannot work on directories, not transferring, ignored");
    free(src);
    free(want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fetch_per_host_layout_then_ok, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fetch_flat_and_missing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
