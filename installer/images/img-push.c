/*
 * img-push.c - img_push(): load, rewrite, open the registry and run, in one call that the CLI and
 * the install pipeline share.
 */
#include "pot.h"
#include "base/err.h"
#include "images/img-sink.h"
#include "images/img.h"
#include "registry/reg.h"

/* Says which images a failure to open the registry left unpushed: the first, and how many more. */
static void name_images(const struct img_set *set, struct err *err)
{
    const struct img_image *first = set->images.len ? set->images.items[0] : NULL;

    if (first && set->images.len > 1) {
        err_prefix(err, "image '%s:%s' and %zu more: ", first->repo, first->tag,
                   set->images.len - 1);
    } else if (first) {
        err_prefix(err, "image '%s:%s': ", first->repo, first->tag);
    }
}

int img_push(const struct img_push_opts *opts, struct img_run_stats *stats, struct err *err)
{
    struct img_set *set = img_set_new();
    struct img_sink *sink = NULL;
    struct reg *reg = NULL;
    int ret = -1;

    for (char *const *p = opts->paths; *p; p++) {
        if (img_load(set, *p, err) < 0) {
            goto out;
        }
    }
    if (img_rewrite(set, opts->rule, opts->namespace_, err) < 0) {
        goto out;
    }
    reg = reg_open(opts->reg, err);
    if (!reg) {
        name_images(set, err);
        goto out;
    }
    sink = img_sink_registry(reg);
    ret = img_run(set, sink, &opts->run, stats, err);
out:
    img_sink_free(sink);
    reg_free(reg);
    img_set_free(set);
    return ret;
}
