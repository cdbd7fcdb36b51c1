/*
 * check-report.c - how a check's outcome is shown (check.h): one text line ("node1 | FAIL
 * disk.randwrite_iops 120 IOPS (pass: >= 300 IOPS) -> hint") and one JSON object of the
 * documented report schema (README, "Host checks").
 */
#include "pot.h"
#include <math.h>
#include <stdio.h>
#include "base/buf.h"
#include "base/log.h"
#include "check/check.h"
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
    buf_addf(&line, "%s | %s %-23s", subject, upper, o->id);
    if (!isnan(o->value)) {
        buf_addf(&line, " %.*f %s", o->value >= 100 ? 0 : 2, o->value, o->unit);
    }
    if (!isnan(o->threshold)) {
        buf_addf(&line, " (pass: %s %.10g %s)", o->higher_is_better ? ">=" : "<=", o->threshold,
                 o->unit);
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
