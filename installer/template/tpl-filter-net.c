/*
 * tpl-filter-net.c - the small IPv4 subset of the ansible.utils network filters pot offers
 * (ansible.utils is not part of ansible-core; names and meaning follow that collection):
 *   'NET/PREFIX' | ansible.utils.network_in_usable('ADDR')  -> ADDR is a usable host of NET
 *   'NET/PREFIX' | ansible.utils.network_in_network('ADDR[/P]') -> ADDR (or the whole network)
 *                                                                   lies inside NET
 *   'ADDR' is ansible.utils.in_network('NET/PREFIX')        -> the test form
 * A bare address counts as a /32. Anything that is not IPv4 is an error.
 */
#include "pot.h"
#include <arpa/inet.h>
#include <string.h>
#include "template/tpl-eval.h"

struct net4 {
    uint32_t addr;
    int prefix;
};

/* Parses "a.b.c.d[/n]"; returns 0 or -1. */
static int parse_net4(const struct val *v, struct net4 *n)
{
    char tmp[64];
    char *slash;
    struct in_addr in;

    if (v->type != VAL_STR || v->u.s.len >= sizeof(tmp)) {
        return -1;
    }
    memcpy(tmp, v->u.s.ptr, v->u.s.len + 1);
    n->prefix = 32;
    slash = strchr(tmp, '/');
    if (slash) {
        char *end;
        long p = strtol(slash + 1, &end, 10);

        if (*end || end == slash + 1 || p < 0 || p > 32) {
            return -1;
        }
        n->prefix = (int)p;
        *slash = 0;
    }
    if (inet_pton(AF_INET, tmp, &in) != 1) {
        return -1;
    }
    n->addr = ntohl(in.s_addr);
    return 0;
}

static uint32_t mask_of(int prefix)
{
    return prefix == 0 ? 0 : 0xFFFFFFFFu << (32 - prefix);
}

static int both(struct tpl_ctx *c, struct val *net, struct val *addr, struct net4 *n,
                struct net4 *a)
{
    if (!addr || parse_net4(net, n) < 0 || parse_net4(addr, a) < 0) {
        return tpl_failn(c, "expected IPv4 networks like '10.0.0.0/8' and addresses like "
                            "'10.0.0.5'");
    }
    return 0;
}

static bool contains(const struct net4 *n, const struct net4 *a)
{
    uint32_t m = mask_of(n->prefix);

    return a->prefix >= n->prefix && (a->addr & m) == (n->addr & m);
}

static struct val *f_network_in_network(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct net4 n, x;

    if (both(c, v, tpl_arg(a, 0, "test"), &n, &x) < 0) {
        return NULL;
    }
    return val_bool(contains(&n, &x));
}

static struct val *f_network_in_usable(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct net4 n, x;
    uint32_t m;

    if (both(c, v, tpl_arg(a, 0, "test"), &n, &x) < 0) {
        return NULL;
    }
    m = mask_of(n.prefix);
    if (!contains(&n, &x) || x.prefix != 32) {
        return val_bool(false);
    }
    if (n.prefix >= 31) {
        return val_bool(true);
    }
    return val_bool(x.addr != (n.addr & m) && x.addr != ((n.addr & m) | ~m));
}

int tpl_in_network_test(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, bool *result)
{
    struct net4 n, x;

    if (both(c, tpl_arg(a, 0, "test"), v, &n, &x) < 0) {
        return -1;
    }
    *result = contains(&n, &x);
    return 0;
}

const struct tpl_filter tpl_filters_net[] = {
    { "ansible.utils.network_in_network", f_network_in_network, 0 },
    { "ansible.utils.network_in_usable", f_network_in_usable, 0 },
    { 0 },
};
