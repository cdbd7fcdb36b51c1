/*
 * pack-portable.c - the package's portable pot: the running pot's binary with every shared
 * library it loads and its program loader, under offline-pot/lib/pot/, behind a launcher
 * offline-pot/pot that runs the binary through that loader with --library-path. So the packed pot
 * runs on any x86_64 Linux whatever its libc (or none), as long as the kernel takes the packed
 * glibc (3.2 and later on Debian's). The host probe (pot-probe, static) goes beside the launcher
 * when it was built.
 *
 * The launcher exports POT_SELF_EXE (itself: pot runs its children through it, fs_self_exe) and
 * POT_PORTABLE_DIR (lib/pot: a packed pot that packs again takes that folder as it is).
 * The libraries are those the loader lists for the binary (`LOADER --list BINARY`, what ldd
 * prints), each packed under the name the binary asks for.
 */
#include "pot.h"
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/proc.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "check/check.h"
#include "pack/pack.h"

#define LIB_DIR PACK_KIT_DIR "/lib/pot"
#define LAUNCHER "pot"

static const char launcher_text[] =
    "#!/bin/sh\n"
    "# pot - the packed pot's launcher, written by `pot pack`: runs lib/pot/pot with the shared\n"
    "# libraries and the program loader packed beside it, whatever the host's own libc.\n"
    "self=$(readlink -f \"$0\") || exit 1\n"
    "POT_SELF_EXE=$self\n"
    "POT_PORTABLE_DIR=${self%%/*}/lib/pot\n"
    "export POT_SELF_EXE POT_PORTABLE_DIR\n"
    "exec \"$POT_PORTABLE_DIR/%s\" --library-path \"$POT_PORTABLE_DIR\" --argv0 \"$0\" \\\n"
    "    \"$POT_PORTABLE_DIR/pot\" \"$@\"\n";

/* The program interpreter (PT_INTERP) of the ELF64 file 'path': a new string, or NULL with 'err'
 * set (a static binary has none). */
static char *elf_interp(const char *path, struct err *err)
{
    Elf64_Ehdr eh;
    Elf64_Phdr ph;
    char *interp = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        err_errno(err, "'%s'", path);
        return NULL;
    }
    if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
        memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64) {
        err_set(err, ERR_IO, "'%s': not a 64-bit ELF program", path);
    }
    for (unsigned i = 0; err->kind == ERR_NONE && !interp && i < eh.e_phnum; i++) {
        if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (uint64_t)i * eh.e_phentsize)) !=
            (ssize_t)sizeof(ph)) {
            err_set(err, ERR_IO, "'%s': truncated program headers", path);
        } else if (ph.p_type == PT_INTERP && ph.p_filesz > 1 && ph.p_filesz < 4096) {
            interp = xcalloc(1, ph.p_filesz + 1);
            if (pread(fd, interp, ph.p_filesz, (off_t)ph.p_offset) != (ssize_t)ph.p_filesz) {
                err_set(err, ERR_IO, "'%s': truncated interpreter name", path);
            }
        }
    }
    close(fd);
    if (err->kind == ERR_NONE && !interp) {
        err_set(err, ERR_IO, "'%s' names no program loader (a static binary?)", path);
    }
    if (err->kind != ERR_NONE) {
        free(interp);
        return NULL;
    }
    return interp;
}

/* Each "NAME => PATH (0x...)" line of `LOADER --list BINARY`: 'names' and 'paths' in order. */
static int list_libraries(const char *loader, const char *binary, struct svec *names,
                          struct svec *paths, struct err *err)
{
    char *argv[] = { (char *)loader, "--list", (char *)binary, NULL };
    struct buf out = BUF_INIT, errout = BUF_INIT;
    struct svec lines = SVEC_INIT;
    struct proc_result res = { 0 };
    int rc = proc_run(argv, &(struct proc_opts){ .timeout_ms = 30000 }, &out, &errout, &res, err);

    if (rc == 0 && res.status != 0) {
        rc = err_set(err, ERR_FAILED, "'%s --list %s' failed: %s", loader, binary,
                     errout.len ? errout.ptr : "no message");
    }
    svec_split_lines(&lines, out.len ? out.ptr : "");
    for (size_t i = 0; rc == 0 && i < lines.len; i++) {
        const char *line = lines.items[i] + strspn(lines.items[i], " \t");
        const char *arrow = strstr(line, " => ");
        const char *end;

        if (!arrow) {
            continue; /* the vDSO and the loader itself */
        }
        if (strncmp(arrow + 4, "not found", 9) == 0) {
            rc = err_set(err, ERR_IO, "'%s' needs %.*s, which is not found", binary,
                         (int)(arrow - line), line);
            break;
        }
        end = strstr(arrow + 4, " (");
        svec_push_take(names, xstrndup(line, (size_t)(arrow - line)));
        svec_push_take(paths, end ? xstrndup(arrow + 4, (size_t)(end - arrow - 4))
                                  : xstrdup(arrow + 4));
    }
    svec_release(&lines);
    buf_release(&out);
    buf_release(&errout);
    return rc;
}

/* The running pot's binary, its libraries and its loader under LIB_DIR; the loader's name in
 * the folder into 'loader_name'. */
static int add_binary(pack_add_fn *add, void *ctx, char **loader_name, struct err *err)
{
    struct svec names = SVEC_INIT, paths = SVEC_INIT;
    char *binary = NULL, *interp = NULL;
    int rc = -1;

    binary = fs_real_exe();
    if (!binary) {
        return err_errno(err, "finding the running pot in '/proc/self/exe'");
    }
    interp = elf_interp(binary, err);
    if (interp && list_libraries(interp, binary, &names, &paths, err) == 0) {
        char *name = xasprintf("%s/pot", LIB_DIR);

        add(ctx, name, binary);
        free(name);
        for (size_t i = 0; i < names.len; i++) {
            name = xasprintf("%s/%s", LIB_DIR, names.items[i]);
            add(ctx, name, paths.items[i]);
            free(name);
        }
        *loader_name = xstrdup(fs_basename(interp));
        name = xasprintf("%s/%s", LIB_DIR, *loader_name);
        add(ctx, name, interp);
        free(name);
        rc = 0;
    }
    svec_release(&names);
    svec_release(&paths);
    free(interp);
    free(binary);
    return rc;
}

/* A packed pot packing again: its lib/pot folder as it is; the loader there is the one its
 * binary names. */
static int add_packed_folder(const char *dir, pack_add_tree_fn *add_tree, void *ctx,
                             char **loader_name, struct err *err)
{
    char *binary = fs_join(dir, "pot");
    char *interp = elf_interp(binary, err);
    int rc = -1;

    if (interp) {
        *loader_name = xstrdup(fs_basename(interp));
        rc = add_tree(ctx, LIB_DIR, dir, err);
    }
    free(interp);
    free(binary);
    return rc;
}

int pack_portable(const char *staging, pack_add_fn *add, pack_add_tree_fn *add_tree, void *ctx,
                  struct err *err)
{
    const char *packed = getenv("POT_PORTABLE_DIR");
    char *loader_name = NULL, *launcher = NULL, *text = NULL, *probe;
    struct err no_probe = ERR_INIT;
    int rc;

    rc = packed && *packed ? add_packed_folder(packed, add_tree, ctx, &loader_name, err)
                           : add_binary(add, ctx, &loader_name, err);
    if (rc == 0) {
        launcher = fs_join(staging, LAUNCHER);
        text = xasprintf(launcher_text, loader_name);
        rc = fs_write_atomic(launcher, text, strlen(text), 0755, err);
    }
    if (rc == 0) {
        add(ctx, PACK_KIT_DIR "/" LAUNCHER, launcher);
        probe = check_probe_find(&no_probe);
        if (probe) {
            add(ctx, PACK_KIT_DIR "/pot-probe", probe);
        }
        free(probe);
        err_clear(&no_probe);
    }
    free(loader_name);
    free(launcher);
    free(text);
    return rc < 0 ? err_prefix(err, "the portable pot: ") : 0;
}
