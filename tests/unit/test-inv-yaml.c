/* tests/unit/test-inv-yaml.c: tests installer/inventory/inv-yaml.c */
#include "unit.h"
#include "base/err.h"
#include "inventory/inv.h"
#include "value/val.h"

static void test_inv_yaml_groups_hosts_vars(void **state)
{
    struct err err = ERR_INIT;
    struct inventory *inv = inv_new();
    struct inv_host *web2;

    (void)state;
    assert_int_equal(inv_load_yaml(inv,
                                   "all:\n  vars: {a: 1}\n  children:\n    web:\n"
                                   "      hosts:\n        web[1:2]:2200: {p: yes}\n"
                                   "      children:\n        inner:\n          hosts: solo\n"
                                   "    junk: [1]\n",
                                   "inv.yml", &err),
                     0);
    assert_int_equal(inv_finish(inv, &err), 0);
    web2 = inv_find_host(inv, "web2");
    assert_non_null(web2);
    assert_int_equal(val_dict_get(web2->vars, "ansible_port")->u.i, 2200);
    assert_true(val_dict_get(web2->vars, "p")->u.b);
    assert_non_null(inv_find_host(inv, "solo"));
    assert_null(inv_find_group(inv, "junk"));
    assert_int_equal(inv_find_group(inv, "inner")->depth, 2);
    inv_free(inv);
}

static void test_inv_yaml_errors(void **state)
{
    struct err err = ERR_INIT;
    struct inventory *inv = inv_new();

    (void)state;
    assert_int_equal(inv_load_yaml(inv, "all:\n  hosts:\n    - h1\n", "inv.yml", &err), -1);
    assert_int_equal(err.kind, ERR_PARSE);
    assert_int_equal(err.pos.line, 3);
    assert_string_equal(err.msg, "'hosts' of group 'all' must be a mapping, not list");
    assert_int_equal(inv_load_yaml(inv, "- a\n", "inv.yml", &err), -1);
    assert_string_equal(err.msg, "a YAML inventory must be a mapping of groups, not list");
    assert_int_equal(inv_load_yaml(inv, "plugin: aws_ec2\n", "inv.yml", &err), -1);
    inv_free(inv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inv_yaml_groups_hosts_vars),
        cmocka_unit_test(test_inv_yaml_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
