/* tests/unit/test-args.c: tests installer/modules/args.c and registry.c */
#include "unit.h"
#include "base/err.h"
#include "modules/args.h"
#include "modules/module.h"
#include "value/val-json.h"
#include "value/val.h"

static const struct arg_spec spec[] = {
    { .name = "path", .type = ARG_PATH, .required = true, .aliases = "dest,name" },
    { .name = "force", .type = ARG_BOOL, .def = "yes" },
    { .name = "count", .type = ARG_INT },
    { .name = "items", .type = ARG_LIST },
    { .name = "mode", .type = ARG_MODE },
    { .name = "state", .type = ARG_CHOICE, .choices = "present,absent", .def = "present" },
    { 0 },
};
static const struct module fake = { .name = "fake", .args = spec };

static int parse(const char *json, struct margs *out, struct err *err)
{
    struct err jerr = ERR_INIT;
    struct val *raw = val_from_json(json, strlen(json), "t", &jerr);
    int ret;

    assert_non_null(raw);
    ret = margs_parse(&fake, raw, NULL, out, err);
    val_unref(raw);
    return ret;
}

static void test_margs_converts_types_and_defaults(void **state)
{
    struct margs a;
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(parse("{\"dest\": \"/x\", \"count\": \"12\", "
                           "\"items\": \"a,b\", \"mode\": 420}",
                           &a, &err), 0);
    assert_string_equal(margs_str(&a, "path"), "/x");
    assert_true(margs_bool(&a, "force"));
    assert_int_equal(margs_int(&a, "count", 0), 12);
    assert_int_equal(val_list_len(margs_list(&a, "items")), 2);
    assert_string_equal(margs_str(&a, "mode"), "0644");
    assert_string_equal(margs_str(&a, "state"), "present");
    margs_release(&a);
}

static void test_margs_booleans_like_ansible(void **state)
{
    static const char *const yes[] = { "yes", "On", "TRUE", "1", "y" };
    static const char *const no[] = { "no", "OFF", "False", "0", "n" };
    bool b;

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        assert_int_equal(margs_parse_bool(yes[i], &b), 0);
        assert_true(b);
        assert_int_equal(margs_parse_bool(no[i], &b), 0);
        assert_false(b);
    }
    assert_int_equal(margs_parse_bool("maybe", &b), -1);
}

static void test_margs_errors(void **state)
{
    struct margs a;
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(parse("{\"path\": \"/x\", \"colour\": 1}", &a, &err), -1);
    assert_int_equal(err.kind, ERR_PARSE);
    assert_string_equal(err.msg, "unsupported parameter 'colour' for module 'fake'; supported "
                                 "parameters: count, dest, force, items, mode, name, path, state");
    assert_int_equal(parse("{\"force\": true}", &a, &err), -1);
    assert_string_equal(err.msg, "missing required arguments: path (module 'fake')");
    assert_int_equal(parse("{\"path\": \"/x\", \"force\": \"maybe\"}", &a, &err), -1);
    assert_string_equal(err.msg, "argument 'force' is of type str and we were unable to convert "
                                 "to bool: the value 'maybe' is not a valid boolean");
    assert_int_equal(parse("{\"path\": \"/x\", \"count\": \"many\"}", &a, &err), -1);
    assert_int_equal(parse("{\"path\": \"/x\", \"name\": \"/y\"}", &a, &err), -1);
    assert_string_equal(err.msg, "parameters are mutually exclusive: path|name");
}

static void test_module_find_accepts_collection_names(void **state)
{
    (void)state;
    assert_non_null(module_find("copy"));
    assert_ptr_equal(module_find("ansible.builtin.copy"), module_find("copy"));
    assert_ptr_equal(module_find("ansible.legacy.shell"), module_find("shell"));
    assert_null(module_find("ansible.builtin.nope"));
    assert_ptr_equal(module_find("ansible.posix.sysctl"), module_find("sysctl"));
    assert_ptr_equal(module_find("ansible.builtin.sysctl"), module_find("sysctl"));
    assert_null(module_find("ansible.posix.copy"));
    assert_null(module_find("ansible.posix"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_margs_converts_types_and_defaults),
        cmocka_unit_test(test_margs_booleans_like_ansible),
        cmocka_unit_test(test_margs_errors),
        cmocka_unit_test(test_module_find_accepts_collection_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
