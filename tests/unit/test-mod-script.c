/* tests/unit/test-mod-script.c: tests installer/modules/mod-script.c through the local
 * connection */
#include "unit-mod.h"
#include <sys/stat.h>

static int setup(void **state)
{
    struct unit_mod *m = xcalloc(1, sizeof(*m));
    char *files;

    unit_mod_setup(m);
    files = xasprintf("%s/files", m->dir);
    mkdir(files, 0755);
    free(unit_write_file(files, "hello.sh", "#!/bin/sh\necho \"hello $1 from $(pwd)\"\n"
                                            "echo oops >&2\nexit ${2:-0}\n"));
    free(files);
    *state = m;
    return 0;
}

static int teardown(void **state)
{
    unit_mod_teardown(*state);
    free(*state);
    return 0;
}

static void test_script_runs_with_args_and_chdir(void **state)
{
    struct unit_mod *m = *state;
    char *want = xasprintf("hello world from %s\n", m->dir);
    char *left;

    assert_int_equal(unit_mod_run(m, "script", NULL,
                                  "{\"_raw_params\": \"hello.sh world\", \"chdir\": \"%s\", "
                                  "\"executable\": \"sh\"}",
                                  m->dir),
                     RESULT_CHANGED);
    assert_int_equal(unit_mod_int(m, "rc"), 0);
    assert_string_equal(unit_mod_str(m, "stdout"), want);
    assert_non_null(strstr(unit_mod_str(m, "stderr"), "oops"));
    assert_int_equal(unit_mod_run(m, "script", NULL, "{\"_raw_params\": \"hello.sh x 3\"}"),
                     RESULT_FAILED);
    assert_string_equal(m->res.msg, "non-zero return code");
    assert_int_equal(unit_mod_int(m, "rc"), 3);
    left = xasprintf("ls -d %s/pot-script.* 2>/dev/null | wc -l",
                     getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    {
        FILE *p = popen(left, "r");
        int n = -1;

        assert_non_null(p);
        assert_int_equal(fscanf(p, "%d", &n), 1);
        pclose(p);
        assert_int_equal(n, 0);
    }
    free(left);
    free(want);
}

static void test_script_guards_and_check_mode(void **state)
{
    struct unit_mod *m = *state;
    char *msg;

    assert_int_equal(unit_mod_run(m, "script", NULL,
                                  "{\"_raw_params\": \"hello.sh\", \"creates\": \"%s\"}", m->dir),
                     RESULT_SKIPPED);
    msg = xasprintf("%s exists, matching creates option", m->dir);
    assert_string_equal(m->res.msg, msg);
    free(msg);
    assert_int_equal(unit_mod_run(m, "script", NULL,
                                  "{\"cmd\": \"hello.sh\", \"removes\": \"%s/none\"}", m->dir),
                     RESULT_SKIPPED);
    m->ctx.check_mode = true;
    assert_int_equal(unit_mod_run(m, "script", NULL, "{\"_raw_params\": \"hello.sh\"}"),
                     RESULT_SKIPPED);
    assert_string_equal(m->res.msg, "Check mode is not supported for this task.");
    assert_int_equal(unit_mod_run(m, "script", NULL,
                                  "{\"_raw_params\": \"hello.sh\", \"creates\": \"%s/none\"}",
                                  m->dir),
                     RESULT_CHANGED);
    assert_null(val_dict_get(m->res.data, "rc"));
    m->ctx.check_mode = false;
    assert_int_equal(unit_mod_run(m, "script", NULL, "{\"_raw_params\": \"missing.sh\"}"),
                     RESULT_FAILED);
    assert_string_equal(m->res.msg,
                        "Could not find or access 'missing.sh' on the Ansible Controller.");
    assert_int_equal(unit_mod_run(m, "script", NULL,
                                  "{\"_raw_params\": \"hello.sh\", \"chdir\": \"rel\"}"),
                     RESULT_FAILED);
    assert_string_equal(m->res.msg,
                        "chdir rel must be an absolute path for a Unix-aware remote node");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_script_runs_with_args_and_chdir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_script_guards_and_check_mode, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
