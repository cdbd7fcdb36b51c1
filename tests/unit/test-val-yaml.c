/* tests/unit/test-val-yaml.c: tests installer/value/val-yaml.c, val-json.c and val.c */
#include "unit.h"
#include "base/buf.h"
#include "base/err.h"
#include "value/val-json.h"
#include "value/val-yaml.h"
#include "value/val.h"

static struct val *load(const char *yaml)
{
    struct err err = ERR_INIT;
    struct val *v = val_from_yaml(yaml, strlen(yaml), "t.yml", &err);

    if (!v) {
        fail_msg("unexpected error: %s", err.msg);
    }
    return v;
}

static void test_yaml_resolves_scalars_like_pyyaml(void **state)
{
    struct val *v = load("a: yes\nb: 0755\nc: 1e5\nd: 1.5\ne: ~\nf: '0755'\ng: 09\nh: Off\n"
                         "i: 0x1F\n");

    (void)state;
    assert_int_equal(val_dict_get(v, "a")->type, VAL_BOOL);
    assert_true(val_dict_get(v, "a")->u.b);
    assert_int_equal(val_dict_get(v, "b")->u.i, 493);
    assert_string_equal(val_dict_get_str(v, "c"), "1e5");
    assert_true(val_dict_get(v, "d")->u.d == 1.5);
    assert_int_equal(val_dict_get(v, "e")->type, VAL_NULL);
    assert_string_equal(val_dict_get_str(v, "f"), "0755");
    assert_string_equal(val_dict_get_str(v, "g"), "09");
    assert_false(val_dict_get(v, "h")->u.b);
    assert_int_equal(val_dict_get(v, "i")->u.i, 31);
    val_unref(v);
}

/* fuzz-yaml's finding: a base-60 int past int64 overflowed (UB); it saturates now */
static void test_yaml_big_ints_saturate(void **state)
{
    struct val *v = load("a: 1:30\nb: -1:0:0\nc: 11111111111111111111111111:1:6\n"
                         "d: 99999999999999999999\ne: -99999999999999999999\n");

    (void)state;
    assert_int_equal(val_dict_get(v, "a")->u.i, 90);
    assert_int_equal(val_dict_get(v, "b")->u.i, -3600);
    assert_true(val_dict_get(v, "c")->u.i == INT64_MAX);
    assert_true(val_dict_get(v, "d")->u.i == INT64_MAX);
    assert_true(val_dict_get(v, "e")->u.i == -INT64_MAX);
    val_unref(v);
}

static void test_yaml_keeps_order_positions_and_merges(void **state)
{
    struct val *v = load("base: &b\n  x: 1\n  y: 2\nz: 0\nchild:\n  <<: *b\n  y: 3\n");
    struct val *child = val_dict_get(v, "child");

    (void)state;
    assert_string_equal(val_dict_key_at(v, 0), "base");
    assert_string_equal(val_dict_key_at(v, 2), "child");
    assert_int_equal(val_dict_get(child, "x")->u.i, 1);
    assert_int_equal(val_dict_get(child, "y")->u.i, 3);
    assert_int_equal(val_dict_get(v, "z")->pos.line, 4);
    assert_int_equal(val_dict_get(v, "z")->pos.col, 4);
    val_unref(v);
}

static void test_yaml_error_names_line_and_column(void **state)
{
    struct err err = ERR_INIT;
    const char *bad = "a: 1\nb: [1, 2\nc: 3\n";
    struct val *v = val_from_yaml(bad, strlen(bad), "bad.yml", &err);
    char msg[4096];

    (void)state;
    assert_null(v);
    assert_int_equal(err.kind, ERR_PARSE);
    err_format(&err, msg, sizeof(msg));
    assert_non_null(strstr(msg, "bad.yml:3:"));
}

/* Found by fuzz-yaml: an alias inside the node it names made a reference cycle, which leaked
 * and sent the JSON emitter into endless recursion. */
static void test_yaml_rejects_recursive_alias(void **state)
{
    static const char *const bad[] = { "a: &x {b: *x}\n", "a: &x\n  <<: *x\n  b: 1\n",
                                       "- &x [1, [*x]]\n" };
    struct val *v;

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct err err = ERR_INIT;

        v = val_from_yaml(bad[i], strlen(bad[i]), "t.yml", &err);
        assert_null(v);
        assert_int_equal(err.kind, ERR_PARSE);
        assert_non_null(strstr(err.msg, "alias '*x' is inside the node it names"));
    }
    v = load("a: &x [1]\nb: [*x, *x]\n");
    assert_int_equal(val_list_len(val_list_get(val_dict_get(v, "b"), 1)), 1);
    val_unref(v);
}

static void test_json_emits_like_python(void **state)
{
    struct val *v = load("b: [1, 2.5, 'é']\na: {x: null, y: true}\nc: 1e400\n");
    struct buf out = BUF_INIT;

    (void)state;
    val_to_json(v, &out, -1, VAL_JSON_ENSURE_ASCII);
    assert_string_equal(out.ptr,
                        "{\"b\": [1, 2.5, \"\\u00e9\"], \"a\": {\"x\": null, \"y\": true}, "
                        "\"c\": \"1e400\"}");
    buf_reset(&out);
    val_to_json(val_dict_get(v, "a"), &out, 4, VAL_JSON_SORT_KEYS);
    assert_string_equal(out.ptr, "{\n    \"x\": null,\n    \"y\": true\n}");
    buf_release(&out);
    val_unref(v);
}

static void test_json_roundtrip_and_pystr(void **state)
{
    struct err err = ERR_INIT;
    const char *text = "{\"k\": [1, 0.1, \"it's\", null, false], \"n\": 1e16}";
    struct val *v = val_from_json(text, strlen(text), "t.json", &err);
    struct buf out = BUF_INIT;

    (void)state;
    assert_non_null(v);
    val_to_pystr(v, &out);
    assert_string_equal(out.ptr, "{'k': [1, 0.1, \"it's\", None, False], 'n': 1e+16}");
    buf_release(&out);
    val_unref(v);
}

/* "[[[...]]]" nested 'levels' deep, or "{a: {a: ...}}" when 'dict'; the caller frees it. */
static char *nested_text(size_t levels, bool dict)
{
    struct buf b = BUF_INIT;

    for (size_t i = 0; i < levels; i++) {
        buf_adds(&b, dict ? "{\"a\": " : "[");
    }
    buf_adds(&b, "1");
    for (size_t i = 0; i < levels; i++) {
        buf_addc(&b, dict ? '}' : ']');
    }
    return buf_detach(&b, NULL);
}

static void assert_too_deep(struct val *v, const struct err *err, const char *where)
{
    char msg[4096];

    assert_null(v);
    assert_int_equal(err->kind, ERR_PARSE);
    err_format(err, msg, sizeof(msg));
    assert_non_null(strstr(msg, where));
    assert_non_null(strstr(msg, "nested too deeply (more than 1000 levels)"));
}

/* Issue #15: 50,000 levels overflowed the stack (YAML) or hit jansson's own limit (JSON). */
static void test_yaml_json_refuse_deep_nesting(void **state)
{
    char *ok = nested_text(VAL_MAX_DEPTH, false);
    char *deep = nested_text(50000, false);
    char *deep_dict = nested_text(50000, true);
    struct err err = ERR_INIT;
    struct val *v;

    (void)state;
    assert_int_equal(VAL_MAX_DEPTH, 1000);
    v = val_from_yaml(ok, strlen(ok), "t.yml", &err);
    assert_non_null(v);
    val_unref(v);
    v = val_from_json(ok, strlen(ok), "t.json", &err);
    assert_non_null(v);
    val_unref(v);
    v = val_from_yaml(deep, strlen(deep), "t.yml", &err);
    assert_too_deep(v, &err, "t.yml:1:1001:");
    err_clear(&err);
    v = val_from_yaml(deep_dict, strlen(deep_dict), "t.yml", &err);
    assert_too_deep(v, &err, "t.yml:1:6001:");
    err_clear(&err);
    v = val_from_json(deep, strlen(deep), "t.json", &err);
    assert_too_deep(v, &err, "t.json:1:1001:");
    err_clear(&err);
    v = val_from_json(deep_dict, strlen(deep_dict), "t.json", &err);
    assert_too_deep(v, &err, "t.json:1:6001:");
    err_clear(&err);
    free(ok);
    free(deep);
    free(deep_dict);
}

/* Aliases share their node, so an alias of a deep anchor placed deep adds both depths. */
static void test_yaml_depth_counts_aliased_nodes(void **state)
{
    char *inner = nested_text(600, false);
    struct buf b = BUF_INIT;
    struct err err = ERR_INIT;
    struct val *v;

    (void)state;
    buf_addf(&b, "a: &a %s\nb: ", inner);
    for (int i = 0; i < 600; i++) {
        buf_addc(&b, '[');
    }
    buf_adds(&b, "*a");
    for (int i = 0; i < 600; i++) {
        buf_addc(&b, ']');
    }
    buf_addc(&b, '\n');
    v = val_from_yaml(b.ptr, b.len, "t.yml", &err);
    assert_too_deep(v, &err, "t.yml:2:");
    err_clear(&err);
    buf_release(&b);
    free(inner);
}

/* Issue #15: "billion laughs", 10 aliases of 10 aliases ... of 10 strings, 10^9 nodes in 500
 * bytes, loaded at once (aliases are shared) but then took minutes to walk. */
static void test_yaml_bounds_alias_expansion(void **state)
{
    struct buf b = BUF_INIT;
    struct err err = ERR_INIT;
    struct val *v;
    char msg[4096];

    (void)state;
    buf_adds(&b, "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (int i = 1; i <= 8; i++) {
        buf_addf(&b, "a%d: &a%d [", i, i);
        for (int k = 0; k < 10; k++) {
            buf_addf(&b, "%s*a%d", k ? ", " : "", i - 1);
        }
        buf_adds(&b, "]\n");
    }
    v = val_from_yaml(b.ptr, b.len, "t.yml", &err);
    assert_null(v);
    assert_int_equal(err.kind, ERR_PARSE);
    err_format(&err, msg, sizeof(msg));
    assert_non_null(strstr(msg, "t.yml:6:"));
    assert_non_null(strstr(msg, "too many alias expansions (more than 1000000 nodes"));
    err_clear(&err);
    /* a hundred thousand nodes through aliases is fine */
    buf_reset(&b);
    buf_adds(&b, "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (int i = 1; i <= 4; i++) {
        buf_addf(&b, "a%d: &a%d [", i, i);
        for (int k = 0; k < 10; k++) {
            buf_addf(&b, "%s*a%d", k ? ", " : "", i - 1);
        }
        buf_adds(&b, "]\n");
    }
    v = load(b.ptr);
    assert_int_equal(val_list_len(val_dict_get(v, "a4")), 10);
    val_unref(v);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_yaml_resolves_scalars_like_pyyaml),
        cmocka_unit_test(test_yaml_big_ints_saturate),
        cmocka_unit_test(test_yaml_keeps_order_positions_and_merges),
        cmocka_unit_test(test_yaml_error_names_line_and_column),
        cmocka_unit_test(test_yaml_rejects_recursive_alias),
        cmocka_unit_test(test_json_emits_like_python),
        cmocka_unit_test(test_json_roundtrip_and_pystr),
        cmocka_unit_test(test_yaml_json_refuse_deep_nesting),
        cmocka_unit_test(test_yaml_depth_counts_aliased_nodes),
        cmocka_unit_test(test_yaml_bounds_alias_expansion),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
