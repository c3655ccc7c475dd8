/* SPDX-License-Identifier: ISC */
/*
 * AES-256 key wrap with padding (RFC 5649) under a 256-bit Transport Key,
 * for the key material of the TS 33.180 D.1 security extension: the RSK
 * (257 octets) and PVT (65) are not multiples of 8 octets, so the plain
 * RFC 3394 wrap cannot carry them. OpenSSL EVP only; never logs.
 */
#ifndef SKM_LIB_KEYWRAP_H
#define SKM_LIB_KEYWRAP_H

#include <stddef.h>
#include <stdint.h>

#define KEYWRAP_KEY_LEN		32
#define KEYWRAP_MAX_IN		1024	/* longest plaintext wrapped */
#define KEYWRAP_OUT_LEN(n)	((((n) + 7) / 8) * 8 + 8)

/*
 * XML Encryption 1.1 names this wrap kw-aes-256-pad and it is what we
 * write; a deployed implementation labels the same RFC 5649 wrap with the
 * 1.0 kw-aes256 URI, which is accepted when reading (keywrap_uri_ok).
 */
#define KEYWRAP_URI		"http://www.w3.org/2009/xmlenc11#kw-aes-256-pad"
#define KEYWRAP_URI_LEGACY	"http://www.w3.org/2001/04/xmlenc#kw-aes256"

/* 1 when uri names the padded AES-256 wrap as written or as accepted. */
int keywrap_uri_ok(const char *uri);

/*
 * Wraps len octets (1..KEYWRAP_MAX_IN) under key into out (cap at least
 * KEYWRAP_OUT_LEN(len)); *outlen gets the wrapped length.
 */
int keywrap_wrap(const uint8_t key[KEYWRAP_KEY_LEN], const uint8_t *in, size_t len,
    uint8_t *out, size_t cap, size_t *outlen);

/* The same through OpenSSL's wrap cipher: the reference the tests compare with. */
int keywrap_wrap_openssl(const uint8_t key[KEYWRAP_KEY_LEN], const uint8_t *in, size_t len,
    uint8_t *out, size_t cap, size_t *outlen);

/*
 * Unwraps len octets under key into out (cap >= len - 8): a wrong key or
 * any altered octet is SKM_EVERIFY and out is cleansed.
 */
int keywrap_unwrap(const uint8_t key[KEYWRAP_KEY_LEN], const uint8_t *in, size_t len,
    uint8_t *out, size_t cap, size_t *outlen);

#endif
