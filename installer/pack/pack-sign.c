/*
 * pack-sign.c - ed25519 signatures of the package's MANIFEST over OpenSSL EVP: keys read from
 * PEM files (`openssl genpkey -algorithm ed25519`), signatures written as one base64 line.
 */
#include "pot.h"
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include "base/b64.h"
#include "base/buf.h"
#include "base/err.h"
#include "pack/pack.h"

#define ED25519_SIG_LEN 64

/* Reads a private key (private) or a public key, falling back to a private key's public half. */
static EVP_PKEY *read_key(const char *path, bool private, struct err *err)
{
    FILE *f = fopen(path, "r");
    EVP_PKEY *key = NULL;

    if (!f) {
        err_errno(err, "key '%s'", path);
        return NULL;
    }
    key = private ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : PEM_read_PUBKEY(f, NULL, NULL, NULL);
    if (!key && !private) {
        rewind(f);
        key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    }
    fclose(f);
    if (!key || EVP_PKEY_id(key) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(key);
        err_set(err, ERR_USAGE, "key '%s': not an ed25519 %s key in PEM", path,
                private ? "private" : "public");
        return NULL;
    }
    return key;
}

int pack_sign(const char *key_path, const void *data, size_t len, struct buf *sig,
              struct err *err)
{
    EVP_PKEY *key = read_key(key_path, true, err);
    EVP_MD_CTX *md = NULL;
    unsigned char raw[ED25519_SIG_LEN];
    size_t raw_len = sizeof(raw);
    int rc = -1;

    if (!key) {
        return -1;
    }
    md = EVP_MD_CTX_new();
    if (EVP_DigestSignInit(md, NULL, NULL, NULL, key) != 1 ||
        EVP_DigestSign(md, raw, &raw_len, data, len) != 1) {
        err_set(err, ERR_INTERNAL, "key '%s': signing failed", key_path);
    } else {
        b64_encode(sig, raw, raw_len);
        buf_addc(sig, '\n');
        rc = 0;
    }
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    return rc;
}

int pack_sig_check(const char *key_path, const void *data, size_t len, const char *sig,
                   size_t sig_len, struct err *err)
{
    EVP_PKEY *key = read_key(key_path, false, err);
    EVP_MD_CTX *md = NULL;
    struct buf raw = BUF_INIT;
    int rc = -1;

    if (!key) {
        return -1;
    }
    if (b64_decode(&raw, sig, sig_len) < 0 || raw.len != ED25519_SIG_LEN) {
        err_set(err, ERR_FAILED, "bad signature: %s is not an ed25519 signature",
                PACK_SIGNATURE);
        goto out;
    }
    md = EVP_MD_CTX_new();
    if (EVP_DigestVerifyInit(md, NULL, NULL, NULL, key) != 1 ||
        EVP_DigestVerify(md, (const unsigned char *)raw.ptr, raw.len, data, len) != 1) {
        err_set(err, ERR_FAILED, "bad signature: %s does not match %s with key '%s'",
                PACK_SIGNATURE, PACK_MANIFEST, key_path);
        goto out;
    }
    rc = 0;
out:
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    buf_release(&raw);
    return rc;
}
