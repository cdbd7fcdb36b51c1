/*
 * helm-template.c - one release rendered by the local helm (`helm template`), as `pot helmfile
 * template` prints it and `pot pack` reads the images of the business releases from it. The
 * values go through a 0600 file in the caller's private directory, never argv.
 */
#include "pot.h"
#include <string.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/proc.h"
#include "base/vec.h"
#include "helm/helm.h"
#include "helmfile/helmfile.h"

int helm_template_local(const char *helm_bin, const struct hf_release *r, const char *tmpdir,
                        struct buf *out, struct err *err)
{
    char *values = fs_join(tmpdir, "values.yaml");
    struct buf errout = BUF_INIT;
    struct proc_result res = { 0 };
    struct svec argv = SVEC_INIT;
    int ret = -1;

    if (fs_write_atomic(values, r->values_yaml, strlen(r->values_yaml), 0600, err) < 0) {
        goto out;
    }
    svec_push(&argv, helm_bin ? helm_bin : "helm");
    svec_push(&argv, "template");
    svec_push(&argv, r->name);
    svec_push(&argv, r->chart);
    if (*r->namespace) {
        svec_push(&argv, "--namespace");
        svec_push(&argv, r->namespace);
    }
    svec_push(&argv, "-f");
    svec_push(&argv, values);
    if (proc_run(argv.items, NULL, out, &errout, &res, err) < 0) {
        err_prefix(err, "release '%s': ", r->name);
        goto out;
    }
    if (res.status != 0) {
        while (errout.len && (errout.ptr[errout.len - 1] == '\n')) {
            buf_truncate(&errout, errout.len - 1);
        }
        err_set(err, ERR_FAILED, "release '%s': helm template failed: %s", r->name,
                errout.len ? errout.ptr : "(no message)");
        goto out;
    }
    ret = 0;
out:
    unlink(values);
    svec_release(&argv);
    buf_release(&errout);
    free(values);
    return ret;
}
