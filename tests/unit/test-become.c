/* tests/unit/test-become.c: tests installer/conn/become.c */
#include "unit.h"
#include "base/buf.h"
#include "conn/become.h"
#include "conn/conn.h"

#define SECRET "s3cret-pass'word"

static void test_become_sudo_with_password_prompts_and_keeps_it_off_the_line(void **state)
{
    struct become b = { .method = BECOME_SUDO, .user = "app", .password = SECRET };
    struct become_cmd bc;
    struct buf in = BUF_INIT;

    (void)state;
    become_wrap(&b, "id -u; echo 'x'", true, &bc);
    assert_true(bc.sends_password);
    assert_non_null(bc.prompt);
    assert_true(strncmp(bc.prompt, "[sudo via pot, key=", 19) == 0);
    assert_true(strncmp(bc.cmdline, "sudo -H -S -p '[sudo via pot, key=", 34) == 0);
    assert_non_null(strstr(bc.cmdline,
                           "] password:' -u app /bin/sh -c 'id -u; echo '\"'\"'x'\"'\"''"));
    assert_null(strstr(bc.cmdline, "s3cret"));
    become_stdin(&b, &bc, "DATA", 4, &in);
    assert_string_equal(in.ptr, SECRET "\nDATA");
    become_wipe(&in);
    assert_int_equal(in.len, 0);
    become_cmd_release(&bc);
}

static void test_become_sudo_without_password_is_non_interactive(void **state)
{
    struct become b = { .method = BECOME_SUDO };
    struct become_cmd bc;
    struct buf in = BUF_INIT;
    char *probe = become_probe_cmdline(&b);

    (void)state;
    become_wrap(&b, "whoami", false, &bc);
    assert_string_equal(bc.cmdline, "sudo -H -S -n -u root /bin/sh -c whoami");
    assert_false(bc.sends_password);
    assert_null(bc.prompt);
    become_stdin(&b, &bc, "x", 1, &in);
    assert_string_equal(in.ptr, "x");
    assert_string_equal(probe, "sudo -n -u root true");
    free(probe);
    become_wipe(&in);
    become_cmd_release(&bc);
}

static void test_become_su_wraps_login_shell(void **state)
{
    struct become b = { .method = BECOME_SU, .user = "postgres", .password = SECRET };
    struct become_cmd bc;

    (void)state;
    become_wrap(&b, "psql -c 'select 1'", true, &bc);
    assert_string_equal(bc.cmdline, "su - postgres -c 'psql -c '\"'\"'select 1'\"'\"''");
    assert_true(bc.sends_password);
    assert_null(strstr(bc.cmdline, "s3cret"));
    assert_null(become_probe_cmdline(&b));
    become_cmd_release(&bc);
}

static void test_become_none_copies_command(void **state)
{
    struct become b = { .method = BECOME_NONE, .password = SECRET };
    struct become_cmd bc;

    (void)state;
    become_wrap(&b, "ls -l", true, &bc);
    assert_string_equal(bc.cmdline, "ls -l");
    assert_false(bc.sends_password);
    become_cmd_release(&bc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_become_sudo_with_password_prompts_and_keeps_it_off_the_line),
        cmocka_unit_test(test_become_sudo_without_password_is_non_interactive),
        cmocka_unit_test(test_become_su_wraps_login_shell),
        cmocka_unit_test(test_become_none_copies_command),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
