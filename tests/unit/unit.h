/*
 * unit.h - what every tests/unit/test-*.c includes: pot.h, cmocka's prerequisites, and helpers for
 * scratch directories and files.
 */
#ifndef UNIT_H
#define UNIT_H

#include "pot.h"
#include <setjmp.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "base/xalloc.h"

/* Creates a fresh scratch directory under $TMPDIR; returns its path (caller frees). */
static inline char *unit_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *path = xasprintf("%s/pot-unit.XXXXXX", base ? base : "/tmp");

    if (!mkdtemp(path)) {
        fail_msg("mkdtemp %s failed", path);
    }
    return path;
}

/* Writes 'content' to dir/name and returns the full path (caller frees). */
static inline char *unit_write_file(const char *dir, const char *name, const char *content)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(content, f);
    fclose(f);
    return path;
}

/* Removes a scratch directory tree made by unit_tmpdir. */
static inline void unit_rmtree(const char *dir)
{
    char *cmd[] = { "rm", "-rf", (char *)dir, NULL };
    pid_t pid = fork();

    if (pid == 0) {
        execvp(cmd[0], cmd);
        _exit(127);
    }
    if (pid > 0) {
        int status;

        waitpid(pid, &status, 0);
    }
}

#endif
