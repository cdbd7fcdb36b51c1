/* tests/unit/test-check-host.c: tests installer/check/check-host.c (the host checks judged on
 * probe facts written here): version order, the clock window, CIDR overlap, unknown systems,
 * uniqueness across hosts, and the probe command built from host variables */
#include "unit-check.h"
#include <math.h>
#include <string.h>
#include "base/err.h"
#include "check/check.h"
#include "value/val-json.h"
#include "value/val.h"

/* A CentOS 7.9 host (os-release says only "7") with kernel 3.10 whose clock read 1000.000 s
 * when it started. */
static const char centos[] =
    "{\"probe\": \"host\", \"time_ns\": 1000000000000, \"elapsed_ns\": 50000000, "
    "\"hostname\": \"a\", \"machine_id\": \"m1\", \"kernel\": \"3.10.0-1160.el7.x86_64\", "
    "\"os\": {\"id\": \"centos\", \"version_id\": \"7\", "
    "\"release\": \"CentOS Linux release 7.9.2009 (Core)\"}, \"cpus\": 8, "
    "\"mem_total_mb\": 16000, "
    "\"swap_total_mb\": 0, \"paths\": [{\"path\": \"/\", \"exists\": true, \"total_gb\": 50, "
    "\"free_gb\": 30}, {\"path\": \"/data\", \"exists\": true, \"total_gb\": 500, "
    "\"free_gb\": 400}], \"modules\": {\"iptable_nat\": true, \"br_netfilter\": true, "
    "\"overlay\": true, \"nf_conntrack\": true}, \"sysctl\": {\"net.ipv4.ip_forward\": \"1\", "
    "\"net.bridge.bridge-nf-call-iptables\": \"1\"}, \"routes\": [{\"iface\": \"eth0\", "
    "\"dest\": \"0.0.0.0\", \"prefix\": 0}, {\"iface\": \"eth0\", \"dest\": \"172.16.32.0\", "
    "\"prefix\": 20}], \"listening\": [], \"dns\": {\"nameservers\": [\"10.0.0.2\"], "
    "\"search\": []}, \"binaries\": {\"ip\": \"/usr/sbin/ip\", "
    "\"iptables\": \"/usr/sbin/iptables\","
    " \"mount\": \"/usr/bin/mount\", \"nsenter\": \"/usr/bin/nsenter\", \"ebtables\": \"/x\", "
    "\"ethtool\": \"/x\", \"socat\": \"/x\", \"tc\": \"/x\", \"conntrack\": \"/x\", "
    "\"ipset\": \"/x\"},"
    " \"connect\": null}";

static void judge(struct val *probe, struct val *vars, int64_t before_ms, int64_t after_ms,
                  struct check_list *l)
{
    struct check_host_facts facts = { .probe = probe,
                                      .before_ns = before_ms * 1000000,
                                      .after_ns = after_ms * 1000000 };
    struct err err = ERR_INIT;

    assert_int_equal(check_host_judge(&facts, NULL, vars, l, &err), 0);
}

static void test_a_good_centos_host_passes(void **state)
{
    struct val *probe = check_test_json(centos), *vars = val_dict();
    struct check_list l = { 0 };

    (void)state;
    /* the probe started between our 999990 and 1000080 - 50 ms: its clock may be right */
    judge(probe, vars, 999990, 1000080, &l);
    for (size_t i = 0; i < l.len; i++) {
        if (l.items[i].verdict != VERDICT_PASS) {
            fail_msg("%s: %s", l.items[i].id, l.items[i].detail ? l.items[i].detail : "");
        }
    }
    /* the default pod CIDR 172.16.0.0/19 ends below 172.16.32.0/20: no conflict */
    assert_true(check_test_find(&l, "host.pod_cidr")->value == 0);
    assert_true(check_test_find(&l, "host.time_offset")->value == 0);
    assert_string_equal(check_test_find(&l, "host.kernel")->detail,
                        "3.10.0-1160.el7.x86_64 (needs 3.10 or later)");
    assert_string_equal(check_test_find(&l, "host.os")->detail,
                        "centos 7.9.2009 (Core) (needs 7.2 or later)");
    check_list_release(&l);
    val_unref(vars);
    val_unref(probe);
}

static void test_versions_clock_and_cidr(void **state)
{
    struct val *probe = check_test_json(centos), *vars = val_dict();
    struct check_list l = { 0 };
    const struct check_outcome *o;

    (void)state;
    val_dict_set_take(vars, "check_kernel_min", val_str("3.9")); /* 3.10 is later than 3.9 */
    val_dict_set_take(vars, "check_kernel_warn", val_str("4.19"));
    val_dict_set_take(vars, "cluster_cidr", val_str("172.16.0.0/16"));
    /* we read 1002000 .. 1002100 ms: the host is at least 1950 ms behind */
    judge(probe, vars, 1002000, 1002100, &l);
    assert_int_equal(check_test_find(&l, "host.kernel")->verdict, VERDICT_WARN);
    o = check_test_find(&l, "host.time_offset");
    assert_int_equal(o->verdict, VERDICT_FAIL);
    assert_true(fabs(o->value - 2000) < 1e-6);
    o = check_test_find(&l, "host.pod_cidr");
    assert_int_equal(o->verdict, VERDICT_FAIL);
    assert_string_equal(o->detail, "172.16.0.0/16 overlaps 172.16.32.0/20 on eth0");
    check_list_release(&l);

    val_dict_set_take(vars, "check_kernel_min", val_str("3.11"));
    judge(probe, vars, 999990, 1000080, &l);
    assert_int_equal(check_test_find(&l, "host.kernel")->verdict, VERDICT_FAIL);
    check_list_release(&l);
    val_unref(vars);
    val_unref(probe);
}

static void test_unknown_os_warns_old_one_fails(void **state)
{
    struct val *probe = check_test_json(centos), *vars = val_dict();
    struct check_list l = { 0 };

    (void)state;
    val_dict_set_take(val_dict_get(probe, "os"), "release",
                      val_str("CentOS Linux release 7.1.1503 (Core)"));
    judge(probe, vars, 999990, 1000080, &l);
    assert_int_equal(check_test_find(&l, "host.os")->verdict, VERDICT_FAIL);
    assert_string_equal(check_test_find(&l, "host.os")->detail,
                        "centos 7.1.1503 (Core) (needs 7.2 or later)");
    check_list_release(&l);
    val_dict_set_take(val_dict_get(probe, "os"), "id", val_str("gentoo"));
    judge(probe, vars, 999990, 1000080, &l);
    assert_int_equal(check_test_find(&l, "host.os")->verdict, VERDICT_WARN);
    check_list_release(&l);
    val_unref(vars);
    val_unref(probe);
}

static void test_unique_names_and_machine_ids(void **state)
{
    struct check_host_facts facts[3] = { { .probe = check_test_json(centos) },
                                         { .probe = check_test_json(centos) },
                                         { .probe = NULL } };
    const char *names[3] = { "n1", "n2", "n3" };
    struct check_list lists[3] = { { 0 } };

    (void)state;
    val_dict_set_take(facts[1].probe, "hostname", val_str("b"));
    check_hosts_judge_unique(facts, names, 3, lists);
    assert_int_equal(check_test_find(&lists[0], "host.hostname_unique")->verdict, VERDICT_PASS);
    assert_int_equal(check_test_find(&lists[0], "host.machine_id_unique")->verdict, VERDICT_FAIL);
    assert_string_equal(check_test_find(&lists[1], "host.machine_id_unique")->detail, "same as n1");
    assert_int_equal(lists[2].len, 0); /* no facts: host.probe speaks for it */
    for (int i = 0; i < 3; i++) {
        check_list_release(&lists[i]);
        val_unref(facts[i].probe);
    }
}

static void test_command_from_host_variables(void **state)
{
    struct val *vars = val_dict();
    char *cmd;

    (void)state;
    val_dict_set_take(vars, "check_path", val_str("/srv/data dir"));
    val_dict_set_take(vars, "check_ports", val_str("6443, 2379"));
    val_dict_set_take(vars, "check_ex_net", val_str("false"));
    cmd = check_host_command(vars);
    assert_non_null(strstr(cmd, " --path / --path '/srv/data dir' "));
    assert_non_null(strstr(cmd, " --port 6443 --port 2379 "));
    assert_non_null(strstr(cmd, " --sysctl net.ipv4.ip_forward --sysctl "));
    assert_null(strstr(cmd, "--connect"));
    assert_non_null(strstr(cmd, "; rc=$?; rm -f /tmp/pot-probe-host; exit $rc"));
    free(cmd);
    val_unref(vars);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_good_centos_host_passes),
        cmocka_unit_test(test_versions_clock_and_cidr),
        cmocka_unit_test(test_unknown_os_warns_old_one_fails),
        cmocka_unit_test(test_unique_names_and_machine_ids),
        cmocka_unit_test(test_command_from_host_variables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
