/* tests/unit/test-inv-ini.c: tests installer/inventory/inv-ini.c */
#include "unit.h"
#include "base/err.h"
#include "inventory/inv.h"
#include "value/val.h"

static struct inventory *load_ini(const char *text, struct err *err)
{
    struct inventory *inv = inv_new();

    if (inv_load_ini(inv, text, "hosts", err) < 0 || inv_finish(inv, err) < 0) {
        inv_free(inv);
        return NULL;
    }
    return inv;
}

static struct inventory *load_fixture(const char *text)
{
    struct err err = ERR_INIT;
    struct inventory *inv = load_ini(text, &err);

    if (!inv) {
        fail_msg("load failed: %s", err.msg);
    }
    return inv;
}

static void assert_load_error(const char *text, int line, const char *msg)
{
    struct err err = ERR_INIT;
    struct inventory *inv = load_ini(text, &err);

    assert_null(inv);
    assert_int_equal(err.kind, ERR_PARSE);
    assert_int_equal(err.pos.line, line);
    assert_string_equal(err.msg, msg);
}

static void test_inv_ini_range_expands_in_order(void **state)
{
    struct inventory *inv = load_fixture("[web]\nnode[01:05:2]\nweb[a:b]\n");

    (void)state;
    assert_int_equal(inv_host_count(inv), 5);
    assert_string_equal(inv_host_at(inv, 0)->name, "node01");
    assert_string_equal(inv_host_at(inv, 2)->name, "node05");
    assert_string_equal(inv_host_at(inv, 4)->name, "webb");
    inv_free(inv);
}

static void test_inv_ini_host_vars_are_python_literals(void **state)
{
    struct inventory *inv = load_fixture("h1:2222 a=1 b='x' c=yes d=\"a b\" e=x#cut\n");
    struct inv_host *h = inv_find_host(inv, "h1");

    (void)state;
    assert_int_equal(val_dict_get(h->vars, "ansible_port")->u.i, 2222);
    assert_int_equal(val_dict_get(h->vars, "a")->type, VAL_INT);
    assert_string_equal(val_dict_get_str(h->vars, "b"), "x");
    assert_string_equal(val_dict_get_str(h->vars, "c"), "yes");
    assert_string_equal(val_dict_get_str(h->vars, "d"), "a b");
    assert_string_equal(val_dict_get_str(h->vars, "e"), "x");
    inv_free(inv);
}

static void test_inv_ini_group_vars_keep_comments_unless_literal(void **state)
{
    struct inventory *inv = load_fixture("[g]\nh\n[g:vars]\ns='true' # on\nt=bar # kept\n");
    struct inv_group *g = inv_find_group(inv, "g");

    (void)state;
    assert_string_equal(val_dict_get_str(g->vars, "s"), "true");
    assert_string_equal(val_dict_get_str(g->vars, "t"), "bar # kept");
    inv_free(inv);
}

static void test_inv_ini_children_may_come_first(void **state)
{
    struct inventory *inv = load_fixture("[p:children]\nc\n[c]\nh1\n");
    struct inv_group *p = inv_find_group(inv, "p");

    (void)state;
    assert_int_equal(p->children.len, 1);
    assert_string_equal(((struct inv_group *)p->children.items[0])->name, "c");
    assert_int_equal(inv_find_group(inv, "c")->depth, 2);
    inv_free(inv);
}

static void test_inv_ini_ungrouped_only_without_other_group(void **state)
{
    struct inventory *inv = load_fixture("a\nb\n[g]\nb\n");
    struct inv_group *ungrouped = inv_find_group(inv, "ungrouped");

    (void)state;
    assert_int_equal(ungrouped->hosts.len, 1);
    assert_string_equal(((struct inv_host *)ungrouped->hosts.items[0])->name, "a");
    inv_free(inv);
}

static void test_inv_ini_errors_name_line(void **state)
{
    (void)state;
    assert_load_error("[web\nh\n", 1, "unclosed section header '[web': missing ']'");
    assert_load_error("[w]\nn[01:3]\n", 2,
                      "bad host range 'n[01:3]': begin and end must have the same length");
    assert_load_error("[w:children]\nnope\n", 2, "undefined group 'nope' in [w:children]");
    assert_load_error("[w:vars]\na=1\n", 1, "[w:vars] names group 'w', which is never defined");
    assert_load_error("[w]\nh a='x\n", 2, "cannot split host line: no closing quotation");
    assert_load_error("[w:x]\n", 1, "unknown section type 'x' in [w:x]");
    assert_load_error("[a:children]\nb\n[b:children]\na\n[b]\n", 4,
                      "adding group 'a' as a child of 'b' creates a dependency loop");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inv_ini_range_expands_in_order),
        cmocka_unit_test(test_inv_ini_host_vars_are_python_literals),
        cmocka_unit_test(test_inv_ini_group_vars_keep_comments_unless_literal),
        cmocka_unit_test(test_inv_ini_children_may_come_first),
        cmocka_unit_test(test_inv_ini_ungrouped_only_without_other_group),
        cmocka_unit_test(test_inv_ini_errors_name_line),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
