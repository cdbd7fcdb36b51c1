/* tests/unit/test-gotpl.c: tests installer/gotpl/ through gotpl.h: rendering, the two missing-value
 * modes, added functions, error kinds and positions, the recursion guard, Go's number printing.
 * The Helm conformance corpus (tests/gotpl/cases) covers the language and the functions. */
#include "unit.h"
#include "base/buf.h"
#include "gotpl/gotpl.h"
#include "value/val-yaml.h"
#include "value/val.h"

static struct val *yaml(const char *text)
{
    struct err err = ERR_INIT;
    struct val *v = val_from_yaml(text, strlen(text), "vars.yml", &err);

    assert_non_null(v);
    return v;
}

/* Parses 'text' as t.tpl in 'mode' and executes it with 'vars' (YAML); returns 0 or -1. */
static int render(enum gotpl_mode mode, const char *text, const char *vars, struct buf *out,
                  struct err *err)
{
    struct gotpl *t = gotpl_new(mode);
    struct val *v = yaml(vars);
    int rc = gotpl_parse(t, "t.tpl", text, err);

    if (rc == 0) {
        rc = gotpl_execute(t, "t.tpl", v, out, err);
    }
    val_unref(v);
    gotpl_free(t);
    return rc;
}

static void expect_output(enum gotpl_mode mode, const char *text, const char *vars,
                          const char *want)
{
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;

    if (render(mode, text, vars, &out, &err) < 0) {
        fail_msg("'%s' failed: %s", text, err.msg);
    }
    assert_string_equal(out.ptr, want);
    buf_release(&out);
}

static void test_gotpl_fields_pipelines_control(void **state)
{
    (void)state;
    expect_output(GOTPL_HELM,
                  "{{ .a.b | upper | quote }} {{- range $i, $v := .l }} {{ $i }}={{ $v }}{{ end }}"
                  "{{ if .t }} yes{{ else }} no{{ end }}{{ with .a }} {{ .b }}{{ end }}\n",
                  "a: {b: x}\nl: [p, q]\nt: true\n", "\"X\" 0=p 1=q yes x\n");
}

static void test_gotpl_trim_markers_and_comments(void **state)
{
    (void)state;
    expect_output(GOTPL_HELM, "a  {{- /* note */ -}}  b\n{{- \" c\" }}", "{}\n", "ab c");
}

static void test_gotpl_define_template_include(void **state)
{
    (void)state;
    expect_output(GOTPL_HELM,
                  "{{ define \"n\" }}[{{ . }}]{{ end }}{{ template \"n\" 1 }}"
                  "{{ include \"n\" \"x\" | upper }}",
                  "{}\n", "[1][X]");
}

static void test_gotpl_missing_value_modes(void **state)
{
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;

    (void)state;
    expect_output(GOTPL_HELM, "<{{ .nope }}>", "{}\n", "<>");
    expect_output(GOTPL_HELMFILE, "<{{ .n }}> <{{ index . \"nope\" }}> <{{ get . \"nope\" }}>",
                  "n: null\n", "<<no value>> <<no value>> <>");
    assert_int_equal(render(GOTPL_HELMFILE, "x\n  {{ .a.nope.deeper }}", "a: {}\n", &out, &err),
                     -1);
    assert_int_equal(err.kind, ERR_TEMPLATE);
    assert_int_equal(err.pos.line, 2);
    assert_string_equal(err.msg, "executing \"t.tpl\" at <.a.nope.deeper>: map has no entry for "
                                 "key \"nope\"");
    buf_release(&out);
}

static void test_gotpl_helm_nil_pointer_on_missing_chain(void **state)
{
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(render(GOTPL_HELM, "x\n  {{ .a.b.c }}", "a: {}\n", &out, &err), -1);
    assert_int_equal(err.kind, ERR_TEMPLATE);
    assert_string_equal(err.pos.file, "t.tpl");
    assert_int_equal(err.pos.line, 2);
    assert_non_null(strstr(err.msg, "nil pointer evaluating interface {}.c"));
    buf_release(&out);
}

static void test_gotpl_go_number_printing(void **state)
{
    (void)state;
    expect_output(GOTPL_HELM,
                  "{{ .i }} {{ .big }} {{ .f }} {{ .small }} {{ 42 }} {{ printf \"%.2f|%5s|%d|%q\" "
                  ".f \"ab\" 7 \"x\" }} {{ .m }} {{ .l }}",
                  "i: 3\nbig: 1000000.0\nf: 3.14159\nsmall: 0.00001\nm: {b: 2, a: 1}\nl: [1, x]\n",
                  "3 1e+06 3.14159 1e-05 42 3.14|   ab|7|\"x\" map[a:1 b:2] [1 x]");
}

static void test_gotpl_eq_int_float_is_an_error(void **state)
{
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(render(GOTPL_HELM, "{{ eq 1 1.0 }}", "{}\n", &out, &err), -1);
    assert_non_null(strstr(err.msg, "error calling eq: incompatible types for comparison"));
    buf_release(&out);
}

static void test_gotpl_parse_error_position_and_kind(void **state)
{
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(render(GOTPL_HELM, "line1\n  {{ nosuchfn 1 }}", "{}\n", &out, &err), -1);
    assert_int_equal(err.kind, ERR_PARSE);
    assert_int_equal(err.pos.line, 2);
    assert_int_equal(err.pos.col, 6);
    assert_string_equal(err.msg, "function \"nosuchfn\" not defined");
    err_clear(&err);
    assert_int_equal(render(GOTPL_HELM, "{{ if 1 }}open", "{}\n", &out, &err), -1);
    assert_int_equal(err.kind, ERR_PARSE);
    assert_non_null(strstr(err.msg, "unexpected EOF"));
    buf_release(&out);
}

static void test_gotpl_required_and_fail_name_the_function(void **state)
{
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;

    (void)state;
    buf_adds(&out, "keep");
    assert_int_equal(render(GOTPL_HELM, "partial {{ required \"need x\" .x }}", "{}\n", &out, &err),
                     -1);
    assert_string_equal(out.ptr, "keep");
    assert_int_equal(err.kind, ERR_TEMPLATE);
    assert_int_equal(err.pos.col, 12);
    assert_non_null(strstr(err.msg, "error calling required: need x"));
    assert_int_equal(render(GOTPL_HELM, "{{ fail \"boom\" }}", "{}\n", &out, &err), -1);
    assert_non_null(strstr(err.msg, "error calling fail: boom"));
    buf_release(&out);
}

static void test_gotpl_include_recursion_is_bounded(void **state)
{
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(render(GOTPL_HELM,
                            "{{ define \"r\" }}{{ include \"r\" . }}{{ end }}"
                            "{{ include \"r\" . }}",
                            "{}\n", &out, &err),
                     -1);
    assert_int_equal(err.kind, ERR_TEMPLATE);
    assert_non_null(strstr(err.msg, "nested reference name: r"));
    assert_int_equal(render(GOTPL_HELM,
                            "{{ define \"r\" }}{{ template \"r\" . }}{{ end }}"
                            "{{ template \"r\" . }}",
                            "{}\n", &out, &err),
                     -1);
    assert_non_null(strstr(err.msg, "maximum template depth"));
    buf_release(&out);
}

static int add_prefix(void *ctx, struct val **args, size_t nargs, struct val **result,
                      struct err *err)
{
    (void)nargs;
    if (!val_is_str(args[0])) {
        return err_set(err, ERR_TEMPLATE, "want a string");
    }
    *result = val_strf("%s%s", (const char *)ctx, val_cstr(args[0]));
    return 0;
}

static void test_gotpl_add_funcs_called_and_errors_positioned(void **state)
{
    static const struct gotpl_fn_def defs[] = {
        { "prefixed", add_prefix, 1, 1 },
        { "upper", add_prefix, 1, 1 }, /* replaces the built-in */
        { 0 },
    };
    struct gotpl *t = gotpl_new(GOTPL_HELMFILE);
    struct val *dot = yaml("n: 3\n");
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;

    (void)state;
    gotpl_add_funcs(t, defs, "pre-");
    assert_int_equal(gotpl_parse(t, "a.gotmpl", "{{ \"x\" | prefixed }} {{ upper \"y\" }}", &err),
                     0);
    assert_int_equal(gotpl_execute(t, "a.gotmpl", dot, &out, &err), 0);
    assert_string_equal(out.ptr, "pre-x pre-y");
    assert_int_equal(gotpl_parse(t, "b.gotmpl", "\n {{ prefixed .n }}", &err), 0);
    assert_int_equal(gotpl_execute(t, "b.gotmpl", dot, &out, &err), -1);
    assert_int_equal(err.kind, ERR_TEMPLATE);
    assert_string_equal(err.pos.file, "b.gotmpl");
    assert_int_equal(err.pos.line, 2);
    assert_non_null(strstr(err.msg, "error calling prefixed: want a string"));
    assert_int_equal(gotpl_parse(t, "c.gotmpl", "{{ prefixed }}", &err), 0);
    assert_int_equal(gotpl_execute(t, "c.gotmpl", dot, &out, &err), -1);
    assert_non_null(strstr(err.msg, "wrong number of args for prefixed: want 1 got 0"));
    buf_release(&out);
    val_unref(dot);
    gotpl_free(t);
}

static void test_gotpl_set_parsed_once_executed_twice(void **state)
{
    struct gotpl *t = gotpl_new(GOTPL_HELM);
    struct val *a = yaml("v: 1\n"), *b = yaml("v: two\n");
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(gotpl_parse(t, "helpers.tpl", "{{ define \"h\" }}<{{ .v }}>{{ end }}", &err),
                     0);
    assert_int_equal(gotpl_parse(t, "main", "{{ include \"h\" . }}", &err), 0);
    assert_int_equal(gotpl_execute(t, "main", a, &out, &err), 0);
    assert_int_equal(gotpl_execute(t, "main", b, &out, &err), 0);
    assert_string_equal(out.ptr, "<1><two>");
    assert_int_equal(gotpl_execute(t, "nope", a, &out, &err), -1);
    assert_int_equal(err.kind, ERR_TEMPLATE);
    buf_release(&out);
    val_unref(a);
    val_unref(b);
    gotpl_free(t);
}

static void test_gotpl_to_yaml_like_helm(void **state)
{
    (void)state;
    expect_output(GOTPL_HELM, "{{ toYaml .v }}|{{ .v | toJson }}",
                  "v: {b: [1, 'x'], a: 'true', 'on': '', n: 1.5}\n",
                  "a: \"true\"\nb:\n- 1\n- x\n\"n\": 1.5\n\"on\": \"\"|"
                  "{\"a\":\"true\",\"b\":[1,\"x\"],\"n\":1.5,\"on\":\"\"}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gotpl_fields_pipelines_control),
        cmocka_unit_test(test_gotpl_trim_markers_and_comments),
        cmocka_unit_test(test_gotpl_define_template_include),
        cmocka_unit_test(test_gotpl_missing_value_modes),
        cmocka_unit_test(test_gotpl_helm_nil_pointer_on_missing_chain),
        cmocka_unit_test(test_gotpl_go_number_printing),
        cmocka_unit_test(test_gotpl_eq_int_float_is_an_error),
        cmocka_unit_test(test_gotpl_parse_error_position_and_kind),
        cmocka_unit_test(test_gotpl_required_and_fail_name_the_function),
        cmocka_unit_test(test_gotpl_include_recursion_is_bounded),
        cmocka_unit_test(test_gotpl_add_funcs_called_and_errors_positioned),
        cmocka_unit_test(test_gotpl_set_parsed_once_executed_twice),
        cmocka_unit_test(test_gotpl_to_yaml_like_helm),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
