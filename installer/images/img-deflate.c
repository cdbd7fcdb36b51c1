/*
 * img-deflate.c - the fast raw deflate encoder (see img-deflate.h): the LZ77 matcher fills a
 * block's symbols and their frequencies, then the block is written as dynamic Huffman, fixed
 * Huffman or stored, whichever is shortest.
 */
#include "pot.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "base/xalloc.h"
#include "images/img-deflate.h"

#define WINDOW 32768u /* deflate's farthest distance */
#define BLOCK_INPUT                                                                                \
    61440u /* input per deflate block: with what a match or stride runs past
                                 * it, a block still fits one stored block */
#define HASH_BITS 14
#define MIN_MATCH 4 /* the matcher looks for 4 equal bytes (deflate allows 3) */
#define MAX_MATCH 258
#define SKIP_SHIFT 5           /* after 32 misses in a row step 2 bytes, after 64 more 3, ... */
#define MAX_SKIP_OVERRUN 2048u /* bound on how far a stride can pass the block's end */
#define FLUSH_AT (256u << 10)  /* output handed on once this much is waiting */
#define LITLEN_SYMS 286
#define FIXED_LITLEN_SYMS 288 /* the fixed code also defines the two unused symbols */
#define DIST_SYMS 30
#define CODELEN_SYMS 19
#define END_OF_BLOCK 256
#define MAX_BITS 15
#define MAX_CODELEN_BITS 7
#define STORED_MAX 65535u
/* A symbol is a literal byte, or MATCH_FLAG | (length - 3) << 16 | (distance - 1). */
#define MATCH_FLAG 0x80000000u

static const uint16_t length_base[29] = { 3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                          15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                          67, 83, 99, 115, 131, 163, 195, 227, 258 };
static const uint8_t length_extra[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                          2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const uint16_t dist_base[DIST_SYMS] = { 1,    2,    3,    4,     5,     7,    9,    13,
                                               17,   25,   33,   49,    65,    97,   129,  193,
                                               257,  385,  513,  769,   1025,  1537, 2049, 3073,
                                               4097, 6145, 8193, 12289, 16385, 24577 };
static const uint8_t dist_extra[DIST_SYMS] = {
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13
};
static const uint8_t codelen_order[CODELEN_SYMS] = { 16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                                     11, 4,  12, 3, 13, 2, 14, 1, 15 };

/* A prefix code: lengths and codes bit-reversed for LSB-first output. */
struct code {
    uint8_t len[FIXED_LITLEN_SYMS];
    uint16_t bits[FIXED_LITLEN_SYMS];
};

/* The code lengths of a dynamic header, run-length coded (symbols 0-18 and their extra bits). */
struct header {
    uint8_t sym[LITLEN_SYMS + DIST_SYMS];
    uint8_t extra[LITLEN_SYMS + DIST_SYMS];
    size_t n;
    unsigned hlit, hdist, hclen;
    struct code codelen;
};

/* Built once: symbol lookups and the fixed codes. */
static uint8_t length_sym[256];    /* length - 3 -> index into length_base */
static uint8_t dist_sym_near[256]; /* distance - 1 below 256 -> distance symbol */
static uint8_t dist_sym_far[256];  /* (distance - 1) >> 7 for longer distances */
static struct code fixed_litlen, fixed_dist;
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

struct img_deflate {
    img_deflate_out_fn out;
    void *ctx;
    uint32_t table[1u << HASH_BITS]; /* hash of 4 bytes -> latest position */
    uint32_t *syms;                  /* owned: the block's symbols */
    size_t nsyms;
    uint32_t litlen_freq[LITLEN_SYMS];
    uint32_t dist_freq[DIST_SYMS];
    uint64_t bitbuf;     /* bits not yet in 'obuf', LSB first */
    unsigned nbits;      /* below 32 between calls */
    bool ended;          /* a final block was written */
    unsigned char *obuf; /* owned: whole bytes waiting for 'out' */
    size_t olen, ocap;
};

static unsigned reverse_bits(unsigned v, unsigned n)
{
    unsigned r = 0;

    for (unsigned i = 0; i < n; i++) {
        r = (r << 1) | ((v >> i) & 1);
    }
    return r;
}

/* Canonical codes from lengths (RFC 1951 3.2.2). */
static void assign_codes(struct code *c, size_t nsym)
{
    unsigned count[MAX_BITS + 1] = { 0 };
    unsigned next[MAX_BITS + 1] = { 0 };

    for (size_t s = 0; s < nsym; s++) {
        count[c->len[s]]++;
    }
    count[0] = 0;
    for (unsigned b = 1; b <= MAX_BITS; b++) {
        next[b] = (next[b - 1] + count[b - 1]) << 1;
    }
    for (size_t s = 0; s < nsym; s++) {
        c->bits[s] = c->len[s] ? (uint16_t)reverse_bits(next[c->len[s]]++, c->len[s]) : 0;
    }
}

static void build_tables(void)
{
    for (unsigned i = 0; i < 28; i++) {
        for (unsigned l = length_base[i]; l < length_base[i] + (1u << length_extra[i]); l++) {
            length_sym[l - 3] = (uint8_t)i;
        }
    }
    length_sym[MAX_MATCH - 3] = 28;
    for (unsigned i = 0; i < DIST_SYMS; i++) {
        for (unsigned d = dist_base[i]; d < dist_base[i] + (1u << dist_extra[i]); d++) {
            if (d <= 256) {
                dist_sym_near[d - 1] = (uint8_t)i;
            } else {
                dist_sym_far[(d - 1) >> 7] = (uint8_t)i;
            }
        }
    }
    for (unsigned s = 0; s < FIXED_LITLEN_SYMS; s++) {
        fixed_litlen.len[s] = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
    }
    assign_codes(&fixed_litlen, FIXED_LITLEN_SYMS);
    memset(fixed_dist.len, 5, DIST_SYMS);
    assign_codes(&fixed_dist, DIST_SYMS);
}

static unsigned dist_sym(unsigned dist)
{
    return dist <= 256 ? dist_sym_near[dist - 1] : dist_sym_far[(dist - 1) >> 7];
}

/* ---- Huffman code lengths ---- */

struct weighted {
    uint32_t freq;
    uint16_t sym;
};

static int by_freq_then_sym(const void *a, const void *b)
{
    const struct weighted *x = a;
    const struct weighted *y = b;

    if (x->freq != y->freq) {
        return x->freq < y->freq ? -1 : 1;
    }
    return x->sym < y->sym ? -1 : 1;
}

/* Moffat and Katajainen's in-place minimum-redundancy code: 'a' holds n >= 2 weights in
 * ascending order and receives each one's code length. */
static void minimum_redundancy(uint32_t *a, size_t n)
{
    size_t root = 0;
    size_t leaf = 2;
    size_t next;
    size_t avail = 1;
    size_t used = 0;
    uint32_t depth = 0;

    a[0] += a[1];
    for (next = 1; next < n - 1; next++) {
        if (leaf >= n || a[root] < a[leaf]) {
            a[next] = a[root];
            a[root++] = (uint32_t)next;
        } else {
            a[next] = a[leaf++];
        }
        if (leaf >= n || (root < next && a[root] < a[leaf])) {
            a[next] += a[root];
            a[root++] = (uint32_t)next;
        } else {
            a[next] += a[leaf++];
        }
    }
    a[n - 2] = 0;
    for (next = n - 2; next-- > 0;) {
        a[next] = a[a[next]] + 1;
    }
    next = n;
    root = n - 1; /* one past the internal node being looked at */
    while (avail > 0) {
        while (root > 0 && a[root - 1] == depth) {
            used++;
            root--;
        }
        while (avail > used) {
            a[--next] = depth;
            avail--;
        }
        avail = 2 * used;
        depth++;
        used = 0;
    }
}

/* Lengthens codes past 'max_bits' and shortens others until the code is complete again. */
static void limit_lengths(unsigned *count, unsigned max_bits)
{
    uint32_t total = 0;

    for (unsigned b = max_bits; b > 0; b--) {
        total += count[b] << (max_bits - b);
    }
    while (total != 1u << max_bits) {
        count[max_bits]--;
        for (unsigned b = max_bits - 1; b > 0; b--) {
            if (count[b]) {
                count[b]--;
                count[b + 1] += 2;
                break;
            }
        }
        total--;
    }
}

void img_deflate_code_lengths(const uint32_t *freq, size_t nsym, unsigned max_bits, uint8_t *len)
{
    struct weighted list[LITLEN_SYMS];
    uint32_t depth[LITLEN_SYMS];
    unsigned count[MAX_BITS + 1] = { 0 };
    size_t used = 0;

    for (size_t s = 0; s < nsym; s++) {
        if (freq[s]) {
            list[used++] = (struct weighted){ freq[s], (uint16_t)s };
        }
    }
    for (size_t s = 0; used < 2; s++) {
        if (!freq[s]) {
            list[used++] = (struct weighted){ 1, (uint16_t)s };
        }
    }
    qsort(list, used, sizeof(*list), by_freq_then_sym);
    for (size_t i = 0; i < used; i++) {
        depth[i] = list[i].freq;
    }
    minimum_redundancy(depth, used);
    for (size_t i = 0; i < used; i++) {
        count[depth[i] < max_bits ? depth[i] : max_bits]++;
    }
    limit_lengths(count, max_bits);
    memset(len, 0, nsym);
    for (unsigned b = 1, j = (unsigned)used; b <= max_bits; b++) {
        for (unsigned k = count[b]; k > 0; k--) {
            len[list[--j].sym] = (uint8_t)b;
        }
    }
}

static void build_code(struct code *c, const uint32_t *freq, size_t nsym, unsigned max_bits)
{
    memset(c->len, 0, sizeof(c->len));
    img_deflate_code_lengths(freq, nsym, max_bits, c->len);
    assign_codes(c, nsym);
}

/* ---- bit output ---- */

static void reserve(struct img_deflate *d, size_t more)
{
    if (d->olen + more > d->ocap) {
        d->ocap = d->olen + more + d->ocap / 2;
        d->obuf = xrealloc(d->obuf, d->ocap);
    }
}

/* Appends 'n' <= 32 bits; room was reserved by the caller. */
static inline void put_bits(struct img_deflate *d, uint32_t v, unsigned n)
{
    d->bitbuf |= (uint64_t)v << d->nbits;
    d->nbits += n;
    if (d->nbits >= 32) {
        unsigned char *o = d->obuf + d->olen;

        o[0] = (unsigned char)d->bitbuf;
        o[1] = (unsigned char)(d->bitbuf >> 8);
        o[2] = (unsigned char)(d->bitbuf >> 16);
        o[3] = (unsigned char)(d->bitbuf >> 24);
        d->olen += 4;
        d->bitbuf >>= 32;
        d->nbits -= 32;
    }
}

/* Pads to a byte boundary and moves the whole bytes to 'obuf'. */
static void align_to_byte(struct img_deflate *d)
{
    while (d->nbits > 0) {
        d->obuf[d->olen++] = (unsigned char)d->bitbuf;
        d->bitbuf >>= 8;
        d->nbits = d->nbits > 8 ? d->nbits - 8 : 0;
    }
    d->bitbuf = 0;
}

static int hand_on(struct img_deflate *d)
{
    int rc = d->olen ? d->out(d->ctx, d->obuf, d->olen) : 0;

    d->olen = 0;
    return rc;
}

/* ---- the matcher ---- */

static inline uint32_t load32(const unsigned char *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

static inline uint32_t hash4(uint32_t v)
{
    return (v * 2654435761u) >> (32 - HASH_BITS);
}

/* Where the match of base[a..] against base[b..] ends, at most at 'max_b'. */
static size_t match_end(const unsigned char *base, size_t a, size_t b, size_t max_b)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (b + 8 <= max_b) {
        uint64_t x;
        uint64_t y;

        memcpy(&x, base + a, sizeof(x));
        memcpy(&y, base + b, sizeof(y));
        if (x != y) {
            return b + ((unsigned)__builtin_ctzll(x ^ y) >> 3);
        }
        a += 8;
        b += 8;
    }
#endif
    while (b < max_b && base[a] == base[b]) {
        a++;
        b++;
    }
    return b;
}

static void add_literals(struct img_deflate *d, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        d->syms[d->nsyms++] = p[i];
        d->litlen_freq[p[i]]++;
    }
}

static void add_match(struct img_deflate *d, size_t len, size_t dist)
{
    d->syms[d->nsyms++] = MATCH_FLAG | (uint32_t)(len - 3) << 16 | (uint32_t)(dist - 1);
    d->litlen_freq[257 + length_sym[len - 3]]++;
    d->dist_freq[dist_sym((unsigned)dist)]++;
}

/* Finds the symbols of base[pos..end) (matches may run on to 'limit', strides a little further);
 * returns where the block ends, at least 'end'. */
static size_t find_symbols(struct img_deflate *d, const unsigned char *base, size_t pos, size_t end,
                           size_t limit)
{
    size_t lit_start = pos;
    size_t misses = 1u << SKIP_SHIFT;
    size_t stop;

    d->nsyms = 0;
    memset(d->litlen_freq, 0, sizeof(d->litlen_freq));
    memset(d->dist_freq, 0, sizeof(d->dist_freq));
    while (pos < end && pos + MIN_MATCH <= limit) {
        uint32_t cur = load32(base + pos);
        uint32_t h = hash4(cur);
        size_t cand = d->table[h];

        d->table[h] = (uint32_t)pos;
        if (cand < pos && pos - cand <= WINDOW && load32(base + cand) == cur) {
            size_t max = limit - pos < MAX_MATCH ? limit : pos + MAX_MATCH;
            size_t mend = match_end(base, cand + MIN_MATCH, pos + MIN_MATCH, max);

            add_literals(d, base + lit_start, pos - lit_start);
            add_match(d, mend - pos, pos - cand);
            if (mend + MIN_MATCH - 1 <= limit) {
                d->table[hash4(load32(base + mend - 1))] = (uint32_t)(mend - 1);
            }
            pos = lit_start = mend;
            misses = 1u << SKIP_SHIFT;
        } else {
            /* one probe per step, so a stride never passes 'end' by more than
             * (BLOCK_INPUT + 32) >> SKIP_SHIFT < MAX_SKIP_OVERRUN bytes */
            pos += misses++ >> SKIP_SHIFT;
        }
    }
    stop = pos > end ? pos : end;
    stop = stop < limit ? stop : limit;
    add_literals(d, base + lit_start, stop - lit_start);
    return stop;
}

/* ---- block writing ---- */

/* Bits the block's symbols and its end-of-block symbol take with these codes. */
static uint64_t data_bits(const struct img_deflate *d, const struct code *lit,
                          const struct code *dist)
{
    uint64_t bits = 0;

    for (unsigned s = 0; s < LITLEN_SYMS; s++) {
        bits += (uint64_t)d->litlen_freq[s] * lit->len[s];
    }
    for (unsigned i = 0; i < 29; i++) {
        bits += (uint64_t)d->litlen_freq[257 + i] * length_extra[i];
    }
    for (unsigned s = 0; s < DIST_SYMS; s++) {
        bits += (uint64_t)d->dist_freq[s] * (dist->len[s] + dist_extra[s]);
    }
    return bits;
}

static void add_header_sym(struct header *h, unsigned sym, unsigned extra)
{
    h->sym[h->n] = (uint8_t)sym;
    h->extra[h->n++] = (uint8_t)extra;
}

/* Run-length codes the two codes' lengths as one sequence (RFC 1951 3.2.7). */
static void plan_header(struct header *h, const struct code *lit, const struct code *dist)
{
    uint8_t lens[LITLEN_SYMS + DIST_SYMS];
    uint32_t freq[CODELEN_SYMS] = { 0 };
    size_t total;

    h->hlit = LITLEN_SYMS;
    while (h->hlit > 257 && !lit->len[h->hlit - 1]) {
        h->hlit--;
    }
    h->hdist = DIST_SYMS;
    while (h->hdist > 1 && !dist->len[h->hdist - 1]) {
        h->hdist--;
    }
    memcpy(lens, lit->len, h->hlit);
    memcpy(lens + h->hlit, dist->len, h->hdist);
    total = h->hlit + h->hdist;
    h->n = 0;
    for (size_t i = 0; i < total;) {
        size_t run = 1;

        while (i + run < total && lens[i + run] == lens[i]) {
            run++;
        }
        i += run;
        if (lens[i - run] == 0) {
            for (; run >= 11; run -= run < 138 ? run : 138) {
                add_header_sym(h, 18, (unsigned)(run < 138 ? run : 138) - 11);
            }
            if (run >= 3) {
                add_header_sym(h, 17, (unsigned)run - 3);
                run = 0;
            }
        } else {
            add_header_sym(h, lens[i - run], 0);
            for (run--; run >= 3; run -= run < 6 ? run : 6) {
                add_header_sym(h, 16, (unsigned)(run < 6 ? run : 6) - 3);
            }
        }
        for (; run > 0; run--) {
            add_header_sym(h, lens[i - run], 0);
        }
    }
    for (size_t i = 0; i < h->n; i++) {
        freq[h->sym[i]]++;
    }
    build_code(&h->codelen, freq, CODELEN_SYMS, MAX_CODELEN_BITS);
    h->hclen = CODELEN_SYMS;
    while (h->hclen > 4 && !h->codelen.len[codelen_order[h->hclen - 1]]) {
        h->hclen--;
    }
}

static unsigned extra_bits_of(unsigned codelen_sym)
{
    return codelen_sym == 16 ? 2 : codelen_sym == 17 ? 3 : codelen_sym == 18 ? 7 : 0;
}

static uint64_t header_bits(const struct header *h)
{
    uint64_t bits = 3 + 5 + 5 + 4 + 3 * h->hclen;

    for (size_t i = 0; i < h->n; i++) {
        bits += h->codelen.len[h->sym[i]] + extra_bits_of(h->sym[i]);
    }
    return bits;
}

static void write_header(struct img_deflate *d, const struct header *h, bool final)
{
    put_bits(d, final, 1);
    put_bits(d, 2, 2);
    put_bits(d, h->hlit - 257, 5);
    put_bits(d, h->hdist - 1, 5);
    put_bits(d, h->hclen - 4, 4);
    for (unsigned i = 0; i < h->hclen; i++) {
        put_bits(d, h->codelen.len[codelen_order[i]], 3);
    }
    for (size_t i = 0; i < h->n; i++) {
        put_bits(d, h->codelen.bits[h->sym[i]], h->codelen.len[h->sym[i]]);
        put_bits(d, h->extra[i], extra_bits_of(h->sym[i]));
    }
}

static inline void store64le(unsigned char *o, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(o, &v, sizeof(v));
#else
    for (int i = 0; i < 8; i++) {
        o[i] = (unsigned char)(v >> (8 * i));
    }
#endif
}

/* The hot loop: every symbol's code and extra bits go into a 64-bit buffer (at most 7 + 48 bits
 * for a match), whose whole bytes are then stored at once; room was reserved by the caller. */
static void write_symbols(struct img_deflate *d, const struct code *lit, const struct code *dist)
{
    uint64_t bb = d->bitbuf;
    unsigned nb = d->nbits;
    unsigned char *o = d->obuf + d->olen;

    for (size_t i = 0; i <= d->nsyms; i++) {
        uint32_t s = i < d->nsyms ? d->syms[i] : END_OF_BLOCK;

        store64le(o, bb);
        o += nb >> 3;
        bb >>= nb & ~7u;
        nb &= 7;
        if (!(s & MATCH_FLAG)) {
            bb |= (uint64_t)lit->bits[s] << nb;
            nb += lit->len[s];
        } else {
            unsigned len3 = (s >> 16) & 0xff;
            unsigned dist1 = s & 0xffff;
            unsigned ls = length_sym[len3];
            unsigned ds = dist_sym(dist1 + 1);
            uint32_t lv = lit->bits[257 + ls] | (len3 + 3 - length_base[ls]) << lit->len[257 + ls];
            uint32_t dv = dist->bits[ds] | (dist1 + 1 - dist_base[ds]) << dist->len[ds];

            bb |= (uint64_t)lv << nb;
            nb += lit->len[257 + ls] + length_extra[ls];
            bb |= (uint64_t)dv << nb;
            nb += dist->len[ds] + dist_extra[ds];
        }
    }
    d->olen = (size_t)(o - d->obuf);
    d->bitbuf = bb;
    d->nbits = nb;
}

static void write_stored(struct img_deflate *d, const unsigned char *p, size_t n, bool final)
{
    reserve(d, n + 5 * (n / STORED_MAX + 1) + 8);
    do {
        size_t len = n < STORED_MAX ? n : STORED_MAX;

        put_bits(d, final && len == n, 1);
        put_bits(d, 0, 2);
        align_to_byte(d);
        d->obuf[d->olen++] = (unsigned char)len;
        d->obuf[d->olen++] = (unsigned char)(len >> 8);
        d->obuf[d->olen++] = (unsigned char)~len;
        d->obuf[d->olen++] = (unsigned char)(~len >> 8);
        if (len) { /* 'p' may be NULL when there is nothing to store */
            memcpy(d->obuf + d->olen, p, len);
            d->olen += len;
            p += len;
            n -= len;
        }
    } while (n);
}

static uint64_t stored_bits(const struct img_deflate *d, size_t n)
{
    size_t blocks = n ? (n + STORED_MAX - 1) / STORED_MAX : 1;

    /* the first header's 3 bits and the padding after them make up to a whole byte */
    return (8 - (d->nbits + 3) % 8) % 8 + 3 + (uint64_t)(blocks - 1) * 8 + 32 * blocks + 8 * n;
}

/* Writes the block found by find_symbols over raw[0..n) in its shortest form. */
static void write_block(struct img_deflate *d, const unsigned char *raw, size_t n, bool final)
{
    struct code lit;
    struct code dist;
    struct header h;
    uint64_t dynamic;
    uint64_t fixed;

    d->litlen_freq[END_OF_BLOCK] = 1;
    build_code(&lit, d->litlen_freq, LITLEN_SYMS, MAX_BITS);
    build_code(&dist, d->dist_freq, DIST_SYMS, MAX_BITS);
    plan_header(&h, &lit, &dist);
    dynamic = header_bits(&h) + data_bits(d, &lit, &dist);
    fixed = 3 + data_bits(d, &fixed_litlen, &fixed_dist);
    if (stored_bits(d, n) <= dynamic && stored_bits(d, n) <= fixed) {
        write_stored(d, raw, n, final);
        return;
    }
    reserve(d, (dynamic < fixed ? dynamic : fixed) / 8 + 16);
    if (dynamic < fixed) {
        write_header(d, &h, final);
        write_symbols(d, &lit, &dist);
    } else {
        put_bits(d, final, 1);
        put_bits(d, 1, 2);
        write_symbols(d, &fixed_litlen, &fixed_dist);
    }
}

/* ---- API ---- */

struct img_deflate *img_deflate_new(void)
{
    struct img_deflate *d = xcalloc(1, sizeof(*d));

    pthread_once(&tables_once, build_tables);
    d->syms = xmalloc((BLOCK_INPUT + MAX_MATCH + MAX_SKIP_OVERRUN) * sizeof(*d->syms));
    return d;
}

void img_deflate_free(struct img_deflate *d)
{
    if (d) {
        free(d->syms);
        free(d->obuf);
        free(d);
    }
}

void img_deflate_begin(struct img_deflate *d, img_deflate_out_fn out, void *ctx)
{
    d->out = out;
    d->ctx = ctx;
    d->bitbuf = 0;
    d->nbits = 0;
    d->ended = false;
    d->olen = 0;
}

int img_deflate_compress(struct img_deflate *d, const unsigned char *p, size_t hist, size_t n,
                         bool final)
{
    size_t h = hist < WINDOW ? hist : WINDOW;
    const unsigned char *base = p - h;
    size_t pos = h;

    if (n == 0) {
        return img_deflate_store(d, p, 0, final);
    }
    memset(d->table, 0, sizeof(d->table));
    for (size_t i = 0; i + MIN_MATCH <= h; i++) {
        d->table[hash4(load32(base + i))] = (uint32_t)i;
    }
    while (pos < h + n) {
        size_t end = h + n - pos < BLOCK_INPUT ? h + n : pos + BLOCK_INPUT;
        size_t stop = find_symbols(d, base, pos, end, h + n);

        write_block(d, base + pos, stop - pos, final && stop == h + n);
        pos = stop;
        if (d->olen >= FLUSH_AT && hand_on(d) < 0) {
            return -1;
        }
    }
    d->ended = final;
    return 0;
}

int img_deflate_store(struct img_deflate *d, const unsigned char *p, size_t n, bool final)
{
    write_stored(d, p, n, final);
    d->ended = final;
    return d->olen >= FLUSH_AT ? hand_on(d) : 0;
}

int img_deflate_flush(struct img_deflate *d)
{
    if (!d->ended && d->nbits % 8) {
        write_stored(d, NULL, 0, false);
    }
    reserve(d, 8);
    align_to_byte(d);
    return hand_on(d);
}
