/* tests/unit/test-mod-copy.c: tests installer/modules/mod-copy.c, mod-write.c, mod-stat.c,
 * mod-slurp.c and mod-util.c through the local connection */
#include "unit-mod.h"
#include <sys/stat.h>

#define SHA1_X1 "75d155771c678a74cef8ce298f9b752cc10c5d70" /* sha1 of the text x=1 and a newline */

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

static mode_t mode_of(const char *path)
{
    struct stat st;

    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 07777;
}

static void test_copy_content_changed_then_ok(void **state)
{
    struct unit_mod *m = *state;
    char *dest = xasprintf("%s/a.conf", m->dir);
    char *text;

    assert_int_equal(unit_mod_run(m, "copy", NULL,
                                  "{\"content\": \"x=1\\n\", \"dest\": \"%s\", \"mode\": \"0600\"}",
                                  dest),
                     RESULT_CHANGED);
    text = unit_read(dest);
    assert_string_equal(text, "x=1\n");
    free(text);
    assert_int_equal(mode_of(dest), 0600);
    assert_string_equal(unit_mod_str(m, "checksum"), SHA1_X1);
    assert_string_equal(unit_mod_str(m, "mode"), "0600");
    assert_int_equal(unit_mod_int(m, "size"), 4);
    assert_int_equal(unit_mod_run(m, "copy", NULL,
                                  "{\"content\": \"x=1\\n\", \"dest\": \"%s\", \"mode\": \"0600\"}",
                                  dest),
                     RESULT_OK);
    assert_int_equal(unit_mod_run(m, "copy", NULL,
                                  "{\"content\": \"x=1\\n\", \"dest\": \"%s\", \"mode\": \"u+x\"}",
                                  dest),
                     RESULT_CHANGED);
    assert_int_equal(mode_of(dest), 0700);
    free(dest);
}

static void test_copy_check_mode_and_diff(void **state)
{
    struct unit_mod *m = *state;
    char *dest = unit_write_file(m->dir, "b.conf", "old\n");
    char *text;

    m->ctx.check_mode = true;
    m->ctx.diff_mode = true;
    assert_int_equal(unit_mod_run(m, "copy", NULL, "{\"content\": \"new\\n\", \"dest\": \"%s\"}",
                                  dest),
                     RESULT_CHANGED);
    text = unit_read(dest);
    assert_string_equal(text, "old\n");
    free(text);
    assert_non_null(strstr(m->res.diff.ptr, "-old\n+new\n"));
    assert_non_null(strstr(m->res.diff.ptr, "--- before: "));
    m->ctx.check_mode = false;
    assert_int_equal(unit_mod_run(m, "copy", NULL,
                                  "{\"content\": \"new\\n\", \"dest\": \"%s\", \"backup\": true}",
                                  dest),
                     RESULT_CHANGED);
    text = unit_read(unit_mod_str(m, "backup_file"));
    assert_string_equal(text, "old\n");
    free(text);
    assert_int_equal(unit_mod_run(m, "copy", NULL,
                                  "{\"content\": \"other\\n\", \"dest\": \"%s\", \"force\": false}",
                                  dest),
                     RESULT_OK);
    free(dest);
}

static void test_copy_src_file_and_tree(void **state)
{
    struct unit_mod *m = *state;
    char *tree = xasprintf("%s/tree", m->dir);
    char *out = xasprintf("%s/out", m->dir);
    char *f1, *f2, *got;

    mkdir(tree, 0755);
    mkdir(out, 0755);
    f1 = unit_write_file(tree, "one.txt", "1\n");
    mkdir(f2 = xasprintf("%s/sub", tree), 0755);
    free(f2);
    f2 = unit_write_file(tree, "sub/two.txt", "2\n");
    assert_int_equal(unit_mod_run(m, "copy", NULL, "{\"src\": \"tree/one.txt\", \"dest\": \"%s/\"}",
                                  out),
                     RESULT_CHANGED);
    got = xasprintf("%s/one.txt", out);
    free(unit_read(got));
    assert_int_equal(access(got, F_OK), 0);
    free(got);
    assert_int_equal(unit_mod_run(m, "copy", NULL, "{\"src\": \"%s\", \"dest\": \"%s\"}", tree,
                                  out),
                     RESULT_CHANGED);
    got = xasprintf("%s/tree/sub/two.txt", out);
    assert_int_equal(access(got, F_OK), 0);
    free(got);
    assert_int_equal(unit_mod_run(m, "copy", NULL, "{\"src\": \"%s\", \"dest\": \"%s\"}", tree,
                                  out),
                     RESULT_OK);
    assert_int_equal(unit_mod_run(m, "copy", NULL, "{\"src\": \"nope.txt\", \"dest\": \"%s\"}",
                                  out),
                     RESULT_FAILED);
    assert_string_equal(m->res.msg,
                        "Could not find or access 'nope.txt' on the Ansible Controller.");
    free(f1);
    free(f2);
    free(tree);
    free(out);
}

static void test_copy_bad_mode_fails(void **state)
{
    struct unit_mod *m = *state;

    assert_int_equal(unit_mod_run(m, "copy", NULL,
                                  "{\"content\": \"x\", \"dest\": \"%s/m\", \"mode\": \"u+q\"}",
                                  m->dir),
                     RESULT_FAILED);
    assert_string_equal(m->res.msg, "mode must be in octal or symbolic form");
}

static void test_stat_reports_file_and_missing(void **state)
{
    struct unit_mod *m = *state;
    char *f = unit_write_file(m->dir, "s.txt", "abc");
    struct val *st;

    chmod(f, 0640);
    assert_int_equal(unit_mod_run(m, "stat", NULL, "{\"path\": \"%s\"}", f), RESULT_OK);
    st = val_dict_get(m->res.data, "stat");
    assert_true(val_dict_get(st, "exists")->u.b);
    assert_true(val_dict_get(st, "isreg")->u.b);
    assert_string_equal(val_dict_get_str(st, "mode"), "0640");
    assert_int_equal(val_dict_get(st, "size")->u.i, 3);
    assert_string_equal(val_dict_get_str(st, "checksum"),
                        "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert_string_equal(val_dict_get_str(st, "pw_name"), "root");
    assert_int_equal(unit_mod_run(m, "stat", NULL,
                                  "{\"path\": \"%s\", \"checksum_algorithm\": \"sha256\"}", f),
                     RESULT_OK);
    st = val_dict_get(m->res.data, "stat");
    assert_string_equal(val_dict_get_str(st, "checksum"),
                        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(unit_mod_run(m, "stat", NULL, "{\"path\": \"%s/none\"}", m->dir), RESULT_OK);
    st = val_dict_get(m->res.data, "stat");
    assert_false(val_dict_get(st, "exists")->u.b);
    free(f);
}

static void test_slurp_base64_and_missing(void **state)
{
    struct unit_mod *m = *state;
    char *f = unit_write_file(m->dir, "s.txt", "hello");

    assert_int_equal(unit_mod_run(m, "slurp", NULL, "{\"src\": \"%s\"}", f), RESULT_OK);
    assert_string_equal(unit_mod_str(m, "content"), "aGVsbG8=");
    assert_string_equal(unit_mod_str(m, "encoding"), "base64");
    assert_int_equal(unit_mod_run(m, "slurp", NULL, "{\"path\": \"%s/none\"}", m->dir),
                     RESULT_FAILED);
    assert_non_null(strstr(m->res.msg, "file not found: "));
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_copy_content_changed_then_ok, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy_check_mode_and_diff, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy_src_file_and_tree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy_bad_mode_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stat_reports_file_and_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slurp_base64_and_missing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
