/*
 * exec.h - running a parsed playbook against an inventory, the way ansible-playbook does.
 *
 * exec_run(): validates the whole playbook first (exec-check.c: modules exist, arguments match
 * their spec, templates compile; nothing runs on any host when something is wrong), then runs
 * each play: hosts in serial batches, tasks in the linear order through blocks/rescue/always,
 * handlers at flush points, and reports everything through struct out. Returns the exit code
 * ansible-playbook would (0, 2 a host failed, 4 a host unreachable), or -1 with err for errors
 * that stop the run before or between plays.
 */
#ifndef EXEC_H
#define EXEC_H

#include "base/vec.h"
#include "modules/module.h"
#include "output/out.h"
#include "vars/vars.h"

struct playbook;
struct pb_play;
struct pb_task;
struct inventory;
struct inv_host;
struct conn;

struct exec_opts {
    bool check;
    bool diff;
    int forks;
    int verbosity;
    struct svec tags;           /* --tags, split on ',' (empty = all) */
    struct svec skip_tags;
    const char *limit;          /* borrowed, or NULL */
    const char *start_at_task;  /* borrowed, or NULL */
    struct val *extra_vars;     /* borrowed dict */
};

/* A host's state for the whole run. */
struct exec_host {
    struct inv_host *ih;        /* borrowed */
    const char *name;           /* borrowed from ih */
    struct val *inv_vars;       /* owned: inventory vars */
    struct val *facts;          /* owned dict: ansible_facts */
    struct val *set_facts;      /* owned dict: set_fact + register (replaced, never mutated) */
    struct val *include_vars;   /* owned dict (replaced, never mutated) */
    struct conn *conn;          /* owned, opened on first use */
    struct out_stats stats;
    bool failed;                /* failed a task and not rescued yet */
    bool unreachable;
    bool ended;                 /* meta: end_host / end_play */
    struct svec notified;       /* handler names/listen topics notified, not yet run */
};

struct exec_run {
    struct playbook *pb;        /* borrowed */
    struct inventory *inv;      /* borrowed */
    const struct exec_opts *opts;
    struct out *out;            /* borrowed */
    struct vec hosts;           /* owned struct exec_host *, inventory order */
    struct pb_play *play;       /* current play */
    struct vec play_hosts;      /* borrowed struct exec_host *: the play's hosts */
    struct vec batch;           /* borrowed: the current serial batch */
    struct val *groups;         /* owned: the groups dict */
    bool start_found;           /* --start-at-task reached */
    bool play_ended;
};

int exec_run(struct playbook *pb, struct inventory *inv, const struct exec_opts *opts,
             struct out *out, struct err *err);

/* exec-check.c: everything wrong with the playbook, before any task runs. */
int exec_check(struct playbook *pb, struct err *err);

/* exec-task.c: runs 'task' on 'h' and fills 'res' (data is the dict register stores).
 * Reports item lines itself through run->out. */
void exec_task_on_host(struct exec_run *run, struct pb_task *task, struct exec_host *h,
                       struct result *res);
/* Builds the scope a task sees on a host (takes nothing; release with vars_scope_release). */
void exec_scope(struct exec_run *run, struct pb_task *task, struct exec_host *h,
                struct vars_scope *scope);
/* The display name: "role : name", or the action when unnamed. Returns a new string. */
char *exec_task_name(const struct pb_task *task);
/* True when the task's tags select it (--tags/--skip-tags). */
bool exec_tags_match(const struct pb_task *task, const struct svec *only, const struct svec *skip);

/* exec-action.c: actions run on the controller with the runner's state. */
bool exec_is_special(const char *action);
/* Runs debug/set_fact/assert/fail/include_vars/pause with templated args. */
void exec_special(struct exec_run *run, struct pb_task *task, struct exec_host *h,
                  struct vars_scope *scope, struct val *args, struct result *res);

#endif
