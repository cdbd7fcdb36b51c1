/* tests/unit/test-tke-docker.c: tests installer/tke/tke-docker.c (and tke-progress fetching)
 * against the sandbox's real dockerd and the stand-in tke-installer image
 * (tests/fixtures/tke-installer). Labelled "sandbox" in ctest: scripts/test.sh runs it after
 * `sandbox.sh up` with the sandbox env loaded; without SANDBOX_DOCKER_HOST the sandbox tests
 * fail. */
#include "unit.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/proc.h"
#include "tke/tke-docker.h"
#include "tke/tke-progress.h"

#define IMAGE "tkestack/tke-installer:v1.2.4"
#define NAME "pot-unit-tke-installer"
#define PORT "18631"
/* Asserts that a call returning 0/-1 succeeded, showing the error message when it did not. */
#define CHECK(call)                                                                               \
    do {                                                                                          \
        if ((call) != 0) {                                                                        \
            fail_msg("%s: %s", #call, err.msg);                                                   \
        }                                                                                         \
    } while (0)

static const char *docker_socket(void)
{
    const char *host = getenv("SANDBOX_DOCKER_HOST");

    return host && strncmp(host, "unix://", 7) == 0 ? host + 7 : NULL;
}

/* Builds the stand-in image and saves it as a tarball in 'dir'; returns the tarball path. */
static char *build_image(const char *dir)
{
    char *script = xasprintf("%s/tests/fixtures/tke-installer/build.sh", getenv("POT_TEST_SRCDIR"));
    char *tar = xasprintf("%s/image.tar", dir);
    char *argv[] = { "bash", script, "--save", tar, NULL };
    struct proc_result res;
    struct buf out = BUF_INIT, errout = BUF_INIT;
    struct err err = ERR_INIT;

    assert_int_equal(proc_run(argv, NULL, &out, &errout, &res, &err), 0);
    if (res.status != 0) {
        fail_msg("build.sh failed: %s", errout.ptr);
    }
    buf_release(&out);
    buf_release(&errout);
    free(script);
    return tar;
}

static void test_tke_docker_image_load_and_inspect(void **state)
{
    struct tke_docker d;
    struct err err = ERR_INIT;
    char *dir, *tar, *bad;
    bool exists = false;

    (void)state;
    if (!docker_socket()) {
        fail_msg("needs the sandbox: SANDBOX_DOCKER_HOST (unix://...) is not set");
    }
    dir = unit_tmpdir();
    tar = build_image(dir);
    tke_docker_init(&d, docker_socket());
    CHECK(tke_docker_image_load(&d, tar, &err));
    CHECK(tke_docker_image_exists(&d, IMAGE, &exists, &err));
    assert_true(exists);
    CHECK(tke_docker_image_exists(&d, "pot-test/no-such-image:1", &exists, &err));
    assert_false(exists);
    bad = unit_write_file(dir, "bad.tar", "this is not a tar archive");
    assert_int_equal(tke_docker_image_load(&d, bad, &err), -1);
    assert_int_equal(err.kind, ERR_REMOTE);
    assert_non_null(strstr(err.msg, "cannot load image archive"));
    err_clear(&err);
    assert_int_equal(tke_docker_image_load(&d, "/nonexistent/x.tar", &err), -1);
    assert_non_null(strstr(err.msg, "cannot read '/nonexistent/x.tar'"));
    tke_docker_release(&d);
    unit_rmtree(dir);
    free(bad);
    free(tar);
    free(dir);
}

static void wait_for_status(const char *url, enum tke_status want, struct tke_progress *p)
{
    for (int i = 0; i < 200; i++) {
        struct err err = ERR_INIT;

        tke_progress_release(p);
        tke_progress_init(p);
        if (tke_progress_fetch(url, p, NULL, &err) == 0 && p->status == want) {
            return;
        }
        usleep(50000);
    }
    fail_msg("installer never reached status %s (last %s)", tke_status_name(want),
             tke_status_name(p->status));
}

static void test_tke_docker_installer_container_lifecycle(void **state)
{
    struct tke_docker d;
    struct tke_container_spec spec;
    struct tke_container_info info;
    struct tke_installer_paths paths = { 0 };
    struct tke_progress p;
    struct err err = ERR_INIT;
    char *dir, *data, *conf, *hooks, *etc, *hosts;
    const char *url = "http://127.0.0.1:" PORT "/api/cluster/global/progress";
    char hash[65];

    (void)state;
    if (!docker_socket()) {
        fail_msg("needs the sandbox: SANDBOX_DOCKER_HOST (unix://...) is not set");
    }
    dir = unit_tmpdir();
    data = xasprintf("%s/data", dir);
    conf = xasprintf("%s/conf", dir);
    hooks = xasprintf("%s/hooks", dir);
    etc = xasprintf("%s/docker", dir);
    hosts = xasprintf("%s/hosts", dir);
    free(build_image(dir));
    for (char **p_dir = (char *[]){ data, conf, hooks, etc, NULL }; *p_dir; p_dir++) {
        assert_int_equal(fs_mkdir_p(*p_dir, 0700, &err), 0);
    }
    free(unit_write_file(dir, "hosts", "127.0.0.1 localhost\n"));
    paths = (struct tke_installer_paths){ .data_dir = data, .conf_dir = conf, .hooks_dir = hooks,
                                          .hosts_file = hosts, .docker_conf_dir = etc,
                                          .docker_sock = docker_socket() };
    tke_docker_init(&d, docker_socket());
    tke_container_spec_init(&spec);
    tke_docker_installer_spec(&spec, NAME, IMAGE, &paths);
    svec_push(&spec.env, "POT_TKE_PORT=" PORT);
    CHECK(tke_docker_container_remove(&d, NAME, &err));
    CHECK(tke_docker_container_inspect(&d, NAME, &info, &err));
    assert_false(info.exists);
    tke_container_info_release(&info);

    CHECK(tke_docker_container_create(&d, &spec, &err));
    assert_int_equal(tke_docker_container_create(&d, &spec, &err), 1); /* 409: it exists */
    CHECK(tke_docker_container_start(&d, NAME, &err));
    CHECK(tke_docker_container_start(&d, NAME, &err)); /* already running */
    CHECK(tke_docker_container_inspect(&d, NAME, &info, &err));
    assert_true(info.exists);
    assert_true(info.running);
    tke_container_spec_hash(&spec, hash);
    assert_string_equal(info.spec_hash, hash);
    tke_container_info_release(&info);

    /* no tke.json: the installer idles; with one, a restart runs every step */
    tke_progress_init(&p);
    wait_for_status(url, TKE_UNKNOWN, &p);
    free(unit_write_file(data, "tke.json", "{\n \"config\": {},\n \"step\": 30\n}\n"));
    CHECK(tke_docker_container_restart(&d, NAME, &err));
    wait_for_status(url, TKE_FAILED, &p); /* hooks dir is empty: post-install is missing */
    assert_int_equal(p.step, 31);
    assert_non_null(strstr(p.error, "hooks/post-install"));

    CHECK(tke_docker_container_stop(&d, NAME, &err));
    CHECK(tke_docker_container_inspect(&d, NAME, &info, &err));
    assert_false(info.running);
    tke_container_info_release(&info);
    CHECK(tke_docker_container_remove(&d, NAME, &err));
    assert_int_equal(tke_docker_container_restart(&d, NAME, &err), -1);
    assert_non_null(strstr(err.msg, "cannot restart container '" NAME "'"));
    tke_progress_release(&p);
    tke_container_spec_release(&spec);
    tke_docker_release(&d);
    unit_rmtree(dir);
    free(data);
    free(conf);
    free(hooks);
    free(etc);
    free(hosts);
    free(dir);
}

static void test_tke_docker_unreachable_daemon(void **state)
{
    struct tke_docker d;
    struct err err = ERR_INIT;
    bool exists;

    (void)state;
    tke_docker_init(&d, "/nonexistent/docker.sock");
    assert_int_equal(tke_docker_image_exists(&d, IMAGE, &exists, &err), -1);
    assert_int_equal(err.kind, ERR_UNREACHABLE);
    assert_non_null(strstr(err.msg, "docker daemon: '/nonexistent/docker.sock'"));
    tke_docker_release(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tke_docker_unreachable_daemon),
        cmocka_unit_test(test_tke_docker_image_load_and_inspect),
        cmocka_unit_test(test_tke_docker_installer_container_lifecycle),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
