/*
 * check-report.c - how a check's outcome is shown and kept (check.h): one text line ("node1 |
 * FAIL disk.randwrite_iops 120 IOPS (pass: >= 300 IOPS) -> hint"), one JSON object of the
 * documented report schema (README, "Host check reports"), and a report directory holding the
 * last host, disk and network reports as JSON with the HTML page made from them (check-html.c).
 */
#include "pot.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "check/check.h"
#include "value/val-json.h"
#include "value/val.h"

static void add_number(struct val *dict, const char *key, double v)
{
    val_dict_set_take(dict, key, isnan(v) ? val_null() : val_double(v));
}

struct val *check_outcome_json(const struct check_outcome *o)
{
    struct val *d = val_dict();

    val_dict_set_take(d, "id", val_str(o->id));
    val_dict_set_take(d, "verdict", val_str(verdict_name(o->verdict)));
    add_number(d, "value", o->value);
    add_number(d, "threshold", o->threshold);
    val_dict_set_take(d, "unit", val_str(o->unit));
    val_dict_set_take(d, "pass_if",
                      isnan(o->threshold) ? val_null()
                                          : val_str(o->higher_is_better ? ">=" : "<="));
    val_dict_set_take(d, "hint", val_str(o->hint));
    val_dict_set_take(d, "detail", o->detail ? val_str(o->detail) : val_null());
    val_dict_set_take(d, "mandatory", val_bool(o->mandatory));
    return d;
}

void check_outcome_print(const char *subject, const struct check_outcome *o)
{
    struct buf line = BUF_INIT;
    char upper[8];

    snprintf(upper, sizeof(upper), "%s", verdict_name(o->verdict));
    for (char *c = upper; *c; c++) {
        *c = (char)(*c - 'a' + 'A');
    }
    if (o->verdict == VERDICT_FAIL && o->mandatory) {
        buf_addf(&line, "%s | %s (mandatory) %s", subject, upper, o->id);
    } else {
        buf_addf(&line, "%s | %s %-23s", subject, upper, o->id);
    }
    if (!isnan(o->value)) {
        buf_addf(&line, " %.*f%s%s", o->value >= 100 || o->value == floor(o->value) ? 0 : 2,
                 o->value, *o->unit ? " " : "", o->unit);
    }
    if (!isnan(o->threshold)) {
        buf_addf(&line, " (pass: %s %.10g%s%s)", o->higher_is_better ? ">=" : "<=", o->threshold,
                 *o->unit ? " " : "", o->unit);
    }
    if (o->detail) {
        buf_addf(&line, ": %s", o->detail);
    }
    if (o->verdict != VERDICT_PASS) {
        buf_addf(&line, " -> %s", o->hint);
    }
    log_redact(&line);
    printf("%s\n", line.ptr);
    buf_release(&line);
}

/* The report of 'kind' saved in 'dir' earlier; NULL when there is none or it cannot be read. */
static struct val *load_saved(const char *dir, const char *kind)
{
    char *name = xasprintf("check-%s.json", kind), *path = fs_join(dir, name);
    struct err ignored = ERR_INIT;
    struct val *v = fs_exists(path) ? val_from_json_file(path, &ignored) : NULL;

    if (v && v->type != VAL_DICT) {
        val_unref(v);
        v = NULL;
    }
    free(path);
    free(name);
    return v;
}

static int write_text(const char *dir, const char *name, struct buf *text, struct err *err)
{
    char *path = fs_join(dir, name);
    int ret;

    log_redact(text);
    ret = fs_write_atomic(path, text->ptr, text->len, 0644, err);
    free(path);
    return ret;
}

int check_report_save(const char *dir, const char *kind, const struct val *report, struct err *err)
{
    struct buf json = BUF_INIT, html = BUF_INIT;
    char *name = xasprintf("check-%s.json", kind), generated[32];
    struct val *host = strcmp(kind, "host") == 0 ? val_ref((struct val *)report)
                                                 : load_saved(dir, "host");
    struct val *disk = strcmp(kind, "disk") == 0 ? val_ref((struct val *)report)
                                                 : load_saved(dir, "disk");
    struct val *net = strcmp(kind, "net") == 0 ? val_ref((struct val *)report)
                                               : load_saved(dir, "net");
    struct check_reports all = { .host = host, .disk = disk, .net = net };
    time_t now = time(NULL);
    struct tm tm;
    int ret = -1;

    strftime(generated, sizeof(generated), "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&now, &tm));
    val_to_json(report, &json, 2, 0);
    buf_addc(&json, '\n');
    check_html_render(&all, generated, &html);
    if (fs_mkdir_p(dir, 0755, err) == 0 && write_text(dir, name, &json, err) == 0 &&
        write_text(dir, CHECK_REPORT_HTML, &html, err) == 0) {
        ret = 0;
    }
    if (ret < 0) {
        err_prefix(err, "saving the %s report in '%s': ", kind, dir);
    }
    val_unref(host);
    val_unref(disk);
    val_unref(net);
    free(name);
    buf_release(&json);
    buf_release(&html);
    return ret;
}
