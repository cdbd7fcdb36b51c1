/* tests/unit/test-journal.c: tests installer/journal/journal.c and journal-lock.c */
#include "unit.h"
#include <fcntl.h>
#include <sys/stat.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/log.h"
#include "journal/journal.h"

static char *journal_path(const char *dir)
{
    return xasprintf("%s/pot/journal", dir);
}

static void append_raw(const char *path, const char *bytes, size_t len)
{
    int fd = open(path, O_WRONLY | O_APPEND);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, bytes, len), (ssize_t)len);
    close(fd);
}

static off_t file_size(const char *path)
{
    struct stat st;

    assert_int_equal(stat(path, &st), 0);
    return st.st_size;
}

static void test_journal_roundtrip_and_mode(void **state)
{
    char *dir = unit_tmpdir();
    char *path = journal_path(dir);
    struct err err = ERR_INIT;
    struct journal *j = journal_open(path, &err);
    struct stat st;

    (void)state;
    assert_non_null(j);
    assert_int_equal(journal_append(j, JOURNAL_STARTED, "tke-config", NULL, "abc", NULL, &err), 0);
    assert_int_equal(journal_append(j, JOURNAL_FAILED, "tke-config", NULL, "abc",
                                    "bad\tvalue 100%\nsecond line", &err), 0);
    assert_int_equal(journal_append(j, JOURNAL_FINISHED, "host-init", "node1", "h1", "", &err), 0);
    journal_free(j);

    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    j = journal_open(path, &err);
    assert_non_null(j);
    assert_int_equal(journal_count(j), 3);
    assert_int_equal(journal_dropped_bytes(j), 0);
    assert_string_equal(journal_at(j, 1)->msg, "bad\tvalue 100%\nsecond line");
    assert_int_equal(journal_at(j, 1)->event, JOURNAL_FAILED);
    assert_string_equal(journal_at(j, 2)->host, "node1");
    assert_true(journal_is_done(j, "host-init", "node1", "h1"));
    assert_false(journal_is_done(j, "host-init", "node1", "other-inputs"));
    assert_false(journal_is_done(j, "host-init", NULL, "h1"));
    assert_false(journal_is_done(j, "tke-config", NULL, "abc"));
    assert_string_equal(journal_last_failure(j)->stage, "tke-config");
    journal_free(j);
    unit_rmtree(dir);
    free(path);
    free(dir);
}

static void test_journal_torn_tail_is_dropped_and_truncated(void **state)
{
    char *dir = unit_tmpdir();
    char *path = journal_path(dir);
    struct err err = ERR_INIT;
    struct journal *j = journal_open(path, &err);
    off_t good;

    (void)state;
    assert_non_null(j);
    assert_int_equal(journal_append(j, JOURNAL_FINISHED, "a", NULL, "1", NULL, &err), 0);
    assert_int_equal(journal_append(j, JOURNAL_FINISHED, "b", NULL, "2", NULL, &err), 0);
    journal_free(j);
    good = file_size(path);

    /* Every prefix of a third record, as a crash mid-write would leave it. */
    {
        struct buf whole = BUF_INIT;
        const char *third;
        size_t third_len;

        j = journal_open(path, &err);
        assert_int_equal(journal_append(j, JOURNAL_STARTED, "c", NULL, "3", "x", &err), 0);
        journal_free(j);
        assert_int_equal(fs_read_file(path, &whole, &err), 0);
        third = whole.ptr + good;
        third_len = whole.len - (size_t)good;
        for (size_t cut = 1; cut < third_len; cut++) {
            assert_int_equal(truncate(path, good), 0);
            append_raw(path, third, cut);
            j = journal_open(path, &err);
            assert_non_null(j);
            assert_int_equal(journal_count(j), 2);
            assert_int_equal(journal_dropped_bytes(j), cut);
            assert_int_equal(file_size(path), good);
            /* the next append starts on a clean line */
            assert_int_equal(journal_append(j, JOURNAL_FINISHED, "c", NULL, "3", NULL, &err), 0);
            journal_free(j);
            j = journal_open(path, &err);
            assert_int_equal(journal_count(j), 3);
            assert_true(journal_is_done(j, "c", NULL, "3"));
            journal_free(j);
        }
        buf_release(&whole);
    }
    /* Zero-filled blocks at the end (delayed allocation after a crash) are a torn tail too. */
    assert_int_equal(truncate(path, good), 0);
    append_raw(path, "\0\0\0\0\n\0\0", 7);
    j = journal_open(path, &err);
    assert_non_null(j);
    assert_int_equal(journal_count(j), 2);
    journal_free(j);
    unit_rmtree(dir);
    free(path);
    free(dir);
}

static void test_journal_corruption_in_the_middle_is_an_error(void **state)
{
    char *dir = unit_tmpdir();
    char *path = journal_path(dir);
    struct err err = ERR_INIT;
    struct journal *j = journal_open(path, &err);
    struct buf text = BUF_INIT;

    (void)state;
    assert_int_equal(journal_append(j, JOURNAL_FINISHED, "a", NULL, "1", NULL, &err), 0);
    assert_int_equal(journal_append(j, JOURNAL_FINISHED, "b", NULL, "2", NULL, &err), 0);
    journal_free(j);
    assert_int_equal(fs_read_file(path, &text, &err), 0);
    text.ptr[10] ^= 1; /* flip a bit in the first record */
    assert_int_equal(fs_write_atomic(path, text.ptr, text.len, 0600, &err), 0);
    j = journal_open(path, &err);
    assert_null(j);
    assert_int_equal(err.kind, ERR_PARSE);
    assert_non_null(strstr(err.msg, ":1: corrupt journal record followed by valid ones"));
    buf_release(&text);
    unit_rmtree(dir);
    free(path);
    free(dir);
}

static void test_journal_reset_hides_earlier_records(void **state)
{
    char *dir = unit_tmpdir();
    char *path = journal_path(dir);
    struct err err = ERR_INIT;
    struct journal *j = journal_open(path, &err);

    (void)state;
    assert_int_equal(journal_append(j, JOURNAL_FINISHED, "a", NULL, "1", NULL, &err), 0);
    assert_int_equal(journal_append(j, JOURNAL_FAILED, "b", NULL, "2", "boom", &err), 0);
    assert_int_equal(journal_append(j, JOURNAL_RESET, "", NULL, NULL, NULL, &err), 0);
    assert_false(journal_is_done(j, "a", NULL, "1"));
    assert_null(journal_last(j, "a", NULL));
    assert_null(journal_last_failure(j));
    assert_int_equal(journal_count(j), 3);
    journal_free(j);
    unit_rmtree(dir);
    free(path);
    free(dir);
}

static void test_journal_redacts_secrets(void **state)
{
    char *dir = unit_tmpdir();
    char *path = journal_path(dir);
    struct err err = ERR_INIT;
    struct journal *j = journal_open(path, &err);
    struct buf text = BUF_INIT;

    (void)state;
    log_add_secret("s3cr3t-pass");
    assert_int_equal(journal_append(j, JOURNAL_FAILED, "x", NULL, NULL,
                                    "login with s3cr3t-pass failed", &err), 0);
    journal_free(j);
    assert_int_equal(fs_read_file(path, &text, &err), 0);
    assert_null(strstr(text.ptr, "s3cr3t-pass"));
    assert_non_null(strstr(text.ptr, "********"));
    log_clear_secrets();
    buf_release(&text);
    unit_rmtree(dir);
    free(path);
    free(dir);
}

static void test_journal_lock_excludes_and_names_holder(void **state)
{
    char *dir = unit_tmpdir();
    char *path = xasprintf("%s/pot/lock", dir);
    struct err err = ERR_INIT;
    long stale = -1;
    struct journal_lock *first = journal_lock_acquire(path, "pot install -i hosts", &stale, &err);
    struct journal_lock *second;
    char *want = xasprintf("pid=%ld ", (long)getpid());

    (void)state;
    assert_non_null(first);
    assert_int_equal(stale, 0);
    second = journal_lock_acquire(path, "pot install", NULL, &err);
    assert_null(second);
    assert_int_equal(err.kind, ERR_FAILED);
    assert_non_null(strstr(err.msg, "another pot run is in progress"));
    assert_non_null(strstr(err.msg, want));
    assert_non_null(strstr(err.msg, "command=pot install -i hosts"));
    journal_lock_release(first);
    err_clear(&err);
    second = journal_lock_acquire(path, "pot install", &stale, &err);
    assert_non_null(second);
    assert_int_equal(stale, 0); /* released cleanly: the file was emptied */
    journal_lock_release(second);
    free(want);
    unit_rmtree(dir);
    free(path);
    free(dir);
}

static void test_journal_lock_of_killed_process_is_taken_over(void **state)
{
    char *dir = unit_tmpdir();
    char *path = xasprintf("%s/lock", dir);
    struct err err = ERR_INIT;
    struct journal_lock *lock;
    long stale = 0;
    int status;
    pid_t child = fork();

    (void)state;
    if (child == 0) {
        struct err cerr = ERR_INIT;

        if (!journal_lock_acquire(path, "pot install", NULL, &cerr)) {
            _exit(1);
        }
        pause(); /* killed with SIGKILL below while holding the lock */
        _exit(0);
    }
    /* wait until the child wrote its pid into the lock file */
    for (int i = 0; i < 500; i++) {
        struct buf text = BUF_INIT;

        if (fs_read_file(path, &text, &err) == 0 && strstr(text.ptr, "pid=")) {
            buf_release(&text);
            break;
        }
        buf_release(&text);
        usleep(10000);
    }
    assert_null(journal_lock_acquire(path, "pot install", NULL, &err));
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    err_clear(&err);
    lock = journal_lock_acquire(path, "pot install --resume", &stale, &err);
    assert_non_null(lock);
    assert_int_equal(stale, (long)child);
    journal_lock_release(lock);
    unit_rmtree(dir);
    free(path);
    free(dir);
}

static void test_journal_open_reports_unwritable_dir(void **state)
{
    struct err err = ERR_INIT;

    (void)state;
    assert_null(journal_open("/proc/pot-no-such/journal", &err));
    assert_non_null(strstr(err.msg, "/proc/pot-no-such"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_journal_roundtrip_and_mode),
        cmocka_unit_test(test_journal_torn_tail_is_dropped_and_truncated),
        cmocka_unit_test(test_journal_corruption_in_the_middle_is_an_error),
        cmocka_unit_test(test_journal_reset_hides_earlier_records),
        cmocka_unit_test(test_journal_redacts_secrets),
        cmocka_unit_test(test_journal_lock_excludes_and_names_holder),
        cmocka_unit_test(test_journal_lock_of_killed_process_is_taken_over),
        cmocka_unit_test(test_journal_open_reports_unwritable_dir),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
