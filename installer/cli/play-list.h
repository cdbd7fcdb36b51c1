/*
 * play-list.h - the listings of `pot play` (--list-hosts, --list-tasks, --list-tags), shaped
 * exactly like ansible-playbook's.
 */
#ifndef PLAY_LIST_H
#define PLAY_LIST_H

#include "base/vec.h"

struct buf;
struct err;
struct inventory;
struct playbook;
struct val;

struct play_list_opts {
    bool list_hosts, list_tasks, list_tags;
    const struct inventory *inv;  /* borrowed */
    const char *limit;            /* borrowed, or NULL */
    const struct svec *tags;      /* borrowed: --tags, split on ',' */
    const struct svec *skip_tags; /* borrowed: --skip-tags, split on ',' */
    const struct val *extra_vars; /* borrowed dict: -e */
};

/* Appends the listing of the plays of 'pb' (one playbook file) to 'out'. Returns 0, or -1 with
 * err when a play's hosts pattern is invalid. */
int play_list(const struct play_list_opts *o, const struct playbook *pb, struct buf *out,
              struct err *err);

#endif
