/*
 * cmd-install.c - `pot install`: options -> struct pipe_opts, and the operator's view of the run:
 * each progress line on stdout and, time-stamped and redacted, in <data-dir>/pot/install.log.
 * On a terminal the tke-installer steps share one updating status line "step N/M name [elapsed]";
 * otherwise (pipes, files, TERM=dumb) every line is printed plainly.
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
#include "base/strutil.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "pipeline/pipe.h"

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
    FILE *file;          /* owned: <data>/pot/install.log, or NULL */
    bool tty;            /* stdout is a terminal: steps go to one updating status line */
    char *status;        /* owned: the "step N/M name" on the status line, or NULL */
    time_t status_since; /* when that step was first reported */
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

/* "step N/M name" (not a "... failed: msg" line): the lines the status line shows. */
static bool is_step_line(const char *line)
{
    int n, m, end = 0;

    return sscanf(line, "step %d/%d %n", &n, &m, &end) == 2 && end > 0 &&
           !strstr(line, " failed: ");
}

/* Redraws the status line: the step and how long it has been running. */
static void draw_status(const struct install_log *l)
{
    long secs = (long)(time(NULL) - l->status_since);

    if (secs >= 60) {
        printf("\r\033[K%s [%ldm%02lds]", l->status, secs / 60, secs % 60);
    } else {
        printf("\r\033[K%s [%lds]", l->status, secs);
    }
    fflush(stdout);
}

/* Leaves the status line on screen as a finished line. */
static void end_status(struct install_log *l)
{
    if (l->status) {
        draw_status(l);
        printf("\n");
        fflush(stdout);
        free(l->status);
        l->status = NULL;
    }
}

/* A line on the terminal: a step replaces the status line; other lines are printed above it,
 * except the installer stage's own closing lines, which end it. */
static void show_tty(struct install_log *l, const char *line)
{
    if (is_step_line(line)) {
        if (!l->status || strcmp(l->status, line) != 0) {
            free(l->status);
            l->status = xstrdup(line);
            l->status_since = time(NULL);
        }
        draw_status(l);
        return;
    }
    if (str_starts_with(line, "stage tke-installer:") ||
        str_starts_with(line, "tke-installer: install")) {
        end_status(l);
    }
    if (l->status) {
        printf("\r\033[K%s\n", line);
        draw_status(l);
    } else {
        printf("%s\n", line);
        fflush(stdout);
    }
}

/* pipe_report.say: stdout + the install log, redacted. */
static void say(void *ctx, const char *line)
{
    struct install_log *l = ctx;
    struct buf text = BUF_INIT;

    buf_adds(&text, line);
    log_redact(&text);
    if (l->tty) {
        show_tty(l, text.ptr);
    } else {
        printf("%s\n", text.ptr);
        fflush(stdout);
    }
    log_line(l, text.ptr);
    buf_release(&text);
}

/* pipe_report.tick: refreshes the clock of the status line. */
static void tick(void *ctx)
{
    struct install_log *l = ctx;

    if (l->status) {
        draw_status(l);
    }
}

static bool stdout_is_terminal(void)
{
    const char *term = getenv("TERM");

    return isatty(STDOUT_FILENO) && term && *term && strcmp(term, "dumb") != 0;
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
        { OPT_LIST, "remove", 0, &o->remove, "NAME", "uninstall component NAME, or business" },
        { OPT_COUNT, "verbose", 'v', &a->verbose, NULL, "more diagnostics" },
        { 0 },
    };

    if (opt_parse(opts, argc - 1, argv + 1, &a->positional, err) < 0) {
        return -1;
    }
    if (a->positional.len) {
        return err_set(err, ERR_USAGE, "unexpected argument '%s'", a->positional.items[0]);
    }
    /* --reset --only STAGE is allowed: it reruns that stage from scratch (tke.json step 0) */
    if (a->resume + (a->reset && !a->only) + (a->from != NULL) + (a->only != NULL) > 1) {
        return err_set(err, ERR_USAGE, "give at most one of --resume, --from STAGE, --only STAGE "
                       "and --reset (--reset may go with --only)");
    }
    /* --remove business: every business release (stage business); --remove NAME: that base
     * component's release (stage components) */
    if (o->remove.len) {
        const char *stage = svec_contains(&o->remove, "business") ? "business" : "components";

        if (strcmp(stage, "business") == 0 && o->remove.len > 1) {
            return err_set(err, ERR_USAGE, "--remove business goes alone (it removes every "
                           "business release)");
        }
        if (a->only && strcmp(a->only, stage) != 0) {
            return err_set(err, ERR_USAGE, "--remove %s goes with --only %s, not --only %s",
                           o->remove.items[0], stage, a->only);
        }
        if (a->from || a->reset) {
            return err_set(err, ERR_USAGE, "--remove runs only stage %s; give no --from or "
                           "--reset with it", stage);
        }
        a->only = stage;
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

    if (fs_mkdir_p(dir, 0700, &err) == 0) {
        f = fs_open_private(path, true, &err);
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
    data = absolute(a.data_dir ? a.data_dir : POT_DEFAULT_DATA_DIR);
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
    l.tty = stdout_is_terminal();
    o.report = (struct pipe_report){ .say = say, .tick = tick, .ctx = &l };
    ret = pipe_install(&o, err);
    end_status(&l);
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
    svec_release(&o.remove);
    svec_release(&a.positional);
    free(kit);
    free(data);
    free(exe);
    return ret;
}
