/* tests/unit/test-cluster-machine.c: tests installer/cluster/cluster-machine.c (a host as a TKE
 * Machine: fields from the connection variables, the manifest, secrets registered) */
#include "unit.h"
#include "base/b64.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "cluster/cluster.h"
#include "inventory/inv.h"
#include "value/val-json.h"
#include "value/val.h"

static struct inventory *load(const char *text)
{
    struct inventory *inv = inv_new();
    struct err err = ERR_INIT;

    assert_int_equal(inv_load_ini(inv, text, "hosts", &err), 0);
    assert_int_equal(inv_finish(inv, &err), 0);
    return inv;
}

static struct val *manifest_item(const struct cluster_machine *m)
{
    struct buf text = BUF_INIT;
    struct err err = ERR_INIT;
    struct val *list, *item;

    cluster_machine_manifest(m, &text);
    list = val_from_json(text.ptr, text.len, "manifest", &err);
    assert_non_null(list);
    assert_string_equal(val_dict_get_str(list, "kind"), "List");
    item = val_list_get(val_dict_get(list, "items"), 0);
    assert_non_null(item);
    val_ref(item);
    val_unref(list);
    buf_release(&text);
    return item;
}

static void test_machine_from_password_host(void **state)
{
    struct inventory *inv = load("[workers]\nnode5 ansible_host=10.0.0.15 ansible_port=2222 "
                                 "ansible_user=ops ansible_ssh_pass='pa ss'\n");
    struct cluster_machine m;
    struct err err = ERR_INIT;
    struct val *item, *spec;
    struct buf b64 = BUF_INIT, redacted = BUF_INIT;

    (void)state;
    assert_int_equal(cluster_machine_from_host(inv, "node5", true, &m, &err), 0);
    assert_string_equal(m.name, "mc-10-0-0-15");
    item = manifest_item(&m);
    assert_string_equal(val_dict_get_str(item, "apiVersion"), "platform.tkestack.io/v1");
    assert_string_equal(val_dict_get_str(item, "kind"), "Machine");
    assert_string_equal(val_dict_get_str(val_dict_get(item, "metadata"), "name"), "mc-10-0-0-15");
    spec = val_dict_get(item, "spec");
    assert_string_equal(val_dict_get_str(spec, "clusterName"), "global");
    assert_string_equal(val_dict_get_str(spec, "type"), "Baremetal");
    assert_string_equal(val_dict_get_str(spec, "tenantID"), "default");
    assert_string_equal(val_dict_get_str(spec, "ip"), "10.0.0.15");
    assert_string_equal(val_dict_get_str(spec, "username"), "ops");
    assert_int_equal(val_dict_get(spec, "port")->u.i, 2222);
    b64_encode(&b64, "pa ss", 5);
    assert_string_equal(val_dict_get_str(spec, "password"), b64.ptr);
    assert_null(val_dict_get(spec, "privateKey"));
    /* the password and its base64 are registered secrets */
    buf_addf(&redacted, "x %s y %s", "pa ss", b64.ptr);
    log_redact(&redacted);
    assert_null(strstr(redacted.ptr, "pa ss"));
    assert_null(strstr(redacted.ptr, b64.ptr));
    log_clear_secrets();
    buf_release(&redacted);
    buf_release(&b64);
    val_unref(item);
    cluster_machine_release(&m);
    inv_free(inv);
}

static void test_machine_key_and_missing_secret(void **state)
{
    char *dir = unit_tmpdir();
    char *key = unit_write_file(dir, "id", "-----BEGIN KEY-----\nabc\n");
    struct buf inv_text = BUF_INIT;
    struct inventory *inv;
    struct cluster_machine m;
    struct err err = ERR_INIT;
    struct val *item;

    (void)state;
    buf_addf(&inv_text, "[workers]\nnode6 ansible_private_key_file=%s\nnode7\n", key);
    inv = load(inv_text.ptr);
    assert_int_equal(cluster_machine_from_host(inv, "node6", true, &m, &err), 0);
    assert_string_equal(m.ip, "node6");
    assert_int_equal(m.port, 22);
    assert_string_equal(m.user, "root");
    item = manifest_item(&m);
    assert_non_null(val_dict_get_str(val_dict_get(item, "spec"), "privateKey"));
    val_unref(item);
    cluster_machine_release(&m);
    /* joining needs a secret; leaving does not */
    assert_int_equal(cluster_machine_from_host(inv, "node7", true, &m, &err), -1);
    assert_int_equal(err.kind, ERR_USAGE);
    assert_non_null(strstr(err.msg, "host 'node7': TKE needs its ssh password"));
    cluster_machine_release(&m);
    err_clear(&err);
    assert_int_equal(cluster_machine_from_host(inv, "node7", false, &m, &err), 0);
    cluster_machine_release(&m);
    assert_int_equal(cluster_machine_from_host(inv, "node9", false, &m, &err), -1);
    assert_non_null(strstr(err.msg, "host 'node9' is not in the inventory"));
    cluster_machine_release(&m);
    log_clear_secrets();
    inv_free(inv);
    buf_release(&inv_text);
    unit_rmtree(dir);
    free(key);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_machine_from_password_host),
        cmocka_unit_test(test_machine_key_and_missing_secret),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
