/*
 * mod-command.c - the `command` module: runs argv (from 'argv' or the shlex-split free form)
 * without a shell, honouring chdir, creates, removes and stdin.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "conn/shell-quote.h"
#include "modules/args.h"
#include "modules/mod-run.h"
#include "modules/mod-util.h"
#include "python/py-shlex.h"
#include "value/val.h"

static const struct arg_spec command_args[] = {
    { .name = "_raw_params", .type = ARG_STR, .aliases = "cmd" },
    { .name = "argv", .type = ARG_LIST },
    { .name = "chdir", .type = ARG_PATH },
    { .name = "creates", .type = ARG_PATH },
    { .name = "executable", .type = ARG_STR },
    { .name = "removes", .type = ARG_PATH },
    { .name = "stdin", .type = ARG_STR },
    { .name = "stdin_add_newline", .type = ARG_BOOL, .def = "true" },
    { .name = "strip_empty_ends", .type = ARG_BOOL, .def = "true" },
    { 0 },
};

static bool is_blank(const char *s)
{
    return !s || s[strspn(s, " \t\r\n")] == '\0';
}

/* The words to run, from argv or the free form; fails the result when neither or both. */
static int collect_words(const struct margs *args, struct svec *words, struct result *res)
{
    const char *raw = margs_str(args, "_raw_params");
    struct val *argv = margs_list(args, "argv");
    const char *why = NULL;

    if (is_blank(raw) && !argv) {
        val_dict_set_take(res->data, "rc", val_int(256));
        return result_fail(res, "no command given"), -1;
    }
    if (raw && argv) {
        val_dict_set_take(res->data, "rc", val_int(256));
        return result_fail(res, "only command or argv can be given, not both"), -1;
    }
    if (argv) {
        for (size_t i = 0; i < val_list_len(argv); i++) {
            struct buf w = BUF_INIT;

            val_to_pystr(val_list_get(argv, i), &w);
            svec_push_take(words, buf_detach(&w, NULL));
        }
        return 0;
    }
    if (py_shlex_split(raw, false, words, &why) < 0) {
        return result_fail(res, "%s", why), -1;
    }
    return 0;
}

static struct val *words_list(const struct svec *words)
{
    struct val *list = val_list();

    for (size_t i = 0; i < words->len; i++) {
        val_list_push_take(list, val_str(words->items[i]));
    }
    return list;
}

/* Runs the words through sh's exec, so no shell syntax in them is interpreted. */
static int run_words(struct module_ctx *ctx, const struct margs *args, struct svec *words,
                     struct result *res, struct err *err)
{
    struct buf line = BUF_INIT;
    struct mod_run_opts opts = {
        .chdir = margs_str(args, "chdir"),
        .strip = margs_bool(args, "strip_empty_ends"),
        .timings = true,
    };
    int ret;

    buf_adds(&line, "exec ");
    sh_quote_argv(&line, svec_argv(words));
    ret = mod_run_with_stdin(ctx, line.ptr, &opts, args, res, err);
    buf_release(&line);
    return ret;
}

static int command_run(struct module_ctx *ctx, const struct margs *args, struct result *res,
                       struct err *err)
{
    struct svec words = SVEC_INIT;
    bool done = false;
    int ret = 0;

    if (collect_words(args, &words, res) < 0) {
        goto out;
    }
    val_dict_set_take(res->data, "cmd", words_list(&words));
    ret = mod_run_guards(ctx, args, ctx->check_mode ? "Would" : "Did", res, &done, err);
    if (ret < 0 || done) {
        goto out;
    }
    if (ctx->check_mode) {
        val_dict_set_take(res->data, "rc", val_int(0));
        mod_set_str(res, "msg", "Command would have run if not in check mode");
        res->status = margs_has(args, "creates") || margs_has(args, "removes") ? RESULT_CHANGED
                                                                               : RESULT_SKIPPED;
        goto out;
    }
    ret = run_words(ctx, args, &words, res, err);
out:
    svec_release(&words);
    return ret;
}

const struct module module_command = {
    .name = "command",
    .args = command_args,
    .flags = MOD_CHECK_MODE | MOD_FREE_FORM,
    .run = command_run,
};
