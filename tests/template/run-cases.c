/*
 * run-cases.c - the template conformance corpus runner: renders every .case file in tests/template/cases
 * (format: see regen.py) with pot's engine and compares with the expectation Ansible produced:
 * the exact output, or the error kind and line:col. Prints one line per failing case and a
 * summary; exits non-zero when any case fails.
 *
 * usage: run-cases CASES_DIR [CASE_FILE...]
 */
#include "pot.h"
#include <dirent.h>
#include <string.h>
#include "base/buf.h"
#include "base/fs.h"
#include "base/strutil.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "template/tpl.h"
#include "value/val-yaml.h"
#include "value/val.h"

struct section {
    char name[32];
    char *text; /* owned */
};

struct tcase {
    struct section s[8];
    size_t n;
};

static const char *get(const struct tcase *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->s[i].name, name) == 0) {
            return c->s[i].text;
        }
    }
    return NULL;
}

static bool is_header(const char *line, size_t len, char *name, size_t size)
{
    size_t n;

    if (len < 5 || strncmp(line, "--- ", 4) != 0) {
        return false;
    }
    n = len - 4;
    if (n >= size) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = line[4 + i];

        if (!(ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))) {
            return false;
        }
    }
    memcpy(name, line + 4, n);
    name[n] = 0;
    return true;
}

static void close_section(struct tcase *c, struct buf *b)
{
    if (c->n == 0) {
        buf_reset(b);
        return;
    }
    /* every line was added with its '\n': drop the one before the next header (or EOF) */
    if (b->len > 0 && b->ptr[b->len - 1] == '\n') {
        buf_truncate(b, b->len - 1);
    }
    c->s[c->n - 1].text = buf_detach(b, NULL);
}

static void parse_case(const char *text, struct tcase *c)
{
    struct buf b = BUF_INIT;
    const char *p = text;

    memset(c, 0, sizeof(*c));
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char name[32];

        if (is_header(p, len, name, sizeof(name)) && c->n < ARRAY_SIZE(c->s)) {
            close_section(c, &b);
            snprintf(c->s[c->n].name, sizeof(c->s[c->n].name), "%s", name);
            c->n++;
        } else {
            buf_add(&b, p, len);
            buf_addc(&b, '\n');
        }
        p = nl ? nl + 1 : p + len;
    }
    close_section(c, &b);
    buf_release(&b);
}

static void free_case(struct tcase *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->s[i].text);
    }
}

static bool opt_bool(struct val *opts, const char *key, bool def)
{
    struct val *v = opts && opts->type == VAL_DICT ? val_dict_get(opts, key) : NULL;

    return v ? val_truthy(v) : def;
}

static const char *kind_name(enum err_kind k)
{
    return k == ERR_PARSE ? "parse" : k == ERR_TEMPLATE ? "template" : "other";
}

/* Runs one case; returns true when it passes, else prints why. */
static bool run_case(const char *dir, const char *file)
{
    char *path = fs_join(dir, file);
    struct buf text = BUF_INIT, out = BUF_INIT, got = BUF_INIT;
    struct err err = ERR_INIT;
    struct tcase c;
    struct val *vars = NULL, *opts = NULL;
    struct tpl *t = NULL;
    struct tpl_dict_scope scope;
    const char *tmpl, *want_out, *want_err;
    bool ok = false;

    if (fs_read_file(path, &text, &err) < 0) {
        printf("FAIL %s: %s\n", file, err.msg);
        free(path);
        return false;
    }
    parse_case(text.ptr, &c);
    tmpl = get(&c, "template");
    want_out = get(&c, "output");
    want_err = get(&c, "error");
    vars = get(&c, "vars") ? val_from_yaml(get(&c, "vars"), strlen(get(&c, "vars")), file, &err)
                           : val_dict();
    opts = get(&c, "options") ? val_from_yaml(get(&c, "options"), strlen(get(&c, "options")),
                                              file, &err)
                              : NULL;
    if (!tmpl || (!want_out && !want_err) || !vars) {
        printf("FAIL %s: malformed case %s\n", file, err.msg);
        goto out;
    }
    if (vars->type != VAL_DICT) {
        val_unref(vars);
        vars = val_dict();
    }
    struct tpl_opts o = {
        .name = file,
        .trim_blocks = opt_bool(opts, "trim_blocks", true),
        .lstrip_blocks = opt_bool(opts, "lstrip_blocks", false),
        .keep_trailing_newline = opt_bool(opts, "keep_trailing_newline", true),
    };
    tpl_dict_scope_init(&scope, vars, dir);
    t = tpl_compile(tmpl, strlen(tmpl), &o, &err);
    if (t) {
        tpl_render(t, &scope.scope, &out, &err);
    }
    tpl_dict_scope_release(&scope);
    if (err.kind != ERR_NONE) {
        buf_addf(&got, "%s %d:%d", kind_name(err.kind), err.pos.line, err.pos.col);
        ok = want_err && strcmp(got.ptr, want_err) == 0;
        if (!ok) {
            printf("FAIL %s: got error '%s' (%s), want %s%s\n", file, got.ptr, err.msg,
                   want_err ? "error " : "output:\n", want_err ? want_err : want_out);
        }
    } else {
        ok = want_out && strcmp(out.ptr, want_out) == 0;
        if (!ok) {
            printf("FAIL %s: got output:\n%s\n--- want %s\n%s\n", file, out.ptr,
                   want_err ? "error" : "output", want_err ? want_err : want_out);
        }
    }
out:
    tpl_free(t);
    val_unref(vars);
    val_unref(opts);
    free_case(&c);
    buf_release(&text);
    buf_release(&out);
    buf_release(&got);
    free(path);
    return ok;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    struct svec files = SVEC_INIT;
    size_t failed = 0;
    DIR *d;
    struct dirent *de;

    if (argc < 2) {
        fprintf(stderr, "usage: run-cases CASES_DIR [CASE...]\n");
        return 2;
    }
    setenv("POT_TPL_TEST", "hello from env", 1);
    if (argc > 2) {
        for (int i = 2; i < argc; i++) {
            svec_push(&files, argv[i]);
        }
    } else if ((d = opendir(argv[1])) != NULL) {
        while ((de = readdir(d)) != NULL) {
            if (str_ends_with(de->d_name, ".case")) {
                svec_push(&files, de->d_name);
            }
        }
        closedir(d);
        qsort(files.items, files.len, sizeof(*files.items), cmp_str);
    }
    for (size_t i = 0; i < files.len; i++) {
        failed += !run_case(argv[1], files.items[i]);
    }
    size_t total = files.len;

    printf("%zu cases, %zu passed, %zu failed\n", total, total - failed, failed);
    svec_release(&files);
    return failed || total == 0 ? 1 : 0;
}
