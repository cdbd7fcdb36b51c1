/*
 * gotpl-sprig-misc.c - sprig's smaller families: defaults (default, empty, coalesce, all, any,
 * ternary), flow (fail), encodings (b64enc/b64dec, b32enc/b32dec with Go's strict decoders and
 * their error texts), deterministic digests (sha1sum, sha256sum, sha512sum, adler32sum) and
 * derivePassword (the Master Password algorithm: scrypt then HMAC-SHA256 over OpenSSL), types
 * (typeOf, typeIs, typeIsLike, kindOf, kindIs, deepEqual), paths (Go's path and path/filepath:
 * base, dir, ext, clean, isAbs and the os- forms), JSON variants (toPrettyJson, toRawJson,
 * mustFromJson), durations, urlParse/urlJoin, hello, and env/expandenv, which Helm removes and
 * helmfile keeps (so they are only found in GOTPL_HELMFILE).
 */
#include "pot.h"
#include <string.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zlib.h>
#include "base/b64.h"
#include "base/digest.h"
#include "gotpl/gotpl-int.h"

#define UNUSED3                                                                                    \
    (void)x;                                                                                       \
    (void)n;                                                                                       \
    (void)err

/* ---- defaults and flow ---- */

static int fn_default(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    UNUSED3;
    *res = val_ref(n < 2 || !gotpl_truth(a[1]) ? a[0] : a[1]);
    return 0;
}

static int fn_empty(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    UNUSED3;
    *res = val_bool(!gotpl_truth(a[0]));
    return 0;
}

static int fn_coalesce(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    UNUSED3;
    for (size_t i = 0; i < n; i++) {
        if (gotpl_truth(a[i])) {
            *res = val_ref(a[i]);
            return 0;
        }
    }
    *res = val_null();
    return 0;
}

static int fn_all(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    UNUSED3;
    for (size_t i = 0; i < n; i++) {
        if (!gotpl_truth(a[i])) {
            *res = val_bool(false);
            return 0;
        }
    }
    *res = val_bool(true);
    return 0;
}

static int fn_any(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    UNUSED3;
    for (size_t i = 0; i < n; i++) {
        if (gotpl_truth(a[i])) {
            *res = val_bool(true);
            return 0;
        }
    }
    *res = val_bool(false);
    return 0;
}

static int fn_ternary(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    UNUSED3;
    *res = val_ref(a[2]->u.b ? a[0] : a[1]);
    return 0;
}

static int fn_fail(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)x;
    (void)n;
    (void)res;
    return err_set(err, ERR_TEMPLATE, "%s", a[0]->u.s.ptr);
}

static int fn_hello(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    (void)a;
    UNUSED3;
    *res = val_str("Hello!");
    return 0;
}

/* ---- encodings ---- */

static int fn_b64enc(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf out = BUF_INIT;

    UNUSED3;
    b64_encode(&out, a[0]->u.s.ptr, a[0]->u.s.len);
    *res = gotpl_take_buf(&out);
    return 0;
}

static int alphabet_value(const char *alphabet, char c)
{
    const char *p = c ? strchr(alphabet, c) : NULL;

    return p ? (int)(p - alphabet) : -1;
}

/* Go's padded base64/base32 decoding ('bits' 6 or 5); on error, Go's message in 'out'. */
static bool go_decode(const char *alphabet, int bits, const char *s, size_t len, struct buf *out)
{
    size_t quantum = bits == 6 ? 4 : 8;
    unsigned long long acc = 0;
    size_t j = 0, qstart = 0, padding = 0;
    int nbits = 0;

    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        int v;

        if (c == '\r' || c == '\n') {
            continue;
        }
        if (j == 0) {
            qstart = i;
        }
        if (c == '=') {
            if (j < 2) {
                goto bad_at_i;
            }
            padding++;
            j++;
            if (j == quantum) {
                j = 0;
                if (i + 1 < len) {
                    i++;
                    goto bad_at_i;
                }
            }
            continue;
        }
        if (padding) {
            goto bad_at_i;
        }
        v = alphabet_value(alphabet, c);
        if (v < 0) {
            goto bad_at_i;
        }
        acc = acc << bits | (unsigned)v;
        nbits += bits;
        if (nbits >= 8) {
            nbits -= 8;
            buf_addc(out, (char)(acc >> nbits & 0xff));
        }
        j = (j + 1) % quantum;
        continue;
bad_at_i:
        buf_reset(out);
        buf_addf(out, "illegal base64 data at input byte %zu", i);
        if (bits == 5) {
            out->ptr[15] = '3';
            out->ptr[16] = '2';
        }
        return false;
    }
    if (j != 0) {
        buf_reset(out);
        buf_addf(out, "illegal base%d data at input byte %zu", bits == 6 ? 64 : 32, qstart);
        return false;
    }
    return true;
}

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static int fn_b64dec(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf out = BUF_INIT;

    UNUSED3;
    go_decode(b64_alphabet, 6, a[0]->u.s.ptr, a[0]->u.s.len, &out);
    *res = gotpl_take_buf(&out);
    return 0;
}

static int fn_b32enc(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    const unsigned char *s = (const unsigned char *)a[0]->u.s.ptr;
    size_t len = a[0]->u.s.len;
    struct buf out = BUF_INIT;

    UNUSED3;
    for (size_t i = 0; i < len; i += 5) {
        unsigned long long block = 0;
        size_t take = len - i < 5 ? len - i : 5;
        size_t chars = (take * 8 + 4) / 5;

        for (size_t k = 0; k < 5; k++) {
            block = block << 8 | (k < take ? s[i + k] : 0);
        }
        for (size_t k = 0; k < 8; k++) {
            buf_addc(&out, k < chars ? b32_alphabet[(block >> (35 - 5 * k)) & 31] : '=');
        }
    }
    *res = gotpl_take_buf(&out);
    return 0;
}

static int fn_b32dec(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf out = BUF_INIT;

    UNUSED3;
    go_decode(b32_alphabet, 5, a[0]->u.s.ptr, a[0]->u.s.len, &out);
    *res = gotpl_take_buf(&out);
    return 0;
}

/* ---- digests ---- */

static int digest_fn(const char *algo, struct val **a, struct val **res)
{
    char hex[129];

    if (digest_hex(algo, a[0]->u.s.ptr, a[0]->u.s.len, hex, sizeof(hex)) < 0) {
        BUG("digest algorithm missing");
    }
    *res = val_str(hex);
    return 0;
}

static int fn_sha1sum(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    UNUSED3;
    return digest_fn("sha1", a, res);
}

static int fn_sha256sum(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    UNUSED3;
    return digest_fn("sha256", a, res);
}

static int fn_sha512sum(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    UNUSED3;
    return digest_fn("sha512", a, res);
}

static int fn_adler32sum(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    uLong sum = adler32(0L, Z_NULL, 0);

    UNUSED3;
    sum = adler32(sum, (const Bytef *)a[0]->u.s.ptr, (uInt)a[0]->u.s.len);
    *res = val_strf("%lu", (unsigned long)sum);
    return 0;
}

/* sprig's derivePassword: Master Password's templates per password type. */
static const char *const mp_maximum[] = { "anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno" };
static const char *const mp_long[] = {
    "CvcvnoCvcvCvcv", "CvcvCvcvnoCvcv", "CvcvCvcvCvcvno", "CvccnoCvcvCvcv", "CvccCvcvnoCvcv",
    "CvccCvcvCvcvno", "CvcvnoCvccCvcv", "CvcvCvccnoCvcv", "CvcvCvccCvcvno", "CvcvnoCvcvCvcc",
    "CvcvCvcvnoCvcc", "CvcvCvcvCvccno", "CvccnoCvccCvcv", "CvccCvccnoCvcv", "CvccCvccCvcvno",
    "CvcvnoCvccCvcc", "CvcvCvccnoCvcc", "CvcvCvccCvccno", "CvccnoCvcvCvcc", "CvccCvcvnoCvcc",
    "CvccCvcvCvccno",
};
static const char *const mp_medium[] = { "CvcnoCvc", "CvcCvcno" };
static const char *const mp_short[] = { "Cvcn" };
static const char *const mp_basic[] = { "aaanaaan", "aannaaan", "aaannaaa" };
static const char *const mp_pin[] = { "nnnn" };

static const struct {
    const char *name;
    const char *const *templates;
    size_t n;
} mp_types[] = {
    { "basic", mp_basic, ARRAY_SIZE(mp_basic) },
    { "long", mp_long, ARRAY_SIZE(mp_long) },
    { "maximum", mp_maximum, ARRAY_SIZE(mp_maximum) },
    { "medium", mp_medium, ARRAY_SIZE(mp_medium) },
    { "pin", mp_pin, ARRAY_SIZE(mp_pin) },
    { "short", mp_short, ARRAY_SIZE(mp_short) },
};

static const char *mp_characters(char c)
{
    switch (c) {
    case 'V':
        return "AEIOU";
    case 'C':
        return "BCDFGHJKLMNPQRSTVWXYZ";
    case 'v':
        return "aeiou";
    case 'c':
        return "bcdfghjklmnpqrstvwxyz";
    case 'A':
        return "AEIOUBCDFGHJKLMNPQRSTVWXYZ";
    case 'a':
        return "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";
    case 'n':
        return "0123456789";
    case 'o':
        return "@&%?,=[]_:-+*$#!'^~;()/.";
    default:
        return "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()";
    }
}

/* The seed, a big-endian length and 'text': Master Password's salt and HMAC message heads. */
static void mp_scope(struct buf *b, const struct val *text)
{
    uint32_t len = (uint32_t)text->u.s.len;
    unsigned char be[4] = { (unsigned char)(len >> 24), (unsigned char)(len >> 16),
                            (unsigned char)(len >> 8), (unsigned char)len };

    buf_adds(b, "com.lyndir.masterpassword");
    buf_add(b, be, 4);
    buf_add(b, text->u.s.ptr, text->u.s.len);
}

static int fn_derive_password(struct gx *x, struct val **a, size_t n, struct val **res,
                              struct err *err)
{
    uint32_t counter = (uint32_t)a[0]->u.i;
    unsigned char key[64], seed[EVP_MAX_MD_SIZE], be[4];
    unsigned seed_len = 0;
    struct buf salt = BUF_INIT, msg = BUF_INIT, out = BUF_INIT;
    const char *tmpl;
    size_t t = 0;

    UNUSED3;
    /* scrypt with N=32768 takes about 0.1 s: it weighs this much in the execution's budget of
     * loop iterations and calls (20,000,000), so a loop of them ends after a hundred */
    *x->steps += 200000;
    while (t < ARRAY_SIZE(mp_types) && strcmp(mp_types[t].name, a[1]->u.s.ptr) != 0) {
        t++;
    }
    if (t == ARRAY_SIZE(mp_types)) {
        *res = val_strf("cannot find password template %s", a[1]->u.s.ptr);
        return 0;
    }
    mp_scope(&salt, a[3]);
    if (EVP_PBE_scrypt(a[2]->u.s.ptr, a[2]->u.s.len, (const unsigned char *)salt.ptr, salt.len,
                       32768, 8, 2, 64u << 20, key, sizeof(key)) != 1) {
        buf_release(&salt);
        *res = val_str("failed to derive password: scrypt failed");
        return 0;
    }
    mp_scope(&msg, a[4]);
    be[0] = (unsigned char)(counter >> 24);
    be[1] = (unsigned char)(counter >> 16);
    be[2] = (unsigned char)(counter >> 8);
    be[3] = (unsigned char)counter;
    buf_add(&msg, be, 4);
    if (!HMAC(EVP_sha256(), key, sizeof(key), (const unsigned char *)msg.ptr, msg.len, seed,
              &seed_len)) {
        BUG("HMAC-SHA256 failed");
    }
    tmpl = mp_types[t].templates[seed[0] % mp_types[t].n];
    for (size_t i = 0; tmpl[i]; i++) {
        const char *chars = mp_characters(tmpl[i]);

        buf_addc(&out, chars[seed[i + 1] % strlen(chars)]);
    }
    OPENSSL_cleanse(key, sizeof(key));
    buf_release(&salt);
    buf_release(&msg);
    *res = gotpl_take_buf(&out);
    return 0;
}

/* ---- types ---- */

static int fn_type_of(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    UNUSED3;
    *res = val_str(gotpl_type_name(a[0]));
    return 0;
}

static int fn_type_is(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    UNUSED3;
    *res = val_bool(strcmp(a[0]->u.s.ptr, gotpl_type_name(a[1])) == 0);
    return 0;
}

static int fn_type_is_like(struct gx *x, struct val **a, size_t n, struct val **res,
                           struct err *err)
{
    const char *t = gotpl_type_name(a[1]);

    UNUSED3;
    *res = val_bool(strcmp(a[0]->u.s.ptr, t) == 0 ||
                    (a[0]->u.s.ptr[0] == '*' && strcmp(a[0]->u.s.ptr + 1, t) == 0));
    return 0;
}

static int fn_kind_of(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    UNUSED3;
    *res = val_str(gotpl_kind_name(a[0]));
    return 0;
}

static int fn_kind_is(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    UNUSED3;
    *res = val_bool(strcmp(a[0]->u.s.ptr, gotpl_kind_name(a[1])) == 0);
    return 0;
}

static int fn_deep_equal(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    UNUSED3;
    *res = val_bool(gotpl_deep_equal(a[0], a[1]));
    return 0;
}

/* ---- paths (Go's path package) ---- */

/* path.Clean. */
static void path_clean(const char *p, struct buf *out)
{
    bool rooted = p[0] == '/';
    size_t n = strlen(p), r = 0, dotdot = 0;

    if (n == 0) {
        buf_addc(out, '.');
        return;
    }
    if (rooted) {
        buf_addc(out, '/');
        r = 1;
        dotdot = 1;
    }
    while (r < n) {
        if (p[r] == '/') {
            r++;
        } else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
            r++;
        } else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
            r += 2;
            if (out->len > dotdot) {
                size_t w = out->len - 1;

                while (w > dotdot && out->ptr[w] != '/') {
                    w--;
                }
                buf_truncate(out, w);
            } else if (!rooted) {
                if (out->len > 0) {
                    buf_addc(out, '/');
                }
                buf_adds(out, "..");
                dotdot = out->len;
            }
        } else {
            if ((rooted && out->len != 1) || (!rooted && out->len != 0)) {
                buf_addc(out, '/');
            }
            for (; r < n && p[r] != '/'; r++) {
                buf_addc(out, p[r]);
            }
        }
    }
    if (out->len == 0) {
        buf_addc(out, '.');
    }
}

static int fn_clean(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf out = BUF_INIT;

    UNUSED3;
    path_clean(a[0]->u.s.ptr, &out);
    *res = gotpl_take_buf(&out);
    return 0;
}

static int fn_base(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    const char *p = a[0]->u.s.ptr;
    size_t len = strlen(p);
    const char *slash;

    UNUSED3;
    if (len == 0) {
        *res = val_str(".");
        return 0;
    }
    while (len > 0 && p[len - 1] == '/') {
        len--;
    }
    if (len == 0) {
        *res = val_str("/");
        return 0;
    }
    slash = memrchr(p, '/', len);
    *res = slash ? val_strn(slash + 1, len - (size_t)(slash + 1 - p)) : val_strn(p, len);
    return 0;
}

static int fn_dir(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    const char *p = a[0]->u.s.ptr;
    const char *slash = strrchr(p, '/');
    struct buf head = BUF_INIT, out = BUF_INIT;

    UNUSED3;
    buf_add(&head, p, slash ? (size_t)(slash - p) + 1 : 0);
    path_clean(head.ptr, &out);
    buf_release(&head);
    *res = gotpl_take_buf(&out);
    return 0;
}

static int fn_ext(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    const char *p = a[0]->u.s.ptr;

    UNUSED3;
    for (size_t i = strlen(p); i > 0 && p[i - 1] != '/'; i--) {
        if (p[i - 1] == '.') {
            *res = val_str(p + i - 1);
            return 0;
        }
    }
    *res = val_str("");
    return 0;
}

static int fn_is_abs(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    UNUSED3;
    *res = val_bool(a[0]->u.s.ptr[0] == '/');
    return 0;
}

/* ---- JSON variants ---- */

static int fn_to_pretty_json(struct gx *x, struct val **a, size_t n, struct val **res,
                             struct err *err)
{
    struct buf out = BUF_INIT;

    UNUSED3;
    if (gotpl_to_json(a[0], &out, "  ", true) < 0) {
        *res = val_str("");
        return 0;
    }
    *res = gotpl_take_buf(&out);
    return 0;
}

static int fn_to_raw_json(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf out = BUF_INIT;

    UNUSED3;
    if (gotpl_to_json(a[0], &out, NULL, false) < 0) {
        *res = val_str("");
        return 0;
    }
    *res = gotpl_take_buf(&out);
    return 0;
}

static int must_json(struct val **a, struct val **res, struct err *err, const char *indent,
                     bool html)
{
    struct buf out = BUF_INIT;

    if (gotpl_to_json(a[0], &out, indent, html) < 0) {
        return err_set(err, ERR_TEMPLATE, "json: unsupported value");
    }
    *res = gotpl_take_buf(&out);
    return 0;
}

static int fn_must_to_pretty_json(struct gx *x, struct val **a, size_t n, struct val **res,
                                  struct err *err)
{
    (void)x;
    (void)n;
    return must_json(a, res, err, "  ", true);
}

static int fn_must_to_raw_json(struct gx *x, struct val **a, size_t n, struct val **res,
                               struct err *err)
{
    (void)x;
    (void)n;
    return must_json(a, res, err, NULL, false);
}

static int fn_must_from_json(struct gx *x, struct val **a, size_t n, struct val **res,
                             struct err *err)
{
    struct buf msg = BUF_INIT;
    struct val *v = gotpl_from_json(a[0]->u.s.ptr, a[0]->u.s.len, &msg);

    (void)x;
    (void)n;
    if (msg.len > 0) {
        err_set(err, ERR_TEMPLATE, "%s", msg.ptr);
        val_unref(v);
        buf_release(&msg);
        return -1;
    }
    *res = v;
    return 0;
}

/* ---- durations ---- */

/* Go's time.Duration.String. */
static void duration_string(int64_t d, struct buf *out)
{
    uint64_t u = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;
    char frac[16];

    if (d < 0) {
        buf_addc(out, '-');
    }
    if (u < 1000000000ull) {
        const char *unit = "s";
        uint64_t div = 1;
        int prec = 0;

        if (u == 0) {
            buf_adds(out, "0s");
            return;
        }
        if (u < 1000) {
            unit = "ns";
        } else if (u < 1000000) {
            unit = "µs";
            div = 1000;
            prec = 3;
        } else {
            unit = "ms";
            div = 1000000;
            prec = 6;
        }
        buf_addf(out, "%llu", (unsigned long long)(u / div));
        if (prec && u % div) {
            int k;

            snprintf(frac, sizeof(frac), "%0*llu", prec, (unsigned long long)(u % div));
            for (k = prec; k > 0 && frac[k - 1] == '0'; k--) {
                frac[k - 1] = 0;
            }
            buf_addf(out, ".%s", frac);
        }
        buf_adds(out, unit);
        return;
    }
    {
        uint64_t secs = u / 1000000000ull, nanos = u % 1000000000ull;
        uint64_t h = secs / 3600, m = secs / 60 % 60, s = secs % 60;

        if (h) {
            buf_addf(out, "%lluh", (unsigned long long)h);
        }
        if (h || m) {
            buf_addf(out, "%llum", (unsigned long long)m);
        }
        buf_addf(out, "%llu", (unsigned long long)s);
        if (nanos) {
            int k;

            snprintf(frac, sizeof(frac), "%09llu", (unsigned long long)nanos);
            for (k = 9; k > 0 && frac[k - 1] == '0'; k--) {
                frac[k - 1] = 0;
            }
            buf_addf(out, ".%s", frac);
        }
        buf_addc(out, 's');
    }
}

static int fn_duration(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf out = BUF_INIT;
    int64_t secs = 0;

    UNUSED3;
    if (a[0]->type == VAL_STR) {
        char *end;

        secs = strtoll(a[0]->u.s.ptr, &end, 10);
        if (*end || !a[0]->u.s.len) {
            secs = 0;
        }
    } else if (a[0]->type == VAL_INT && !(a[0]->flags & GOTPL_VAL_GOINT)) {
        secs = a[0]->u.i;
    }
    duration_string(secs * 1000000000ll, &out);
    *res = gotpl_take_buf(&out);
    return 0;
}

/* time.ParseDuration; 0 when it does not parse. */
static int64_t parse_duration(const char *s)
{
    static const struct {
        const char *unit;
        double ns;
    } units[] = {
        { "ns", 1 },  { "us", 1e3 }, { "µs", 1e3 },   { "ms", 1e6 },
        { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 },
    };
    double total = 0;
    bool neg = false;

    if (*s == '-' || *s == '+') {
        neg = *s == '-';
        s++;
    }
    if (strcmp(s, "0") == 0) {
        return 0;
    }
    if (!*s) {
        return 0;
    }
    while (*s) {
        char *end;
        double v = strtod(s, &end);
        size_t best = 0, best_len = 0;

        if (end == s) {
            return 0;
        }
        s = end;
        for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
            size_t l = strlen(units[i].unit);

            if (strncmp(s, units[i].unit, l) == 0 && l > best_len) {
                best = i;
                best_len = l;
            }
        }
        if (!best_len) {
            return 0;
        }
        total += v * units[best].ns;
        s += best_len;
    }
    return (int64_t)(neg ? -total : total);
}

static int fn_duration_round(struct gx *x, struct val **a, size_t n, struct val **res,
                             struct err *err)
{
    static const struct {
        uint64_t size;
        const char *unit;
    } steps[] = {
        { 3600ull * 24 * 365 * 1000000000ull, "y" },
        { 3600ull * 24 * 30 * 1000000000ull, "mo" },
        { 3600ull * 24 * 1000000000ull, "d" },
        { 3600ull * 1000000000ull, "h" },
        { 60ull * 1000000000ull, "m" },
        { 1000000000ull, "s" },
    };
    int64_t d = 0;
    uint64_t u;

    UNUSED3;
    if (a[0]->type == VAL_STR) {
        d = parse_duration(a[0]->u.s.ptr);
    } else if (a[0]->type == VAL_INT && !(a[0]->flags & GOTPL_VAL_GOINT)) {
        d = a[0]->u.i;
    }
    u = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;
    for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
        if (u > steps[i].size) {
            *res = val_strf("%llu%s", (unsigned long long)(u / steps[i].size), steps[i].unit);
            return 0;
        }
    }
    *res = val_str("0s");
    return 0;
}

/* ---- URLs ---- */

static int fn_url_parse(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    const char *s = a[0]->u.s.ptr, *p, *end;
    struct val *d = val_dict();
    const char *frag = strchr(s, '#');
    const char *stop = frag ? frag : s + strlen(s);
    const char *q = memchr(s, '?', (size_t)(stop - s));
    const char *rest_end = q ? q : stop;

    UNUSED3;
    val_dict_set_take(d, "fragment", val_str(frag ? frag + 1 : ""));
    val_dict_set_take(d, "query", q ? val_strn(q + 1, (size_t)(stop - q - 1)) : val_str(""));
    val_dict_set_take(d, "opaque", val_str(""));
    p = strstr(s, "://");
    if (p && p < rest_end) {
        const char *auth = p + 3, *slash = memchr(auth, '/', (size_t)(rest_end - auth));
        const char *host_end = slash ? slash : rest_end;
        const char *at = memrchr(auth, '@', (size_t)(host_end - auth));
        const char *host = at ? at + 1 : auth;
        const char *colon;

        val_dict_set_take(d, "scheme", val_strn(s, (size_t)(p - s)));
        val_dict_set_take(d, "userinfo", at ? val_strn(auth, (size_t)(at - auth)) : val_str(""));
        val_dict_set_take(d, "host", val_strn(host, (size_t)(host_end - host)));
        colon = memrchr(host, ':', (size_t)(host_end - host));
        end = colon ? colon : host_end;
        val_dict_set_take(d, "hostname", val_strn(host, (size_t)(end - host)));
        val_dict_set_take(d, "path", val_strn(host_end, (size_t)(rest_end - host_end)));
    } else {
        val_dict_set_take(d, "scheme", val_str(""));
        val_dict_set_take(d, "userinfo", val_str(""));
        val_dict_set_take(d, "host", val_str(""));
        val_dict_set_take(d, "hostname", val_str(""));
        val_dict_set_take(d, "path", val_strn(s, (size_t)(rest_end - s)));
    }
    *res = d;
    return 0;
}

static int fn_url_join(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    struct buf out = BUF_INIT;
    const char *scheme = val_dict_get_str(a[0], "scheme");
    const char *user = val_dict_get_str(a[0], "userinfo");
    const char *host = val_dict_get_str(a[0], "host");
    const char *path = val_dict_get_str(a[0], "path");
    const char *query = val_dict_get_str(a[0], "query");
    const char *frag = val_dict_get_str(a[0], "fragment");

    UNUSED3;
    if (scheme && *scheme) {
        buf_addf(&out, "%s:", scheme);
    }
    if ((host && *host) || (user && *user)) {
        buf_adds(&out, "//");
        if (user && *user) {
            buf_addf(&out, "%s@", user);
        }
        buf_adds(&out, host ? host : "");
        if (path && *path && *path != '/') {
            buf_addc(&out, '/');
        }
    }
    buf_adds(&out, path ? path : "");
    if (query && *query) {
        buf_addf(&out, "?%s", query);
    }
    if (frag && *frag) {
        buf_addf(&out, "#%s", frag);
    }
    *res = gotpl_take_buf(&out);
    return 0;
}

/* ---- environment (helmfile only) ---- */

static int fn_env(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    const char *v = getenv(a[0]->u.s.ptr);

    UNUSED3;
    *res = val_str(v ? v : "");
    return 0;
}

/* os.ExpandEnv: $NAME and ${NAME}; a '$' before anything else stays. */
static int fn_expandenv(struct gx *x, struct val **a, size_t n, struct val **res, struct err *err)
{
    const char *s = a[0]->u.s.ptr;
    struct buf out = BUF_INIT;

    UNUSED3;
    while (*s) {
        const char *name = s + 1;
        size_t len = 0;
        bool braced = *name == '{';
        char tmp[256];
        const char *v;

        if (*s != '$') {
            buf_addc(&out, *s++);
            continue;
        }
        if (braced) {
            name++;
            len = strcspn(name, "}");
            if (!name[len]) {
                buf_addc(&out, *s++);
                continue;
            }
        } else {
            while (name[len] == '_' || (name[len] >= 'a' && name[len] <= 'z') ||
                   (name[len] >= 'A' && name[len] <= 'Z') ||
                   (name[len] >= '0' && name[len] <= '9')) {
                len++;
            }
            if (len == 0) {
                buf_addc(&out, *s++);
                continue;
            }
        }
        snprintf(tmp, sizeof(tmp), "%.*s", (int)len, name);
        v = getenv(tmp);
        buf_adds(&out, v ? v : "");
        s = name + len + (braced ? 1 : 0);
    }
    *res = gotpl_take_buf(&out);
    return 0;
}

const struct gfunc gotpl_sprig_env_funcs[] = {
    { "env", fn_env, "s" },
    { "expandenv", fn_expandenv, "s" },
};
const size_t gotpl_sprig_env_nfuncs = ARRAY_SIZE(gotpl_sprig_env_funcs);

const struct gfunc gotpl_sprig_misc_funcs[] = {
    { "adler32sum", fn_adler32sum, "s" },
    { "all", fn_all, "a." },
    { "any", fn_any, "a." },
    { "b32dec", fn_b32dec, "s" },
    { "b32enc", fn_b32enc, "s" },
    { "b64dec", fn_b64dec, "s" },
    { "b64enc", fn_b64enc, "s" },
    { "base", fn_base, "s" },
    { "clean", fn_clean, "s" },
    { "coalesce", fn_coalesce, "a." },
    { "deepEqual", fn_deep_equal, "aa" },
    { "default", fn_default, "aa." },
    { "derivePassword", fn_derive_password, "ussss" },
    { "dir", fn_dir, "s" },
    { "duration", fn_duration, "a" },
    { "durationRound", fn_duration_round, "a" },
    { "empty", fn_empty, "a" },
    { "ext", fn_ext, "s" },
    { "fail", fn_fail, "s" },
    { "hello", fn_hello, "" },
    { "isAbs", fn_is_abs, "s" },
    { "kindIs", fn_kind_is, "sa" },
    { "kindOf", fn_kind_of, "a" },
    { "mustFromJson", fn_must_from_json, "s" },
    { "mustToPrettyJson", fn_must_to_pretty_json, "a" },
    { "mustToRawJson", fn_must_to_raw_json, "a" },
    { "osBase", fn_base, "s" },
    { "osClean", fn_clean, "s" },
    { "osDir", fn_dir, "s" },
    { "osExt", fn_ext, "s" },
    { "osIsAbs", fn_is_abs, "s" },
    { "sha1sum", fn_sha1sum, "s" },
    { "sha256sum", fn_sha256sum, "s" },
    { "sha512sum", fn_sha512sum, "s" },
    { "ternary", fn_ternary, "aab" },
    { "toPrettyJson", fn_to_pretty_json, "a" },
    { "toRawJson", fn_to_raw_json, "a" },
    { "typeIs", fn_type_is, "sa" },
    { "typeIsLike", fn_type_is_like, "sa" },
    { "typeOf", fn_type_of, "a" },
    { "urlJoin", fn_url_join, "m" },
    { "urlParse", fn_url_parse, "s" },
};
const size_t gotpl_sprig_misc_nfuncs = ARRAY_SIZE(gotpl_sprig_misc_funcs);
