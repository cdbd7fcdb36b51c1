/* tests/unit/test-inv-addr.c: tests installer/inventory/inv-addr.c */
#include "unit.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/vec.h"
#include "inventory/inv-impl.h"

/* Expands 'pattern' and returns "name name ... :port" for comparison. */
static void assert_expand(const char *pattern, const char *want)
{
    struct err err = ERR_INIT;
    struct svec names = SVEC_INIT;
    struct buf got = BUF_INIT;
    int port = -1;

    assert_int_equal(inv_expand_host_pattern(pattern, &names, &port, NULL, &err), 0);
    for (size_t i = 0; i < names.len; i++) {
        buf_addf(&got, "%s ", names.items[i]);
    }
    buf_addf(&got, ":%d", port);
    assert_string_equal(got.ptr, want);
    buf_release(&got);
    svec_release(&names);
}

static void test_inv_addr_ranges_and_ports(void **state)
{
    (void)state;
    assert_expand("db[01:03]:2222", "db01 db02 db03 :2222");
    assert_expand("n[1:7:3]", "n1 n4 n7 :0");
    assert_expand("r[1:2]-[x:y]", "r1-x r1-y r2-x r2-y :0");
    assert_expand("[::1]:2200", "::1 :2200");
    assert_expand("10.0.0.[1:2]", "10.0.0.1 10.0.0.2 :0");
    assert_expand("x[:1]:22", "x0:22 x1:22 :0");
    assert_expand("user@host:22", "user@host:22 :0");
}

static void test_inv_addr_bad_ranges(void **state)
{
    struct err err = ERR_INIT;
    struct svec names = SVEC_INIT;
    struct srcpos pos = { "hosts", 3, 1 };
    int port;

    (void)state;
    assert_int_equal(inv_expand_host_pattern("a[1:2:0]", &names, &port, &pos, &err), -1);
    assert_string_equal(err.msg, "bad host range 'a[1:2:0]': the step must not be zero");
    assert_int_equal(err.pos.line, 3);
    assert_int_equal(inv_expand_host_pattern("a[c:a]", &names, &port, &pos, &err), -1);
    assert_string_equal(err.msg, "bad host range 'a[c:a]': begin must not be after end");
    assert_int_equal(inv_expand_host_pattern("a[1]", &names, &port, &pos, &err), -1);
    assert_int_equal(inv_expand_host_pattern("a[1:]", &names, &port, &pos, &err), -1);
    assert_string_equal(err.msg, "bad host range 'a[1:]': a range must have an end value");
    svec_release(&names);
}

static void test_inv_addr_ip_detection(void **state)
{
    (void)state;
    assert_true(inv_is_ip_address("10.1.2.3"));
    assert_true(inv_is_ip_address("fe80::1"));
    assert_false(inv_is_ip_address("10.1.2.300"));
    assert_false(inv_is_ip_address("web.example.com"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inv_addr_ranges_and_ports),
        cmocka_unit_test(test_inv_addr_bad_ranges),
        cmocka_unit_test(test_inv_addr_ip_detection),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
