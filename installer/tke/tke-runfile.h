/*
 * tke-runfile.h - read the installer image out of TKEStack's self-extracting .run.
 *
 * The .run is build/docker/tools/tke-installer/init_installer.sh with a tar.gz appended
 * (build.sh: `tar -czf package.tgz install.sh res; cat package.tgz >>$target`). The script finds
 * the archive like this: `sed -n '/^#real installing packages append below/{=;q;}'` gives the
 * marker's line number N, and `tail -n +N+1` is the archive. It contains install.sh and res/,
 * with res/tke-installer.tgz = `docker save tkestack/tke-installer:<ver> | gzip`.
 */
#ifndef TKE_RUNFILE_H
#define TKE_RUNFILE_H

#include <stdint.h>

struct err;

#define TKE_RUN_MARKER "#real installing packages append below"

/* Byte offset of the appended archive in 'run' (the byte after the first line starting with
 * TKE_RUN_MARKER, searched in the first TKE_RUN_HEADER_MAX bytes). -1 with 'err' naming the
 * file when there is no such line. */
#define TKE_RUN_HEADER_MAX (1024 * 1024)
int tke_runfile_payload_offset(const char *run, uint64_t *offset, struct err *err);

/* Streams the appended archive of 'run' and copies its image tarball (the first member
 * res/tke-installer*.{tgz,tar.gz,tar}, "./" prefix allowed) to the new file 'dest'. On success
 * '*member' (when not NULL) is the archive member's name, owned by the caller. On failure 'dest'
 * is removed and 'err' names the .run: no marker, no image in the archive, or a corrupt archive. */
int tke_runfile_extract_image(const char *run, const char *dest, char **member,
                              struct err *err);

#endif
