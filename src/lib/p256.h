/* SPDX-License-Identifier: ISC */
/*
 * NIST P-256 for ECCSI: the constant-time fixed-base multiplication [k]G
 * for secret scalars (KSAK, v, SSK, j), the check [u]G + [w]T == P over
 * tables of G and of a fixed public point T (the SSK check of RFC 6507
 * 5.1.2 with T = KPAK), and the shared OpenSSL group for the public-point
 * arithmetic (verification). Variable-base multiplication of secrets is
 * not offered: ECCSI never needs it.
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

/* A table of multiples of one fixed public point (464 KiB), for p256_mul2_eq. */
struct p256_tab;

/*
 * The table of pt (04 || x || y, checked as p256_point_check does), built
 * in about the time of 7,500 point additions; NULL if pt is not a point
 * or memory ran out. Free with p256_tab_free.
 */
struct p256_tab *p256_tab_new(const uint8_t pt[65]);
void p256_tab_free(struct p256_tab *tab);

/*
 * All-ones iff [u]G + [w]T == P for T the point of tab and P = pt (a
 * point, already checked), else zero. u is secret and handled in constant
 * time; w, T and P are public (variable time). u and w must be below q
 * (as for p256_mul_g); the mask is as secret as u.
 */
uint64_t p256_mul2_eq(const uint8_t u[32], const struct p256_tab *tab,
    const uint8_t w[32], const uint8_t pt[65]);

/* 0 iff pt is 04 || x || y with x, y < p on the curve, else SKM_EPOINT. */
int p256_point_check(const uint8_t pt[65]);

/* The P-256 group, built once and shared; NULL if OpenSSL failed. */
const EC_GROUP *p256_group(void);

#endif
