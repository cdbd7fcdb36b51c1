/*
 * cmd-images.c - `pot images push|verify|pack|seed|list`: options, the password file, progress
 * (a bar on a TTY, plain lines otherwise) and the summary. The work is images/img.h's.
 */
#include "pot.h"
#include <curl/curl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "images/img-sink.h"
#include "images/img.h"
#include "registry/reg.h"

struct images_args {
    const char *registry;
    const char *namespace_;
    const char *ca;
    const char *user;
    const char *password_file;
    const char *rewrite;
    const char *storage;
    const char *tmpdir;
    bool insecure;
    bool quiet;
    int jobs;
    struct svec paths;
    char *password; /* owned: read from password_file */
};

struct progress {
    bool tty;
    bool quiet;
    bool bar_shown;
    double last_line;
};

static void human(int64_t bytes, char *out, size_t size)
{
    if (bytes >= 1024 * 1024) {
        snprintf(out, size, "%.1f MB", (double)bytes / (1024.0 * 1024.0));
    } else if (bytes >= 1024) {
        snprintf(out, size, "%.1f KB", (double)bytes / 1024.0);
    } else {
        snprintf(out, size, "%lld B", (long long)bytes);
    }
}

static void show_bar(struct progress *p, const struct img_event *ev)
{
    char done[32];
    char total[32];
    double rate = ev->seconds > 0 ? (double)ev->done / ev->seconds : 0;
    double frac = ev->total > 0 ? (double)ev->done / (double)ev->total : 1;
    int eta = rate > 0 && ev->total > ev->done ? (int)((double)(ev->total - ev->done) / rate) : 0;
    char bar[31];

    if (frac > 1) {
        frac = 1;
    }
    memset(bar, ' ', 30);
    memset(bar, '#', (size_t)(frac * 30));
    bar[30] = '\0';
    human(ev->done, done, sizeof(done));
    human(ev->total, total, sizeof(total));
    fprintf(stderr, "\r[%s] %s / %s  %.1f MB/s  ETA %d:%02d ", bar, done, total,
            rate / (1024.0 * 1024.0), eta / 60, eta % 60);
    p->bar_shown = true;
}

static void clear_bar(struct progress *p)
{
    if (p->bar_shown) {
        fprintf(stderr, "\r%80s\r", "");
        p->bar_shown = false;
    }
}

static void on_event(void *ctx, const struct img_event *ev)
{
    struct progress *p = ctx;
    char size[32];

    if (ev->kind == IMG_EV_PROGRESS) {
        if (p->tty && !p->quiet) {
            show_bar(p, ev);
        } else if (!p->quiet && ev->seconds - p->last_line >= 5.0 && ev->done < ev->total) {
            human(ev->done, size, sizeof(size));
            printf("progress: %s of ", size);
            human(ev->total, size, sizeof(size));
            printf("%s, %.0f s\n", size, ev->seconds);
            p->last_line = ev->seconds;
        }
        return;
    }
    clear_bar(p);
    if (ev->kind == IMG_EV_ERROR) {
        fprintf(stderr, "pot images: %s\n", ev->message);
    } else if (ev->kind == IMG_EV_BLOB && !p->quiet) {
        human(ev->done, size, sizeof(size));
        printf("blob %s %s (%s)\n", ev->digest ? ev->digest : "?", ev->what, size);
    } else if (ev->kind == IMG_EV_IMAGE && !p->quiet) {
        printf("image %s %s%s%s\n", ev->image, ev->what, ev->digest ? " " : "",
               ev->digest ? ev->digest : "");
    }
    fflush(stdout);
}

static int read_password(struct images_args *a, struct err *err)
{
    struct buf text = BUF_INIT;

    if (!a->password_file) {
        if (a->user) {
            return err_set(err, ERR_USAGE, "--user needs --password-file");
        }
        return 0;
    }
    if (fs_read_file(a->password_file, &text, err) < 0) {
        return err_prefix(err, "--password-file: ");
    }
    while (text.len && (text.ptr[text.len - 1] == '\n' || text.ptr[text.len - 1] == '\r')) {
        buf_truncate(&text, text.len - 1);
    }
    a->password = buf_detach(&text, NULL);
    log_add_secret(a->password);
    return 0;
}

static void print_summary(const char *verb, const struct img_run_stats *st, double seconds)
{
    char up[32];

    human(st->bytes_uploaded, up, sizeof(up));
    printf("%s: %d images: %d written, %d up to date, %d failed; blobs: %d uploaded (%s), "
           "%d mounted, %d present, %d failed; %.1f s\n",
           verb, st->images, st->images_pushed, st->images_current, st->images_failed,
           st->blobs_uploaded, up, st->blobs_mounted, st->blobs_present, st->blobs_failed,
           seconds);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int finish_run(const char *verb, int rc, const struct img_run_stats *st, double start,
                      struct err *err)
{
    if (st->images > 0) {
        print_summary(verb, st, now_s() - start);
    }
    if (rc < 0 && st->images_failed > 0) {
        return err_set(err, ERR_FAILED, "%d of %d images not written (see above); rerun to "
                       "continue with what is missing", st->images_failed, st->images);
    }
    return rc;
}

static struct reg_opts reg_opts_of(const struct images_args *a)
{
    struct reg_opts ro = {
        .host = a->registry,
        .ca_file = a->ca,
        .user = a->user,
        .password = a->password,
        .insecure = a->insecure,
    };

    return ro;
}

static int do_push(struct images_args *a, struct progress *p, struct err *err)
{
    struct reg_opts ro = reg_opts_of(a);
    struct img_push_opts po = {
        .paths = svec_argv(&a->paths),
        .reg = &ro,
        .namespace_ = a->namespace_,
        .rule = a->rewrite,
        .run = { .jobs = a->jobs, .spool_dir = a->tmpdir, .on_event = on_event, .ctx = p },
    };
    struct img_run_stats st = { 0 };
    double start = now_s();
    int rc = img_push(&po, &st, err);

    return finish_run("push", rc, &st, start, err);
}

static int load_all(struct img_set *set, const struct images_args *a, const char *rule,
                    struct err *err)
{
    for (size_t i = 0; i < a->paths.len; i++) {
        if (img_load(set, a->paths.items[i], err) < 0) {
            return -1;
        }
    }
    return img_rewrite(set, rule, a->namespace_, err);
}

static int do_verify(struct images_args *a, struct progress *p, struct err *err)
{
    struct reg_opts ro = reg_opts_of(a);
    struct img_set *set = img_set_new();
    struct img_sink *sink = NULL;
    struct reg *reg = NULL;
    int rc = load_all(set, a, a->rewrite, err);

    if (rc == 0) {
        reg = reg_open(&ro, err);
        rc = reg ? 0 : -1;
    }
    if (rc == 0) {
        sink = img_sink_registry(reg);
        rc = img_verify(set, sink, on_event, p, err);
    }
    if (rc == 0) {
        printf("verify: %zu images in place\n", set->images.len);
    }
    img_sink_free(sink);
    reg_free(reg);
    img_set_free(set);
    return rc;
}

/* pack and seed: the same run into a filesystem sink. */
static int do_fs(struct images_args *a, struct progress *p, const char *verb, const char *out,
                 struct err *err)
{
    struct img_set *set = img_set_new();
    struct img_sink *sink = NULL;
    struct img_run_opts ro = { .jobs = a->jobs, .on_event = on_event, .ctx = p };
    struct img_run_stats st = { 0 };
    bool pack = strcmp(verb, "pack") == 0;
    double start = now_s();
    int rc = load_all(set, a, pack ? "{path}:{tag}" : a->rewrite, err);

    if (rc == 0) {
        sink = pack ? img_sink_oci_open(out, err) : img_sink_storage_open(out, err);
        rc = sink ? 0 : -1;
    }
    if (rc == 0) {
        rc = finish_run(verb, img_run(set, sink, &ro, &st, err), &st, start, err);
    }
    img_sink_free(sink);
    img_set_free(set);
    return rc;
}

static void list_image(const struct img_image *img, const struct vec *all)
{
    int64_t total = 0;

    for (size_t l = 0; l < img->layers.len; l++) {
        total += ((struct img_blob *)img->layers.items[l])->src_size;
    }
    printf("%s  (%s)  %zu layers, %.1f MB\n", img->ref, img->source, img->layers.len,
           (double)total / (1024.0 * 1024.0));
    for (size_t l = 0; l < img->layers.len; l++) {
        const struct img_blob *b = img->layers.items[l];
        int users = 0;

        for (size_t i = 0; i < all->len; i++) {
            const struct img_image *o = all->items[i];

            for (size_t k = 0; k < o->layers.len; k++) {
                users += o->layers.items[k] == b;
            }
        }
        printf("  %s  %.1f MB%s\n", b->diff_id ? b->diff_id : b->digest,
               (double)b->src_size / (1024.0 * 1024.0), users > 1 ? "  shared" : "");
    }
}

static int do_list(struct images_args *a, struct err *err)
{
    struct img_set *set = img_set_new();
    int64_t sum = 0;
    int64_t unique = 0;
    int rc = load_all(set, a, NULL, err);

    for (size_t i = 0; rc == 0 && i < set->images.len; i++) {
        const struct img_image *img = set->images.items[i];

        list_image(img, &set->images);
        for (size_t l = 0; l < img->layers.len; l++) {
            sum += ((struct img_blob *)img->layers.items[l])->src_size;
        }
    }
    for (size_t i = 0; rc == 0 && i < set->blobs.len; i++) {
        const struct img_blob *b = set->blobs.items[i];

        unique += b->is_config ? 0 : b->src_size;
    }
    if (rc == 0) {
        printf("%zu images, %.1f MB of layers, %.1f MB unique; sharing saves %.1f MB\n",
               set->images.len, (double)sum / 1048576.0, (double)unique / 1048576.0,
               (double)(sum - unique) / 1048576.0);
    }
    img_set_free(set);
    return rc;
}

#define AT(field) OPT_AT(struct images_args, field)
const struct opt images_options[] = {
    { OPT_STRING, "registry", 0, AT(registry), "HOST[:PORT]", "target registry (push, verify)" },
    { OPT_STRING, "namespace", 0, AT(namespace_), "NS",
      "namespace of rewritten tags (default library)" },
    { OPT_BOOL, "insecure", 0, AT(insecure), NULL,
      "skip TLS verification; fall back to plain http" },
    { OPT_STRING, "ca", 0, AT(ca), "FILE", "CA bundle that signed the registry's certificate" },
    { OPT_STRING, "user", 'u', AT(user), "USER", "registry user (with --password-file)" },
    { OPT_STRING, "password-file", 0, AT(password_file), "FILE",
      "file holding the registry password" },
    { OPT_INT, "jobs", 'j', AT(jobs), "N", "parallel uploads and compressions (default: cores)" },
    { OPT_STRING, "rewrite", 0, AT(rewrite), "RULE",
      "target REPO:TAG template: {namespace} {name} {path} {tag}" },
    { OPT_STRING, "storage", 0, AT(storage), "DIR", "registry storage root directory (seed)" },
    { OPT_STRING, "tmpdir", 0, AT(tmpdir), "DIR",
      "where compressed layers are staged (push; default $TMPDIR)" },
    { OPT_BOOL, "quiet", 'q', AT(quiet), NULL, "only errors and the summary" },
    { 0 },
};
#undef AT

static int check_args(const char *verb, struct images_args *a, struct err *err)
{
    size_t min = strcmp(verb, "pack") == 0 ? 2 : 1;

    if (a->paths.len < min) {
        return err_set(err, ERR_USAGE, "pot images %s: no %s given", verb,
                       min == 2 ? "OUT and PATH" : "PATH");
    }
    if ((strcmp(verb, "push") == 0 || strcmp(verb, "verify") == 0) && !a->registry) {
        return err_set(err, ERR_USAGE, "pot images %s: --registry is required", verb);
    }
    if (strcmp(verb, "seed") == 0 && !a->storage) {
        return err_set(err, ERR_USAGE, "pot images seed: --storage is required");
    }
    return read_password(a, err);
}

static int run_verb(const char *verb, struct images_args *a, struct progress *p, struct err *err)
{
    if (strcmp(verb, "push") == 0) {
        return do_push(a, p, err);
    }
    if (strcmp(verb, "verify") == 0) {
        return do_verify(a, p, err);
    }
    if (strcmp(verb, "seed") == 0) {
        return do_fs(a, p, "seed", a->storage, err);
    }
    if (strcmp(verb, "pack") == 0) {
        char *out = xstrdup(a->paths.items[0]);
        int rc;

        free(a->paths.items[0]);
        memmove(a->paths.items, a->paths.items + 1, a->paths.len * sizeof(char *));
        a->paths.len--;
        rc = do_fs(a, p, "pack", out, err);
        free(out);
        return rc;
    }
    return do_list(a, err);
}

static bool known_verb(const char *verb)
{
    static const char *const verbs[] = { "push", "verify", "pack", "seed", "list" };

    for (size_t i = 0; i < ARRAY_SIZE(verbs); i++) {
        if (strcmp(verb, verbs[i]) == 0) {
            return true;
        }
    }
    return false;
}

int cmd_images(int argc, char **argv, struct err *err)
{
    struct images_args a = { .paths = SVEC_INIT };
    struct progress p = { .tty = isatty(STDERR_FILENO) != 0 };
    const char *verb = argc > 1 ? argv[1] : "";
    int rc = -1;

    if (!known_verb(verb)) {
        return err_set(err, ERR_USAGE, "pot images: unknown verb '%s'; use push, verify, pack, "
                       "seed or list", verb);
    }
    if (opt_parse(images_options, &a, argc - 2, argv + 2, &a.paths, err) == 0 &&
        check_args(verb, &a, err) == 0) {
        p.quiet = a.quiet;
        curl_global_init(CURL_GLOBAL_DEFAULT);
        rc = run_verb(verb, &a, &p, err);
        clear_bar(&p);
        curl_global_cleanup();
    }
    svec_release(&a.paths);
    free(a.password);
    return rc;
}
