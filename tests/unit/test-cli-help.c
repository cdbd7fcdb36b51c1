/* tests/unit/test-cli-help.c: tests installer/cli/cmd-help.c, opt.c and exit-codes.c: every
 * command's help lists every option of its table and the exit codes it declares, options are
 * parsed into the fields the table names, and the README's exit codes are the table's. */
#include "unit.h"
#include <stddef.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/vec.h"
#include "cli/cli.h"
#include "cli/exit-codes.h"
#include "cli/opt.h"

/* 'text' with every run of spaces and newlines made one space (help text is wrapped). */
static char *squeeze(const char *text)
{
    struct buf out = BUF_INIT;

    for (const char *p = text; *p; p++) {
        bool space = *p == ' ' || *p == '\n';

        if (!space) {
            buf_addc(&out, *p);
        } else if (out.len && out.ptr[out.len - 1] != ' ') {
            buf_addc(&out, ' ');
        }
    }
    return buf_detach(&out, NULL);
}

static void assert_has(const char *haystack, const char *needle, const char *command)
{
    if (!strstr(haystack, needle)) {
        fail_msg("pot help %s lacks '%s':\n%s", command, needle, haystack);
    }
}

static void test_help_lists_every_option_of_the_table(void **state)
{
    (void)state;
    for (const struct command *c = command_table(); c->name; c++) {
        struct buf help = BUF_INIT;
        char *flat;

        command_help(c, &help);
        flat = squeeze(help.ptr);
        assert_has(help.ptr, c->usage, c->name);
        for (const struct opt *o = c->opts; o && o->type != OPT_END; o++) {
            char *spelled = o->short_name ? xasprintf("-%c, --%s", o->short_name, o->name)
                                          : xasprintf("--%s", o->name);
            char *said = squeeze(o->help);

            assert_has(help.ptr, spelled, c->name);
            assert_has(flat, said, c->name);
            free(said);
            free(spelled);
        }
        free(flat);
        buf_release(&help);
    }
}

static void test_help_lists_the_exit_codes_of_the_command(void **state)
{
    (void)state;
    for (const struct command *c = command_table(); c->name; c++) {
        struct buf help = BUF_INIT;
        char *flat;

        command_help(c, &help);
        flat = squeeze(help.ptr);
        assert_non_null(c->exits[POT_EXIT_OK]);
        assert_non_null(c->exits[POT_EXIT_USAGE]);
        for (const struct exit_code *e = exit_code_table(); e->name; e++) {
            char *line = xasprintf("\n  %d  ", (int)e->code);
            const char *note = c->exits[e->code];

            if (!note) {
                assert_null(strstr(help.ptr, line));
            } else {
                char *said = *note ? xasprintf("%d %s: %s", (int)e->code, e->name, note)
                                   : xasprintf("%d %s", (int)e->code, e->meaning);
                char *flat_said = squeeze(said);

                assert_has(help.ptr, line, c->name);
                assert_has(flat, flat_said, c->name);
                free(flat_said);
                free(said);
            }
            free(line);
        }
        free(flat);
        buf_release(&help);
    }
}

static void test_help_text_stays_within_its_width(void **state)
{
    (void)state;
    for (const struct command *c = command_table(); c->name; c++) {
        struct buf help = BUF_INIT;
        const char *line;

        command_help(c, &help);
        /* from the generated part on; 'line' is at the newline before each line */
        line = strstr(help.ptr, c->opts ? "\noptions:\n" : "\nexit codes:\n");
        for (; line; line = strchr(line + 1, '\n')) {
            size_t len = strcspn(line + 1, "\n");

            if (len > OPT_HELP_WIDTH) {
                fail_msg("pot help %s: a line of %zu columns: %.*s", c->name, len, (int)len,
                         line + 1);
            }
        }
        buf_release(&help);
    }
}

static void test_exit_code_for_follows_ansible(void **state)
{
    (void)state;
    assert_int_equal(exit_code_for(ERR_USAGE), 5);
    assert_int_equal(exit_code_for(ERR_PARSE), 4);
    assert_int_equal(exit_code_for(ERR_UNREACHABLE), 4);
    assert_int_equal(exit_code_for(ERR_FAILED), 2);
    assert_int_equal(exit_code_for(ERR_IO), 1);
    assert_int_equal(exit_code_for(ERR_TEMPLATE), 1);
    assert_int_equal(exit_code_for(ERR_AUTH), 1);
    assert_int_equal(exit_code_for(ERR_REMOTE), 1);
    assert_int_equal(exit_code_for(ERR_INTERNAL), 1);
}

static void test_every_error_kind_is_in_one_row(void **state)
{
    (void)state;
    for (int kind = ERR_USAGE; kind <= ERR_INTERNAL; kind++) {
        int rows = 0;

        for (const struct exit_code *e = exit_code_table(); e->name; e++) {
            rows += (e->kinds & EXIT_KIND(kind)) != 0;
        }
        if (rows != 1) {
            fail_msg("error kind %d is in %d rows of the exit code table", kind, rows);
        }
    }
}

/* The rows of README.md's "Exit codes" section. */
static void readme_rows(struct svec *rows)
{
    const char *src = getenv("POT_TEST_SRCDIR");
    char *path = xasprintf("%s/README.md", src ? src : ".");
    struct buf text = BUF_INIT;
    struct err err = ERR_INIT;
    const char *at;

    assert_int_equal(fs_read_file(path, &text, &err), 0);
    at = strstr(text.ptr, "\n### Exit codes");
    assert_non_null(at);
    /* 'at' is at the newline before each line, up to the next section */
    for (at = strchr(at + 1, '\n'); at && strncmp(at, "\n### ", 5) != 0;
         at = strchr(at + 1, '\n')) {
        if (strncmp(at, "\n| `", 4) == 0) {
            char *row = xstrndup(at + 1, strcspn(at + 1, "\n"));

            svec_push(rows, row);
            free(row);
        }
    }
    buf_release(&text);
    free(path);
}

static void test_readme_exit_codes_are_the_table(void **state)
{
    struct svec rows = SVEC_INIT;
    struct buf want = BUF_INIT, have = BUF_INIT;

    (void)state;
    readme_rows(&rows);
    for (const struct exit_code *e = exit_code_table(); e->name; e++) {
        buf_addf(&want, "| `%d` | %s | %s |\n", (int)e->code, e->meaning, e->ansible);
    }
    for (size_t i = 0; i < rows.len; i++) {
        buf_addf(&have, "%s\n", rows.items[i]);
    }
    if (strcmp(want.ptr, have.ptr ? have.ptr : "") != 0) {
        fail_msg("README.md's exit code rows differ from installer/cli/exit-codes.c; they should "
                 "read:\n%s", want.ptr);
    }
    buf_release(&want);
    buf_release(&have);
    svec_release(&rows);
}

struct inner {
    const char *name;
    int count;
};

struct sample_args {
    struct inner inner;
    const char *file;
    struct svec list;
    bool flag;
    int n;
};

#define AT(field) OPT_AT(struct sample_args, field)
static const struct opt sample_options[] = {
    { OPT_STRING, "name", 'n', AT(inner.name), "NAME", "a nested field" },
    { OPT_COUNT, "verbose", 'v', AT(inner.count), NULL, "counted" },
    { OPT_STRING, "file", 0, AT(file), "FILE", "a string" },
    { OPT_LIST, "item", 'i', AT(list), "ITEM", "repeatable" },
    { OPT_BOOL, "flag", 'F', AT(flag), NULL, "a flag" },
    { OPT_INT, "jobs", 'j', AT(n), "N", "a number" },
    { 0 },
};
#undef AT

static void test_opt_parse_fills_the_fields_the_table_names(void **state)
{
    char *argv[] = { "-vvnx", "--file=f.txt", "-i", "a", "--item", "b", "pos", "-Fj7", "--",
                     "--flag" };
    struct sample_args a = { .list = SVEC_INIT };
    struct svec positional = SVEC_INIT;
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(opt_parse(sample_options, &a, ARRAY_SIZE(argv), argv, &positional, &err), 0);
    assert_int_equal(a.inner.count, 2);
    assert_string_equal(a.inner.name, "x");
    assert_string_equal(a.file, "f.txt");
    assert_int_equal(a.list.len, 2);
    assert_string_equal(a.list.items[1], "b");
    assert_true(a.flag);
    assert_int_equal(a.n, 7);
    assert_int_equal(positional.len, 2);
    assert_string_equal(positional.items[0], "pos");
    assert_string_equal(positional.items[1], "--flag");
    svec_release(&a.list);
    svec_release(&positional);
}

static void test_opt_parse_refuses_with_err_usage(void **state)
{
    char *unknown[] = { "--nope" };
    char *missing[] = { "--file" };
    char *number[] = { "-j", "many" };
    struct sample_args a = { .list = SVEC_INIT };
    struct svec positional = SVEC_INIT;
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(opt_parse(sample_options, &a, 1, unknown, &positional, &err), -1);
    assert_int_equal(err.kind, ERR_USAGE);
    assert_string_equal(err.msg, "unknown option '--nope'");
    err_clear(&err);
    assert_int_equal(opt_parse(sample_options, &a, 1, missing, &positional, &err), -1);
    assert_string_equal(err.msg, "option '--file' needs a value");
    err_clear(&err);
    assert_int_equal(opt_parse(sample_options, &a, 2, number, &positional, &err), -1);
    assert_string_equal(err.msg, "option '-j' needs a whole number, not 'many'");
    svec_release(&a.list);
    svec_release(&positional);
}

static void test_opt_describe_aligns_and_wraps(void **state)
{
    static const struct opt opts[] = {
        { OPT_BOOL, "all", 'a', 0, NULL, "short help" },
        { OPT_STRING, "a-very-long-option-name-indeed", 0, 0, "VALUE", "goes below" },
        { OPT_STRING, "text", 0, 0, NULL,
          "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
          "fifteen sixteen" },
        { 0 },
    };
    struct buf out = BUF_INIT;

    (void)state;
    opt_describe(opts, &out);
    assert_string_equal(out.ptr,
                        "  -a, --all         short help\n"
                        "      --a-very-long-option-name-indeed VALUE\n"
                        "                    goes below\n"
                        "      --text VALUE  one two three four five six seven eight nine ten "
                        "eleven twelve\n"
                        "                    thirteen fourteen fifteen sixteen\n");
    buf_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_lists_every_option_of_the_table),
        cmocka_unit_test(test_help_lists_the_exit_codes_of_the_command),
        cmocka_unit_test(test_help_text_stays_within_its_width),
        cmocka_unit_test(test_exit_code_for_follows_ansible),
        cmocka_unit_test(test_every_error_kind_is_in_one_row),
        cmocka_unit_test(test_readme_exit_codes_are_the_table),
        cmocka_unit_test(test_opt_parse_fills_the_fields_the_table_names),
        cmocka_unit_test(test_opt_parse_refuses_with_err_usage),
        cmocka_unit_test(test_opt_describe_aligns_and_wraps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
