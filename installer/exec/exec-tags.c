/*
 * exec-tags.c - which tasks --tags/--skip-tags select, exactly like Ansible's evaluate_tags():
 * a task's tags are its own plus those of every enclosing block, import, role and the play,
 * but not those of a dynamic include_tasks/include_role (they select the include itself; only
 * its 'apply: {tags: ...}' reaches the included tasks);
 * 'always' runs unless skipped by name, 'never' runs only when asked for by name, 'tagged',
 * 'untagged' and 'all' are the special selectors.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "exec/exec.h"
#include "playbook/pb.h"
#include "value/val.h"

static bool tags_intersect(const struct svec *a, const struct svec *b)
{
    for (size_t i = 0; i < a->len; i++) {
        if (svec_contains(b, a->items[i])) {
            return true;
        }
    }
    return false;
}

void exec_collect_tags(const struct val *v, struct svec *out)
{
    if (!v) {
        return;
    }
    if (v->type == VAL_LIST) {
        for (size_t i = 0; i < val_list_len(v); i++) {
            exec_collect_tags(val_list_get(v, i), out);
        }
    } else if (val_cstr(v)) {
        svec_split(out, val_cstr(v), ',');
    } else {
        struct buf b = BUF_INIT;

        val_to_pystr(v, &b);
        svec_push(out, b.ptr);
        buf_release(&b);
    }
}

static bool tags_select(const struct svec *tags, bool untagged, const struct svec *only,
                        const struct svec *skip)
{
    bool run = true;

    if (only->len > 0) {
        run = svec_contains(tags, "always") ||
              (svec_contains(only, "all") && !svec_contains(tags, "never")) ||
              tags_intersect(tags, only) ||
              (svec_contains(only, "tagged") && !untagged && !svec_contains(tags, "never"));
    } else {
        run = !svec_contains(tags, "never");
    }
    if (run && skip->len > 0) {
        if (svec_contains(skip, "all")) {
            run = svec_contains(tags, "always") && !svec_contains(skip, "always");
        } else if (tags_intersect(tags, skip) || (svec_contains(skip, "tagged") && !untagged)) {
            run = false;
        }
    }
    return run;
}

bool exec_tags_match(const struct pb_task *task, const struct svec *only, const struct svec *skip)
{
    struct svec tags = SVEC_INIT;
    bool untagged;
    bool run;

    for (const struct pb_task *t = task; t; t = t->parent) {
        if (t == task || !pb_kw_own(t, "_dynamic")) {
            exec_collect_tags(pb_kw_own(t, "tags"), &tags);
        }
    }
    exec_collect_tags(val_dict_get(task->play->kw, "tags"), &tags);
    untagged = tags.len == 0;
    if (untagged) {
        svec_push(&tags, "untagged");
    }
    run = tags_select(&tags, untagged, only, skip);
    svec_release(&tags);
    return run;
}
