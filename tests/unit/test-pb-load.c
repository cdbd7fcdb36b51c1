/* tests/unit/test-pb-load.c: tests installer/playbook/pb-load.c (plays, blocks, roles, imports)
 * and the tag selection of installer/exec/exec-tags.c on loaded playbooks. */
#include "unit.h"
#include "base/buf.h"
#include "base/vec.h"
#include "exec/exec.h"
#include "playbook/pb.h"
#include "value/val.h"

static char *dir;

static int setup(void **state)
{
    (void)state;
    dir = unit_tmpdir();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unit_rmtree(dir);
    free(dir);
    return 0;
}

static void put_file(const char *name, const char *content)
{
    char *sub = xasprintf("%s/%s", dir, name);
    char *slash = strrchr(sub, '/');
    char *cmd[] = { "mkdir", "-p", sub, NULL };
    pid_t pid;

    *slash = 0;
    pid = fork();
    if (pid == 0) {
        execvp(cmd[0], cmd);
        _exit(127);
    }
    waitpid(pid, NULL, 0);
    free(sub);
    free(unit_write_file(dir, name, content));
}

static struct playbook *load(const char *name, struct err *err)
{
    char *path = xasprintf("%s/%s", dir, name);
    struct playbook *pb = pb_load(path, NULL, err);

    free(path);
    return pb;
}

static struct pb_task *nth(struct vec *list, size_t i)
{
    assert_true(i < list->len);
    return list->items[i];
}

static void test_pb_load_blocks_and_implicit_flushes(void **state)
{
    struct err err = ERR_INIT;
    struct playbook *pb;
    struct pb_play *play;
    struct pb_task *b;

    (void)state;
    put_file("p.yml", "- hosts: all\n  name: first\n  tasks:\n"
                   "    - block:\n        - debug: msg=a\n      rescue:\n        - debug: msg=r\n"
                   "      always:\n        - debug: msg=z\n      when: x\n"
                   "    - name: named\n      command: echo hi\n");
    pb = load("p.yml", &err);
    assert_non_null(pb);
    play = pb->plays.items[0];
    assert_string_equal(play->name, "first");
    /* pre_tasks flush, block, task, tasks flush, post_tasks flush */
    assert_int_equal(play->tasks.len, 5);
    b = nth(&play->tasks, 1);
    assert_int_equal(b->kind, PB_BLOCK);
    assert_int_equal(b->block.len, 1);
    assert_int_equal(b->rescue.len, 1);
    assert_int_equal(b->always.len, 1);
    assert_non_null(pb_kw_own(b, "when"));
    assert_ptr_equal(nth(&b->block, 0)->parent, b);
    assert_string_equal(nth(&play->tasks, 2)->name, "named");
    assert_string_equal(nth(&play->tasks, 2)->action, "command");
    assert_string_equal(val_dict_get_str(nth(&play->tasks, 2)->args, "_raw_params"), "echo hi");
    pb_free(pb);
}

static void test_pb_load_role_with_defaults_vars_handlers_deps(void **state)
{
    struct err err = ERR_INIT;
    struct playbook *pb;
    struct pb_play *play;
    struct pb_task *wrap;
    struct pb_role *role;

    (void)state;
    put_file("roles/base/tasks/main.yml", "- debug: msg=base\n");
    put_file("roles/web/meta/main.yml", "dependencies:\n  - base\n");
    put_file("roles/web/defaults/main.yml", "port: 80\n");
    put_file("roles/web/vars/main.yml", "user: www\n");
    put_file("roles/web/tasks/main.yml", "- import_tasks: more.yml\n  tags: [t1]\n");
    put_file("roles/web/tasks/more.yml", "- name: inner\n  debug: msg=x\n");
    put_file("roles/web/handlers/main.yml", "- name: restart\n  debug: msg=h\n");
    put_file("r.yml", "- hosts: all\n  roles:\n    - role: web\n      http_port: 8080\n"
                      "      tags: web\n");
    pb = load("r.yml", &err);
    assert_non_null(pb);
    play = pb->plays.items[0];
    assert_int_equal(play->roles.len, 2);
    role = play->roles.items[0];
    assert_string_equal(role->name, "web");
    assert_int_equal(val_dict_get(role->defaults, "port")->u.i, 80);
    assert_string_equal(val_dict_get_str(role->vars, "user"), "www");
    assert_int_equal(val_dict_get(role->params, "http_port")->u.i, 8080);
    wrap = nth(&play->tasks, 1);
    assert_ptr_equal(wrap->role, role);
    assert_string_equal(val_dict_get_str(wrap->kw, "tags"), "web");
    /* dependency first, then the import block holding the inner task */
    assert_string_equal(nth(&wrap->block, 0)->role->name, "base");
    assert_string_equal(nth(&nth(&wrap->block, 1)->block, 0)->name, "inner");
    assert_int_equal(play->handlers.len, 1);
    assert_true(nth(&play->handlers, 0)->is_handler);
    pb_free(pb);
}

static void test_pb_load_errors_name_the_place(void **state)
{
    struct err err = ERR_INIT;

    (void)state;
    put_file("e1.yml", "- hosts: all\n  tasks:\n    - block:\n        - debug: msg=a\n"
                       "      bogus: 1\n");
    assert_null(load("e1.yml", &err));
    assert_string_equal(err.msg, "'bogus' is not a valid attribute for a Block");
    assert_int_equal(err.pos.line, 5);
    err_clear(&err);
    put_file("e2.yml", "- name: x\n  tasks: []\n");
    assert_null(load("e2.yml", &err));
    assert_string_equal(err.msg, "the field 'hosts' is required but was not set");
    err_clear(&err);
    put_file("e3.yml", "- hosts: all\n  roles: [nosuch]\n");
    assert_null(load("e3.yml", &err));
    assert_non_null(strstr(err.msg, "the role 'nosuch' was not found"));
    err_clear(&err);
    put_file("e4.yml", "- hosts: all\n  tasks:\n    - debug: msg=a\n      copy: {}\n");
    assert_null(load("e4.yml", &err));
    assert_string_equal(err.msg, "conflicting action statements: debug, copy");
    assert_int_equal(err.pos.line, 4);
}

static bool selected(struct pb_task *t, const char *only, const char *skip)
{
    struct svec o = SVEC_INIT, s = SVEC_INIT;
    bool r;

    if (only) {
        svec_split(&o, only, ',');
    }
    if (skip) {
        svec_split(&s, skip, ',');
    }
    r = exec_tags_match(t, &o, &s);
    svec_release(&o);
    svec_release(&s);
    return r;
}

static void test_exec_tags_inherited_always_never(void **state)
{
    struct err err = ERR_INIT;
    struct playbook *pb;
    struct pb_play *play;
    struct pb_task *b, *inner, *plain, *always, *never;

    (void)state;
    put_file("t.yml", "- hosts: all\n  tasks:\n"
                   "    - block:\n        - debug: msg=in\n      tags: [outer]\n"
                   "    - debug: msg=plain\n"
                   "    - debug: msg=a\n      tags: always\n"
                   "    - debug: msg=n\n      tags: [never, debugonly]\n");
    pb = load("t.yml", &err);
    assert_non_null(pb);
    play = pb->plays.items[0];
    b = nth(&play->tasks, 1);
    inner = nth(&b->block, 0);
    plain = nth(&play->tasks, 2);
    always = nth(&play->tasks, 3);
    never = nth(&play->tasks, 4);
    assert_true(selected(inner, NULL, NULL));
    assert_false(selected(never, NULL, NULL));
    assert_true(selected(inner, "outer", NULL));
    assert_false(selected(plain, "outer", NULL));
    assert_true(selected(always, "outer", NULL));
    assert_true(selected(never, "debugonly", NULL));
    assert_false(selected(inner, NULL, "outer"));
    assert_true(selected(plain, "untagged", NULL));
    assert_false(selected(inner, "untagged", NULL));
    assert_true(selected(plain, NULL, "tagged"));
    assert_false(selected(inner, NULL, "tagged"));
    assert_false(selected(always, NULL, "always"));
    assert_true(selected(always, NULL, "all"));
    assert_false(selected(plain, NULL, "all"));
    assert_true(selected(inner, "tagged", NULL));
    pb_free(pb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pb_load_blocks_and_implicit_flushes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pb_load_role_with_defaults_vars_handlers_deps, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pb_load_errors_name_the_place, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_tags_inherited_always_never, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
