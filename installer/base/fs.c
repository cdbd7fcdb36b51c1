/*
 * fs.c - reading whole files, atomic writes, mkdir -p and path helpers.
 */
#include "pot.h"
#include <limits.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/vec.h"
#include "base/xalloc.h"

int fs_read_file(const char *path, struct buf *out, struct err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    char chunk[65536];
    ssize_t n;

    if (fd < 0) {
        return err_errno(err, "cannot read '%s'", path);
    }
    for (;;) {
        n = read(fd, chunk, sizeof(chunk));
        if (n == 0) {
            break;
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            err_errno(err, "cannot read '%s'", path);
            close(fd);
            return -1;
        }
        buf_add(out, chunk, (size_t)n);
    }
    close(fd);
    return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;

    while (len) {
        ssize_t n = write(fd, p, len);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void fsync_dir_of(const char *path)
{
    char *dir = fs_dirname(path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, struct err *err)
{
    char *tmp = xasprintf("%s.pot-tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    int ret = -1;

    if (fd < 0) {
        err_errno(err, "cannot write '%s'", path);
        goto out;
    }
    if (fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0) {
        err_errno(err, "cannot write '%s'", path);
        close(fd);
        unlink(tmp);
        goto out;
    }
    if (close(fd) < 0 || rename(tmp, path) < 0) {
        err_errno(err, "cannot write '%s'", path);
        unlink(tmp);
        goto out;
    }
    fsync_dir_of(path);
    ret = 0;
out:
    free(tmp);
    return ret;
}

int fs_mkdir_p(const char *path, mode_t mode, struct err *err)
{
    char *copy = xstrdup(path);
    int ret = 0;

    for (char *p = copy + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;

            *p = '\0';
            if (mkdir(copy, mode) < 0 && errno != EEXIST) {
                ret = err_errno(err, "cannot create directory '%s'", copy);
                break;
            }
            *p = saved;
            if (saved == '\0') {
                break;
            }
        }
    }
    if (ret == 0 && !fs_is_dir(path)) {
        ret = err_set(err, ERR_IO, "'%s' exists and is not a directory", path);
    }
    free(copy);
    return ret;
}

bool fs_exists(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0;
}

bool fs_is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return (type == FTW_DP ? rmdir(path) : unlink(path)) < 0 ? -1 : 0;
}

int fs_remove_tree(const char *path, struct err *err)
{
    if (fs_exists(path) && nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) < 0) {
        return err_errno(err, "cannot remove '%s'", path);
    }
    return 0;
}

char *fs_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (!slash) {
        return xstrdup(".");
    }
    if (slash == path) {
        return xstrdup("/");
    }
    return xstrndup(path, (size_t)(slash - path));
}

const char *fs_basename(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash ? slash + 1 : path;
}

char *fs_join(const char *dir, const char *name)
{
    size_t dlen;

    if (name[0] == '/' || !dir || !dir[0]) {
        return xstrdup(name);
    }
    dlen = strlen(dir);
    if (dir[dlen - 1] == '/') {
        return xasprintf("%s%s", dir, name);
    }
    return xasprintf("%s/%s", dir, name);
}

FILE *fs_open_private(const char *path, bool append, struct err *err)
{
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
    int fd = open(path, flags, 0600);
    FILE *f;

    if (fd < 0) {
        err_errno(err, "cannot write '%s'", path);
        return NULL;
    }
    if (fchmod(fd, 0600) < 0) {
        err_errno(err, "cannot make '%s' private", path);
        close(fd);
        return NULL;
    }
    f = fdopen(fd, append ? "a" : "w");
    if (!f) {
        err_errno(err, "cannot write '%s'", path);
        close(fd);
    }
    return f;
}

char *fs_self_exe(void)
{
    const char *launcher = getenv("POT_SELF_EXE");

    return launcher && *launcher ? xstrdup(launcher) : fs_real_exe();
}

char *fs_real_exe(void)
{
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

    if (n < 0) {
        return NULL;
    }
    path[n] = '\0';
    return xstrdup(path);
}

int fs_list_names(const char *dir, struct svec *names, struct err *err)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    if (!d) {
        return err_errno(err, "'%s'", dir);
    }
    for (de = readdir(d); de; de = readdir(d)) {
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
            svec_push(names, de->d_name);
        }
    }
    closedir(d);
    svec_sort(names);
    return 0;
}
