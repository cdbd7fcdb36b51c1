/*
 * pipe-hooks.c - pot's side of the hook protocol of hooks/pot-hook.sh: a hook inside the
 * installer container writes data/pot/hooks/<stage>.request (id, stage, hook); pot runs that
 * stage (skipped when done with the same inputs) and writes <stage>.result (id, status=ok|failed,
 * message) atomically, mode 0600.
 */
#include "pot.h"
#include <dirent.h>
#include <string.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/strutil.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "pipeline/pipe.h"

#define REQUEST_SUFFIX ".request"

/* The value of "name=" in 'text' (new string, "" when absent). */
static char *field(const char *text, const char *name)
{
    struct svec lines = SVEC_INIT;
    size_t len = strlen(name);
    char *value = NULL;

    svec_split_lines(&lines, text);
    for (size_t i = 0; i < lines.len && !value; i++) {
        if (strncmp(lines.items[i], name, len) == 0 && lines.items[i][len] == '=') {
            value = xstrdup(lines.items[i] + len + 1);
        }
    }
    svec_release(&lines);
    return value ? value : xstrdup("");
}

static int write_result(struct pipe_ctx *c, const char *stage, const char *id, bool ok,
                        const char *message, struct err *err)
{
    struct buf text = BUF_INIT;
    char *path = xasprintf("%s/%s.result", c->hook_dir, stage);
    int ret;

    buf_addf(&text, "id=%s\nstatus=%s\nmessage=", id, ok ? "ok" : "failed");
    for (const char *p = message; *p; p++) {
        buf_addc(&text, *p == '\n' || *p == '\r' ? ' ' : *p);
    }
    buf_addc(&text, '\n');
    log_redact(&text);
    ret = fs_write_atomic(path, text.ptr, text.len, 0600, err);
    free(path);
    buf_release(&text);
    return ret;
}

/* True when <stage>.result already answers request 'id'. */
static bool answered(struct pipe_ctx *c, const char *stage, const char *id)
{
    struct buf text = BUF_INIT;
    struct err err = ERR_INIT;
    char *path = xasprintf("%s/%s.result", c->hook_dir, stage);
    char *have = NULL;
    bool done = false;

    if (fs_exists(path) && fs_read_file(path, &text, &err) == 0) {
        have = field(text.ptr, "id");
        done = strcmp(have, id) == 0;
    }
    free(have);
    free(path);
    buf_release(&text);
    return done;
}

static int answer(struct pipe_ctx *c, const char *stage, const char *path, struct err *err)
{
    struct buf text = BUF_INIT;
    struct err serr = ERR_INIT;
    char *id = NULL, *named = NULL, *hook = NULL;
    int ret = 0;

    if (fs_read_file(path, &text, &serr) < 0) {
        goto out; /* the hook may be rewriting it; the next poll sees it */
    }
    id = field(text.ptr, "id");
    named = field(text.ptr, "stage");
    hook = field(text.ptr, "hook");
    if (!*id || answered(c, stage, id)) {
        goto out;
    }
    pipe_say(c, "hook %s asks for stage %s (request %s)", *hook ? hook : "?", stage, id);
    if (strcmp(named, stage) != 0) {
        err_set(&serr, ERR_USAGE, "request file '%s' names stage '%s'", path, named);
    } else if (pipe_run_stage(c, stage, &serr) == 0) {
        ret = write_result(c, stage, id, true, "", err);
        goto out;
    }
    pipe_say(c, "hook %s: stage %s failed: %s", *hook ? hook : "?", stage, serr.msg);
    ret = write_result(c, stage, id, false, serr.msg, err);
out:
    free(id);
    free(named);
    free(hook);
    buf_release(&text);
    return ret;
}

/* The stage names of the pending request files (sorted). */
static void list_requests(struct pipe_ctx *c, struct svec *stages)
{
    DIR *d = opendir(c->hook_dir);
    struct dirent *e;

    for (e = d ? readdir(d) : NULL; e; e = readdir(d)) {
        size_t len = strlen(e->d_name);

        if (e->d_name[0] != '.' && str_ends_with(e->d_name, REQUEST_SUFFIX)) {
            svec_push_take(stages, xstrndup(e->d_name, len - strlen(REQUEST_SUFFIX)));
        }
    }
    if (d) {
        closedir(d);
    }
}

int pipe_hooks_answer(struct pipe_ctx *c, struct err *err)
{
    struct svec stages = SVEC_INIT;
    int ret = 0;

    list_requests(c, &stages);
    for (size_t i = 0; i < stages.len && ret == 0; i++) {
        char *path = xasprintf("%s/%s%s", c->hook_dir, stages.items[i], REQUEST_SUFFIX);

        ret = answer(c, stages.items[i], path, err);
        free(path);
    }
    svec_release(&stages);
    return ret;
}

void pipe_hooks_clear(struct pipe_ctx *c)
{
    struct svec stages = SVEC_INIT;

    list_requests(c, &stages);
    for (size_t i = 0; i < stages.len; i++) {
        char *path = xasprintf("%s/%s%s", c->hook_dir, stages.items[i], REQUEST_SUFFIX);

        unlink(path);
        free(path);
    }
    svec_release(&stages);
}
