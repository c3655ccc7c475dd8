/* SPDX-License-Identifier: ISC */
/*
 * Eight F_p elements at once over AVX-512 IFMA (see fp1024x8.h). The
 * product is Montgomery's, column by column: column k gathers the low
 * halves of a_i b_j (i + j = k) and of m_i p_j, the high halves of column
 * k - 1's products, and the carry of column k - 1; below column 20 it then
 * picks m_k so that the column vanishes mod 2^52, from column 20 on it is a
 * digit of the result. Three accumulators per column keep the IFMA units'
 * latency covered. Sums stay below 2^60, so no lane ever carries.
 *
 * This file holds arithmetic only: no branch and no address depends on a
 * value, and lane masks are applied with k-register blends.
 */
#include "lib/fp1024x8.h"

#if defined(__x86_64__)
#include <string.h>

#include <immintrin.h>
#include <openssl/crypto.h>

#include "lib/safegcd.h"

#define N	FP1024_LIMBS
#define D	FP1024X8_DIGITS
#define MASK52	((1ULL << 52) - 1)
#define ACC	3			/* accumulators per column */
#define IFMA	__attribute__((target("avx512f,avx512ifma")))

typedef __m512i vec;

static struct {
	uint64_t p[D];		/* p in digits */
	uint64_t p2[D];		/* 2p */
	uint64_t one[D];	/* R' mod p: 1 in this file's form */
	uint64_t kin[D];	/* 2^1056 mod p: R form to R' form */
	uint64_t kout[D];	/* 2^1024 mod p: R' form to R form */
	uint64_t kinv[N];	/* 2^3104 mod p, for fp1024_mul: see inv8 */
	uint64_t k0;		/* -p^-1 mod 2^52 */
} c;

/* Digits of x < 2^1040 (17 limbs, the last one short). */
static void
fp1024x8_cut(uint64_t dg[D], const uint64_t x[N + 1])
{
	int j, lo, w, o;

	for (j = 0; j < D; j++) {
		lo = 52 * j;
		w = lo / 64;
		o = lo % 64;
		dg[j] = x[w] >> o;
		if (o > 12)
			dg[j] |= x[w + 1] << (64 - o);
		dg[j] &= MASK52;
	}
}

/* 17 limbs from normalised digits. */
static void
fp1024x8_join(uint64_t x[N + 1], const uint64_t dg[D])
{
	int j, lo, w, o;

	memset(x, 0, (N + 1) * sizeof(uint64_t));
	for (j = 0; j < D; j++) {
		lo = 52 * j;
		w = lo / 64;
		o = lo % 64;
		x[w] |= dg[j] << o;
		if (o > 12)
			x[w + 1] |= dg[j] >> (64 - o);
	}
}

/* r = 2^e mod p for e = 1024 + d or 3072 + d, by d doublings. */
static void
fp1024x8_pow2(uint64_t r[N + 1], int e)
{
	if (e >= 3072) {
		/* R^2 times R^2 / R */
		fp1024_mul(r, fp1024_p.rr, fp1024_p.rr, &fp1024_p);
		e -= 3072 - 1024;
	} else
		fp1024_copy(r, fp1024_p.one);
	for (; e > 1024; e--)
		fp1024_add(r, r, r, &fp1024_p);
	r[N] = 0;
}

__attribute__((constructor)) static void
fp1024x8_init(void)
{
	uint64_t t[N + 1];
	int i;

	memcpy(t, fp1024_p.m, N * sizeof(uint64_t));
	t[N] = 0;
	fp1024x8_cut(c.p, t);
	t[N] = t[N - 1] >> 63;
	for (i = N - 1; i > 0; i--)
		t[i] = t[i] << 1 | t[i - 1] >> 63;
	t[0] <<= 1;
	fp1024x8_cut(c.p2, t);
	fp1024x8_pow2(t, 1040);
	fp1024x8_cut(c.one, t);
	fp1024x8_pow2(t, 1056);
	fp1024x8_cut(c.kin, t);
	fp1024x8_pow2(t, 1024);
	fp1024x8_cut(c.kout, t);
	fp1024x8_pow2(t, 3104);
	fp1024_copy(c.kinv, t);
	c.k0 = fp1024_p.n0 & MASK52;
}

IFMA static inline vec
ld(const struct fp1024x8 *a, int j)
{
	return _mm512_load_si512((const void *)a->d[j]);
}

IFMA static inline void
st(struct fp1024x8 *a, int j, vec v)
{
	_mm512_store_si512((void *)a->d[j], v);
}

IFMA static inline vec
bc(uint64_t x)
{
	return _mm512_set1_epi64((long long)x);
}

/*
 * r = a b / R' mod p below 2p; a, b at most 2p with normalised digits
 * (4p^2 < p R', so one pass of m p suffices).
 */
IFMA void
fp1024x8_mul(struct fp1024x8 *r, const struct fp1024x8 *a,
    const struct fp1024x8 *b)
{
	vec m[D], lo[ACC], hi[ACC], col, z = _mm512_setzero_si512();
	int k, i, q;

	for (q = 0; q < ACC; q++)
		lo[q] = hi[q] = z;
#pragma GCC unroll 40
	for (k = 0; k < 2 * D; k++) {
		q = 0;
#pragma GCC unroll 20
		for (i = 0; i < D; i++) {
			if (k - i < 0 || k - i >= D)
				continue;
			lo[q % ACC] = _mm512_madd52lo_epu64(lo[q % ACC], ld(a, i),
			    ld(b, k - i));
			hi[q % ACC] = _mm512_madd52hi_epu64(hi[q % ACC], ld(a, i),
			    ld(b, k - i));
			q++;
		}
#pragma GCC unroll 20
		for (i = 0; i < D && i < k; i++) {
			if (k - i >= D)
				continue;
			lo[q % ACC] = _mm512_madd52lo_epu64(lo[q % ACC], m[i],
			    bc(c.p[k - i]));
			hi[q % ACC] = _mm512_madd52hi_epu64(hi[q % ACC], m[i],
			    bc(c.p[k - i]));
			q++;
		}
		col = _mm512_add_epi64(_mm512_add_epi64(lo[0], lo[1]), lo[2]);
		if (k < D) {
			/* m_k makes the column a multiple of 2^52. */
			m[k] = _mm512_madd52lo_epu64(z, col, bc(c.k0));
			col = _mm512_madd52lo_epu64(col, m[k], bc(c.p[0]));
			hi[0] = _mm512_madd52hi_epu64(hi[0], m[k], bc(c.p[0]));
		} else
			st(r, k - D, _mm512_and_si512(col, bc(MASK52)));
		lo[0] = _mm512_add_epi64(hi[0], _mm512_srli_epi64(col, 52));
		for (q = 1; q < ACC; q++)
			lo[q] = hi[q];
		for (q = 0; q < ACC; q++)
			hi[q] = z;
	}
}

/*
 * r = a - b mod p at most 2p (a, b at most 2p): the digit differences
 * carried with signed shifts, then 2p added back in the lanes that went
 * below zero.
 */
IFMA void
fp1024x8_sub(struct fp1024x8 *r, const struct fp1024x8 *a,
    const struct fp1024x8 *b)
{
	vec t[D], carry = _mm512_setzero_si512(), mask = bc(MASK52);
	__mmask8 neg;
	int j;

	for (j = 0; j < D; j++) {
		t[j] = _mm512_add_epi64(_mm512_sub_epi64(ld(a, j), ld(b, j)), carry);
		carry = _mm512_srai_epi64(t[j], 52);
		t[j] = _mm512_and_si512(t[j], mask);
	}
	neg = _mm512_cmplt_epi64_mask(carry, _mm512_setzero_si512());
	carry = _mm512_setzero_si512();
	for (j = 0; j < D; j++) {
		t[j] = _mm512_add_epi64(_mm512_mask_add_epi64(t[j], neg, t[j],
		    bc(c.p2[j])), carry);
		carry = _mm512_srli_epi64(t[j], 52);
		st(r, j, _mm512_and_si512(t[j], mask));
	}
}

IFMA void
fp1024x8_cmov(struct fp1024x8 *r, const struct fp1024x8 *a, uint8_t mask)
{
	int j;

	for (j = 0; j < D; j++)
		st(r, j, _mm512_mask_blend_epi64(mask, ld(r, j), ld(a, j)));
}

IFMA void
fp1024x8_cset_one(struct fp1024x8 *r, uint8_t mask)
{
	int j;

	for (j = 0; j < D; j++)
		st(r, j, _mm512_mask_blend_epi64(mask, ld(r, j), bc(c.one[j])));
}

/* Every lane of r = the constant k (digits). */
static void
fp1024x8_splat(struct fp1024x8 *r, const uint64_t k[D])
{
	int j, l;

	for (j = 0; j < D; j++)
		for (l = 0; l < FP1024X8_LANES; l++)
			r->d[j][l] = k[j];
}

void
fp1024x8_load(struct fp1024x8 *r, const uint64_t *const a[FP1024X8_LANES])
{
	struct fp1024x8 k;
	uint64_t t[N + 1], dg[D];
	int j, l;

	fp1024x8_splat(&k, c.kin);
	for (l = 0; l < FP1024X8_LANES; l++) {
		/* a R times 2^1056 / R' is a R'; an empty lane is 1 (R). */
		memcpy(t, a[l] != NULL ? a[l] : fp1024_p.one, N * sizeof(uint64_t));
		t[N] = 0;
		fp1024x8_cut(dg, t);
		for (j = 0; j < D; j++)
			r->d[j][l] = dg[j];
	}
	fp1024x8_mul(r, r, &k);
	OPENSSL_cleanse(t, sizeof(t));
	OPENSSL_cleanse(dg, sizeof(dg));
}

/* out = lane l of t as limbs below p (t at most 2p). */
static void
fp1024x8_lane_out(uint64_t out[N], const struct fp1024x8 *t, int l)
{
	uint64_t x[N + 1], s[N], dg[D], keep;
	int j;

	for (j = 0; j < D; j++)
		dg[j] = t->d[j][l];
	fp1024x8_join(x, dg);
	/* subtract p unless that borrows past the top bit */
	keep = 0 - (fp1024_sub_raw(s, x, fp1024_p.m) & ~x[N] & 1);
	for (j = 0; j < N; j++)
		out[j] = (x[j] & keep) | (s[j] & ~keep);
	OPENSSL_cleanse(x, sizeof(x));
	OPENSSL_cleanse(s, sizeof(s));
	OPENSSL_cleanse(dg, sizeof(dg));
}

void
fp1024x8_store(uint64_t *const out[FP1024X8_LANES], const struct fp1024x8 *a)
{
	struct fp1024x8 k, t;
	int l;

	fp1024x8_splat(&k, c.kout);
	fp1024x8_mul(&t, a, &k);
	for (l = 0; l < FP1024X8_LANES; l++)
		if (out[l] != NULL)
			fp1024x8_lane_out(out[l], &t, l);
	OPENSSL_cleanse(&t, sizeof(t));
}

void
fp1024x8_get_raw(uint64_t out[N], const struct fp1024x8 *a, int l)
{
	fp1024x8_lane_out(out, a, l);
}

void
fp1024x8_set_raw(struct fp1024x8 *r, int l, const uint64_t a[N])
{
	int j, lo, w, o;

	/* fp1024x8_cut straight into the lane, with a[16] = 0 */
	for (j = 0; j < D; j++) {
		lo = 52 * j;
		w = lo / 64;
		o = lo % 64;
		r->d[j][l] = (a[w] >> o | (o > 12 && w + 1 < N ?
		    a[w + 1] << (64 - o) : 0)) & MASK52;
	}
}

/* r = a with lanes l and l ^ x exchanged, for x = 1, 2, 4. */
IFMA static void
fp1024x8_swap(struct fp1024x8 *r, const struct fp1024x8 *a, int x)
{
	const vec idx = _mm512_xor_si512(_mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0),
	    bc((uint64_t)x));
	int j;

	for (j = 0; j < D; j++)
		st(r, j, _mm512_permutexvar_epi64(idx, ld(a, j)));
}

/*
 * The eight lanes of a inverted with one inversion: w1, w2, w4 multiply
 * each lane by its partners at distance 1, 2 and 4, so w4 holds the
 * product of all eight in every lane; lane l's inverse is 1 / w4 times
 * the product of the others, which the partners' w0, w1, w2 give.
 */
static void
fp1024x8_inv8(struct fp1024x8 *a)
{
	struct fp1024x8 w[3], s, e;
	uint64_t x[N + 1], v[N], dg[D];
	int j, k;

	w[0] = *a;
	fp1024x8_swap(&s, &w[0], 1);
	fp1024x8_mul(&w[1], &w[0], &s);
	e = s;
	fp1024x8_swap(&s, &w[1], 2);
	fp1024x8_mul(&w[2], &w[1], &s);
	fp1024x8_mul(&e, &e, &s);
	fp1024x8_swap(&s, &w[2], 4);
	fp1024x8_mul(&e, &e, &s);
	fp1024x8_mul(&s, &w[2], &s);	/* the whole product T = X R' */
	/* 1 / T in R' form is R'^2 / T: safegcd's T^-1 times 2^3104 / R. */
	fp1024x8_lane_out(v, &s, 0);
	safegcd_inv(v, v, fp1024_p.m);
	fp1024_mul(v, v, c.kinv, &fp1024_p);
	memcpy(x, v, N * sizeof(uint64_t));
	x[N] = 0;
	fp1024x8_cut(dg, x);
	for (k = 0; k < D; k++)
		for (j = 0; j < FP1024X8_LANES; j++)
			s.d[k][j] = dg[k];
	fp1024x8_mul(a, &e, &s);
	OPENSSL_cleanse(w, sizeof(w));
	OPENSSL_cleanse(&s, sizeof(s));
	OPENSSL_cleanse(&e, sizeof(e));
	OPENSSL_cleanse(x, sizeof(x));
	OPENSSL_cleanse(v, sizeof(v));
	OPENSSL_cleanse(dg, sizeof(dg));
}

void
fp1024x8_inv_batch(struct fp1024x8 *a, struct fp1024x8 *tmp, size_t n)
{
	struct fp1024x8 u, t;
	size_t g;

	if (n == 0)
		return;
	tmp[0] = a[0];
	for (g = 1; g < n; g++)
		fp1024x8_mul(&tmp[g], &tmp[g - 1], &a[g]);
	u = tmp[n - 1];
	fp1024x8_inv8(&u);
	for (g = n - 1; g > 0; g--) {
		fp1024x8_mul(&t, &u, &tmp[g - 1]);
		fp1024x8_mul(&u, &u, &a[g]);
		a[g] = t;
	}
	a[0] = u;
	OPENSSL_cleanse(&u, sizeof(u));
	OPENSSL_cleanse(&t, sizeof(t));
}
#endif
