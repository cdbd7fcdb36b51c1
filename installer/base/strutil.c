/*
 * strutil.c - strict number parsing and small string helpers.
 */
#include "pot.h"
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include "base/buf.h"
#include "base/strutil.h"
#include "base/xalloc.h"

int parse_int(const char *s, int64_t *out)
{
    char *end = NULL;
    long long v;

    while (isspace((unsigned char)*s)) {
        s++;
    }
    if (!*s) {
        return -1;
    }
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || end == s) {
        return -1;
    }
    while (isspace((unsigned char)*end)) {
        end++;
    }
    if (*end) {
        return -1;
    }
    *out = v;
    return 0;
}

int parse_double(const char *s, double *out)
{
    char *end = NULL;
    double v;

    while (isspace((unsigned char)*s)) {
        s++;
    }
    if (!*s) {
        return -1;
    }
    errno = 0;
    v = strtod(s, &end);
    if (errno == ERANGE || end == s) {
        return -1;
    }
    while (isspace((unsigned char)*end)) {
        end++;
    }
    if (*end) {
        return -1;
    }
    *out = v;
    return 0;
}

bool str_starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s);
    size_t m = strlen(suffix);

    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

char *str_trim(const char *s)
{
    const char *end;

    while (isspace((unsigned char)*s)) {
        s++;
    }
    end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1])) {
        end--;
    }
    return xstrndup(s, (size_t)(end - s));
}

char *str_replace_all(const char *s, const char *from, const char *to)
{
    struct buf out = BUF_INIT;
    size_t flen = strlen(from);
    const char *hit;

    if (!flen) {
        return xstrdup(s);
    }
    hit = strstr(s, from);
    while (hit != NULL) {
        buf_add(&out, s, (size_t)(hit - s));
        buf_adds(&out, to);
        s = hit + flen;
        hit = strstr(s, from);
    }
    buf_adds(&out, s);
    return buf_detach(&out, NULL);
}

int str_hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

char *str_random_hex(void)
{
    unsigned char bytes[16];
    struct buf hex = BUF_INIT;
    size_t got = 0;

    while (got < sizeof(bytes)) {
        ssize_t n = getrandom(bytes + got, sizeof(bytes) - got, 0);

        if (n > 0) {
            got += (size_t)n;
        }
    }
    for (size_t i = 0; i < sizeof(bytes); i++) {
        buf_addf(&hex, "%02x", bytes[i]);
    }
    return buf_detach(&hex, NULL);
}

bool str_parse_size(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long n = strtoull(s, &end, 10);
    int shift = 0;

    if (end != s && *end && !end[1]) {
        const char *units = "KMG", *u = strchr(units, end[0] & ~0x20);

        shift = u ? 10 * (int)(u - units + 1) : -1;
        end += u ? 1 : 0;
    }
    if (*s == '-' || end == s || *end || shift < 0 || n == 0 || n > (UINT64_MAX >> shift)) {
        return false;
    }
    *out = (uint64_t)n << shift;
    return true;
}

int str_ansible_bool(const char *s)
{
    static const char *const yes[] = { "yes", "true", "on", "1", "y", "t" };
    static const char *const no[] = { "no", "false", "off", "0", "n", "f" };

    for (size_t i = 0; s && i < ARRAY_SIZE(yes); i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            return 1;
        }
        if (strcasecmp(s, no[i]) == 0) {
            return 0;
        }
    }
    return -1;
}
