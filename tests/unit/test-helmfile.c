/* tests/unit/test-helmfile.c: tests installer/helmfile/ (hf-load.c, hf-env.c, hf-release.c,
 * hf-render.c, hf-select.c, hf-values.c) on the state trees of tests/fixtures/helmfile/. */
#include "unit.h"
#include "base/vec.h"
#include "helmfile/helmfile.h"
#include "value/val.h"

static char *fixture(const char *rel)
{
    return xasprintf("%s/tests/fixtures/helmfile/%s", getenv("POT_TEST_SRCDIR"), rel);
}

/* Loads fixture 'rel' with environment 'env' (NULL: default), selectors and state values (each a
 * NULL-terminated list, or NULL). */
static int load(struct hf_state *st, const char *rel, const char *env, const char *const *sels,
                const char *const *sets, struct err *err)
{
    struct hf_opts opts = { .environment = env };
    char *path = fixture(rel);
    int rc;

    for (size_t i = 0; sels && sels[i]; i++) {
        svec_push(&opts.selectors, sels[i]);
    }
    for (size_t i = 0; sets && sets[i]; i++) {
        svec_push(&opts.state_values_set, sets[i]);
    }
    opts.file = path;
    hf_state_init(st);
    rc = hf_load(st, &opts, err);
    svec_release(&opts.selectors);
    svec_release(&opts.state_values_set);
    free(path);
    return rc;
}

static const struct hf_release *find(const struct hf_state *st, const char *name)
{
    for (size_t i = 0; i < st->nreleases; i++) {
        if (strcmp(st->releases[i]->name, name) == 0) {
            return st->releases[i];
        }
    }
    fail_msg("release '%s' not loaded", name);
    return NULL;
}

static void assert_error(int rc, const struct err *err, enum err_kind kind, const char *part)
{
    char text[4096];

    err_format(err, text, sizeof(text));
    assert_int_equal(rc, -1);
    if (err->kind != kind || !strstr(text, part)) {
        fail_msg("expected kind %d with '%s', got kind %d: %s", kind, part, err->kind, text);
    }
}

static void test_helmfile_d_order_fields_and_values(void **state)
{
    struct hf_state st;
    struct err err = ERR_INIT;
    const struct hf_release *db, *web;
    char *chart = fixture("basic/charts/db");
    char real[4096];

    (void)state;
    assert_int_equal(load(&st, "basic/helmfile.d", NULL, NULL, NULL, &err), 0);
    assert_string_equal(st.environment, "default");
    assert_int_equal(st.nreleases, 3);
    assert_string_equal(st.releases[0]->name, "db");
    assert_string_equal(st.releases[1]->name, "web");
    assert_string_equal(st.releases[2]->name, "legacy");
    db = st.releases[0];
    assert_string_equal(db->namespace, "data");
    assert_non_null(realpath(chart, real));
    assert_string_equal(db->chart, real);
    assert_string_equal(db->version, "0.1.0");
    assert_true(db->installed);
    assert_true(db->wait);              /* helmDefaults */
    assert_int_equal(db->timeout, 600); /* helmDefaults */
    assert_true(db->create_namespace);  /* helmfile's default */
    assert_string_equal(val_dict_get_str(db->labels, "tier"), "backend");
    assert_string_equal(val_dict_get_str(db->labels, "name"), "db");
    assert_string_equal(val_dict_get_str(db->labels, "namespace"), "data");
    assert_string_equal(val_dict_get_str(db->labels, "chart"), "db");
    assert_non_null(strstr(db->origin, "00-data.yaml:10:5"));
    /* db.yaml, then the inline map (helm's merge), then set with helm's typing. */
    assert_string_equal(db->values_yaml, "auth:\n"
                                         "  enabled: false\n"
                                         "extra.dotted: '007'\n"
                                         "image:\n"
                                         "  repository: postgres\n"
                                         "  tag: '1.2'\n"
                                         "persistence:\n"
                                         "  size: 20Gi\n"
                                         "  storageClass: local\n"
                                         "ports:\n"
                                         "- null\n"
                                         "- 8080\n");
    web = st.releases[1];
    assert_int_equal(web->needs.len, 1);
    assert_string_equal(web->needs.items[0], "data/db");
    assert_false(web->wait);
    assert_false(web->create_namespace);
    assert_int_equal(web->timeout, 300); /* helmDefaults are per state file */
    assert_null(web->version);
    /* y and 1e5 are strings to PyYAML but not to helm's go-yaml: every string is quoted. A plain
     * .yaml state file is not a template. */
    assert_string_equal(web->values_yaml, "{\n"
                                          "  \"answer\": \"yes\",\n"
                                          "  \"count\": \"42\",\n"
                                          "  \"flag\": \"y\",\n"
                                          "  \"note\": \"{{ not rendered in a plain .yaml }}\",\n"
                                          "  \"when\": \"1e5\"\n"
                                          "}\n");
    assert_false(st.releases[2]->installed);
    assert_int_equal(st.notes.len, 1);
    assert_non_null(strstr(st.notes.items[0], "repositories"));
    hf_state_release(&st);
    free(chart);
}

static void test_selectors_and_or_negative(void **state)
{
    static const char *const backend[] = { "tier=backend", NULL };
    static const char *const two[] = { "name=web", "name=db,namespace=data", NULL };
    static const char *const not_backend[] = { "tier!=backend,namespace=apps", NULL };
    static const char *const chart[] = { "chart=web", NULL };
    struct hf_state st;
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(load(&st, "basic/helmfile.d", NULL, backend, NULL, &err), 0);
    assert_int_equal(st.nreleases, 1);
    assert_string_equal(st.releases[0]->name, "db");
    hf_state_release(&st);

    assert_int_equal(load(&st, "basic/helmfile.d", NULL, two, NULL, &err), 0);
    assert_int_equal(st.nreleases, 2);
    assert_string_equal(st.releases[0]->name, "db");
    assert_string_equal(st.releases[1]->name, "web");
    hf_state_release(&st);

    assert_int_equal(load(&st, "basic/helmfile.d", NULL, not_backend, NULL, &err), 0);
    assert_int_equal(st.nreleases, 2);
    assert_string_equal(st.releases[0]->name, "web");
    assert_string_equal(st.releases[1]->name, "legacy");
    hf_state_release(&st);

    assert_int_equal(load(&st, "basic/helmfile.d", NULL, chart, NULL, &err), 0);
    assert_int_equal(st.nreleases, 2);
    hf_state_release(&st);
}

static void test_malformed_selector(void **state)
{
    static const char *const bad[] = { "tier", NULL };
    struct hf_state st;
    struct err err = ERR_INIT;
    int rc;

    (void)state;
    rc = load(&st, "basic/helmfile.d", NULL, bad, NULL, &err);
    assert_error(rc, &err, ERR_USAGE, "malformed label 'tier'");
    hf_state_release(&st);
}

static void test_environment_from_bases(void **state)
{
    struct hf_state st;
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(load(&st, "basic/helmfile.d", "prod", NULL, NULL, &err), 0);
    assert_string_equal(st.environment, "prod");
    assert_int_equal(st.nreleases, 3);
    hf_state_release(&st);
}

static void test_unknown_environment_is_named(void **state)
{
    struct hf_state st;
    struct err err = ERR_INIT;
    int rc;

    (void)state;
    rc = load(&st, "basic/helmfile.d", "staging", NULL, NULL, &err);
    assert_error(rc, &err, ERR_USAGE, "environment 'staging' is not defined");
    hf_state_release(&st);
}

static void test_sub_helmfiles_values_selectors_condition(void **state)
{
    struct hf_state st;
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(load(&st, "sub/helmfile.yaml", NULL, NULL, NULL, &err), 0);
    /* Sub-helmfiles first, in order; a is enabled by the parent's values, b2 left out by the
     * entry's selector, then the file's own release. */
    assert_int_equal(st.nreleases, 3);
    assert_string_equal(st.releases[0]->name, "a");
    assert_string_equal(st.releases[1]->name, "b");
    assert_string_equal(st.releases[2]->name, "top");
    assert_string_equal(st.releases[2]->namespace, "");
    assert_string_equal(st.releases[2]->values_yaml, "{}\n");
    hf_state_release(&st);
}

static void test_missing_values_file_names_it(void **state)
{
    struct hf_state st;
    struct err err = ERR_INIT;
    int rc;

    (void)state;
    rc = load(&st, "errors/missing-values.yaml", NULL, NULL, NULL, &err);
    assert_error(rc, &err, ERR_IO, "release 'app': values file '");
    assert_non_null(strstr(err.msg, "values/absent.yaml' does not exist"));
    hf_state_release(&st);
}

static void test_yaml_error_has_position(void **state)
{
    struct hf_state st;
    struct err err = ERR_INIT;
    int rc;

    (void)state;
    rc = load(&st, "errors/bad-yaml.yaml", NULL, NULL, NULL, &err);
    assert_error(rc, &err, ERR_PARSE, "bad-yaml.yaml:");
    assert_int_equal(err.pos.line, 5);
    hf_state_release(&st);
}

static void test_unknown_keys_are_errors(void **state)
{
    struct hf_state st;
    struct err err = ERR_INIT;
    int rc;

    (void)state;
    rc = load(&st, "errors/unknown-key.yaml", NULL, NULL, NULL, &err);
    assert_error(rc, &err, ERR_PARSE, "unknown-key.yaml:3:1: unknown key 'relases'");
    hf_state_release(&st);

    rc = load(&st, "errors/unknown-release-key.yaml", NULL, NULL, NULL, &err);
    assert_error(rc, &err, ERR_PARSE,
                 "unknown-release-key.yaml:4:5: unknown key 'valeus' in "
                 "releases");
    hf_state_release(&st);
}

static void test_remote_chart_refused(void **state)
{
    struct hf_state st;
    struct err err = ERR_INIT;
    int rc;

    (void)state;
    rc = load(&st, "errors/remote-chart.yaml", NULL, NULL, NULL, &err);
    assert_error(rc, &err, ERR_USAGE, "release 'cache': chart 'bitnami/redis' is a remote");
    hf_state_release(&st);
}

static void test_missing_chart_names_release_and_path(void **state)
{
    struct hf_state st;
    struct err err = ERR_INIT;
    int rc;

    (void)state;
    rc = load(&st, "errors/missing-chart.yaml", NULL, NULL, NULL, &err);
    assert_error(rc, &err, ERR_IO, "release 'app': chart './charts/nope' not found");
    assert_non_null(strstr(err.msg, "errors/./charts/nope"));
    hf_state_release(&st);
}

static void test_missing_chart_of_a_release_switched_off_is_fine(void **state)
{
    struct hf_state st;
    struct err err = ERR_INIT;
    int rc;

    (void)state;
    rc = load(&st, "errors/missing-chart-off.yaml", NULL, NULL, NULL, &err);
    assert_error(rc, &err, ERR_IO, "release 'app': chart './charts/nope-too' not found");
    assert_null(strstr(err.msg, "'off'"));
    hf_state_release(&st);
}

static void test_gotmpl_two_passes_and_functions(void **state)
{
    struct hf_state st;
    struct err err = ERR_INIT;
    const struct hf_release *r;

    (void)state;
    setenv("HF_TEST_HOME", "/home/x", 1);
    assert_int_equal(load(&st, "render/helmfile.yaml.gotmpl", NULL, NULL, NULL, &err), 0);
    assert_int_equal(st.nreleases, 1);
    r = find(&st, "app-c1");
    assert_string_equal(r->namespace, "apps");
    assert_string_equal(val_dict_get_str(r->labels, "env"), "default");
    assert_string_equal(r->values_yaml, "customer: default\n"
                                        "file: c1\n"
                                        "fullname: app-c1-apps\n"
                                        "home: /home/x\n"
                                        "literal: '{{ .Release.Name }}'\n"
                                        "lookup: fallback\n"
                                        "missing: ''\n"
                                        "replicas: 1\n"
                                        "tier: default\n");
    hf_state_release(&st);
}

static void test_gotmpl_named_environment_and_state_values_set(void **state)
{
    static const char *const sets[] = { "replicas=7,center=c9", NULL };
    struct hf_state st;
    struct err err = ERR_INIT;
    const struct hf_release *r;

    (void)state;
    setenv("HF_TEST_HOME", "/home/x", 1);
    assert_int_equal(load(&st, "render/helmfile.yaml.gotmpl", "prod-acme", NULL, sets, &err), 0);
    r = find(&st, "app-c9");
    assert_non_null(strstr(r->values_yaml, "customer: acme\n"));
    assert_non_null(strstr(r->values_yaml, "replicas: 7\n"));
    assert_string_equal(val_dict_get_str(r->labels, "env"), "prod-acme");
    hf_state_release(&st);

    assert_int_equal(load(&st, "render/helmfile.yaml.gotmpl", "prod-acme", NULL, NULL, &err), 0);
    assert_non_null(strstr(find(&st, "app-c1")->values_yaml, "replicas: 4\n"));
    hf_state_release(&st);
}

static void test_required_env_missing(void **state)
{
    struct hf_state st;
    struct err err = ERR_INIT;
    int rc;

    (void)state;
    unsetenv("HF_TEST_HOME");
    rc = load(&st, "render/helmfile.yaml.gotmpl", NULL, NULL, NULL, &err);
    assert_error(rc, &err, ERR_TEMPLATE, "HF_TEST_HOME");
    hf_state_release(&st);
}

static void test_exec_refused(void **state)
{
    struct hf_state st;
    struct err err = ERR_INIT;
    int rc;

    (void)state;
    rc = load(&st, "errors/exec.yaml.gotmpl", NULL, NULL, NULL, &err);
    assert_error(rc, &err, ERR_USAGE, "exec of 'cat' refused");
    hf_state_release(&st);
}

static void test_template_syntax_error_has_position(void **state)
{
    struct hf_state st;
    struct err err = ERR_INIT;
    int rc;

    (void)state;
    rc = load(&st, "errors/bad-template.yaml.gotmpl", NULL, NULL, NULL, &err);
    assert_error(rc, &err, ERR_PARSE, "bad-template.yaml.gotmpl:");
    assert_non_null(strstr(err.msg, "unclosed action"));
    hf_state_release(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_helmfile_d_order_fields_and_values),
        cmocka_unit_test(test_selectors_and_or_negative),
        cmocka_unit_test(test_malformed_selector),
        cmocka_unit_test(test_environment_from_bases),
        cmocka_unit_test(test_unknown_environment_is_named),
        cmocka_unit_test(test_sub_helmfiles_values_selectors_condition),
        cmocka_unit_test(test_missing_values_file_names_it),
        cmocka_unit_test(test_yaml_error_has_position),
        cmocka_unit_test(test_unknown_keys_are_errors),
        cmocka_unit_test(test_remote_chart_refused),
        cmocka_unit_test(test_missing_chart_names_release_and_path),
        cmocka_unit_test(test_missing_chart_of_a_release_switched_off_is_fine),
        cmocka_unit_test(test_gotmpl_two_passes_and_functions),
        cmocka_unit_test(test_gotmpl_named_environment_and_state_values_set),
        cmocka_unit_test(test_required_env_missing),
        cmocka_unit_test(test_exec_refused),
        cmocka_unit_test(test_template_syntax_error_has_position),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
