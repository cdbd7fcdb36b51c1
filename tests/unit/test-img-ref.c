/* tests/unit/test-img-ref.c: tests installer/images/img-ref.c and img-manifest.c */
#include "unit.h"
#include "base/buf.h"
#include "base/err.h"
#include "images/img.h"

static void check_split(const char *ref, const char *host, const char *path, const char *tag)
{
    char *h;
    char *p;
    char *t;

    img_ref_split(ref, &h, &p, &t);
    if (host) {
        assert_non_null(h);
        assert_string_equal(h, host);
    } else {
        assert_null(h);
    }
    assert_string_equal(p, path);
    assert_string_equal(t, tag);
    free(h);
    free(p);
    free(t);
}

static void test_img_ref_split_forms(void **state)
{
    (void)state;
    check_split("nginx", NULL, "nginx", "latest");
    check_split("nginx:1.19", NULL, "nginx", "1.19");
    check_split("library/nginx:1.19", NULL, "library/nginx", "1.19");
    check_split("registry.tke.com/library/nginx:1.19", "registry.tke.com", "library/nginx", "1.19");
    check_split("127.0.0.1:5000/a/b", "127.0.0.1:5000", "a/b", "latest");
    check_split("localhost/x:y", "localhost", "x", "y");
    check_split("nginx@sha256:abcd", NULL, "nginx", "latest");
    /* Found by fuzz-manifest: an '@' before the registry's '/' read memory before the ref. */
    check_split("r@eg.io:5000/lib/one:1", NULL, "r", "latest");
    check_split("localhost/two@sha256:a/b", "localhost", "two", "latest");
}

static void check_rewrite(const char *ref, const char *rule, const char *ns, const char *want)
{
    char *got = img_rewrite_one(ref, rule, ns);

    assert_string_equal(got, want);
    free(got);
}

static void test_img_rewrite_like_the_kit(void **state)
{
    (void)state;
    /* The kit: <registry>/library/<last path component>:<tag>. */
    check_rewrite("registry.tke.com/library/nginx:1.19", NULL, NULL, "library/nginx:1.19");
    check_rewrite("docker.io/bitnami/redis-cluster:6.0", NULL, NULL, "library/redis-cluster:6.0");
    check_rewrite("busybox", NULL, NULL, "library/busybox:latest");
    check_rewrite("a/b/c:1", NULL, "tke", "tke/c:1");
    check_rewrite("quay.io/a/b/c:1", "{path}:{tag}-x", NULL, "a/b/c:1-x");
    check_rewrite("nginx:1.19", "mirror/{name}:{tag}", NULL, "mirror/nginx:1.19");
}

static void test_img_rewrite_rejects_bad_rule(void **state)
{
    struct img_set *set = img_set_new();
    struct img_image *img = xcalloc(1, sizeof(*img));
    struct err err = ERR_INIT;

    (void)state;
    img->ref = xstrdup("nginx:1.19");
    img->manifest = (struct buf)BUF_INIT;
    vec_push(&set->images, img);
    assert_int_equal(img_rewrite(set, "{name}", NULL, &err), -1);
    assert_non_null(strstr(err.msg, "no ':TAG'"));
    err_clear(&err);
    assert_int_equal(img_rewrite(set, "Upper/{name}:{tag}", NULL, &err), -1);
    assert_non_null(strstr(err.msg, "not a valid repository name"));
    assert_int_equal(err.kind, ERR_USAGE); /* the rule's fault, not the image's */
    err_clear(&err);
    assert_int_equal(img_rewrite(set, NULL, NULL, &err), 0);
    assert_string_equal(img->repo, "library/nginx");
    assert_string_equal(img->tag, "1.19");
    img_set_free(set);
}

static void test_img_rewrite_bad_source_name_is_bad_input(void **state)
{
    static const char *const bad[] = { "registry.tke.com/library/Alpha:1.0", "alpha:bad tag",
                                       "alpha:", "alpha:-x" };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct img_set *set = img_set_new();
        struct img_image *img = xcalloc(1, sizeof(*img));
        struct err err = ERR_INIT;
        char *want = xasprintf("'images/a.tar': image '%s' is not a valid repository:tag", bad[i]);

        img->ref = xstrdup(bad[i]);
        img->source = xstrdup("images/a.tar");
        img->manifest = (struct buf)BUF_INIT;
        vec_push(&set->images, img);
        assert_int_equal(img_rewrite(set, NULL, NULL, &err), -1);
        assert_int_equal(err.kind, ERR_PARSE);
        assert_string_equal(err.msg, want);
        free(want);
        img_set_free(set);
    }
}

static void test_img_manifest_build_is_schema2(void **state)
{
    struct img_image img = { 0 };
    struct img_blob *config = img_blob_new(IMG_BLOB_MEM);
    struct img_blob *layer = img_blob_new(IMG_BLOB_MEMBER);
    struct buf out = BUF_INIT;
    struct buf again = BUF_INIT;

    (void)state;
    config->digest = xstrdup("sha256:"
                             "1111111111111111111111111111111111111111111111111111111111111111");
    config->size = 10;
    config->media_type = xstrdup(IMG_DOCKER_CONFIG);
    layer->digest = xstrdup("sha256:"
                            "2222222222222222222222222222222222222222222222222222222222222222");
    layer->size = 20;
    layer->media_type = xstrdup(IMG_DOCKER_LAYER_GZIP);
    img.config = config;
    vec_push(&img.layers, layer);
    img_manifest_build(&img, &out);
    img_manifest_build(&img, &again);
    assert_string_equal(out.ptr, again.ptr);
    assert_non_null(strstr(out.ptr, "\"schemaVersion\": 2"));
    assert_non_null(strstr(out.ptr, IMG_DOCKER_MANIFEST));
    assert_non_null(strstr(out.ptr, "\"size\": 20"));
    assert_true(strstr(out.ptr, "1111") < strstr(out.ptr, "2222"));
    buf_release(&out);
    buf_release(&again);
    vec_release(&img.layers);
    img_blob_free(config);
    img_blob_free(layer);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_img_ref_split_forms),
        cmocka_unit_test(test_img_rewrite_like_the_kit),
        cmocka_unit_test(test_img_rewrite_rejects_bad_rule),
        cmocka_unit_test(test_img_rewrite_bad_source_name_is_bad_input),
        cmocka_unit_test(test_img_manifest_build_is_schema2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
