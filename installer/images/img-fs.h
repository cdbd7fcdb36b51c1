/*
 * img-fs.h - placing blobs in a directory tree for the filesystem sinks (pack, seed): hard-link a
 * staged file or copy through a temporary file and rename, so a blob file is complete or absent.
 * Internal to images/.
 */
#ifndef IMG_FS_H
#define IMG_FS_H

struct err;

/* Size of the file at 'path', or -1 when absent. */
int64_t img_fs_size(const char *path);
/* Puts 'size' bytes of 'fd' (or the staged file 'spool_path', linked when possible) at 'dest'. */
int img_fs_place_fd(const char *dest, int fd, const char *spool_path, int64_t size,
                    void (*progress)(void *ctx, int64_t delta), void *ctx, struct err *err);
/* Writes bytes at 'dest' atomically, creating directories. */
int img_fs_place_mem(const char *dest, const void *data, size_t len, struct err *err);
/* "sha256:<hex>" -> its parts; returns false for other forms. */
bool img_fs_split_digest(const char *digest, const char **alg, size_t *alg_len, const char **hex);

#endif
