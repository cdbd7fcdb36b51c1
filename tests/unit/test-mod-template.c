/* tests/unit/test-mod-template.c: tests installer/modules/mod-template.c through the local
 * connection, with a scope holding a few host variables */
#include "unit-mod.h"
#include <sys/stat.h>
#include "template/tpl.h"

struct fixture {
    struct unit_mod m;
    struct val *vars;
    struct tpl_scope scope;
};

static struct val *lookup(void *ctx, const char *name, struct err *err)
{
    struct val *v = val_dict_get(ctx, name);

    (void)err;
    return v ? val_ref(v) : NULL;
}

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof(*f));

    unit_mod_setup(&f->m);
    f->vars = val_dict();
    val_dict_set_take(f->vars, "port", val_int(8080));
    val_dict_set_take(f->vars, "name", val_str("web"));
    f->scope.lookup = lookup;
    f->scope.ctx = f->vars;
    f->m.ctx.scope = &f->scope;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    unit_mod_teardown(&f->m);
    val_unref(f->vars);
    free(f);
    return 0;
}

static void test_template_renders_then_ok(void **state)
{
    struct fixture *f = *state;
    struct unit_mod *m = &f->m;
    char *src = unit_write_file(
        m->dir, "app.conf.j2",
        "# {{ ansible_managed }}\n{% if port > 80 %}\nport={{ port }}\n{% endif %}\n"
        "name={{ name }}\n");
    char *dest = xasprintf("%s/app.conf", m->dir);
    char *text;

    assert_int_equal(
        unit_mod_run(m, "template", NULL,
                     "{\"src\": \"app.conf.j2\", \"dest\": \"%s\", \"mode\": \"0640\"}", dest),
        RESULT_CHANGED);
    text = unit_read(dest);
    assert_string_equal(text, "# Ansible managed\nport=8080\nname=web\n");
    free(text);
    assert_string_equal(unit_mod_str(m, "mode"), "0640");
    assert_int_equal(
        unit_mod_run(m, "template", NULL,
                     "{\"src\": \"app.conf.j2\", \"dest\": \"%s\", \"mode\": \"0640\"}", dest),
        RESULT_OK);
    val_dict_set_take(f->vars, "port", val_int(9090));
    m->ctx.check_mode = true;
    m->ctx.diff_mode = true;
    assert_int_equal(unit_mod_run(m, "template", NULL, "{\"src\": \"%s\", \"dest\": \"%s\"}", src,
                                  dest),
                     RESULT_CHANGED);
    assert_non_null(strstr(m->res.diff.ptr, "-port=8080\n+port=9090\n"));
    text = unit_read(dest);
    assert_non_null(strstr(text, "port=8080"));
    free(text);
    free(src);
    free(dest);
}

static void test_template_vars_newlines_and_dir_dest(void **state)
{
    struct fixture *f = *state;
    struct unit_mod *m = &f->m;
    char *tdir = xasprintf("%s/templates", m->dir);
    char *src, *dest, *text, *want;

    mkdir(tdir, 0755);
    src = unit_write_file(tdir, "t.j2", "{{ template_path }}|{{ template_destpath }}|"
                                        "{{ template_fullpath }}\nend\n");
    m->ctx.templates_dir = NULL;
    assert_int_equal(
        unit_mod_run(m, "template", NULL,
                     "{\"src\": \"t.j2\", \"dest\": \"%s/\", \"newline_sequence\": \"\\\\r\\\\n\"}",
                     m->dir),
        RESULT_CHANGED);
    dest = xasprintf("%s/t.j2", m->dir);
    assert_string_equal(unit_mod_str(m, "dest"), dest);
    text = unit_read(dest);
    want = xasprintf("t.j2|%s/|%s\r\nend\r\n", m->dir, src);
    assert_string_equal(text, want);
    free(text);
    free(want);
    free(dest);
    free(src);
    free(tdir);
}

static void test_template_errors(void **state)
{
    struct fixture *f = *state;
    struct unit_mod *m = &f->m;
    char *src = unit_write_file(m->dir, "bad.j2", "{{ nope }}\n");

    assert_int_equal(unit_mod_run(m, "template", NULL,
                                  "{\"src\": \"missing.j2\", \"dest\": \"%s/x\"}", m->dir),
                     RESULT_FAILED);
    assert_string_equal(m->res.msg,
                        "Could not find or access 'missing.j2' on the Ansible Controller.");
    assert_int_equal(unit_mod_run(m, "template", NULL, "{\"src\": \"bad.j2\", \"dest\": \"%s/x\"}",
                                  m->dir),
                     RESULT_FAILED);
    assert_non_null(strstr(m->res.msg, "nope"));
    assert_int_equal(access(src, F_OK), 0);
    assert_int_equal(
        unit_mod_run(m, "template", NULL,
                     "{\"src\": \"bad.j2\", \"dest\": \"%s/x\", \"newline_sequence\": \"x\"}",
                     m->dir),
        RESULT_FAILED);
    assert_string_equal(m->res.msg, "newline_sequence needs to be one of: \n, \r or \r\n");
    free(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_template_renders_then_ok, setup, teardown),
        cmocka_unit_test_setup_teardown(test_template_vars_newlines_and_dir_dest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_template_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
