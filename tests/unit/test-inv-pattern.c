/* tests/unit/test-inv-pattern.c: tests installer/inventory/inv-pattern.c */
#include "unit.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/vec.h"
#include "inventory/inv.h"

static struct inventory *inv;

static int setup(void **state)
{
    struct err err = ERR_INIT;

    (void)state;
    inv = inv_new();
    if (inv_load_ini(inv,
                     "lone\n[web]\nweb[1:3]\n[db]\ndb1\nweb2\n[prod:children]\nweb\ndb\n",
                     "hosts", &err) < 0 ||
        inv_finish(inv, &err) < 0) {
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    inv_free(inv);
    return 0;
}

/* The names matching 'pattern' (and 'limit'), space separated. */
static void assert_match(const char *pattern, const char *limit, const char *want)
{
    struct err err = ERR_INIT;
    struct vec hosts = VEC_INIT;
    struct buf got = BUF_INIT;

    assert_int_equal(inv_match(inv, pattern, limit, &hosts, NULL, &err), 0);
    for (size_t i = 0; i < hosts.len; i++) {
        buf_addf(&got, "%s%s", i ? " " : "", ((struct inv_host *)hosts.items[i])->name);
    }
    assert_string_equal(got.ptr, want);
    buf_release(&got);
    vec_release(&hosts);
}

static void test_inv_pattern_names_and_sets(void **state)
{
    (void)state;
    assert_match("all", NULL, "lone web1 web2 web3 db1");
    assert_match("*", NULL, "lone web1 web2 web3 db1");
    assert_match("db", NULL, "db1 web2");
    assert_match("db:web", NULL, "db1 web2 web1 web3");
    assert_match("db,lone", NULL, "db1 web2 lone");
    assert_match("web:&db", NULL, "web2");
    assert_match("prod:!db", NULL, "web1 web3");
    assert_match("!web", NULL, "lone db1");
    assert_match("ungrouped", NULL, "lone");
}

static void test_inv_pattern_wildcards_regex_subscripts(void **state)
{
    (void)state;
    assert_match("web*", NULL, "web1 web2 web3");
    assert_match("~(db|lo)", NULL, "db1 web2 lone");
    assert_match("web[0]", NULL, "web1");
    assert_match("web[-1]", NULL, "web3");
    assert_match("web[1:2]", NULL, "web2 web3");
    assert_match("web[1:]", NULL, "web2 web3");
    assert_match("web1", NULL, "web1");
}

static void test_inv_pattern_limit_and_unknown(void **state)
{
    struct err err = ERR_INIT;
    struct vec hosts = VEC_INIT;
    struct svec warnings = SVEC_INIT;

    (void)state;
    assert_match("all", "web:!web2", "web1 web3");
    assert_int_equal(inv_match(inv, "nosuch:web1", NULL, &hosts, &warnings, &err), 0);
    assert_int_equal(hosts.len, 1);
    assert_int_equal(warnings.len, 1);
    assert_string_equal(warnings.items[0],
                        "could not match supplied host pattern, ignoring: 'nosuch'");
    vec_release(&hosts);
    svec_release(&warnings);
    assert_int_equal(inv_match(inv, "web[7]", NULL, &hosts, NULL, &err), -1);
    assert_int_equal(err.kind, ERR_USAGE);
    assert_string_equal(err.msg, "no hosts matched the subscripted pattern 'web[7]'");
    vec_release(&hosts);
    assert_int_equal(inv_match(inv, "~(", NULL, &hosts, NULL, &err), -1);
    assert_int_equal(err.kind, ERR_USAGE);
    vec_release(&hosts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inv_pattern_names_and_sets),
        cmocka_unit_test(test_inv_pattern_wildcards_regex_subscripts),
        cmocka_unit_test(test_inv_pattern_limit_and_unknown),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
