/* tests/unit/test-tke-runfile.c: tests installer/tke/tke-runfile.c */
#include "unit.h"
#include <archive.h>
#include <archive_entry.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "tke/tke-runfile.h"

/* The shape of build/docker/tools/tke-installer/init_installer.sh: the marker also appears
 * inside the sed command, which must not count (it does not start the line). */
static const char header[] =
    "#! /usr/bin/env bash\n"
    "set -o errexit\n"
    "cd `dirname \"${0}\"`     || exit 1\n"
    "tailNum=`sed -n '/^#real installing packages append below/{=;q;}' ${me}`\n"
    "tailNum=$((tailNum +1))\n"
    "tail -n +${tailNum} \"${me}\" >package.tgz    || die\n"
    "tar -zxf package.tgz                        || die\n"
    "./install.sh $@                             || die\n"
    "exit 0\n"
    "\n"
    "#real installing packages append below\n";

struct member {
    const char *name;
    const char *data;
    size_t len;
};

/* A gzipped tar of 'm' (like `tar -czf package.tgz install.sh res`). */
static void make_tgz(const struct member *m, size_t n, struct buf *out)
{
    struct archive *a = archive_write_new();
    size_t cap = 1 << 20, used = 0;
    char *mem = xmalloc(cap);

    archive_write_set_format_gnutar(a);
    archive_write_add_filter_gzip(a);
    assert_int_equal(archive_write_open_memory(a, mem, cap, &used), ARCHIVE_OK);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();

        archive_entry_set_pathname(e, m[i].name);
        archive_entry_set_size(e, (la_int64_t)m[i].len);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        assert_int_equal(archive_write_data(a, m[i].data, m[i].len), (la_ssize_t)m[i].len);
        archive_entry_free(e);
    }
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    buf_add(out, mem, used);
    free(mem);
}

/* Binary image bytes holding NULs, newlines and the marker itself. */
static const char image[] = "\x1f\x8b\x08\0fake\n#real installing packages append below\n\xff\0end";

static char *make_run(const char *dir, const char *hdr, const struct member *m, size_t n,
                      size_t truncate)
{
    struct buf run = BUF_INIT;
    struct buf tgz = BUF_INIT;
    char *path = xasprintf("%s/tke-installer-x86_64-v1.2.4.run", dir);
    FILE *f;

    make_tgz(m, n, &tgz);
    buf_adds(&run, hdr);
    buf_add(&run, tgz.ptr, tgz.len - truncate);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(run.ptr, 1, run.len, f), run.len);
    fclose(f);
    buf_release(&run);
    buf_release(&tgz);
    return path;
}

static const struct member real_layout[] = {
    { "install.sh", "#!/bin/bash\necho install\n", 25 },
    { "res/", "", 0 },
    { "res/docker.tgz", "not the image", 13 },
    { "res/docker.service", "[Unit]\n", 7 },
    { "res/tke-installer.tgz", image, sizeof(image) },
};

/* Every test gets a fresh directory and the path of the image it may extract there. */
struct fixture {
    char *dir;          /* owned: removed with everything in it by teardown */
    char *run;          /* owned: the .run under test, set by the test */
    char *dest;         /* owned: DIR/image.tgz */
    char *member;       /* owned: the member tke_runfile_extract_image reported */
    struct buf got;     /* what was extracted to 'dest' */
    struct err err;
};

static int setup(void **state)
{
    struct fixture *fx = xcalloc(1, sizeof(*fx));

    fx->dir = unit_tmpdir();
    fx->dest = xasprintf("%s/image.tgz", fx->dir);
    buf_init(&fx->got);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    buf_release(&fx->got);
    free(fx->member);
    free(fx->dest);
    free(fx->run);
    unit_rmtree(fx->dir);
    free(fx->dir);
    free(fx);
    return 0;
}

/* Extracts the fixture's .run and checks the member's name and the bytes it holds. */
static void expect_image(struct fixture *fx, const char *member, const char *data, size_t len)
{
    assert_int_equal(tke_runfile_extract_image(fx->run, fx->dest, &fx->member, &fx->err), 0);
    assert_string_equal(fx->member, member);
    assert_int_equal(fs_read_file(fx->dest, &fx->got, &fx->err), 0);
    assert_int_equal(fx->got.len, len);
    assert_memory_equal(fx->got.ptr, data, len);
}

/* Extracting fails with an error naming the .run and saying 'what', and leaves no file behind. */
static void expect_no_image(struct fixture *fx, const char *what)
{
    assert_int_equal(tke_runfile_extract_image(fx->run, fx->dest, NULL, &fx->err), -1);
    assert_non_null(strstr(fx->err.msg, fx->run));
    assert_non_null(strstr(fx->err.msg, what));
    assert_false(fs_exists(fx->dest));
}

static void test_tke_runfile_finds_payload_after_marker(void **state)
{
    struct fixture *fx = *state;
    uint64_t off = 0;

    fx->run = make_run(fx->dir, header, real_layout, ARRAY_SIZE(real_layout), 0);
    assert_int_equal(tke_runfile_payload_offset(fx->run, &off, &fx->err), 0);
    assert_int_equal(off, sizeof(header) - 1);
}

static void test_tke_runfile_extracts_image_bytes(void **state)
{
    struct fixture *fx = *state;

    fx->run = make_run(fx->dir, header, real_layout, ARRAY_SIZE(real_layout), 0);
    expect_image(fx, "res/tke-installer.tgz", image, sizeof(image));
}

static void test_tke_runfile_dot_slash_names(void **state)
{
    static const struct member m[] = {
        { "./install.sh", "x", 1 },
        { "./res/tke-installer-amd64.tar.gz", "IMG", 3 },
    };
    struct fixture *fx = *state;

    fx->run = make_run(fx->dir, header, m, ARRAY_SIZE(m), 0);
    expect_image(fx, "./res/tke-installer-amd64.tar.gz", "IMG", 3);
}

static void test_tke_runfile_no_marker(void **state)
{
    struct fixture *fx = *state;

    fx->run = make_run(fx->dir, "#!/bin/sh\nexit 0\n", real_layout, ARRAY_SIZE(real_layout), 0);
    expect_no_image(fx, "not a TKEStack installer");
}

static void test_tke_runfile_no_image(void **state)
{
    struct fixture *fx = *state;

    fx->run = make_run(fx->dir, header, real_layout, 4, 0);
    expect_no_image(fx, "no installer image");
}

static void test_tke_runfile_truncated_archive(void **state)
{
    static char big[200000];
    const struct member m[] = {
        { "install.sh", "x", 1 },
        { "res/tke-installer.tgz", big, sizeof(big) },
    };
    struct fixture *fx = *state;
    uint32_t x = 1;

    for (size_t i = 0; i < sizeof(big); i++) {
        x = x * 1103515245u + 12345u;
        big[i] = (char)(x >> 16);
    }
    fx->run = make_run(fx->dir, header, m, ARRAY_SIZE(m), 1000);
    expect_no_image(fx, "corrupt");
}

static void test_tke_runfile_garbage_after_marker(void **state)
{
    struct fixture *fx = *state;

    fx->run = unit_write_file(fx->dir, "x.run",
                              "#!/bin/sh\n#real installing packages append below\n"
                              "this is not a tar.gz at all\n");
    expect_no_image(fx, "corrupt");
}

#define WITH_FIXTURE(test) cmocka_unit_test_setup_teardown(test, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        WITH_FIXTURE(test_tke_runfile_finds_payload_after_marker),
        WITH_FIXTURE(test_tke_runfile_extracts_image_bytes),
        WITH_FIXTURE(test_tke_runfile_dot_slash_names),
        WITH_FIXTURE(test_tke_runfile_no_marker),
        WITH_FIXTURE(test_tke_runfile_no_image),
        WITH_FIXTURE(test_tke_runfile_truncated_archive),
        WITH_FIXTURE(test_tke_runfile_garbage_after_marker),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
