/* tests/unit/test-proc.c: tests installer/base/proc.c (proc_run and proc_run_lines) */
#include "unit.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/proc.h"
#include "base/vec.h"

#define MEGABYTE (1024 * 1024)

/* What a proc_run_lines callback saw; 'go' is created when a line equal to 'go_after' comes. */
struct seen {
    struct svec lines;
    const char *go_after;
    const char *go;
};

static void touch(const char *path)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fclose(f);
}

static void collect(void *arg, const char *line, size_t len)
{
    struct seen *s = arg;

    assert_int_equal(strlen(line), len);
    svec_push(&s->lines, line);
    if (s->go_after && strcmp(line, s->go_after) == 0) {
        touch(s->go);
    }
}

/* Runs 'script' with /bin/sh through proc_run_lines; returns the exit status. */
static int run_lines(const char *script, const struct proc_opts *opts, struct seen *s)
{
    char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };
    struct proc_result res = { 0 };
    struct err err = ERR_INIT;

    assert_int_equal(proc_run_lines(argv, opts, collect, s, &res, &err), 0);
    return res.status;
}

static void assert_lines(const struct seen *s, const char *const *want, size_t n)
{
    assert_int_equal(s->lines.len, n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(s->lines.items[i], want[i]);
    }
}

static void test_proc_lines_split_across_writes_come_whole(void **state)
{
    struct seen s = { .lines = SVEC_INIT };
    const char *want[] = { "abc", "de", "f" };

    (void)state;
    assert_int_equal(run_lines("printf ab; sleep 0.1; printf 'c\\nd'; sleep 0.1; "
                               "printf 'e\\nf\\n'", NULL, &s), 0);
    assert_lines(&s, want, ARRAY_SIZE(want));
    svec_release(&s.lines);
}

/* The child waits (at most 30 s) for a file the callback creates on its first line: the line
 * must come while the child runs, not when it ends. */
static void test_proc_lines_come_while_the_child_runs(void **state)
{
    char *dir = unit_tmpdir();
    char *go = xasprintf("%s/go", dir);
    char *script = xasprintf("echo first; i=0; while [ ! -e '%s' ] && [ $i -lt 3000 ]; do "
                             "sleep 0.01; i=$((i+1)); done; [ -e '%s' ] && echo second", go, go);
    struct seen s = { .lines = SVEC_INIT, .go_after = "first", .go = go };
    const char *want[] = { "first", "second" };

    (void)state;
    assert_int_equal(run_lines(script, NULL, &s), 0);
    assert_lines(&s, want, ARRAY_SIZE(want));
    svec_release(&s.lines);
    unit_rmtree(dir);
    free(script);
    free(go);
    free(dir);
}

static void test_proc_lines_last_line_without_newline(void **state)
{
    struct seen s = { .lines = SVEC_INIT };
    const char *want[] = { "a", "b" };

    (void)state;
    assert_int_equal(run_lines("printf 'a\\nb'", NULL, &s), 0);
    assert_lines(&s, want, ARRAY_SIZE(want));
    svec_release(&s.lines);
}

static void test_proc_lines_empty_line_and_no_output(void **state)
{
    struct seen s = { .lines = SVEC_INIT };
    const char *want[] = { "a", "", "b" };

    (void)state;
    assert_int_equal(run_lines("printf 'a\\n\\nb\\n'", NULL, &s), 0);
    assert_lines(&s, want, ARRAY_SIZE(want));
    svec_release(&s.lines);
    assert_int_equal(run_lines("true", NULL, &s), 0);
    assert_int_equal(s.lines.len, 0);
}

static void test_proc_lines_one_megabyte_line_whole(void **state)
{
    struct seen s = { .lines = SVEC_INIT };
    const char *script = "head -c 1048576 /dev/zero | tr '\\0' x; echo; echo after; "
                         "head -c 1048576 /dev/zero | tr '\\0' y";

    (void)state;
    assert_int_equal(run_lines(script, NULL, &s), 0);
    assert_int_equal(s.lines.len, 3);
    assert_int_equal(strlen(s.lines.items[0]), MEGABYTE);
    assert_int_equal(strspn(s.lines.items[0], "x"), MEGABYTE);
    assert_string_equal(s.lines.items[1], "after");
    assert_int_equal(strlen(s.lines.items[2]), MEGABYTE);
    assert_int_equal(strspn(s.lines.items[2], "y"), MEGABYTE);
    svec_release(&s.lines);
}

static void test_proc_lines_stderr_merged_in_order(void **state)
{
    struct seen s = { .lines = SVEC_INIT };
    struct proc_opts opts = { .merge_stderr = false };
    const char *want[] = { "out", "err", "out again" };

    (void)state;
    assert_int_equal(run_lines("echo out; echo err >&2; echo out again", &opts, &s), 0);
    assert_lines(&s, want, ARRAY_SIZE(want));
    svec_release(&s.lines);
}

static void test_proc_lines_exit_and_signal_status(void **state)
{
    struct seen s = { .lines = SVEC_INIT };
    const char *want[] = { "before", "killed" };

    (void)state;
    assert_int_equal(run_lines("echo before; exit 3", NULL, &s), 3);
    assert_int_equal(run_lines("printf killed; kill -TERM $$; echo never", NULL, &s),
                     128 + SIGTERM);
    assert_lines(&s, want, ARRAY_SIZE(want));
    svec_release(&s.lines);
}

static void test_proc_lines_timeout_keeps_what_came(void **state)
{
    char *argv[] = { "/bin/sh", "-c", "printf partial; exec sleep 30", NULL };
    struct proc_opts opts = { .timeout_ms = 200 };
    struct proc_result res = { 0 };
    struct seen s = { .lines = SVEC_INIT };
    struct err err = ERR_INIT;
    const char *want[] = { "partial" };

    (void)state;
    assert_int_equal(proc_run_lines(argv, &opts, collect, &s, &res, &err), 0);
    assert_true(res.timed_out);
    assert_int_equal(res.status, -1);
    assert_lines(&s, want, ARRAY_SIZE(want));
    svec_release(&s.lines);
}

static void test_proc_lines_missing_program_says_why(void **state)
{
    char *argv[] = { "pot-no-such-program", NULL };
    struct proc_result res = { 0 };
    struct seen s = { .lines = SVEC_INIT };
    struct err err = ERR_INIT;
    const char *want[] = { "cannot run 'pot-no-such-program': No such file or directory" };

    (void)state;
    assert_int_equal(proc_run_lines(argv, NULL, collect, &s, &res, &err), 0);
    assert_int_equal(res.status, 127);
    assert_lines(&s, want, ARRAY_SIZE(want));
    svec_release(&s.lines);
}

static void test_proc_run_captures_stdout_stderr_apart(void **state)
{
    char *argv[] = { "/bin/sh", "-c", "cat; echo oops >&2; printf end; exit 4", NULL };
    struct proc_opts opts = { .stdin_data = "in\n", .stdin_len = 3, .cwd = "/" };
    struct buf out = BUF_INIT, errout = BUF_INIT;
    struct proc_result res = { 0 };
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(proc_run(argv, &opts, &out, &errout, &res, &err), 0);
    assert_int_equal(res.status, 4);
    assert_false(res.timed_out);
    assert_string_equal(out.ptr, "in\nend");
    assert_string_equal(errout.ptr, "oops\n");
    buf_release(&out);
    buf_release(&errout);
}

static void test_proc_run_merge_stderr(void **state)
{
    char *argv[] = { "/bin/sh", "-c", "echo a; echo b >&2; echo c", NULL };
    struct proc_opts opts = { .merge_stderr = true };
    struct buf out = BUF_INIT, errout = BUF_INIT;
    struct proc_result res = { 0 };
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(proc_run(argv, &opts, &out, &errout, &res, &err), 0);
    assert_int_equal(res.status, 0);
    assert_string_equal(out.ptr, "a\nb\nc\n");
    assert_string_equal(errout.ptr, "");
    buf_release(&out);
    buf_release(&errout);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_proc_lines_split_across_writes_come_whole),
        cmocka_unit_test(test_proc_lines_come_while_the_child_runs),
        cmocka_unit_test(test_proc_lines_last_line_without_newline),
        cmocka_unit_test(test_proc_lines_empty_line_and_no_output),
        cmocka_unit_test(test_proc_lines_one_megabyte_line_whole),
        cmocka_unit_test(test_proc_lines_stderr_merged_in_order),
        cmocka_unit_test(test_proc_lines_exit_and_signal_status),
        cmocka_unit_test(test_proc_lines_timeout_keeps_what_came),
        cmocka_unit_test(test_proc_lines_missing_program_says_why),
        cmocka_unit_test(test_proc_run_captures_stdout_stderr_apart),
        cmocka_unit_test(test_proc_run_merge_stderr),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
