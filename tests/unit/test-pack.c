/* tests/unit/test-pack.c: tests installer/pack/: the MANIFEST (format, parse, compare), the tar
 * writer's determinism, pack_verify of a tar and of a folder, ed25519 signatures, and the
 * builder file. */
#include "unit.h"
#include <openssl/evp.h>
#include <openssl/pem.h>
#include "base/buf.h"
#include "base/digest.h"
#include "base/err.h"
#include "base/fs.h"
#include "pack/pack.h"

static const char hex_a[] = "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb";
static const char hex_b[] = "3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d";

static void collect(void *ctx, const char *line)
{
    struct buf *out = ctx;

    buf_addf(out, "%s\n", line);
}

static void test_manifest_format_parse_roundtrip(void **state)
{
    struct pack_manifest m = PACK_MANIFEST_INIT;
    struct pack_manifest back = PACK_MANIFEST_INIT;
    struct buf text = BUF_INIT;
    struct buf again = BUF_INIT;
    struct err err = ERR_INIT;

    (void)state;
    pack_manifest_add(&m, "z/last file", hex_b, 1);
    pack_manifest_add(&m, "a", hex_a, 1);
    pack_manifest_sort(&m);
    pack_manifest_format(&m, &text);
    assert_string_equal(text.ptr, "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
                                  "  1  a\n"
                                  "3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d"
                                  "  1  z/last file\n");
    assert_int_equal(pack_manifest_parse(&back, text.ptr, text.len, "MANIFEST", &err), 0);
    pack_manifest_format(&back, &again);
    assert_string_equal(again.ptr, text.ptr);
    assert_non_null(pack_manifest_find(&back, "z/last file"));
    assert_null(pack_manifest_find(&back, "b"));
    pack_manifest_release(&m);
    pack_manifest_release(&back);
    buf_release(&text);
    buf_release(&again);
}

static void expect_parse_error(const char *text, const char *what)
{
    struct pack_manifest m = PACK_MANIFEST_INIT;
    struct err err = ERR_INIT;

    assert_int_equal(pack_manifest_parse(&m, text, strlen(text), "MANIFEST", &err), -1);
    assert_int_equal(err.kind, ERR_PARSE);
    if (!strstr(err.msg, what)) {
        fail_msg("'%s' not in '%s'", what, err.msg);
    }
    pack_manifest_release(&m);
}

static void test_manifest_parse_rejects_bad_lines(void **state)
{
    char line[256];

    (void)state;
    expect_parse_error("xyz  1  a\n", "MANIFEST:1: expected");
    snprintf(line, sizeof(line), "%s  1  ../etc/passwd\n", hex_a);
    expect_parse_error(line, "unsafe path '../etc/passwd'");
    snprintf(line, sizeof(line), "%s  1  /abs\n", hex_a);
    expect_parse_error(line, "unsafe path");
    snprintf(line, sizeof(line), "%s  1  b\n%s  1  a\n", hex_a, hex_b);
    expect_parse_error(line, "MANIFEST:2: path 'a' out of order or twice");
    snprintf(line, sizeof(line), "%s  -4  a\n", hex_a);
    expect_parse_error(line, "bad size");
}

static void test_manifest_compare_names_each_problem(void **state)
{
    struct pack_manifest want = PACK_MANIFEST_INIT;
    struct pack_manifest found = PACK_MANIFEST_INIT;
    struct buf out = BUF_INIT;

    (void)state;
    pack_manifest_add(&want, "a", hex_a, 1);
    pack_manifest_add(&want, "b", hex_a, 1);
    pack_manifest_add(&want, "c", hex_a, 1);
    pack_manifest_add(&found, "a", hex_a, 1);
    pack_manifest_add(&found, "c", hex_b, 1);
    pack_manifest_add(&found, "d", hex_a, 1);
    assert_int_equal(pack_manifest_compare(&want, &found, collect, &out), 3);
    assert_string_equal(out.ptr, "missing: b\n"
                                 "changed: c (sha256 3e23e8160039594a33894f6564e1b1348bbd7a00"
                                 "88d42c4acb73eeaed59c009d, manifest says ca978112ca1bbdcafac231b3"
                                 "9a23dc4da786eff8147c4e72b9807785afee48bb)\n"
                                 "extra: d (not in the manifest)\n");
    pack_manifest_release(&want);
    pack_manifest_release(&found);
    buf_release(&out);
}

/* Writes a small package tar of dir/{a,sub/b} as 'tar' (in volumes of 'volume_size' bytes when
 * > 0); returns its MANIFEST text. */
static void write_volumes(const char *dir, const char *tar, int64_t volume_size,
                          struct buf *manifest)
{
    struct pack_manifest m = PACK_MANIFEST_INIT;
    struct err err = ERR_INIT;
    char *a = fs_join(dir, "a");
    char *b = fs_join(dir, "sub/b");
    struct pack_tar *t = pack_tar_open(tar, "pkg", volume_size, &err);

    assert_non_null(t);
    assert_int_equal(pack_tar_add_file(t, "a", a, &m, &err), 0);
    assert_int_equal(pack_tar_add_file(t, "sub/b", b, &m, &err), 0);
    pack_manifest_format(&m, manifest);
    assert_int_equal(pack_tar_add_mem(t, PACK_MANIFEST, manifest->ptr, manifest->len, &err), 0);
    assert_int_equal(pack_tar_close(t, &err), 0);
    pack_manifest_release(&m);
    free(a);
    free(b);
}

static void write_package(const char *dir, const char *tar, struct buf *manifest)
{
    write_volumes(dir, tar, 0, manifest);
}

static void make_tree(const char *dir)
{
    char *sub = fs_join(dir, "sub");
    struct err err = ERR_INIT;

    free(unit_write_file(dir, "a", "a"));
    assert_int_equal(fs_mkdir_p(sub, 0755, &err), 0);
    free(unit_write_file(dir, "sub/b", "bee\n"));
    free(sub);
}

static void test_tar_is_byte_identical_and_verifies(void **state)
{
    char *dir = unit_tmpdir();
    char *tar1 = fs_join(dir, "one.tar");
    char *tar2 = fs_join(dir, "two.tar");
    struct buf m1 = BUF_INIT, m2 = BUF_INIT, t1 = BUF_INIT, t2 = BUF_INIT, out = BUF_INIT;
    struct pack_summary sum;
    struct err err = ERR_INIT;

    (void)state;
    make_tree(dir);
    write_package(dir, tar1, &m1);
    sleep(1); /* a clock leaking into the tar would now differ */
    write_package(dir, tar2, &m2);
    assert_int_equal(fs_read_file(tar1, &t1, &err), 0);
    assert_int_equal(fs_read_file(tar2, &t2, &err), 0);
    assert_int_equal(t1.len, t2.len);
    assert_memory_equal(t1.ptr, t2.ptr, t1.len);
    assert_non_null(strstr(m1.ptr, hex_a)); /* sha256("a") */
    assert_int_equal(pack_verify(tar1, NULL, collect, &out, &sum, &err), 0);
    assert_int_equal(sum.files, 2);
    assert_int_equal(sum.bytes, 5);
    assert_string_equal(out.ptr, "");
    unit_rmtree(dir);
    free(dir);
    free(tar1);
    free(tar2);
    buf_release(&m1);
    buf_release(&m2);
    buf_release(&t1);
    buf_release(&t2);
    buf_release(&out);
}

/* Volumes of 1000 bytes: cat gives the whole tar, verify reads them by the tar's name, a missing
 * middle volume is named; a later pack with bigger volumes removes the surplus ones. */
static void test_volumes_join_into_the_tar_and_verify(void **state)
{
    char *dir = unit_tmpdir();
    char *whole = fs_join(dir, "whole.tar");
    char *split = fs_join(dir, "split.tar");
    char *v1 = xasprintf("%s.001", split), *v1_away = xasprintf("%s.away", split);
    struct buf m = BUF_INIT, w = BUF_INIT, joined = BUF_INIT, out = BUF_INIT;
    struct pack_summary sum;
    struct err err = ERR_INIT;
    size_t n = 0;

    (void)state;
    make_tree(dir);
    write_package(dir, whole, &m);
    buf_reset(&m);
    write_volumes(dir, split, 1000, &m);
    assert_int_equal(fs_read_file(whole, &w, &err), 0);
    assert_false(fs_exists(split));
    for (;; n++) {
        char *v = xasprintf("%s.%03zu", split, n);
        struct buf part = BUF_INIT;

        if (!fs_exists(v)) {
            free(v);
            break;
        }
        assert_int_equal(fs_read_file(v, &part, &err), 0);
        assert_true(part.len <= 1000 && part.len > 0);
        buf_add(&joined, part.ptr, part.len);
        buf_release(&part);
        free(v);
    }
    assert_int_equal(n, (w.len + 999) / 1000);
    assert_int_equal(joined.len, w.len);
    assert_memory_equal(joined.ptr, w.ptr, w.len);
    assert_int_equal(pack_verify(split, NULL, collect, &out, &sum, &err), 0);
    assert_int_equal(sum.files, 2);

    assert_int_equal(rename(v1, v1_away), 0);
    assert_int_equal(pack_verify(split, NULL, collect, &out, &sum, &err), -1);
    assert_non_null(strstr(out.ptr, "missing: volume split.tar.001 (split.tar.002 is there)"));
    assert_int_equal(rename(v1_away, v1), 0);

    buf_reset(&m);
    write_volumes(dir, split, 2000, &m);
    {
        char *last = xasprintf("%s.%03zu", split, (w.len + 1999) / 2000);

        assert_false(fs_exists(last));
        free(last);
    }
    assert_int_equal(pack_verify(split, NULL, collect, &out, &sum, &err), 0);
    buf_release(&m);
    buf_release(&w);
    buf_release(&joined);
    buf_release(&out);
    free(v1);
    free(v1_away);
    free(whole);
    free(split);
    unit_rmtree(dir);
    free(dir);
}

static void test_verify_folder_names_changed_missing_extra(void **state)
{
    char *dir = unit_tmpdir();
    char *b = fs_join(dir, "sub/b");
    struct pack_manifest m = PACK_MANIFEST_INIT;
    struct buf text = BUF_INIT;
    struct buf out = BUF_INIT;
    struct pack_summary sum;
    struct err err = ERR_INIT;
    char hex[SHA256_HEX_LEN + 1];

    (void)state;
    make_tree(dir);
    pack_manifest_add(&m, "a", hex_a, 1);
    sha256_hex("bee\n", 4, hex);
    pack_manifest_add(&m, "sub/b", hex, 4);
    pack_manifest_format(&m, &text);
    free(unit_write_file(dir, PACK_MANIFEST, text.ptr));
    assert_int_equal(pack_verify(dir, NULL, collect, &out, &sum, &err), 0);
    free(unit_write_file(dir, "a", "A"));
    unlink(b);
    free(unit_write_file(dir, "new", "x"));
    assert_int_equal(pack_verify(dir, NULL, collect, &out, &sum, &err), -1);
    assert_int_equal(err.kind, ERR_FAILED);
    assert_non_null(strstr(out.ptr, "changed: a (sha256 "));
    assert_non_null(strstr(out.ptr, "missing: sub/b\n"));
    assert_non_null(strstr(out.ptr, "extra: new (not in the manifest)\n"));
    assert_non_null(strstr(err.msg, "3 problems found"));
    unit_rmtree(dir);
    pack_manifest_release(&m);
    buf_release(&text);
    buf_release(&out);
    free(b);
    free(dir);
}

/* Writes a new ed25519 key pair as dir/NAME.pem and dir/NAME.pub. */
static void write_keys(const char *dir, const char *name)
{
    EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    EVP_PKEY *key = NULL;
    char *priv = xasprintf("%s/%s.pem", dir, name);
    char *pub = xasprintf("%s/%s.pub", dir, name);
    FILE *f;

    assert_int_equal(EVP_PKEY_keygen_init(kc), 1);
    assert_int_equal(EVP_PKEY_keygen(kc, &key), 1);
    f = fopen(priv, "w");
    assert_int_equal(PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL), 1);
    fclose(f);
    f = fopen(pub, "w");
    assert_int_equal(PEM_write_PUBKEY(f, key), 1);
    fclose(f);
    EVP_PKEY_free(key);
    EVP_PKEY_CTX_free(kc);
    free(priv);
    free(pub);
}

static void test_signature_good_tampered_other_key(void **state)
{
    char *dir = unit_tmpdir();
    char *priv = fs_join(dir, "k1.pem");
    char *pub = fs_join(dir, "k1.pub");
    char *other = fs_join(dir, "k2.pub");
    struct buf sig = BUF_INIT;
    struct err err = ERR_INIT;
    static const char data[] = "the manifest\n";

    (void)state;
    write_keys(dir, "k1");
    write_keys(dir, "k2");
    assert_int_equal(pack_sign(priv, data, sizeof(data) - 1, &sig, &err), 0);
    assert_int_equal(sig.ptr[sig.len - 1], '\n');
    assert_int_equal(pack_sig_check(pub, data, sizeof(data) - 1, sig.ptr, sig.len, &err), 0);
    assert_int_equal(pack_sig_check(priv, data, sizeof(data) - 1, sig.ptr, sig.len, &err), 0);
    assert_int_equal(pack_sig_check(pub, data, sizeof(data) - 2, sig.ptr, sig.len, &err), -1);
    assert_int_equal(err.kind, ERR_FAILED);
    assert_int_equal(pack_sig_check(other, data, sizeof(data) - 1, sig.ptr, sig.len, &err), -1);
    assert_non_null(strstr(err.msg, "bad signature"));
    assert_int_equal(pack_sign(pub, data, sizeof(data) - 1, &sig, &err), -1);
    assert_int_equal(err.kind, ERR_USAGE);
    unit_rmtree(dir);
    buf_release(&sig);
    free(priv);
    free(pub);
    free(other);
    free(dir);
}

static void test_spec_resolves_paths_and_rejects_bad_files(void **state)
{
    char *dir = unit_tmpdir();
    char *good = unit_write_file(dir, "b.yaml",
                                 "customer: acme\ncenter: c1\nversion: '1.0'\n"
                                 "components: [redis]\nimage_sources: [imgs, /abs]\n"
                                 "helmfile: {dir: hf}\n"
                                 "files: [{src: notes, dest: offline-pot/notes}]\n");
    char *number = unit_write_file(dir, "n.yaml", "customer: acme\ncenter: c\nversion: 1.0\n");
    char *unknown = unit_write_file(dir, "u.yaml", "customer: a\ncenter: c\nversion: '1'\n"
                                                   "colour: blue\n");
    char *bad_name = unit_write_file(dir, "x.yaml", "customer: a/b\ncenter: c\nversion: '1'\n");
    char *want = xasprintf("%s/imgs", dir);
    struct pack_spec spec;
    struct err err = ERR_INIT;
    char *name;

    (void)state;
    assert_int_equal(pack_spec_load(&spec, good, &err), 0);
    name = pack_spec_name(&spec);
    assert_string_equal(name, "offline-pot-acme-1.0");
    assert_string_equal(spec.kit, dir);
    assert_string_equal(spec.image_sources.items[0], want);
    assert_string_equal(spec.image_sources.items[1], "/abs");
    assert_string_equal(spec.environments.items[0], "default");
    assert_string_equal(((struct pack_extra_file *)spec.extra_files.items[0])->dest,
                        "offline-pot/notes");
    pack_spec_release(&spec);
    assert_int_equal(pack_spec_load(&spec, number, &err), -1);
    assert_non_null(strstr(err.msg, "'version' must be a non-empty string (quote it)"));
    pack_spec_release(&spec);
    assert_int_equal(pack_spec_load(&spec, unknown, &err), -1);
    assert_int_equal(err.kind, ERR_PARSE);
    assert_int_equal(err.pos.line, 4);
    assert_non_null(strstr(err.msg, "unknown key 'colour'"));
    pack_spec_release(&spec);
    assert_int_equal(pack_spec_load(&spec, bad_name, &err), -1);
    assert_non_null(strstr(err.msg, "customer 'a/b'"));
    pack_spec_release(&spec);
    unit_rmtree(dir);
    free(name);
    free(want);
    free(good);
    free(number);
    free(unknown);
    free(bad_name);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest_format_parse_roundtrip),
        cmocka_unit_test(test_manifest_parse_rejects_bad_lines),
        cmocka_unit_test(test_manifest_compare_names_each_problem),
        cmocka_unit_test(test_tar_is_byte_identical_and_verifies),
        cmocka_unit_test(test_verify_folder_names_changed_missing_extra),
        cmocka_unit_test(test_volumes_join_into_the_tar_and_verify),
        cmocka_unit_test(test_signature_good_tampered_other_key),
        cmocka_unit_test(test_spec_resolves_paths_and_rejects_bad_files),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
