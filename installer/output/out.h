/*
 * out.h - what the runner reports while a playbook runs, and the sinks that show it: the
 * default callback look-alike (out-default.c) and --json-events (out-json.c).
 * Called only from the main thread, in the order things happen.
 */
#ifndef OUT_H
#define OUT_H

#include "modules/module.h"

struct val;

/* The result key holding a changed result's --diff text (unified diff hunks as Ansible's
 * _get_diff prints them, without the trailing blank line); internal, never registered. */
#define OUT_DIFF_KEY "_ansible_diff_text"

/* One host's outcome for a task (or for one loop item of it). */
struct out_event {
    const char *host;
    const char *task;          /* task display name */
    enum result_status status;
    bool ignored;              /* failed with ignore_errors: "...ignoring" */
    const char *item_label;    /* non-NULL for a loop item line */
    bool loop_summary;         /* the per-host line after a loop's items */
    bool verbose;              /* print the result as JSON (debug, -v) */
    bool indent;               /* ... indented (debug's _ansible_verbose_always, -vvv) */
    bool is_debug;             /* debug: only msg/var shown */
    struct val *data;          /* borrowed: the result dict */
};

struct out_stats {
    const char *host;
    int ok, changed, unreachable, failed, skipped, rescued, ignored;
};

struct out_ops {
    void (*play_start)(void *ctx, const char *name, bool check);
    /* prefix: "TASK" or "RUNNING HANDLER"; name NULL: a bare banner ("NO MORE HOSTS LEFT") */
    void (*task_start)(void *ctx, const char *prefix, const char *name, bool check);
    void (*host_result)(void *ctx, const struct out_event *ev);
    /* A plain message line ("skipping: no hosts matched", "included: ...") */
    void (*message)(void *ctx, const char *text);
    void (*recap)(void *ctx, const struct out_stats *stats, size_t n);
    void (*close)(void *ctx);
};

/* A fan-out to several sinks. */
struct out {
    const struct out_ops *ops[2];
    void *ctx[2];
    size_t n;
};

void out_add(struct out *o, const struct out_ops *ops, void *ctx);
void out_play_start(struct out *o, const char *name, bool check);
void out_task_start(struct out *o, const char *prefix, const char *name, bool check);
void out_host_result(struct out *o, const struct out_event *ev);
void out_message(struct out *o, const char *text);
void out_recap(struct out *o, const struct out_stats *stats, size_t n);
void out_close(struct out *o);

/* out-default.c: writes to 'f' (borrowed); the context is 'f' itself. */
extern const struct out_ops out_default_ops;
/* out-json.c: one JSON object per line to the FILE* given as context (owned: closed by close). */
extern const struct out_ops out_json_ops;

/* Ansible's _dump_results: the result without internal keys, as sorted JSON. */
void out_dump_result(const struct val *data, bool is_debug, bool indent, struct buf *out);

#endif
