/*
 * prompt.h - questions to the operator: the one way pot asks (the -k/-K passwords of `pot play`,
 * `pot uninstall`'s confirmation). The question goes to the terminal (/dev/tty) and the answer
 * comes from it, with echo off for a secret; without a terminal the answer is a line of standard
 * input, as Python's getpass falls back.
 */
#ifndef CLI_PROMPT_H
#define CLI_PROMPT_H

#include <stdbool.h>

struct buf;
struct err;

/* Asks 'question' and appends the answer, one line without its newline, to 'answer'. A 'secret'
 * is read without echo and registered as a secret (log redaction). Returns 0, or -1 with ERR_IO
 * when the input ends before any byte of an answer. */
int cli_ask(const char *question, bool secret, struct buf *answer, struct err *err);

#endif
