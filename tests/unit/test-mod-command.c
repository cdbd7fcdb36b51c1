/* tests/unit/test-mod-command.c: tests installer/modules/mod-command.c, mod-shell.c, mod-raw.c
 * and mod-run.c through the local connection */
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

static void test_command_runs_argv_without_shell(void **state)
{
    struct unit_mod *m = *state;
    struct val *lines;

    assert_int_equal(unit_mod_run(m, "command", NULL,
                                  "{\"_raw_params\": \"printf '%%s\\\\n' 'a b' '$HOME;x'\"}"),
                     RESULT_CHANGED);
    assert_string_equal(unit_mod_str(m, "stdout"), "a b\n$HOME;x");
    assert_int_equal(unit_mod_int(m, "rc"), 0);
    lines = val_dict_get(m->res.data, "stdout_lines");
    assert_int_equal(val_list_len(lines), 2);
    assert_string_equal(val_cstr(val_list_get(lines, 1)), "$HOME;x");
    assert_int_equal(val_list_len(val_dict_get(m->res.data, "cmd")), 4);
    assert_non_null(unit_mod_str(m, "delta"));
    assert_int_equal(strlen(unit_mod_str(m, "start")), 26);
}

static void test_command_nonzero_rc_fails(void **state)
{
    struct unit_mod *m = *state;

    assert_int_equal(unit_mod_run(m, "ansible.builtin.command", NULL,
                                  "{\"argv\": [\"sh\", \"-c\", \"echo err >&2; exit 4\"]}"),
                     RESULT_FAILED);
    assert_string_equal(m->res.msg, "non-zero return code");
    assert_int_equal(unit_mod_int(m, "rc"), 4);
    assert_string_equal(unit_mod_str(m, "stderr"), "err");
}

static void test_command_creates_removes_and_chdir(void **state)
{
    struct unit_mod *m = *state;
    char *f = unit_write_file(m->dir, "marker.txt", "x");

    assert_int_equal(unit_mod_run(m, "command", NULL,
                                  "{\"_raw_params\": \"false\", \"creates\": \"%s/*.txt\"}",
                                  m->dir),
                     RESULT_OK);

    assert_non_null(strstr(unit_mod_str(m, "msg"), "not run command since"));
    assert_int_equal(unit_mod_run(m, "command", NULL,
                                  "{\"_raw_params\": \"false\", \"removes\": \"%s/nope\"}", m->dir),
                     RESULT_OK);
    assert_int_equal(unit_mod_run(m, "command", NULL,
                                  "{\"_raw_params\": \"pwd\", \"chdir\": \"%s\"}", m->dir),
                     RESULT_CHANGED);
    assert_string_equal(unit_mod_str(m, "stdout"), m->dir);
    assert_int_equal(unit_mod_run(m, "command", NULL,
                                  "{\"_raw_params\": \"pwd\", \"chdir\": \"%s/missing\"}", m->dir),
                     RESULT_FAILED);
    assert_non_null(strstr(m->res.msg, "Unable to change directory before execution"));
    free(f);
}

static void test_command_check_mode_skips(void **state)
{
    struct unit_mod *m = *state;
    char *marker = xasprintf("%s/made", m->dir);

    m->ctx.check_mode = true;
    assert_int_equal(unit_mod_run(m, "command", NULL, "{\"_raw_params\": \"touch %s\"}", marker),
                     RESULT_SKIPPED);
    m->ctx.check_mode = false;
    assert_int_equal(access(marker, F_OK), -1);
    free(marker);
}

static void test_command_errors(void **state)
{
    struct unit_mod *m = *state;
    struct err err = ERR_INIT;

    assert_int_equal(unit_mod_run(m, "command", NULL, "{\"_raw_params\": \"  \"}"), RESULT_FAILED);
    assert_string_equal(m->res.msg, "no command given");
    assert_int_equal(unit_mod_run(m, "command", NULL, "{\"_raw_params\": \"echo 'open\"}"),
                     RESULT_FAILED);
    assert_string_equal(m->res.msg, "No closing quotation");
    assert_int_equal(unit_mod_run(m, "command", &err, "{\"_raw_params\": \"ls\", \"bogus\": 1}"),
                     RESULT_UNREACHABLE);
    assert_int_equal(err.kind, ERR_PARSE);
    assert_non_null(strstr(err.msg, "unsupported parameter 'bogus' for module 'command'; "
                                    "supported parameters: _raw_params, argv, chdir, cmd,"));
}

static void test_command_stdin(void **state)
{
    struct unit_mod *m = *state;

    assert_int_equal(unit_mod_run(m, "command", NULL,
                                  "{\"_raw_params\": \"cat\", \"stdin\": \"hi\"}"),
                     RESULT_CHANGED);
    assert_string_equal(unit_mod_str(m, "stdout"), "hi");
}

static void test_shell_uses_sh_and_executable(void **state)
{
    struct unit_mod *m = *state;

    assert_int_equal(unit_mod_run(m, "shell", NULL,
                                  "{\"_raw_params\": \"echo a | tr a b; echo c\"}"),
                     RESULT_CHANGED);
    assert_string_equal(unit_mod_str(m, "stdout"), "b\nc");
    assert_string_equal(unit_mod_str(m, "cmd"), "echo a | tr a b; echo c");
    assert_int_equal(unit_mod_run(m, "shell", NULL,
                                  "{\"_raw_params\": \"echo $0\", \"executable\": \"/bin/bash\"}"),
                     RESULT_CHANGED);
    assert_string_equal(unit_mod_str(m, "stdout"), "/bin/bash");
}

static void test_raw_keeps_output_unstripped(void **state)
{
    struct unit_mod *m = *state;

    assert_int_equal(unit_mod_run(m, "raw", NULL, "{\"_raw_params\": \"echo x\"}"), RESULT_CHANGED);
    assert_string_equal(unit_mod_str(m, "stdout"), "x\n");
    assert_int_equal(unit_mod_run(m, "raw", NULL, "{\"_raw_params\": \"exit 2\"}"), RESULT_FAILED);
    assert_int_equal(unit_mod_int(m, "rc"), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_command_runs_argv_without_shell, setup, teardown),
        cmocka_unit_test_setup_teardown(test_command_nonzero_rc_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_command_creates_removes_and_chdir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_command_check_mode_skips, setup, teardown),
        cmocka_unit_test_setup_teardown(test_command_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_command_stdin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shell_uses_sh_and_executable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw_keeps_output_unstripped, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
