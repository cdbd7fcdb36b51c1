/* tests/unit/test-tpl.c: tests installer/template/tpl.c (compile/render/free), tpl-scope.c and the
 * error positions of tpl-lex.c/tpl-parse.c/tpl-eval.c through the public API. */
#include "unit.h"
#include "base/buf.h"
#include "template/tpl.h"
#include "value/val-yaml.h"
#include "value/val.h"

static struct val *yaml(const char *text)
{
    struct err err = ERR_INIT;
    struct val *v = val_from_yaml(text, strlen(text), "vars.yml", &err);

    assert_non_null(v);
    return v;
}

/* Renders 'text' with the template-module settings and 'vars' (YAML); returns 0 or -1. */
static int render(const char *text, const char *vars, struct buf *out, struct err *err)
{
    struct tpl_opts o = { .name = "t.j2", .trim_blocks = true, .keep_trailing_newline = true };
    struct val *v = yaml(vars);
    struct tpl_dict_scope scope;
    struct tpl *t;
    int rc = -1;

    tpl_dict_scope_init(&scope, v, NULL);
    t = tpl_compile(text, strlen(text), &o, err);
    if (t) {
        rc = tpl_render(t, &scope.scope, out, err);
    }
    tpl_free(t);
    tpl_dict_scope_release(&scope);
    val_unref(v);
    return rc;
}

static void test_tpl_render_appends_and_keeps_newline(void **state)
{
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;

    (void)state;
    buf_adds(&out, "head:");
    assert_int_equal(render("{{ a }}-{{ b | upper }}\n", "a: 1\nb: x\n", &out, &err), 0);
    assert_string_equal(out.ptr, "head:1-X\n");
    buf_release(&out);
}

static void test_tpl_render_error_leaves_output_untouched(void **state)
{
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;

    (void)state;
    buf_adds(&out, "keep");
    assert_int_equal(render("partial {{ a }} then {{ missing.x }}", "a: 1\n", &out, &err), -1);
    assert_string_equal(out.ptr, "keep");
    assert_int_equal(err.kind, ERR_TEMPLATE);
    assert_string_equal(err.pos.file, "t.j2");
    assert_int_equal(err.pos.line, 1);
    assert_int_equal(err.pos.col, 25);
    assert_non_null(strstr(err.msg, "'missing' is undefined"));
    assert_non_null(strstr(err.msg, "missing.x"));
    buf_release(&out);
}

/* The unpacking error used to read the value's length after releasing it (found by
 * fuzz-template: a heap use after free under ASan). */
static void test_tpl_set_unpack_count_mismatch(void **state)
{
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(render("{% set name, = 'shadow' %}{{ name }}", "{}", &out, &err), -1);
    assert_non_null(strstr(err.msg, "too many values to unpack (expected 1, got 6)"));
    err = (struct err)ERR_INIT;
    assert_int_equal(render("{% set a, b, c = [1] %}", "{}", &out, &err), -1);
    assert_non_null(strstr(err.msg, "not enough values to unpack (expected 3, got 1)"));
    buf_release(&out);
}

static void test_tpl_attribute_error_names_attribute(void **state)
{
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(render("x\n  {{ d.y }}", "d: {z: 1}\n", &out, &err), -1);
    assert_int_equal(err.pos.line, 2);
    assert_int_equal(err.pos.col, 8);
    assert_non_null(strstr(err.msg, "'dict object' has no attribute 'y'"));
    buf_release(&out);
}

static void test_tpl_syntax_error_is_parse_with_first_line_col(void **state)
{
    struct tpl_opts o = { .name = "play.yml", .first_line = 10, .first_col = 12 };
    struct err err = ERR_INIT;
    const char *text = "{{ a + }}";

    (void)state;
    assert_null(tpl_compile(text, strlen(text), &o, &err));
    assert_int_equal(err.kind, ERR_PARSE);
    assert_string_equal(err.pos.file, "play.yml");
    assert_int_equal(err.pos.line, 10);
    assert_int_equal(err.pos.col, 12 + 7);
}

static void test_tpl_unknown_filter_is_parse_error(void **state)
{
    struct tpl_opts o = { .name = "t" };
    struct err err = ERR_INIT;
    const char *text = "ok\n{{ x | frobnicate }}";

    (void)state;
    assert_null(tpl_compile(text, strlen(text), &o, &err));
    assert_int_equal(err.kind, ERR_PARSE);
    assert_int_equal(err.pos.line, 2);
    assert_int_equal(err.pos.col, 8);
    assert_non_null(strstr(err.msg, "'frobnicate'"));
}

static void test_tpl_compiled_once_rendered_twice(void **state)
{
    struct tpl_opts o = { .name = "t", .trim_blocks = true };
    struct err err = ERR_INIT;
    const char *text = "{% for i in xs %}{{ i * k }}{% endfor %}";
    struct tpl *t = tpl_compile(text, strlen(text), &o, &err);
    struct val *v1 = yaml("xs: [1, 2]\nk: 2\n"), *v2 = yaml("xs: [5]\nk: 3\n");
    struct tpl_dict_scope s1, s2;
    struct buf out = BUF_INIT;

    (void)state;
    assert_non_null(t);
    tpl_dict_scope_init(&s1, v1, NULL);
    tpl_dict_scope_init(&s2, v2, NULL);
    assert_int_equal(tpl_render(t, &s1.scope, &out, &err), 0);
    assert_int_equal(tpl_render(t, &s2.scope, &out, &err), 0);
    assert_string_equal(out.ptr, "2415");
    tpl_dict_scope_release(&s1);
    tpl_dict_scope_release(&s2);
    val_unref(v1);
    val_unref(v2);
    buf_release(&out);
    tpl_free(t);
}

static void test_tpl_scope_resolves_templated_vars_lazily(void **state)
{
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(render("{{ url }} {{ ports | sum }}",
                            "host: h\nurl: 'https://{{ host }}:{{ ports[0] }}'\n"
                            "ports: '{{ [1, 2] }}'\n"
                            "broken: '{{ nope }}'\n",
                            &out, &err),
                     0);
    assert_string_equal(out.ptr, "https://h:1 3");
    buf_release(&out);
}

static void test_tpl_scope_cycle_names_chain(void **state)
{
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(render("x {{ a }}", "a: '{{ b }}'\nb: '{{ a }}'\n", &out, &err), -1);
    assert_int_equal(err.kind, ERR_TEMPLATE);
    assert_non_null(strstr(err.msg, "'a' -> 'b' -> 'a'"));
    assert_int_equal(err.pos.col, 6);
    buf_release(&out);
}

static void test_tpl_scope_error_in_variable_names_it(void **state)
{
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(render("{{ a }}", "a: '{{ nope }}'\n", &out, &err), -1);
    assert_non_null(strstr(err.msg, "while templating variable 'a'"));
    assert_non_null(strstr(err.msg, "'nope' is undefined"));
    assert_string_equal(err.pos.file, "vars.yml");
    buf_release(&out);
}

static void test_tpl_is_template(void **state)
{
    (void)state;
    assert_true(tpl_is_template("a {{ b }}"));
    assert_true(tpl_is_template("{% if %}"));
    assert_true(tpl_is_template("{# c #}"));
    assert_false(tpl_is_template("plain { text } %"));
    assert_false(tpl_is_template(""));
}

static void test_tpl_loop_iteration_limit(void **state)
{
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(render("{% for a in range(4000) %}{% for b in range(4000) %}{% endfor %}"
                            "{% endfor %}",
                            "{}\n", &out, &err),
                     -1);
    assert_non_null(strstr(err.msg, "loop iterations"));
    buf_release(&out);
}

/* "{{ <head><link * n> }}": a chain of n operators or filters; the caller frees it. */
static char *chain_text(const char *head, const char *link, size_t n)
{
    struct buf b = BUF_INIT;

    buf_addf(&b, "{{ %s", head);
    for (size_t i = 0; i < n; i++) {
        buf_adds(&b, link);
    }
    buf_adds(&b, " }}");
    return buf_detach(&b, NULL);
}

/* Issue #15: 20,000 chained operators or filters made a syntax tree that deep, and compiling or
 * rendering it overflowed the stack. */
static void test_tpl_refuses_overlong_chains(void **state)
{
    static const struct {
        const char *head, *link;
    } chains[] = {
        { "1", "+1" },           { "'a'", "|lower" }, { "x", ".a" },
        { "1", " if 1 else 1" }, { "1", " ~ 1" },     { "x", " is defined is true" },
        { "x", "[0]" },          { "f", "()" },
    };
    struct buf out = BUF_INIT;

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(chains); i++) {
        char *ok = chain_text(chains[i].head, chains[i].link, 150);
        char *deep = chain_text(chains[i].head, chains[i].link, 20000);
        struct tpl_opts o = { .name = "t.j2" };
        struct err err = ERR_INIT;
        struct tpl *t = tpl_compile(ok, strlen(ok), &o, &err);
        char msg[4096];

        assert_non_null(t);
        tpl_free(t);
        t = tpl_compile(deep, strlen(deep), &o, &err);
        assert_null(t);
        assert_int_equal(err.kind, ERR_PARSE);
        err_format(&err, msg, sizeof(msg));
        assert_non_null(strstr(msg, "t.j2:1:"));
        assert_non_null(strstr(msg, "nested too deeply"));
        free(ok);
        free(deep);
    }
    /* the longest chain allowed renders */
    {
        char *ok = chain_text("1", "+1", 990);
        struct err err = ERR_INIT;

        assert_int_equal(render(ok, "{}", &out, &err), 0);
        assert_string_equal(out.ptr, "991");
        free(ok);
    }
    buf_release(&out);
}

/* Issue #15: "%0999999999d" allocated a gigabyte; a width above INT_MAX printed nothing. */
static void test_tpl_format_width_is_bounded(void **state)
{
    static const char *const bad[] = {
        "{{ '%0999999999d' % 1 }}",         "{{ '%09999999999d' % 1 }}",
        "{{ '%.999999999f' % 1.5 }}",       "{{ '%-20000000s' % 'x' }}",
        "{{ '{:0999999999d}'.format(1) }}", "{{ '{:>20000000}'.format('x') }}",
    };
    struct buf out = BUF_INIT;

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct err err = ERR_INIT;

        assert_int_equal(render(bad[i], "{}", &out, &err), -1);
        assert_int_equal(err.kind, ERR_TEMPLATE);
        assert_non_null(strstr(err.msg, "too big"));
        assert_int_equal(out.len, 0);
    }
    {
        struct err err = ERR_INIT;

        assert_int_equal(render("{{ '%05d|%.2f|%-3s|' % (7, 1.5, 'a') }}{{ '{:>4}'.format(1) }}",
                                "{}", &out, &err),
                         0);
        assert_string_equal(out.ptr, "00007|1.50|a  |   1");
    }
    buf_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tpl_render_appends_and_keeps_newline),
        cmocka_unit_test(test_tpl_render_error_leaves_output_untouched),
        cmocka_unit_test(test_tpl_set_unpack_count_mismatch),
        cmocka_unit_test(test_tpl_attribute_error_names_attribute),
        cmocka_unit_test(test_tpl_syntax_error_is_parse_with_first_line_col),
        cmocka_unit_test(test_tpl_unknown_filter_is_parse_error),
        cmocka_unit_test(test_tpl_compiled_once_rendered_twice),
        cmocka_unit_test(test_tpl_scope_resolves_templated_vars_lazily),
        cmocka_unit_test(test_tpl_scope_cycle_names_chain),
        cmocka_unit_test(test_tpl_scope_error_in_variable_names_it),
        cmocka_unit_test(test_tpl_is_template),
        cmocka_unit_test(test_tpl_loop_iteration_limit),
        cmocka_unit_test(test_tpl_refuses_overlong_chains),
        cmocka_unit_test(test_tpl_format_width_is_bounded),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
