/* SPDX-License-Identifier: ISC */
/*
 * Sealing opaque secrets with AES-256-GCM (OpenSSL EVP): a random 96-bit
 * nonce, the caller's associated data, a 128-bit tag. Sealed form:
 * nonce || ciphertext || tag. Knows nothing of what is sealed or where it
 * is stored; never logs.
 */
#ifndef SKM_STORE_SEAL_H
#define SKM_STORE_SEAL_H

#include <stddef.h>
#include <stdint.h>

#define SEAL_KEY_LEN	32
#define SEAL_NONCE_LEN	12
#define SEAL_TAG_LEN	16
#define SEAL_OVERHEAD	(SEAL_NONCE_LEN + SEAL_TAG_LEN)

/*
 * Seals len octets of plain under key into out (cap >= len + SEAL_OVERHEAD);
 * *outlen gets len + SEAL_OVERHEAD.
 */
int seal_encrypt(const uint8_t *key, const uint8_t *aad, size_t aadlen,
    const uint8_t *plain, size_t len, uint8_t *out, size_t cap, size_t *outlen);

/*
 * Opens a sealed value into plain (cap >= inlen - SEAL_OVERHEAD); *len gets
 * the plaintext length. A wrong key, wrong aad or any altered octet is
 * SKM_EVERIFY and plain is cleansed. The caller cleanses plain after use.
 */
int seal_decrypt(const uint8_t *key, const uint8_t *aad, size_t aadlen,
    const uint8_t *in, size_t inlen, uint8_t *plain, size_t cap, size_t *len);

#endif
