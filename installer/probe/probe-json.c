/*
 * probe-json.c - the probe's JSON strings (probe-json.h).
 */
#include <stdio.h>
#include "probe/probe-json.h"

void probe_json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;

        if (ch == '"' || ch == '\\') {
            printf("\\%c", ch);
        } else if (ch < 0x20) {
            printf("\\u%04x", ch);
        } else {
            putchar(ch);
        }
    }
    putchar('"');
}
