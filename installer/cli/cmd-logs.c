/*
 * cmd-logs.c - `pot logs [-f]`: tke-installer's data/tke.log, then pot's own
 * data/pot/install.log; -f keeps printing what is appended to either until interrupted.
 */
#include "pot.h"
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "cli/cli.h"
#include "cli/opt.h"

#define FOLLOW_MS 500

struct tail {
    char *path;  /* owned */
    size_t seen; /* bytes printed */
};

/* Prints what 'path' gained since the last call. */
static void print_new(struct tail *t, const char *header)
{
    struct buf text = BUF_INIT;
    struct err err = ERR_INIT;

    if (fs_read_file(t->path, &text, &err) == 0) {
        if (text.len < t->seen) {
            t->seen = 0; /* rewritten */
        }
        if (text.len > t->seen) {
            if (header) {
                printf("==> %s <==\n", t->path);
            }
            fwrite(text.ptr + t->seen, 1, text.len - t->seen, stdout);
            fflush(stdout);
            t->seen = text.len;
        }
    }
    buf_release(&text);
}

struct logs_args {
    const char *data_dir; /* borrowed from argv */
    bool follow;
};

#define AT(field) OPT_AT(struct logs_args, field)
const struct opt logs_options[] = {
    { OPT_BOOL, "follow", 'f', AT(follow), NULL, "keep printing what is appended" },
    { OPT_STRING, "data-dir", 0, AT(data_dir), "DIR",
      "tke-installer data (default " POT_DEFAULT_DATA_DIR ")" },
    { 0 },
};
#undef AT

int cmd_logs(int argc, char **argv, struct err *err)
{
    struct logs_args a = { .data_dir = POT_DEFAULT_DATA_DIR };
    struct svec positional = SVEC_INIT;
    struct tail tails[2] = { { 0 }, { 0 } };
    int ret = -1;

    if (opt_parse(logs_options, &a, argc - 1, argv + 1, &positional, err) < 0) {
        goto out;
    }
    if (positional.len) {
        err_set(err, ERR_USAGE, "unexpected argument '%s'", positional.items[0]);
        goto out;
    }
    tails[0].path = xasprintf("%s/tke.log", a.data_dir);
    tails[1].path = xasprintf("%s/pot/install.log", a.data_dir);
    if (!fs_exists(tails[0].path) && !fs_exists(tails[1].path)) {
        err_set(err, ERR_IO, "no logs in '%s' (neither tke.log nor pot/install.log)", a.data_dir);
        goto out;
    }
    for (;;) {
        print_new(&tails[0], "tke.log");
        print_new(&tails[1], "install.log");
        if (!a.follow) {
            break;
        }
        usleep(FOLLOW_MS * 1000);
    }
    ret = 0;
out:
    free(tails[0].path);
    free(tails[1].path);
    svec_release(&positional);
    return ret;
}
