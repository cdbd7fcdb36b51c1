/* tests/unit/test-mod-setup.c: tests installer/modules/mod-setup.c against this machine, and
 * against ansible-core's own setup output when `ansible` is installed */
#include "unit-mod.h"
#include <sys/utsname.h>
#include "base/strutil.h"

static int setup(void **state)
{
    struct unit_mod *m = xcalloc(1, sizeof(*m));

    unit_mod_setup(m);
    *state = m;
    return 0;
}

static int teardown(void **state)
{
    unit_mod_teardown(*state);
    free(*state);
    return 0;
}

static struct val *facts_of(struct unit_mod *m)
{
    struct val *f = val_dict_get(m->res.data, "ansible_facts");

    assert_non_null(f);
    return f;
}

static int64_t meminfo_mb(const char *key)
{
    FILE *fp = fopen("/proc/meminfo", "r");
    char line[256];
    long long kb = -1;

    assert_non_null(fp);
    while (fgets(line, sizeof(line), fp)) {
        if (str_starts_with(line, key)) {
            sscanf(line + strlen(key), " %lld", &kb);
        }
    }
    fclose(fp);
    return kb / 1024;
}

static void test_setup_matches_this_machine(void **state)
{
    struct unit_mod *m = *state;
    struct utsname un;
    struct val *f, *mounts;
    bool root = false;

    assert_int_equal(unit_mod_run(m, "setup", NULL, "{}"), RESULT_OK);
    f = facts_of(m);
    uname(&un);
    assert_string_equal(val_dict_get_str(f, "ansible_kernel"), un.release);
    assert_string_equal(val_dict_get_str(f, "ansible_machine"), un.machine);
    assert_string_equal(val_dict_get_str(f, "ansible_system"), "Linux");
    assert_string_equal(val_dict_get_str(f, "ansible_distribution"), "Debian");
    assert_string_equal(val_dict_get_str(f, "ansible_os_family"), "Debian");
    assert_string_equal(val_dict_get_str(f, "ansible_distribution_release"), "bookworm");
    assert_string_equal(val_dict_get_str(f, "ansible_distribution_major_version"), "12");
    assert_int_equal(val_dict_get(f, "ansible_memtotal_mb")->u.i, meminfo_mb("MemTotal:"));
    assert_int_equal(val_dict_get(f, "ansible_processor_vcpus")->u.i,
                     sysconf(_SC_NPROCESSORS_ONLN));
    mounts = val_dict_get(f, "ansible_mounts");
    for (size_t i = 0; i < val_list_len(mounts); i++) {
        struct val *mt = val_list_get(mounts, i);

        if (strcmp(val_dict_get_str(mt, "mount"), "/") == 0) {
            root = true;
            assert_true(val_dict_get(mt, "size_total")->u.i > 0);
        }
    }
    assert_true(root);
    assert_true(val_list_len(val_dict_get(f, "ansible_interfaces")) > 0);
    assert_true(val_dict_get(m->res.data, "ansible_facts") != NULL);
    assert_true(val_dict_get(f, "module_setup")->u.b);
}

static void test_setup_subset_and_filter(void **state)
{
    struct unit_mod *m = *state;
    struct val *f;

    assert_int_equal(unit_mod_run(m, "setup", NULL, "{\"gather_subset\": \"min\"}"), RESULT_OK);
    f = facts_of(m);
    assert_non_null(val_dict_get(f, "ansible_distribution"));
    assert_null(val_dict_get(f, "ansible_mounts"));
    assert_null(val_dict_get(f, "ansible_default_ipv4"));
    assert_int_equal(unit_mod_run(m, "setup", NULL, "{\"gather_subset\": [\"all\", \"!network\"]}"),
                     RESULT_OK);
    f = facts_of(m);
    assert_non_null(val_dict_get(f, "ansible_mounts"));
    assert_null(val_dict_get(f, "ansible_interfaces"));
    assert_int_equal(unit_mod_run(m, "setup", NULL, "{\"filter\": \"ansible_distribution*\"}"),
                     RESULT_OK);
    f = facts_of(m);
    assert_non_null(val_dict_get(f, "ansible_distribution_version"));
    assert_null(val_dict_get(f, "ansible_kernel"));
}

/* The facts ansible's setup reports on this machine, or NULL when ansible is not installed. */
static struct val *ansible_facts(void)
{
    FILE *p = popen("ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_INVENTORY_UNPARSED_WARNING=False "
                    "ansible localhost -m setup 2>/dev/null", "r");
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;
    struct val *all, *facts = NULL;
    char chunk[4096];
    size_t n;
    char *json;

    if (!p) {
        return NULL;
    }
    n = fread(chunk, 1, sizeof(chunk), p);
    while (n > 0) {
        buf_add(&out, chunk, n);
        n = fread(chunk, 1, sizeof(chunk), p);
    }
    pclose(p);
    json = strchr(out.ptr, '{');
    all = json ? val_from_json(json, strlen(json), "ansible", &err) : NULL;
    if (all) {
        facts = val_ref(val_dict_get(all, "ansible_facts"));
        val_unref(all);
    }
    buf_release(&out);
    return facts;
}

/* Lists equal as sets: ansible lists interfaces in directory order. */
static bool same_members(const struct val *a, const struct val *b)
{
    if (!a || !b || val_list_len(a) != val_list_len(b)) {
        return false;
    }
    for (size_t i = 0; i < val_list_len(a); i++) {
        bool found = false;

        for (size_t k = 0; k < val_list_len(b) && !found; k++) {
            found = val_equal(val_list_get(a, i), val_list_get(b, k));
        }
        if (!found) {
            return false;
        }
    }
    return true;
}

static void test_setup_agrees_with_ansible(void **state)
{
    static const char *const same[] = {
        "ansible_distribution", "ansible_distribution_version",
        "ansible_distribution_major_version", "ansible_distribution_release",
        "ansible_os_family", "ansible_system", "ansible_kernel", "ansible_kernel_version",
        "ansible_architecture", "ansible_machine", "ansible_processor_vcpus",
        "ansible_processor_count", "ansible_processor_cores", "ansible_processor_nproc",
        "ansible_memtotal_mb", "ansible_swaptotal_mb", "ansible_hostname", "ansible_nodename",
        "ansible_userspace_bits", "ansible_processor",
    };
    static const char *const ipv4[] = { "address", "gateway", "interface", "netmask",
                                        "network", "prefix", "macaddress", "mtu", "broadcast" };
    struct unit_mod *m = *state;
    struct val *want = ansible_facts();
    struct val *f, *dev_want, *dev_got;

    if (!want) {
        skip();
    }
    assert_int_equal(unit_mod_run(m, "setup", NULL, "{}"), RESULT_OK);
    f = facts_of(m);
    for (size_t i = 0; i < ARRAY_SIZE(same); i++) {
        if (!val_equal(val_dict_get(f, same[i]), val_dict_get(want, same[i]))) {
            fail_msg("fact %s differs from ansible's", same[i]);
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(ipv4); i++) {
        if (!val_equal(val_dict_get(val_dict_get(f, "ansible_default_ipv4"), ipv4[i]),
                       val_dict_get(val_dict_get(want, "ansible_default_ipv4"), ipv4[i]))) {
            fail_msg("ansible_default_ipv4.%s differs from ansible's", ipv4[i]);
        }
    }
    assert_true(same_members(val_dict_get(f, "ansible_all_ipv4_addresses"),
                             val_dict_get(want, "ansible_all_ipv4_addresses")));
    assert_true(same_members(val_dict_get(f, "ansible_interfaces"),
                             val_dict_get(want, "ansible_interfaces")));
    dev_want = val_dict_get(want, "ansible_devices");
    dev_got = val_dict_get(f, "ansible_devices");
    assert_int_equal(val_dict_len(dev_got), val_dict_len(dev_want));
    for (size_t i = 0; i < val_dict_len(dev_want); i++) {
        const char *name = val_dict_key_at(dev_want, i);

        assert_string_equal(val_dict_get_str(val_dict_get(dev_got, name), "size"),
                            val_dict_get_str(val_dict_value_at(dev_want, i), "size"));
    }
    val_unref(want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_setup_matches_this_machine, setup, teardown),
        cmocka_unit_test_setup_teardown(test_setup_subset_and_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_setup_agrees_with_ansible, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
