/*
 * inv-addr.c - host addresses as Ansible reads them in inventories: parse_address() (host,
 * optional :port or [host]:port, validated as IPv4, IPv6 or hostname, ranges allowed) and
 * expand_hostname_range() (db[01:10:3], web[a:f], several ranges per name).
 */
#include "pot.h"
#include <arpa/inet.h>
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "inventory/inv-impl.h"

#define MAX_RANGE_HOSTS 1000000

static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Python's \w under re.UNICODE; any non-ASCII byte counts as part of a word. */
static bool is_word(char c)
{
    return is_digit(c) || is_alpha(c) || c == '_' || (unsigned char)c >= 0x80;
}

static bool all_digits(const char *s, size_t len)
{
    if (len == 0) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (!is_digit(s[i])) {
            return false;
        }
    }
    return true;
}

/* Length of a "[b:e]" or "[b:e:step]" range at s (numeric, or one letter each when 'alpha'),
 * or 0. */
static size_t range_len(const char *s, bool alpha)
{
    const char *p = s + 1;
    const char *q;

    if (*s != '[') {
        return 0;
    }
    if (alpha && is_alpha(p[0]) && p[1] == ':' && is_alpha(p[2])) {
        p += 3;
    } else {
        for (int part = 0; part < 2; part++) {
            q = p;
            while (is_digit(*p)) {
                p++;
            }
            if (p == q || (part == 0 && *p++ != ':')) {
                return 0;
            }
        }
    }
    if (*p == ':') {
        q = ++p;
        while (is_digit(*p)) {
            p++;
        }
        if (p == q) {
            return 0;
        }
    }
    return *p == ']' ? (size_t)(p + 1 - s) : 0;
}

static bool ipv4_component(const char *s, size_t len)
{
    int64_t n;
    char tmp[4];

    if (len > 0 && s[0] == '[') {
        return range_len(s, false) == len;
    }
    if (!all_digits(s, len) || len > 3) {
        return false;
    }
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    if (parse_int(tmp, &n) < 0) {
        return false;
    }
    /* [01]?[0-9]{1,2} | 2[0-4][0-9] | 25[0-5] */
    return len < 3 || s[0] == '0' || s[0] == '1' || n <= 255;
}

static bool is_ipv4(const char *s)
{
    int parts = 0;

    while (true) {
        size_t len = strcspn(s, ".");

        if (!ipv4_component(s, len)) {
            return false;
        }
        parts++;
        if (s[len] == '\0') {
            break;
        }
        s += len + 1;
    }
    return parts == 4;
}

static bool is_ipv6(const char *s)
{
    unsigned char addr[16];

    return strchr(s, ':') && !strchr(s, '[') && inet_pton(AF_INET6, s, addr) == 1;
}

bool inv_is_ip_address(const char *name)
{
    return is_ipv4(name) || is_ipv6(name);
}

/* label: (?:\w|range)(?:[\w-]|range)*(?<![_-]) */
static bool is_label(const char *s, size_t len)
{
    size_t i = 0;
    char last = 0;

    while (i < len) {
        size_t r = range_len(s + i, true);

        if (r > 0 && i + r <= len) {
            i += r;
            last = ']';
            continue;
        }
        if (!is_word(s[i]) && (i == 0 || s[i] != '-')) {
            return false;
        }
        last = s[i++];
    }
    return len > 0 && last != '_' && last != '-';
}

static bool is_hostname(const char *s)
{
    while (true) {
        size_t len = strcspn(s, ".");

        if (!is_label(s, len)) {
            return false;
        }
        if (s[len] == '\0') {
            return true;
        }
        s += len + 1;
    }
}

/* The 'hostport' regex: ((?:[^:\[\]]|\[[^\]]*\])*):([0-9]+)$. Returns the length of the host
 * part, or -1. */
static ssize_t hostport_split(const char *s)
{
    size_t i = 0;

    while (s[i] && s[i] != ':' && s[i] != ']') {
        if (s[i] == '[') {
            const char *close = strchr(s + i, ']');

            if (!close) {
                return -1;
            }
            i = (size_t)(close - s) + 1;
        } else {
            i++;
        }
    }
    return s[i] == ':' && all_digits(s + i + 1, strlen(s + i + 1)) ? (ssize_t)i : -1;
}

static int port_number(const char *digits)
{
    int64_t n;

    return parse_int(digits, &n) == 0 && n >= 0 && n <= INT32_MAX ? (int)n : 0;
}

/* parse_address(): the host part (new string) and *port, or NULL when invalid. */
static char *parse_address(const char *address, bool allow_ranges, int *port)
{
    char *host = xstrdup(address);
    size_t len = strlen(host);
    ssize_t split;

    *port = 0;
    if (len > 3 && host[0] == '[') {
        char *close = strstr(host, "]:");

        while (close && !all_digits(close + 2, strlen(close + 2))) {
            close = strstr(close + 1, "]:");
        }
        if (close && close > host + 1) {
            *port = port_number(close + 2);
            *close = '\0';
            memmove(host, host + 1, strlen(host + 1) + 1);
        }
    }
    split = hostport_split(host);
    if (split >= 0) {
        *port = port_number(host + split + 1);
        host[split] = '\0';
    }
    if ((!is_ipv4(host) && !is_ipv6(host) && !is_hostname(host)) ||
        (!allow_ranges && strchr(host, '['))) {
        free(host);
        return NULL;
    }
    return host;
}

bool inv_valid_address(const char *address)
{
    int port;
    char *host = parse_address(address, true, &port);

    free(host);
    return host != NULL;
}

int inv_parse_address(const char *address, char **host, int *port)
{
    *host = parse_address(address, false, port);
    return *host ? 0 : -1;
}

static int range_error(struct err *err, const struct srcpos *pos, const char *line,
                       const char *what)
{
    return err_at(err, ERR_PARSE, pos, "bad host range '%s': %s", line, what);
}

static int expand(const char *line, struct svec *names, const struct srcpos *pos,
                  struct err *err);

/* Appends head + item + tail, expanding further ranges in the tail. */
static int emit(const char *head, const char *item, const char *tail, struct svec *names,
                const struct srcpos *pos, struct err *err)
{
    char *name = xasprintf("%s%s%s", head, item, tail);
    int ret = 0;

    if (names->len >= MAX_RANGE_HOSTS) {
        ret = err_at(err, ERR_PARSE, pos, "host range yields more than %d hosts",
                     MAX_RANGE_HOSTS);
    } else if (strchr(name, '[')) {
        ret = expand(name, names, pos, err);
    } else {
        svec_push(names, name);
    }
    free(name);
    return ret;
}

static int expand_alpha(const char *head, const char *tail, size_t from, size_t to,
                        int64_t step, struct svec *names, const struct srcpos *pos,
                        struct err *err)
{
    for (size_t i = from; i <= to; i += (size_t)step) {
        char item[2] = { letters[i], '\0' };

        if (emit(head, item, tail, names, pos, err) < 0) {
            return -1;
        }
    }
    return 0;
}

static int expand_numeric(const char *line, const char *head, const char *tail, char **bounds,
                          int64_t step, int width, struct svec *names, const struct srcpos *pos,
                          struct err *err)
{
    int64_t beg;
    int64_t end;

    if (parse_int(bounds[0], &beg) < 0 || parse_int(bounds[1], &end) < 0) {
        return range_error(err, pos, line, "begin and end must be numbers or letters");
    }
    for (int64_t i = beg; step > 0 ? i < end + 1 : i > end + 1; i += step) {
        char *item = xasprintf("%0*lld", width, (long long)i);
        int ret = emit(head, item, tail, names, pos, err);

        free(item);
        if (ret < 0) {
            return -1;
        }
    }
    return 0;
}

/* expand_hostname_range(): splits at the first '[' and the first ']' like Python's
 * line.replace('[', '|', 1).replace(']', '|', 1).split('|'). */
static int expand_parts(const char *line, char **parts, struct svec *names,
                        const struct srcpos *pos, struct err *err)
{
    struct svec bounds = SVEC_INIT;
    const char *beg;
    const char *end;
    int64_t step = 1;
    int ret = -1;

    svec_split(&bounds, parts[1], ':');
    if (bounds.len != 2 && bounds.len != 3) {
        range_error(err, pos, line, "a range must be begin:end or begin:end:step");
        goto out;
    }
    beg = bounds.items[0][0] ? bounds.items[0] : "0";
    end = bounds.items[1];
    if (!end[0]) {
        range_error(err, pos, line, "a range must have an end value");
        goto out;
    }
    if (bounds.len == 3 && parse_int(bounds.items[2], &step) < 0) {
        range_error(err, pos, line, "the step must be a number");
        goto out;
    }
    if (step == 0) {
        range_error(err, pos, line, "the step must not be zero");
        goto out;
    }
    if (beg[0] == '0' && beg[1] && strlen(beg) != strlen(end)) {
        range_error(err, pos, line, "begin and end must have the same length");
        goto out;
    }
    if (strstr(letters, beg) && strstr(letters, end)) {
        size_t from = (size_t)(strstr(letters, beg) - letters);
        size_t to = (size_t)(strstr(letters, end) - letters);

        if (from > to) {
            range_error(err, pos, line, "begin must not be after end");
            goto out;
        }
        ret = step < 0 ? 0 : expand_alpha(parts[0], parts[2], from, to, step, names, pos, err);
    } else {
        char *numbers[2] = { (char *)beg, (char *)end };
        int width = beg[0] == '0' && beg[1] ? (int)strlen(beg) : 0;

        ret = expand_numeric(line, parts[0], parts[2], numbers, step, width, names, pos, err);
    }
out:
    svec_release(&bounds);
    return ret;
}

static int expand(const char *line, struct svec *names, const struct srcpos *pos,
                  struct err *err)
{
    char *copy = xstrdup(line);
    struct svec parts = SVEC_INIT;
    char *open = strchr(copy, '[');
    char *close;
    int ret;

    *open = '|';
    close = strchr(copy, ']');
    if (close) {
        *close = '|';
    }
    svec_split(&parts, copy, '|');
    if (parts.len != 3) {
        ret = range_error(err, pos, line, "expected one '[' and one ']' around the range");
    } else {
        ret = expand_parts(line, parts.items, names, pos, err);
    }
    svec_release(&parts);
    free(copy);
    return ret;
}

int inv_expand_host_pattern(const char *pattern, struct svec *names, int *port,
                            const struct srcpos *pos, struct err *err)
{
    char *host = parse_address(pattern, true, port);
    const char *name = host ? host : pattern;
    int ret = 0;

    if (!host) {
        *port = 0;
    }
    if (strchr(name, '[')) {
        ret = expand(name, names, pos, err);
    } else {
        svec_push(names, name);
    }
    free(host);
    return ret;
}
