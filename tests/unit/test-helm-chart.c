/* tests/unit/test-helm-chart.c: tests installer/helm/helm-chart.c */
#include "unit.h"
#include <sys/stat.h>
#include <utime.h>
#include <archive.h>
#include <archive_entry.h>
#include "base/err.h"
#include "base/fs.h"
#include "base/proc.h"
#include "helm/helm-int.h"

#define HELM_TOOL "/opt/pot-tools/bin/helm"

struct fixture {
    char *dir;    /* owned scratch dir, removed by teardown */
    char *chart;  /* owned: DIR/src, the chart directory */
    struct err err;
};

static void put(struct fixture *fx, const char *rel, const char *content)
{
    char *path = fs_join(fx->chart, rel);
    char *parent = fs_dirname(path);
    struct err err = ERR_INIT;

    assert_int_equal(fs_mkdir_p(parent, 0755, &err), 0);
    assert_int_equal(fs_write_atomic(path, content, strlen(content), 0644, &err), 0);
    free(parent);
    free(path);
}

static int setup(void **state)
{
    struct fixture *fx = xcalloc(1, sizeof(*fx));

    fx->dir = unit_tmpdir();
    fx->chart = fs_join(fx->dir, "src");
    put(fx, "Chart.yaml", "apiVersion: v2\nname: demo\nversion: 0.1.0\n");
    put(fx, "values.yaml", "replicas: 1\n");
    put(fx, "templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n");
    put(fx, "templates/_helpers.tpl", "{{/* nothing */}}\n");
    put(fx, ".helmignore", "# comment\n*.bak\nscratch/\n");
    put(fx, "notes.bak", "ignored\n");
    put(fx, "scratch/tmp.txt", "ignored\n");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    unit_rmtree(fx->dir);
    free(fx->chart);
    free(fx->dir);
    free(fx);
    return 0;
}

/* The member names of a .tgz in archive order, one a line; checks the fixed owner and mtime. */
static char *members(const struct buf *tgz)
{
    struct archive *a = archive_read_new();
    struct archive_entry *e;
    struct buf out = BUF_INIT;

    archive_read_support_filter_gzip(a);
    archive_read_support_format_tar(a);
    assert_int_equal(archive_read_open_memory(a, tgz->ptr, tgz->len), ARCHIVE_OK);
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
        assert_int_equal(archive_entry_mtime(e), 0);
        assert_int_equal(archive_entry_uid(e), 0);
        assert_int_equal(archive_entry_gid(e), 0);
        assert_int_equal(archive_entry_perm(e), 0644);
        buf_addf(&out, "%s\n", archive_entry_pathname(e));
    }
    archive_read_free(a);
    return buf_detach(&out, NULL);
}

static void test_helm_chart_dir_is_packaged_sorted_under_its_name(void **state)
{
    struct fixture *fx = *state;
    struct helm_chart c;
    char *names;

    assert_int_equal(helm_chart_load(&c, fx->chart, &fx->err), 0);
    assert_string_equal(c.name, "demo");
    names = members(&c.tgz);
    assert_string_equal(names, "demo/.helmignore\n"
                               "demo/Chart.yaml\n"
                               "demo/templates/_helpers.tpl\n"
                               "demo/templates/cm.yaml\n"
                               "demo/values.yaml\n");
    /* gzip header: magic, then a zero mtime (bytes 4..7) */
    assert_true(c.tgz.len > 10);
    assert_int_equal((unsigned char)c.tgz.ptr[0], 0x1f);
    assert_int_equal((unsigned char)c.tgz.ptr[1], 0x8b);
    assert_int_equal(c.tgz.ptr[4] | c.tgz.ptr[5] | c.tgz.ptr[6] | c.tgz.ptr[7], 0);
    free(names);
    helm_chart_release(&c);
}

static void test_helm_chart_same_bytes_twice(void **state)
{
    struct fixture *fx = *state;
    struct helm_chart a;
    struct helm_chart b;
    char *path = fs_join(fx->chart, "values.yaml");
    struct utimbuf old = { 1000000, 1000000 };

    assert_int_equal(helm_chart_load(&a, fx->chart, &fx->err), 0);
    /* a new mtime alone changes nothing */
    assert_int_equal(utime(path, &old), 0);
    assert_int_equal(helm_chart_load(&b, fx->chart, &fx->err), 0);
    assert_int_equal(a.tgz.len, b.tgz.len);
    assert_memory_equal(a.tgz.ptr, b.tgz.ptr, a.tgz.len);
    assert_string_equal(a.digest, b.digest);
    assert_int_equal(strlen(a.digest), SHA256_HEX_LEN);
    helm_chart_release(&a);
    helm_chart_release(&b);
    free(path);
}

static void test_helm_chart_digest_changes_with_content(void **state)
{
    struct fixture *fx = *state;
    struct helm_chart a;
    struct helm_chart b;
    struct helm_chart c;
    char *path = fs_join(fx->chart, "templates/cm.yaml");

    assert_int_equal(helm_chart_load(&a, fx->chart, &fx->err), 0);
    put(fx, "values.yaml", "replicas: 2\n");
    assert_int_equal(helm_chart_load(&b, fx->chart, &fx->err), 0);
    assert_string_not_equal(a.digest, b.digest);
    /* the executable bit is part of the chart */
    assert_int_equal(chmod(path, 0755), 0);
    assert_int_equal(helm_chart_load(&c, fx->chart, &fx->err), 0);
    assert_string_not_equal(b.digest, c.digest);
    helm_chart_release(&a);
    helm_chart_release(&b);
    helm_chart_release(&c);
    free(path);
}

static void test_helm_chart_ignored_file_does_not_count(void **state)
{
    struct fixture *fx = *state;
    struct helm_chart a;
    struct helm_chart b;

    assert_int_equal(helm_chart_load(&a, fx->chart, &fx->err), 0);
    put(fx, "other.bak", "still ignored\n");
    assert_int_equal(helm_chart_load(&b, fx->chart, &fx->err), 0);
    assert_string_equal(a.digest, b.digest);
    helm_chart_release(&a);
    helm_chart_release(&b);
}

static void test_helm_chart_tgz_used_as_is(void **state)
{
    struct fixture *fx = *state;
    struct helm_chart a;
    struct helm_chart b;
    char *tgz = fs_join(fx->dir, "demo-0.1.0.tgz");
    char want[SHA256_HEX_LEN + 1];

    assert_int_equal(helm_chart_load(&a, fx->chart, &fx->err), 0);
    assert_int_equal(fs_write_atomic(tgz, a.tgz.ptr, a.tgz.len, 0644, &fx->err), 0);
    assert_int_equal(helm_chart_load(&b, tgz, &fx->err), 0);
    assert_null(b.name);
    sha256_hex(a.tgz.ptr, a.tgz.len, want);
    assert_string_equal(b.digest, want);
    helm_chart_release(&a);
    helm_chart_release(&b);
    free(tgz);
}

static void test_helm_chart_without_chart_yaml(void **state)
{
    struct fixture *fx = *state;
    struct helm_chart c;
    char *path = fs_join(fx->chart, "Chart.yaml");

    assert_int_equal(unlink(path), 0);
    assert_int_equal(helm_chart_load(&c, fx->chart, &fx->err), -1);
    assert_int_equal(fx->err.kind, ERR_IO);
    assert_non_null(strstr(fx->err.msg, "no Chart.yaml"));
    free(path);
}

static void test_helm_chart_without_name(void **state)
{
    struct fixture *fx = *state;
    struct helm_chart c;

    put(fx, "Chart.yaml", "apiVersion: v2\nversion: 0.1.0\n");
    assert_int_equal(helm_chart_load(&c, fx->chart, &fx->err), -1);
    assert_int_equal(fx->err.kind, ERR_PARSE);
    assert_non_null(strstr(fx->err.msg, "no usable 'name'"));
}

static void test_helm_chart_missing_path(void **state)
{
    struct fixture *fx = *state;
    struct helm_chart c;
    char *path = fs_join(fx->dir, "nope.tgz");

    assert_int_equal(helm_chart_load(&c, path, &fx->err), -1);
    assert_int_equal(fx->err.kind, ERR_IO);
    free(path);
}

/* The real helm reads what we produce. */
static void test_helm_chart_helm_show_chart(void **state)
{
    struct fixture *fx = *state;
    struct helm_chart c;
    char *tgz = fs_join(fx->dir, "demo.tgz");
    char *argv[] = { HELM_TOOL, "show", "chart", tgz, NULL };
    struct buf out = BUF_INIT;
    struct buf errout = BUF_INIT;
    struct proc_result res;

    if (access(HELM_TOOL, X_OK) != 0) {
        free(tgz);
        skip();
    }
    assert_int_equal(helm_chart_load(&c, fx->chart, &fx->err), 0);
    assert_int_equal(fs_write_atomic(tgz, c.tgz.ptr, c.tgz.len, 0644, &fx->err), 0);
    assert_int_equal(proc_run(argv, NULL, &out, &errout, &res, &fx->err), 0);
    if (res.status != 0) {
        fail_msg("helm show chart: %s", errout.ptr);
    }
    assert_non_null(strstr(out.ptr, "name: demo"));
    buf_release(&out);
    buf_release(&errout);
    helm_chart_release(&c);
    free(tgz);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_helm_chart_dir_is_packaged_sorted_under_its_name,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_helm_chart_same_bytes_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_helm_chart_digest_changes_with_content, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_helm_chart_ignored_file_does_not_count, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_helm_chart_tgz_used_as_is, setup, teardown),
        cmocka_unit_test_setup_teardown(test_helm_chart_without_chart_yaml, setup, teardown),
        cmocka_unit_test_setup_teardown(test_helm_chart_without_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_helm_chart_missing_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_helm_chart_helm_show_chart, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
