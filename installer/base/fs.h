/*
 * fs.h - local filesystem helpers: read a whole file, write atomically, mkdir -p, path pieces.
 */
#ifndef FS_H
#define FS_H

#include <stdio.h>
#include <sys/types.h>

struct svec;

struct buf;
struct err;

/* Appends the whole file to 'out'. */
int fs_read_file(const char *path, struct buf *out, struct err *err);
/* Writes via a temporary file in the same directory: write, fsync, rename, fsync the directory.
 * A crash at any point leaves either the old or the new content. */
int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, struct err *err);
int fs_mkdir_p(const char *path, mode_t mode, struct err *err);
/* Opens 'path' for writing ("w", or "a" when 'append'), created 0600, and made 0600 when it was
 * there with another mode, before any data goes in (files that may hold secrets: event logs,
 * install logs). NULL with 'err' set. */
FILE *fs_open_private(const char *path, bool append, struct err *err);
/* Removes 'path' and everything under it (symlinks themselves, never their targets); a missing
 * path is fine. */
int fs_remove_tree(const char *path, struct err *err);
bool fs_exists(const char *path);
bool fs_is_dir(const char *path);
/* The names in folder 'dir' (not . and ..), sorted bytewise, appended to 'names'. */
int fs_list_names(const char *dir, struct svec *names, struct err *err);
/* The path to run this pot again (new string): $POT_SELF_EXE when set (the packed pot's launcher,
 * pack-portable.c), else fs_real_exe(); NULL with errno set. */
char *fs_self_exe(void);
/* The running program's binary (/proc/self/exe; new string), or NULL with errno set. */
char *fs_real_exe(void);
/* Returns a new string: the directory part of 'path' ("." when none). */
char *fs_dirname(const char *path);
/* Returns a pointer into 'path' after the last '/'. */
const char *fs_basename(const char *path);
/* Returns a new string "dir/name" (just 'name' when it is absolute or dir is empty). */
char *fs_join(const char *dir, const char *name);

#endif
