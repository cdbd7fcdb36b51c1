/*
 * exec.h - running a parsed playbook against an inventory, the way ansible-playbook does.
 *
 * exec_run(): validates the whole playbook first (exec-check.c: modules exist, arguments match
 * their spec, templates compile; nothing runs on any host when something is wrong), then runs
 * each play: hosts in serial batches, tasks through blocks/rescue/always (strategy linear, all
 * hosts together, or free, each host on its own), handlers at flush points, and reports
 * everything through struct out. Returns the exit code
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
struct become;

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
    bool implicit;              /* the implicit localhost: in no group, not in 'all' */
    int guarded;                /* blocks with rescue/always the host is inside of: a failure
                                 * there does not count for max_fail_percentage yet */
    struct svec notified;       /* handler names/listen topics notified, not yet run */
    struct val *failed_task;    /* owned dict or NULL: ansible_failed_task, for rescue */
    struct val *failed_result;  /* owned dict or NULL: ansible_failed_result */
};

struct exec_run {
    struct playbook *pb;        /* borrowed */
    struct inventory *inv;      /* borrowed */
    const struct exec_opts *opts;
    struct out *out;            /* borrowed */
    struct vec hosts;           /* owned struct exec_host *, inventory order */
    struct pb_play *play;       /* current play */
    struct vec play_hosts;      /* borrowed struct exec_host *: the play's hosts */
    struct vec play_all;        /* borrowed: every host the play matched, failed ones too */
    struct vec batch;           /* borrowed: the current serial batch */
    struct val *groups;         /* owned: the groups dict */
    struct vec implicit;        /* owned struct inv_host *: implicit localhosts */
    bool start_found;           /* --start-at-task reached */
    bool play_ended;
    bool fatal_hit;             /* any_errors_fatal failed the batch during this play */
    bool stopped;               /* max_fail_percentage or any_errors_fatal broke the playbook: no
                                 * later batch or play runs, exit code 2 */
    bool batch_lost;            /* every host of a batch failed or went unreachable: no later
                                 * batch or play runs (the exit code is the hosts') */
    struct err error;           /* a playbook error met while running (Ansible's ERROR!): the
                                 * run stops there, without a recap */
    struct exec_free *free;     /* owned by exec_free_run while a batch runs with strategy free,
                                 * else NULL */
    const struct pb_task *free_banner; /* strategy free: the task whose banner was printed
                                        * last (a result of the same task shares it) */
};

int exec_run(struct playbook *pb, struct inventory *inv, const struct exec_opts *opts,
             struct out *out, struct err *err);

/* exec-hosts.c. exec_hosts_add: every inventory host, with its inventory variables and the
 * group_vars/host_vars beside the playbook, and the groups dict. exec_hosts_implicit: when
 * 'pattern' names localhost (or 127.0.0.1, ::1) and the inventory lacks it, the implicit local
 * host (created on first use, ansible_connection=local): 1 with *out set, 0 when the pattern
 * names none, -1 with err. exec_hosts_release frees what exec_hosts_implicit made. */
int exec_hosts_add(struct exec_run *run, struct err *err);
int exec_hosts_implicit(struct exec_run *run, const char *pattern, struct exec_host **out,
                        struct err *err);
void exec_hosts_release(struct exec_run *run);

/* exec-check.c: everything wrong with the playbook, before any task runs. */
int exec_check(struct playbook *pb, struct err *err);

/* What a task prints while it runs on a worker (loop items, retries), replayed in host order
 * by the main thread (exec-pool.c). */
struct exec_notes {
    struct vec items; /* owned struct exec_note * */
};
/* Takes 'text'. */
void exec_note_message(struct exec_notes *n, char *text);
/* Copies the label and takes a reference to the data; host and task names are borrowed. */
void exec_note_event(struct exec_notes *n, const struct out_event *ev);
void exec_notes_replay(struct exec_notes *n, struct out *out);
void exec_notes_release(struct exec_notes *n);

/* One host's run of one task. */
struct exec_job {
    struct exec_host *h;        /* borrowed */
    struct result res;
    struct exec_notes notes;
};
/* Called on the main thread for each job, in host order, right after its notes are replayed. */
typedef void exec_report_fn(struct exec_run *run, struct pb_task *task, struct exec_job *job);
/* exec-pool.c: runs 'task' for every job on up to opts->forks threads. Workers only fill their
 * job; runner state (facts, registers, counters) is the caller's to update afterwards. */
void exec_pool_run(struct exec_run *run, struct pb_task *task, struct exec_job *jobs, size_t n,
                   exec_report_fn *report);

/* The result key exec_task_on_host sets when the task's ignore_errors held on the host. */
#define EXEC_IGNORE_KEY "_ansible_ignore_errors"

/* exec-pool.c, strategy free: exec_free_run() runs walk(run, host) for every host of 'hosts'
 * on a thread of its own and returns when all are done. A walker holds the runner lock (so it
 * may print and change runner state) except while its task runs on the host
 * (exec_free_task), and at most opts->forks tasks run at once; 'pinned' (host_pinned): at most
 * opts->forks hosts walk at once instead, each to its end. exec_lock/exec_unlock take and
 * release that lock (recursive; they do nothing outside exec_free_run): code that reads other
 * hosts' state from a task (exec_scope, hostvars) holds it meanwhile. */
typedef void exec_walk_fn(struct exec_run *run, struct exec_host *h);
void exec_free_run(struct exec_run *run, struct vec *hosts, exec_walk_fn *walk, bool pinned);
void exec_free_task(struct exec_run *run, struct pb_task *task, struct exec_job *job);
void exec_lock(struct exec_run *run);
void exec_unlock(struct exec_run *run);

/* exec-result.c, main thread only (or a free walker holding the runner lock). The host line
 * of a job (an exec_report_fn). */
void exec_result_report(struct exec_run *run, struct pb_task *t, struct exec_job *job);
/* Counters, variables, handlers and failure state from 'res' of 't' on 'h'. */
void exec_result_apply(struct exec_run *run, struct pb_task *t, struct exec_host *h,
                       struct result *res);
/* Only the variables 'res' leaves behind (register without _ansible_* keys, facts, to the
 * delegated host with delegate_facts): run_once gives them to every host. */
void exec_result_share(struct exec_run *run, struct pb_task *t, struct exec_host *h,
                       struct result *res);
/* True when a keyword (looked up through the parents) is set to a true value. */
bool exec_kw_true(const struct pb_task *t, const char *name);

/* exec-env.c: the task's environment as NAME=VALUE strings appended to 'out'. */
int exec_task_env(const struct pb_task *task, struct vars_scope *scope, struct svec *out,
                  struct err *err);
/* Fills 'b' from become/become_user/become_method and the become password (strings kept in
 * 'store'). Returns 1 when the task becomes, 0 when not, -1 with err. */
int exec_task_become(const struct pb_task *task, struct vars_scope *scope, struct become *b,
                     struct svec *store, struct err *err);

/* exec-task.c: runs 'task' on 'h' and fills 'res' (data is the dict register stores), noting
 * loop item lines and retries in 'notes'. Reads runner state, never changes it (except opening
 * h's connection), so hosts can run in parallel. */
void exec_task_on_host(struct exec_run *run, struct pb_task *task, struct exec_host *h,
                       struct result *res, struct exec_notes *notes);
/* Builds the scope a task sees on a host (takes nothing; release with vars_scope_release). */
void exec_scope(struct exec_run *run, struct pb_task *task, struct exec_host *h,
                struct vars_scope *scope);
/* True when the when: conditions of 'task' and its enclosing blocks hold on 'h'. */
bool exec_when(struct exec_run *run, struct pb_task *task, struct exec_host *h);
/* The display name: "role : name", or the action when unnamed. Returns a new string. */
char *exec_task_name(const struct pb_task *task);
/* Banner names, as the linear strategy and post_validate template them: 'text' templated in
 * 'scope' (the raw text when anything fails, undefined variables included), stripped.
 * exec_task_title: the TASK/RUNNING HANDLER name, exec_task_name() with the name templated in
 * the variables of 'h' (the first host to run it, as the linear strategy does; no loop item).
 * Each returns a new string.
 * exec_play_banner: the PLAY banner of the current play, its name templated in the play's
 * variables. */
char *exec_title(const char *text, const struct tpl_scope *scope);
char *exec_task_title(struct exec_run *run, struct pb_task *task, struct exec_host *h);
void exec_play_banner(struct exec_run *run);
/* A dynamic include_tasks/include_role on 'h': appends to the list 'out' one dict per loop item
 * (or one without a loop) whose when: holds: {file: templated name, label: item label, vars:
 * the loop variables}. Returns 0, or -1 with err (a template or loop that fails). */
int exec_include_entries(struct exec_run *run, struct pb_task *task, struct exec_host *h,
                         struct val *out, struct err *err);
/* Appends the tag names a 'tags:' value holds (a list, a comma-separated string, a number). */
void exec_collect_tags(const struct val *v, struct svec *out);
/* True when the task's tags select it (--tags/--skip-tags). */
bool exec_tags_match(const struct pb_task *task, const struct svec *only, const struct svec *skip);

/* exec-action.c: actions run on the controller with the runner's state. */
bool exec_is_special(const char *action);
/* Runs debug/set_fact/assert/fail/include_vars/pause with templated args. */
void exec_special(struct exec_run *run, struct pb_task *task, struct exec_host *h,
                  struct vars_scope *scope, struct val *args, struct result *res);

#endif
