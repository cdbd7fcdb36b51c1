/*
 * out-default.c - Ansible's default stdout callback, byte for byte without colours: banners
 * padded with '*' to 80 columns, "ok: [host]", "fatal: [host]: FAILED! => {...}", item lines,
 * "...ignoring", --diff text before a changed host line, and the PLAY RECAP table. Each event's
 * lines are flushed as soon as they are written, so a pipe or a file gets them when a terminal
 * would. Also the small fan-out (struct out) all sinks share.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "output/out.h"
#include "value/val.h"
#include "value/val-json.h"

#define COLUMNS 79

void out_add(struct out *o, const struct out_ops *ops, void *ctx)
{
    if (o->n < ARRAY_SIZE(o->ops)) {
        o->ops[o->n] = ops;
        o->ctx[o->n] = ctx;
        o->n++;
    }
}

void out_play_start(struct out *o, const char *name, bool check)
{
    for (size_t i = 0; i < o->n; i++) {
        o->ops[i]->play_start(o->ctx[i], name, check);
    }
}

void out_task_start(struct out *o, const char *prefix, const char *name, bool check)
{
    for (size_t i = 0; i < o->n; i++) {
        o->ops[i]->task_start(o->ctx[i], prefix, name, check);
    }
}

void out_host_result(struct out *o, const struct out_event *ev)
{
    for (size_t i = 0; i < o->n; i++) {
        o->ops[i]->host_result(o->ctx[i], ev);
    }
}

void out_message(struct out *o, const char *text)
{
    for (size_t i = 0; i < o->n; i++) {
        o->ops[i]->message(o->ctx[i], text);
    }
}

void out_recap(struct out *o, const struct out_stats *stats, size_t n)
{
    for (size_t i = 0; i < o->n; i++) {
        o->ops[i]->recap(o->ctx[i], stats, n);
    }
}

void out_close(struct out *o)
{
    for (size_t i = 0; i < o->n; i++) {
        o->ops[i]->close(o->ctx[i]);
    }
    o->n = 0;
}

static void banner(FILE *f, const char *msg)
{
    size_t len = strlen(msg);
    size_t stars = len + 3 < COLUMNS ? COLUMNS - len : 3;

    fprintf(f, "\n%s ", msg);
    for (size_t i = 0; i < stars; i++) {
        fputc('*', f);
    }
    fputc('\n', f);
}

static bool debug_key_allowed(const char *key)
{
    return strcmp(key, "msg") == 0 || strcmp(key, "exception") == 0 ||
           strcmp(key, "warnings") == 0 || strcmp(key, "deprecations") == 0;
}

static bool hidden_key(const char *key, bool is_debug, bool has_msg)
{
    if (strncmp(key, "_ansible", 8) == 0 || strcmp(key, "invocation") == 0 ||
        strcmp(key, "diff") == 0 || strcmp(key, "exception") == 0 || key[0] == '_') {
        return true;
    }
    if (is_debug && has_msg) {
        return !debug_key_allowed(key);
    }
    if (is_debug) {
        return strcmp(key, "changed") == 0 || strcmp(key, "failed") == 0 ||
               strcmp(key, "skipped") == 0 || strcmp(key, "skip_reason") == 0;
    }
    return strcmp(key, "failed") == 0 || strcmp(key, "skipped") == 0; /* TaskResult._IGNORE */
}

void out_dump_result(const struct val *data, bool is_debug, bool indent, struct buf *out)
{
    struct val *shown = val_dict();
    bool has_msg = val_dict_has(data, "msg");

    for (size_t i = 0; i < val_dict_len(data); i++) {
        const char *key = val_dict_key_at(data, i);

        if (!hidden_key(key, is_debug, has_msg)) {
            val_dict_set(shown, key, val_dict_value_at(data, i));
        }
    }
    val_to_json(shown, out, indent ? 4 : -1, VAL_JSON_SORT_KEYS);
    val_unref(shown);
}

/* No " [CHECK MODE]" suffix on banners: the callback's check_mode_markers is off by default. */
static void default_play_start(void *ctx, const char *name, bool check)
{
    struct buf b = BUF_INIT;

    (void)check;
    buf_addf(&b, "PLAY [%s]", name);
    banner(ctx, b.ptr);
    fflush(ctx);
    buf_release(&b);
}

static void default_task_start(void *ctx, const char *prefix, const char *name, bool check)
{
    struct buf b = BUF_INIT;

    (void)check;
    if (name) {
        buf_addf(&b, "%s [%s]", prefix, name);
    } else {
        buf_adds(&b, prefix); /* a bare banner: NO MORE HOSTS LEFT */
    }
    banner(ctx, b.ptr);
    fflush(ctx);
    buf_release(&b);
}

static const char *status_word(const struct out_event *ev)
{
    switch (ev->status) {
    case RESULT_CHANGED:
        return "changed";
    case RESULT_SKIPPED:
        return "skipping";
    case RESULT_FAILED:
        return ev->item_label ? "failed" : "fatal";
    case RESULT_UNREACHABLE:
        return "fatal";
    default:
        return "ok";
    }
}

/* v2_on_file_diff, sent before the host line of a changed result (for a loop, before each
 * item's line; the loop's own result has no diff): the diff, then the blank line _get_diff
 * adds. */
static void print_diff(FILE *f, const struct out_event *ev)
{
    struct val *changed = val_dict_get(ev->data, "changed");
    const char *text = val_dict_get_str(ev->data, OUT_DIFF_KEY);

    if (ev->status == RESULT_FAILED || ev->status == RESULT_SKIPPED ||
        ev->status == RESULT_UNREACHABLE || ev->loop_summary) {
        return;
    }
    if (text && text[0] && changed && val_truthy(changed)) {
        fprintf(f, "%s\n", text);
    }
}

/* A failed result's 'exception' (a module's traceback text) as v2_runner_on_failed shows it below
 * -vvv: its last line, before the result. */
static void print_exception(FILE *f, const struct out_event *ev)
{
    const char *text = ev->data ? val_dict_get_str(ev->data, "exception") : NULL;
    const char *end, *last;

    if (!text || ev->status != RESULT_FAILED || ev->item_label || ev->loop_summary) {
        return;
    }
    end = text + strlen(text);
    while (end > text && strchr(" \t\r\n", end[-1])) {
        end--;
    }
    last = end;
    while (last > text && last[-1] != '\n') {
        last--;
    }
    fprintf(f,
            "An exception occurred during task execution. To see the full traceback, use -vvv. "
            "The error was: %.*s\n",
            (int)(end - last), last);
}

static void print_host_result(FILE *f, const struct out_event *ev)
{
    struct buf b = BUF_INIT;
    bool failed = ev->status == RESULT_FAILED || ev->status == RESULT_UNREACHABLE;
    struct val *dv = ev->data ? val_dict_get(ev->data, "_ansible_delegated_vars") : NULL;
    const char *delegated = dv ? val_dict_get_str(dv, "ansible_host") : NULL;

    if (ev->data) {
        print_diff(f, ev);
    }
    if (ev->loop_summary && ev->status != RESULT_SKIPPED) {
        if (ev->ignored) {
            fputs("...ignoring\n", f); /* the items were shown; v2_runner_on_failed adds this */
        }
        return;
    }
    print_exception(f, ev);
    buf_addf(&b, "%s: [%s", status_word(ev), ev->host);
    if (ev->status != RESULT_SKIPPED && delegated) {
        buf_addf(&b, " -> %s", delegated);
    }
    buf_addc(&b, ']');
    if (ev->item_label && ev->status == RESULT_FAILED) {
        buf_addf(&b, " (item=%s)", ev->item_label); /* v2_runner_item_on_failed */
    } else if (ev->item_label) {
        buf_addf(&b, " => (item=%s)", ev->item_label);
        if (ev->status == RESULT_SKIPPED) {
            buf_addc(&b, ' ');
        }
    } else if (ev->status == RESULT_FAILED) {
        buf_adds(&b, ": FAILED!");
    } else if (ev->status == RESULT_UNREACHABLE) {
        buf_adds(&b, ": UNREACHABLE!");
    }
    if (failed || ev->verbose) {
        struct val *shown = ev->loop_summary ? val_copy(ev->data) : val_ref(ev->data);

        if (ev->loop_summary) {
            val_dict_del(shown, "results"); /* the items were shown (_process_items) */
        }
        buf_adds(&b, " => ");
        out_dump_result(shown, ev->is_debug, ev->indent, &b);
        val_unref(shown);
    }
    fprintf(f, "%s\n", b.ptr);
    if (ev->ignored) {
        fputs("...ignoring\n", f);
    }
    buf_release(&b);
}

static void default_host_result(void *ctx, const struct out_event *ev)
{
    print_host_result(ctx, ev);
    fflush(ctx);
}

static void default_message(void *ctx, const char *text)
{
    fprintf(ctx, "%s\n", text);
    fflush(ctx);
}

static void default_recap(void *ctx, const struct out_stats *stats, size_t n)
{
    FILE *f = ctx;

    banner(f, "PLAY RECAP");
    for (size_t i = 0; i < n; i++) {
        const struct out_stats *s = &stats[i];
        char nums[7][24];
        const int vals[7] = { s->ok, s->changed, s->unreachable, s->failed, s->skipped,
                              s->rescued, s->ignored };

        for (size_t k = 0; k < 7; k++) {
            snprintf(nums[k], sizeof(nums[k]), "%d", vals[k]);
        }
        fprintf(f,
                "%-26s : ok=%-4s changed=%-4s unreachable=%-4s failed=%-4s skipped=%-4s "
                "rescued=%-4s ignored=%-4s\n",
                s->host, nums[0], nums[1], nums[2], nums[3], nums[4], nums[5], nums[6]);
    }
    fputc('\n', f);
    fflush(f);
}

static void default_close(void *ctx)
{
    fflush(ctx);
}

const struct out_ops out_default_ops = {
    .play_start = default_play_start,
    .task_start = default_task_start,
    .host_result = default_host_result,
    .message = default_message,
    .recap = default_recap,
    .close = default_close,
};
