/*
 * gotpl-sprig-str.c - sprig's string functions: trimming, case, substrings, quoting, indenting,
 * replacing, wrapping and abbreviating (goutils' algorithms), case conversions (xstrings'),
 * splitting and joining. Case changes follow Unicode through the C.UTF-8 locale's tables.
 */
#include "pot.h"
#include <ctype.h>
#include <locale.h>
#include <pthread.h>
#include <string.h>
#include <wctype.h>
#include "base/vec.h"
#include "base/xalloc.h"
#include "gotpl/gotpl-int.h"

/* The string form of an argument into 'b' (freshly initialised by the caller). */
static const char *sarg(const struct val *v, struct buf *b)
{
    if (v->type == VAL_STR) {
        return v->u.s.ptr;
    }
    gotpl_strval(v, b);
    return b->ptr;
}

static int64_t iarg(const struct val *v)
{
    return gotpl_to_int64(v);
}

static int ret_str(struct val **res, const char *s)
{
    *res = val_str(s);
    return 0;
}

static bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Go's unicode.IsSpace. */
static bool is_go_space(uint32_t cp, const char *unused)
{
    (void)unused;
    if (cp < 0x100) {
        return is_ws((unsigned char)cp) || cp == 0x85 || cp == 0xA0;
    }
    return cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
           cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

/* The rune at 's' (invalid UTF-8 is U+FFFD, one byte wide, as Go decodes it); returns its width. */
static size_t first_rune(const char *s, size_t len, uint32_t *cp)
{
    size_t w = gotpl_utf8_next(s, len, cp);

    if (w == 0) {
        *cp = 0xFFFD;
        w = 1;
    }
    return w;
}

/* utf8.DecodeLastRuneInString: the rune ending s[len - 1] (len > 0); returns its width. */
static size_t last_rune(const char *s, size_t len, uint32_t *cp)
{
    size_t start = len - 1;
    size_t lim = len > 4 ? len - 4 : 0;
    size_t w;

    while (start > lim && ((unsigned char)s[start] & 0xC0) == 0x80) {
        start--;
    }
    w = gotpl_utf8_next(s + start, len - start, cp);
    if (w == 0 || start + w != len) {
        *cp = 0xFFFD;
        return 1;
    }
    return w;
}

/* Whether the rune 'cp' is one of the runes of 'cutset' (strings.ContainsRune). */
static bool in_cutset(uint32_t cp, const char *cutset)
{
    size_t len = strlen(cutset);
    uint32_t c;

    for (size_t i = 0; i < len;) {
        i += first_rune(cutset + i, len - i, &c);
        if (c == cp) {
            return true;
        }
    }
    return false;
}

/* strings.TrimFunc: the rune-wise trim of both ends of 's' (returned into *res) while 'cut'
 * (given 'set') holds. */
static void trim_runes(const char *s, bool (*cut)(uint32_t cp, const char *set), const char *set,
                       struct val **res)
{
    size_t start = 0, end = strlen(s);
    uint32_t cp;

    while (start < end) {
        size_t w = first_rune(s + start, end - start, &cp);

        if (!cut(cp, set)) {
            break;
        }
        start += w;
    }
    while (end > start) {
        size_t w = last_rune(s + start, end - start, &cp);

        if (!cut(cp, set)) {
            break;
        }
        end -= w;
    }
    *res = val_strn(s + start, end - start);
}

/* strings.TrimSpace, Unicode's white space included. */
static int fn_trim(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf b = BUF_INIT;

    (void)x;
    (void)n;
    (void)err;
    trim_runes(sarg(a[0], &b), is_go_space, NULL, res);
    buf_release(&b);
    return 0;
}

/* strings.Trim(s, cutset), rune by rune. */
static int fn_trim_all(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf b1 = BUF_INIT, b2 = BUF_INIT;

    (void)x;
    (void)n;
    (void)err;
    trim_runes(sarg(a[1], &b2), in_cutset, sarg(a[0], &b1), res);
    buf_release(&b1);
    buf_release(&b2);
    return 0;
}

static int fn_trim_prefix(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf b1 = BUF_INIT, b2 = BUF_INIT;
    const char *pre = sarg(a[0], &b1);
    const char *s = sarg(a[1], &b2);
    size_t pl = strlen(pre);

    (void)x;
    (void)n;
    (void)err;
    ret_str(res, strncmp(s, pre, pl) == 0 ? s + pl : s);
    buf_release(&b1);
    buf_release(&b2);
    return 0;
}

static int fn_trim_suffix(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf b1 = BUF_INIT, b2 = BUF_INIT;
    const char *suf = sarg(a[0], &b1);
    const char *s = sarg(a[1], &b2);
    size_t sl = strlen(suf), len = strlen(s);

    (void)x;
    (void)n;
    (void)err;
    if (sl <= len && memcmp(s + len - sl, suf, sl) == 0) {
        len -= sl;
    }
    *res = val_strn(s, len);
    buf_release(&b1);
    buf_release(&b2);
    return 0;
}

enum case_op {
    C_UPPER,
    C_LOWER,
    C_TITLE,
    C_UNTITLE,
    C_SWAP,
};

static locale_t utf8_locale;
static pthread_once_t locale_once = PTHREAD_ONCE_INIT;

static void load_locale(void)
{
    utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* Decodes one UTF-8 sequence at s (NUL-terminated); sets *len. Invalid bytes decode as
 * themselves with length 1 and 'valid' false. */
static uint32_t utf8_next(const char *s, size_t *len, bool *valid)
{
    uint32_t cp = 0;

    *len = gotpl_utf8_next(s, strlen(s), &cp);
    *valid = *len > 0;
    if (!*valid) {
        *len = 1;
        return (unsigned char)s[0];
    }
    return cp;
}

static uint32_t map_case(uint32_t cp, bool upper)
{
    if (cp < 0x80) {
        return (uint32_t)(upper ? toupper((int)cp) : tolower((int)cp));
    }
    pthread_once(&locale_once, load_locale);
    if (!utf8_locale) {
        return cp;
    }
    return (uint32_t)(upper ? towupper_l((wint_t)cp, utf8_locale)
                            : towlower_l((wint_t)cp, utf8_locale));
}

static bool is_letter_or_digit(uint32_t cp)
{
    if (cp < 0x80) {
        return isalnum((int)cp) || cp == '_';
    }
    pthread_once(&locale_once, load_locale);
    return utf8_locale ? iswalnum_l((wint_t)cp, utf8_locale) != 0 : true;
}

static int change_case(struct val **a, struct val **res, enum case_op op)
{
    struct buf b = BUF_INIT, out = BUF_INIT;
    const char *s = sarg(a[0], &b);
    bool word_start = true;

    while (*s) {
        size_t len;
        bool valid;
        uint32_t cp = utf8_next(s, &len, &valid), r = cp;

        if (!valid) {
            buf_addc(&out, *s++);
            word_start = false;
            continue;
        }
        switch (op) {
        case C_UPPER:
            r = map_case(cp, true);
            break;
        case C_LOWER:
            r = map_case(cp, false);
            break;
        case C_TITLE:
            r = word_start ? map_case(cp, true) : cp;
            word_start = !is_letter_or_digit(cp);
            break;
        case C_UNTITLE:
            r = word_start ? map_case(cp, false) : cp;
            word_start = cp < 0x80 && is_ws((unsigned char)cp);
            break;
        case C_SWAP:
            r = map_case(cp, true) != cp ? map_case(cp, true) : map_case(cp, false);
            break;
        }
        buf_add_utf8(&out, r);
        s += len;
    }
    buf_release(&b);
    *res = gotpl_take_buf(&out);
    return 0;
}

/* upper, lower, title, untitle, swapcase: one function each over change_case. */
#define CASE_FN(fname, how)                                                                \
    static int fname(struct gx *x, struct val **a, size_t n, struct val **res,             \
                     struct err *err)                                                      \
    {                                                                                      \
        return change_case(a, res, how);                                                   \
    }
CASE_FN(fn_upper, C_UPPER)
CASE_FN(fn_lower, C_LOWER)
CASE_FN(fn_title, C_TITLE)
CASE_FN(fn_untitle, C_UNTITLE)
CASE_FN(fn_swapcase, C_SWAP)
#undef CASE_FN

static int fn_repeat(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf b = BUF_INIT, out = BUF_INIT;
    int64_t count = iarg(a[0]);
    const char *s = sarg(a[1], &b);
    size_t len = strlen(s);

    (void)x;
    (void)n;
    if (count < 0) {
        buf_release(&b);
        return err_set(err, ERR_TEMPLATE, "strings: negative Repeat count");
    }
    if (len > 0 && (uint64_t)count > (64u << 20) / len) {
        buf_release(&b);
        return err_set(err, ERR_TEMPLATE, "strings: Repeat output length overflow");
    }
    for (int64_t i = 0; i < count; i++) {
        buf_add(&out, s, len);
    }
    buf_release(&b);
    *res = gotpl_take_buf(&out);
    return 0;
}

static int fn_substr(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf b = BUF_INIT;
    int64_t start = iarg(a[0]), end = iarg(a[1]);
    const char *s = sarg(a[2], &b);
    int64_t len = (int64_t)strlen(s);

    (void)x;
    (void)n;
    if (start < 0) {
        start = 0;
    } else if (end < 0 || end > len) {
        end = len;
    }
    if (start > len || end > len || start > end) {
        buf_release(&b);
        return err_set(err, ERR_TEMPLATE, "runtime error: slice bounds out of range [%lld:%lld]",
                       (long long)start, (long long)end);
    }
    *res = val_strn(s + start, (size_t)(end - start));
    buf_release(&b);
    return 0;
}

static int fn_nospace(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf b = BUF_INIT, out = BUF_INIT;
    const char *s = sarg(a[0], &b);

    (void)x;
    (void)n;
    (void)err;
    /* goutils.DeleteWhiteSpace works on bytes taken as runes (Latin-1) */
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (!is_ws(c) && c != 0x85 && c != 0xA0) {
            buf_add_utf8(&out, c);
        }
    }
    buf_release(&b);
    *res = gotpl_take_buf(&out);
    return 0;
}

static int fn_trunc(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf b = BUF_INIT;
    int64_t c = iarg(a[0]);
    const char *s = sarg(a[1], &b);
    int64_t len = (int64_t)strlen(s);

    (void)x;
    (void)n;
    (void)err;
    if (c < 0 && len + c > 0) {
        *res = val_str(s + len + c);
    } else if (c >= 0 && len > c) {
        *res = val_strn(s, (size_t)c);
    } else {
        *res = val_str(s);
    }
    buf_release(&b);
    return 0;
}

/* goutils.AbbreviateFull; "" where goutils returns an error (sprig drops it). */
static void abbreviate(const char *s, int64_t offset, int64_t width, struct buf *out)
{
    int64_t len = (int64_t)strlen(s);

    if (len == 0 || width < 4) {
        return;
    }
    if (len <= width) {
        buf_adds(out, s);
        return;
    }
    if (offset > len) {
        offset = len;
    }
    if (len - offset < width - 3) {
        offset = len - (width - 3);
    }
    if (offset <= 4) {
        buf_add(out, s, (size_t)(width - 3));
        buf_adds(out, "...");
        return;
    }
    if (width < 7) {
        return;
    }
    if (offset + width - 3 < len) {
        buf_adds(out, "...");
        abbreviate(s + offset, 0, width - 3, out);
        return;
    }
    buf_adds(out, "...");
    buf_adds(out, s + len - (width - 3));
}

static int fn_abbrev(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf b = BUF_INIT, out = BUF_INIT;

    (void)x;
    (void)n;
    (void)err;
    if (iarg(a[0]) < 4) {
        *res = val_ref(a[1]);
        return 0;
    }
    abbreviate(sarg(a[1], &b), 0, iarg(a[0]), &out);
    buf_release(&b);
    *res = gotpl_take_buf(&out);
    return 0;
}

static int fn_abbrevboth(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf b = BUF_INIT, out = BUF_INIT;

    (void)x;
    (void)n;
    (void)err;
    if (iarg(a[1]) < 4 || (iarg(a[0]) > 0 && iarg(a[1]) < 7)) {
        *res = val_ref(a[2]);
        return 0;
    }
    abbreviate(sarg(a[2], &b), iarg(a[0]), iarg(a[1]), &out);
    buf_release(&b);
    *res = gotpl_take_buf(&out);
    return 0;
}

static int fn_initials(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf b = BUF_INIT, out = BUF_INIT;
    const char *s = sarg(a[0], &b);
    bool start = true;

    (void)x;
    (void)n;
    (void)err;
    for (; *s; s++) {
        if (is_ws((unsigned char)*s)) {
            start = true;
        } else if (start) {
            buf_addc(&out, *s);
            start = false;
        }
    }
    buf_release(&b);
    *res = gotpl_take_buf(&out);
    return 0;
}

/* goutils.WrapCustom. */
static void wrap_custom(const char *s, int64_t width, const char *nl, bool long_words,
                        struct buf *out)
{
    size_t len = strlen(s), off = 0;

    if (len == 0) {
        return;
    }
    if (width < 1) {
        width = 1;
    }
    while (len - off > (size_t)width) {
        size_t end = off + (size_t)width + 1;
        long space = -1;

        if (s[off] == ' ') {
            off++;
            continue;
        }
        for (size_t i = end; i > off; i--) {
            if (s[i - 1] == ' ') {
                space = (long)(i - 1);
                break;
            }
        }
        if (space >= (long)off) {
            buf_add(out, s + off, (size_t)space - off);
            buf_adds(out, nl);
            off = (size_t)space + 1;
        } else if (long_words) {
            buf_add(out, s + off, (size_t)width);
            buf_adds(out, nl);
            off += (size_t)width;
        } else {
            const char *sp = strchr(s + off + width, ' ');

            if (!sp) {
                buf_adds(out, s + off);
                off = len;
            } else {
                buf_add(out, s + off, (size_t)(sp - s) - off);
                buf_adds(out, nl);
                off = (size_t)(sp - s) + 1;
            }
        }
    }
    buf_adds(out, s + off);
}

static int fn_wrap(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf b = BUF_INIT, out = BUF_INIT;

    (void)x;
    (void)n;
    (void)err;
    wrap_custom(sarg(a[1], &b), iarg(a[0]), "\n", false, &out);
    buf_release(&b);
    *res = gotpl_take_buf(&out);
    return 0;
}

static int fn_wrap_with(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf b = BUF_INIT, b2 = BUF_INIT, out = BUF_INIT;
    const char *nl = sarg(a[1], &b2);

    (void)x;
    (void)n;
    (void)err;
    wrap_custom(sarg(a[2], &b), iarg(a[0]), *nl ? nl : "\n", true, &out);
    buf_release(&b);
    buf_release(&b2);
    *res = gotpl_take_buf(&out);
    return 0;
}

static int fn_contains(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf b1 = BUF_INIT, b2 = BUF_INIT;

    (void)x;
    (void)n;
    (void)err;
    *res = val_bool(strstr(sarg(a[1], &b2), sarg(a[0], &b1)) != NULL);
    buf_release(&b1);
    buf_release(&b2);
    return 0;
}

static int fn_has_prefix(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf b1 = BUF_INIT, b2 = BUF_INIT;
    const char *pre = sarg(a[0], &b1);

    (void)x;
    (void)n;
    (void)err;
    *res = val_bool(strncmp(sarg(a[1], &b2), pre, strlen(pre)) == 0);
    buf_release(&b1);
    buf_release(&b2);
    return 0;
}

static int fn_has_suffix(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf b1 = BUF_INIT, b2 = BUF_INIT;
    const char *suf = sarg(a[0], &b1);
    const char *s = sarg(a[1], &b2);
    size_t sl = strlen(suf), len = strlen(s);

    (void)x;
    (void)n;
    (void)err;
    *res = val_bool(sl <= len && memcmp(s + len - sl, suf, sl) == 0);
    buf_release(&b1);
    buf_release(&b2);
    return 0;
}

static int fn_quote(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf out = BUF_INIT;
    bool first = true;

    (void)x;
    (void)err;
    for (size_t i = 0; i < n; i++) {
        struct buf s = BUF_INIT;

        if (a[i]->type == VAL_NULL) {
            continue;
        }
        if (!first) {
            buf_addc(&out, ' ');
        }
        first = false;
        gotpl_strval(a[i], &s);
        gotpl_quote(s.ptr, s.len, &out);
        buf_release(&s);
    }
    *res = gotpl_take_buf(&out);
    return 0;
}

static int fn_squote(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf out = BUF_INIT;
    bool first = true;

    (void)x;
    (void)err;
    for (size_t i = 0; i < n; i++) {
        if (a[i]->type == VAL_NULL) {
            continue;
        }
        if (!first) {
            buf_addc(&out, ' ');
        }
        first = false;
        buf_addc(&out, '\'');
        gotpl_strval(a[i], &out);
        buf_addc(&out, '\'');
    }
    *res = gotpl_take_buf(&out);
    return 0;
}

static int fn_cat(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf out = BUF_INIT;
    bool first = true;

    (void)x;
    (void)err;
    for (size_t i = 0; i < n; i++) {
        if (a[i]->type == VAL_NULL) {
            continue;
        }
        if (!first) {
            buf_addc(&out, ' ');
        }
        first = false;
        gotpl_fmt_value(a[i], &out);
    }
    *res = gotpl_take_buf(&out);
    return 0;
}

static void indent_into(const char *s, int64_t spaces, struct buf *out)
{
    if (spaces < 0) {
        spaces = 0;
    }
    if (spaces > 1000000) {
        spaces = 1000000;
    }
    buf_addn(out, ' ', (size_t)spaces);
    for (; *s; s++) {
        buf_addc(out, *s);
        if (*s == '\n') {
            buf_addn(out, ' ', (size_t)spaces);
        }
    }
}

static int fn_indent(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf b = BUF_INIT, out = BUF_INIT;

    (void)x;
    (void)n;
    (void)err;
    indent_into(sarg(a[1], &b), iarg(a[0]), &out);
    buf_release(&b);
    *res = gotpl_take_buf(&out);
    return 0;
}

static int fn_nindent(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf b = BUF_INIT, out = BUF_INIT;

    (void)x;
    (void)n;
    (void)err;
    buf_addc(&out, '\n');
    indent_into(sarg(a[1], &b), iarg(a[0]), &out);
    buf_release(&b);
    *res = gotpl_take_buf(&out);
    return 0;
}

/* strings.Replace(s, old, new, -1) (an empty 'old' inserts 'new' around every byte of ASCII and
 * every UTF-8 sequence). */
static void replace_all(const char *s, const char *old, const char *rep, struct buf *out)
{
    size_t ol = strlen(old);

    if (ol == 0) {
        buf_adds(out, rep);
        for (; *s; s++) {
            buf_addc(out, *s);
            if (((unsigned char)s[1] & 0xC0) != 0x80) {
                buf_adds(out, rep);
            }
        }
        return;
    }
    for (;;) {
        const char *p = strstr(s, old);

        if (!p) {
            buf_adds(out, s);
            return;
        }
        buf_add(out, s, (size_t)(p - s));
        buf_adds(out, rep);
        s = p + ol;
    }
}

static int fn_replace(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf b1 = BUF_INIT, b2 = BUF_INIT, b3 = BUF_INIT, out = BUF_INIT;

    (void)x;
    (void)n;
    (void)err;
    replace_all(sarg(a[2], &b3), sarg(a[0], &b1), sarg(a[1], &b2), &out);
    buf_release(&b1);
    buf_release(&b2);
    buf_release(&b3);
    *res = gotpl_take_buf(&out);
    return 0;
}

static int fn_plural(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    (void)err;
    *res = val_ref(iarg(a[2]) == 1 ? a[0] : a[1]);
    return 0;
}

/* Splits into words the way xstrings' case converters see them: runs of letters/digits, with a
 * new word at a lower->upper change and before the last upper of an upper run followed by a
 * lower ("HTTPServer" -> HTTP Server). */
static void split_words(const char *s, struct svec *words)
{
    struct buf w = BUF_INIT;

    for (size_t i = 0; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];

        if (!isalnum(c) && c < 0x80) {
            if (w.len) {
                svec_push(words, w.ptr);
                buf_reset(&w);
            }
            continue;
        }
        if (w.len && isupper(c)) {
            unsigned char prev = (unsigned char)w.ptr[w.len - 1];
            unsigned char nxt = (unsigned char)s[i + 1];

            if (islower(prev) || isdigit(prev) || (isupper(prev) && islower(nxt))) {
                svec_push(words, w.ptr);
                buf_reset(&w);
            }
        }
        buf_addc(&w, (char)c);
    }
    if (w.len) {
        svec_push(words, w.ptr);
    }
    buf_release(&w);
}

static int join_case(struct val **a, struct val **res, char sep)
{
    struct buf b = BUF_INIT, out = BUF_INIT;
    struct svec words = SVEC_INIT;

    split_words(sarg(a[0], &b), &words);
    for (size_t i = 0; i < words.len; i++) {
        if (i > 0) {
            buf_addc(&out, sep);
        }
        for (const char *p = words.items[i]; *p; p++) {
            buf_addc(&out, (char)tolower((unsigned char)*p));
        }
    }
    svec_release(&words);
    buf_release(&b);
    *res = gotpl_take_buf(&out);
    return 0;
}

static int fn_snakecase(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    (void)err;
    return join_case(a, res, '_');
}

static int fn_kebabcase(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    (void)err;
    return join_case(a, res, '-');
}

/* xstrings.ToCamelCase: words separated by '_' (and spaces/dashes) joined, each capitalised. */
static int fn_camelcase(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf b = BUF_INIT, out = BUF_INIT;
    const char *s = sarg(a[0], &b);
    bool up = true;

    (void)x;
    (void)n;
    (void)err;
    while (*s == '_') {
        buf_addc(&out, *s++);
    }
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '_' || c == '-' || c == ' ') {
            up = true;
            continue;
        }
        buf_addc(&out, up ? (char)toupper(c) : (char)c);
        up = false;
    }
    buf_release(&b);
    *res = gotpl_take_buf(&out);
    return 0;
}

static int fn_to_string(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf out = BUF_INIT;

    (void)x;
    (void)n;
    (void)err;
    gotpl_strval(a[0], &out);
    *res = gotpl_take_buf(&out);
    return 0;
}

/* sprig's strslice: a list's non-nil items as strings, a scalar as one string, nil as none. */
static struct val *strslice(const struct val *v)
{
    struct val *out = val_list();

    if (v->type == VAL_LIST) {
        for (size_t i = 0; i < v->u.list.len; i++) {
            struct buf b = BUF_INIT;

            if (v->u.list.items[i]->type == VAL_NULL) {
                continue;
            }
            gotpl_strval(v->u.list.items[i], &b);
            val_list_push_take(out, gotpl_take_buf(&b));
        }
    } else if (v->type != VAL_NULL) {
        struct buf b = BUF_INIT;

        gotpl_strval(v, &b);
        val_list_push_take(out, gotpl_take_buf(&b));
    }
    return out;
}

static int fn_to_strings(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    (void)err;
    if (a[0]->type == VAL_LIST) {
        struct val *out = val_list();

        /* toStrings keeps nils as "<nil>" (it converts every item) */
        for (size_t i = 0; i < a[0]->u.list.len; i++) {
            struct buf b = BUF_INIT;

            gotpl_strval(a[0]->u.list.items[i], &b);
            val_list_push_take(out, gotpl_take_buf(&b));
        }
        out->flags |= GOTPL_VAL_STRS;
        *res = out;
        return 0;
    }
    *res = strslice(a[0]);
    (*res)->flags |= GOTPL_VAL_STRS;
    return 0;
}

static int fn_join(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf b = BUF_INIT, out = BUF_INIT;
    const char *sep = sarg(a[0], &b);
    struct val *items = strslice(a[1]);

    (void)x;
    (void)n;
    (void)err;
    for (size_t i = 0; i < items->u.list.len; i++) {
        if (i > 0) {
            buf_adds(&out, sep);
        }
        buf_add(&out, items->u.list.items[i]->u.s.ptr, items->u.list.items[i]->u.s.len);
    }
    val_unref(items);
    buf_release(&b);
    *res = gotpl_take_buf(&out);
    return 0;
}

static int str_cmp(const void *a, const void *b)
{
    const struct val *x = *(const struct val *const *)a, *y = *(const struct val *const *)b;

    return strcmp(x->u.s.ptr, y->u.s.ptr);
}

static int fn_sort_alpha(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct val *items = strslice(a[0]);

    (void)x;
    (void)n;
    (void)err;
    if (items->u.list.len > 1) {
        qsort(items->u.list.items, items->u.list.len, sizeof(struct val *), str_cmp);
    }
    items->flags |= GOTPL_VAL_STRS;
    *res = items;
    return 0;
}

/* strings.SplitN(s, sep, limit) into 'out' (limit < 0: all). */
static void split_n(const char *s, const char *sep, int64_t limit, struct val *out)
{
    size_t sl = strlen(sep);

    if (limit == 0) {
        return;
    }
    if (sl == 0) {
        /* one item per UTF-8 sequence, the last holding the rest */
        while (*s) {
            size_t k = 1;

            if (limit > 0 && (int64_t)val_list_len(out) == limit - 1) {
                val_list_push_take(out, val_str(s));
                return;
            }
            while (s[k] && ((unsigned char)s[k] & 0xC0) == 0x80) {
                k++;
            }
            val_list_push_take(out, val_strn(s, k));
            s += k;
        }
        return;
    }
    for (;;) {
        const char *p = strstr(s, sep);

        if (!p || (limit > 0 && (int64_t)val_list_len(out) == limit - 1)) {
            val_list_push_take(out, val_str(s));
            return;
        }
        val_list_push_take(out, val_strn(s, (size_t)(p - s)));
        s = p + sl;
    }
}

static struct val *list_to_split_dict(struct val *parts)
{
    struct val *d = val_dict();

    for (size_t i = 0; i < parts->u.list.len; i++) {
        char key[32];

        snprintf(key, sizeof(key), "_%zu", i);
        val_dict_set(d, key, parts->u.list.items[i]);
    }
    val_unref(parts);
    d->flags |= GOTPL_VAL_STRMAP;
    return d;
}

static int fn_split(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf b1 = BUF_INIT, b2 = BUF_INIT;
    struct val *parts = val_list();

    (void)x;
    (void)n;
    (void)err;
    split_n(sarg(a[1], &b2), sarg(a[0], &b1), -1, parts);
    *res = list_to_split_dict(parts);
    buf_release(&b1);
    buf_release(&b2);
    return 0;
}

static int fn_splitn(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf b1 = BUF_INIT, b2 = BUF_INIT;
    struct val *parts = val_list();

    (void)x;
    (void)n;
    (void)err;
    split_n(sarg(a[2], &b2), sarg(a[0], &b1), iarg(a[1]), parts);
    *res = list_to_split_dict(parts);
    buf_release(&b1);
    buf_release(&b2);
    return 0;
}

static int fn_split_list(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf b1 = BUF_INIT, b2 = BUF_INIT;

    (void)x;
    (void)n;
    (void)err;
    *res = val_list();
    (*res)->flags |= GOTPL_VAL_STRS;
    split_n(sarg(a[1], &b2), sarg(a[0], &b1), -1, *res);
    buf_release(&b1);
    buf_release(&b2);
    return 0;
}

const struct gfunc gotpl_sprig_str_funcs[] = {
    { "abbrev", fn_abbrev, "is" },
    { "abbrevboth", fn_abbrevboth, "iis" },
    { "camelcase", fn_camelcase, "s" },
    { "cat", fn_cat, "a." },
    { "contains", fn_contains, "ss" },
    { "hasPrefix", fn_has_prefix, "ss" },
    { "hasSuffix", fn_has_suffix, "ss" },
    { "indent", fn_indent, "is" },
    { "initials", fn_initials, "s" },
    { "join", fn_join, "sa" },
    { "kebabcase", fn_kebabcase, "s" },
    { "lower", fn_lower, "s" },
    { "nindent", fn_nindent, "is" },
    { "nospace", fn_nospace, "s" },
    { "plural", fn_plural, "ssi" },
    { "quote", fn_quote, "a." },
    { "repeat", fn_repeat, "is" },
    { "replace", fn_replace, "sss" },
    { "snakecase", fn_snakecase, "s" },
    { "sortAlpha", fn_sort_alpha, "a" },
    { "split", fn_split, "ss" },
    { "splitList", fn_split_list, "ss" },
    { "splitn", fn_splitn, "sis" },
    { "squote", fn_squote, "a." },
    { "substr", fn_substr, "iis" },
    { "swapcase", fn_swapcase, "s" },
    { "title", fn_title, "s" },
    { "toString", fn_to_string, "a" },
    { "toStrings", fn_to_strings, "a" },
    { "trim", fn_trim, "s" },
    { "trimAll", fn_trim_all, "ss" },
    { "trimPrefix", fn_trim_prefix, "ss" },
    { "trimSuffix", fn_trim_suffix, "ss" },
    { "trimall", fn_trim_all, "ss" },
    { "trunc", fn_trunc, "is" },
    { "untitle", fn_untitle, "s" },
    { "upper", fn_upper, "s" },
    { "wrap", fn_wrap, "is" },
    { "wrapWith", fn_wrap_with, "iss" },
};
const size_t gotpl_sprig_str_nfuncs = ARRAY_SIZE(gotpl_sprig_str_funcs);
