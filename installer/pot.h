/*
 * pot.h - the first include of every .c file in installer/ and tests/.
 * Feature macros, the standard headers every file needs, attributes, BUG(), and banned.h.
 */
#ifndef POT_H
#define POT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define PRINTF_LIKE(fmt_index, args_index) __attribute__((format(printf, fmt_index, args_index)))
#define WARN_UNUSED __attribute__((warn_unused_result))
#define NORETURN __attribute__((noreturn))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* BUG: a state that cannot happen. Prints where and aborts; never for user errors. */
NORETURN void pot_bug(const char *file, int line, const char *msg);
#define BUG(msg) pot_bug(__FILE__, __LINE__, (msg))

#define POT_VERSION "0.1.0"

#include "base/banned.h"

#endif
