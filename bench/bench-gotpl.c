/*
 * bench-gotpl.c - chart renders per second with pot's Go-template engine (installer/gotpl), as
 * `helm template RELEASE CHART -n NAMESPACE -f VALUES` renders a chart, for bench/helmfile-vs-helm.sh.
 *
 *   bench-gotpl CHART RELEASE NAMESPACE VALUES.yaml 0   prints the manifests as `helm template`
 *       does ("---\n# Source: NAME/templates/FILE\nDOC\n" per document, documents split and
 *       trimmed like helm's releaseutil.SplitManifests), file by file in name order (helm also
 *       sorts by kind: the caller compares sorted documents)
 *   bench-gotpl CHART RELEASE NAMESPACE VALUES.yaml N   renders the chart N times and prints
 *       "cpu_renders_per_sec X wall_renders_per_sec Y cold_cpu_renders_per_sec Z bytes B files F"
 *
 * A render = every template of templates/ not starting with '_' executed once, with the root
 * object Helm gives it (.Values = the chart's values.yaml coalesced with VALUES.yaml, every number
 * a float64 as Helm's JSON round trip makes it; .Release, .Chart from Chart.yaml, .Template with
 * the file's Name and BasePath). The timed loop parses the templates once and executes them N
 * times (what an engine embedded in a long-lived process pays); the cold loop (N/10 times) also
 * reads nothing but re-parses all templates and rebuilds the values and root objects each time.
 * CPU time is CLOCK_PROCESS_CPUTIME_ID (fair on a busy machine), wall is CLOCK_MONOTONIC.
 * A 7th argument "thread" runs all of it on a second thread (8 MiB stack) instead of the main
 * thread: the engine reads its thread's stack bounds per execution, which glibc answers for the
 * main thread only by reading /proc/self/maps.
 */
#include "pot.h"
#include <ctype.h>
#include <dirent.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include "base/buf.h"
#include "base/fs.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "gotpl/gotpl.h"
#include "value/val-yaml.h"
#include "value/val.h"

struct file {
    char *name; /* owned: CHARTNAME/templates/FILE */
    char *text; /* owned */
    bool partial;
};

struct chart {
    struct file *files;
    size_t nfiles;
    struct val *chart_meta; /* .Chart */
    struct val *defaults;   /* values.yaml */
    struct val *user;       /* VALUES.yaml */
    const char *release, *ns;
    char *base_path;
};

static double clock_s(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const struct err *err)
{
    fprintf(stderr, "bench-gotpl: %s: %s\n", what, err ? err->msg : "failed");
    exit(1);
}

/* Helm's coalesce of user values over chart defaults: dicts merge key by key, a user null
 * deletes the key, anything else replaces. Returns a new reference. */
static struct val *coalesce(struct val *base, struct val *over)
{
    struct val *out;

    if (!over) {
        return val_deep_copy(base);
    }
    if (!base || base->type != VAL_DICT || over->type != VAL_DICT) {
        return val_deep_copy(over);
    }
    out = val_deep_copy(base);
    for (size_t i = 0; i < val_dict_len(over); i++) {
        const char *k = val_dict_key_at(over, i);
        struct val *v = val_dict_value_at(over, i);

        if (v->type == VAL_NULL) {
            val_dict_del(out, k);
        } else {
            val_dict_set_take(out, k, coalesce(val_dict_get(base, k), v));
        }
    }
    return out;
}

/* Chart.yaml as Helm's chart.Metadata fields: name -> Name, appVersion -> AppVersion, ... */
static struct val *chart_metadata(struct val *y)
{
    struct val *m = val_dict();

    for (size_t i = 0; i < val_dict_len(y); i++) {
        const char *k = val_dict_key_at(y, i);
        char *field = strcmp(k, "apiVersion") == 0 ? xstrdup("APIVersion") : xstrdup(k);

        field[0] = (char)toupper((unsigned char)field[0]);
        val_dict_set(m, field, val_dict_value_at(y, i));
        free(field);
    }
    return m;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(((const struct file *)a)->name, ((const struct file *)b)->name);
}

static void load_chart(struct chart *c, const char *dir, const char *values_path)
{
    struct err err = ERR_INIT;
    char *path = fs_join(dir, "Chart.yaml");
    struct val *y = val_from_yaml_file(path, &err);
    char *tdir;
    const char *name;
    DIR *d;
    struct dirent *de;

    if (!y) {
        die(path, &err);
    }
    free(path);
    name = val_dict_get_str(y, "name");
    c->chart_meta = chart_metadata(y);
    val_unref(y);
    c->base_path = xasprintf("%s/templates", name);
    path = fs_join(dir, "values.yaml");
    c->defaults = fs_exists(path) ? val_from_yaml_file(path, &err) : val_dict();
    if (!c->defaults) {
        die(path, &err);
    }
    free(path);
    c->user = val_from_yaml_file(values_path, &err);
    if (!c->user) {
        die(values_path, &err);
    }
    tdir = fs_join(dir, "templates");
    d = opendir(tdir);
    if (!d) {
        die(tdir, NULL);
    }
    while ((de = readdir(d))) {
        struct buf text = BUF_INIT;
        struct file *f;

        if (de->d_name[0] == '.') {
            continue;
        }
        path = fs_join(tdir, de->d_name);
        if (fs_read_file(path, &text, &err) < 0) {
            die(path, &err);
        }
        free(path);
        c->files = xrealloc(c->files, (c->nfiles + 1) * sizeof(*c->files));
        f = &c->files[c->nfiles++];
        f->name = xasprintf("%s/%s", c->base_path, de->d_name);
        f->text = buf_detach(&text, NULL);
        f->partial = de->d_name[0] == '_';
    }
    closedir(d);
    free(tdir);
    qsort(c->files, c->nfiles, sizeof(*c->files), cmp_names);
}

/* One root object per file (Helm sets .Template.Name per file), each from gotpl_helm_root. */
static struct val **make_roots(const struct chart *c)
{
    struct val *values = coalesce(c->defaults, c->user);
    struct val *release = val_dict();
    struct val **roots = xcalloc(c->nfiles, sizeof(*roots));

    val_dict_set_take(release, "Name", val_str(c->release));
    val_dict_set_take(release, "Namespace", val_str(c->ns));
    val_dict_set_take(release, "IsUpgrade", val_bool(false));
    val_dict_set_take(release, "IsInstall", val_bool(true));
    val_dict_set_take(release, "Revision", val_int(1));
    val_dict_set_take(release, "Service", val_str("Helm"));
    for (size_t i = 0; i < c->nfiles; i++) {
        struct val *root = gotpl_helm_root(values), *tmpl = val_dict();

        val_dict_set_take(tmpl, "Name", val_str(c->files[i].name));
        val_dict_set_take(tmpl, "BasePath", val_str(c->base_path));
        val_dict_set(root, "Release", release);
        val_dict_set(root, "Chart", c->chart_meta);
        val_dict_set_take(root, "Template", tmpl);
        roots[i] = root;
    }
    val_unref(release);
    val_unref(values);
    return roots;
}

static void free_roots(const struct chart *c, struct val **roots)
{
    for (size_t i = 0; i < c->nfiles; i++) {
        val_unref(roots[i]);
    }
    free(roots);
}

static struct gotpl *parse_chart(const struct chart *c)
{
    struct err err = ERR_INIT;
    struct gotpl *t = gotpl_new(GOTPL_HELM);

    for (size_t i = 0; i < c->nfiles; i++) {
        if (gotpl_parse(t, c->files[i].name, c->files[i].text, &err) < 0) {
            die(c->files[i].name, &err);
        }
    }
    return t;
}

/* Executes every non-partial file; returns the bytes produced. */
static size_t render(const struct chart *c, struct gotpl *t, struct val **roots, struct buf *out)
{
    struct err err = ERR_INIT;
    size_t bytes = 0;

    for (size_t i = 0; i < c->nfiles; i++) {
        if (c->files[i].partial) {
            continue;
        }
        buf_reset(out);
        if (gotpl_execute(t, c->files[i].name, roots[i], out, &err) < 0) {
            die(c->files[i].name, &err);
        }
        bytes += out->len;
    }
    return bytes;
}

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* Prints 'text' (a file's output) split as releaseutil.SplitManifests does: the whole text
 * trimmed, split on the regexp (?:^|\s*\n)---\s*, each non-empty piece trimmed. */
static void print_docs(const char *name, const char *text, size_t len)
{
    size_t b = 0, e = len, pos, start;
    bool first = true;

    while (b < e && is_space(text[b])) {
        b++;
    }
    while (e > b && is_space(text[e - 1])) {
        e--;
    }
    if (b == e) {
        return; /* helm skips a file whose output is only whitespace */
    }
    pos = start = b;
    for (;;) {
        size_t sep = e, next = e;

        if (first && e - b >= 3 && memcmp(text + b, "---", 3) == 0) {
            sep = b;
            next = b + 3;
        } else {
            for (size_t i = pos; i + 3 < e; i++) {
                if (text[i] == '\n' && memcmp(text + i + 1, "---", 3) == 0) {
                    sep = i;
                    while (sep > pos && is_space(text[sep - 1])) {
                        sep--;
                    }
                    next = i + 4;
                    break;
                }
            }
        }
        first = false;
        if (sep > start) {
            size_t db = start, de = sep;

            while (db < de && is_space(text[db])) {
                db++;
            }
            while (de > db && is_space(text[de - 1])) {
                de--;
            }
            printf("---\n# Source: %s\n%.*s\n", name, (int)(de - db), text + db);
        }
        if (sep == e) {
            break;
        }
        while (next < e && is_space(text[next])) {
            next++;
        }
        start = pos = next;
    }
}

static int bench_main(int argc, char **argv)
{
    struct chart c = { 0 };
    struct buf out = BUF_INIT;
    struct gotpl *t;
    struct val **roots;
    long n, cold_n;
    size_t bytes = 0, files = 0;
    double cpu0, wall0, cpu, wall, cold;

    if (argc < 6 || argc > 7 || (n = strtol(argv[5], NULL, 10)) < 0 ||
        (argc == 7 && strcmp(argv[6], "thread") != 0)) {
        fprintf(stderr, "usage: bench-gotpl CHART RELEASE NAMESPACE VALUES.yaml N [thread]\n");
        return 2;
    }
    c.release = argv[2];
    c.ns = argv[3];
    load_chart(&c, argv[1], argv[4]);
    t = parse_chart(&c);
    roots = make_roots(&c);
    if (n == 0) {
        struct err err = ERR_INIT;

        for (size_t i = 0; i < c.nfiles; i++) {
            if (c.files[i].partial) {
                continue;
            }
            buf_reset(&out);
            if (gotpl_execute(t, c.files[i].name, roots[i], &out, &err) < 0) {
                die(c.files[i].name, &err);
            }
            print_docs(c.files[i].name, out.ptr, out.len);
        }
    } else {
        for (size_t i = 0; i < c.nfiles; i++) {
            files += !c.files[i].partial;
        }
        render(&c, t, roots, &out); /* warm-up */
        cpu0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        wall0 = clock_s(CLOCK_MONOTONIC);
        for (long i = 0; i < n; i++) {
            bytes = render(&c, t, roots, &out);
        }
        cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
        wall = clock_s(CLOCK_MONOTONIC) - wall0;
        cold_n = n / 10 > 0 ? n / 10 : 1;
        cpu0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        for (long i = 0; i < cold_n; i++) {
            struct gotpl *t2 = parse_chart(&c);
            struct val **r2 = make_roots(&c);

            render(&c, t2, r2, &out);
            free_roots(&c, r2);
            gotpl_free(t2);
        }
        cold = clock_s(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
        printf("cpu_renders_per_sec %.1f wall_renders_per_sec %.1f cold_cpu_renders_per_sec %.1f "
               "bytes %zu files %zu\n",
               (double)n / cpu, (double)n / wall, (double)cold_n / cold, bytes, files);
    }
    free_roots(&c, roots);
    gotpl_free(t);
    for (size_t i = 0; i < c.nfiles; i++) {
        free(c.files[i].name);
        free(c.files[i].text);
    }
    free(c.files);
    free(c.base_path);
    val_unref(c.chart_meta);
    val_unref(c.defaults);
    val_unref(c.user);
    buf_release(&out);
    return 0;
}

struct run {
    int argc;
    char **argv;
    int rc;
};

static void *run_thread(void *p)
{
    struct run *r = p;

    r->rc = bench_main(r->argc, r->argv);
    return NULL;
}

int main(int argc, char **argv)
{
    struct run r = { argc, argv, 0 };
    pthread_attr_t attr;
    pthread_t th;

    if (argc != 7) {
        return bench_main(argc, argv);
    }
    /* "thread": the same work on a second thread (8 MiB stack), as pot's worker threads run */
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 8u << 20);
    if (pthread_create(&th, &attr, run_thread, &r) != 0) {
        fprintf(stderr, "bench-gotpl: pthread_create failed\n");
        return 1;
    }
    pthread_join(th, NULL);
    pthread_attr_destroy(&attr);
    return r.rc;
}
