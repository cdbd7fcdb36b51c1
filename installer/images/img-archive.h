/*
 * img-archive.h - reading tar archives (plain or compressed) as streams with libarchive: one scan
 * that lists members and buffers the small JSON ones, and a reader positioned on one member.
 * Internal to images/.
 */
#ifndef IMG_ARCHIVE_H
#define IMG_ARCHIVE_H

#include "base/buf.h"
#include "base/vec.h"

struct archive;
struct err;

struct img_member {
    char *name;      /* owned, without a leading "./" */
    int64_t size;
    bool gzipped;    /* starts with the gzip magic */
    bool buffered;   /* 'data' holds the whole member (small JSON) */
    struct buf data;
};

struct img_scan {
    struct vec members; /* owned struct img_member * in archive order */
};

/* Lists every member of the archive at 'path'. Errors name the file and the member being read. */
int img_archive_scan(const char *path, struct img_scan *scan, struct err *err);
void img_scan_release(struct img_scan *scan);
/* Borrowed member by name, or NULL. */
struct img_member *img_scan_find(const struct img_scan *scan, const char *name);
/* Opens 'path' and skips to 'member'; read it with archive_read_data, then archive_read_free. */
struct archive *img_archive_open_member(const char *path, const char *member, struct err *err);

#endif
