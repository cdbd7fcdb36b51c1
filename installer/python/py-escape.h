/*
 * py-escape.h - decoding one backslash escape of a Python string literal ('\n', '\x41', '\u00e9',
 * '\101', ...) into UTF-8 (or a byte, for b'' literals). The template lexer, literal_eval
 * (INI inventory values, a template's literal-looking text) and Ansible's k=v unescaping all
 * decode through here; each passes the flags that give its own rules.
 */
#ifndef PY_ESCAPE_H
#define PY_ESCAPE_H

struct buf;

/* Which escapes a caller takes, beyond \\ \' \" \n \r \t and \xHH \uHHHH \UHHHHHHHH. */
enum pyesc_flags {
    PYESC_CONTROL = 1 << 0,      /* \a \b \f \v */
    PYESC_OCTAL = 1 << 1,        /* \0 to \777: one to three octal digits */
    PYESC_CONTINUATION = 1 << 2, /* backslash-newline is removed (a line continuation) */
    PYESC_STRICT = 1 << 3,       /* a malformed \x \u \U or one past U+10FFFF is an error */
    PYESC_NAME_FAILS = 1 << 4,   /* \N{NAME} is an error (there is no Unicode name table) */
    PYESC_BYTES = 1 << 5,        /* a b'' literal: \x and octal give one byte; \u \U \N are
                                    not escapes */
};

/* Everything a Python str literal decodes that pot can: the Jinja2 lexer's set. */
#define PYESC_PYTHON (PYESC_CONTROL | PYESC_OCTAL | PYESC_CONTINUATION)

/*
 * Decodes the escape starting at s[0] == '\\' and appends its value to 'out'. Reads at most
 * 'len' bytes of 's' and never past a NUL (pass SIZE_MAX for NUL-terminated text). Returns the
 * bytes consumed from 's', backslash included: 1 when the escape is not one (unknown letter,
 * malformed without PYESC_STRICT, nothing after the backslash), after appending the backslash
 * alone so the next character is read as itself, like Python keeps "\q". Returns -1, appending
 * nothing, for an error under PYESC_STRICT or PYESC_NAME_FAILS; the caller adds the position.
 */
int pyesc_decode(const char *s, size_t len, unsigned flags, struct buf *out);

#endif
