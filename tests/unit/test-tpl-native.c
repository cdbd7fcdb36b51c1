/* tests/unit/test-tpl-native.c: tests installer/template/tpl-native.c (tpl_template_value,
 * tpl_eval_expr, tpl_eval_condition) and python/py-literal.c through them. */
#include "unit.h"
#include "base/buf.h"
#include "template/tpl.h"
#include "value/val-json.h"
#include "value/val-yaml.h"
#include "value/val.h"

struct fixture {
    struct val *vars;
    struct tpl_dict_scope scope;
};

static const char vars_yaml[] = "n: 3\n"
                                "name: web\n"
                                "flag_text: 'False'\n"
                                "lower_false: 'false'\n"
                                "xs: [1, 2]\n"
                                "nested: {list: '{{ xs }}', msg: 'hi {{ name }}'}\n";

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof(*f));
    struct err err = ERR_INIT;

    f->vars = val_from_yaml(vars_yaml, strlen(vars_yaml), "vars.yml", &err);
    assert_non_null(f->vars);
    tpl_dict_scope_init(&f->scope, f->vars, NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    tpl_dict_scope_release(&f->scope);
    val_unref(f->vars);
    free(f);
    return 0;
}

/* Templates the string and returns its JSON form (caller frees). */
static char *template_json(struct fixture *f, const char *s)
{
    struct val *in = val_str(s), *out;
    struct err err = ERR_INIT;
    struct buf b = BUF_INIT;

    out = tpl_template_value(in, &f->scope.scope, NULL, &err);
    val_unref(in);
    if (!out) {
        fail_msg("templating '%s' failed: %s", s, err.msg);
    }
    val_to_json(out, &b, -1, 0);
    val_unref(out);
    return buf_detach(&b, NULL);
}

static void expect(struct fixture *f, const char *in, const char *json)
{
    char *got = template_json(f, in);

    assert_string_equal(got, json);
    free(got);
}

static void test_template_value_eval_concat(void **state)
{
    struct fixture *f = *state;

    expect(f, "plain text", "\"plain text\"");
    expect(f, "{{ n + 1 }}", "\"4\"");
    expect(f, "{{ xs }}", "[1, 2]");
    expect(f, "{{ {'a': n} }}", "{\"a\": 3}");
    expect(f, "{{ n > 1 }}", "true");
    expect(f, "{{ '[1, true, null]' }}", "[1, true, null]");
    expect(f, "x{{ xs }}", "\"x[1, 2]\"");
    expect(f, "{{ name }}", "\"web\"");
    expect(f, "{{ none }}", "\"\"");
    expect(f, "[{{ n }}, 'a'", "\"[3, 'a'\"");
}

/* Jinja drops the last newline before ansible_eval_concat; a string result gets it back
 * (ansible-playbook 2.14: "{{ true }}\n" is true, "{{ false }}\n\n" is "False\n\n"). */
static void test_template_value_trailing_newlines(void **state)
{
    struct fixture *f = *state;

    expect(f, "{{ n > 1 }}\n", "true");
    expect(f, "{{ n > 1 }}\n\n", "\"True\\n\\n\"");
    expect(f, "{{ xs }}\n\n", "[1, 2]");
    expect(f, "{{ n }}\n", "\"3\\n\"");
    expect(f, "{{ name }}\n\n\n", "\"web\\n\\n\\n\"");
}

/* Escapes in the literal a template renders to (python/py-literal.c): Python's, as Ansible's
 * literal_eval decodes them (octal and \a too; an unknown one is kept), a malformed one makes it
 * no literal. */
static void test_template_value_literal_escapes(void **state)
{
    struct fixture *f = *state;

    expect(f, "['{{ name }}\\x41\\u00e9', '\\101', '\\a', '\\q', \"\\'\"]",
           "[\"webA\xc3\xa9\", \"A\", \"\\u0007\", \"\\\\q\", \"'\"]");
    expect(f, "['{{ name }}\\x4']", "\"['web\\\\x4']\"");
}

static void test_template_value_recurses_into_containers(void **state)
{
    struct fixture *f = *state;
    struct val *in = val_dict(), *list = val_list(), *out;
    struct err err = ERR_INIT;
    struct buf b = BUF_INIT;

    val_list_push_take(list, val_str("{{ n * 2 }}"));
    val_list_push_take(list, val_int(5));
    val_dict_set_take(in, "items", list);
    val_dict_set_take(in, "{{ name }}_key", val_str("{{ nested.msg }}"));
    out = tpl_template_value(in, &f->scope.scope, NULL, &err);
    assert_non_null(out);
    val_to_json(out, &b, -1, 0);
    assert_string_equal(b.ptr, "{\"items\": [\"6\", 5], \"web_key\": \"hi web\"}");
    buf_release(&b);
    val_unref(out);
    val_unref(in);
}

static void test_template_value_never_renders_unsafe(void **state)
{
    struct fixture *f = *state;
    struct val *in = val_str("{{ n }}"), *out;
    struct err err = ERR_INIT;

    in->flags |= VAL_UNSAFE;
    out = tpl_template_value(in, &f->scope.scope, NULL, &err);
    assert_ptr_equal(out, in);
    val_unref(out);
    val_unref(in);
}

static void test_template_value_error_uses_value_position(void **state)
{
    struct fixture *f = *state;
    struct val *in = val_str("ok: {{ missing }}"), *out;
    struct srcpos pos = { "play.yml", 7, 12 };
    struct err err = ERR_INIT;

    out = tpl_template_value(in, &f->scope.scope, &pos, &err);
    assert_null(out);
    assert_int_equal(err.kind, ERR_TEMPLATE);
    assert_string_equal(err.pos.file, "play.yml");
    assert_int_equal(err.pos.line, 7);
    assert_int_equal(err.pos.col, 12 + 7);
    val_unref(in);
}

static void test_eval_expr_keeps_native_types(void **state)
{
    struct fixture *f = *state;
    struct err err = ERR_INIT;
    struct val *v = tpl_eval_expr("xs | map('string') | list", NULL, &f->scope.scope, &err);

    assert_non_null(v);
    assert_int_equal(v->type, VAL_LIST);
    assert_string_equal(val_cstr(val_list_get(v, 1)), "2");
    val_unref(v);
}

static void test_eval_expr_result_is_not_appendable_later(void **state)
{
    struct fixture *f = *state;
    struct err err = ERR_INIT;
    struct val *lst = tpl_eval_expr("[1, [2]]", NULL, &f->scope.scope, &err), *vars, *out;
    struct tpl_dict_scope scope;

    assert_non_null(lst);
    vars = val_dict();
    val_dict_set(vars, "lst", lst);
    tpl_dict_scope_init(&scope, vars, NULL);
    out = tpl_eval_expr("lst.append(3)", NULL, &scope.scope, &err);
    assert_null(out);
    assert_non_null(strstr(err.msg, "append()"));
    assert_int_equal(val_list_len(lst), 2);
    out = tpl_eval_expr("lst[1].append(3)", NULL, &scope.scope, &err);
    assert_null(out);
    out = tpl_eval_expr("[0] + [1] if [].append(1) is none else 0", NULL, &scope.scope, &err);
    assert_non_null(out);
    val_unref(out);
    tpl_dict_scope_release(&scope);
    val_unref(vars);
    val_unref(lst);
}

static void test_eval_expr_error_position(void **state)
{
    struct fixture *f = *state;
    struct srcpos pos = { "tasks.yml", 4, 13 };
    struct err err = ERR_INIT;

    assert_null(tpl_eval_expr("n > 1 and nope", &pos, &f->scope.scope, &err));
    assert_int_equal(err.pos.line, 4);
    assert_int_equal(err.pos.col, 13 + 10);
    assert_null(tpl_eval_expr("n >", &pos, &f->scope.scope, &err));
    assert_int_equal(err.kind, ERR_PARSE);
    assert_string_equal(err.pos.file, "tasks.yml");
}

static bool cond(struct fixture *f, const char *expr)
{
    struct err err = ERR_INIT;
    bool r = false;

    if (tpl_eval_condition(expr, NULL, &f->scope.scope, &r, &err) < 0) {
        fail_msg("condition '%s' failed: %s", expr, err.msg);
    }
    return r;
}

static void test_eval_condition_like_ansible(void **state)
{
    struct fixture *f = *state;

    assert_true(cond(f, "n == 3"));
    assert_false(cond(f, "n is not defined"));
    assert_true(cond(f, "nope is undefined"));
    assert_false(cond(f, "{{ flag_text }}"));   /* 'False' literal_evals to False */
    assert_true(cond(f, "flag_text"));          /* a non-empty string, as in Ansible */
    assert_false(cond(f, "{{ lower_false }}")); /* 'false' is then evaluated as an expression */
    assert_true(cond(f, "{{ n > 1 }}"));
    assert_false(cond(f, "xs | length > 5"));
}

static void test_eval_condition_undefined_fails(void **state)
{
    struct fixture *f = *state;
    struct err err = ERR_INIT;
    bool r;

    assert_int_equal(tpl_eval_condition("nope", NULL, &f->scope.scope, &r, &err), -1);
    assert_non_null(strstr(err.msg, "'nope' is undefined"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_template_value_eval_concat, setup, teardown),
        cmocka_unit_test_setup_teardown(test_template_value_trailing_newlines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_template_value_literal_escapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_template_value_recurses_into_containers, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_template_value_never_renders_unsafe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_template_value_error_uses_value_position, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_eval_expr_keeps_native_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eval_expr_result_is_not_appendable_later, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_eval_expr_error_position, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eval_condition_like_ansible, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eval_condition_undefined_fails, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
