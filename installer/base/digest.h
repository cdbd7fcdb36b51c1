/*
 * digest.h - SHA-256 over OpenSSL EVP, one-shot or streaming, with lowercase hex output.
 */
#ifndef DIGEST_H
#define DIGEST_H

#define SHA256_HEX_LEN 64

struct sha256 {
    void *ctx; /* owned EVP_MD_CTX */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* Writes 64 hex chars + NUL into hex and releases the context. */
void sha256_final_hex(struct sha256 *s, char hex[SHA256_HEX_LEN + 1]);
void sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_LEN + 1]);
/* Generic one-shot digest by OpenSSL name ("sha1", "md5", "sha512"...). Returns -1 if unknown. */
int digest_hex(const char *algorithm, const void *data, size_t len, char *hex, size_t hex_size);

#endif
