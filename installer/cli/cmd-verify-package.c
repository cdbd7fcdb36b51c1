/*
 * cmd-verify-package.c - `pot verify-package [--key PUB.pem] PATH`: prints each problem the check
 * finds (pack/pack-verify.c) and a summary line.
 */
#include "pot.h"
#include <stdio.h>
#include "base/err.h"
#include "base/vec.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "pack/pack.h"

struct verify_args {
    const char *key; /* borrowed from argv */
};

#define AT(field) OPT_AT(struct verify_args, field)
const struct opt verify_package_options[] = {
    { OPT_STRING, "key", 0, AT(key), "PUB.pem",
      "check MANIFEST.sig with this ed25519 public key (a missing signature then fails)" },
    { 0 },
};
#undef AT

int cmd_verify_package(int argc, char **argv, struct err *err)
{
    struct verify_args a = { 0 };
    struct svec positional = SVEC_INIT;
    struct pack_summary sum;
    int rc = opt_parse(verify_package_options, &a, argc - 1, argv + 1, &positional, err);

    if (rc == 0 && positional.len != 1) {
        rc = err_set(err, ERR_USAGE, "give one PATH: a package tar or an unpacked package");
    }
    if (rc == 0) {
        rc = pack_verify(positional.items[0], a.key, cli_say_line, NULL, &sum, err);
    }
    if (rc == 0) {
        printf("verify-package: %s: %zu files (%.1f MB) match MANIFEST sha256 %s; %s\n",
               positional.items[0], sum.files, (double)sum.bytes / 1048576.0, sum.manifest_hex,
               sum.sig_checked ? "signature good"
               : sum.is_signed ? "signed, signature not checked (no --key)"
                               : "not signed");
    }
    svec_release(&positional);
    return rc;
}
