/* tests/unit/test-journal.c: tests installer/journal/journal.c and journal-lock.c */
#include "unit.h"
#include <fcntl.h>
#include <sys/stat.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/log.h"
#include "journal/journal.h"

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

/* Every test gets a fresh directory; the journal tests also a journal opened at DIR/pot/journal. */
struct fixture {
    char *dir;          /* owned: removed with everything in it by teardown */
    char *path;         /* owned: DIR/pot/journal */
    struct journal *j;  /* owned; NULL when closed */
    struct err err;
};

static int setup_dir(void **state)
{
    struct fixture *fx = xcalloc(1, sizeof(*fx));

    fx->dir = unit_tmpdir();
    fx->path = xasprintf("%s/pot/journal", fx->dir);
    *state = fx;
    return 0;
}

static int setup_journal(void **state)
{
    struct fixture *fx;

    setup_dir(state);
    fx = *state;
    fx->j = journal_open(fx->path, &fx->err);
    return fx->j ? 0 : -1;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    journal_free(fx->j);
    unit_rmtree(fx->dir);
    free(fx->path);
    free(fx->dir);
    free(fx);
    return 0;
}

/* Closes the fixture's journal and opens it again from disk; returns it (NULL on error). */
static struct journal *reopen(struct fixture *fx)
{
    journal_free(fx->j);
    fx->j = journal_open(fx->path, &fx->err);
    return fx->j;
}

static void test_journal_roundtrip_and_mode(void **state)
{
    struct fixture *fx = *state;
    struct stat st;

    assert_int_equal(journal_append(fx->j, JOURNAL_STARTED, "tke-config", NULL, "abc", NULL,
                                    &fx->err), 0);
    assert_int_equal(journal_append(fx->j, JOURNAL_FAILED, "tke-config", NULL, "abc",
                                    "bad\tvalue 100%\nsecond line", &fx->err), 0);
    assert_int_equal(journal_append(fx->j, JOURNAL_FINISHED, "host-init", "node1", "h1", "",
                                    &fx->err), 0);
    journal_free(fx->j);
    fx->j = NULL;

    assert_int_equal(stat(fx->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_non_null(reopen(fx));
    assert_int_equal(journal_count(fx->j), 3);
    assert_int_equal(journal_dropped_bytes(fx->j), 0);
    assert_string_equal(journal_at(fx->j, 1)->msg, "bad\tvalue 100%\nsecond line");
    assert_int_equal(journal_at(fx->j, 1)->event, JOURNAL_FAILED);
    assert_string_equal(journal_at(fx->j, 2)->host, "node1");
    assert_true(journal_is_done(fx->j, "host-init", "node1", "h1"));
    assert_false(journal_is_done(fx->j, "host-init", "node1", "other-inputs"));
    assert_false(journal_is_done(fx->j, "host-init", NULL, "h1"));
    assert_false(journal_is_done(fx->j, "tke-config", NULL, "abc"));
    assert_string_equal(journal_last_failure(fx->j)->stage, "tke-config");
}

/* Every prefix of the record after the first 'good' bytes, as a crash mid-write would leave it,
 * is dropped and truncated away, and the next append starts on a clean line. */
static void check_every_torn_prefix(struct fixture *fx, off_t good)
{
    struct buf whole = BUF_INIT;
    const char *third;
    size_t third_len;

    assert_int_equal(fs_read_file(fx->path, &whole, &fx->err), 0);
    third = whole.ptr + good;
    third_len = whole.len - (size_t)good;
    for (size_t cut = 1; cut < third_len; cut++) {
        assert_int_equal(truncate(fx->path, good), 0);
        append_raw(fx->path, third, cut);
        assert_non_null(reopen(fx));
        assert_int_equal(journal_count(fx->j), 2);
        assert_int_equal(journal_dropped_bytes(fx->j), cut);
        assert_int_equal(file_size(fx->path), good);
        assert_int_equal(journal_append(fx->j, JOURNAL_FINISHED, "c", NULL, "3", NULL, &fx->err),
                         0);
        assert_non_null(reopen(fx));
        assert_int_equal(journal_count(fx->j), 3);
        assert_true(journal_is_done(fx->j, "c", NULL, "3"));
        journal_free(fx->j);
        fx->j = NULL;
    }
    buf_release(&whole);
}

static void test_journal_torn_tail_is_dropped_and_truncated(void **state)
{
    struct fixture *fx = *state;
    off_t good;

    assert_int_equal(journal_append(fx->j, JOURNAL_FINISHED, "a", NULL, "1", NULL, &fx->err), 0);
    assert_int_equal(journal_append(fx->j, JOURNAL_FINISHED, "b", NULL, "2", NULL, &fx->err), 0);
    journal_free(fx->j);
    fx->j = NULL;
    good = file_size(fx->path);

    assert_non_null(reopen(fx));
    assert_int_equal(journal_append(fx->j, JOURNAL_STARTED, "c", NULL, "3", "x", &fx->err), 0);
    journal_free(fx->j);
    fx->j = NULL;
    check_every_torn_prefix(fx, good);

    /* Zero-filled blocks at the end (delayed allocation after a crash) are a torn tail too. */
    assert_int_equal(truncate(fx->path, good), 0);
    append_raw(fx->path, "\0\0\0\0\n\0\0", 7);
    assert_non_null(reopen(fx));
    assert_int_equal(journal_count(fx->j), 2);
}

static void test_journal_corruption_in_the_middle_is_an_error(void **state)
{
    struct fixture *fx = *state;
    struct buf text = BUF_INIT;

    assert_int_equal(journal_append(fx->j, JOURNAL_FINISHED, "a", NULL, "1", NULL, &fx->err), 0);
    assert_int_equal(journal_append(fx->j, JOURNAL_FINISHED, "b", NULL, "2", NULL, &fx->err), 0);
    journal_free(fx->j);
    fx->j = NULL;
    assert_int_equal(fs_read_file(fx->path, &text, &fx->err), 0);
    text.ptr[10] ^= 1; /* flip a bit in the first record */
    assert_int_equal(fs_write_atomic(fx->path, text.ptr, text.len, 0600, &fx->err), 0);
    buf_release(&text);
    assert_null(reopen(fx));
    assert_int_equal(fx->err.kind, ERR_PARSE);
    assert_non_null(strstr(fx->err.msg, ":1: corrupt journal record followed by valid ones"));
}

static void test_journal_reset_hides_earlier_records(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(journal_append(fx->j, JOURNAL_FINISHED, "a", NULL, "1", NULL, &fx->err), 0);
    assert_int_equal(journal_append(fx->j, JOURNAL_FAILED, "b", NULL, "2", "boom", &fx->err), 0);
    assert_int_equal(journal_append(fx->j, JOURNAL_RESET, "", NULL, NULL, NULL, &fx->err), 0);
    assert_false(journal_is_done(fx->j, "a", NULL, "1"));
    assert_null(journal_last(fx->j, "a", NULL));
    assert_null(journal_last_failure(fx->j));
    assert_int_equal(journal_count(fx->j), 3);
}

static void test_journal_undone_survives_reopen_and_is_not_done(void **state)
{
    struct fixture *fx = *state;
    const struct journal_rec *r;

    assert_int_equal(journal_append(fx->j, JOURNAL_FINISHED, "a", NULL, "1", NULL, &fx->err), 0);
    assert_true(journal_is_done(fx->j, "a", NULL, "1"));
    assert_int_equal(journal_append(fx->j, JOURNAL_UNDONE, "a", NULL, NULL, "pot uninstall",
                                    &fx->err), 0);
    assert_non_null(reopen(fx));
    r = journal_last(fx->j, "a", NULL);
    assert_non_null(r);
    assert_int_equal(r->event, JOURNAL_UNDONE);
    assert_string_equal(r->msg, "pot uninstall");
    assert_string_equal(journal_event_name(JOURNAL_UNDONE), "undone");
    assert_false(journal_is_done(fx->j, "a", NULL, "1"));
    assert_null(journal_last_failure(fx->j));
}

static void test_journal_redacts_secrets(void **state)
{
    struct fixture *fx = *state;
    struct buf text = BUF_INIT;

    log_add_secret("s3cr3t-pass");
    assert_int_equal(journal_append(fx->j, JOURNAL_FAILED, "x", NULL, NULL,
                                    "login with s3cr3t-pass failed", &fx->err), 0);
    log_clear_secrets();
    assert_int_equal(fs_read_file(fx->path, &text, &fx->err), 0);
    assert_null(strstr(text.ptr, "s3cr3t-pass"));
    assert_non_null(strstr(text.ptr, "********"));
    buf_release(&text);
}

static void test_journal_lock_excludes_and_names_holder(void **state)
{
    struct fixture *fx = *state;
    char *path = xasprintf("%s/pot/lock", fx->dir);
    struct err err = ERR_INIT;
    long stale = -1;
    struct journal_lock *first = journal_lock_acquire(path, "pot install -i hosts", &stale, &err);
    struct journal_lock *second;
    char *want = xasprintf("pid=%ld ", (long)getpid());

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
    free(path);
}

static void test_journal_lock_of_killed_process_is_taken_over(void **state)
{
    struct fixture *fx = *state;
    char *path = xasprintf("%s/lock", fx->dir);
    struct err err = ERR_INIT;
    struct journal_lock *lock;
    long stale = 0;
    int status;
    pid_t child = fork();

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
    free(path);
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
        cmocka_unit_test_setup_teardown(test_journal_roundtrip_and_mode, setup_journal, teardown),
        cmocka_unit_test_setup_teardown(test_journal_torn_tail_is_dropped_and_truncated,
                                        setup_journal, teardown),
        cmocka_unit_test_setup_teardown(test_journal_corruption_in_the_middle_is_an_error,
                                        setup_journal, teardown),
        cmocka_unit_test_setup_teardown(test_journal_reset_hides_earlier_records, setup_journal,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_journal_undone_survives_reopen_and_is_not_done,
                                        setup_journal, teardown),
        cmocka_unit_test_setup_teardown(test_journal_redacts_secrets, setup_journal, teardown),
        cmocka_unit_test_setup_teardown(test_journal_lock_excludes_and_names_holder, setup_dir,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_journal_lock_of_killed_process_is_taken_over,
                                        setup_dir, teardown),
        cmocka_unit_test(test_journal_open_reports_unwritable_dir),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
