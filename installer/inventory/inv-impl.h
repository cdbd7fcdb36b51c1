/*
 * inv-impl.h - what the files of inventory/ share and nobody else uses: the layout of struct
 * inventory, host-pattern expansion and INI value evaluation.
 */
#ifndef INV_IMPL_H
#define INV_IMPL_H

#include "base/vec.h"

struct val;
struct err;
struct srcpos;

struct inventory {
    struct vec hosts;       /* owned struct inv_host *, first-seen order */
    struct vec groups;      /* owned struct inv_group *, creation order; [0] all, [1] ungrouped */
    struct val *host_index; /* owned dict: host name -> index in 'hosts' */
    struct val *group_index;
    struct svec var_dirs;   /* directories holding group_vars/ and host_vars/, source order */
    struct val *file_vars;  /* owned list, one dict per var_dirs entry:
                             * {"group_vars": {group: vars}, "host_vars": {host: vars}} */
    struct val *play_vars;  /* owned dict of that shape for the playbook's directory, or NULL */
    const char *current;    /* borrowed interned path of the source being loaded */
};

/* inv.c: the reconcile step of inv_finish (all/ungrouped, depths). */
int inv_reconcile(struct inventory *inv, struct err *err);
/* inv-vars.c: reads group_vars/ and host_vars/ in every var_dirs entry into file_vars. */
int inv_read_var_files(struct inventory *inv, struct err *err);

/* Ansible's parse_address(allow_ranges=True) + expand_hostname_range: "db[01:03]:2222" ->
 * db01, db02, db03 and *port 2222 (0 when none). Returns -1 with an ERR_PARSE error at 'pos'
 * on a bad range. */
int inv_expand_host_pattern(const char *pattern, struct svec *names, int *port,
                            const struct srcpos *pos, struct err *err);
/* True for an IPv4 or IPv6 address (inventory_hostname_short keeps those whole). */
bool inv_is_ip_address(const char *name);
/* True when parse_address(allow_ranges=True) accepts 'address' (host patterns use it). */
bool inv_valid_address(const char *address);
/* parse_address(allow_ranges=False) for a comma host list: the host and *port, or -1. */
int inv_parse_address(const char *address, char **host, int *port);
/* The INI plugin's _parse_value (inv-ini.c): Python's ast.literal_eval of 'text'
 * (python/py-literal.h), or the text itself when that fails. Returns a new reference. */
struct val *inv_literal_eval(const char *text);

#endif
