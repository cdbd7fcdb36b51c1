/* tests/unit/test-mod-file.c: tests installer/modules/mod-file.c through the local connection */
#include "unit-mod.h"
#include <pthread.h>
#include <sys/stat.h>

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

static mode_t mode_of(const char *path)
{
    struct stat st;

    assert_int_equal(lstat(path, &st), 0);
    return st.st_mode;
}

static void test_file_directory_created_then_ok(void **state)
{
    struct unit_mod *m = *state;
    char *dir = xasprintf("%s/a/b/c", m->dir);

    m->ctx.check_mode = true;
    assert_int_equal(unit_mod_run(m, "file", NULL, "{\"path\": \"%s\", \"state\": \"directory\"}",
                                  dir),
                     RESULT_CHANGED);
    assert_int_equal(access(dir, F_OK), -1);
    m->ctx.check_mode = false;
    m->ctx.diff_mode = true;
    assert_int_equal(
        unit_mod_run(m, "file", NULL,
                     "{\"path\": \"%s\", \"state\": \"directory\", \"mode\": \"0750\"}", dir),
        RESULT_CHANGED);
    assert_true(S_ISDIR(mode_of(dir)));
    assert_int_equal(mode_of(dir) & 07777, 0750);
    assert_string_equal(unit_mod_str(m, "path"), dir);
    assert_string_equal(unit_mod_str(m, "state"), "directory");
    assert_string_equal(unit_mod_str(m, "mode"), "0750");
    assert_string_equal(unit_mod_str(m, "owner"), "root");
    assert_non_null(strstr(m->res.diff.ptr, "--- before\n+++ after\n"));
    assert_non_null(
        strstr(m->res.diff.ptr, "-    \"state\": \"absent\"\n+    \"state\": \"directory\""));
    assert_int_equal(
        unit_mod_run(m, "file", NULL,
                     "{\"path\": \"%s\", \"state\": \"directory\", \"mode\": \"0750\"}", dir),
        RESULT_OK);
    assert_int_equal(m->res.diff.len, 0);
    assert_int_equal(unit_mod_run(m, "file", NULL,
                                  "{\"path\": \"%s\", \"state\": \"directory\", \"mode\": \"g-x\"}",
                                  dir),
                     RESULT_CHANGED);
    assert_int_equal(mode_of(dir) & 07777, 0740);
    assert_non_null(strstr(m->res.diff.ptr, "+    \"mode\": \"0740\""));
    free(dir);
}

static void test_file_recurse_sets_modes_below(void **state)
{
    struct unit_mod *m = *state;
    char *top = xasprintf("%s/t", m->dir);
    char *sub = xasprintf("%s/t/s", m->dir);
    char *f;

    mkdir(top, 0755);
    mkdir(sub, 0755);
    f = unit_write_file(sub, "f", "x");
    chmod(f, 0600);
    assert_int_equal(unit_mod_run(m, "file", NULL,
                                  "{\"path\": \"%s\", \"state\": \"directory\", \"recurse\": true, "
                                  "\"mode\": \"u=rwX,g=rX,o=\"}", top),
                     RESULT_CHANGED);
    assert_int_equal(mode_of(top) & 07777, 0750);
    assert_int_equal(mode_of(sub) & 07777, 0750);
    assert_int_equal(mode_of(f) & 07777, 0640);
    assert_int_equal(unit_mod_run(m, "file", NULL,
                                  "{\"path\": \"%s\", \"state\": \"directory\", \"recurse\": true, "
                                  "\"mode\": \"u=rwX,g=rX,o=\"}", top),
                     RESULT_OK);
    m->ctx.check_mode = true;
    assert_int_equal(unit_mod_run(m, "file", NULL,
                                  "{\"path\": \"%s\", \"recurse\": true, \"mode\": \"0700\"}", top),
                     RESULT_CHANGED);
    assert_int_equal(mode_of(f) & 07777, 0640);
    assert_int_equal(unit_mod_run(m, "file", NULL,
                                  "{\"path\": \"%s\", \"state\": \"file\", \"recurse\": true}", f),
                     RESULT_FAILED);
    assert_string_equal(m->res.msg, "recurse option requires state to be 'directory'");
    free(f);
    free(top);
    free(sub);
}

static void test_file_touch_always_changed_and_file_state(void **state)
{
    struct unit_mod *m = *state;
    char *f = xasprintf("%s/t.txt", m->dir);

    assert_int_equal(unit_mod_run(m, "file", NULL, "{\"path\": \"%s\", \"state\": \"file\"}", f),
                     RESULT_FAILED);
    assert_non_null(strstr(m->res.msg, "is absent, cannot continue"));
    assert_int_equal(unit_mod_run(m, "file", NULL,
                                  "{\"path\": \"%s\", \"state\": \"touch\", \"mode\": \"0600\"}",
                                  f),
                     RESULT_CHANGED);
    assert_int_equal(mode_of(f) & 07777, 0600);
    assert_string_equal(unit_mod_str(m, "dest"), f);
    assert_int_equal(unit_mod_int(m, "size"), 0);
    assert_int_equal(unit_mod_run(m, "file", NULL, "{\"dest\": \"%s\", \"state\": \"touch\"}", f),
                     RESULT_CHANGED);
    assert_int_equal(unit_mod_run(m, "file", NULL, "{\"name\": \"%s\"}", f), RESULT_OK);
    assert_string_equal(unit_mod_str(m, "state"), "file");
    assert_int_equal(unit_mod_run(m, "file", NULL, "{\"path\": \"%s\", \"state\": \"directory\"}",
                                  f),
                     RESULT_FAILED);
    assert_non_null(strstr(m->res.msg, "already exists as a file"));
    free(f);
}

static void test_file_symlink_and_force(void **state)
{
    struct unit_mod *m = *state;
    char *target = unit_write_file(m->dir, "target", "t");
    char *other = unit_write_file(m->dir, "other", "o");
    char *link = xasprintf("%s/ln", m->dir);
    char buf[256];
    ssize_t n;

    assert_int_equal(unit_mod_run(m, "file", NULL,
                                  "{\"path\": \"%s\", \"src\": \"nope\", \"state\": \"link\"}",
                                  link),
                     RESULT_FAILED);
    assert_non_null(strstr(m->res.msg, "src file does not exist, use \"force=yes\""));
    assert_int_equal(unit_mod_run(m, "file", NULL,
                                  "{\"path\": \"%s\", \"src\": \"target\", \"state\": \"link\"}",
                                  link),
                     RESULT_CHANGED);
    n = readlink(link, buf, sizeof(buf) - 1);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_string_equal(buf, "target");
    assert_string_equal(unit_mod_str(m, "state"), "link");
    assert_string_equal(unit_mod_str(m, "src"), "target");
    assert_int_equal(unit_mod_run(m, "file", NULL,
                                  "{\"path\": \"%s\", \"src\": \"target\", \"state\": \"link\"}",
                                  link),
                     RESULT_OK);
    assert_int_equal(unit_mod_run(m, "file", NULL,
                                  "{\"path\": \"%s\", \"src\": \"other\", \"state\": \"link\"}",
                                  link),
                     RESULT_CHANGED);
    n = readlink(link, buf, sizeof(buf) - 1);
    buf[n] = '\0';
    assert_string_equal(buf, "other");
    assert_int_equal(unit_mod_run(m, "file", NULL,
                                  "{\"path\": \"%s\", \"src\": \"%s\", \"state\": \"link\"}",
                                  target, other),
                     RESULT_FAILED);
    assert_non_null(strstr(m->res.msg, "refusing to convert from file to symlink for "));
    assert_int_equal(
        unit_mod_run(m, "file", NULL,
                     "{\"path\": \"%s\", \"src\": \"%s\", \"state\": \"link\", \"force\": true}",
                     target, other),
        RESULT_CHANGED);
    assert_true(S_ISLNK(mode_of(target)));
    free(target);
    free(other);
    free(link);
}

static void test_file_hard_link_and_absent(void **state)
{
    struct unit_mod *m = *state;
    char *src = unit_write_file(m->dir, "src", "s");
    char *hard = xasprintf("%s/hard", m->dir);
    struct stat a, b;

    assert_int_equal(unit_mod_run(m, "file", NULL,
                                  "{\"path\": \"%s\", \"src\": \"%s\", \"state\": \"hard\"}", hard,
                                  src),
                     RESULT_CHANGED);
    assert_int_equal(stat(src, &a), 0);
    assert_int_equal(stat(hard, &b), 0);
    assert_int_equal(a.st_ino, b.st_ino);
    assert_string_equal(unit_mod_str(m, "state"), "hard");
    assert_int_equal(unit_mod_run(m, "file", NULL,
                                  "{\"path\": \"%s\", \"src\": \"%s\", \"state\": \"hard\"}", hard,
                                  src),
                     RESULT_OK);
    m->ctx.check_mode = true;
    assert_int_equal(unit_mod_run(m, "file", NULL, "{\"path\": \"%s\", \"state\": \"absent\"}",
                                  hard),
                     RESULT_CHANGED);
    assert_int_equal(access(hard, F_OK), 0);
    m->ctx.check_mode = false;
    assert_int_equal(unit_mod_run(m, "file", NULL, "{\"path\": \"%s\", \"state\": \"absent\"}",
                                  hard),
                     RESULT_CHANGED);
    assert_int_equal(access(hard, F_OK), -1);
    assert_string_equal(unit_mod_str(m, "state"), "absent");
    assert_int_equal(unit_mod_run(m, "file", NULL, "{\"path\": \"%s\", \"state\": \"absent\"}",
                                  hard),
                     RESULT_OK);
    assert_int_equal(unit_mod_run(m, "file", NULL, "{\"path\": \"%s\", \"state\": \"absent\"}",
                                  m->dir),
                     RESULT_CHANGED);
    assert_int_equal(access(m->dir, F_OK), -1);
    mkdir(m->dir, 0700);
    free(src);
    free(hard);
}

#define RACERS 4
#define RACE_DIRS 24

/* One fork of the race: its own connection, the same directory trees as the others. */
struct racer {
    struct conn *conn;
    struct module_ctx ctx;
    struct margs args[RACE_DIRS];
    int failed;
};

/* No cmocka asserts here: they are not thread-safe. */
static void *race_run(void *p)
{
    struct racer *r = p;
    const struct module *file = module_find("file");

    for (size_t i = 0; i < RACE_DIRS; i++) {
        struct result res;
        struct err err = ERR_INIT;

        result_init(&res);
        if (file->run(&r->ctx, &r->args[i], &res, &err) < 0 || res.status == RESULT_FAILED) {
            r->failed++;
        }
        result_release(&res);
    }
    return NULL;
}

/* Several forks making the same tree at once: a mkdir losing the race (EEXIST) is fine. */
static void test_file_directory_race(void **state)
{
    struct unit_mod *m = *state;
    struct racer *racers = xcalloc(RACERS, sizeof(*racers));
    pthread_t threads[RACERS];

    for (size_t k = 0; k < RACERS; k++) {
        struct conn_settings cs = { .host_name = "localhost", .transport = "local" };
        struct err err = ERR_INIT;

        racers[k].conn = conn_new(&cs, &err);
        assert_non_null(racers[k].conn);
        racers[k].ctx = m->ctx;
        racers[k].ctx.conn = racers[k].conn;
        for (size_t i = 0; i < RACE_DIRS; i++) {
            char *json = xasprintf("{\"path\": \"%s/t%zu/a/b/c/d/e\", \"state\": \"directory\", "
                                   "\"mode\": \"0750\"}", m->dir, i);
            struct val *raw = val_from_json(json, strlen(json), "args", &err);

            assert_non_null(raw);
            assert_int_equal(margs_parse(module_find("file"), raw, NULL, &racers[k].args[i], &err),
                             0);
            val_unref(raw);
            free(json);
        }
    }
    for (size_t k = 0; k < RACERS; k++) {
        assert_int_equal(pthread_create(&threads[k], NULL, race_run, &racers[k]), 0);
    }
    for (size_t k = 0; k < RACERS; k++) {
        assert_int_equal(pthread_join(threads[k], NULL), 0);
    }
    for (size_t k = 0; k < RACERS; k++) {
        assert_int_equal(racers[k].failed, 0);
        for (size_t i = 0; i < RACE_DIRS; i++) {
            margs_release(&racers[k].args[i]);
        }
        conn_free(racers[k].conn);
    }
    for (size_t i = 0; i < RACE_DIRS; i++) {
        char *leaf = xasprintf("%s/t%zu/a/b/c/d/e", m->dir, i);

        assert_int_equal(mode_of(leaf) & 07777, 0750);
        free(leaf);
    }
    free(racers);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_file_directory_created_then_ok, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_recurse_sets_modes_below, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_touch_always_changed_and_file_state, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_file_symlink_and_force, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_hard_link_and_absent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_directory_race, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
