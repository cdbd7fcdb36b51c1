/*
 * pack.h - the offline package: `pot pack` builds offline-pot-<customer>-<version>.tar from a
 * builder file (pack-spec.c), reproducibly (pack-tar.c), with a MANIFEST of every file's sha256
 * and size (pack-manifest.c), optionally signed with ed25519 (pack-sign.c); `pot verify-package`
 * checks a tar or an unpacked directory against it (pack-verify.c); a delta against an older
 * package's MANIFEST is applied onto that package by pack-delta.c.
 *
 * The tar holds one folder, offline-pot-<customer>-<version>/, with
 *   offline-pot/          the kit (playbooks, templates, hooks, charts and images/<chart>.txt of
 *                         the components switched on, the helmfile dir, install-offline-pot.sh,
 *                         hosts.tpl), offline-pot/pack.yaml and the builder's extra files;
 *                         the portable pot: offline-pot/pot (a launcher), offline-pot/lib/pot/
 *                         (the binary, its libraries and loader), offline-pot/pot-probe
 *   offline-pot-images/   one OCI image layout: every image once, every layer once
 *   MANIFEST              "<sha256 hex>  <size>  <path>" per other file, sorted by path (bytes)
 *   MANIFEST.sig          base64 of the ed25519 signature of MANIFEST (with --sign)
 * in byte order of their paths, MANIFEST and MANIFEST.sig last; every member with mtime 0, owner
 * root:root (0:0), mode 0755 when the source is executable else 0644. Next to the tar,
 * <tar>.sha256 holds "<sha256 of MANIFEST>  MANIFEST".
 *
 * A delta (pack_build with 'since', applied by pack_apply) is a tar of the same folder holding
 * DELTA first ("base <sha256 of the old MANIFEST>", then MANIFEST lines of the files it holds),
 * the files the old package lacks or has with other bytes, then the new MANIFEST (and .sig).
 *
 * Order of calls: pack_spec_load, pack_build, pack_spec_release; or pack_verify; or pack_apply.
 */
#ifndef PACK_H
#define PACK_H

#include <stdint.h>
#include "base/buf.h"
#include "base/digest.h"
#include "base/vec.h"

struct err;

#define PACK_MANIFEST "MANIFEST"
#define PACK_SIGNATURE "MANIFEST.sig"
#define PACK_DELTA "DELTA"
#define PACK_KIT_DIR "offline-pot"
#define PACK_IMAGES_DIR "offline-pot-images"

/* ---- pack-manifest.c ---- */

struct pack_file {
    char *path; /* owned: relative to the package root, '/'-separated */
    char hex[SHA256_HEX_LEN + 1];
    int64_t size;
};

struct pack_manifest {
    struct vec files; /* owned struct pack_file *; sorted by path after pack_manifest_sort */
};

#define PACK_MANIFEST_INIT { VEC_INIT }

void pack_manifest_release(struct pack_manifest *m);
/* Copies 'path' and 'hex'. */
void pack_manifest_add(struct pack_manifest *m, const char *path, const char *hex, int64_t size);
/* Sorts by path in byte order. */
void pack_manifest_sort(struct pack_manifest *m);
/* Appends the MANIFEST text of a sorted manifest. */
void pack_manifest_format(const struct pack_manifest *m, struct buf *out);
/* Parses MANIFEST text ('name' for messages). -1 with ERR_PARSE at name:line on a bad line, a
 * path out of order or twice, or an unsafe path ('..', absolute). */
int pack_manifest_parse(struct pack_manifest *m, const char *text, size_t len, const char *name,
                        struct err *err);
/* The sha256 and size of the file at 'path'. */
int pack_hash_file(const char *path, char hex[SHA256_HEX_LEN + 1], int64_t *size,
                   struct err *err);
/* Finds a file by path in a sorted manifest (NULL when absent). */
const struct pack_file *pack_manifest_find(const struct pack_manifest *m, const char *path);

/* Called once per problem with a line such as "changed: offline-pot/hosts.tpl (sha256 ...)". */
typedef void (*pack_report_fn)(void *ctx, const char *line);
/* Formats a line and hands it to 'report' (nothing when it is NULL). */
void pack_say(pack_report_fn report, void *ctx, const char *fmt, ...) PRINTF_LIKE(3, 4);
/* Compares what was found against what the manifest says, both sorted: each file changed (digest
 * or size), missing or extra is reported by name. Returns the number of problems. */
int pack_manifest_compare(const struct pack_manifest *want, const struct pack_manifest *found,
                          pack_report_fn report, void *ctx);

/* ---- pack-sign.c ---- */

/* Signs 'data' with the ed25519 private key in PEM file 'key_path'; appends the base64 signature
 * and a newline to 'sig'. -1 with ERR_IO (unreadable) or ERR_USAGE (not an ed25519 key). */
int pack_sign(const char *key_path, const void *data, size_t len, struct buf *sig,
              struct err *err);
/* Checks base64 signature 'sig' of 'data' with the ed25519 public key (or private key) in PEM
 * file 'key_path'. 0 when good; -1 with ERR_FAILED when the signature does not match. */
int pack_sig_check(const char *key_path, const void *data, size_t len, const char *sig,
                   size_t sig_len, struct err *err);

/* ---- pack-tar.c ---- */

struct pack_tar;

/* Creates 'path' (written as path.part, renamed by pack_tar_close), or with volume_size > 0 the
 * volumes path.000, path.001, ... of that many bytes (the last one shorter). Every member is
 * named "<top>/<name>". */
struct pack_tar *pack_tar_open(const char *path, const char *top, int64_t volume_size,
                               struct err *err);
/* Adds regular file 'src' as 'name', hashing it on the way into 'm' (when not NULL). -1 when
 * it cannot be read or changed size while read. */
int pack_tar_add_file(struct pack_tar *t, const char *name, const char *src,
                      struct pack_manifest *m, struct err *err);
int pack_tar_add_mem(struct pack_tar *t, const char *name, const void *data, size_t len,
                     struct err *err);
/* Finishes the archive and renames it into place; frees 't' either way. */
int pack_tar_close(struct pack_tar *t, struct err *err);
/* Frees 't' and removes the partial file (after an error). */
void pack_tar_abort(struct pack_tar *t);

/* ---- pack-spec.c ---- */

struct pack_extra_file {
    char *src;  /* owned: absolute or relative to the cwd */
    char *dest; /* owned: path in the package */
};

/* The builder file, paths resolved against its directory. */
struct pack_spec {
    char *customer;              /* owned */
    char *center;                /* owned */
    char *version;               /* owned */
    char *kit;                   /* owned: the kit's root (charts/, images/, playbooks/...) */
    struct svec components;      /* chart names switched on */
    struct svec image_sources;   /* where the components' images are read */
    char *helmfile_dir;          /* owned; NULL: no business helmfile */
    char *helm_bin;              /* owned: renders the releases; NULL: "helm" from PATH */
    struct svec environments;    /* helmfile environments checked (default: "default") */
    struct svec selectors;       /* helmfile selectors checked */
    struct svec extra_images;    /* tarballs or OCI layouts packed whole */
    struct vec extra_files;      /* owned struct pack_extra_file * */
};

/* Reads the builder file. -1 with ERR_PARSE (bad YAML, unknown or missing key) or ERR_IO. */
int pack_spec_load(struct pack_spec *spec, const char *path, struct err *err);
void pack_spec_release(struct pack_spec *spec);
/* "offline-pot-<customer>-<version>" (new string). */
char *pack_spec_name(const struct pack_spec *spec);

/* ---- pack-build.c ---- */

struct pack_opts {
    const char *out_dir;  /* where the tar and its sidecar go; NULL: "." */
    const char *sign_key; /* ed25519 private key PEM; NULL: unsigned */
    const char *since;    /* the old package's MANIFEST (or the folder holding it): write the
                             delta <name>.delta.tar instead of the whole package */
    int jobs;             /* image compression threads; <= 0: the cores */
    int64_t volume_size;  /* > 0: the tar in volumes <tar>.000, .001, ... of this many bytes */
    pack_report_fn say;   /* progress lines; may be NULL */
    void *ctx;
};

struct pack_result {
    char *tar;         /* owned: the path written */
    char manifest_hex[SHA256_HEX_LEN + 1];
    size_t files;      /* files in the manifest */
    size_t delta_files; /* with 'since': the files the delta holds */
    int64_t delta_bytes;
    size_t images;
    int64_t bytes;     /* sum of file sizes */
    size_t volumes;    /* with a volume size: how many were written */
};

/* Builds the package. The image list is images/<chart>.txt of each component and the 'image:'
 * values of every selected helmfile release rendered by `helm template`, found by ref in the image
 * sources, plus every extra image. -1 with 'err' naming the missing image or file. */
int pack_build(const struct pack_spec *spec, const struct pack_opts *opts,
               struct pack_result *res, struct err *err);
void pack_result_release(struct pack_result *res);

/* ---- pack-portable.c ---- */

/* Adds the file 'src' to the package as 'name' (a path in the package). */
typedef void pack_add_fn(void *ctx, const char *name, const char *src);
/* Adds the folder 'src' (walked in name order) as 'name'; -1 with 'err' when unreadable. */
typedef int pack_add_tree_fn(void *ctx, const char *name, const char *src, struct err *err);

/* The portable pot: writes the launcher into 'staging' and adds it as offline-pot/pot, the
 * running pot's binary, libraries and loader under offline-pot/lib/pot/ and pot-probe beside the
 * launcher when it was built. -1 with 'err' (a library not found, an unreadable binary). */
int pack_portable(const char *staging, pack_add_fn *add, pack_add_tree_fn *add_tree, void *ctx,
                  struct err *err);

/* ---- pack-verify.c ---- */

/* Verifies PATH (a package tar, or an unpacked package directory holding MANIFEST): every file
 * against the manifest, the sidecar <tar>.sha256 when there is one, and MANIFEST.sig with
 * 'key' (NULL: the signature is not checked; a key but no signature fails). Each problem goes
 * to 'report'. 0 when all is well; -1 with ERR_FAILED (problems) or another kind (unreadable). */
struct pack_summary {
    size_t files;      /* files checked (MANIFEST and MANIFEST.sig not counted) */
    int64_t bytes;     /* their bytes */
    bool is_signed;    /* MANIFEST.sig is there */
    bool sig_checked;  /* and was checked with a key */
    char manifest_hex[SHA256_HEX_LEN + 1];
};

int pack_verify(const char *path, const char *key, pack_report_fn report, void *ctx,
                struct pack_summary *sum, struct err *err);

/* ---- pack-delta.c ---- */

/* Applies delta tar 'delta' onto the unpacked old package 'dir' in place: checks that DELTA's base
 * is dir's MANIFEST (else ERR_FAILED before anything changes), extracts and checks every file
 * against DELTA into dir/.pot-delta (a damaged delta changes nothing), then moves them in, removes
 * the files the new MANIFEST no longer lists, writes MANIFEST (and MANIFEST.sig), and verifies
 * dir against it as pack_verify does (with 'key' when given). */
int pack_apply(const char *delta, const char *dir, const char *key, pack_report_fn report,
               void *ctx, struct pack_summary *sum, struct err *err);

#endif
