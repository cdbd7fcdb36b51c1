/* tests/unit/test-img-docker.c: tests installer/images/img-docker.c, img-archive.c, img-set.c
 * and, through a seed run, img-spool.c and img-sink-storage.c */
#include "unit.h"
#include <archive.h>
#include <archive_entry.h>
#include "base/buf.h"
#include "base/digest.h"
#include "base/err.h"
#include "base/fs.h"
#include "images/img-sink.h"
#include "images/img.h"

struct member {
    const char *name;
    const char *data;
    size_t len;
};

static void write_tar(const char *path, const struct member *m, size_t n)
{
    struct archive *a = archive_write_new();

    archive_write_set_format_gnutar(a);
    assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();

        archive_entry_set_pathname(e, m[i].name);
        archive_entry_set_size(e, (la_int64_t)m[i].len);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_write_header(a, e);
        archive_write_data(a, m[i].data, m[i].len);
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
}

static char *diff_id(const char *data, size_t len)
{
    char hex[SHA256_HEX_LEN + 1];

    sha256_hex(data, len, hex);
    return xasprintf("sha256:%s", hex);
}

/* A docker-save tar: two images sharing layer 'base'; manifest.json last. 'flip' corrupts the
 * top layer of the second image after its diff_id was computed. */
static char *make_save(const char *dir, const char *name, bool flip, bool drop_layer)
{
    char base[2048];
    char top[1024];
    char *path = xasprintf("%s/%s", dir, name);
    char *d_base;
    char *d_top;
    char *cfg1;
    char *cfg2;
    char *manifest;

    memset(base, 'b', sizeof(base));
    memset(top, 't', sizeof(top));
    d_base = diff_id(base, sizeof(base));
    d_top = diff_id(top, sizeof(top));
    cfg1 = xasprintf("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}", d_base);
    cfg2 = xasprintf("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\",\"%s\"]}}", d_base,
                     d_top);
    manifest = xasprintf("[{\"Config\":\"c1.json\",\"RepoTags\":[\"reg.io/lib/one:1\"],"
                         "\"Layers\":[\"l1/layer.tar\"]},"
                         "{\"Config\":\"c2.json\",\"RepoTags\":[\"two:2\",\"two:latest\"],"
                         "\"Layers\":[\"l1/layer.tar\",\"%s/layer.tar\"]}]",
                         drop_layer ? "nope" : "l2");
    if (flip) {
        top[100] = 'X';
    }
    {
        struct member m[] = {
            { "l1/layer.tar", base, sizeof(base) },
            { "l2/layer.tar", top, sizeof(top) },
            { "c1.json", cfg1, strlen(cfg1) },
            { "c2.json", cfg2, strlen(cfg2) },
            { "manifest.json", manifest, strlen(manifest) },
        };

        write_tar(path, m, ARRAY_SIZE(m));
    }
    free(d_base);
    free(d_top);
    free(cfg1);
    free(cfg2);
    free(manifest);
    return path;
}

static void test_img_load_docker_dedupes_shared_layer(void **state)
{
    char *dir = unit_tmpdir();
    char *path = make_save(dir, "imgs.tar", false, false);
    struct img_set *set = img_set_new();
    struct err err = ERR_INIT;
    struct img_image *one;
    struct img_image *two;

    (void)state;
    assert_int_equal(img_load(set, path, &err), 0);
    assert_int_equal(set->images.len, 3); /* one:1, two:2, two:latest */
    one = set->images.items[0];
    two = set->images.items[1];
    assert_string_equal(one->ref, "reg.io/lib/one:1");
    assert_int_equal(one->layers.len, 1);
    assert_int_equal(two->layers.len, 2);
    assert_ptr_equal(one->layers.items[0], two->layers.items[0]);
    assert_int_equal(set->blobs.len, 4); /* two configs + two layers */
    assert_int_equal(((struct img_blob *)two->layers.items[1])->src_size, 1024);
    assert_null(((struct img_blob *)two->layers.items[1])->digest);
    img_set_free(set);
    free(path);
    unit_rmtree(dir);
    free(dir);
}

static void test_img_load_missing_layer_names_image(void **state)
{
    char *dir = unit_tmpdir();
    char *path = make_save(dir, "imgs.tar", false, true);
    struct img_set *set = img_set_new();
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(img_load(set, path, &err), -1);
    assert_non_null(strstr(err.msg, "image 'two:2'"));
    assert_non_null(strstr(err.msg, "member 'nope/layer.tar' is missing"));
    img_set_free(set);
    free(path);
    unit_rmtree(dir);
    free(dir);
}

static void test_img_load_truncated_archive(void **state)
{
    char *dir = unit_tmpdir();
    char *path = make_save(dir, "imgs.tar", false, false);
    struct img_set *set = img_set_new();
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(truncate(path, 1800), 0);
    assert_int_equal(img_load(set, path, &err), -1);
    assert_non_null(strstr(err.msg, "imgs.tar"));
    assert_non_null(strstr(err.msg, "l1/layer.tar"));
    img_set_free(set);
    free(path);
    unit_rmtree(dir);
    free(dir);
}

static void test_img_load_not_an_image(void **state)
{
    char *dir = unit_tmpdir();
    char *path = xasprintf("%s/x.tar", dir);
    struct member m[] = { { "hello.txt", "hi", 2 } };
    struct img_set *set = img_set_new();
    struct err err = ERR_INIT;

    (void)state;
    write_tar(path, m, 1);
    assert_int_equal(img_load(set, path, &err), -1);
    assert_non_null(strstr(err.msg, "neither a docker-save tarball"));
    img_set_free(set);
    free(path);
    unit_rmtree(dir);
    free(dir);
}

/* Found by fuzz-manifest: a config without rootfs.diff_ids, or an entry without Layers, crashed
 * while the error message was being written. */
static void test_img_load_config_without_diff_ids(void **state)
{
    char *dir = unit_tmpdir();
    char *path = xasprintf("%s/x.tar", dir);
    static const char cfg[] = "{\"architecture\":\"amd64\"}";
    static const char man1[] = "[{\"Config\":\"c.json\",\"RepoTags\":[\"a:1\"],"
                               "\"Layers\":[\"l/layer.tar\"]}]";
    static const char man2[] = "[{\"Config\":\"c.json\",\"RepoTags\":[\"a:1\"]}]";
    struct member m[] = { { "l/layer.tar", "x", 1 }, { "c.json", cfg, strlen(cfg) },
                          { "manifest.json", man1, strlen(man1) } };
    struct img_set *set = img_set_new();
    struct err err = ERR_INIT;

    (void)state;
    write_tar(path, m, ARRAY_SIZE(m));
    assert_int_equal(img_load(set, path, &err), -1);
    assert_non_null(strstr(err.msg, "image 'a:1'"));
    assert_non_null(strstr(err.msg, "the config lists 0 diff_ids for 1 layers"));
    img_set_free(set);

    m[2].data = man2;
    m[2].len = strlen(man2);
    write_tar(path, m, ARRAY_SIZE(m));
    set = img_set_new();
    err_clear(&err);
    assert_int_equal(img_load(set, path, &err), -1);
    assert_non_null(strstr(err.msg, "manifest.json has no Layers list"));
    img_set_free(set);
    free(path);
    unit_rmtree(dir);
    free(dir);
}

static int seed(const char *tar, const char *root, struct img_run_stats *st, struct err *err)
{
    struct img_set *set = img_set_new();
    struct img_sink *sink = NULL;
    struct img_run_opts ro = { .jobs = 2 };
    int rc = img_load(set, tar, err);

    if (rc == 0) {
        rc = img_rewrite(set, NULL, NULL, err);
    }
    if (rc == 0) {
        sink = img_sink_storage_open(root, err);
        rc = sink ? img_run(set, sink, &ro, st, err) : -1;
    }
    img_sink_free(sink);
    img_set_free(set);
    return rc;
}

static void test_img_seed_writes_registry_layout(void **state)
{
    char *dir = unit_tmpdir();
    char *path = make_save(dir, "imgs.tar", false, false);
    char *root = xasprintf("%s/storage", dir);
    struct img_run_stats st;
    struct err err = ERR_INIT;
    struct buf link = BUF_INIT;
    char *current = img_storage_tag_path(root, "library/two", "latest", NULL);
    char *data = NULL;
    char *layer_link = NULL;

    (void)state;
    assert_int_equal(seed(path, root, &st, &err), 0);
    assert_int_equal(st.images_pushed, 3);
    assert_int_equal(fs_read_file(current, &link, &err), 0);
    assert_true(strncmp(link.ptr, "sha256:", 7) == 0 && link.len == 71); /* no newline */
    data = img_storage_blob_path(root, link.ptr);
    assert_true(fs_exists(data));
    layer_link = img_storage_link_path(root, "library/one", "_layers",
                                       link.ptr);
    assert_non_null(strstr(layer_link, "/repositories/library/one/_layers/sha256/"));
    /* A second run writes nothing. */
    assert_int_equal(seed(path, root, &st, &err), 0);
    assert_int_equal(st.images_current, 3);
    assert_int_equal(st.blobs_uploaded, 0);
    buf_release(&link);
    free(current);
    free(data);
    free(layer_link);
    free(root);
    free(path);
    unit_rmtree(dir);
    free(dir);
}

static void test_img_seed_corrupt_layer_leaves_no_tag(void **state)
{
    char *dir = unit_tmpdir();
    char *path = make_save(dir, "imgs.tar", true, false);
    char *root = xasprintf("%s/storage", dir);
    struct img_run_stats st;
    struct err err = ERR_INIT;
    char *one = img_storage_tag_path(root, "library/one", "1", NULL);
    char *two = img_storage_tag_path(root, "library/two", "2", NULL);

    (void)state;
    assert_int_equal(seed(path, root, &st, &err), -1);
    assert_non_null(strstr(err.msg, "image 'two:2'"));
    assert_non_null(strstr(err.msg, "digest mismatch"));
    assert_int_equal(st.images_failed, 2);
    assert_true(fs_exists(one));
    assert_false(fs_exists(two));
    free(one);
    free(two);
    free(root);
    free(path);
    unit_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_img_load_docker_dedupes_shared_layer),
        cmocka_unit_test(test_img_load_missing_layer_names_image),
        cmocka_unit_test(test_img_load_truncated_archive),
        cmocka_unit_test(test_img_load_not_an_image),
        cmocka_unit_test(test_img_load_config_without_diff_ids),
        cmocka_unit_test(test_img_seed_writes_registry_layout),
        cmocka_unit_test(test_img_seed_corrupt_layer_leaves_no_tag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
