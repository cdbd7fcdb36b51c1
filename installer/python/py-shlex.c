/*
 * py-shlex.c - Python's shlex.split (py-shlex.h): shlex.shlex.read_token's states in POSIX mode
 * with whitespace_split, '\'' and '"' as quotes, '\\' as the escape and '"' as the only quote
 * that honours it.
 */
#include "pot.h"
#include "base/buf.h"
#include "base/vec.h"
#include "python/py-shlex.h"

/* The states of read_token: between words, in a word, in quotes, after an escape. */
enum state {
    BETWEEN = ' ',
    WORD = 'a',
    SINGLE = '\'',
    DOUBLE = '"',
    ESCAPE = '\\',
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n'; /* shlex.whitespace */
}

/* A character in quotes: SINGLE keeps everything, DOUBLE honours the escape. */
static void in_quotes(enum state *state, enum state *escaped_from, char c, struct buf *word)
{
    if (c == (char)*state) {
        *state = WORD;
    } else if (c == '\\' && *state == DOUBLE) {
        *escaped_from = *state;
        *state = ESCAPE;
    } else {
        buf_addc(word, c);
    }
}

/* The character after an escape: in double quotes only '"' and '\' lose the backslash. */
static void after_escape(enum state *state, enum state escaped_from, char c, struct buf *word)
{
    if (escaped_from == DOUBLE && c != '\\' && c != '"') {
        buf_addc(word, '\\');
    }
    buf_addc(word, c);
    *state = escaped_from;
}

int py_shlex_split(const char *s, bool comments, struct svec *out, const char **why)
{
    struct buf word = BUF_INIT;
    enum state state = BETWEEN, escaped_from = WORD;
    bool quoted = false; /* the word had quotes: '' is a word */
    int ret = 0;

    for (;; s++) {
        char c = *s;

        if ((state == SINGLE || state == DOUBLE || state == ESCAPE) && !c) {
            *why = state == ESCAPE ? "No escaped character" : "No closing quotation";
            ret = -1;
            break;
        }
        if (state == SINGLE || state == DOUBLE) {
            quoted = true;
            in_quotes(&state, &escaped_from, c, &word);
        } else if (state == ESCAPE) {
            after_escape(&state, escaped_from, c, &word);
        } else if (!c || is_space(c) || (comments && c == '#')) {
            if (state == WORD && (word.len > 0 || quoted)) {
                svec_push(out, word.ptr ? word.ptr : "");
            }
            buf_reset(&word);
            quoted = false;
            state = BETWEEN;
            if (!c || c == '#') {
                break; /* the end, or a comment to the end of the line */
            }
        } else if (c == '\'' || c == '"') {
            state = (enum state)c;
        } else if (c == '\\') {
            escaped_from = WORD;
            state = ESCAPE;
        } else {
            state = WORD;
            buf_addc(&word, c);
        }
    }
    buf_release(&word);
    return ret;
}
