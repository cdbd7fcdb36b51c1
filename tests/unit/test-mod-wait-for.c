/* tests/unit/test-mod-wait-for.c: tests installer/modules/mod-wait-for.c through the local
 * connection, with a listening socket on 127.0.0.1 owned by the test */
#include "unit-mod.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

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

/* A socket listening on 127.0.0.1 on a free port; *port receives the port. */
static int listen_loopback(int *port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(fd, 16), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static void test_wait_for_port_started_and_stopped(void **state)
{
    struct unit_mod *m = *state;
    int port = 0;
    int fd = listen_loopback(&port);
    char *msg;

    assert_int_equal(unit_mod_run(m, "wait_for", NULL, "{\"port\": %d, \"timeout\": 5}", port),
                     RESULT_OK);
    assert_string_equal(unit_mod_str(m, "state"), "started");
    assert_int_equal(unit_mod_int(m, "port"), port);
    assert_true(unit_mod_int(m, "elapsed") < 5); /* no wait for the timeout (0 s unless loaded) */
    close(fd);
    assert_int_equal(unit_mod_run(m, "wait_for", NULL,
                                  "{\"port\": %d, \"state\": \"stopped\", \"timeout\": 5}", port),
                     RESULT_OK);
    assert_int_equal(unit_mod_run(m, "wait_for", NULL, "{\"port\": %d, \"timeout\": 1}", port),
                     RESULT_FAILED);
    msg = xasprintf("Timeout when waiting for 127.0.0.1:%d", port);
    assert_string_equal(m->res.msg, msg);
    assert_true(unit_mod_int(m, "elapsed") >= 1);
    free(msg);
}

static void test_wait_for_path_states(void **state)
{
    struct unit_mod *m = *state;
    char *f = unit_write_file(m->dir, "ready", "status=up\n");
    char *want;

    assert_int_equal(unit_mod_run(m, "wait_for", NULL, "{\"path\": \"%s\", \"timeout\": 2}", f),
                     RESULT_OK);
    assert_string_equal(unit_mod_str(m, "path"), f);
    assert_int_equal(
        unit_mod_run(m, "wait_for", NULL,
                     "{\"path\": \"%s\", \"search_regex\": \"status=u[p]\", \"timeout\": 2}", f),
        RESULT_OK);
    assert_int_equal(unit_mod_run(m, "wait_for", NULL,
                                  "{\"path\": \"%s\", \"search_regex\": \"down\", \"timeout\": 1}",
                                  f),
                     RESULT_FAILED);
    want = xasprintf("Timeout when waiting for search string down in %s", f);
    assert_string_equal(m->res.msg, want);
    free(want);
    assert_int_equal(unit_mod_run(m, "wait_for", NULL,
                                  "{\"path\": \"%s\", \"state\": \"absent\", \"timeout\": 1}", f),
                     RESULT_FAILED);
    want = xasprintf("Timeout when waiting for %s to be absent.", f);
    assert_string_equal(m->res.msg, want);
    free(want);
    unlink(f);
    assert_int_equal(unit_mod_run(m, "wait_for", NULL, "{\"path\": \"%s\", \"state\": \"absent\"}",
                                  f),
                     RESULT_OK);
    assert_int_equal(unit_mod_run(m, "wait_for", NULL, "{\"path\": \"%s\", \"port\": 1}", f),
                     RESULT_FAILED);
    assert_string_equal(m->res.msg, "port and path parameter can not both be passed to wait_for");
    assert_int_equal(unit_mod_run(m, "wait_for", NULL,
                                  "{\"path\": \"%s\", \"timeout\": 1, \"msg\": \"no file\"}", f),
                     RESULT_FAILED);
    assert_string_equal(m->res.msg, "no file");
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_wait_for_port_started_and_stopped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_for_path_states, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
