/* SPDX-License-Identifier: ISC */
/*
 * Constant-time Montgomery arithmetic modulo the two 256-bit primes of NIST
 * P-256: the group order q (ECCSI scalars) and the field prime p (the
 * fixed-base multiplication in p256.c). Four 64-bit limbs, little-endian
 * limb order. No function branches on or indexes memory by a value, but
 * p256n_inv_vartime, which is for public values only. The
 * products use BMI2/ADX when cpu_level() allows (lib/cpu.h). This file
 * knows nothing about points or ECCSI.
 */
#ifndef SKM_LIB_P256N_H
#define SKM_LIB_P256N_H

#include <stdint.h>
#if defined(__x86_64__)
#include <x86intrin.h>		/* add and subtract with carry */
#endif

struct p256n_mod {
	uint64_t m[4];		/* the odd modulus */
	uint64_t n0;		/* -m^-1 mod 2^64 */
	uint64_t r2[4];		/* R^2 mod m, R = 2^256 */
	uint64_t r3[4];		/* R^3 mod m */
	uint64_t one[4];	/* R mod m: 1 in Montgomery form */
};

extern const struct p256n_mod p256n_q;	/* the P-256 group order */
extern const struct p256n_mod p256n_p;	/* the P-256 field prime */

/* Octets (32, big-endian) to limbs and back; no reduction. */
void p256n_from_bytes(uint64_t r[4], const uint8_t in[32]);
void p256n_to_bytes(uint8_t out[32], const uint64_t a[4]);

/* All-ones if a < b (a == 0), else zero. */
uint64_t p256n_lt(const uint64_t a[4], const uint64_t b[4]);
uint64_t p256n_is_zero(const uint64_t a[4]);

/* r = mask ? a : b, mask all-ones or zero; inline for the point formulas. */
static inline void
p256n_select(uint64_t r[4], const uint64_t a[4], const uint64_t b[4], uint64_t mask)
{
	r[0] = (a[0] & mask) | (b[0] & ~mask);
	r[1] = (a[1] & mask) | (b[1] & ~mask);
	r[2] = (a[2] & mask) | (b[2] & ~mask);
	r[3] = (a[3] & mask) | (b[3] & ~mask);
}

/* a R^-1 b mod m; a < 2^256 and b < m (or the reverse) is enough. */
void p256n_mul(const struct p256n_mod *md, uint64_t r[4], const uint64_t a[4],
    const uint64_t b[4]);
/* a^2 R^-1 mod m, a < m. */
void p256n_sqr(const struct p256n_mod *md, uint64_t r[4], const uint64_t a[4]);
/* r = a + b, a - b mod m; inputs below m. */
void p256n_add(const struct p256n_mod *md, uint64_t r[4], const uint64_t a[4],
    const uint64_t b[4]);
void p256n_sub(const struct p256n_mod *md, uint64_t r[4], const uint64_t a[4],
    const uint64_t b[4]);

/* The same for m = p, with the modulus folded in (point arithmetic). */
void p256n_fp_mul(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]);
void p256n_fp_sqr(uint64_t r[4], const uint64_t a[4]);

/* a + b + *carry and a - b - *borrow; the carry is 0 or 1 in and out. */
static inline uint64_t
p256n_adc(uint64_t a, uint64_t b, uint64_t *carry)
{
#if defined(__x86_64__)
	unsigned long long s;

	*carry = _addcarry_u64((unsigned char)*carry, a, b, &s);
	return s;
#else
	unsigned __int128 t = (unsigned __int128)a + b + *carry;

	*carry = (uint64_t)(t >> 64);
	return (uint64_t)t;
#endif
}

static inline uint64_t
p256n_sbb(uint64_t a, uint64_t b, uint64_t *borrow)
{
#if defined(__x86_64__)
	unsigned long long d;

	*borrow = _subborrow_u64((unsigned char)*borrow, a, b, &d);
	return d;
#else
	unsigned __int128 t = (unsigned __int128)a - b - *borrow;

	*borrow = (uint64_t)(t >> 64) & 1;
	return (uint64_t)t;
#endif
}

/*
 * r = a + b and a - b mod p, inputs below p; inline because the point
 * formulas call them as often as the multiplications. p is
 * (2^64 - 1, 2^32 - 1, 0, 2^64 - 2^32 + 1) from the low limb up.
 */
static inline void
p256n_fp_add(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
	uint64_t s0, s1, s2, s3, d0, d1, d2, d3, c = 0, bw = 0, keep;

	s0 = p256n_adc(a[0], b[0], &c);
	s1 = p256n_adc(a[1], b[1], &c);
	s2 = p256n_adc(a[2], b[2], &c);
	s3 = p256n_adc(a[3], b[3], &c);
	d0 = p256n_sbb(s0, 0xffffffffffffffffULL, &bw);
	d1 = p256n_sbb(s1, 0x00000000ffffffffULL, &bw);
	d2 = p256n_sbb(s2, 0, &bw);
	d3 = p256n_sbb(s3, 0xffffffff00000001ULL, &bw);
	/* keep the sum iff carry:sum - p went negative */
	keep = 0 - (~c & bw & 1);
	r[0] = (s0 & keep) | (d0 & ~keep);
	r[1] = (s1 & keep) | (d1 & ~keep);
	r[2] = (s2 & keep) | (d2 & ~keep);
	r[3] = (s3 & keep) | (d3 & ~keep);
}

static inline void
p256n_fp_sub(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
	uint64_t d0, d1, d2, d3, bw = 0, c = 0, mask;

	d0 = p256n_sbb(a[0], b[0], &bw);
	d1 = p256n_sbb(a[1], b[1], &bw);
	d2 = p256n_sbb(a[2], b[2], &bw);
	d3 = p256n_sbb(a[3], b[3], &bw);
	/* add p back when the difference went negative */
	mask = 0 - bw;
	r[0] = p256n_adc(d0, 0xffffffffffffffffULL & mask, &c);
	r[1] = p256n_adc(d1, 0x00000000ffffffffULL & mask, &c);
	r[2] = p256n_adc(d2, 0, &c);
	r[3] = p256n_adc(d3, 0xffffffff00000001ULL & mask, &c);
}

/* Any a < 2^256 into Montgomery form (reduced); and back to a plain residue. */
void p256n_to_mont(const struct p256n_mod *md, uint64_t r[4], const uint64_t a[4]);
void p256n_from_mont(const struct p256n_mod *md, uint64_t r[4], const uint64_t a[4]);

/* The 512-bit big-endian integer in[64] mod m, in Montgomery form. */
void p256n_reduce512(const struct p256n_mod *md, uint64_t r[4], const uint8_t in[64]);

/* r = a^-1 in Montgomery form (safegcd; m is prime); 0 for a == 0. */
void p256n_inv(const struct p256n_mod *md, uint64_t r[4], const uint64_t a[4]);
/* The same in variable time, for public a only (an ECCSI HS). */
void p256n_inv_vartime(const struct p256n_mod *md, uint64_t r[4], const uint64_t a[4]);

#endif
