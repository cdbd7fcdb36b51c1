/* tests/unit/test-pb-args.c: tests installer/playbook/pb-args.c (parse_kv, module detection) */
#include "unit.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/vec.h"
#include "playbook/pb.h"
#include "value/val.h"
#include "value/val-yaml.h"

static struct val *kv(const char *s, bool check_raw)
{
    struct err err = ERR_INIT;
    struct val *v = pb_parse_kv(s, check_raw, NULL, &err);

    assert_non_null(v);
    return v;
}

static void test_pb_parse_kv_quotes_and_spaces(void **state)
{
    struct val *v = kv("src=a.txt dest='/tmp/x y' mode=0644 msg=\"he said \\\"hi\\\"\"", false);

    (void)state;
    assert_string_equal(val_dict_get_str(v, "src"), "a.txt");
    assert_string_equal(val_dict_get_str(v, "dest"), "/tmp/x y");
    assert_string_equal(val_dict_get_str(v, "mode"), "0644");
    assert_string_equal(val_dict_get_str(v, "msg"), "he said \"hi\"");
    assert_false(val_dict_has(v, "_raw_params"));
    val_unref(v);
}

static void test_pb_parse_kv_jinja_kept_together(void **state)
{
    struct val *v = kv("msg={{ a | default('x y') }} other=1", false);

    (void)state;
    assert_string_equal(val_dict_get_str(v, "msg"), "{{ a | default('x y') }}");
    assert_string_equal(val_dict_get_str(v, "other"), "1");
    val_unref(v);
}

static void test_pb_parse_kv_check_raw_keeps_command(void **state)
{
    struct val *v = kv("echo a=b  chdir=/tmp creates=/x \"q r\"", true);

    (void)state;
    assert_string_equal(val_dict_get_str(v, "_raw_params"), "echo a=b  \"q r\"");
    assert_string_equal(val_dict_get_str(v, "chdir"), "/tmp");
    assert_string_equal(val_dict_get_str(v, "creates"), "/x");
    val_unref(v);
}

/* Ansible's _decode_escapes; pot keeps what it cannot decode (Ansible fails on those), and like
 * pot before the shared decoder it takes no octal escapes. */
static void test_pb_parse_kv_decodes_python_escapes(void **state)
{
    struct val *v = kv("a=x\\x41\\u00e9\\ty b=\\101\\q\\x4 c=\\U00110000", false);

    (void)state;
    assert_string_equal(val_dict_get_str(v, "a"), "xA\xc3\xa9\ty");
    assert_string_equal(val_dict_get_str(v, "b"), "\\101\\q\\x4");
    assert_string_equal(val_dict_get_str(v, "c"), "\\U00110000");
    val_unref(v);
}

static void test_pb_parse_kv_escaped_equals_is_raw(void **state)
{
    struct val *v = kv("a\\=b", false);

    (void)state;
    assert_string_equal(val_dict_get_str(v, "_raw_params"), "a=b");
    val_unref(v);
}

static void test_pb_split_args_unbalanced_quote_fails(void **state)
{
    struct svec out = SVEC_INIT;
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(pb_split_args("a='x y", &out, NULL, &err), -1);
    assert_int_equal(err.kind, ERR_PARSE);
    assert_non_null(strstr(err.msg, "unbalanced"));
    svec_release(&out);
}

static void test_pb_split_args_newlines_preserved(void **state)
{
    struct svec out = SVEC_INIT;
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(pb_split_args("a=1\nb=2", &out, NULL, &err), 0);
    assert_int_equal(out.len, 2);
    assert_string_equal(out.items[0], "a=1\n");
    assert_string_equal(out.items[1], "b=2");
    svec_release(&out);
}

static int action_of(const char *yaml, const char **action, struct val **args, bool *local,
                     struct arena *a, struct err *err)
{
    struct val *ds = val_from_yaml(yaml, strlen(yaml), "t.yml", err);
    struct srcpos pos;
    int ret;

    assert_non_null(ds);
    ret = pb_task_action(ds, a, action, args, &pos, local, err);
    if (ret == 0) {
        *action = arena_strdup(a, *action);
    }
    val_unref(ds);
    return ret;
}

static void test_pb_task_action_forms(void **state)
{
    struct arena a = ARENA_INIT;
    struct err err = ERR_INIT;
    const char *action;
    struct val *args = NULL;
    bool local;

    (void)state;
    assert_int_equal(action_of("name: x\ncopy: src=a dest=b\nargs: {mode: '0600', src: z}\n",
                               &action, &args, &local, &a, &err), 0);
    assert_string_equal(action, "copy");
    assert_string_equal(val_dict_get_str(args, "src"), "a");
    assert_string_equal(val_dict_get_str(args, "mode"), "0600");
    val_unref(args);
    assert_int_equal(action_of("local_action: shell echo hi\n", &action, &args, &local, &a,
                               &err), 0);
    assert_string_equal(action, "shell");
    assert_true(local);
    assert_string_equal(val_dict_get_str(args, "_raw_params"), "echo hi");
    val_unref(args);
    assert_int_equal(action_of("action: {module: file, path: /x}\n", &action, &args, &local, &a,
                               &err), 0);
    assert_string_equal(action, "file");
    assert_string_equal(val_dict_get_str(args, "path"), "/x");
    val_unref(args);
    arena_release(&a);
}

static void test_pb_task_action_errors(void **state)
{
    struct arena a = ARENA_INIT;
    struct err err = ERR_INIT;
    const char *action;
    struct val *args = NULL;
    bool local;

    (void)state;
    assert_int_equal(action_of("copy: {}\nfile: {}\n", &action, &args, &local, &a, &err), -1);
    assert_string_equal(err.msg, "conflicting action statements: copy, file");
    assert_int_equal(err.pos.line, 2);
    err_clear(&err);
    assert_int_equal(action_of("name: x\nwhen: y\n", &action, &args, &local, &a, &err), -1);
    assert_string_equal(err.msg, "no module/action detected in task");
    err_clear(&err);
    assert_int_equal(action_of("copy: free words\n", &action, &args, &local, &a, &err), -1);
    assert_non_null(strstr(err.msg, "has extra params"));
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pb_parse_kv_quotes_and_spaces),
        cmocka_unit_test(test_pb_parse_kv_jinja_kept_together),
        cmocka_unit_test(test_pb_parse_kv_check_raw_keeps_command),
        cmocka_unit_test(test_pb_parse_kv_decodes_python_escapes),
        cmocka_unit_test(test_pb_parse_kv_escaped_equals_is_raw),
        cmocka_unit_test(test_pb_split_args_unbalanced_quote_fails),
        cmocka_unit_test(test_pb_split_args_newlines_preserved),
        cmocka_unit_test(test_pb_task_action_forms),
        cmocka_unit_test(test_pb_task_action_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
