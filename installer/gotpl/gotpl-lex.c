/*
 * gotpl-lex.c - text/template's lexer: template text -> tokens, as Go's text/template/parse/lex.go
 * splits it. Trim markers ("{{- " and " -}}") eat the whitespace next to the action, comments
 * (a slash-star comment filling an action) vanish, spaces inside actions are tokens (they
 * separate arguments), strings and character constants are decoded with Go's escapes. Columns
 * count bytes, 1-based.
 */
#include "pot.h"
#include <string.h>
#include "base/xalloc.h"
#include "gotpl/gotpl-int.h"

struct lexer {
    const char *name;
    const char *s;
    size_t len;
    size_t pos;
    int line; /* line of 'line_start' */
    size_t line_start;
    size_t scanned; /* newlines before this offset are counted in 'line' */
    int paren_depth;
    struct arena *arena;
    struct gtoks *out;
    struct err *err;
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_alnum(unsigned char c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c >= 0x80;
}

/* Line and column of byte 'off' (offsets are asked for in increasing order). */
/* Line and column of 'off'. Tokens come in order, so the newlines are counted once, from where
 * the last call stopped (a long line costs nothing per token); an earlier offset (an error about
 * an opening token) is counted afresh. */
static void pos_of(struct lexer *lx, size_t off, int *line, int *col)
{
    size_t end = off < lx->len ? off : lx->len;

    if (end < lx->scanned) {
        size_t start = 0;

        *line = 1;
        for (size_t i = 0; i < end; i++) {
            if (lx->s[i] == '\n') {
                (*line)++;
                start = i + 1;
            }
        }
        *col = (int)(off - start) + 1;
        return;
    }
    for (size_t i = lx->scanned; i < end; i++) {
        if (lx->s[i] == '\n') {
            lx->line++;
            lx->line_start = i + 1;
        }
    }
    lx->scanned = end;
    *line = lx->line;
    *col = (int)(off - lx->line_start) + 1;
}

static int fail(struct lexer *lx, size_t off, const char *fmt, const char *arg)
{
    struct srcpos p = { lx->name, 0, 0 };

    pos_of(lx, off, &p.line, &p.col);
    return err_at(lx->err, ERR_PARSE, &p, fmt, arg);
}

static struct gtok *emit_str(struct lexer *lx, enum gtok_kind kind, size_t start, size_t end,
                             const char *str, size_t len)
{
    struct gtok *tk;

    xgrow((void **)&lx->out->items, &lx->out->cap, lx->out->len + 1, sizeof(*tk));
    tk = &lx->out->items[lx->out->len++];
    tk->kind = kind;
    tk->str = arena_strndup(lx->arena, str, len);
    tk->len = len;
    tk->off = start;
    tk->end = end;
    pos_of(lx, start, &tk->line, &tk->col);
    return tk;
}

static struct gtok *emit(struct lexer *lx, enum gtok_kind kind, size_t start, size_t end)
{
    return emit_str(lx, kind, start, end, lx->s + start, end - start);
}

static bool at(const struct lexer *lx, size_t off, const char *lit)
{
    size_t n = strlen(lit);

    return off + n <= lx->len && memcmp(lx->s + off, lit, n) == 0;
}

/* Whether a right delimiter starts at 'off': "}}" or a space then "-}}". */
static bool at_right(const struct lexer *lx, size_t off, bool *trim)
{
    if (at(lx, off, "}}")) {
        *trim = false;
        return true;
    }
    if (off < lx->len && is_space(lx->s[off]) && at(lx, off + 1, "-}}")) {
        *trim = true;
        return true;
    }
    return false;
}

static bool at_terminator(const struct lexer *lx, size_t off)
{
    bool trim;
    char c;

    if (off >= lx->len) {
        return true;
    }
    c = lx->s[off];
    if (is_space(c) || strchr(".,|:()", c)) {
        return true;
    }
    return at_right(lx, off, &trim);
}

/* Decodes one Go escape at s[*i] (just after the backslash) into 'out'. */
static int decode_escape(struct lexer *lx, const char *s, size_t end, size_t *i, char quote,
                         struct buf *out)
{
    char c = s[*i];
    int ndig = 0;
    uint32_t cp = 0;

    (*i)++;
    switch (c) {
    case 'a':
        buf_addc(out, '\a');
        return 0;
    case 'b':
        buf_addc(out, '\b');
        return 0;
    case 'f':
        buf_addc(out, '\f');
        return 0;
    case 'n':
        buf_addc(out, '\n');
        return 0;
    case 'r':
        buf_addc(out, '\r');
        return 0;
    case 't':
        buf_addc(out, '\t');
        return 0;
    case 'v':
        buf_addc(out, '\v');
        return 0;
    case '\\':
        buf_addc(out, '\\');
        return 0;
    case 'x':
        ndig = 2;
        break;
    case 'u':
        ndig = 4;
        break;
    case 'U':
        ndig = 8;
        break;
    default:
        if (c == quote) {
            buf_addc(out, c);
            return 0;
        }
        if (c >= '0' && c <= '7') {
            unsigned v = (unsigned)(c - '0');

            for (int k = 0; k < 2; k++, (*i)++) {
                if (*i >= end || s[*i] < '0' || s[*i] > '7') {
                    return -1;
                }
                v = v * 8 + (unsigned)(s[*i] - '0');
            }
            if (v > 255) {
                return -1;
            }
            buf_addc(out, (char)v);
            return 0;
        }
        return -1;
    }
    for (int k = 0; k < ndig; k++, (*i)++) {
        int d = *i < end ? (s[*i] >= '0' && s[*i] <= '9'   ? s[*i] - '0'
                            : s[*i] >= 'a' && s[*i] <= 'f' ? s[*i] - 'a' + 10
                            : s[*i] >= 'A' && s[*i] <= 'F' ? s[*i] - 'A' + 10
                                                           : -1)
                         : -1;

        if (d < 0) {
            return -1;
        }
        cp = cp * 16 + (uint32_t)d;
    }
    (void)lx;
    if (c == 'x') {
        buf_addc(out, (char)cp);
    } else if (cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000)) {
        return -1;
    } else {
        buf_add_utf8(out, cp);
    }
    return 0;
}

static int lex_quote(struct lexer *lx)
{
    size_t start = lx->pos;
    struct buf val = BUF_INIT;
    size_t i = start + 1;

    for (;;) {
        if (i >= lx->len || lx->s[i] == '\n') {
            buf_release(&val);
            return fail(lx, start, "%sunterminated quoted string", "");
        }
        if (lx->s[i] == '"') {
            break;
        }
        if (lx->s[i] == '\\') {
            i++;
            if (i >= lx->len || decode_escape(lx, lx->s, lx->len, &i, '"', &val) < 0) {
                buf_release(&val);
                return fail(lx, start, "%sinvalid syntax in quoted string", "");
            }
            continue;
        }
        buf_addc(&val, lx->s[i]);
        i++;
    }
    emit_str(lx, GT_STRING, start, i + 1, val.ptr, val.len);
    buf_release(&val);
    lx->pos = i + 1;
    return 0;
}

static int lex_raw(struct lexer *lx)
{
    size_t start = lx->pos;
    const char *end = memchr(lx->s + start + 1, '`', lx->len - start - 1);
    struct buf val = BUF_INIT;

    if (!end) {
        return fail(lx, start, "%sunterminated raw quoted string", "");
    }
    /* Go drops carriage returns from raw strings. */
    for (const char *p = lx->s + start + 1; p < end; p++) {
        if (*p != '\r') {
            buf_addc(&val, *p);
        }
    }
    emit_str(lx, GT_STRING, start, (size_t)(end - lx->s) + 1, val.ptr, val.len);
    buf_release(&val);
    lx->pos = (size_t)(end - lx->s) + 1;
    return 0;
}

static int lex_char(struct lexer *lx)
{
    size_t start = lx->pos;
    size_t i = start + 1;
    struct buf val = BUF_INIT;
    uint32_t cp = 0;
    int rc = 0;

    if (i < lx->len && lx->s[i] == '\\') {
        i++;
        if (i >= lx->len || decode_escape(lx, lx->s, lx->len, &i, '\'', &val) < 0) {
            rc = -1;
        }
    } else {
        const unsigned char *u = (const unsigned char *)lx->s + i;
        size_t n = u[0] < 0x80 ? 1 : u[0] < 0xE0 ? 2 : u[0] < 0xF0 ? 3 : 4;

        if (i + n > lx->len || u[0] == '\n' || u[0] == '\'') {
            rc = -1;
        } else {
            buf_add(&val, u, n);
            i += n;
        }
    }
    if (rc < 0 || i >= lx->len || lx->s[i] != '\'') {
        buf_release(&val);
        return fail(lx, start, "%sunterminated character constant", "");
    }
    /* decode the one UTF-8 sequence */
    {
        const unsigned char *u = (const unsigned char *)val.ptr;

        if (val.len == 1) {
            cp = u[0];
        } else if (val.len == 2) {
            cp = ((u[0] & 0x1Fu) << 6) | (u[1] & 0x3Fu);
        } else if (val.len == 3) {
            cp = ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
        } else if (val.len == 4) {
            cp = ((u[0] & 0x07u) << 18) | ((u[1] & 0x3Fu) << 12) | ((u[2] & 0x3Fu) << 6) |
                 (u[3] & 0x3Fu);
        }
    }
    buf_release(&val);
    lx->pos = i + 1;
    {
        char num[16];
        int n = snprintf(num, sizeof(num), "%u", (unsigned)cp);

        emit_str(lx, GT_CHAR, start, i + 1, num, (size_t)n);
    }
    return 0;
}

static size_t accept_run(const struct lexer *lx, size_t i, const char *valid)
{
    while (i < lx->len && lx->s[i] && strchr(valid, lx->s[i])) {
        i++;
    }
    return i;
}

static int lex_number(struct lexer *lx)
{
    size_t start = lx->pos;
    size_t i = start;
    const char *digits = "0123456789_";
    char base = 'd';

    if (i < lx->len && (lx->s[i] == '+' || lx->s[i] == '-')) {
        i++;
    }
    if (i + 1 < lx->len && lx->s[i] == '0' && strchr("xXoObB", lx->s[i + 1])) {
        base = (char)(lx->s[i + 1] | 0x20);
        i += 2;
        digits = base == 'x' ? "0123456789abcdefABCDEF_" : base == 'o' ? "01234567_" : "01_";
    }
    i = accept_run(lx, i, digits);
    if (i < lx->len && lx->s[i] == '.') {
        i = accept_run(lx, i + 1, digits);
    }
    /* As Go's scanNumber: an 'e' exponent only after decimal digits, a 'p' one after hex. */
    if (i < lx->len && lx->s[i] && (base == 'd' || base == 'x') &&
        strchr(base == 'x' ? "pP" : "eE", lx->s[i])) {
        i++;
        if (i < lx->len && (lx->s[i] == '+' || lx->s[i] == '-')) {
            i++;
        }
        i = accept_run(lx, i, "0123456789_");
    }
    if (i < lx->len && lx->s[i] == 'i') {
        i++;
    }
    if (i < lx->len && is_alnum((unsigned char)lx->s[i])) {
        char *bad = xstrndup(lx->s + start, i + 1 - start);

        fail(lx, start, "bad number syntax: \"%s\"", bad);
        free(bad);
        return -1;
    }
    emit(lx, GT_NUMBER, start, i);
    lx->pos = i;
    return 0;
}

static const struct {
    const char *word;
    enum gtok_kind kind;
} keywords[] = {
    { "block", GT_BLOCK },       { "break", GT_BREAK },
    { "continue", GT_CONTINUE }, { "define", GT_DEFINE },
    { "else", GT_ELSE },         { "end", GT_END },
    { "false", GT_BOOL },        { "if", GT_IF },
    { "nil", GT_NIL },           { "range", GT_RANGE },
    { "template", GT_TEMPLATE }, { "true", GT_BOOL },
    { "with", GT_WITH },
};

static int lex_word(struct lexer *lx, enum gtok_kind kind, size_t skip)
{
    size_t start = lx->pos;
    size_t i = start + skip;

    while (i < lx->len && is_alnum((unsigned char)lx->s[i])) {
        i++;
    }
    if (!at_terminator(lx, i)) {
        char bad[8] = { lx->s[i], 0 };

        return fail(lx, i, "bad character '%s'", bad);
    }
    if (kind == GT_IDENT) {
        for (size_t k = 0; k < ARRAY_SIZE(keywords); k++) {
            if (strlen(keywords[k].word) == i - start &&
                memcmp(keywords[k].word, lx->s + start, i - start) == 0) {
                kind = keywords[k].kind;
                break;
            }
        }
    }
    if (kind == GT_FIELD) {
        emit(lx, kind, start + 1, i)->off = start;
    } else {
        emit(lx, kind, start, i);
    }
    lx->pos = i;
    return 0;
}

/* Lexes the inside of one action, up to and including its right delimiter. */
static int lex_action(struct lexer *lx)
{
    for (;;) {
        bool trim = false;
        char c;

        if (at_right(lx, lx->pos, &trim)) {
            if (lx->paren_depth > 0) {
                return fail(lx, lx->pos, "%sunclosed left paren", "");
            }
            emit(lx, GT_RIGHT, lx->pos, lx->pos + (trim ? 4 : 2));
            lx->pos += trim ? 4 : 2;
            if (trim) {
                while (lx->pos < lx->len && is_space(lx->s[lx->pos])) {
                    lx->pos++;
                }
            }
            return 0;
        }
        if (lx->pos >= lx->len) {
            return fail(lx, lx->pos, "%sunclosed action", "");
        }
        c = lx->s[lx->pos];
        if (is_space(c)) {
            size_t start = lx->pos;

            while (lx->pos < lx->len && is_space(lx->s[lx->pos]) && !at_right(lx, lx->pos, &trim)) {
                lx->pos++;
            }
            if (lx->pos > start) {
                emit(lx, GT_SPACE, start, lx->pos);
            }
            continue;
        }
        switch (c) {
        case '=':
            emit(lx, GT_ASSIGN, lx->pos, lx->pos + 1);
            lx->pos++;
            continue;
        case ':':
            if (!at(lx, lx->pos, ":=")) {
                return fail(lx, lx->pos, "%sexpected :=", "");
            }
            emit(lx, GT_DECLARE, lx->pos, lx->pos + 2);
            lx->pos += 2;
            continue;
        case '|':
            emit(lx, GT_PIPE, lx->pos, lx->pos + 1);
            lx->pos++;
            continue;
        case ',':
            emit(lx, GT_COMMA, lx->pos, lx->pos + 1);
            lx->pos++;
            continue;
        case '(':
            if (++lx->paren_depth > GOTPL_MAX_PARSE_DEPTH) {
                return fail(lx, lx->pos, "%smax expression depth exceeded", "");
            }
            emit(lx, GT_LPAREN, lx->pos, lx->pos + 1);
            lx->pos++;
            continue;
        case ')':
            if (--lx->paren_depth < 0) {
                return fail(lx, lx->pos, "%sunexpected right paren U+0029 ')'", "");
            }
            emit(lx, GT_RPAREN, lx->pos, lx->pos + 1);
            lx->pos++;
            continue;
        case '"':
            if (lex_quote(lx) < 0) {
                return -1;
            }
            continue;
        case '`':
            if (lex_raw(lx) < 0) {
                return -1;
            }
            continue;
        case '\'':
            if (lex_char(lx) < 0) {
                return -1;
            }
            continue;
        case '$':
            if (lex_word(lx, GT_VAR, 1) < 0) {
                return -1;
            }
            continue;
        case '.':
            if (lx->pos + 1 < lx->len && lx->s[lx->pos + 1] >= '0' && lx->s[lx->pos + 1] <= '9') {
                if (lex_number(lx) < 0) {
                    return -1;
                }
                continue;
            }
            if (at_terminator(lx, lx->pos + 1)) {
                emit(lx, GT_DOT, lx->pos, lx->pos + 1);
                lx->pos++;
                continue;
            }
            if (lex_word(lx, GT_FIELD, 1) < 0) {
                return -1;
            }
            continue;
        default:
            break;
        }
        if (c == '+' || c == '-' || (c >= '0' && c <= '9')) {
            if (lex_number(lx) < 0) {
                return -1;
            }
            continue;
        }
        if (is_alnum((unsigned char)c)) {
            if (lex_word(lx, GT_IDENT, 0) < 0) {
                return -1;
            }
            continue;
        }
        {
            char bad[8] = { c, 0 };

            if ((unsigned char)c > ' ' && (unsigned char)c < 0x7F) {
                return fail(lx, lx->pos, "unexpected \"%s\" in command", bad);
            }
            snprintf(bad, sizeof(bad), "%02X", (unsigned char)c);
            return fail(lx, lx->pos, "unrecognized character in action: U+00%s", bad);
        }
    }
}

/* Skips a comment starting at lx->pos (slash, star); a left trim marker is already applied. */
static int lex_comment(struct lexer *lx, size_t left)
{
    const char *end = NULL;
    bool trim = false;

    for (size_t i = lx->pos + 2; i + 1 < lx->len; i++) {
        if (lx->s[i] == '*' && lx->s[i + 1] == '/') {
            end = lx->s + i;
            break;
        }
    }
    if (!end) {
        return fail(lx, left, "%sunclosed comment", "");
    }
    lx->pos = (size_t)(end - lx->s) + 2;
    if (!at_right(lx, lx->pos, &trim)) {
        return fail(lx, left, "%scomment ends before closing delimiter", "");
    }
    lx->pos += trim ? 4 : 2;
    if (trim) {
        while (lx->pos < lx->len && is_space(lx->s[lx->pos])) {
            lx->pos++;
        }
    }
    return 0;
}

int gotpl_lex(const char *name, const char *text, struct arena *arena, struct gtoks *out,
              struct err *err)
{
    struct lexer lx = { .name = name,
                        .s = text,
                        .len = strlen(text),
                        .line = 1,
                        .arena = arena,
                        .out = out,
                        .err = err };

    while (lx.pos < lx.len) {
        const char *open = strstr(lx.s + lx.pos, "{{");
        size_t left = open ? (size_t)(open - lx.s) : lx.len;
        size_t text_end = left;
        bool trim_left = false;

        if (open && left + 3 < lx.len + 1 && lx.s[left + 2] == '-' && left + 3 < lx.len &&
            is_space(lx.s[left + 3])) {
            trim_left = true;
            while (text_end > lx.pos && is_space(lx.s[text_end - 1])) {
                text_end--;
            }
        }
        if (text_end > lx.pos) {
            emit(&lx, GT_TEXT, lx.pos, text_end);
        }
        if (!open) {
            lx.pos = lx.len;
            break;
        }
        lx.pos = left + (trim_left ? 4 : 2);
        if (at(&lx, lx.pos, "/*")) {
            if (lex_comment(&lx, left) < 0) {
                return -1;
            }
            continue;
        }
        emit(&lx, GT_LEFT, left, lx.pos);
        lx.paren_depth = 0;
        if (lex_action(&lx) < 0) {
            return -1;
        }
    }
    emit(&lx, GT_EOF, lx.len, lx.len);
    return 0;
}
