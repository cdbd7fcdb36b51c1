/*
 * run-gotpl-cases.c - the Go-template (Helm) conformance corpus runner: renders every .case file
 * in tests/gotpl/cases (format: see regen.py) with installer/gotpl as `helm template` would, and
 * compares with what the real helm produced: the exact output, or an error of the same kind, at
 * one of the lines helm named, whose message contains every line of the case's `match` section.
 * Each case runs in a child process (a crash, a hang or a leak fails that case only). Prints a
 * diff per failing case and a summary; exits non-zero when any case fails.
 *
 * usage: run-gotpl-cases CASES_DIR [CASE_FILE...]
 * GOTPL_CORPUS_STRICT_COL=1 also compares the column of exec errors (helm's: 0-based byte offset).
 */
#include "pot.h"
#include <dirent.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/fs.h"
#include "base/strutil.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "gotpl/gotpl.h"
#include "value/val-yaml.h"
#include "value/val.h"

#define TEMPLATE_NAME "c/templates/t.yaml"
#define CASE_TIMEOUT_SECONDS 20
/* A child's status when its case failed (it printed why); any other failure is a crash or leak. */
#define CASE_FAILED_EXIT 3

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
        buf_reset(b); /* text before the first header is a comment */
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

/* The root object of `helm template r CHART --namespace default` for chart c 0.1.0. */
static struct val *helm_root(struct val *values)
{
    struct val *root = gotpl_helm_root(values);
    struct val *release = val_dict(), *chart = val_dict(), *tmpl = val_dict();

    val_dict_set_take(release, "Name", val_str("r"));
    val_dict_set_take(release, "Namespace", val_str("default"));
    val_dict_set_take(release, "IsUpgrade", val_bool(false));
    val_dict_set_take(release, "IsInstall", val_bool(true));
    val_dict_set_take(release, "Revision", val_int(1));
    val_dict_set_take(release, "Service", val_str("Helm"));
    val_dict_set_take(chart, "Name", val_str("c"));
    val_dict_set_take(chart, "Version", val_str("0.1.0"));
    val_dict_set_take(tmpl, "Name", val_str(TEMPLATE_NAME));
    val_dict_set_take(tmpl, "BasePath", val_str("c/templates"));
    val_dict_set_take(root, "Release", release);
    val_dict_set_take(root, "Chart", chart);
    val_dict_set_take(root, "Template", tmpl);
    return root;
}

/* Appends 'len' bytes as one diff line: 'mark', then the text quoted with C escapes. */
static void add_quoted_line(struct buf *out, char mark, const char *s, size_t len)
{
    buf_addc(out, mark);
    buf_addc(out, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];

        if (ch == '"' || ch == '\\') {
            buf_addc(out, '\\');
            buf_addc(out, (char)ch);
        } else if (ch == '\n') {
            buf_adds(out, "\\n");
        } else if (ch == '\t') {
            buf_adds(out, "\\t");
        } else if (ch == '\r') {
            buf_adds(out, "\\r");
        } else if (ch < 0x20 || ch == 0x7f) {
            buf_addf(out, "\\x%02x", ch);
        } else {
            buf_addc(out, (char)ch);
        }
    }
    buf_adds(out, "\"\n");
}

static void split_lines(const char *s, struct svec *lines)
{
    const char *p = s;

    for (;;) {
        const char *nl = strchr(p, '\n');

        if (!nl) {
            svec_push(lines, p); /* the last line: no newline (empty when s ends in one) */
            return;
        }
        svec_push_take(lines, xstrndup(p, (size_t)(nl - p) + 1));
        p = nl + 1;
    }
}

/* Appends every line of 's', each behind 'prefix'. */
static void add_lines(struct buf *out, const char *prefix, const char *s)
{
    struct svec lines = SVEC_INIT;

    split_lines(s, &lines);
    for (size_t i = 0; i < lines.len; i++) {
        if (i + 1 < lines.len || lines.items[i][0]) {
            buf_addf(out, "%s%s%s", prefix, lines.items[i], i + 1 < lines.len ? "" : "\n");
        }
    }
    svec_release(&lines);
}

/* A line diff: the common head and tail as context, the rest as -want/+got; every line is quoted,
 * newline included, so whitespace differences show. */
static void add_diff(struct buf *out, const char *want, const char *got)
{
    struct svec w = SVEC_INIT, g = SVEC_INIT;
    size_t head = 0, tail = 0;

    split_lines(want, &w);
    split_lines(got, &g);
    while (head < w.len && head < g.len && strcmp(w.items[head], g.items[head]) == 0) {
        head++;
    }
    while (tail < w.len - head && tail < g.len - head &&
           strcmp(w.items[w.len - 1 - tail], g.items[g.len - 1 - tail]) == 0) {
        tail++;
    }
    for (size_t i = head > 2 ? head - 2 : 0; i < head; i++) {
        add_quoted_line(out, ' ', w.items[i], strlen(w.items[i]));
    }
    for (size_t i = head; i < w.len - tail; i++) {
        add_quoted_line(out, '-', w.items[i], strlen(w.items[i]));
    }
    for (size_t i = head; i < g.len - tail; i++) {
        add_quoted_line(out, '+', g.items[i], strlen(g.items[i]));
    }
    for (size_t i = w.len - tail; i < w.len && i < w.len - tail + 2; i++) {
        add_quoted_line(out, ' ', w.items[i], strlen(w.items[i]));
    }
    svec_release(&w);
    svec_release(&g);
}

/* Does pot's error name one of helm's 'positions' ("3" or "1:3 1:20")? Only the line is compared
 * unless GOTPL_CORPUS_STRICT_COL is set: then an exec error's column must match too. */
static bool position_matches(const struct err *err, const char *message, const char *positions)
{
    bool strict = getenv("GOTPL_CORPUS_STRICT_COL") != NULL;
    const char *p = positions;

    while (*p) {
        char *end;
        long line = strtol(p, &end, 10);
        long col = *end == ':' ? strtol(end + 1, NULL, 10) : 0;
        char needle[64];

        if (strict && col > 0) {
            snprintf(needle, sizeof(needle), "t.yaml:%ld:%ld:", line, col);
            if ((err->pos.line == line && err->pos.col == col) || strstr(message, needle)) {
                return true;
            }
        } else {
            snprintf(needle, sizeof(needle), "t.yaml:%ld:", line);
            if (line == 0 || err->pos.line == line || strstr(message, needle)) {
                return true;
            }
        }
        p += strcspn(p, " ");
        p += strspn(p, " ");
    }
    return false;
}

/* Checks pot's error against the `error` and `match` sections; appends why it does not match. */
static bool error_matches(const struct err *err, const char *want, const char *match,
                          struct buf *why)
{
    char message[2400];
    const char *sp = strchr(want, ' ');
    const char *eol = strchr(want, '\n');
    char positions[256];
    bool want_parse = str_starts_with(want, "parse ");
    bool ok = true;

    err_format(err, message, sizeof(message));
    snprintf(positions, sizeof(positions), "%.*s", sp && eol && eol > sp ? (int)(eol - sp - 1) : 0,
             sp ? sp + 1 : "");
    if (want_parse != (err->kind == ERR_PARSE)) {
        buf_addf(why, "  want a %s error, got %s\n", want_parse ? "parse" : "exec",
                 err->kind == ERR_PARSE ? "a parse error" : "an exec error");
        ok = false;
    }
    if (!position_matches(err, message, positions)) {
        buf_addf(why, "  want the error at %s, got %d:%d\n", positions, err->pos.line,
                 err->pos.col);
        ok = false;
    }
    for (const char *m = match ? match : ""; *m;) {
        size_t len = strcspn(m, "\n");
        char *needle = xstrndup(m, len);

        if (len > 0 && !strcasestr(message, needle)) {
            buf_addf(why, "  want the message to contain '%s'\n", needle);
            ok = false;
        }
        free(needle);
        m += len + (m[len] == '\n');
    }
    if (!ok) {
        buf_addf(why, "  got:  %s\n  helm: %s\n", message, eol ? eol + 1 : want);
    }
    return ok;
}

/* Runs one case in this process; returns true when it passes, else prints why. */
static bool run_case(const char *dir, const char *file)
{
    char *path = fs_join(dir, file);
    struct buf text = BUF_INIT, out = BUF_INIT, why = BUF_INIT;
    struct err err = ERR_INIT;
    struct tcase c;
    struct val *values = NULL, *root = NULL;
    struct gotpl *t = NULL;
    const char *tmpl, *want_out, *want_err, *values_text;
    bool ok = false;

    if (fs_read_file(path, &text, &err) < 0) {
        printf("FAIL %s: %s\n", file, err.msg);
        free(path);
        return false;
    }
    parse_case(text.ptr, &c);
    tmpl = get(&c, "template");
    want_out = get(&c, "expect");
    want_err = get(&c, "error");
    values_text = get(&c, "values");
    values = values_text ? val_from_yaml_rules(values_text, strlen(values_text), file,
                                               VAL_YAML_GOYAML2, &err)
                         : val_dict();
    if (!tmpl || (!want_out && !want_err) || !values) {
        printf("FAIL %s: malformed case %s\n", file, err.msg);
        goto out;
    }
    root = helm_root(values);
    t = gotpl_new(GOTPL_HELM);
    if (gotpl_parse(t, TEMPLATE_NAME, tmpl, &err) == 0) {
        gotpl_execute(t, TEMPLATE_NAME, root, &out, &err);
    }
    if (err.kind != ERR_NONE && want_err) {
        ok = error_matches(&err, want_err, get(&c, "match"), &why);
    } else if (err.kind != ERR_NONE) {
        char message[2400];

        err_format(&err, message, sizeof(message));
        buf_addf(&why, "  want output, got error: %s\n", message);
    } else if (want_err) {
        buf_addf(&why, "  want error: %s\n  got output:\n",
                 strchr(want_err, '\n') ? strchr(want_err, '\n') + 1 : want_err);
        add_lines(&why, "    | ", out.ptr);
    } else {
        ok = out.len == strlen(want_out) && memcmp(out.ptr, want_out, out.len) == 0;
        if (!ok) {
            add_diff(&why, want_out, out.ptr);
        }
    }
    if (!ok) {
        struct buf head = BUF_INIT;

        add_lines(&head, "    | ", tmpl);
        printf("FAIL %s\n  template:\n%s%s", file, head.ptr, why.ptr);
        buf_release(&head);
    }
out:
    gotpl_free(t);
    val_unref(values);
    val_unref(root);
    free_case(&c);
    buf_release(&text);
    buf_release(&out);
    buf_release(&why);
    free(path);
    return ok;
}

/* Runs one case in a child, so that a crash or a hang fails only that case. */
static bool run_case_isolated(const char *dir, const char *file)
{
    pid_t pid;
    int status = 0;

    fflush(stdout);
    pid = fork();
    if (pid < 0) {
        return run_case(dir, file);
    }
    if (pid == 0) {
        bool ok;

        alarm(CASE_TIMEOUT_SECONDS);
        ok = run_case(dir, file);
        fflush(stdout);
        exit(ok ? 0 : CASE_FAILED_EXIT);
    }
    if (waitpid(pid, &status, 0) < 0) {
        printf("FAIL %s: lost the child\n", file);
        return false;
    }
    if (WIFSIGNALED(status)) {
        printf("FAIL %s: %s\n", file,
               WTERMSIG(status) == SIGALRM ? "timed out" : strsignal(WTERMSIG(status)));
        return false;
    }
    if (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != CASE_FAILED_EXIT) {
        printf("FAIL %s: exited %d (a sanitizer report on stderr?)\n", file, WEXITSTATUS(status));
    }
    return WEXITSTATUS(status) == 0;
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
        fprintf(stderr, "usage: run-gotpl-cases CASES_DIR [CASE...]\n");
        return 2;
    }
    if (argc > 2) {
        for (int i = 2; i < argc; i++) {
            const char *slash = strrchr(argv[i], '/');

            svec_push(&files, slash ? slash + 1 : argv[i]);
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
        failed += !run_case_isolated(argv[1], files.items[i]);
    }
    size_t total = files.len;

    printf("%zu passed, %zu failed\n", total - failed, failed);
    svec_release(&files);
    return failed || total == 0 ? 1 : 0;
}
