/* tests/unit/test-helm-diff.c: tests installer/helm/helm-diff.c (helm_compare) and what
 * installer/helm/helm-cluster.c reads from helm's JSON */
#include "unit.h"
#include "base/err.h"
#include "helm/helm-int.h"
#include "helmfile/helmfile.h"

static struct hf_release release(char *values)
{
    struct hf_release r;

    memset(&r, 0, sizeof(r));
    r.name = "web";
    r.namespace = "prod";
    r.values_yaml = values;
    r.installed = true;
    r.timeout = 300;
    return r;
}

/* 'd' as if 'r' had been deployed at revision 2 from chart "c1". */
static void deployed_as(struct helm_deployed *d, const struct hf_release *r, const char *values)
{
    d->chart_digest = xstrdup("c1");
    d->values = xstrdup(values);
    d->flags = helm_flags_text(r);
    d->revision = 2;
}

static char *changes_of(const struct hf_release *r, const char *chart,
                        const struct helm_deployed *d, const struct helm_live *live)
{
    struct svec changes = SVEC_INIT;
    char *text;

    helm_compare(r, chart, d, live, &changes);
    text = helm_changes_text(&changes);
    svec_release(&changes);
    return text;
}

static void test_helm_compare_in_sync(void **state)
{
    struct hf_release r = release("a: 1\nb:\n  c: secret\n");
    struct helm_live live = { "prod", "web", "deployed", 2 };
    struct helm_deployed d;
    char *text;

    (void)state;
    deployed_as(&d, &r, "a: 1\nb:\n  c: secret\n");
    text = changes_of(&r, "c1", &d, &live);
    assert_string_equal(text, "");
    free(text);
    helm_deployed_release(&d);
    /* same values written differently: sync deploys again (its inputs hash the text) */
    deployed_as(&d, &r, "b: {c: secret}\na: 1\n");
    text = changes_of(&r, "c1", &d, &live);
    assert_string_equal(text, "values: formatting only");
    free(text);
    helm_deployed_release(&d);
}

static void test_helm_compare_names_key_paths_not_values(void **state)
{
    struct hf_release r = release("a: 1\nb:\n  c: newsecret\n  e: [1, 2]\nf: x\n");
    struct helm_live live = { "prod", "web", "deployed", 2 };
    struct helm_deployed d;
    char *text;

    (void)state;
    deployed_as(&d, &r, "a: 1\nb:\n  c: oldsecret\n  d: gone\n  e: [1]\n");
    text = changes_of(&r, "c2", &d, &live);
    assert_string_equal(text, "chart, values: b.c, values: b.d, values: b.e, values: f");
    assert_null(strstr(text, "secret"));
    free(text);
    helm_deployed_release(&d);
}

static void test_helm_compare_flags_and_cluster(void **state)
{
    struct hf_release r = release("a: 1\n");
    struct helm_live live = { "prod", "web", "failed", 3 };
    struct helm_deployed d;
    char *text;

    (void)state;
    deployed_as(&d, &r, "a: 1\n");
    r.wait = true;
    r.timeout = 600;
    text = changes_of(&r, "c1", &d, &live);
    assert_string_equal(text, "status in the cluster is failed, flags: wait, flags: timeout, "
                              "revision in the cluster is 3, pot deployed 2");
    free(text);
    helm_deployed_release(&d);
}

static void test_helm_compare_absent_and_unknown(void **state)
{
    struct hf_release r = release("a: 1\n");
    struct helm_live live = { "prod", "web", "deployed", 1 };
    char *text;

    (void)state;
    text = changes_of(&r, "c1", NULL, NULL);
    assert_string_equal(text, "absent from the cluster");
    free(text);
    text = changes_of(&r, "c1", NULL, &live);
    assert_string_equal(text, "not deployed by pot");
    free(text);
    r.installed = false;
    text = changes_of(&r, NULL, NULL, &live);
    assert_string_equal(text, "present in the cluster (installed: false)");
    free(text);
    text = changes_of(&r, NULL, NULL, NULL);
    assert_string_equal(text, "");
    free(text);
}

static void test_helm_cluster_parse_list(void **state)
{
    const char *json = "[{\"name\":\"web\",\"namespace\":\"prod\",\"revision\":\"7\","
                       "\"updated\":\"2024-05-01 10:00:00 +0000 UTC\",\"status\":"
                       "\"pending-upgrade\",\"chart\":\"web-0.1.0\",\"app_version\":\"1.0\"},"
                       "{\"name\":\"db\",\"namespace\":\"\",\"revision\":\"1\",\"status\":"
                       "\"deployed\"}]\n";
    struct helm_cluster cl;
    struct err err = ERR_INIT;
    const struct helm_live *l;

    (void)state;
    assert_int_equal(helm_cluster_parse(&cl, json, strlen(json), "node2", &err), 0);
    assert_int_equal(cl.n, 2);
    l = helm_cluster_find(&cl, "prod", "web");
    assert_non_null(l);
    assert_int_equal(l->revision, 7);
    assert_true(helm_status_pending(l->status));
    l = helm_cluster_find(&cl, "default", "db");
    assert_non_null(l);
    assert_false(helm_status_pending(l->status));
    assert_null(helm_cluster_find(&cl, "prod", "db"));
    helm_cluster_release(&cl);
    assert_int_equal(helm_cluster_parse(&cl, "", 0, "node2", &err), 0);
    assert_int_equal(cl.n, 0);
    assert_int_equal(helm_cluster_parse(&cl, "{}", 2, "node2", &err), -1);
    assert_string_equal(err.msg, "host 'node2': helm list printed dict, not a list");
}

static void test_helm_history_last_deployed(void **state)
{
    const char *json = "[{\"revision\":1,\"status\":\"superseded\"},"
                       "{\"revision\":2,\"status\":\"deployed\"},"
                       "{\"revision\":3,\"status\":\"pending-upgrade\"}]";
    const char *failed = "[{\"revision\":1,\"status\":\"superseded\"},"
                         "{\"revision\":2,\"status\":\"failed\"},"
                         "{\"revision\":3,\"status\":\"pending-upgrade\"}]";

    (void)state;
    assert_int_equal(helm_history_last_deployed(json, strlen(json)), 2);
    assert_int_equal(helm_history_last_deployed(failed, strlen(failed)), 1);
    assert_int_equal(helm_history_last_deployed("[]", 2), 0);
}

static void test_helm_revision_from_output(void **state)
{
    const char *text = "Release \"web\" has been upgraded. Happy Helming!\nNAME: web\n"
                       "NAMESPACE: prod\nSTATUS: deployed\nREVISION: 12\nTEST SUITE: None\n";
    const char *json = "{\"name\":\"web\",\"info\":{\"status\":\"deployed\"},\"version\":4}";

    (void)state;
    assert_int_equal(helm_revision_from_output(text, strlen(text)), 12);
    assert_int_equal(helm_revision_from_output(json, strlen(json)), 4);
    assert_int_equal(helm_revision_from_output("nothing", 7), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_helm_compare_in_sync),
        cmocka_unit_test(test_helm_compare_names_key_paths_not_values),
        cmocka_unit_test(test_helm_compare_flags_and_cluster),
        cmocka_unit_test(test_helm_compare_absent_and_unknown),
        cmocka_unit_test(test_helm_cluster_parse_list),
        cmocka_unit_test(test_helm_history_last_deployed),
        cmocka_unit_test(test_helm_revision_from_output),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
