/* SPDX-License-Identifier: ISC */
/*
 * NIST P-256 for ECCSI: the constant-time fixed-base multiplication [k]G
 * for secret scalars (KSAK, v, SSK, j), and the shared OpenSSL group for
 * the public-point arithmetic (verification). Variable-base multiplication
 * of secrets is not offered: ECCSI never needs it.
 */
#ifndef SKM_LIB_P256_H
#define SKM_LIB_P256_H

#include <stdint.h>

#include <openssl/ec.h>

/* The uncompressed encoding of the base point G. */
extern const uint8_t p256_g[65];

/*
 * out = [k]G, uncompressed (04 || x || y), for big-endian k < q, in
 * constant time. Returns all-ones if the result is the point at infinity
 * (k = 0; out is then all zero), else 0. The mask is as secret as k.
 * Scalars of q and above are the caller's bug: the result is then not
 * guaranteed.
 */
uint64_t p256_mul_g(uint8_t out[65], const uint8_t k[32]);

/* The P-256 group, built once and shared; NULL if OpenSSL failed. */
const EC_GROUP *p256_group(void);

#endif
