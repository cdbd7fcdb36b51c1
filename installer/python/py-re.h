/*
 * py-re.h - Python's `re` module over PCRE2, the one regular-expression engine of pot: Ansible's
 * regex filters and tests (template/), and the modules that take a regexp (lineinfile,
 * blockinfile, replace, wait_for) behave as Python does. Patterns are translated where the two
 * differ (\Z), UTF-8 with Unicode classes as Python 3's str patterns; searches follow Python's
 * empty-match rules; replacement templates expand as match.expand() does (\1, \g<1>, \g<name>,
 * \n, \\; an unknown group or a bad escape is an error, as in Python).
 */
#ifndef PY_RE_H
#define PY_RE_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>

struct buf;
struct val;

enum py_re_flags {
    PY_RE_IGNORECASE = 1 << 0, /* re.I */
    PY_RE_MULTILINE = 1 << 1,  /* re.M */
    PY_RE_DOTALL = 1 << 2,     /* re.S */
};

struct py_re {
    pcre2_code *code;     /* owned */
    pcre2_match_data *md; /* owned: groups of the last match */
};

/* Compiles 'pattern' (len bytes) with PY_RE_* flags. Returns 0, or -1 with Python-like
 * "MESSAGE at position N" in errbuf (re left empty; py_re_free is still safe). */
int py_re_compile(struct py_re *re, const char *pattern, size_t len, unsigned flags,
                  char *errbuf, size_t errsize);
void py_re_free(struct py_re *re);
/* Matches from byte 'start' with PCRE2 options (PCRE2_ANCHORED for re.match,
 * PCRE2_NOTEMPTY_ATSTART after an empty match); 1 on a match, 0 when none, -1 on a matching
 * error (the match limit). */
int py_re_exec(struct py_re *re, const char *s, size_t len, size_t start, uint32_t opts);
/* re.search over the NUL-terminated 's': true when it matches (groups kept for the calls below). */
bool py_re_search(struct py_re *re, const char *s);
/* The number of capturing groups of the pattern. */
size_t py_re_ngroups(const struct py_re *re);
/* Byte range of group g of the last match; false when it did not participate. */
bool py_re_group(const struct py_re *re, size_t g, size_t *start, size_t *end);
/* Group g of the last match on 's' as a new string value; null when it did not participate. */
struct val *py_re_group_val(const struct py_re *re, const char *s, size_t g);
/* The number of the group called 'name', or -1. */
int py_re_group_by_name(const struct py_re *re, const char *name);
/* Appends match.expand(t) (t of 'len' bytes) for the last match on 's'. Returns 0, or -1 with
 * Python's message in errbuf ("invalid group reference 3", "bad escape \\d"). */
int py_re_expand(const struct py_re *re, const char *s, const char *t, size_t len,
                 struct buf *out, char *errbuf, size_t errsize);
/* re.subn(pattern, repl, s): appends the result to 'out' and sets *count to the number of
 * replacements; repl NULL replaces by nothing. Returns 0, or -1 with a message in errbuf (a bad
 * replacement template, the match limit). */
int py_re_subn(struct py_re *re, const char *s, size_t len, const char *repl, size_t repl_len,
               struct buf *out, size_t *count, char *errbuf, size_t errsize);
/* match.groups() and match.groupdict() of the last match on 's', appended to the list 'groups'
 * and set in the dict 'groupdict' (a group that did not participate is null). */
void py_re_groups(const struct py_re *re, const char *s, struct val *groups,
                  struct val *groupdict);

#endif
