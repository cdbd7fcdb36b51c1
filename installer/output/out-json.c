/*
 * out-json.c - --json-events FILE: one JSON object per line for each play, task and host
 * result, and the recap, for tools that follow a run.
 */
#include "pot.h"
#include "base/buf.h"
#include "output/out.h"
#include "value/val.h"
#include "value/val-json.h"

static void emit(FILE *f, struct val *event)
{
    struct buf b = BUF_INIT;

    val_to_json(event, &b, -1, 0);
    fprintf(f, "%s\n", b.ptr);
    fflush(f);
    buf_release(&b);
    val_unref(event);
}

static struct val *event_new(const char *kind)
{
    struct val *e = val_dict();

    val_dict_set_take(e, "event", val_str(kind));
    return e;
}

static void json_play_start(void *ctx, const char *name, bool check)
{
    struct val *e = event_new("play_start");

    val_dict_set_take(e, "name", val_str(name));
    val_dict_set_take(e, "check", val_bool(check));
    emit(ctx, e);
}

static void json_task_start(void *ctx, const char *prefix, const char *name, bool check)
{
    struct val *e = NULL;

    (void)check;
    if (!name) {
        return; /* a bare banner (NO MORE HOSTS LEFT) is no task */
    }
    e = event_new(prefix[0] == 'T' ? "task_start" : "handler_start");
    val_dict_set_take(e, "name", val_str(name));
    emit(ctx, e);
}

static const char *status_name(enum result_status s)
{
    static const char *const names[] = { "ok", "changed", "failed", "skipped", "unreachable" };

    return names[s];
}

static void json_host_result(void *ctx, const struct out_event *ev)
{
    struct val *e = event_new(ev->item_label ? "item_result" : "host_result");

    val_dict_set_take(e, "host", val_str(ev->host));
    val_dict_set_take(e, "status", val_str(status_name(ev->status)));
    val_dict_set_take(e, "ignored", val_bool(ev->ignored));
    if (ev->item_label) {
        val_dict_set_take(e, "item", val_str(ev->item_label));
    }
    val_dict_set(e, "result", ev->data);
    emit(ctx, e);
}

static void json_message(void *ctx, const char *text)
{
    struct val *e = event_new("message");

    val_dict_set_take(e, "text", val_str(text));
    emit(ctx, e);
}

static void json_recap(void *ctx, const struct out_stats *stats, size_t n)
{
    struct val *e = event_new("recap");
    struct val *hosts = val_dict();

    for (size_t i = 0; i < n; i++) {
        struct val *s = val_dict();

        val_dict_set_take(s, "ok", val_int(stats[i].ok));
        val_dict_set_take(s, "changed", val_int(stats[i].changed));
        val_dict_set_take(s, "unreachable", val_int(stats[i].unreachable));
        val_dict_set_take(s, "failed", val_int(stats[i].failed));
        val_dict_set_take(s, "skipped", val_int(stats[i].skipped));
        val_dict_set_take(s, "rescued", val_int(stats[i].rescued));
        val_dict_set_take(s, "ignored", val_int(stats[i].ignored));
        val_dict_set_take(hosts, stats[i].host, s);
    }
    val_dict_set_take(e, "hosts", hosts);
    emit(ctx, e);
}

static void json_close(void *ctx)
{
    fclose(ctx);
}

const struct out_ops out_json_ops = {
    .play_start = json_play_start,
    .task_start = json_task_start,
    .host_result = json_host_result,
    .message = json_message,
    .recap = json_recap,
    .close = json_close,
};
