/*
 * cmd-pack.c - `pot pack -f builder.yaml [-o DIR] [--sign KEY] [--since OLD/MANIFEST]
 * [--volume-size SIZE]` and
 * `pot pack --apply DELTA.tar --to OLD_DIR [--key PUB]`: options and the summaries. The work is
 * pack/pack.h's (pack_spec_load, pack_build, pack_apply).
 */
#include "pot.h"
#include <stdint.h>
#include <stdio.h>
#include "base/err.h"
#include "base/strutil.h"
#include "base/vec.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "pack/pack.h"

struct pack_args {
    const char *file;     /* borrowed from argv */
    const char *out_dir;  /* borrowed from argv */
    const char *sign_key; /* borrowed from argv */
    const char *since;    /* borrowed from argv */
    const char *apply;    /* borrowed from argv */
    const char *to;       /* borrowed from argv */
    const char *key;      /* borrowed from argv */
    const char *volume_size; /* borrowed from argv */
    int jobs;
    bool quiet;
};

#define AT(field) OPT_AT(struct pack_args, field)
const struct opt pack_options[] = {
    { OPT_STRING, "file", 'f', AT(file), "FILE", "the builder file (required)" },
    { OPT_STRING, "out", 'o', AT(out_dir), "DIR", "where the package goes (default .)" },
    { OPT_STRING, "sign", 0, AT(sign_key), "KEY.pem",
      "sign MANIFEST with this ed25519 private key (MANIFEST.sig)" },
    { OPT_STRING, "since", 0, AT(since), "OLD/MANIFEST",
      "write a delta: only what the old package (its MANIFEST, or its folder) lacks" },
    { OPT_STRING, "apply", 0, AT(apply), "DELTA.tar", "apply a delta onto the package of --to" },
    { OPT_STRING, "to", 0, AT(to), "OLD_DIR", "the unpacked old package --apply updates in place" },
    { OPT_STRING, "key", 0, AT(key), "PUB.pem",
      "--apply: check the new MANIFEST.sig with this ed25519 public key" },
    { OPT_STRING, "volume-size", 0, AT(volume_size), "SIZE",
      "write the tar as volumes NAME.tar.000, .001, ... of SIZE (K, M or G); cat joins them" },
    { OPT_INT, "jobs", 'j', AT(jobs), "N", "parallel layer compressions (default: cores)" },
    { OPT_BOOL, "quiet", 'q', AT(quiet), NULL, "only errors and the summary" },
    { 0 },
};
#undef AT

static void say(void *ctx, const char *line)
{
    const struct pack_args *a = ctx;

    if (!a->quiet) {
        cli_say_line(NULL, line);
    }
}

static int run_pack(struct pack_args *a, struct err *err)
{
    struct pack_spec spec;
    struct pack_opts po = { .out_dir = a->out_dir, .sign_key = a->sign_key, .since = a->since,
                            .jobs = a->jobs, .say = say, .ctx = a };
    struct pack_result res = { 0 };
    uint64_t volume_size = 0;
    int rc;

    if (a->volume_size && (!str_parse_size(a->volume_size, &volume_size) ||
                           volume_size < 1024 * 1024 || volume_size > INT64_MAX)) {
        return err_set(err, ERR_USAGE, "--volume-size '%s': expected a size of at least 1M "
                       "(K, M or G)", a->volume_size);
    }
    po.volume_size = (int64_t)volume_size;
    rc = pack_spec_load(&spec, a->file, err);

    if (rc == 0) {
        rc = pack_build(&spec, &po, &res, err);
    }
    if (rc == 0 && a->since) {
        printf("pack: %s: delta of %zu of %zu files (%.1f of %.1f MB), MANIFEST sha256 %s%s\n",
               res.tar, res.delta_files, res.files, (double)res.delta_bytes / 1048576.0,
               (double)res.bytes / 1048576.0, res.manifest_hex, a->sign_key ? ", signed" : "");
    } else if (rc == 0) {
        printf("pack: %s%s: %zu files (%.1f MB), %zu images, MANIFEST sha256 %s%s\n", res.tar,
               res.volumes ? ".000..." : "", res.files, (double)res.bytes / 1048576.0,
               res.images, res.manifest_hex, a->sign_key ? ", signed" : "");
        if (res.volumes) {
            printf("pack: %zu volumes of at most %s; cat %s.[0-9]* >%s joins them\n",
                   res.volumes, a->volume_size, res.tar, res.tar);
        }
    }
    pack_result_release(&res);
    pack_spec_release(&spec);
    return rc;
}

static int run_apply(struct pack_args *a, struct err *err)
{
    struct pack_summary sum;
    int rc = pack_apply(a->apply, a->to, a->key, cli_say_line, NULL, &sum, err);

    if (rc == 0) {
        printf("pack: applied %s to %s: %zu files (%.1f MB) match MANIFEST sha256 %s%s\n",
               a->apply, a->to, sum.files, (double)sum.bytes / 1048576.0, sum.manifest_hex,
               sum.sig_checked ? "; signature good" : "");
    }
    return rc;
}

static int check_args(const struct pack_args *a, const struct svec *positional, struct err *err)
{
    if (positional->len) {
        return err_set(err, ERR_USAGE, "unexpected argument '%s'", positional->items[0]);
    }
    if (a->apply) {
        if (!a->to || a->file || a->since || a->sign_key) {
            return err_set(err, ERR_USAGE, "--apply DELTA.tar takes --to OLD_DIR (and --key), "
                           "not -f, --since or --sign");
        }
        return 0;
    }
    if (a->to || a->key) {
        return err_set(err, ERR_USAGE, "--to and --key go with --apply");
    }
    if (!a->file) {
        return err_set(err, ERR_USAGE, "-f FILE (the builder file) is required");
    }
    return 0;
}

int cmd_pack(int argc, char **argv, struct err *err)
{
    struct pack_args a = { 0 };
    struct svec positional = SVEC_INIT;
    int rc = opt_parse(pack_options, &a, argc - 1, argv + 1, &positional, err);

    if (rc == 0) {
        rc = check_args(&a, &positional, err);
    }
    if (rc == 0) {
        rc = a.apply ? run_apply(&a, err) : run_pack(&a, err);
    }
    svec_release(&positional);
    return rc;
}
