/* tests/unit/test-mod-lineinfile.c: tests installer/modules/mod-lineinfile.c and lines.c through
 * the local connection */
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

static void expect_file(const char *path, const char *want)
{
    char *text = unit_read(path);

    assert_non_null(text);
    assert_string_equal(text, want);
    free(text);
}

static void test_lineinfile_replaces_last_match_then_ok(void **state)
{
    struct unit_mod *m = *state;
    char *f = unit_write_file(m->dir, "c.conf", "a=1\nport=1\nb=2\nport=2\n");
    const char *args = "{\"path\": \"%s\", \"regexp\": \"^port=\", \"line\": \"port=8080\"}";

    assert_int_equal(unit_mod_run(m, "lineinfile", NULL, args, f), RESULT_CHANGED);
    assert_string_equal(unit_mod_str(m, "msg"), "line replaced");
    expect_file(f, "a=1\nport=1\nb=2\nport=8080\n");
    assert_int_equal(unit_mod_run(m, "lineinfile", NULL, args, f), RESULT_OK);
    free(f);
}

static void test_lineinfile_insertafter_and_bof_eof(void **state)
{
    struct unit_mod *m = *state;
    char *f = unit_write_file(m->dir, "c.conf", "[main]\nx=1");

    assert_int_equal(
        unit_mod_run(m, "lineinfile", NULL,
                     "{\"path\": \"%s\", \"line\": \"y=2\", \"insertafter\": \"^\\\\[main\\\\]\"}",
                     f),
        RESULT_CHANGED);
    expect_file(f, "[main]\ny=2\nx=1");
    assert_int_equal(
        unit_mod_run(m, "lineinfile", NULL,
                     "{\"path\": \"%s\", \"line\": \"# top\", \"insertbefore\": \"BOF\"}", f),
        RESULT_CHANGED);
    assert_int_equal(unit_mod_run(m, "lineinfile", NULL, "{\"path\": \"%s\", \"line\": \"end\"}",
                                  f),
                     RESULT_CHANGED);
    expect_file(f, "# top\n[main]\ny=2\nx=1\nend\n");
    assert_int_equal(unit_mod_run(m, "lineinfile", NULL, "{\"path\": \"%s\", \"line\": \"y=2\"}",
                                  f),
                     RESULT_OK);
    free(f);
}

static void test_lineinfile_backrefs(void **state)
{
    struct unit_mod *m = *state;
    char *f = unit_write_file(m->dir, "c.conf", "listen 80;\n");

    assert_int_equal(
        unit_mod_run(m, "lineinfile", NULL,
                     "{\"path\": \"%s\", \"regexp\": \"^listen (\\\\d+);\", "
                     "\"line\": \"listen \\\\g<1>0 ssl; # was \\\\1\", \"backrefs\": true}",
                     f),
        RESULT_CHANGED);
    expect_file(f, "listen 800 ssl; # was 80\n");
    assert_int_equal(unit_mod_run(m, "lineinfile", NULL,
                                  "{\"path\": \"%s\", \"regexp\": \"^nomatch\", \"line\": \"x\", "
                                  "\"backrefs\": true}", f),
                     RESULT_OK);
    free(f);
}

static void test_lineinfile_absent_counts(void **state)
{
    struct unit_mod *m = *state;
    char *f = unit_write_file(m->dir, "c.conf", "a\n#x\nb\n#y\n");

    assert_int_equal(unit_mod_run(m, "lineinfile", NULL,
                                  "{\"path\": \"%s\", \"regexp\": \"^#\", \"state\": \"absent\"}",
                                  f),
                     RESULT_CHANGED);
    assert_string_equal(unit_mod_str(m, "msg"), "2 line(s) removed");
    assert_int_equal(unit_mod_int(m, "found"), 2);
    expect_file(f, "a\nb\n");
    assert_int_equal(unit_mod_run(m, "lineinfile", NULL,
                                  "{\"path\": \"%s\", \"regexp\": \"^#\", \"state\": \"absent\"}",
                                  f),
                     RESULT_OK);
    free(f);
}

static void test_lineinfile_check_diff_create_backup(void **state)
{
    struct unit_mod *m = *state;
    char *f = unit_write_file(m->dir, "c.conf", "a\n");
    char *created = xasprintf("%s/new/dir/file", m->dir);

    m->ctx.check_mode = true;
    m->ctx.diff_mode = true;
    assert_int_equal(unit_mod_run(m, "lineinfile", NULL, "{\"path\": \"%s\", \"line\": \"b\"}", f),
                     RESULT_CHANGED);
    expect_file(f, "a\n");
    assert_non_null(strstr(m->res.diff.ptr, " a\n+b\n"));
    m->ctx.check_mode = false;
    assert_int_equal(unit_mod_run(m, "lineinfile", NULL,
                                  "{\"path\": \"%s\", \"line\": \"b\", \"backup\": true}", f),
                     RESULT_CHANGED);
    expect_file(unit_mod_str(m, "backup"), "a\n");
    assert_int_equal(
        unit_mod_run(m, "lineinfile", NULL,
                     "{\"path\": \"%s\", \"line\": \"x\", \"create\": true, \"mode\": \"0600\"}",
                     created),
        RESULT_CHANGED);
    expect_file(created, "x\n");
    free(created);
    free(f);
}

static void test_lineinfile_failures(void **state)
{
    struct unit_mod *m = *state;
    struct err err = ERR_INIT;

    assert_int_equal(unit_mod_run(m, "lineinfile", NULL, "{\"path\": \"%s/none\", \"line\": \"x\"}",
                                  m->dir),
                     RESULT_FAILED);
    assert_non_null(strstr(m->res.msg, "/none does not exist !"));
    assert_int_equal(unit_mod_run(m, "lineinfile", NULL,
                                  "{\"path\": \"%s\", \"regexp\": \"(\", \"line\": \"x\"}", m->dir),
                     RESULT_FAILED);
    assert_non_null(
        strstr(m->res.msg, "unable to compile regexp '(': missing closing parenthesis"));
    assert_int_equal(unit_mod_run(m, "lineinfile", NULL, "{\"path\": \"%s\", \"line\": \"x\"}",
                                  m->dir),
                     RESULT_FAILED);
    assert_non_null(strstr(m->res.msg, "is a directory !"));
    assert_int_equal(unit_mod_run(m, "lineinfile", &err, "{\"path\": \"/x\", \"state\": \"gone\"}"),
                     RESULT_UNREACHABLE);
    assert_string_equal(err.msg, "value of state must be one of: absent, present, got: gone");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lineinfile_replaces_last_match_then_ok, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_lineinfile_insertafter_and_bof_eof, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lineinfile_backrefs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lineinfile_absent_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lineinfile_check_diff_create_backup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lineinfile_failures, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
