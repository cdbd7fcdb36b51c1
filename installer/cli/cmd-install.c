/*
 * cmd-install.c - `pot install`: options -> struct pipe_opts, and the operator's view of the run:
 * each progress line on stdout and, time-stamped and redacted, in <data-dir>/pot/install.log.
 */
#include "pot.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "pipeline/pipe.h"

#define DEFAULT_DATA_DIR "/opt/tke-installer/data"
#define DEFAULT_IMAGE "tkestack/tke-installer:v1.2.4"
#define HOOK_TIMEOUT_S 3600
#define POLL_MS 500

struct install_args {
    const char *inventory, *kit_dir, *data_dir, *from, *only, *mode, *image, *container;
    bool resume, reset, check;
    int verbose;
    struct svec positional;
};

struct install_log {
    FILE *file; /* owned: <data>/pot/install.log, or NULL */
};

/* Appends one time-stamped line to the install log. */
static void log_line(struct install_log *l, const char *text)
{
    char stamp[32];
    time_t now = time(NULL);

    if (l->file) {
        strftime(stamp, sizeof(stamp), "%Y/%m/%d %H:%M:%S", localtime(&now));
        fprintf(l->file, "%s %s\n", stamp, text);
        fflush(l->file);
    }
}

/* pipe_report.say: stdout + the install log, redacted. */
static void say(void *ctx, const char *line)
{
    struct buf text = BUF_INIT;

    buf_adds(&text, line);
    log_redact(&text);
    printf("%s\n", text.ptr);
    fflush(stdout);
    log_line(ctx, text.ptr);
    buf_release(&text);
}

static int parse_args(int argc, char **argv, struct install_args *a, struct pipe_opts *o,
                      struct err *err)
{
    const struct opt opts[] = {
        { OPT_STRING, "inventory", 'i', &a->inventory, "INV", "inventory (default KIT/hosts)" },
        { OPT_STRING, "kit-dir", 0, &a->kit_dir, "DIR", "the kit directory (default: cwd)" },
        { OPT_STRING, "data-dir", 0, &a->data_dir, "DIR", "tke-installer data dir" },
        { OPT_BOOL, "resume", 0, &a->resume, NULL, "continue after a failure (the default)" },
        { OPT_STRING, "from", 0, &a->from, "STAGE", "rerun from STAGE on" },
        { OPT_STRING, "only", 0, &a->only, "STAGE", "run only STAGE" },
        { OPT_BOOL, "reset", 0, &a->reset, NULL, "forget recorded progress; step 0" },
        { OPT_LIST, "tags", 't', &o->tags, "TAGS", "only playbook tasks with these tags" },
        { OPT_LIST, "skip-tags", 0, &o->skip_tags, "TAGS", "skip playbook tasks with these tags" },
        { OPT_BOOL, "check", 'C', &a->check, NULL, "show what would be done, change nothing" },
        { OPT_STRING, "mode", 0, &a->mode, "MODE", "full, tkestack or business (default: auto)" },
        { OPT_STRING, "installer-image", 0, &a->image, "REF", "tke-installer image" },
        { OPT_STRING, "container", 0, &a->container, "NAME", "tke-installer container name" },
        { OPT_COUNT, "verbose", 'v', &a->verbose, NULL, "more diagnostics" },
        { 0 },
    };

    if (opt_parse(opts, argc - 1, argv + 1, &a->positional, err) < 0) {
        return -1;
    }
    if (a->positional.len) {
        return err_set(err, ERR_USAGE, "unexpected argument '%s'", a->positional.items[0]);
    }
    if (a->resume + a->reset + (a->from != NULL) + (a->only != NULL) > 1) {
        return err_set(err, ERR_USAGE, "give at most one of --resume, --from STAGE, --only STAGE "
                       "and --reset");
    }
    o->mode = a->mode ? pipe_mode_parse(a->mode, err) : PIPE_MODE_AUTO;
    return err->kind == ERR_NONE ? 0 : -1;
}

/* An absolute form of 'path' (new string); the directory need not exist. */
static char *absolute(const char *path)
{
    char cwd[PATH_MAX];
    char real[PATH_MAX];

    if (realpath(path, real)) {
        return xstrdup(real);
    }
    if (path[0] == '/' || !getcwd(cwd, sizeof(cwd))) {
        return xstrdup(path);
    }
    return xasprintf("%s/%s", cwd, path);
}

static char *self_exe(void)
{
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

    if (n <= 0) {
        return xstrdup("pot");
    }
    path[n] = '\0';
    return xstrdup(path);
}

static FILE *open_log(const char *data_dir)
{
    struct err err = ERR_INIT;
    char *dir = xasprintf("%s/pot", data_dir);
    char *path = xasprintf("%s/install.log", dir);
    FILE *f = NULL;
    mode_t old;

    if (fs_mkdir_p(dir, 0700, &err) == 0) {
        old = umask(077);
        f = fopen(path, "a");
        umask(old);
    }
    free(path);
    free(dir);
    return f;
}

int cmd_install(int argc, char **argv, struct err *err)
{
    struct install_args a = { 0 };
    struct pipe_opts o = { 0 };
    struct install_log l = { 0 };
    char *kit = NULL, *data = NULL, *exe = self_exe();
    int ret = -1;

    if (parse_args(argc, argv, &a, &o, err) < 0) {
        goto out;
    }
    log_set_level(a.verbose);
    kit = absolute(a.kit_dir ? a.kit_dir : ".");
    data = absolute(a.data_dir ? a.data_dir : DEFAULT_DATA_DIR);
    l.file = a.check ? NULL : open_log(data);
    o.kit_dir = kit;
    o.inventory = a.inventory;
    o.data_dir = data;
    o.from = a.from;
    o.only = a.only;
    o.reset = a.reset;
    o.check = a.check;
    o.pot_exe = exe;
    o.image = a.image ? a.image : DEFAULT_IMAGE;
    o.container = a.container ? a.container : "tke-installer";
    o.poll_ms = POLL_MS;
    o.hook_timeout = HOOK_TIMEOUT_S;
    o.report = (struct pipe_report){ .say = say, .ctx = &l };
    ret = pipe_install(&o, err);
    if (ret < 0) {
        struct buf msg = BUF_INIT;

        buf_addf(&msg, "error: %s", err->msg);
        log_redact(&msg);
        log_line(&l, msg.ptr);
        buf_release(&msg);
    }
out:
    if (l.file) {
        fclose(l.file);
    }
    svec_release(&o.tags);
    svec_release(&o.skip_tags);
    svec_release(&a.positional);
    free(kit);
    free(data);
    free(exe);
    return ret;
}
