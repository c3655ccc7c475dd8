/* SPDX-License-Identifier: ISC */
/*
 * The AVX-512 IFMA Montgomery product behind fp1024_mul() on processors
 * that have it (see fp1024_ifma.h). Operands are re-cut into twenty 52-bit
 * digits, three 512-bit vectors each; vpmadd52luq/vpmadd52huq add the low
 * and high halves of 52 x 52-bit products to 64-bit lanes, which hold the
 * sums without carrying until a single pass at the end.
 *
 * Montgomery reduction over 52-bit digits divides by 2^1040, not by the
 * R = 2^1024 of the rest of the library. Shifting a left by 16 bits first
 * makes the quotient a b 2^16 / 2^1040 = a b / R, so the output is the
 * same Montgomery product and the two paths mix freely.
 *
 * Constant time: every instruction runs on every digit; the one scalar
 * step (the reduction digit m) is a multiply and a mask. This file must
 * not choose the path (fp1024.c does) nor hold anything but the product.
 */
#include "lib/fp1024_ifma.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define N	FP1024_LIMBS
#define D	20			/* 52-bit digits: 1040 bits */
#define DV	24			/* digits in three vectors */
#define MASK52	((1ULL << 52) - 1)

typedef unsigned __int128 u128;	/* local helper type, not exported */

/* Digit j of x 2^shift (shift 0 or 16): bits 52j - shift and up. */
__attribute__((always_inline))
static inline void
fp1024_ifma_digits(uint64_t dg[DV], const uint64_t x[N], int shift)
{
	int j;

#pragma GCC unroll 20
	for (j = 0; j < D; j++) {
		int lo = 52 * j - shift, w, o;
		uint64_t v;

		if (lo < 0) {
			dg[j] = (x[0] << -lo) & MASK52;
			continue;
		}
		w = lo / 64;
		o = lo % 64;
		v = x[w] >> o;
		if (o > 12 && w + 1 < N)
			v |= x[w + 1] << (64 - o);
		dg[j] = v & MASK52;
	}
	dg[20] = dg[21] = dg[22] = dg[23] = 0;
}

/* The two moduli of parameter set 1 in digits, made once at load time. */
static uint64_t fp1024_ifma_pd[2][DV] __attribute__((aligned(64)));

__attribute__((constructor)) static void
fp1024_ifma_init(void)
{
	fp1024_ifma_digits(fp1024_ifma_pd[0], fp1024_p.m, 0);
	fp1024_ifma_digits(fp1024_ifma_pd[1], fp1024_q.m, 0);
}

/*
 * t[0..16] = (sum of a[k] 2^16 b[k]) / 2^1040 + some multiple of the
 * modulus below the bound the caller states; pairs is 1 or 2.
 *
 * Word-serial Montgomery over digits: step i adds a_i b and m_i m, where
 * m_i zeroes digit 0, then drops digit 0. The products accumulate in two
 * vector sets, x for a_i b and y for m_i m, so neither waits on the other,
 * and no carry ever enters a vector lane. Digit 0, on which m_i depends,
 * is x's lane 0 (x never waits for m) plus y's part ys, which is tracked
 * in a scalar from y's lane 1 and the two products of m that reach it, and
 * the carry out of the digit dropped before; that keeps most of the
 * vector latency off the chain from one m to the next.
 */
__attribute__((target("avx512f,avx512ifma"), always_inline))
static inline void
fp1024_ifma_redc(uint64_t t[N + 1], const uint64_t *const *a,
    const uint64_t *const *b, int pairs, const struct fp1024_mod *md)
{
	uint64_t ad[2][DV] __attribute__((aligned(64)));
	uint64_t bd[2][DV] __attribute__((aligned(64)));
	uint64_t own[DV] __attribute__((aligned(64)));
	const uint64_t *pd = own;
	uint64_t xd[DV] __attribute__((aligned(64)));
	const uint64_t k0 = md->n0 & MASK52;	/* -m^-1 mod 2^52 */
	__m512i b0[2], b1[2], b2[2], p0, p1, p2, x0, x1, x2, y0, y1, y2, zero;
	uint64_t s, ys = 0, carry = 0;
	u128 acc = 0;
	int i, k, j, bits, w;

	for (k = 0; k < pairs; k++) {
		fp1024_ifma_digits(ad[k], a[k], 16);
		fp1024_ifma_digits(bd[k], b[k], 0);
		b0[k] = _mm512_load_si512((const void *)bd[k]);
		b1[k] = _mm512_load_si512((const void *)(bd[k] + 8));
		b2[k] = _mm512_load_si512((const void *)(bd[k] + 16));
	}
	if (md == &fp1024_p)
		pd = fp1024_ifma_pd[0];
	else if (md == &fp1024_q)
		pd = fp1024_ifma_pd[1];
	else
		fp1024_ifma_digits(own, md->m, 0);
	p0 = _mm512_load_si512((const void *)pd);
	p1 = _mm512_load_si512((const void *)(pd + 8));
	p2 = _mm512_load_si512((const void *)(pd + 16));
	zero = _mm512_setzero_si512();
	x0 = x1 = x2 = y0 = y1 = y2 = zero;

#pragma GCC unroll 20
	for (i = 0; i < D; i++) {
		__m512i ai[2], mv;
		uint64_t m, ylane1;
		u128 pr;

		/* y's lane 1 before this step is part of digit 0 after it. */
		ylane1 = (uint64_t)_mm_extract_epi64(_mm512_castsi512_si128(y0),
		    1);
		for (k = 0; k < pairs; k++) {
			ai[k] = _mm512_set1_epi64((long long)ad[k][i]);
			x0 = _mm512_madd52lo_epu64(x0, ai[k], b0[k]);
			x1 = _mm512_madd52lo_epu64(x1, ai[k], b1[k]);
			x2 = _mm512_madd52lo_epu64(x2, ai[k], b2[k]);
		}
		/*
		 * Digit 0: x's lane 0 (x never waits for m, so it is ready
		 * early), y's part ys and the carry out of the last digit.
		 */
		s = (uint64_t)_mm_cvtsi128_si64(_mm512_castsi512_si128(x0)) +
		    ys + carry;
		m = (s * k0) & MASK52;
		/*
		 * s + lo(m m_0) is a multiple of 2^52, so its carry follows
		 * from s alone: s >> 52, plus one unless s's low digit is 0.
		 */
		carry = (s >> 52) + (((s & MASK52) + MASK52) >> 52);
		/* y's lane 0 after this step, from the terms m puts there. */
		pr = (u128)m * pd[0];
		ys = ylane1 + ((uint64_t)(pr >> 52) + ((m * pd[1]) & MASK52));
		mv = _mm512_set1_epi64((long long)m);
		y0 = _mm512_madd52lo_epu64(y0, mv, p0);
		y1 = _mm512_madd52lo_epu64(y1, mv, p1);
		y2 = _mm512_madd52lo_epu64(y2, mv, p2);
		x0 = _mm512_alignr_epi64(x1, x0, 1);
		x1 = _mm512_alignr_epi64(x2, x1, 1);
		x2 = _mm512_alignr_epi64(zero, x2, 1);
		y0 = _mm512_alignr_epi64(y1, y0, 1);
		y1 = _mm512_alignr_epi64(y2, y1, 1);
		y2 = _mm512_alignr_epi64(zero, y2, 1);
		/* High halves belong one digit up, which is where they now sit. */
		for (k = 0; k < pairs; k++) {
			x0 = _mm512_madd52hi_epu64(x0, ai[k], b0[k]);
			x1 = _mm512_madd52hi_epu64(x1, ai[k], b1[k]);
			x2 = _mm512_madd52hi_epu64(x2, ai[k], b2[k]);
		}
		y0 = _mm512_madd52hi_epu64(y0, mv, p0);
		y1 = _mm512_madd52hi_epu64(y1, mv, p1);
		y2 = _mm512_madd52hi_epu64(y2, mv, p2);
	}
	_mm512_store_si512((void *)xd, _mm512_add_epi64(x0, y0));
	_mm512_store_si512((void *)(xd + 8), _mm512_add_epi64(x1, y1));
	_mm512_store_si512((void *)(xd + 16), _mm512_add_epi64(x2, y2));
	/* The vectors never saw the carries out of the dropped digits. */
	xd[0] += carry;

	/*
	 * Each digit holds under 2^60; fold them into 64-bit limbs with one
	 * 128-bit accumulator. The loop's shape depends on j only.
	 */
	bits = 0;
	w = 0;
#pragma GCC unroll 20
	for (j = 0; j < D; j++) {
		acc += (u128)xd[j] << bits;
		bits += 52;
		if (bits >= 64) {
			t[w++] = (uint64_t)acc;
			acc >>= 64;
			bits -= 64;
		}
	}
	t[N] = (uint64_t)acc;
}

__attribute__((target("avx512f,avx512ifma")))
void
fp1024_ifma_mul(uint64_t t[N + 1], const uint64_t a[N], const uint64_t b[N],
    const struct fp1024_mod *md)
{
	const uint64_t *av[1] = { a }, *bv[1] = { b };

	fp1024_ifma_redc(t, av, bv, 1, md);
}

__attribute__((target("avx512f,avx512ifma")))
void
fp1024_ifma_mul_sum(uint64_t t[N + 1], const uint64_t a[N],
    const uint64_t b[N], const uint64_t c[N], const uint64_t d[N],
    const struct fp1024_mod *md)
{
	const uint64_t *av[2] = { a, c }, *bv[2] = { b, d };

	fp1024_ifma_redc(t, av, bv, 2, md);
}
#endif
