/* tests/unit/test-helm-dag.c: tests installer/helm/helm-dag.c */
#include "unit.h"
#include "base/err.h"
#include "helm/helm-int.h"
#include "helmfile/helmfile.h"

#define MAX_RELEASES 8

struct fixture {
    struct hf_release rels[MAX_RELEASES];
    struct hf_release *ptrs[MAX_RELEASES];
    size_t n;
    struct helm_dag dag;
    struct err err;
};

/* Adds a release "ns/name" declared at helmfile.yaml:LINE:3; 'needs' is NULL-terminated. */
static void add(struct fixture *fx, const char *ns, const char *name, const char *const *needs)
{
    struct hf_release *r = &fx->rels[fx->n];

    memset(r, 0, sizeof(*r));
    r->name = xstrdup(name);
    r->namespace = xstrdup(ns);
    r->installed = true;
    r->origin = xasprintf("helmfile.yaml:%zu:3", 10 * (fx->n + 1));
    for (size_t i = 0; needs && needs[i]; i++) {
        svec_push(&r->needs, needs[i]);
    }
    fx->ptrs[fx->n] = r;
    fx->n++;
}

static int setup(void **state)
{
    *state = xcalloc(1, sizeof(struct fixture));
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    for (size_t i = 0; i < fx->n; i++) {
        free(fx->rels[i].name);
        free(fx->rels[i].namespace);
        free(fx->rels[i].origin);
        svec_release(&fx->rels[i].needs);
    }
    helm_dag_release(&fx->dag);
    free(fx);
    return 0;
}

/* The names of one level, joined by spaces. */
static char *level_names(struct fixture *fx, size_t level)
{
    size_t count;
    const size_t *idx = helm_dag_level(&fx->dag, level, &count);
    struct buf out = BUF_INIT;

    for (size_t i = 0; i < count; i++) {
        buf_addf(&out, "%s%s", i ? " " : "", fx->rels[idx[i]].name);
    }
    return buf_detach(&out, NULL);
}

static void assert_level(struct fixture *fx, size_t level, const char *want)
{
    char *got = level_names(fx, level);

    assert_string_equal(got, want);
    free(got);
}

static void test_helm_dag_levels_in_order(void **state)
{
    struct fixture *fx = *state;

    add(fx, "app", "c", (const char *[]){ "b", NULL });
    add(fx, "app", "a", NULL);
    add(fx, "app", "b", (const char *[]){ "a", NULL });
    add(fx, "app", "d", (const char *[]){ "app/a", NULL });
    add(fx, "tools", "e", NULL);
    assert_int_equal(helm_dag_build(&fx->dag, fx->ptrs, fx->n, &fx->err), 0);
    assert_int_equal(fx->dag.nlevels, 3);
    assert_level(fx, 0, "a e");
    assert_level(fx, 1, "b d");
    assert_level(fx, 2, "c");
}

static void test_helm_dag_no_needs_is_one_level(void **state)
{
    struct fixture *fx = *state;

    add(fx, "", "x", NULL);
    add(fx, "", "y", NULL);
    assert_int_equal(helm_dag_build(&fx->dag, fx->ptrs, fx->n, &fx->err), 0);
    assert_int_equal(fx->dag.nlevels, 1);
    assert_level(fx, 0, "x y");
}

static void test_helm_dag_empty(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(helm_dag_build(&fx->dag, fx->ptrs, 0, &fx->err), 0);
    assert_int_equal(fx->dag.nlevels, 0);
}

static void test_helm_dag_need_prefers_own_namespace(void **state)
{
    struct fixture *fx = *state;

    add(fx, "one", "db", NULL);
    add(fx, "two", "db", (const char *[]){ "one/db", NULL });
    add(fx, "two", "api", (const char *[]){ "db", NULL });
    assert_int_equal(helm_dag_build(&fx->dag, fx->ptrs, fx->n, &fx->err), 0);
    assert_int_equal(fx->dag.nlevels, 3);
    assert_level(fx, 2, "api");
}

static void test_helm_dag_kubecontext_need(void **state)
{
    struct fixture *fx = *state;

    add(fx, "ns", "a", NULL);
    add(fx, "other", "b", (const char *[]){ "ctx/ns/a", NULL });
    assert_int_equal(helm_dag_build(&fx->dag, fx->ptrs, fx->n, &fx->err), 0);
    assert_int_equal(fx->dag.nlevels, 2);
}

static void test_helm_dag_missing_need(void **state)
{
    struct fixture *fx = *state;

    add(fx, "app", "a", NULL);
    add(fx, "app", "b", (const char *[]){ "a", "app/nope", NULL });
    assert_int_equal(helm_dag_build(&fx->dag, fx->ptrs, fx->n, &fx->err), -1);
    assert_int_equal(fx->err.kind, ERR_USAGE);
    assert_string_equal(fx->err.pos.file, "helmfile.yaml");
    assert_int_equal(fx->err.pos.line, 20);
    assert_int_equal(fx->err.pos.col, 3);
    assert_string_equal(fx->err.msg,
                        "release 'b' needs 'app/nope', which is not among the selected releases");
}

static void test_helm_dag_need_in_other_namespace_by_name(void **state)
{
    struct fixture *fx = *state;

    add(fx, "infra", "db", NULL);
    add(fx, "app", "api", (const char *[]){ "db", NULL });
    assert_int_equal(helm_dag_build(&fx->dag, fx->ptrs, fx->n, &fx->err), 0);
    assert_int_equal(fx->dag.nlevels, 2);
}

static void test_helm_dag_ambiguous_need(void **state)
{
    struct fixture *fx = *state;

    add(fx, "one", "db", NULL);
    add(fx, "two", "db", NULL);
    add(fx, "app", "api", (const char *[]){ "db", NULL });
    assert_int_equal(helm_dag_build(&fx->dag, fx->ptrs, fx->n, &fx->err), -1);
    assert_int_equal(fx->err.kind, ERR_USAGE);
    assert_non_null(strstr(fx->err.msg, "several namespaces"));
}

static void test_helm_dag_cycle(void **state)
{
    struct fixture *fx = *state;

    add(fx, "app", "free", NULL);
    add(fx, "app", "a", (const char *[]){ "c", NULL });
    add(fx, "app", "b", (const char *[]){ "a", "free", NULL });
    add(fx, "app", "c", (const char *[]){ "b", NULL });
    assert_int_equal(helm_dag_build(&fx->dag, fx->ptrs, fx->n, &fx->err), -1);
    assert_int_equal(fx->err.kind, ERR_USAGE);
    assert_string_equal(fx->err.msg, "needs form a cycle: 'a' -> 'c' -> 'b' -> 'a'");
    assert_int_equal(fx->err.pos.line, 20);
}

static void test_helm_dag_needs_itself(void **state)
{
    struct fixture *fx = *state;

    add(fx, "app", "a", (const char *[]){ "a", NULL });
    assert_int_equal(helm_dag_build(&fx->dag, fx->ptrs, fx->n, &fx->err), -1);
    assert_string_equal(fx->err.msg, "release 'a' needs itself");
}

static void test_helm_release_key_default_namespace(void **state)
{
    struct fixture *fx = *state;
    char *key;

    add(fx, "", "web", NULL);
    key = helm_release_key(&fx->rels[0]);
    assert_string_equal(key, "default/web");
    free(key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_helm_dag_levels_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_helm_dag_no_needs_is_one_level, setup, teardown),
        cmocka_unit_test_setup_teardown(test_helm_dag_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_helm_dag_need_prefers_own_namespace, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_helm_dag_kubecontext_need, setup, teardown),
        cmocka_unit_test_setup_teardown(test_helm_dag_missing_need, setup, teardown),
        cmocka_unit_test_setup_teardown(test_helm_dag_need_in_other_namespace_by_name, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_helm_dag_ambiguous_need, setup, teardown),
        cmocka_unit_test_setup_teardown(test_helm_dag_cycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_helm_dag_needs_itself, setup, teardown),
        cmocka_unit_test_setup_teardown(test_helm_release_key_default_namespace, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
