/*
 * pb-keyword.c - the table of playbook keywords: where each may stand (play, block, task, role
 * entry, handler) and whether a task inherits it from what encloses it. A key that is no keyword
 * of a task is taken as its module.
 */
#include "pot.h"
#include <string.h>
#include "base/strutil.h"
#include "playbook/pb.h"
#include "template/tpl.h"

#define P PB_AT_PLAY
#define B PB_AT_BLOCK
#define T (PB_AT_TASK | PB_AT_HANDLER)
#define R PB_AT_ROLE
#define H PB_AT_HANDLER
#define ALL (P | B | T | R)

/* Sorted by name. */
static const struct pb_keyword keywords[] = {
    { "action", T, false },
    { "always", B, false },
    { "any_errors_fatal", ALL, true },
    { "args", T, false },
    { "async", T, false },
    { "become", ALL, true },
    { "become_exe", ALL, true },
    { "become_flags", ALL, true },
    { "become_method", ALL, true },
    { "become_user", ALL, true },
    { "block", B, false },
    { "changed_when", T, false },
    { "check_mode", ALL, true },
    { "collections", ALL, false },
    { "connection", ALL, true },
    { "debugger", ALL, true },
    { "delay", T, false },
    { "delegate_facts", B | T | R, true },
    { "delegate_to", B | T | R, true },
    { "diff", ALL, true },
    { "environment", ALL, true },
    { "fact_path", P, false },
    { "failed_when", T, false },
    { "force_handlers", P, false },
    { "gather_facts", P, false },
    { "gather_subset", P, false },
    { "gather_timeout", P, false },
    { "handlers", P, false },
    { "hosts", P, false },
    { "ignore_errors", ALL, true },
    { "ignore_unreachable", ALL, true },
    { "listen", H, false },
    { "local_action", T, false },
    { "loop", T, false },
    { "loop_control", T, false },
    { "max_fail_percentage", P, false },
    { "module_defaults", ALL, true },
    { "name", ALL, false },
    { "no_log", ALL, true },
    { "notify", B | T | R, true },
    { "order", P, false },
    { "poll", T, false },
    { "port", ALL, true },
    { "post_tasks", P, false },
    { "pre_tasks", P, false },
    { "register", T, false },
    { "remote_user", ALL, true },
    { "rescue", B, false },
    { "retries", T, false },
    { "roles", P, false },
    { "run_once", B | T | R, true },
    { "serial", P, false },
    { "strategy", P, false },
    { "tags", ALL, false },
    { "tasks", P, false },
    { "throttle", B | T | R, true },
    { "timeout", ALL, true },
    { "until", T, false },
    { "vars", ALL, false },
    { "vars_files", P, false },
    { "vars_prompt", P, false },
    { "when", B | T | R, false },
};

static int compare_keyword(const void *key, const void *entry)
{
    return strcmp(key, ((const struct pb_keyword *)entry)->name);
}

const struct pb_keyword *pb_keyword_find(const char *name)
{
    return bsearch(name, keywords, ARRAY_SIZE(keywords), sizeof(keywords[0]), compare_keyword);
}

bool pb_keyword_valid(const char *name, unsigned where)
{
    const struct pb_keyword *kw = pb_keyword_find(name);

    if (kw) {
        return (kw->where & where) != 0;
    }
    /* with_<lookup>: a keyword when ansible-core has the lookup (pot may not: exec-check.c) */
    return (where & PB_AT_TASK) && str_starts_with(name, "with_") &&
           tpl_lookup_ansible(name + 5);
}
