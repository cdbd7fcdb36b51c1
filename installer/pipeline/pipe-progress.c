/*
 * pipe-progress.c - the live progress of a playbook the pipeline runs (pipe.h): the child
 * `pot play`'s output lines (Ansible's default callback) counted as they arrive - each
 * "TASK [...]" header starts a task, each "ok:/changed:/skipping:/failed:/fatal: [host]" line
 * finishes that task on a host - against the number of tasks `--list-tasks` announced, and
 * turned into one progress line: the task, the counters per host and an estimate of the time
 * left. The operator's terminal shows it as an updating status line (cli/pipe-cli.c); plain
 * output already has the child's lines.
 */
#include "pot.h"
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "base/buf.h"
#include "base/strutil.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "pipeline/pipe.h"

size_t pipe_count_listed_tasks(const char *list_tasks_output)
{
    size_t count = 0;
    const char *line = list_tasks_output;

    while (line && *line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        const char *tags = memmem(line, len, "\tTAGS: [", 8);

        /* a task line is indented six blanks; "  play #N (...)" lines carry TAGS too */
        count += tags && len > 6 && strncmp(line, "      ", 6) == 0;
        line = end ? end + 1 : NULL;
    }
    return count;
}

void pipe_progress_init(struct pipe_progress *p, const char *what, size_t total)
{
    memset(p, 0, sizeof(*p));
    p->what = what;
    p->total = total;
    p->since = time(NULL);
}

void pipe_progress_release(struct pipe_progress *p)
{
    svec_release(&p->hosts);
    free(p->done);
    free(p->last_task);
    free(p->task);
    memset(p, 0, sizeof(*p));
}

/* The host's index in p->hosts, added when new. */
static size_t host_index(struct pipe_progress *p, const char *name, size_t len)
{
    for (size_t i = 0; i < p->hosts.len; i++) {
        if (strlen(p->hosts.items[i]) == len && strncmp(p->hosts.items[i], name, len) == 0) {
            return i;
        }
    }
    svec_push_take(&p->hosts, xstrndup(name, len));
    xgrow((void **)&p->done, &p->done_cap, p->hosts.len, sizeof(*p->done));
    xgrow((void **)&p->last_task, &p->last_cap, p->hosts.len, sizeof(*p->last_task));
    p->done[p->hosts.len - 1] = 0;
    p->last_task[p->hosts.len - 1] = 0;
    return p->hosts.len - 1;
}

/* "ok: [node1]..." and the like: the host whose result it is; NULL for other lines. */
static const char *result_host(const char *line, size_t *len)
{
    static const char *const kinds[] = { "ok: [", "changed: [", "skipping: [", "failed: [",
                                         "fatal: [" };

    for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
        if (str_starts_with(line, kinds[i])) {
            const char *name = line + strlen(kinds[i]), *end = strchr(name, ']');

            *len = end ? (size_t)(end - name) : 0;
            return end ? name : NULL;
        }
    }
    return NULL;
}

static void say_progress(struct pipe_ctx *c, const struct pipe_progress *p)
{
    struct buf line = BUF_INIT;
    long secs = (long)(time(NULL) - p->since);
    size_t total = p->total > p->started ? p->total : p->started;

    buf_addf(&line, "%s: task %zu/%zu %s |", p->what, p->started, total, p->task ? p->task : "");
    for (size_t i = 0; i < p->hosts.len; i++) {
        buf_addf(&line, " %s %zu", p->hosts.items[i], p->done[i]);
    }
    if (p->started > 1 && total > p->started) {
        long left = secs * (long)(total - p->started) / (long)(p->started - 1);

        buf_addf(&line, " | ETA %ld:%02ld", left / 60, left % 60);
    }
    pipe_progress(c, "%s", line.ptr);
    buf_release(&line);
}

void pipe_progress_line(struct pipe_ctx *c, struct pipe_progress *p, const char *line)
{
    const char *host;
    size_t len;

    if (str_starts_with(line, "TASK [")) {
        const char *end = strrchr(line, ']');

        p->started++;
        free(p->task);
        p->task = xstrndup(line + 6, end && end > line + 6 ? (size_t)(end - line - 6) : 0);
        say_progress(c, p);
        return;
    }
    host = result_host(line, &len);
    if (host && p->started) {
        size_t i = host_index(p, host, len);

        if (p->last_task[i] != p->started) { /* a loop's items finish one task once */
            p->last_task[i] = p->started;
            p->done[i]++;
            say_progress(c, p);
        }
    }
}
