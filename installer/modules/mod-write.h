/*
 * mod-write.h - putting one file's content on the host the way copy and template do: compare
 * checksums first (no transfer when equal), --diff text, backup, atomic put, then attributes.
 */
#ifndef MOD_WRITE_H
#define MOD_WRITE_H

#include "modules/module.h"

struct mod_write {
    const char *dest;   /* the final file path (not a directory) */
    const char *src;    /* reported as 'src'; may be NULL */
    const char *mode;   /* NULL: keep the existing mode, 0644 & ~umask for a new file */
    const char *owner;  /* NULL: leave */
    const char *group;  /* NULL: leave */
    bool backup;
    bool force;         /* false: an existing dest is left alone */
    const char *validate; /* NULL, or a command run on the new content first, %s its path */
    bool unsafe_writes; /* write in place when the atomic rename fails */
    bool remote_src;    /* copy remote_src: a failure carries no checksum */
};

/* Writes data[len] to w->dest unless it already has that content; sets res status and the keys
 * Ansible's copy returns (dest, src, checksum, size, mode, owner, group, uid, gid, state,
 * backup_file). A new file whose directory is missing fails as Ansible's copy module does;
 * force=false leaves an existing file alone, attributes included. Check mode predicts. Returns
 * 0, -1 when unreachable. */
int mod_write_file(struct module_ctx *ctx, const struct mod_write *w, const char *data,
                   size_t len, struct result *res, struct err *err);

#endif
