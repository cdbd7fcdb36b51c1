/*
 * pipe-follow.c - follows tke-installer after pot (re)started it: polls the progress document,
 * prints "step N/M <name>" as steps begin, answers hook requests between polls, and ends on
 * Success, or with an error on Failed, too many retries, or an installer that never answers.
 */
#include "pot.h"
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "pipeline/pipe.h"
#include "tke/tke-progress.h"

#define START_TIMEOUT_S 180 /* from (re)start to a new install task in the log */
#define MAX_RETRIES 5       /* [Failed] lines of one step while Retrying (v1.5+) */

char *pipe_progress_url(void)
{
    const char *port = getenv("POT_TKE_PORT");

    return xasprintf("http://127.0.0.1:%s/api/cluster/global/progress", port ? port : "8080");
}

struct follow {
    size_t offset;      /* where the followed task's log begins in tke.log */
    int first_step;     /* the step the task began with, -1 unknown */
    int shown_step;     /* last step printed, -1 none */
    int shown_failures; /* [Failed] lines of shown_step already printed */
    time_t started;
};

static void show(struct pipe_ctx *c, struct follow *f, const struct tke_progress *p)
{
    if (p->step >= 0 && p->step != f->shown_step) {
        /* steps that began and ended between two polls, named from the v1.2.4 table */
        int from = f->shown_step >= 0 ? f->shown_step + 1 : f->first_step;

        for (int i = from; from >= 0 && i < p->step; i++) {
            pipe_say(c, "step %d/%d %s", i + 1, tke_step_count(), tke_step_name(i));
        }
        pipe_say(c, "step %d/%d %s", p->step + 1, tke_step_count(), p->step_name);
        f->shown_step = p->step;
        f->shown_failures = 0;
    }
    if (p->failures > f->shown_failures) {
        pipe_say(c, "step %d/%d %s failed: %s", p->step + 1, tke_step_count(), p->step_name,
                 p->error);
        f->shown_failures = p->failures;
    }
}

/* 1 finished, 0 keep following, -1 error. */
static int judge(struct pipe_ctx *c, enum tke_status status, const struct tke_progress *p,
                 struct err *err)
{
    if (status == TKE_SUCCESS || p->finished) {
        pipe_say(c, "tke-installer: install task finished: Success");
        return 1;
    }
    if (status == TKE_FAILED) {
        return err_set(err, ERR_FAILED, "tke-installer failed at step %d/%d '%s': %s; see %s, fix "
                       "the cause, then 'pot install --resume' restarts it at that step",
                       p->step + 1, tke_step_count(), p->step_name, p->error, c->tke_log);
    }
    if (status == TKE_RETRYING && p->failures > MAX_RETRIES) {
        return err_set(err, ERR_FAILED, "tke-installer step %d/%d '%s' failed %d times: %s",
                       p->step + 1, tke_step_count(), p->step_name, p->failures, p->error);
    }
    return 0;
}

/* One poll: 1 finished, 0 keep going, -1 error. */
static int poll_once(struct pipe_ctx *c, struct follow *f, const char *url, struct err *err)
{
    struct tke_progress p, task;
    struct buf log = BUF_INIT;
    struct err ferr = ERR_INIT;
    int ret = 0;

    tke_progress_init(&p);
    tke_progress_init(&task);
    if (tke_progress_fetch(url, &p, &log, &ferr) == 0 && log.len > f->offset &&
        strstr(log.ptr + f->offset, "===>starting install task")) {
        tke_progress_parse_log(&task, log.ptr + f->offset);
        show(c, f, &task);
        ret = judge(c, p.status, &task, err);
    } else if (time(NULL) - f->started > START_TIMEOUT_S) {
        ret = err_set(err, ERR_FAILED, "tke-installer did not start an install task within %d s "
                      "(%s); see 'docker logs %s'", START_TIMEOUT_S,
                      ferr.kind ? ferr.msg : "no new task in its log", c->opts->container);
    }
    tke_progress_release(&task);
    tke_progress_release(&p);
    buf_release(&log);
    return ret;
}

int pipe_follow(struct pipe_ctx *c, size_t log_offset, int first_step, struct err *err)
{
    struct follow f = { .offset = log_offset, .first_step = first_step, .shown_step = -1,
                        .started = time(NULL) };
    char *url = pipe_progress_url();
    int ret;

    for (;;) {
        if (pipe_hooks_answer(c, err) < 0) {
            ret = -1;
            break;
        }
        ret = poll_once(c, &f, url, err);
        if (ret != 0) {
            break;
        }
        if (c->opts->report.tick) {
            c->opts->report.tick(c->opts->report.ctx);
        }
        usleep((useconds_t)c->opts->poll_ms * 1000);
    }
    free(url);
    return ret < 0 ? -1 : 0;
}
