/* tests/unit/test-check-verdict.c: tests installer/probe/probe-stats.c (the probe's percentiles),
 * installer/check/check-verdict.c (limits, thresholds from host variables, disk and network
 * verdicts) and the network mesh's schedule in installer/check/check-net.c */
#include "unit-check.h"
#include <math.h>
#include <string.h>
#include "base/err.h"
#include "check/check.h"
#include "probe/probe-stats.h"
#include "value/val-json.h"
#include "value/val.h"

static void test_percentile_nearest_rank(void **state)
{
    uint64_t v[1000];

    (void)state;
    for (size_t i = 0; i < 1000; i++) {
        v[i] = 1000 - i; /* 1000..1: reversed, so sorting matters */
    }
    stats_sort(v, 1000);
    assert_int_equal(v[0], 1);
    assert_int_equal(stats_percentile(v, 1000, 50), 500);
    assert_int_equal(stats_percentile(v, 1000, 99), 990);
    assert_int_equal(stats_percentile(v, 1000, 99.9), 999); /* not 1000: 0.999*1000 rounds up */
    assert_int_equal(stats_percentile(v, 1000, 100), 1000);
    assert_int_equal(stats_percentile(v, 1000, 0.01), 1);
}

static void test_percentile_small_and_empty(void **state)
{
    uint64_t one[] = { 42 }, ten[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 100 };

    (void)state;
    assert_int_equal(stats_percentile(NULL, 0, 99), 0);
    assert_true(stats_mean(NULL, 0) == 0);
    assert_int_equal(stats_percentile(one, 1, 50), 42);
    assert_int_equal(stats_percentile(one, 1, 99.9), 42);
    /* 10 samples: p50 is the 5th, p99 and p99.9 the 10th (the outlier shows) */
    assert_int_equal(stats_percentile(ten, 10, 50), 5);
    assert_int_equal(stats_percentile(ten, 10, 90), 9);
    assert_int_equal(stats_percentile(ten, 10, 99), 100);
    assert_true(fabs(stats_mean(ten, 10) - 14.5) < 1e-9);
}

static void test_judge_limits(void **state)
{
    (void)state;
    /* lower is better (latency): fail above 10, warn above 5 */
    assert_int_equal(check_judge(4, false, 10, 5), VERDICT_PASS);
    assert_int_equal(check_judge(5, false, 10, 5), VERDICT_PASS); /* equal passes */
    assert_int_equal(check_judge(7, false, 10, 5), VERDICT_WARN);
    assert_int_equal(check_judge(10.01, false, 10, 5), VERDICT_FAIL);
    /* higher is better (IOPS): fail below 300, warn below 500 */
    assert_int_equal(check_judge(600, true, 300, 500), VERDICT_PASS);
    assert_int_equal(check_judge(400, true, 300, 500), VERDICT_WARN);
    assert_int_equal(check_judge(299, true, 300, 500), VERDICT_FAIL);
    /* NAN: no such limit */
    assert_int_equal(check_judge(1e9, false, NAN, NAN), VERDICT_PASS);
    assert_int_equal(check_judge(11, false, NAN, 10), VERDICT_WARN);
    assert_int_equal(check_judge(11, false, 10, NAN), VERDICT_FAIL);
}

static const char good_probe[] =
    "{\"probe\": \"disk\", \"randread_iops\": 4000, \"randwrite_iops\": 400, "
    "\"fdatasync\": {\"p50_us\": 900.0, \"p99_us\": 2376.0, \"p999_us\": 15800.0}}";

static void test_disk_defaults(void **state)
{
    struct val *probe = check_test_json(good_probe), *vars = val_dict();
    struct check_list l = { 0 };
    struct err err = ERR_INIT;
    const struct check_outcome *o;

    (void)state;
    assert_int_equal(check_disk_judge(probe, NULL, vars, &l, &err), 0);
    assert_int_equal(l.len, 4);
    o = check_test_find(&l,
                        "disk.fdatasync_p99"); /* IBM's example: p99 2.376 ms passes etcd's 10 ms */
    assert_int_equal(o->verdict, VERDICT_PASS);
    assert_true(fabs(o->value - 2.376) < 1e-9);
    assert_true(o->threshold == 10);
    assert_false(o->higher_is_better);
    o = check_test_find(&l, "disk.fdatasync_p999"); /* ... but its p99.9 of 15.8 ms warns */
    assert_int_equal(o->verdict, VERDICT_WARN);
    assert_true(o->threshold == 10);
    assert_non_null(strstr(o->hint, "spikes"));
    assert_int_equal(check_test_find(&l, "disk.randread_iops")->verdict, VERDICT_PASS);
    o = check_test_find(&l, "disk.randwrite_iops"); /* 400: above the kit's 300, below etcd's 500 */
    assert_int_equal(o->verdict, VERDICT_WARN);
    assert_true(o->threshold == 500);
    assert_int_equal(check_list_worst(&l), VERDICT_WARN);
    check_list_release(&l);
    val_unref(vars);
    val_unref(probe);
}

static void test_disk_thresholds_from_inventory(void **state)
{
    struct val *probe = check_test_json(good_probe), *vars = val_dict();
    struct check_list l = { 0 };
    struct err err = ERR_INIT;
    const struct check_outcome *o;

    (void)state;
    val_dict_set_take(vars, "disk_iops", val_str("1000000")); /* INI values are strings */
    val_dict_set_take(vars, "check_disk_fdatasync_p99_ms", val_double(2.0));
    val_dict_set_take(vars, "check_disk_fdatasync_p999_warn_ms", val_int(20));
    assert_int_equal(check_disk_judge(probe, NULL, vars, &l, &err), 0);
    o = check_test_find(&l, "disk.randwrite_iops");
    assert_int_equal(o->verdict, VERDICT_FAIL);
    assert_true(o->threshold == 1000000);
    assert_int_equal(check_test_find(&l, "disk.fdatasync_p99")->verdict, VERDICT_FAIL);
    assert_int_equal(check_test_find(&l, "disk.fdatasync_p999")->verdict, VERDICT_PASS);
    assert_int_equal(check_list_worst(&l), VERDICT_FAIL);
    check_list_release(&l);

    val_dict_set_take(vars, "disk_iops", val_str("fast"));
    assert_int_equal(check_disk_judge(probe, NULL, vars, &l, &err), -1);
    assert_int_equal(err.kind, ERR_USAGE);
    assert_string_equal(err.msg, "host variable 'disk_iops' is not a number");
    check_list_release(&l);
    val_unref(vars);
    val_unref(probe);
}

/* A check's own *_mandatory switch, or its family's switch of the original kit, marks it. */
static void test_mandatory_switches(void **state)
{
    struct check_list l = { 0 };
    struct val *vars = val_dict();
    const char *ids[] = { "host.memory", "host.kernel", "host.kernel_modules", "disk.fdatasync_p99",
                          "net.throughput", "host.pod_cidr" };

    (void)state;
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        check_list_add(&l, ids[i], "", false, "hint")->verdict = VERDICT_FAIL;
    }
    check_list_mark_mandatory(&l, vars);
    assert_true(check_test_find(&l, "host.pod_cidr")->mandatory); /* the kit's default */
    assert_false(check_test_find(&l, "host.memory")->mandatory);
    val_dict_set_take(vars, "check_network_mandatory", val_str("false"));
    check_list_mark_mandatory(&l, vars);
    assert_false(check_list_mandatory_failed(&l)); /* nothing switched on */

    val_dict_set_take(vars, "check_host_memory_mandatory", val_str("true"));
    val_dict_set_take(vars, "check_version_mandatory", val_str("'false'"));
    val_dict_set_take(vars, "check_nat_mandatory", val_bool(true)); /* YAML inventories */
    val_dict_set_take(vars, "check_perfor_mandatory", val_str("yes"));
    check_list_mark_mandatory(&l, vars);
    assert_true(check_test_find(&l, "host.memory")->mandatory);
    assert_false(check_test_find(&l, "host.kernel")->mandatory); /* not a true value */
    assert_true(check_test_find(&l, "host.kernel_modules")->mandatory);
    assert_true(check_test_find(&l, "disk.fdatasync_p99")->mandatory);
    assert_true(check_test_find(&l, "net.throughput")->mandatory);
    assert_true(check_list_mandatory_failed(&l));

    for (size_t i = 0; i < l.len; i++) {
        l.items[i].verdict = l.items[i].mandatory ? VERDICT_WARN : VERDICT_FAIL;
    }
    assert_false(check_list_mandatory_failed(&l)); /* a warning is never fatal */
    check_list_release(&l);
    val_unref(vars);
}

static void test_disk_probe_failed(void **state)
{
    struct val *probe = check_test_json(
        "{\"probe\": \"disk\", \"error\": \"writing '/mnt/pot-probe.wal': "
        "No space left on device\"}");
    struct check_list l = { 0 };
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(check_disk_judge(probe, NULL, NULL, &l, &err), 0);
    assert_int_equal(l.len, 1);
    assert_string_equal(l.items[0].id, "disk.probe");
    assert_int_equal(l.items[0].verdict, VERDICT_FAIL);
    assert_non_null(strstr(l.items[0].detail, "No space left"));
    assert_non_null(strstr(l.items[0].hint, "--size"));
    check_list_release(&l);
    /* no JSON at all (unreachable host): the reason becomes the detail */
    assert_int_equal(check_disk_judge(NULL, "connection refused", NULL, &l, &err), 0);
    assert_string_equal(l.items[0].detail, "connection refused");
    check_list_release(&l);
    val_unref(probe);
}

static void test_disk_missing_number_fails(void **state)
{
    struct val *probe = check_test_json(
        "{\"probe\": \"disk\", \"randread_iops\": 5000, "
        "\"randwrite_iops\": 5000, \"fdatasync\": {\"p99_us\": 100}}");
    struct check_list l = { 0 };
    struct err err = ERR_INIT;
    const struct check_outcome *o;

    (void)state;
    assert_int_equal(check_disk_judge(probe, NULL, NULL, &l, &err), 0);
    o = check_test_find(&l, "disk.fdatasync_p999"); /* never a silent skip */
    assert_int_equal(o->verdict, VERDICT_FAIL);
    assert_true(isnan(o->value));
    assert_non_null(strstr(o->detail, "p999_us"));
    check_list_release(&l);
    val_unref(probe);
}

/* A 1 GbE pair: 941 Mbit/s one stream, 944 parallel, p99 0.4 ms, 0.7 % retransmitted. */
static const char net_probe[] =
    "{\"probe\": \"net\", \"streams\": 4, \"single\": {\"mbps\": 941.2}, "
    "\"parallel\": {\"mbps\": 944.0}, \"retransmit_pct\": 0.7, "
    "\"rtt\": {\"p50_us\": 120.0, \"p99_us\": 400.0}}";

static void test_net_defaults_and_thresholds(void **state)
{
    struct val *probe = check_test_json(net_probe), *vars = val_dict();
    struct check_list l = { 0 };
    struct err err = ERR_INIT;
    const struct check_outcome *o;

    (void)state;
    assert_int_equal(check_net_judge(probe, NULL, vars, &l, &err), 0);
    assert_int_equal(l.len, 4);
    o = check_test_find(&l, "net.throughput");
    assert_int_equal(o->verdict, VERDICT_PASS);
    assert_true(o->value == 941.2);
    assert_true(o->threshold == 500);
    assert_true(o->higher_is_better);
    o = check_test_find(&l, "net.rtt_p99");
    assert_int_equal(o->verdict, VERDICT_PASS);
    assert_true(fabs(o->value - 0.4) < 1e-9);
    o = check_test_find(&l, "net.retransmits"); /* 0.7 %: above the 0.5 % warn limit */
    assert_int_equal(o->verdict, VERDICT_WARN);
    assert_true(o->threshold == 0.5);
    assert_non_null(strstr(o->hint, "lost"));
    assert_int_equal(check_list_worst(&l), VERDICT_WARN);
    check_list_release(&l);

    val_dict_set_take(vars, "check_net_mbps", val_str("10000")); /* a 10 GbE expectation */
    val_dict_set_take(vars, "check_net_retransmit_pct_warn", val_int(1));
    assert_int_equal(check_net_judge(probe, NULL, vars, &l, &err), 0);
    assert_int_equal(check_test_find(&l, "net.throughput")->verdict, VERDICT_FAIL);
    assert_int_equal(check_test_find(&l, "net.throughput_parallel")->verdict, VERDICT_FAIL);
    assert_int_equal(check_test_find(&l, "net.retransmits")->verdict, VERDICT_PASS);
    check_list_release(&l);

    assert_int_equal(check_net_judge(NULL, "node3: connection refused", vars, &l, &err), 0);
    assert_int_equal(l.len, 1);
    assert_string_equal(l.items[0].id, "net.probe");
    assert_string_equal(l.items[0].detail, "node3: connection refused");
    assert_non_null(strstr(l.items[0].hint, "check_net_port"));
    check_list_release(&l);
    val_unref(vars);
    val_unref(probe);
}

/* Every ordered pair exactly once, no host in two pairs of one phase, phases in order. */
static void test_net_schedule(void **state)
{
    (void)state;
    for (size_t n = 0; n <= 11; n++) {
        struct check_net_pair *pairs;
        size_t phases, count = check_net_schedule(n, &pairs, &phases);
        unsigned char seen[11][11] = { { 0 } };

        assert_int_equal(count, n < 2 ? 0 : n * (n - 1));
        assert_int_equal(phases, n < 2 ? 0 : 2 * (n + n % 2 - 1));
        for (size_t i = 0; i < count; i++) {
            assert_true(pairs[i].from < n && pairs[i].to < n && pairs[i].from != pairs[i].to);
            assert_int_equal(seen[pairs[i].from][pairs[i].to]++, 0);
            assert_true(pairs[i].phase < phases);
            assert_true(i == 0 || pairs[i - 1].phase <= pairs[i].phase);
            for (size_t j = 0; j < i; j++) {
                if (pairs[j].phase == pairs[i].phase) {
                    assert_true(pairs[j].from != pairs[i].from && pairs[j].from != pairs[i].to);
                    assert_true(pairs[j].to != pairs[i].from && pairs[j].to != pairs[i].to);
                }
            }
        }
        free(pairs);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percentile_nearest_rank),
        cmocka_unit_test(test_percentile_small_and_empty),
        cmocka_unit_test(test_judge_limits),
        cmocka_unit_test(test_disk_defaults),
        cmocka_unit_test(test_disk_thresholds_from_inventory),
        cmocka_unit_test(test_mandatory_switches),
        cmocka_unit_test(test_disk_probe_failed),
        cmocka_unit_test(test_disk_missing_number_fails),
        cmocka_unit_test(test_net_defaults_and_thresholds),
        cmocka_unit_test(test_net_schedule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
