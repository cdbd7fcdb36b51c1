/*
 * strutil.h - small string helpers: strict number parsing, prefixes, trimming, replacing,
 * random hex names.
 */
#ifndef STRUTIL_H
#define STRUTIL_H

/* Parses a whole decimal integer (optional sign, surrounding spaces allowed). Returns 0 or -1. */
int parse_int(const char *s, int64_t *out);
/* Parses a whole floating point number. Returns 0 or -1. */
int parse_double(const char *s, double *out);
bool str_starts_with(const char *s, const char *prefix);
bool str_ends_with(const char *s, const char *suffix);
/* Returns a new string without leading and trailing ASCII whitespace. */
char *str_trim(const char *s);
/* Returns a new string with every 'from' replaced by 'to'. */
char *str_replace_all(const char *s, const char *from, const char *to);
/* Returns a new string of 32 random lowercase hex digits (temp names, markers, prompt keys). */
char *str_random_hex(void);
/* The value 0..15 of one hex digit (either case), or -1. */
int str_hex_digit(char c);
/* "256M" -> bytes into *out: a positive whole number with an optional K, M or G (powers of 1024,
 * either case). false when 's' is not one or overflows. */
bool str_parse_size(const char *s, uint64_t *out);
/* Ansible's boolean of a setting's text: 1 for yes/true/on/1/y/t, 0 for no/false/off/0/n/f (any
 * case), -1 for anything else. */
int str_ansible_bool(const char *s);

#endif
