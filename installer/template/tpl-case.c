/*
 * tpl-case.c - Unicode case mapping for the case filters and str methods (lower, upper,
 * capitalize, title), with the C.UTF-8 locale's tables and Python's special upper-casing of 'ß'.
 */
#include "pot.h"
#include <locale.h>
#include <pthread.h>
#include <wctype.h>
#include "base/buf.h"
#include "template/tpl-eval.h"

static locale_t utf8_locale;
static pthread_once_t locale_once = PTHREAD_ONCE_INIT;

static void open_locale(void)
{
    utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

static size_t decode(const char *s, size_t len, size_t i, uint32_t *cp)
{
    unsigned char c = (unsigned char)s[i];
    int n = c < 0x80 ? 0 : c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    uint32_t v = n == 0 ? c : c & (0x3F >> n);
    size_t k = i + 1;

    for (int j = 0; j < n && k < len; j++, k++) {
        v = (v << 6) | ((unsigned char)s[k] & 0x3F);
    }
    *cp = v;
    return k;
}

static bool is_alpha(uint32_t c)
{
    return utf8_locale ? iswalpha_l((wint_t)c, utf8_locale) != 0
                       : ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static void put_case(struct buf *b, uint32_t c, bool upper)
{
    if (upper && c == 0xDF) {
        buf_adds(b, "SS");
        return;
    }
    if (!utf8_locale) {
        buf_add_utf8(b, c < 0x80 ? (uint32_t)(upper ? towupper(c) : towlower(c)) : c);
        return;
    }
    buf_add_utf8(b, (uint32_t)(upper ? towupper_l((wint_t)c, utf8_locale)
                               : towlower_l((wint_t)c, utf8_locale)));
}

struct val *tpl_str_case(const struct val *s, enum tpl_case mode)
{
    struct buf b = BUF_INIT;
    bool word_start = true;

    pthread_once(&locale_once, open_locale);
    for (size_t i = 0; i < s->u.s.len;) {
        uint32_t c;
        bool up;

        i = decode(s->u.s.ptr, s->u.s.len, i, &c);
        switch (mode) {
        case TPL_CASE_UPPER:
            up = true;
            break;
        case TPL_CASE_LOWER:
            up = false;
            break;
        case TPL_CASE_CAPITALIZE:
            up = word_start;
            word_start = false;
            break;
        case TPL_CASE_TITLE_PY:
            up = word_start;
            word_start = !is_alpha(c);
            break;
        default: /* Jinja2's title filter: words begin after whitespace, '-', '(', '{', '[', '<' */
            up = word_start;
            word_start = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
                         c == '\f' || c == '-' || c == '(' || c == '{' || c == '[' || c == '<';
            break;
        }
        put_case(&b, c, up);
    }
    return tpl_str_from_buf(&b);
}
