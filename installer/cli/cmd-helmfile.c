/*
 * cmd-helmfile.c - `pot helmfile`: helmfile's command line over pot's helmfile reader
 * (installer/helmfile/) and helm driver (installer/helm/). The operations that only read the
 * state (list, build, write-values, template) run here; those that reach the cluster (sync,
 * apply, diff, destroy, status) go to the helm driver on the first master of the inventory, with
 * their records in the same journal `pot install` keeps (<data-dir>/pot/journal).
 */
#include "pot.h"
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/proc.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "helm/helm.h"
#include "helmfile/helmfile.h"
#include "value/val.h"

#define DEFAULT_CONCURRENCY 5

struct helmfile_args {
    const char *file, *environment, *output_dir, *inventory, *host, *data_dir, *helm_bin;
    struct svec selectors;
    struct svec state_values;
    struct svec positional;
    int concurrency;
    bool check;
    int verbose;
};

struct operation {
    const char *name;
    int (*run)(struct helmfile_args *a, struct hf_state *st, struct err *err);
};

/* "k1:v1,k2:v2" of a release's labels, in their order. */
static void labels_text(const struct hf_release *r, struct buf *out)
{
    for (size_t i = 0; r->labels && i < val_dict_len(r->labels); i++) {
        const char *v = val_cstr(val_dict_value_at(r->labels, i));

        buf_addf(out, "%s%s:%s", i ? "," : "", val_dict_key_at(r->labels, i), v ? v : "");
    }
}

/* helmfile list: NAME NAMESPACE ENABLED INSTALLED LABELS CHART VERSION, aligned. */
static int op_list(struct helmfile_args *a, struct hf_state *st, struct err *err)
{
    struct svec cells = SVEC_INIT;
    size_t width[7] = { 0 };
    static const char *const head[7] = { "NAME",   "NAMESPACE", "ENABLED", "INSTALLED",
                                         "LABELS", "CHART",     "VERSION" };

    (void)a;
    (void)err;
    for (size_t c = 0; c < 7; c++) {
        svec_push(&cells, head[c]);
    }
    for (size_t i = 0; i < st->nreleases; i++) {
        const struct hf_release *r = st->releases[i];
        struct buf labels = BUF_INIT;

        labels_text(r, &labels);
        svec_push(&cells, r->name);
        svec_push(&cells, r->namespace);
        svec_push(&cells, "true");
        svec_push(&cells, r->installed ? "true" : "false");
        svec_push(&cells, labels.len ? labels.ptr : "");
        svec_push(&cells, r->chart);
        svec_push(&cells, r->version ? r->version : "");
        buf_release(&labels);
    }
    for (size_t i = 0; i < cells.len; i++) {
        size_t n = strlen(cells.items[i]);

        if (n > width[i % 7]) {
            width[i % 7] = n;
        }
    }
    for (size_t i = 0; i < cells.len; i++) {
        if (i % 7 == 6) {
            printf("%s\n", cells.items[i]);
        } else {
            printf("%-*s ", (int)width[i % 7], cells.items[i]);
        }
    }
    svec_release(&cells);
    return 0;
}

/* helmfile build: the rendered state of the selected releases, values left out (they may hold
 * secrets; write-values writes them to 0600 files). */
static int op_build(struct helmfile_args *a, struct hf_state *st, struct err *err)
{
    (void)a;
    (void)err;
    printf("# environment: %s\nreleases:\n", st->environment);
    for (size_t i = 0; i < st->nreleases; i++) {
        const struct hf_release *r = st->releases[i];
        struct buf labels = BUF_INIT;

        labels_text(r, &labels);
        printf("- name: %s\n  namespace: %s\n  chart: %s\n", r->name, r->namespace, r->chart);
        if (r->version) {
            printf("  version: %s\n", r->version);
        }
        printf("  labels: {%s}\n", labels.ptr ? labels.ptr : "");
        for (size_t n = 0; n < r->needs.len; n++) {
            printf("%s%s\n", n ? "  - " : "  needs:\n  - ", r->needs.items[n]);
        }
        printf("  installed: %s\n  wait: %s\n  timeout: %d\n  createNamespace: %s\n"
               "  origin: %s\n",
               r->installed ? "true" : "false", r->wait ? "true" : "false", r->timeout,
               r->create_namespace ? "true" : "false", r->origin);
        buf_release(&labels);
    }
    return 0;
}

/* helmfile write-values --output-dir DIR: DIR/RELEASE.yaml per selected release, 0600. */
static int op_write_values(struct helmfile_args *a, struct hf_state *st, struct err *err)
{
    const char *dir = a->output_dir ? a->output_dir : ".";

    if (fs_mkdir_p(dir, 0700, err) < 0) {
        return -1;
    }
    for (size_t i = 0; i < st->nreleases; i++) {
        const struct hf_release *r = st->releases[i];
        char *name = xasprintf("%s.yaml", r->name);
        char *path = fs_join(dir, name);
        int ret = fs_write_atomic(path, r->values_yaml, strlen(r->values_yaml), 0600, err);

        if (ret == 0) {
            printf("%s\n", path);
        }
        free(path);
        free(name);
        if (ret < 0) {
            return -1;
        }
    }
    return 0;
}

/* Renders one release with the local helm ('helm template') and prints it. */
static int template_one(struct helmfile_args *a, const struct hf_release *r, const char *tmpdir,
                        struct err *err)
{
    struct buf out = BUF_INIT;
    int ret = helm_template_local(a->helm_bin, r, tmpdir, &out, err);

    if (ret == 0) {
        fwrite(out.ptr, 1, out.len, stdout);
    }
    buf_release(&out);
    return ret;
}

static int op_template(struct helmfile_args *a, struct hf_state *st, struct err *err)
{
    char tmpl[] = "/tmp/pot-helmfile.XXXXXX";
    int ret = 0;

    if (!mkdtemp(tmpl)) {
        return err_errno(err, "mkdtemp %s", tmpl);
    }
    for (size_t i = 0; i < st->nreleases && ret == 0; i++) {
        if (st->releases[i]->installed) {
            ret = template_one(a, st->releases[i], tmpl, err);
        }
    }
    rmdir(tmpl);
    return ret;
}

typedef int (*cluster_fn)(struct helm_target *t, const struct hf_state *st,
                          const struct helm_opts *opts, struct helm_summary *sum,
                          struct err *err);

/* The closing line of a cluster operation, counted like Ansible's recap. */
static void say_summary(const char *what, const struct helm_summary *sum)
{
    printf("helmfile %s: deployed=%zu unchanged=%zu uninstalled=%zu failed=%zu not-run=%zu "
           "changed=%zu\n",
           what, sum->deployed, sum->unchanged, sum->uninstalled, sum->failed, sum->not_run,
           sum->deployed + sum->uninstalled + sum->would_change);
}

/* sync, apply, diff, destroy, status: through the helm driver on the target host, with its
 * records in DATA/pot/helm (journal, lock, last deployed values). */
static int on_cluster(struct helmfile_args *a, struct hf_state *st, const char *what,
                      cluster_fn fn, struct err *err)
{
    struct helm_opts o = { 0 };
    struct helm_summary sum;
    struct helm_target *t;
    char *state_dir = xasprintf("%s/pot/helm", a->data_dir ? a->data_dir : POT_DEFAULT_DATA_DIR);
    char *command = xasprintf("pot helmfile %s", what);
    int ret = -1;

    helm_summary_init(&sum);
    t = helm_target_new(a->inventory ? a->inventory : "hosts", a->host, err);
    if (t) {
        if (a->helm_bin) {
            helm_target_set_helm_bin(t, a->helm_bin);
        }
        o.state_dir = state_dir;
        o.command = command;
        o.concurrency = a->concurrency ? a->concurrency : DEFAULT_CONCURRENCY;
        o.check = a->check;
        o.report = (struct helm_report){ .say = cli_say_line, .ctx = NULL };
        ret = fn(t, st, &o, &sum, err);
        say_summary(what, &sum);
    }
    helm_target_free(t);
    helm_summary_release(&sum);
    free(command);
    free(state_dir);
    return ret;
}

static int op_sync(struct helmfile_args *a, struct hf_state *st, struct err *err)
{
    return on_cluster(a, st, a->positional.items[0], helm_sync, err);
}

static int op_diff(struct helmfile_args *a, struct hf_state *st, struct err *err)
{
    return on_cluster(a, st, "diff", helm_diff, err);
}

static int op_destroy(struct helmfile_args *a, struct hf_state *st, struct err *err)
{
    return on_cluster(a, st, "destroy", helm_destroy, err);
}

static int op_status(struct helmfile_args *a, struct hf_state *st, struct err *err)
{
    return on_cluster(a, st, "status", helm_status, err);
}

/* The operations, sorted; apply is sync (pot skips unchanged releases either way). */
static const struct operation operations[] = {
    { "apply", op_sync },
    { "build", op_build },
    { "destroy", op_destroy },
    { "diff", op_diff },
    { "list", op_list },
    { "status", op_status },
    { "sync", op_sync },
    { "template", op_template },
    { "write-values", op_write_values },
};

static const struct operation *find_operation(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(operations); i++) {
        if (strcmp(operations[i].name, name) == 0) {
            return &operations[i];
        }
    }
    return NULL;
}

#define AT(field) OPT_AT(struct helmfile_args, field)
const struct opt helmfile_options[] = {
    { OPT_STRING, "file", 'f', AT(file), "FILE|DIR",
      "state file or helmfile.d directory (default: helmfile.yaml[.gotmpl] or helmfile.d/ in "
      "the cwd)" },
    { OPT_STRING, "environment", 'e', AT(environment), "ENV",
      "the environment (default 'default')" },
    { OPT_LIST, "selector", 'l', AT(selectors), "K=V,K!=V",
      "releases whose labels match (repeatable: any of them)" },
    { OPT_LIST, "state-values-set", 0, AT(state_values), "K=V",
      "a state value (a.b=c), over the environment's values" },
    { OPT_STRING, "output-dir", 0, AT(output_dir), "DIR",
      "write-values: where RELEASE.yaml files go (0600)" },
    { OPT_STRING, "inventory", 'i', AT(inventory), "INV", "the inventory (default ./hosts)" },
    { OPT_STRING, "host", 0, AT(host), "HOST",
      "where helm runs (default: the first of 'masters')" },
    { OPT_STRING, "data-dir", 0, AT(data_dir), "DIR",
      "the journal's data dir (default " POT_DEFAULT_DATA_DIR ")" },
    { OPT_STRING, "helm-binary", 'b', AT(helm_bin), "PATH",
      "the helm to run (default 'helm', or helm_bin)" },
    { OPT_INT, "concurrency", 0, AT(concurrency), "N",
      "releases deployed in parallel (default 5)" },
    { OPT_BOOL, "check", 'C', AT(check), NULL, "show what would be done, change nothing" },
    { OPT_COUNT, "verbose", 'v', AT(verbose), NULL, "more diagnostics" },
    { 0 },
};
#undef AT

static int parse_args(int argc, char **argv, struct helmfile_args *a, struct err *err)
{
    if (opt_parse(helmfile_options, a, argc - 1, argv + 1, &a->positional, err) < 0) {
        return -1;
    }
    if (a->positional.len != 1) {
        return err_set(err, ERR_USAGE, a->positional.len ? "unexpected argument '%s'" :
                       "%s: an operation is required (list, build, write-values, template, diff, "
                       "sync, apply, destroy, status)",
                       a->positional.len ? a->positional.items[1] : "pot helmfile");
    }
    if (a->concurrency < 0) {
        return err_set(err, ERR_USAGE, "--concurrency must be 0 (forks) or more");
    }
    return 0;
}

int cmd_helmfile(int argc, char **argv, struct err *err)
{
    struct helmfile_args a = { 0 };
    struct hf_opts o = { 0 };
    struct hf_state st;
    const struct operation *op;
    int ret = -1;

    hf_state_init(&st);
    if (parse_args(argc, argv, &a, err) < 0) {
        goto out;
    }
    log_set_level(a.verbose);
    op = find_operation(a.positional.items[0]);
    if (!op) {
        err_set(err, ERR_USAGE, "unknown operation '%s' (list, build, write-values, template, "
                "diff, sync, apply, destroy, status)", a.positional.items[0]);
        goto out;
    }
    o.file = a.file;
    o.environment = a.environment;
    o.selectors = a.selectors;
    o.state_values_set = a.state_values;
    if (hf_load(&st, &o, err) < 0) {
        goto out;
    }
    for (size_t i = 0; i < st.notes.len; i++) {
        fprintf(stderr, "%s\n", st.notes.items[i]);
    }
    ret = op->run(&a, &st, err);
out:
    hf_state_release(&st);
    svec_release(&a.selectors);
    svec_release(&a.state_values);
    svec_release(&a.positional);
    return ret;
}
