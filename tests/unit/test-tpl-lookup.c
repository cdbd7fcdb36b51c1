/* tests/unit/test-tpl-lookup.c: tests installer/template/tpl-lookup.c (tpl_lookup) on the
 * shapes Ansible's lookup plugins give: sequence, nested, together, subelements, flattened,
 * indexed_items, first_found and fileglob over a scratch directory, and the errors. */
#include "unit.h"
#include <sys/stat.h>
#include "base/buf.h"
#include "template/tpl.h"
#include "value/val-json.h"
#include "value/val-yaml.h"
#include "value/val.h"

/* Drops the space val_to_json puts after ',' and ':' (no test value holds either). */
static void compact(struct buf *b)
{
    size_t w = 0;

    for (size_t r = 0; r < b->len; r++) {
        if (!(b->ptr[r] == ' ' && r > 0 && (b->ptr[r - 1] == ',' || b->ptr[r - 1] == ':'))) {
            b->ptr[w++] = b->ptr[r];
        }
    }
    buf_truncate(b, w);
}

/* Runs 'plugin' over the terms given as YAML with the search directory 'dir'; returns the
 * result as JSON, or "ERR: message" (caller frees). */
static char *run(const char *plugin, const char *terms_yaml, const char *dir)
{
    struct err err = ERR_INIT;
    struct val *terms = val_from_yaml(terms_yaml, strlen(terms_yaml), "terms.yml", &err);
    struct val *vars = val_dict(), *out;
    struct tpl_dict_scope s;
    struct buf b = BUF_INIT;

    assert_non_null(terms);
    tpl_dict_scope_init(&s, vars, dir);
    out = tpl_lookup(plugin, terms, NULL, NULL, &s.scope, &err);
    if (out) {
        val_to_json(out, &b, -1, 0);
        compact(&b);
    } else {
        buf_addf(&b, "ERR: %s", err.msg);
    }
    val_unref(out);
    val_unref(terms);
    val_unref(vars);
    tpl_dict_scope_release(&s);
    return buf_detach(&b, NULL);
}

static void expect(const char *plugin, const char *terms, const char *want)
{
    char *got = run(plugin, terms, NULL);

    assert_string_equal(got, want);
    free(got);
}

static void test_sequence_forms(void **state)
{
    (void)state;
    expect("sequence", "['5']", "[\"1\",\"2\",\"3\",\"4\",\"5\"]");
    expect("sequence", "['2-10/4']", "[\"2\",\"6\",\"10\"]");
    expect("sequence", "['4:host%02d']", "[\"host01\",\"host02\",\"host03\",\"host04\"]");
    expect("sequence", "['start=0x0f00 count=2 format=%04x']", "[\"0f00\",\"0f01\"]");
    expect("sequence", "['start=10 end=6 stride=-2']", "[\"10\",\"8\",\"6\"]");
    expect("sequence", "['count=0']", "[]");
    expect("sequence", "['start=1']", "ERR: must specify count or end in with_sequence");
    expect("sequence", "['start=5 end=1']", "ERR: to count backwards make stride negative");
    expect("sequence", "['end=3 format=%s%s']", "ERR: bad formatting string: %s%s");
    expect("sequence", "['end=x']", "ERR: can't parse end=x as integer");
}

static void test_list_shapes(void **state)
{
    (void)state;
    expect("nested", "[[a, b], [1, 2]]", "[[\"a\",1],[\"a\",2],[\"b\",1],[\"b\",2]]");
    expect("nested", "[[ab]]", "[[\"a\",\"b\"]]");
    expect("together", "[[a, b], [1]]", "[[\"a\",1],[\"b\",null]]");
    expect("indexed_items", "[x, [y]]", "[[0,\"x\"],[1,\"y\"]]");
    expect("flattened", "[[a, [b, [c]]], d]", "[\"a\",\"b\",\"c\",\"d\"]");
    expect("flattened", "[a, None, b]", "[\"a\"]");
    expect("items", "[[a, [b]], c]", "[\"a\",[\"b\"],\"c\"]");
    expect("list", "[[a], b]", "[[\"a\"],\"b\"]");
    expect("dict", "[{k: v}]", "[{\"key\":\"k\",\"value\":\"v\"}]");
    expect("dict", "[a]", "ERR: with_dict expects a dict");
    expect("nested", "[]", "ERR: with_nested requires at least one element in the nested list");
}

static void test_subelements_pops_the_key(void **state)
{
    (void)state;
    expect("subelements", "[[{n: a, ks: [1, 2]}, {n: b, ks: []}], ks]",
           "[[{\"n\":\"a\"},1],[{\"n\":\"a\"},2]]");
    expect("subelements", "[[{n: a, m: {ks: [1]}}], m.ks]", "[[{\"n\":\"a\",\"m\":{}},1]]");
    expect("subelements", "[[{n: a}], ks, {skip_missing: true}]", "[]");
    expect("subelements", "[[{n: a}], ks]", "ERR: could not find 'ks' key in iterated item");
    expect("subelements", "[[a], ks]", "ERR: subelements lookup expects a dictionary, got 'a'");
}

static void test_files_on_the_search_path(void **state)
{
    char *dir = unit_tmpdir(), *sub = xasprintf("%s/files", dir), *got, *want;

    (void)state;
    assert_int_equal(mkdir(sub, 0755), 0);
    free(unit_write_file(sub, "a.txt", "A\n"));
    free(unit_write_file(dir, "b.txt", "B\n"));
    got = run("first_found", "[nope.txt, a.txt]", dir);
    want = xasprintf("[\"%s/a.txt\"]", sub);
    assert_string_equal(got, want);
    free(got);
    free(want);
    got = run("first_found", "[nope.txt]", dir);
    assert_string_equal(got, "ERR: No file was found when using first_found.");
    free(got);
    got = run("first_found", "[{files: [nope.txt], skip: true}]", dir);
    assert_string_equal(got, "[]");
    free(got);
    got = run("file", "[a.txt, b.txt]", dir);
    assert_string_equal(got, "[\"A\",\"B\"]");
    free(got);
    got = run("fileglob", "['*.txt']", dir);
    want = xasprintf("[\"%s/a.txt\"]", sub);
    assert_string_equal(got, want);
    free(got);
    free(want);
    unit_rmtree(dir);
    free(sub);
    free(dir);
}

static void test_unknown_plugin_is_named(void **state)
{
    char *got = run("bogus", "[a]", NULL);

    (void)state;
    assert_non_null(strstr(got, "lookup plugin 'bogus' not found"));
    free(got);
    assert_true(tpl_lookup_exists("first_found"));
    assert_false(tpl_lookup_exists("password"));
    assert_true(tpl_lookup_ansible("password"));
    assert_false(tpl_lookup_ansible("bogus"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sequence_forms),
        cmocka_unit_test(test_list_shapes),
        cmocka_unit_test(test_subelements_pops_the_key),
        cmocka_unit_test(test_files_on_the_search_path),
        cmocka_unit_test(test_unknown_plugin_is_named),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
