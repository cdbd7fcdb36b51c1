/*
 * play-list.c - `pot play --list-hosts/--list-tasks/--list-tags`, printed byte for byte like
 * ansible-playbook 2.14's PlaybookCLI.run(): per playbook, each play with its tags, its hosts
 * (after --limit), the tasks --tags/--skip-tags select with their sorted tags, and the union of
 * the listed tasks' tags.
 */
#include "pot.h"
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "cli/play-list.h"
#include "exec/exec.h"
#include "inventory/inv.h"
#include "playbook/pb.h"
#include "template/tpl.h"
#include "value/val.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Python's ', '.join(sorted(set(tags))) (or ',' joined) appended to 'out'. */
static void add_sorted(struct buf *out, struct svec *tags, const char *sep)
{
    if (tags->len == 0) {
        return;
    }
    qsort(tags->items, tags->len, sizeof(*tags->items), cmp_str);
    for (size_t i = 0; i < tags->len; i++) {
        if (i > 0 && strcmp(tags->items[i], tags->items[i - 1]) == 0) {
            continue;
        }
        buf_addf(out, "%s%s", i > 0 ? sep : "", tags->items[i]);
    }
}

/* A task's tags: its own and those of the blocks, imports and roles around it (the play's are
 * added by the caller). */
static void task_tags(const struct pb_task *task, struct svec *out)
{
    for (const struct pb_task *t = task; t; t = t->parent) {
        exec_collect_tags(pb_kw_own(t, "tags"), out);
    }
}

struct lister {
    const struct play_list_opts *o;
    struct svec play_tags;  /* the play's own tags */
    struct svec all_tags;   /* tags of the listed tasks */
    struct buf tasks;       /* the task lines */
};

/* An include loaded early (a block standing for include_tasks/include_role) lists as itself. */
static bool is_include_block(const struct pb_task *t)
{
    return t->kind == PB_BLOCK && val_dict_get(t->kw, "_dynamic");
}

static void list_task(struct lister *l, struct pb_task *t)
{
    struct svec tags = SVEC_INIT;

    task_tags(t, &tags);
    for (size_t i = 0; i < tags.len; i++) {
        svec_push(&l->all_tags, tags.items[i]);
    }
    if (l->o->list_tasks) {
        for (size_t i = 0; i < l->play_tags.len; i++) {
            svec_push(&tags, l->play_tags.items[i]);
        }
        if (t->name) {
            char *name = exec_task_name(t);

            buf_addf(&l->tasks, "      %s", name);
            free(name);
        } else {
            /* an include_role loaded early is a block that kept no action */
            buf_addf(&l->tasks, "      %s", t->action ? t->action : "include_role");
        }
        buf_adds(&l->tasks, "\tTAGS: [");
        add_sorted(&l->tasks, &tags, ", ");
        buf_adds(&l->tasks, "]\n");
    }
    svec_release(&tags);
}

/* Like Ansible's _process_block: only a block's 'block' list, never rescue/always. */
static void list_block(struct lister *l, struct vec *list)
{
    for (size_t i = 0; i < list->len; i++) {
        struct pb_task *t = list->items[i];

        if (t->kind == PB_BLOCK && !is_include_block(t)) {
            list_block(l, &t->block);
        } else if (!val_dict_get(t->kw, "_implicit") &&
                   exec_tags_match(t, l->o->tags, l->o->skip_tags)) {
            list_task(l, t);
        }
    }
}

static void merge_into(struct val *dst, const struct val *src)
{
    for (size_t i = 0; src && src->type == VAL_DICT && i < val_dict_len(src); i++) {
        val_dict_set(dst, val_dict_key_at(src, i), val_dict_value_at(src, i));
    }
}

/* A play's text (its name, its host pattern) as post_validate leaves it: templated with the
 * play's variables (its roles' defaults and vars, vars:, -e), the raw text when that fails.
 * Returns a new string. */
static char *play_templated(const struct play_list_opts *o, const struct pb_play *play,
                            const char *text)
{
    struct val *vars = NULL;
    struct tpl_dict_scope scope;
    char *name = NULL;

    if (!tpl_is_template(text)) {
        return xstrdup(text);
    }
    vars = val_dict();
    for (size_t i = 0; i < play->roles.len; i++) {
        merge_into(vars, ((struct pb_role *)play->roles.items[i])->defaults);
    }
    merge_into(vars, play->vars);
    for (size_t i = 0; i < play->roles.len; i++) {
        merge_into(vars, ((struct pb_role *)play->roles.items[i])->vars);
    }
    merge_into(vars, o->extra_vars);
    tpl_dict_scope_init(&scope, vars, play->dir);
    name = exec_title(text, &scope.scope);
    tpl_dict_scope_release(&scope);
    val_unref(vars);
    return name;
}

/* "['web']" for hosts: web, "['a', 'b']" for a list: the pattern as Python prints the list. */
static void add_pattern(struct buf *out, const struct play_list_opts *o,
                        const struct pb_play *play, bool repr)
{
    struct val *hosts = val_dict_get(play->kw, "hosts");
    size_t n = hosts && hosts->type == VAL_LIST ? val_list_len(hosts) : 1;

    buf_adds(out, repr ? "[" : "");
    for (size_t i = 0; i < n; i++) {
        struct val *h = hosts && hosts->type == VAL_LIST ? val_list_get(hosts, i) : NULL;
        struct buf one = BUF_INIT;
        char *shown;

        if (h) {
            val_to_pystr(h, &one);
        } else {
            buf_adds(&one, play->hosts);
        }
        shown = play_templated(o, play, one.ptr);
        buf_addf(out, repr ? "%s'%s'" : "%s%s", i == 0 ? "" : repr ? ", " : ",", shown);
        free(shown);
        buf_release(&one);
    }
    buf_adds(out, repr ? "]" : "");
}

static int list_hosts(const struct play_list_opts *o, const struct pb_play *play,
                      struct buf *out, struct err *err)
{
    struct vec hosts = VEC_INIT;
    char *pattern = play_templated(o, play, play->hosts);
    int rc = inv_match(o->inv, pattern, o->limit, &hosts, NULL, err);

    free(pattern);
    if (rc < 0) {
        return -1;
    }
    buf_adds(out, "\n    pattern: ");
    add_pattern(out, o, play, true);
    buf_addf(out, "\n    hosts (%zu):", hosts.len);
    for (size_t h = 0; h < hosts.len; h++) {
        buf_addf(out, "\n      %s", ((struct inv_host *)hosts.items[h])->name);
    }
    vec_release(&hosts);
    return 0;
}

/* The task part of a play: "    tasks:" and the task lines, then "      TASK TAGS: [...]". */
static void list_play_tasks(struct lister *l, struct pb_play *play, struct buf *out)
{
    list_block(l, &play->tasks);
    if (l->o->list_tasks) {
        buf_adds(out, "    tasks:\n");
        buf_add(out, l->tasks.ptr, l->tasks.len);
    }
    if (l->o->list_tags) {
        for (size_t i = 0; i < l->play_tags.len; i++) {
            svec_push(&l->all_tags, l->play_tags.items[i]);
        }
        buf_adds(out, "      TASK TAGS: [");
        add_sorted(out, &l->all_tags, ", ");
        buf_adds(out, "]\n");
    }
    /* display() prints the message with one trailing newline */
    if (out->len > 0 && out->ptr[out->len - 1] == '\n') {
        out->ptr[--out->len] = '\0';
    }
}


static int list_play(const struct play_list_opts *o, size_t idx, struct pb_play *play,
                     struct buf *out, struct err *err)
{
    struct lister l = { .o = o, .play_tags = SVEC_INIT, .all_tags = SVEC_INIT, .tasks = BUF_INIT };
    struct buf part = BUF_INIT;
    char *name = NULL;
    int ret = -1;

    exec_collect_tags(val_dict_get(play->kw, "tags"), &l.play_tags);
    buf_addf(out, "\n  play #%zu (", idx + 1);
    add_pattern(out, o, play, false);
    name = play_templated(o, play, play->name);
    buf_addf(out, "): %s\tTAGS: [", name);
    free(name);
    for (size_t i = 0; i < l.play_tags.len; i++) {
        buf_addf(out, "%s%s", i > 0 ? "," : "", l.play_tags.items[i]);
    }
    buf_adds(out, "]");
    if (o->list_hosts && list_hosts(o, play, out, err) < 0) {
        goto out;
    }
    buf_addc(out, '\n');
    if (o->list_tasks || o->list_tags) {
        list_play_tasks(&l, play, &part);
        buf_addf(out, "%s\n", part.ptr);
    }
    ret = 0;
out:
    buf_release(&part);
    buf_release(&l.tasks);
    svec_release(&l.play_tags);
    svec_release(&l.all_tags);
    return ret;
}

int play_list(const struct play_list_opts *o, const struct playbook *pb, struct buf *out,
              struct err *err)
{
    buf_addf(out, "\nplaybook: %s\n", pb->path);
    for (size_t i = 0; i < pb->plays.len; i++) {
        if (list_play(o, i, pb->plays.items[i], out, err) < 0) {
            return -1;
        }
    }
    return 0;
}
