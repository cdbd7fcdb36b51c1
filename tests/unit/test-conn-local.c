/* tests/unit/test-conn-local.c: tests installer/conn/conn.c and installer/conn/conn-local.c */
#include "unit.h"
#include <sys/stat.h>
#include "base/buf.h"
#include "base/err.h"
#include "conn/conn.h"

static struct conn *local_conn(void)
{
    struct conn_settings s = { .host_name = "localhost", .transport = "local" };
    struct err err = ERR_INIT;
    struct conn *c = conn_new(&s, &err);

    assert_non_null(c);
    assert_int_equal(conn_open(c, &err), 0);
    return c;
}

static void test_conn_new_rejects_unknown_transport(void **state)
{
    struct conn_settings s = { .host_name = "n1", .transport = "winrm" };
    struct err err = ERR_INIT;

    (void)state;
    assert_null(conn_new(&s, &err));
    assert_int_equal(err.kind, ERR_USAGE);
    assert_string_equal(err.msg, "unknown connection type 'winrm' for host 'n1'");
}

static void test_conn_local_exec_env_chdir_stdin(void **state)
{
    struct conn *c = local_conn();
    char *env[] = { "POT_A=it's here", NULL };
    struct exec_req req = { .cmd = "pwd; echo \"$POT_A\"; cat; echo oops >&2; exit 3",
                            .stdin_data = "in\n", .stdin_len = 3, .env = env, .chdir = "/tmp" };
    struct buf out = BUF_INIT, errout = BUF_INIT;
    struct exec_result res = { .out = &out, .err = &errout };
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(conn_exec(c, &req, &res, &err), 0);
    assert_int_equal(res.status, 3);
    assert_string_equal(out.ptr, "/tmp\nit's here\nin\n");
    assert_string_equal(errout.ptr, "oops\n");
    buf_release(&out);
    buf_release(&errout);
    conn_free(c);
}

static void test_conn_local_exec_timeout(void **state)
{
    struct conn *c = local_conn();
    struct exec_req req = { .cmd = "sleep 5", .timeout_s = 1 };
    struct exec_result res = { 0 };
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(conn_exec(c, &req, &res, &err), 0);
    assert_int_equal(res.status, -1);
    conn_free(c);
}

static void test_conn_local_put_fetch_roundtrip(void **state)
{
    struct conn *c = local_conn();
    char *dir = unit_tmpdir();
    char *path = xasprintf("%s/f.txt", dir);
    char *src = unit_write_file(dir, "src.txt", "streamed\n");
    char *path2 = xasprintf("%s/g.txt", dir);
    struct buf got = BUF_INIT;
    struct err err = ERR_INIT;
    struct stat st;

    (void)state;
    assert_int_equal(conn_put(c, path, "hello\n", 6, 0640, NULL, &err), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    assert_int_equal(conn_fetch(c, path, &got, NULL, &err), 0);
    assert_string_equal(got.ptr, "hello\n");
    assert_int_equal(conn_put_file(c, src, path2, 0600, NULL, &err), 0);
    buf_reset(&got);
    assert_int_equal(conn_fetch(c, path2, &got, NULL, &err), 0);
    assert_string_equal(got.ptr, "streamed\n");
    assert_int_equal(stat(path2, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(conn_fetch(c, "/nonexistent/x", &got, NULL, &err), -1);
    assert_int_equal(err.kind, ERR_IO);
    buf_release(&got);
    unit_rmtree(dir);
    free(path);
    free(path2);
    free(src);
    free(dir);
    conn_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conn_new_rejects_unknown_transport),
        cmocka_unit_test(test_conn_local_exec_env_chdir_stdin),
        cmocka_unit_test(test_conn_local_exec_timeout),
        cmocka_unit_test(test_conn_local_put_fetch_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
