/*
 * tpl-regex.h - Python `re` semantics over PCRE2, for the regex filters and tests (the only place
 * pot uses PCRE2). Private to installer/template/.
 */
#ifndef TPL_REGEX_H
#define TPL_REGEX_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

struct buf;

enum tpl_re_flags {
    TPL_RE_IGNORECASE = 1 << 0,
    TPL_RE_MULTILINE = 1 << 1,
};

struct tpl_re {
    pcre2_code *code;       /* owned */
    pcre2_match_data *md;   /* owned: groups of the last match */
};

/* Returns 0, or -1 with a message in errbuf. */
int tpl_re_compile(struct tpl_re *re, const char *pattern, size_t len, unsigned flags,
                   char *errbuf, size_t errsize);
void tpl_re_free(struct tpl_re *re);
/* Matches from byte 'start' with PCRE2 options (PCRE2_ANCHORED for re.match); returns 1 on a
 * match, 0 when none, -1 on a matching error (e.g. the match limit). */
int tpl_re_exec(struct tpl_re *re, const char *s, size_t len, size_t start, uint32_t opts);
size_t tpl_re_ngroups(const struct tpl_re *re);
/* Byte range of group g of the last match; false when it did not participate. */
bool tpl_re_group(const struct tpl_re *re, size_t g, size_t *start, size_t *end);
int tpl_re_group_by_name(const struct tpl_re *re, const char *name);
/* Appends Python's expansion of replacement template t (\1, \g<name>, \n...) for the last match
 * on 's'. Returns 0, or -1 with a message in errbuf. */
int tpl_re_expand(const struct tpl_re *re, const char *s, const char *t, size_t len,
                  struct buf *out, char *errbuf, size_t errsize);

#endif
