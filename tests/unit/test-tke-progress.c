/* tests/unit/test-tke-progress.c: tests installer/tke/tke-progress.c (log parsing; fetching is
 * covered by test-tke-docker.c against the stand-in installer) */
#include "unit.h"
#include "base/err.h"
#include "tke/tke-progress.h"

static void test_tke_progress_follows_latest_task(void **state)
{
    struct tke_progress p;

    (void)state;
    tke_progress_init(&p);
    tke_progress_parse_log(&p,
        "2020/04/24 12:00:00 ===>starting install task\n"
        "2020/04/24 12:00:00 0.Execute pre install hook doing\n"
        "hook output line 3.Not a step [Success] [1s]\n"
        "2020/04/24 12:00:01 0.Execute pre install hook [Success] [0.5s]\n"
        "2020/04/24 12:00:01 1.Load images doing\n"
        "2020/04/24 12:00:02 1.Load images [Failed] [1.0s] error load: no space left\n");
    assert_int_equal(p.step, 1);
    assert_string_equal(p.step_name, "Load images");
    assert_false(p.step_done);
    assert_int_equal(p.failures, 1);
    assert_string_equal(p.error, "load: no space left");
    assert_false(p.finished);
    tke_progress_release(&p);
}

static void test_tke_progress_restart_resumes_and_finishes(void **state)
{
    struct tke_progress p;

    (void)state;
    tke_progress_init(&p);
    tke_progress_parse_log(&p,
        "2020/04/24 12:00:02 5.Create global cluster [Failed] [1.0s] error boom\n"
        "2020/04/24 12:01:00 ===>starting install task\n"
        "2020/04/24 12:01:00 5.Create global cluster doing\n"
        "2020/04/24 12:01:01 5.Create global cluster [Failed] [1.0s] error boom again\n"
        "2020/04/24 12:01:11 5.Create global cluster [Failed] [1.0s] error boom again\n");
    assert_int_equal(p.failures, 3);
    tke_progress_parse_log(&p,
        "2020/04/24 12:02:00 5.Create global cluster [Success] [9.0s]\n"
        "31.Execute post deploy hook [Success] [0.1s]\n"
        "===>install task [Sucesss] [60.0s]\n");
    assert_int_equal(p.step, 31);
    assert_true(p.step_done);
    assert_int_equal(p.failures, 0);
    assert_string_equal(p.error, "");
    assert_true(p.finished);
    tke_progress_release(&p);
}

static void test_tke_progress_status_names_and_steps(void **state)
{
    (void)state;
    assert_int_equal(tke_status_parse("Retrying"), TKE_RETRYING);
    assert_int_equal(tke_status_parse("bogus"), TKE_UNKNOWN);
    assert_int_equal(tke_status_parse(NULL), TKE_UNKNOWN);
    assert_string_equal(tke_status_name(TKE_FAILED), "Failed");
    assert_int_equal(tke_step_count(), 32);
    assert_string_equal(tke_step_name(7), "Execute post deploy hook");
    assert_string_equal(tke_step_name(31), "Execute post deploy hook");
    assert_string_equal(tke_step_name(32), "");
}

static void test_tke_progress_fetch_unreachable(void **state)
{
    struct tke_progress p;
    struct err err = ERR_INIT;

    (void)state;
    tke_progress_init(&p);
    /* port 9 (discard) on loopback: nothing listens there in the test environment */
    assert_int_equal(tke_progress_fetch("http://127.0.0.1:9/api/cluster/global/progress", &p,
                                        NULL, &err), -1);
    assert_int_equal(err.kind, ERR_UNREACHABLE);
    assert_non_null(strstr(err.msg, "tke-installer progress: "));
    tke_progress_release(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tke_progress_follows_latest_task),
        cmocka_unit_test(test_tke_progress_restart_resumes_and_finishes),
        cmocka_unit_test(test_tke_progress_status_names_and_steps),
        cmocka_unit_test(test_tke_progress_fetch_unreachable),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
