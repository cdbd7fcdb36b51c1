/* tests/unit/test-inv-vars.c: tests installer/inventory/inv-vars.c */
#include "unit.h"
#include <sys/stat.h>
#include "base/buf.h"
#include "base/err.h"
#include "inventory/inv.h"
#include "value/val-json.h"
#include "value/val.h"

static void assert_json(struct val *v, const char *want)
{
    struct buf out = BUF_INIT;

    val_to_json(v, &out, -1, 0);
    assert_string_equal(out.ptr, want);
    buf_release(&out);
    val_unref(v);
}

static void make_dir(const char *dir, const char *name)
{
    char *path = xasprintf("%s/%s", dir, name);

    assert_int_equal(mkdir(path, 0755), 0);
    free(path);
}

static struct inventory *load_dir(const char *dir, struct err *err)
{
    char *hosts = xasprintf("%s/hosts", dir);
    struct inventory *inv = inv_new();

    if (inv_load(inv, hosts, err) < 0 || inv_finish(inv, err) < 0) {
        inv_free(inv);
        inv = NULL;
    }
    free(hosts);
    return inv;
}

static void test_inv_vars_precedence(void **state)
{
    char *dir = unit_tmpdir();
    char *paths[6];
    struct err err = ERR_INIT;
    struct inventory *inv;

    (void)state;
    paths[0] = unit_write_file(dir, "hosts",
                               "[p]\nh1 h=inline\n[c]\nh1\n[p:children]\nc\n"
                               "[p:vars]\nx=p\ny=p\n[c:vars]\nx=c\n[all:vars]\nx=all\nz=all\n");
    make_dir(dir, "group_vars");
    paths[1] = unit_write_file(dir, "group_vars/all.yml", "z: file_all\ny: file_all\n");
    paths[2] = unit_write_file(dir, "group_vars/c.yaml", "w: file_c\n");
    make_dir(dir, "host_vars");
    make_dir(dir, "host_vars/h1");
    paths[3] = unit_write_file(dir, "host_vars/h1/a.yml", "h: file_a\n");
    paths[4] = unit_write_file(dir, "host_vars/h1/b.json", "{\"h\": \"file_b\", \"k\": 1}\n");
    paths[5] = unit_write_file(dir, "host_vars/h1/c.txt", "h: ignored\n");
    inv = load_dir(dir, &err);
    assert_non_null(inv);
    /* all < p < c (deeper) < group_vars/all < group_vars/c < inline host < host_vars */
    assert_json(inv_host_vars(inv, inv_find_host(inv, "h1")),
                "{\"x\": \"c\", \"z\": \"file_all\", \"y\": \"file_all\", \"w\": \"file_c\", "
                "\"h\": \"file_b\", \"k\": 1}");
    inv_free(inv);
    for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
        free(paths[i]);
    }
    unit_rmtree(dir);
    free(dir);
}

/* The same scope beside the playbook ranks just above the inventory's; a wider scope does not
 * (ansible-core 2.14, checked with ansible-playbook: x comes from the inventory's group_vars/g,
 * not the playbook's group_vars/all). */
static void test_inv_vars_playbook_dir(void **state)
{
    char *dir = unit_tmpdir();
    char *play = xasprintf("%s/play", dir);
    char *paths[8];
    struct err err = ERR_INIT;
    struct inventory *inv;

    (void)state;
    paths[0] = unit_write_file(dir, "hosts", "[g]\nh1 inline=inv h=inline\n");
    make_dir(dir, "group_vars");
    make_dir(dir, "host_vars");
    paths[1] = unit_write_file(dir, "group_vars/g.yml", "x: inv_g\ny: inv_g\n");
    paths[2] = unit_write_file(dir, "group_vars/all.yml", "a: inv_all\nb: inv_all\n");
    paths[3] = unit_write_file(dir, "host_vars/h1.yml", "h: inv_file\ninline: inv_file\n");
    make_dir(dir, "play");
    make_dir(play, "group_vars");
    make_dir(play, "host_vars");
    paths[4] = unit_write_file(play, "group_vars/all.yml", "x: play_all\nb: play_all\n");
    paths[5] = unit_write_file(play, "group_vars/g.yml", "y: play_g\n");
    paths[6] = unit_write_file(play, "host_vars/h1.yml", "h: play_file\n");
    paths[7] = unit_write_file(play, "host_vars/localhost.yml", "lh: 1\n");
    inv = load_dir(dir, &err);
    assert_non_null(inv);
    assert_int_equal(inv_add_playbook_dir(inv, play, &err), 0);
    assert_json(inv_host_vars(inv, inv_find_host(inv, "h1")),
                "{\"a\": \"inv_all\", \"b\": \"play_all\", \"x\": \"inv_g\", "
                "\"y\": \"play_g\", \"inline\": \"inv_file\", \"h\": \"play_file\"}");
    inv_free(inv);
    for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
        free(paths[i]);
    }
    free(play);
    unit_rmtree(dir);
    free(dir);
}

static void test_inv_vars_magic(void **state)
{
    struct err err = ERR_INIT;
    struct inventory *inv = inv_new();
    struct val *hostvars;

    (void)state;
    assert_int_equal(inv_load_ini(inv, "lone.example.com\n[b]\n10.0.0.1\n[a]\n10.0.0.1\n",
                                  "hosts", &err),
                     0);
    assert_int_equal(inv_finish(inv, &err), 0);
    assert_json(inv_groups_dict(inv),
                "{\"all\": [\"lone.example.com\", \"10.0.0.1\"], \"ungrouped\": "
                "[\"lone.example.com\"], \"b\": [\"10.0.0.1\"], \"a\": [\"10.0.0.1\"]}");
    assert_json(inv_group_names(inv, inv_find_host(inv, "10.0.0.1")), "[\"a\", \"b\"]");
    assert_json(inv_group_names(inv, inv_find_host(inv, "lone.example.com")), "[\"ungrouped\"]");
    hostvars = inv_hostvars_dict(inv);
    assert_string_equal(
        val_dict_get_str(val_dict_get(hostvars, "lone.example.com"), "inventory_hostname_short"),
        "lone");
    assert_string_equal(
        val_dict_get_str(val_dict_get(hostvars, "10.0.0.1"), "inventory_hostname_short"),
        "10.0.0.1");
    val_unref(hostvars);
    inv_free(inv);
}

static void test_inv_vars_bad_file_is_an_error(void **state)
{
    char *dir = unit_tmpdir();
    char *hosts;
    char *bad;
    struct err err = ERR_INIT;

    (void)state;
    hosts = unit_write_file(dir, "hosts", "[g]\nh\n");
    make_dir(dir, "group_vars");
    bad = unit_write_file(dir, "group_vars/g.yml", "- a list\n");
    assert_null(load_dir(dir, &err));
    assert_int_equal(err.kind, ERR_PARSE);
    assert_string_equal(err.msg, "variables file must be a mapping, not list");
    free(hosts);
    free(bad);
    unit_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inv_vars_precedence),
        cmocka_unit_test(test_inv_vars_playbook_dir),
        cmocka_unit_test(test_inv_vars_magic),
        cmocka_unit_test(test_inv_vars_bad_file_is_an_error),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
