/*
 * pipe-cli.c - the plumbing the pipeline commands share (pipe-cli.h): their common options made
 * into struct pipe_opts, and the operator's view of the run: progress lines on stdout (one
 * updating status line for the installer's steps on a terminal) and in
 * <data-dir>/pot/install.log.
 */
#include "pot.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "cli/cli.h"
#include "cli/pipe-cli.h"

/* Appends one time-stamped line to the install log. */
static void log_line(struct run_log *l, const char *text)
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
static void draw_status(const struct run_log *l)
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
static void end_status(struct run_log *l)
{
    if (l->status) {
        draw_status(l);
        printf("\n");
        fflush(stdout);
        free(l->status);
        l->status = NULL;
    }
    l->in_progress = false;
}

/* A line on the terminal: a step replaces the status line; other lines are printed above it,
 * except the installer stage's own closing lines, which end it. */
static void show_tty(struct run_log *l, const char *line)
{
    if (is_step_line(line)) {
        if (!l->status || strcmp(l->status, line) != 0) {
            free(l->status);
            l->status = xstrdup(line);
            l->status_since = time(NULL);
            l->in_progress = false;
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
    struct run_log *l = ctx;
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

/* pipe_report.progress: on a terminal the progress is the status line (its clock counts from
 * the first progress line of the playbook); plain output shows the playbook's own lines. */
static void progress(void *ctx, const char *line)
{
    struct run_log *l = ctx;
    struct buf text = BUF_INIT;

    if (!l->tty) {
        return;
    }
    if (!line) {
        end_status(l);
        return;
    }
    buf_adds(&text, line);
    log_redact(&text);
    if (!l->status || !l->in_progress) {
        end_status(l);
        l->status_since = time(NULL);
    }
    free(l->status);
    l->status = buf_detach(&text, NULL);
    l->in_progress = true;
    draw_status(l);
}

/* pipe_report.tick: refreshes the clock of the status line. */
static void tick(void *ctx)
{
    struct run_log *l = ctx;

    if (l->status) {
        draw_status(l);
    }
}

static bool stdout_is_terminal(void)
{
    const char *term = getenv("TERM");

    return isatty(STDOUT_FILENO) && term && *term && strcmp(term, "dumb") != 0;
}

static char *absolute_path(const char *path)
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
    char *path = fs_self_exe();

    return path ? path : xstrdup("pot");
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

static void run_log_open(struct run_log *l, const char *data_dir, bool dry_run)
{
    *l = (struct run_log){ 0 };
    l->file = dry_run ? NULL : open_log(data_dir);
    l->tty = stdout_is_terminal();
}

static struct pipe_report run_log_report(struct run_log *l)
{
    return (struct pipe_report){ .say = say, .tick = tick, .progress = progress, .ctx = l };
}

static void run_log_error(struct run_log *l, const struct err *err)
{
    struct buf msg = BUF_INIT;

    end_status(l);
    buf_addf(&msg, "error: %s", err->msg);
    log_redact(&msg);
    log_line(l, msg.ptr);
    buf_release(&msg);
}

static void run_log_close(struct run_log *l)
{
    end_status(l);
    if (l->file) {
        fclose(l->file);
        l->file = NULL;
    }
}

void pipe_cli_start(struct pipe_cli *a, struct pipe_opts *o, struct run_log *l)
{
    log_set_level(a->verbose);
    a->kit = absolute_path(a->kit_dir ? a->kit_dir : ".");
    a->data = absolute_path(a->data_dir ? a->data_dir : POT_DEFAULT_DATA_DIR);
    a->exe = self_exe();
    run_log_open(l, a->data, a->check);
    o->kit_dir = a->kit;
    o->inventory = a->inventory;
    o->data_dir = a->data;
    o->check = a->check;
    o->pot_exe = a->exe;
    o->image = o->image ? o->image : POT_DEFAULT_INSTALLER_IMAGE;
    o->container = o->container ? o->container : "tke-installer";
    o->report = run_log_report(l);
}

int pipe_cli_finish(struct pipe_cli *a, struct run_log *l, int ret, const struct err *err)
{
    if (ret < 0 && err->kind != ERR_NONE) {
        run_log_error(l, err);
    }
    run_log_close(l);
    free(a->kit);
    free(a->data);
    free(a->exe);
    a->kit = a->data = a->exe = NULL;
    return ret;
}
