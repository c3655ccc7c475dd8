/* SPDX-License-Identifier: ISC */
/*
 * Constant-time arithmetic modulo a 1024-bit odd modulus: the SAKKE field
 * prime p and the group order q of parameter set 1. Values are 16 64-bit
 * limbs, least significant first; products are Montgomery products (R =
 * 2^1024). No function branches on or indexes memory by a limb value; only
 * the modulus and exponents of fp1024_pow_public() may steer control flow.
 */
#ifndef SKM_LIB_FP1024_H
#define SKM_LIB_FP1024_H

#include <stddef.h>
#include <stdint.h>

#define FP1024_LIMBS	16
#define FP1024_BYTES	128

struct fp1024_mod {
	uint64_t m[FP1024_LIMBS];	/* the modulus, odd */
	uint64_t n0;			/* -m^-1 mod 2^64 */
	uint64_t rr[FP1024_LIMBS];	/* R^2 mod m */
	uint64_t one[FP1024_LIMBS];	/* R mod m: 1 in Montgomery form */
};

extern const struct fp1024_mod fp1024_p;	/* RFC 6509 parameter set 1 p */
extern const struct fp1024_mod fp1024_q;	/* q = (p + 1) / 4 */

/* r = a * b / R mod m; a, b < m (a may be any 1024-bit value if b < m). */
void fp1024_mul(uint64_t r[FP1024_LIMBS], const uint64_t a[FP1024_LIMBS],
    const uint64_t b[FP1024_LIMBS], const struct fp1024_mod *md);
void fp1024_sqr(uint64_t r[FP1024_LIMBS], const uint64_t a[FP1024_LIMBS],
    const struct fp1024_mod *md);
/* r = (a b + c d) / R mod m with a single reduction; a, b, c, d < m. */
void fp1024_mul_sum(uint64_t r[FP1024_LIMBS], const uint64_t a[FP1024_LIMBS],
    const uint64_t b[FP1024_LIMBS], const uint64_t c[FP1024_LIMBS],
    const uint64_t d[FP1024_LIMBS], const struct fp1024_mod *md);
/*
 * fp1024_mul(), fp1024_sqr() and fp1024_mul_sum() use the fastest product
 * cpu_level() allows (lib/cpu.h): portable C, BMI2/ADX or AVX-512 IFMA.
 * Every path gives the same results and runs in constant time.
 */
/* The portable products, whatever the CPU: the same contract. */
void fp1024_mul_generic(uint64_t r[FP1024_LIMBS], const uint64_t a[FP1024_LIMBS],
    const uint64_t b[FP1024_LIMBS], const struct fp1024_mod *md);
void fp1024_sqr_generic(uint64_t r[FP1024_LIMBS], const uint64_t a[FP1024_LIMBS],
    const struct fp1024_mod *md);
void fp1024_add(uint64_t r[FP1024_LIMBS], const uint64_t a[FP1024_LIMBS],
    const uint64_t b[FP1024_LIMBS], const struct fp1024_mod *md);
void fp1024_sub(uint64_t r[FP1024_LIMBS], const uint64_t a[FP1024_LIMBS],
    const uint64_t b[FP1024_LIMBS], const struct fp1024_mod *md);
void fp1024_neg(uint64_t r[FP1024_LIMBS], const uint64_t a[FP1024_LIMBS],
    const struct fp1024_mod *md);
/* r = -a when mask is all ones, a when it is zero. */
void fp1024_cneg(uint64_t r[FP1024_LIMBS], const uint64_t a[FP1024_LIMBS],
    uint64_t mask, const struct fp1024_mod *md);

void fp1024_copy(uint64_t r[FP1024_LIMBS], const uint64_t a[FP1024_LIMBS]);
/* r = a where mask is all ones; mask is 0 or ~0. */
void fp1024_cmov(uint64_t r[FP1024_LIMBS], const uint64_t a[FP1024_LIMBS],
    uint64_t mask);
/* All ones when a == 0 (resp. a == b), else 0. */
uint64_t fp1024_is_zero(const uint64_t a[FP1024_LIMBS]);
uint64_t fp1024_eq(const uint64_t a[FP1024_LIMBS], const uint64_t b[FP1024_LIMBS]);
/* All ones when a < b as integers. */
uint64_t fp1024_lt(const uint64_t a[FP1024_LIMBS], const uint64_t b[FP1024_LIMBS]);
/* r = a - b as integers; returns the borrow (0 or 1). */
uint64_t fp1024_sub_raw(uint64_t r[FP1024_LIMBS], const uint64_t a[FP1024_LIMBS],
    const uint64_t b[FP1024_LIMBS]);

void fp1024_to_mont(uint64_t r[FP1024_LIMBS], const uint64_t a[FP1024_LIMBS],
    const struct fp1024_mod *md);
void fp1024_from_mont(uint64_t r[FP1024_LIMBS], const uint64_t a[FP1024_LIMBS],
    const struct fp1024_mod *md);

/* Big-endian octets (len <= 128) to limbs and back (128 octets), no reduction. */
void fp1024_from_bytes(uint64_t r[FP1024_LIMBS], const uint8_t *in, size_t len);
void fp1024_to_bytes(uint8_t out[FP1024_BYTES], const uint64_t a[FP1024_LIMBS]);

/* r = a^e in Montgomery form; e is public (it steers the window loop). */
void fp1024_pow_public(uint64_t r[FP1024_LIMBS], const uint64_t a[FP1024_LIMBS],
    const uint64_t e[FP1024_LIMBS], const struct fp1024_mod *md);
/* r = a^-1 in Montgomery form (0 maps to 0), by safegcd; m must be prime. */
void fp1024_inv(uint64_t r[FP1024_LIMBS], const uint64_t a[FP1024_LIMBS],
    const struct fp1024_mod *md);
/*
 * Replaces each a[i] by its inverse with one inversion (Montgomery's trick).
 * tmp holds n elements. A zero element makes every output zero.
 */
void fp1024_inv_batch(uint64_t (*a)[FP1024_LIMBS], uint64_t (*tmp)[FP1024_LIMBS],
    size_t n, const struct fp1024_mod *md);

#endif
