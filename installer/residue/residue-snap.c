/*
 * residue-snap.c - struct residue_snapshot: the collector's KIND<TAB>KEY<TAB>VALUE lines kept
 * sorted and unique, ignored paths dropped, and the <host>.snap file written and read back.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "residue/residue.h"

#define HEADER_MAGIC "# pot-residue "

void residue_snapshot_init(struct residue_snapshot *s, const char *host, const char *time)
{
    memset(s, 0, sizeof(*s));
    s->host = xstrdup(host);
    s->time = xstrdup(time);
}

static void entry_release(struct residue_entry *e)
{
    free(e->kind);
    free(e->key);
    free(e->value);
}

void residue_snapshot_release(struct residue_snapshot *s)
{
    for (size_t i = 0; i < s->len; i++) {
        entry_release(&s->entries[i]);
    }
    free(s->entries);
    svec_release(&s->notes);
    free(s->host);
    free(s->time);
    memset(s, 0, sizeof(*s));
}

int residue_entry_cmp(const struct residue_entry *a, const struct residue_entry *b)
{
    int c = strcmp(a->kind, b->kind);

    return c ? c : strcmp(a->key, b->key);
}

static int entry_cmp(const void *a, const void *b)
{
    return residue_entry_cmp(a, b);
}

static int entry_value_cmp(const void *pa, const void *pb)
{
    const struct residue_entry *a = pa, *b = pb;
    int c = entry_cmp(a, b);

    return c ? c : strcmp(a->value, b->value);
}

/* Sorts the entries by kind, key and value; entries of one kind and key become one, their
 * distinct values joined with " + " (identical ones once). */
static void sort_unique(struct residue_snapshot *s)
{
    size_t out = 0;

    if (s->len < 2) {
        return; /* nothing to sort or merge (and no array at all when empty) */
    }
    qsort(s->entries, s->len, sizeof(*s->entries), entry_value_cmp);
    for (size_t i = 0; i < s->len; i++) {
        struct residue_entry *prev = out > 0 ? &s->entries[out - 1] : NULL;
        struct residue_entry *e = &s->entries[i];

        if (prev && entry_cmp(prev, e) == 0) {
            if (strcmp(prev->value, e->value) != 0) {
                char *joined = xasprintf("%s + %s", prev->value, e->value);

                free(prev->value);
                prev->value = joined;
            }
            entry_release(e);
            continue;
        }
        s->entries[out++] = *e;
    }
    s->len = out;
}

static void add_entry(struct residue_snapshot *s, const char *kind, const char *key,
                      const char *value)
{
    struct residue_entry *e;

    xgrow((void **)&s->entries, &s->cap, s->len + 1, sizeof(*s->entries));
    e = &s->entries[s->len++];
    e->kind = xstrdup(kind);
    e->key = xstrdup(key);
    e->value = xstrdup(value);
}

/* Splits "KIND<TAB>KEY<TAB>VALUE" in place; -1 when a tab is missing or kind or key is empty. */
static int split_line(char *line, char **kind, char **key, char **value)
{
    char *t1 = strchr(line, '\t');
    char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;

    if (!t2 || t1 == line || t2 == t1 + 1) {
        return -1;
    }
    *t1 = '\0';
    *t2 = '\0';
    *kind = line;
    *key = t1 + 1;
    *value = t2 + 1;
    return 0;
}

/* Adds the lines of 'text' (line 1 of it is line 'first_line' of 'what'); a malformed line is an
 * error of kind 'bad'. */
static int add_lines(struct residue_snapshot *s, const char *text, const char *what,
                     size_t first_line, enum err_kind bad, struct err *err)
{
    struct svec lines = SVEC_INIT;
    int ret = 0;

    svec_split_lines(&lines, text);
    for (size_t i = 0; i < lines.len && ret == 0; i++) {
        char *kind, *key, *value;

        if (lines.items[i][0] == '\0') {
            continue;
        }
        if (split_line(lines.items[i], &kind, &key, &value) < 0) {
            ret = err_set(err, bad, "%s:%zu: not a KIND<TAB>KEY<TAB>VALUE line", what,
                          first_line + i);
        } else if (strcmp(kind, "note") == 0) {
            /* a note goes in the tab-separated header: its own tabs become spaces */
            svec_push_take(&s->notes, xasprintf("%s: %s", key, value));
            for (char *p = s->notes.items[s->notes.len - 1]; *p; p++) {
                *p = *p == '\t' ? ' ' : *p;
            }
        } else {
            add_entry(s, kind, key, value);
        }
    }
    svec_release(&lines);
    return ret;
}

int residue_snapshot_add_lines(struct residue_snapshot *s, const char *text, const char *what,
                               struct err *err)
{
    int ret = add_lines(s, text, what, 1, ERR_REMOTE, err);

    sort_unique(s);
    return ret;
}

const struct residue_entry *residue_snapshot_find(const struct residue_snapshot *s,
                                                  const char *kind, const char *key)
{
    struct residue_entry probe = { (char *)kind, (char *)key, NULL };

    return bsearch(&probe, s->entries, s->len, sizeof(*s->entries), entry_cmp);
}

static bool under_any(const char *path, const struct svec *paths)
{
    for (size_t i = 0; i < paths->len; i++) {
        size_t n = strlen(paths->items[i]);

        if (strncmp(path, paths->items[i], n) == 0 && (path[n] == '\0' || path[n] == '/')) {
            return true;
        }
    }
    return false;
}

void residue_snapshot_ignore(struct residue_snapshot *s, const struct svec *paths)
{
    size_t out = 0;

    for (size_t i = 0; i < s->len; i++) {
        struct residue_entry *e = &s->entries[i];

        if (strcmp(e->kind, "file") == 0 && under_any(e->key, paths)) {
            entry_release(e);
            continue;
        }
        s->entries[out++] = *e;
    }
    s->len = out;
}

void residue_snapshot_format(const struct residue_snapshot *s, struct buf *out)
{
    buf_addf(out, HEADER_MAGIC "%d\thost=%s\ttime=%s", RESIDUE_FORMAT_VERSION, s->host,
             s->time);
    for (size_t i = 0; i < s->notes.len; i++) {
        buf_addf(out, "\tnote=%s", s->notes.items[i]);
    }
    buf_addc(out, '\n');
    for (size_t i = 0; i < s->len; i++) {
        const struct residue_entry *e = &s->entries[i];

        buf_addf(out, "%s\t%s\t%s\n", e->kind, e->key, e->value);
    }
}

/* The header's fields after the magic: "1", "host=...", "time=...", "note=..."... */
static int parse_header(struct residue_snapshot *s, const char *line, const char *name,
                        struct err *err)
{
    struct svec fields = SVEC_INIT;
    int64_t version = 0;
    int ret = -1;

    if (!str_starts_with(line, HEADER_MAGIC)) {
        err_set(err, ERR_PARSE, "%s: not a pot residue snapshot", name);
        goto out;
    }
    svec_split(&fields, line + strlen(HEADER_MAGIC), '\t');
    if (fields.len == 0 || parse_int(fields.items[0], &version) < 0 ||
        version != RESIDUE_FORMAT_VERSION) {
        err_set(err, ERR_PARSE, "%s: snapshot format '%s' is not %d (taken by another pot?)",
                name, fields.len ? fields.items[0] : "", RESIDUE_FORMAT_VERSION);
        goto out;
    }
    for (size_t i = 1; i < fields.len; i++) {
        const char *f = fields.items[i];

        if (str_starts_with(f, "host=")) {
            free(s->host);
            s->host = xstrdup(f + 5);
        } else if (str_starts_with(f, "time=")) {
            free(s->time);
            s->time = xstrdup(f + 5);
        } else if (str_starts_with(f, "note=")) {
            svec_push(&s->notes, f + 5);
        }
    }
    ret = 0;
out:
    svec_release(&fields);
    return ret;
}

int residue_snapshot_parse(struct residue_snapshot *s, const char *text, const char *name,
                           struct err *err)
{
    const char *nl = strchr(text, '\n');
    char *header = nl ? xstrndup(text, (size_t)(nl - text)) : xstrdup(text);
    int ret = -1;

    residue_snapshot_init(s, "", "");
    if (parse_header(s, header, name, err) < 0 ||
        add_lines(s, nl ? nl + 1 : "", name, 2, ERR_PARSE, err) < 0) {
        goto out;
    }
    sort_unique(s);
    ret = 0;
out:
    free(header);
    return ret;
}

char *residue_snapshot_path(const char *dir, const char *host)
{
    return xasprintf("%s/%s.snap", dir, host);
}

int residue_snapshot_save(const struct residue_snapshot *s, const char *dir, struct err *err)
{
    struct buf text = BUF_INIT;
    char *path = residue_snapshot_path(dir, s->host);
    int ret = -1;

    if (fs_mkdir_p(dir, 0700, err) < 0) {
        goto out;
    }
    residue_snapshot_format(s, &text);
    ret = fs_write_atomic(path, text.ptr, text.len, 0600, err);
out:
    buf_release(&text);
    free(path);
    return ret;
}

int residue_snapshot_load(struct residue_snapshot *s, const char *dir, const char *host,
                          struct err *err)
{
    struct buf text = BUF_INIT;
    char *path = residue_snapshot_path(dir, host);
    int ret = -1;

    if (fs_read_file(path, &text, err) < 0) {
        residue_snapshot_init(s, host, "");
        goto out;
    }
    ret = residue_snapshot_parse(s, text.ptr, path, err);
out:
    buf_release(&text);
    free(path);
    return ret;
}
