/*
 * residue-compare.c - two snapshots of one host to the lines a person reads: what was added,
 * removed or changed, worded per kind (residue.h lists the forms), a whole file tree added or
 * removed said once at its top directory.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "residue/residue.h"

enum style {
    STYLE_PLAIN,   /* "KIND KEY: added", "KIND KEY: OLD -> NEW" */
    STYLE_TAGGED,  /* "KIND KEY (first word of the value): added" */
    STYLE_VERSION, /* "KIND KEY VALUE: added" */
    STYLE_RULE,    /* key "SCOPE: RULE", value a count: "KIND SCOPE: added RULE" */
    STYLE_SYSCTL,  /* a key only one snapshot read is said so, with its value */
    STYLE_FILE,    /* value "TYPE MODE OWNER [...]", trees folded */
};

static const struct {
    const char *kind;
    enum style style;
} styles[] = {
    { "docker", STYLE_TAGGED },
    { "file", STYLE_FILE },
    { "ip6tables", STYLE_RULE },
    { "ip6tables-legacy", STYLE_RULE },
    { "iptables", STYLE_RULE },
    { "iptables-legacy", STYLE_RULE },
    { "ipvs", STYLE_RULE },
    { "link", STYLE_TAGGED },
    { "mount", STYLE_TAGGED },
    { "nft", STYLE_RULE },
    { "package", STYLE_VERSION },
    { "service", STYLE_TAGGED },
    { "sysctl", STYLE_SYSCTL },
};

static enum style style_of(const char *kind)
{
    for (size_t i = 0; i < ARRAY_SIZE(styles); i++) {
        if (strcmp(styles[i].kind, kind) == 0) {
            return styles[i].style;
        }
    }
    return STYLE_PLAIN;
}

/* ---- rules: "SCOPE: RULE" keys ---- */

/* "KIND SCOPE: " (or "KIND: " without a scope) and the rule part of the key. */
static const char *rule_prefix(const struct residue_entry *e, struct buf *line)
{
    const char *sep = strstr(e->key, ": ");

    if (!sep) {
        buf_addf(line, "%s: ", e->kind);
        return e->key;
    }
    buf_addf(line, "%s %.*s: ", e->kind, (int)(sep - e->key), e->key);
    return sep + 2;
}

static bool is_count(const char *s)
{
    int64_t n;

    return parse_int(s, &n) == 0;
}

static void rule_changed(const struct residue_entry *a, const struct residue_entry *b,
                         struct buf *line)
{
    const char *rule = rule_prefix(a, line);

    if (is_count(a->value) && is_count(b->value)) {
        buf_addf(line, "%s: now %s times (was %s)", rule, b->value, a->value);
    } else {
        buf_addf(line, "%s: %s -> %s", rule, a->value, b->value);
    }
}

/* ---- files: "TYPE MODE OWNER [sha256=H | size=N | -> TARGET | unreadable]" ---- */

struct file_value {
    char *type, *mode, *owner; /* owned */
    const char *rest;          /* borrowed from the value; "" when none */
};

static void file_value_parse(struct file_value *f, const char *value)
{
    const char *p = value;
    char **fields[] = { &f->type, &f->mode, &f->owner };

    for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
        const char *sp = strchr(p, ' ');
        size_t n = sp ? (size_t)(sp - p) : strlen(p);

        *fields[i] = xstrndup(p, n);
        p += n + (sp ? 1 : 0);
    }
    f->rest = p;
}

static void file_value_release(struct file_value *f)
{
    free(f->type);
    free(f->mode);
    free(f->owner);
}

/* Appends one part of a file's change, after ", " when it is not the first since 'start'. */
static void PRINTF_LIKE(3, 4) add_part(struct buf *line, size_t start, const char *fmt, ...)
{
    va_list ap;

    if (line->len > start) {
        buf_adds(line, ", ");
    }
    va_start(ap, fmt);
    buf_vaddf(line, fmt, ap);
    va_end(ap);
}

/* What changed in the content part: link target, size, or the hash. */
static void content_changed(const struct file_value *a, const struct file_value *b,
                            struct buf *line, size_t start)
{
    if (strcmp(a->type, "link") == 0 && str_starts_with(a->rest, "-> ") &&
        str_starts_with(b->rest, "-> ")) {
        add_part(line, start, "target %s -> %s", a->rest + 3, b->rest + 3);
    } else if (str_starts_with(a->rest, "size=") && str_starts_with(b->rest, "size=")) {
        add_part(line, start, "size %s -> %s", a->rest + 5, b->rest + 5);
    } else {
        add_part(line, start, "content changed");
    }
}

static void file_changed(const struct residue_entry *a, const struct residue_entry *b,
                         struct buf *line)
{
    struct file_value fa, fb;
    size_t start;

    file_value_parse(&fa, a->value);
    file_value_parse(&fb, b->value);
    buf_addf(line, "file %s: ", a->key);
    start = line->len;
    if (strcmp(fa.type, fb.type) != 0) {
        add_part(line, start, "type %s -> %s", fa.type, fb.type);
    } else {
        if (strcmp(fa.mode, fb.mode) != 0) {
            add_part(line, start, "mode %s -> %s", fa.mode, fb.mode);
        }
        if (strcmp(fa.owner, fb.owner) != 0) {
            add_part(line, start, "owner %s -> %s", fa.owner, fb.owner);
        }
        if (strcmp(fa.rest, fb.rest) != 0) {
            content_changed(&fa, &fb, line, start);
        }
    }
    file_value_release(&fa);
    file_value_release(&fb);
}

static bool is_dir(const struct residue_entry *e)
{
    return str_starts_with(e->value, "dir ");
}

/* The index of the first entry of 's' not below (kind, key) in snapshot order. */
static size_t lower_bound(const struct residue_snapshot *s, const char *kind, const char *key)
{
    struct residue_entry probe = { (char *)kind, (char *)key, NULL };
    size_t lo = 0, hi = s->len;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (residue_entry_cmp(&s->entries[mid], &probe) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* How many file entries of 's' lie below directory 'dir': keys starting "dir/" sort together,
 * from "dir/" up to "dir0" ('0' follows '/'). */
static size_t entries_below(const struct residue_snapshot *s, const char *dir)
{
    char *from = xasprintf("%s/", dir);
    char *to = xasprintf("%s0", dir);
    size_t n = lower_bound(s, "file", to) - lower_bound(s, "file", from);

    free(from);
    free(to);
    return n;
}

/* Whether a directory above 'path' is in 'in' but not in 'other' (so it is said instead). */
static bool parent_also_new(const char *path, const struct residue_snapshot *in,
                            const struct residue_snapshot *other)
{
    char *dir = xstrdup(path);
    bool found = false;

    for (char *slash = strrchr(dir, '/'); slash && slash > dir && !found;
         slash = strrchr(dir, '/')) {
        const struct residue_entry *e;

        *slash = '\0';
        e = residue_snapshot_find(in, "file", dir);
        found = e && is_dir(e) && !residue_snapshot_find(other, "file", dir);
    }
    free(dir);
    return found;
}

/* A file entry only in 'in' ('what': "added" or "removed"); nothing when a directory above it is
 * new too. A directory says how many entries came or went with it. */
static void file_only(const struct residue_entry *e, const struct residue_snapshot *in,
                      const struct residue_snapshot *other, const char *what, struct svec *lines)
{
    size_t n;

    if (parent_also_new(e->key, in, other)) {
        return;
    }
    if (!is_dir(e)) {
        svec_pushf(lines, "file %s: %s", e->key, what);
        return;
    }
    n = entries_below(in, e->key);
    if (n == 0) {
        svec_pushf(lines, "file %s/: %s (empty)", e->key, what);
    } else {
        svec_pushf(lines, "file %s/: %s (%zu entr%s)", e->key, what, n, n == 1 ? "y" : "ies");
    }
}

/* ---- one entry added, removed or changed ---- */

static void first_word(const char *s, struct buf *out)
{
    const char *sp = strchr(s, ' ');

    buf_add(out, s, sp ? (size_t)(sp - s) : strlen(s));
}

/* An entry only in 'in': 'what' is "added" (in the new snapshot) or "removed". */
static void only_in(const struct residue_entry *e, const struct residue_snapshot *in,
                    const struct residue_snapshot *other, const char *what, struct svec *lines)
{
    struct buf line = BUF_INIT;
    bool added = strcmp(what, "added") == 0;

    switch (style_of(e->kind)) {
    case STYLE_FILE:
        file_only(e, in, other, what, lines);
        break;
    case STYLE_RULE: {
        const char *rule = rule_prefix(e, &line);

        svec_pushf(lines, "%s%s %s", line.ptr, what, rule);
        break;
    }
    case STYLE_TAGGED:
        buf_addf(&line, "%s %s", e->kind, e->key);
        if (e->value[0]) {
            buf_adds(&line, " (");
            first_word(e->value, &line);
            buf_adds(&line, ")");
        }
        svec_pushf(lines, "%s: %s", line.ptr, what);
        break;
    case STYLE_VERSION:
        svec_pushf(lines, "%s %s %s: %s", e->kind, e->key, e->value, what);
        break;
    case STYLE_SYSCTL:
        if (added) {
            svec_pushf(lines, "%s %s: %s (not in the baseline)", e->kind, e->key, e->value);
        } else {
            svec_pushf(lines, "%s %s: not read now (was %s)", e->kind, e->key, e->value);
        }
        break;
    case STYLE_PLAIN:
        svec_pushf(lines, "%s %s: %s", e->kind, e->key, what);
        break;
    }
    buf_release(&line);
}

static void changed(const struct residue_entry *a, const struct residue_entry *b,
                    struct svec *lines)
{
    struct buf line = BUF_INIT;

    switch (style_of(a->kind)) {
    case STYLE_FILE:
        file_changed(a, b, &line);
        break;
    case STYLE_RULE:
        rule_changed(a, b, &line);
        break;
    default:
        buf_addf(&line, "%s %s: %s -> %s", a->kind, a->key, a->value, b->value);
        break;
    }
    svec_push(lines, line.ptr);
    buf_release(&line);
}

void residue_compare(const struct residue_snapshot *before, const struct residue_snapshot *after,
                     struct svec *lines)
{
    size_t i = 0, j = 0;

    while (i < before->len || j < after->len) {
        const struct residue_entry *a = i < before->len ? &before->entries[i] : NULL;
        const struct residue_entry *b = j < after->len ? &after->entries[j] : NULL;
        int c = !a ? 1 : !b ? -1 : residue_entry_cmp(a, b);

        if (c < 0) {
            only_in(a, before, after, "removed", lines);
            i++;
        } else if (c > 0) {
            only_in(b, after, before, "added", lines);
            j++;
        } else {
            if (strcmp(a->value, b->value) != 0) {
                changed(a, b, lines);
            }
            i++;
            j++;
        }
    }
}
