/*
 * tpl-lex.c - Jinja2's lexer: template text -> tokens, with whitespace control applied the way
 * Jinja2 3.1 does it ('-' strips, '+' disables lstrip_blocks/trim_blocks, trim_blocks eats the
 * newline after a block or comment tag, lstrip_blocks eats the indentation before one), raw blocks
 * turned into data, and expression tokens with bracket balancing (so '}}' inside a dict literal is
 * not the end of the tag). Columns count characters, not bytes.
 */
#include "pot.h"
#include <errno.h>
#include <string.h>
#include "base/buf.h"
#include "python/py-escape.h"
#include "base/xalloc.h"
#include "template/tpl-ast.h"

struct lexer {
    struct tpl *t;
    const char *s;
    size_t len;
    size_t pos;
    struct tpl_tok *toks; /* owned until handed out */
    size_t ntoks, cap;
    size_t cur_off; /* position cache for pos_at() */
    int cur_line, cur_col;
    struct err *err;
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* File coordinates of a byte offset; offsets are asked for in increasing order. */
static void pos_at(struct lexer *lx, size_t off, int *line, int *col)
{
    if (off < lx->cur_off) {
        lx->cur_off = 0;
        lx->cur_line = 1;
        lx->cur_col = 1;
    }
    for (; lx->cur_off < off; lx->cur_off++) {
        unsigned char c = (unsigned char)lx->s[lx->cur_off];

        if (c == '\n') {
            lx->cur_line++;
            lx->cur_col = 1;
        } else if ((c & 0xC0) != 0x80) {
            lx->cur_col++;
        }
    }
    *line = lx->cur_line + lx->t->first_line - 1;
    *col = lx->cur_line == 1 ? lx->cur_col + lx->t->first_col - 1 : lx->cur_col;
}

static int fail_at(struct lexer *lx, size_t off, const char *msg)
{
    struct srcpos p = { lx->t->name, 0, 0 };

    pos_at(lx, off, &p.line, &p.col);
    return err_at(lx->err, ERR_PARSE, &p, "%s", msg);
}

static struct tpl_tok *push(struct lexer *lx, enum tpl_tok_kind kind, size_t start, size_t end)
{
    struct tpl_tok *tk;

    xgrow((void **)&lx->toks, &lx->cap, lx->ntoks + 1, sizeof(*lx->toks));
    tk = &lx->toks[lx->ntoks++];
    memset(tk, 0, sizeof(*tk));
    tk->kind = kind;
    tk->start = (unsigned)start;
    tk->end = (unsigned)end;
    tk->str = lx->s + start;
    tk->len = end - start;
    pos_at(lx, start, &tk->line, &tk->col);
    return tk;
}

static void push_data(struct lexer *lx, size_t start, size_t end)
{
    if (end > start) {
        push(lx, TK_DATA, start, end);
    }
}

/* Index of the next '{{', '{%' or '{#' at or after 'from', or len. */
static size_t find_tag(const struct lexer *lx, size_t from)
{
    for (size_t i = from; i + 1 < lx->len; i++) {
        if (lx->s[i] == '{' &&
            (lx->s[i + 1] == '{' || lx->s[i + 1] == '%' || lx->s[i + 1] == '#')) {
            return i;
        }
    }
    return lx->len;
}

/* Trims the data [start, *end) before a tag at 'tag' whose marker char is 'sign'. */
static void strip_before(struct lexer *lx, size_t start, size_t *end, char sign, bool lstrip_kind,
                         bool line_starting)
{
    if (sign == '-') {
        while (*end > start && is_space(lx->s[*end - 1])) {
            (*end)--;
        }
        return;
    }
    if (sign == '+' || !lstrip_kind || !lx->t->opts.lstrip_blocks) {
        return;
    }
    size_t l = *end;
    while (l > start && (lx->s[l - 1] == ' ' || lx->s[l - 1] == '\t')) {
        l--;
    }
    if ((l > start && lx->s[l - 1] == '\n') || (l == start && line_starting)) {
        *end = l;
    }
}

/* After a block/comment end at 'pos' (just past the closing delimiter). */
static size_t after_block_end(struct lexer *lx, size_t pos, char sign)
{
    if (sign == '-') {
        while (pos < lx->len && is_space(lx->s[pos])) {
            pos++;
        }
    } else if (sign != '+' && lx->t->opts.trim_blocks && pos < lx->len && lx->s[pos] == '\n') {
        pos++;
    }
    return pos;
}

/* Matches "{%[-+]?\s*WORD\s*[-+]?%}" at 'at'; fills the signs and the end offset. */
static bool match_word_tag(const struct lexer *lx, size_t at, const char *word, char *open_sign,
                           char *close_sign, size_t *end)
{
    size_t i = at + 2, n = strlen(word);

    if (at + 2 > lx->len || lx->s[at] != '{' || lx->s[at + 1] != '%') {
        return false;
    }
    *open_sign = 0;
    if (i < lx->len && (lx->s[i] == '-' || lx->s[i] == '+')) {
        *open_sign = lx->s[i++];
    }
    while (i < lx->len && is_space(lx->s[i])) {
        i++;
    }
    if (i + n > lx->len || memcmp(lx->s + i, word, n) != 0) {
        return false;
    }
    i += n;
    while (i < lx->len && is_space(lx->s[i])) {
        i++;
    }
    *close_sign = 0;
    if (i < lx->len && (lx->s[i] == '-' || lx->s[i] == '+')) {
        *close_sign = lx->s[i++];
    }
    if (i + 2 > lx->len || lx->s[i] != '%' || lx->s[i + 1] != '}') {
        return false;
    }
    *end = i + 2;
    return true;
}

/* Lexes {% raw %}...{% endraw %} starting at 'at'; returns the position after it or 0. */
static size_t lex_raw(struct lexer *lx, size_t at, size_t raw_end, char close_sign)
{
    size_t body = raw_end, i;
    char os, cs;
    size_t end;

    if (close_sign == '-') {
        while (body < lx->len && is_space(lx->s[body])) {
            body++;
        }
    }
    for (i = body; i < lx->len; i++) {
        if (match_word_tag(lx, i, "endraw", &os, &cs, &end)) {
            size_t data_end = i;

            if (os == '-') {
                while (data_end > body && is_space(lx->s[data_end - 1])) {
                    data_end--;
                }
            }
            push_data(lx, body, data_end);
            return after_block_end(lx, end, cs);
        }
    }
    fail_at(lx, at, "missing end of raw directive ('{% endraw %}')");
    return 0;
}

static int lex_comment(struct lexer *lx, size_t at, size_t *next)
{
    for (size_t i = at + 2; i + 1 < lx->len; i++) {
        if (lx->s[i] == '#' && lx->s[i + 1] == '}') {
            char sign = (i > at + 2 && (lx->s[i - 1] == '-' || lx->s[i - 1] == '+')) ? lx->s[i - 1]
                                                                                       : 0;
            *next = after_block_end(lx, i + 2, sign);
            return 0;
        }
    }
    return fail_at(lx, at, "missing end of comment tag ('#}')");
}

static int lex_string(struct lexer *lx)
{
    size_t start = lx->pos, i = start + 1;
    char quote = lx->s[start];
    struct buf b = BUF_INIT;
    struct tpl_tok *tk;

    while (i < lx->len && lx->s[i] != quote) {
        if (lx->s[i] == '\\' && i + 1 < lx->len) {
            /* lenient: never fails, an escape it cannot read stays as written */
            i += (size_t)pyesc_decode(lx->s + i, lx->len - i, PYESC_PYTHON, &b);
        } else {
            buf_addc(&b, lx->s[i++]);
        }
    }
    if (i >= lx->len) {
        buf_release(&b);
        return fail_at(lx, start, "unexpected end of string");
    }
    tk = push(lx, TK_STRING, start, i + 1);
    tk->str = arena_strndup(&lx->t->arena, b.ptr, b.len);
    tk->len = b.len;
    lx->pos = i + 1;
    buf_release(&b);
    return 0;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Digits with Python's '_' separators, copied without them into 'b'. */
static size_t scan_digits(const char *s, size_t i, size_t len, struct buf *b)
{
    while (i < len && (is_digit(s[i]) || (s[i] == '_' && i + 1 < len && is_digit(s[i + 1])))) {
        if (s[i] != '_') {
            buf_addc(b, s[i]);
        }
        i++;
    }
    return i;
}

/* 0x1F, 0o17, 0b101 (with '_' separators); returns the end offset or 0 when not one. */
static size_t scan_prefixed(const struct lexer *lx, size_t start, int *base)
{
    const char *s = lx->s;
    size_t i = start + 2;
    char p = start + 1 < lx->len ? (char)(s[start + 1] | 0x20) : 0;

    *base = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 0;
    if (s[start] != '0' || !*base) {
        return 0;
    }
    while (i < lx->len) {
        char c = s[i] == '_' && i + 1 < lx->len ? s[i + 1] : s[i];
        bool ok = *base == 16 ? ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'))
                              : (c >= '0' && c < '0' + *base);

        if (!ok) {
            break;
        }
        i += s[i] == '_' ? 2 : 1;
    }
    return i > start + 2 ? i : 0;
}

static int lex_number(struct lexer *lx)
{
    size_t start = lx->pos, i;
    struct buf b = BUF_INIT;
    bool is_float = false;
    struct tpl_tok *tk;
    int base;

    i = scan_prefixed(lx, start, &base);
    if (i != 0) {
        for (size_t k = start + 2; k < i; k++) {
            if (lx->s[k] != '_') {
                buf_addc(&b, lx->s[k]);
            }
        }
        tk = push(lx, TK_INT, start, i);
        errno = 0;
        tk->i = strtoll(b.ptr, NULL, base);
        buf_release(&b);
        lx->pos = i;
        return errno == ERANGE ? fail_at(lx, start, "integer literal out of range") : 0;
    }
    if (lx->s[start] == '0') { /* Jinja2 reads 007 as 00 then 7 */
        i = start + 1;
        while (i < lx->len && (lx->s[i] == '0' || (lx->s[i] == '_' && i + 1 < lx->len &&
                                                    lx->s[i + 1] == '0'))) {
            i++;
        }
        buf_addc(&b, '0');
    } else {
        i = scan_digits(lx->s, start, lx->len, &b);
    }
    if (i + 1 < lx->len && lx->s[i] == '.' && is_digit(lx->s[i + 1])) {
        is_float = true;
        buf_addc(&b, '.');
        i = scan_digits(lx->s, i + 1, lx->len, &b);
    }
    if (i < lx->len && (lx->s[i] == 'e' || lx->s[i] == 'E')) {
        size_t j = i + 1;

        if (j < lx->len && (lx->s[j] == '+' || lx->s[j] == '-')) {
            j++;
        }
        if (j < lx->len && is_digit(lx->s[j])) {
            is_float = true;
            buf_add(&b, lx->s + i, j - i);
            i = scan_digits(lx->s, j, lx->len, &b);
        }
    }
    tk = push(lx, is_float ? TK_FLOAT : TK_INT, start, i);
    if (is_float) {
        tk->d = strtod(b.ptr, NULL);
    } else {
        errno = 0;
        tk->i = strtoll(b.ptr, NULL, 10);
        if (errno == ERANGE) {
            buf_release(&b);
            return fail_at(lx, start, "integer literal out of range");
        }
    }
    lx->pos = i;
    buf_release(&b);
    return 0;
}

static const char *const operators[] = {
    "//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "=",
    "(", ")", "[", "]", "{", "}", ",", ".", ":", "|", NULL,
};

#define MAX_NESTING 128

/* Bracket balancing like Jinja2's lexer: 'stack' holds the expected closers. */
struct brackets {
    char stack[MAX_NESTING];
    int depth;
};

static int lex_operator(struct lexer *lx, struct brackets *br)
{
    size_t start = lx->pos;

    for (const char *const *op = operators; *op; op++) {
        size_t n = strlen(*op);

        if (start + n <= lx->len && memcmp(lx->s + start, *op, n) == 0) {
            char c = (*op)[0];

            if (n == 1 && (c == '(' || c == '[' || c == '{')) {
                if (br->depth == MAX_NESTING) {
                    return fail_at(lx, start, "brackets nested too deeply");
                }
                br->stack[br->depth++] = c == '(' ? ')' : c == '[' ? ']' : '}';
            } else if (n == 1 && (c == ')' || c == ']' || c == '}')) {
                char msg[64];

                if (br->depth == 0) {
                    snprintf(msg, sizeof(msg), "unexpected '%c'", c);
                    return fail_at(lx, start, msg);
                }
                if (br->stack[br->depth - 1] != c) {
                    snprintf(msg, sizeof(msg), "unexpected '%c', expected '%c'", c,
                             br->stack[br->depth - 1]);
                    return fail_at(lx, start, msg);
                }
                br->depth--;
            }
            push(lx, TK_OP, start, start + n)->str = *op;
            lx->pos = start + n;
            return 0;
        }
    }
    char msg[64];
    snprintf(msg, sizeof(msg), "unexpected char '%c'", lx->s[start]);
    return fail_at(lx, start, msg);
}

/* Returns the length of the closing delimiter at lx->pos ("}}", "-}}", "%}", "+%}"...) or 0. */
static size_t match_close(const struct lexer *lx, bool block, char *sign)
{
    const char *s = lx->s + lx->pos;
    size_t left = lx->len - lx->pos;
    char c = block ? '%' : '}';

    *sign = 0;
    if (left >= 3 && (s[0] == '-' || (block && s[0] == '+')) && s[1] == c && s[2] == '}') {
        *sign = s[0];
        return 3;
    }
    if (left >= 2 && s[0] == c && s[1] == '}') {
        return 2;
    }
    return 0;
}

/* Lexes the inside of a {{ }} or {% %} tag; lx->pos is just past the opening delimiter. */
static int lex_tag(struct lexer *lx, size_t tag_start, bool block)
{
    struct brackets br = { .depth = 0 };

    for (;;) {
        char sign, c;
        size_t n;

        while (lx->pos < lx->len && is_space(lx->s[lx->pos])) {
            lx->pos++;
        }
        if (lx->pos >= lx->len) {
            return fail_at(lx, tag_start, block ? "unexpected end of template, expected '%}'"
                                                : "unexpected end of template, expected '}}'");
        }
        n = br.depth == 0 ? match_close(lx, block, &sign) : 0;
        if (n) {
            push(lx, block ? TK_BLOCK_END : TK_VAR_END, lx->pos, lx->pos + n);
            lx->pos += n;
            if (block) {
                lx->pos = after_block_end(lx, lx->pos, sign);
            } else if (sign == '-') {
                while (lx->pos < lx->len && is_space(lx->s[lx->pos])) {
                    lx->pos++;
                }
            }
            return 0;
        }
        c = lx->s[lx->pos];
        if (c == '\'' || c == '"') {
            if (lex_string(lx) < 0) {
                return -1;
            }
        } else if (is_digit(c)) {
            if (lex_number(lx) < 0) {
                return -1;
            }
        } else if (c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            size_t start = lx->pos;

            while (lx->pos < lx->len && (lx->s[lx->pos] == '_' || is_digit(lx->s[lx->pos]) ||
                                         (lx->s[lx->pos] >= 'a' && lx->s[lx->pos] <= 'z') ||
                                         (lx->s[lx->pos] >= 'A' && lx->s[lx->pos] <= 'Z'))) {
                lx->pos++;
            }
            push(lx, TK_NAME, start, lx->pos);
        } else if (lex_operator(lx, &br) < 0) {
            return -1;
        }
    }
}

/* One step of the top level: data up to the next tag, then the tag. */
static int lex_step(struct lexer *lx, bool *line_starting)
{
    size_t at = find_tag(lx, lx->pos), data_end = at;
    char kind, sign, os, cs;
    size_t raw_end;

    if (at >= lx->len) {
        push_data(lx, lx->pos, lx->len);
        lx->pos = lx->len;
        return 0;
    }
    kind = lx->s[at + 1];
    sign = (at + 2 < lx->len && (lx->s[at + 2] == '-' || lx->s[at + 2] == '+')) ? lx->s[at + 2] : 0;
    strip_before(lx, lx->pos, &data_end, sign, kind != '{', *line_starting);
    push_data(lx, lx->pos, data_end);
    if (kind == '#') {
        if (lex_comment(lx, at, &lx->pos) < 0) {
            return -1;
        }
    } else if (kind == '%' && match_word_tag(lx, at, "raw", &os, &cs, &raw_end)) {
        lx->pos = lex_raw(lx, at, raw_end, cs);
        if (lx->pos == 0) {
            return -1;
        }
    } else {
        push(lx, kind == '%' ? TK_BLOCK_BEGIN : TK_VAR_BEGIN, at, at + 2 + (sign ? 1 : 0));
        lx->pos = at + 2 + (sign ? 1 : 0);
        if (lex_tag(lx, at, kind == '%') < 0) {
            return -1;
        }
    }
    *line_starting = lx->pos > 0 && lx->s[lx->pos - 1] == '\n';
    return 0;
}

int tpl_lex(struct tpl *t, struct tpl_tok **toks_out, size_t *count_out, struct err *err)
{
    struct lexer lx = { .t = t, .s = t->src, .len = t->len, .cur_line = 1, .cur_col = 1,
                        .err = err };
    bool line_starting = true;

    while (lx.pos < lx.len) {
        if (lex_step(&lx, &line_starting) < 0) {
            free(lx.toks);
            return -1;
        }
    }
    push(&lx, TK_EOF, lx.len, lx.len);
    *toks_out = lx.toks;
    *count_out = lx.ntoks;
    return 0;
}
