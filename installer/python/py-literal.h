/*
 * py-literal.h - Python's ast.literal_eval, as Ansible applies it in two places: the INI
 * inventory plugin's _parse_value (plain literal_eval) and ansible_eval_concat, which turns a
 * template's text that looks like a list, dict or bool into one (literal_eval after Json2Python,
 * which lets JSON's true, false and null stand for True, False and None).
 *
 * Literals: ints (0x1F, 0o17, 0b1, 1_000; one sign), floats (1.5, 1e3, .5), strings (quotes,
 * triple quotes, r/u/b prefixes, Python's escapes, adjacent ones joined), True/False/None,
 * lists, tuples (also bare "1, 2"), dicts and sets (kept as lists), '#' comments, newlines
 * inside brackets. Known gaps: complex numbers, integers beyond 64 bits and \N{NAME} escapes are
 * "not a literal".
 */
#ifndef PY_LITERAL_H
#define PY_LITERAL_H

#include <stddef.h>

struct val;

#define PY_LITERAL_MAX_NESTING 100 /* brackets inside brackets */

struct py_literal_opts {
    int json_names;       /* true, false and null are literals too (Json2Python) */
    unsigned tuple_flags; /* set in the flags of the list a tuple becomes */
};

/* The value of 'len' bytes of 'text' as literal_eval gives it (dict keys that are not strings
 * named as json.dumps names them: 1, 2.5, true, null), or NULL when it is not a literal
 * (anything literal_eval rejects, a NUL byte, nesting past PY_LITERAL_MAX_NESTING). */
struct val *py_literal_eval(const char *text, size_t len, const struct py_literal_opts *o);

#endif
