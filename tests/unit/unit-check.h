/*
 * unit-check.h - what the host-check unit tests share: a probe's or a report's JSON parsed into a
 * value, and one outcome of a check list found by its ID.
 */
#ifndef UNIT_CHECK_H
#define UNIT_CHECK_H

#include "unit.h"
#include "base/err.h"
#include "check/check.h"
#include "value/val-json.h"
#include "value/val.h"

/* 'text' parsed as JSON; the test fails when it is not JSON. */
static inline struct val *check_test_json(const char *text)
{
    struct err err = ERR_INIT;
    struct val *v = val_from_json(text, strlen(text), "test", &err);

    assert_non_null(v);
    return v;
}

/* The outcome with 'id' in 'l'; the test fails when there is none. */
static inline const struct check_outcome *check_test_find(const struct check_list *l,
                                                          const char *id)
{
    for (size_t i = 0; i < l->len; i++) {
        if (strcmp(l->items[i].id, id) == 0) {
            return &l->items[i];
        }
    }
    fail_msg("no outcome '%s'", id);
    return NULL;
}

#endif
