/* tests/unit/test-mod-blockinfile.c: tests installer/modules/mod-blockinfile.c through the local
 * connection; expected bytes are what Ansible 2.14's blockinfile writes */
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

static void assert_file(const char *path, const char *want)
{
    char *text = unit_read(path);

    assert_non_null(text);
    assert_string_equal(text, want);
    free(text);
}

static void test_blockinfile_insert_update_remove(void **state)
{
    struct unit_mod *m = *state;
    char *f = unit_write_file(m->dir, "hosts", "a\nb");

    assert_int_equal(unit_mod_run(m, "blockinfile", NULL,
                                  "{\"path\": \"%s\", \"block\": \"x\\ny\"}", f),
                     RESULT_CHANGED);
    assert_string_equal(unit_mod_str(m, "msg"), "Block inserted");
    assert_file(f, "a\nb\n# BEGIN ANSIBLE MANAGED BLOCK\nx\ny\n# END ANSIBLE MANAGED BLOCK\n");
    assert_int_equal(unit_mod_run(m, "blockinfile", NULL,
                                  "{\"path\": \"%s\", \"block\": \"x\\ny\"}", f),
                     RESULT_OK);
    assert_string_equal(unit_mod_str(m, "msg"), "");
    m->ctx.diff_mode = true;
    assert_int_equal(unit_mod_run(m, "blockinfile", NULL, "{\"path\": \"%s\", \"block\": \"z\\n\"}",
                                  f),
                     RESULT_CHANGED);
    assert_file(f, "a\nb\n# BEGIN ANSIBLE MANAGED BLOCK\nz\n# END ANSIBLE MANAGED BLOCK\n");
    assert_non_null(strstr(m->res.diff.ptr, "(content)\n"));
    assert_non_null(strstr(m->res.diff.ptr, "-x\n-y\n+z\n"));
    m->ctx.check_mode = true;
    assert_int_equal(unit_mod_run(m, "blockinfile", NULL,
                                  "{\"path\": \"%s\", \"state\": \"absent\"}", f),
                     RESULT_CHANGED);
    assert_file(f, "a\nb\n# BEGIN ANSIBLE MANAGED BLOCK\nz\n# END ANSIBLE MANAGED BLOCK\n");
    m->ctx.check_mode = false;
    assert_int_equal(unit_mod_run(m, "blockinfile", NULL,
                                  "{\"path\": \"%s\", \"state\": \"absent\"}", f),
                     RESULT_CHANGED);
    assert_string_equal(unit_mod_str(m, "msg"), "Block removed");
    assert_file(f, "a\nb\n");
    free(f);
}

static void test_blockinfile_markers_and_anchors(void **state)
{
    struct unit_mod *m = *state;
    char *f = unit_write_file(m->dir, "conf", "[main]\nk=v\n[other]\n");

    assert_int_equal(
        unit_mod_run(
            m, "blockinfile", NULL,
            "{\"path\": \"%s\", \"block\": \"n=1\", \"insertafter\": \"^\\\\[main\\\\]\", "
            "\"marker\": \"; {mark} pot\", \"marker_begin\": \"start\", \"marker_end\": \"stop\"}",
            f),
        RESULT_CHANGED);
    assert_file(f, "[main]\n; start pot\nn=1\n; stop pot\nk=v\n[other]\n");
    assert_int_equal(
        unit_mod_run(m, "blockinfile", NULL,
                     "{\"path\": \"%s\", \"block\": \"top\", \"insertbefore\": \"BOF\", "
                     "\"marker\": \"# {mark} head\"}",
                     f),
        RESULT_CHANGED);
    assert_file(
        f, "# BEGIN head\ntop\n# END head\n[main]\n; start pot\nn=1\n; stop pot\nk=v\n[other]\n");
    assert_int_equal(
        unit_mod_run(m, "blockinfile", NULL,
                     "{\"path\": \"%s\", \"block\": \"o\", \"insertbefore\": \"^\\\\[other\", "
                     "\"marker\": \"# {mark} o\"}",
                     f),
        RESULT_CHANGED);
    assert_file(f, "# BEGIN head\ntop\n# END head\n[main]\n; start pot\nn=1\n; stop pot\nk=v\n"
                   "# BEGIN o\no\n# END o\n[other]\n");
    assert_int_equal(
        unit_mod_run(
            m, "blockinfile", NULL,
            "{\"path\": \"%s\", \"block\": \"o\", \"insertafter\": \"x\", \"insertbefore\": \"y\"}",
            f),
        RESULT_FAILED);
    assert_string_equal(m->res.msg, "parameters are mutually exclusive: insertbefore|insertafter");
    free(f);
}

static void test_blockinfile_create_and_missing(void **state)
{
    struct unit_mod *m = *state;
    char *f = xasprintf("%s/sub/new.conf", m->dir);

    assert_int_equal(unit_mod_run(m, "blockinfile", NULL, "{\"path\": \"%s\", \"block\": \"b\"}",
                                  f),
                     RESULT_FAILED);
    assert_non_null(strstr(m->res.msg, "does not exist !"));
    assert_int_equal(unit_mod_int(m, "rc"), 257);
    assert_int_equal(unit_mod_run(m, "blockinfile", NULL,
                                  "{\"path\": \"%s\", \"state\": \"absent\"}", f),
                     RESULT_FAILED);
    assert_int_equal(
        unit_mod_run(m, "blockinfile", NULL,
                     "{\"path\": \"%s\", \"block\": \"b\", \"create\": true, \"mode\": \"0600\"}",
                     f),
        RESULT_CHANGED);
    assert_string_equal(unit_mod_str(m, "msg"),
                        "File created and ownership, perms or SE linux context changed");
    assert_file(f, "# BEGIN ANSIBLE MANAGED BLOCK\nb\n# END ANSIBLE MANAGED BLOCK\n");
    assert_int_equal(
        unit_mod_run(m, "blockinfile", NULL,
                     "{\"path\": \"%s\", \"block\": \"b\", \"mode\": \"0644\", \"backup\": true}",
                     f),
        RESULT_CHANGED);
    assert_string_equal(unit_mod_str(m, "msg"), "ownership, perms or SE linux context changed");
    assert_null(unit_mod_str(m, "backup_file"));
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_blockinfile_insert_update_remove, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blockinfile_markers_and_anchors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blockinfile_create_and_missing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
