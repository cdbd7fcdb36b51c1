/* tests/unit/test-registration.c: tests the registration tables of installer/: the command table
 * (cli/commands.c) and every command's option table, the exit codes (cli/exit-codes.c), the
 * modules (modules/registry.c), the transports (conn/conn.c), the template filters and tests
 * (template/tpl-filter*.c, tpl-test.c), the Go-template function families and methods (gotpl/,
 * looked up by binary search) and the pipeline stages (pipeline/pipe-run.c). Each is checked
 * unique, and sorted where its file says it is sorted (or a binary search needs it). */
#include "unit.h"
#include "cli/cli.h"
#include "cli/exit-codes.h"
#include "cli/opt.h"
#include "conn/conn.h"
#include "gotpl/gotpl-int.h"
#include "modules/module.h"
#include "pipeline/pipe.h"
#include "template/tpl-eval.h"

/* Fails unless names[0..n) are unique; with 'sorted', unless each is after the one before it
 * (strcmp). 'what' names the table in the message. */
static void check_names(const char *const *names, size_t n, bool sorted, const char *what)
{
    for (size_t i = 0; i < n; i++) {
        if (sorted && i > 0 && strcmp(names[i - 1], names[i]) >= 0) {
            fail_msg("%s: '%s' is not after '%s' (the table is sorted)", what, names[i],
                     names[i - 1]);
        }
        for (size_t k = 0; k < i; k++) {
            if (strcmp(names[k], names[i]) == 0) {
                fail_msg("%s: '%s' is there twice", what, names[i]);
            }
        }
    }
}

/* The names of one table, borrowed from it. */
struct names {
    const char **items;
    size_t len;
};

static void names_push(struct names *ns, const char *name)
{
    ns->items = xrealloc(ns->items, (ns->len + 1) * sizeof(*ns->items));
    ns->items[ns->len++] = name;
}

static void test_command_table_sorted_and_unique(void **state)
{
    struct names ns = { 0 };

    (void)state;
    for (const struct command *c = command_table(); c->name; c++) {
        names_push(&ns, c->name);
        assert_non_null(c->run);
        assert_non_null(c->summary);
        assert_non_null(c->usage);
    }
    assert_true(ns.len > 10);
    check_names(ns.items, ns.len, true, "commands.c");
    free(ns.items);
}

/* Long names and short letters unique; -h and --help left to main.c (`pot X --help`); every
 * option documented, with a metavar when it takes a value. */
static void check_option_table(const char *command, const struct opt *opts)
{
    struct names longs = { 0 };
    char shorts[128] = { 0 };
    size_t nshort = 0;
    char *what = xasprintf("option table of '%s'", command);

    for (const struct opt *o = opts; o->type != OPT_END; o++) {
        bool takes_value = o->type == OPT_STRING || o->type == OPT_LIST || o->type == OPT_INT;

        names_push(&longs, o->name);
        if (strcmp(o->name, "help") == 0 || o->short_name == 'h') {
            fail_msg("%s: '%s' takes -h/--help, which main.c reads as help", what, o->name);
        }
        if (o->short_name) {
            if (memchr(shorts, o->short_name, nshort)) {
                fail_msg("%s: -%c is there twice", what, o->short_name);
            }
            shorts[nshort++] = o->short_name;
        }
        if (!o->help || !*o->help || (takes_value && !o->metavar)) {
            fail_msg("%s: '--%s' lacks its help or the name of its value", what, o->name);
        }
    }
    check_names(longs.items, longs.len, false, what);
    free(longs.items);
    free(what);
}

static void test_option_tables_unique(void **state)
{
    (void)state;
    for (const struct command *c = command_table(); c->name; c++) {
        if (c->opts) {
            check_option_table(c->name, c->opts);
        }
    }
}

static void test_exit_code_table_ascending_and_unique(void **state)
{
    struct names ns = { 0 };
    int last = -1;

    (void)state;
    for (const struct exit_code *e = exit_code_table(); e->name; e++) {
        assert_true((int)e->code > last);
        assert_true(e->code < POT_EXIT_LIMIT);
        assert_non_null(e->meaning);
        assert_non_null(e->ansible);
        last = (int)e->code;
        names_push(&ns, e->name);
    }
    check_names(ns.items, ns.len, false, "exit-codes.c");
    free(ns.items);
}

static void test_module_table_sorted_and_unique(void **state)
{
    struct names ns = { 0 };

    (void)state;
    for (size_t i = 0; module_at(i); i++) {
        names_push(&ns, module_at(i)->name);
    }
    assert_true(ns.len > 10);
    check_names(ns.items, ns.len, true, "modules/registry.c");
    free(ns.items);
}

static void test_transport_table_sorted_and_unique(void **state)
{
    struct names ns = { 0 };

    (void)state;
    for (size_t i = 0; conn_transport_at(i); i++) {
        names_push(&ns, conn_transport_at(i)->name);
    }
    assert_int_equal(ns.len, 2);
    check_names(ns.items, ns.len, true, "conn/conn.c");
    free(ns.items);
}

/* A name in two families would be shadowed by the first (tpl_filter_find searches in order). */
static void test_template_filters_unique(void **state)
{
    const struct tpl_filter *const families[] = { tpl_filters_str, tpl_filters_list,
                                                  tpl_filters_data, tpl_filters_regex,
                                                  tpl_filters_net };
    struct names ns = { 0 };

    (void)state;
    for (size_t f = 0; f < ARRAY_SIZE(families); f++) {
        for (const struct tpl_filter *e = families[f]; e->name; e++) {
            names_push(&ns, e->name);
        }
    }
    check_names(ns.items, ns.len, false, "template filters");
    free(ns.items);
}

static void test_template_tests_unique(void **state)
{
    struct names ns = { 0 };

    (void)state;
    for (size_t i = 0; tpl_test_at(i); i++) {
        names_push(&ns, tpl_test_at(i)->name);
    }
    assert_true(ns.len > 20);
    check_names(ns.items, ns.len, false, "template/tpl-test.c");
    free(ns.items);
}

static void check_gfuncs(const struct gfunc *funcs, size_t n, const char *what)
{
    struct names ns = { 0 };

    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) {
        names_push(&ns, funcs[i].name);
    }
    check_names(ns.items, ns.len, true, what);
    free(ns.items);
}

/* gotpl-funcs.c looks them up by binary search: each must be sorted. */
static void test_gotpl_families_sorted_and_unique(void **state)
{
    (void)state;
    check_gfuncs(gotpl_core_funcs, gotpl_core_nfuncs, "gotpl core");
    check_gfuncs(gotpl_sprig_str_funcs, gotpl_sprig_str_nfuncs, "gotpl sprig str");
    check_gfuncs(gotpl_sprig_math_funcs, gotpl_sprig_math_nfuncs, "gotpl sprig math");
    check_gfuncs(gotpl_sprig_list_funcs, gotpl_sprig_list_nfuncs, "gotpl sprig list");
    check_gfuncs(gotpl_sprig_dict_funcs, gotpl_sprig_dict_nfuncs, "gotpl sprig dict");
    check_gfuncs(gotpl_sprig_env_funcs, gotpl_sprig_env_nfuncs, "gotpl sprig env");
    check_gfuncs(gotpl_sprig_misc_funcs, gotpl_sprig_misc_nfuncs, "gotpl sprig misc");
    check_gfuncs(gotpl_sprig_semver_funcs, gotpl_sprig_semver_nfuncs, "gotpl sprig semver");
    check_gfuncs(gotpl_sprig_regex_funcs, gotpl_sprig_regex_nfuncs, "gotpl sprig regex");
    check_gfuncs(gotpl_helm_funcs, gotpl_helm_nfuncs, "gotpl helm");
    check_gfuncs(gotpl_toml_funcs, gotpl_toml_nfuncs, "gotpl toml");
    check_gfuncs(gotpl_semver_methods, gotpl_semver_nmethods, "gotpl semver methods");
    check_gfuncs(gotpl_semver_ptr_methods, gotpl_semver_ptr_nmethods, "gotpl *semver methods");
    check_gfuncs(gotpl_values_methods, gotpl_values_nmethods, "gotpl Values methods");
}

static void test_pipeline_stages_unique(void **state)
{
    struct names ns = { 0 };

    (void)state;
    for (size_t i = 0; pipe_stage_at(i); i++) {
        names_push(&ns, pipe_stage_at(i));
        assert_true(pipe_stage_known(pipe_stage_at(i)));
    }
    assert_true(ns.len >= 6);
    check_names(ns.items, ns.len, false, "pipeline/pipe-run.c");
    free(ns.items);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_command_table_sorted_and_unique),
        cmocka_unit_test(test_option_tables_unique),
        cmocka_unit_test(test_exit_code_table_ascending_and_unique),
        cmocka_unit_test(test_module_table_sorted_and_unique),
        cmocka_unit_test(test_transport_table_sorted_and_unique),
        cmocka_unit_test(test_template_filters_unique),
        cmocka_unit_test(test_template_tests_unique),
        cmocka_unit_test(test_gotpl_families_sorted_and_unique),
        cmocka_unit_test(test_pipeline_stages_unique),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
