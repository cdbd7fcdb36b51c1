/*
 * digest.c - SHA-256 and other digests through OpenSSL EVP.
 */
#include "pot.h"
#include <openssl/evp.h>
#include "base/digest.h"

static void to_hex(const unsigned char *md, unsigned len, char *hex)
{
    static const char digits[] = "0123456789abcdef";

    for (unsigned i = 0; i < len; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[2 * len] = '\0';
}

void sha256_init(struct sha256 *s)
{
    s->ctx = EVP_MD_CTX_new();
    if (!s->ctx || !EVP_DigestInit_ex(s->ctx, EVP_sha256(), NULL)) {
        BUG("EVP sha256 init failed");
    }
}

void sha256_update(struct sha256 *s, const void *data, size_t len)
{
    EVP_DigestUpdate(s->ctx, data, len);
}

void sha256_final_hex(struct sha256 *s, char hex[SHA256_HEX_LEN + 1])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;

    EVP_DigestFinal_ex(s->ctx, md, &len);
    EVP_MD_CTX_free(s->ctx);
    s->ctx = NULL;
    to_hex(md, len, hex);
}

void sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_LEN + 1])
{
    struct sha256 s;

    sha256_init(&s);
    sha256_update(&s, data, len);
    sha256_final_hex(&s, hex);
}

int digest_hex(const char *algorithm, const void *data, size_t len, char *hex, size_t hex_size)
{
    const EVP_MD *md = EVP_get_digestbyname(algorithm);
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned out_len = 0;

    if (!md) {
        return -1;
    }
    if (!EVP_Digest(data, len, out, &out_len, md, NULL) || hex_size < 2 * out_len + 1) {
        return -1;
    }
    to_hex(out, out_len, hex);
    return 0;
}
