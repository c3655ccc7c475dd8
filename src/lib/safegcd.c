/* SPDX-License-Identifier: ISC */
/*
 * Bernstein-Yang constant-time inversion ("Fast constant-time gcd
 * computation and modular inversion", 2019) for the 1024-bit moduli of
 * SAKKE and the 256-bit ones of P-256. Numbers are held as signed 62-bit
 * limbs (17 or 5); each round runs 62 divsteps on the low words to get a
 * 2x2 transition matrix, then applies it to (f, g) and, modulo m, to
 * (d, e). The paper's bound floor((49 d + 57) / 17) divsteps for d-bit
 * inputs is 2954 for d = 1024 (48 rounds, 2976 steps) and 741 for d = 256
 * (12 rounds, 744 steps). No branch or index depends on the values; m is
 * public. The helpers take the sizes as arguments and are inlined into
 * the entry points, which fix them. safegcd_inv256_var alone runs in
 * variable time, for public values (ECCSI's HS).
 */
#include "lib/safegcd.h"

#include <openssl/crypto.h>

#define LMAX	17			/* 17 * 62 = 1054 bits */
#define M62	(((uint64_t)1 << 62) - 1)
#define SG_INLINE	static inline __attribute__((always_inline))

typedef __int128 i128;	/* local helper type, not exported */

struct trans {
	int64_t u, v, q, r;
};

/* n 64-bit limbs to l signed 62-bit limbs. */
SG_INLINE void
to_s62(int64_t *out, int l, const uint64_t *in, int n)
{
	int i, bit, w, s;

	for (i = 0; i < l; i++) {
		bit = 62 * i;
		w = bit / 64;
		s = bit % 64;
		uint64_t v = w < n ? in[w] >> s : 0;

		if (s > 2 && w + 1 < n)
			v |= in[w + 1] << (64 - s);
		out[i] = (int64_t)(v & M62);
	}
}

SG_INLINE void
from_s62(uint64_t *out, int n, const int64_t *in, int l)
{
	int i, bit, w, s;

	for (i = 0; i < n; i++)
		out[i] = 0;
	for (i = 0; i < l; i++) {
		uint64_t v = (uint64_t)in[i];

		bit = 62 * i;
		w = bit / 64;
		s = bit % 64;
		if (w < n)
			out[w] |= v << s;
		if (s > 2 && w + 1 < n)
			out[w + 1] |= v >> (64 - s);
	}
}

/*
 * 62 divsteps on the low words of f (odd) and g; returns the new delta.
 * The loop keeps zeta = -delta, whose sign bit is the mask "delta > 0"
 * with no comparison: the loop is throughput-bound, every operation counts.
 */
SG_INLINE int64_t
divsteps_62(int64_t delta, uint64_t f, uint64_t g, struct trans *t)
{
	uint64_t u = 1, v = 0, q = 0, r = 1, c1, c2, x, y, z;
	uint64_t zeta = 0 - (uint64_t)delta;
	int i;

	for (i = 0; i < 62; i++) {
		/* (d, f, g) -> d > 0 and g odd ? (1 - d, g, (g - f) / 2) :
		 * (1 + d, f, (g + (g mod 2) f) / 2) */
		c1 = (uint64_t)((int64_t)zeta >> 63);	/* delta > 0 */
		c2 = 0 - (g & 1);
		x = (f ^ c1) - c1;
		y = (u ^ c1) - c1;
		z = (v ^ c1) - c1;
		g += x & c2;
		q += y & c2;
		r += z & c2;
		c1 &= c2;
		/* zeta - 1, or -zeta - 1 = ~zeta when swapping */
		zeta = (zeta ^ c1) + ~c1;
		f += g & c1;
		u += q & c1;
		v += r & c1;
		g >>= 1;
		u <<= 1;
		v <<= 1;
	}
	t->u = (int64_t)u;
	t->v = (int64_t)v;
	t->q = (int64_t)q;
	t->r = (int64_t)r;
	return (int64_t)(0 - zeta);
}

/* (f, g) <- (u f + v g, q f + r g) / 2^62, exactly. */
SG_INLINE void
update_fg(int64_t *f, int64_t *g, int l, const struct trans *t)
{
	i128 cf, cg;
	int i;

	cf = (i128)t->u * f[0] + (i128)t->v * g[0];
	cg = (i128)t->q * f[0] + (i128)t->r * g[0];
	cf >>= 62;
	cg >>= 62;
	for (i = 1; i < l; i++) {
		cf += (i128)t->u * f[i] + (i128)t->v * g[i];
		cg += (i128)t->q * f[i] + (i128)t->r * g[i];
		f[i - 1] = (int64_t)((uint64_t)cf & M62);
		g[i - 1] = (int64_t)((uint64_t)cg & M62);
		cf >>= 62;
		cg >>= 62;
	}
	f[l - 1] = (int64_t)cf;
	g[l - 1] = (int64_t)cg;
}

/*
 * (d, e) <- (u d + v e, q d + r e) / 2^62 mod m, adding multiples of m so
 * the division is exact; d, e stay in (-2m, m).
 */
SG_INLINE void
update_de(int64_t *d, int64_t *e, int l, const struct trans *t,
    const int64_t *m, uint64_t minv62)
{
	int64_t sd = d[l - 1] >> 63, se = e[l - 1] >> 63, md, me;
	i128 cd, ce;
	int i;

	md = (t->u & sd) + (t->v & se);
	me = (t->q & sd) + (t->r & se);
	cd = (i128)t->u * d[0] + (i128)t->v * e[0];
	ce = (i128)t->q * d[0] + (i128)t->r * e[0];
	md -= (int64_t)((minv62 * (uint64_t)cd + (uint64_t)md) & M62);
	me -= (int64_t)((minv62 * (uint64_t)ce + (uint64_t)me) & M62);
	cd += (i128)m[0] * md;
	ce += (i128)m[0] * me;
	cd >>= 62;
	ce >>= 62;
	for (i = 1; i < l; i++) {
		cd += (i128)t->u * d[i] + (i128)t->v * e[i] + (i128)m[i] * md;
		ce += (i128)t->q * d[i] + (i128)t->r * e[i] + (i128)m[i] * me;
		d[i - 1] = (int64_t)((uint64_t)cd & M62);
		e[i - 1] = (int64_t)((uint64_t)ce & M62);
		cd >>= 62;
		ce >>= 62;
	}
	d[l - 1] = (int64_t)cd;
	e[l - 1] = (int64_t)ce;
}

SG_INLINE void
carry(int64_t *d, int l)
{
	int i;

	for (i = 0; i < l - 1; i++) {
		d[i + 1] += d[i] >> 62;
		d[i] &= (int64_t)M62;
	}
}

/* d + m when d < 0 (mask from the sign of d). */
SG_INLINE void
add_m_if_neg(int64_t *d, const int64_t *m, int l)
{
	int64_t s = d[l - 1] >> 63;
	int i;

	for (i = 0; i < l; i++)
		d[i] += m[i] & s;
	carry(d, l);
}

/* r = x^-1 mod m for n-limb x < m (odd m), in l 62-bit limbs over rounds. */
SG_INLINE void
safegcd_run(uint64_t *r, const uint64_t *x, const uint64_t *m, int n, int l,
    int rounds)
{
	int64_t f[LMAX], g[LMAX], d[LMAX] = { 0 }, e[LMAX] = { 0 }, ms[LMAX];
	int64_t neg, delta = 1;
	uint64_t minv62, inv;
	struct trans t;
	int i;

	/* m^-1 mod 2^64 by Newton iteration (m odd; m is public). */
	inv = m[0];
	for (i = 0; i < 5; i++)
		inv *= 2 - m[0] * inv;
	minv62 = inv & M62;
	to_s62(ms, l, m, n);
	to_s62(f, l, m, n);
	to_s62(g, l, x, n);
	e[0] = 1;
	/* Invariants: d x = f and e x = g (mod m). */
	for (i = 0; i < rounds; i++) {
		delta = divsteps_62(delta, (uint64_t)f[0] | (uint64_t)f[1] << 62,
		    (uint64_t)g[0] | (uint64_t)g[1] << 62, &t);
		update_fg(f, g, l, &t);
		update_de(d, e, l, &t, ms, minv62);
	}
	/* Now g = 0 and f = +-1 (x invertible): x^-1 = +-d. */
	add_m_if_neg(d, ms, l);
	neg = f[l - 1] >> 63;
	for (i = 0; i < l; i++)
		d[i] = (d[i] ^ neg) - neg;
	carry(d, l);
	add_m_if_neg(d, ms, l);
	from_s62(r, n, d, l);
	OPENSSL_cleanse(f, sizeof(f));
	OPENSSL_cleanse(g, sizeof(g));
	OPENSSL_cleanse(d, sizeof(d));
	OPENSSL_cleanse(e, sizeof(e));
	OPENSSL_cleanse(&t, sizeof(t));
}

void
safegcd_inv(uint64_t r[FP1024_LIMBS], const uint64_t x[FP1024_LIMBS],
    const uint64_t m[FP1024_LIMBS])
{
	safegcd_run(r, x, m, FP1024_LIMBS, 17, 48);
}

void
safegcd_inv256(uint64_t r[4], const uint64_t x[4], const uint64_t m[4])
{
	safegcd_run(r, x, m, 4, 5, 12);
}

/*
 * The same 62 divsteps in variable time, for public inputs only: runs of
 * even g are skipped with one count of trailing zeros, and while delta <= 0
 * (no swap can happen) up to 10 steps on odd g are done at once, as
 * g <- (g + w f) / 2^n for the w < 2^n that makes the division exact. The
 * steps and so the matrix are exactly those of divsteps_62.
 */
static int64_t
divsteps_62_var(int64_t delta, uint64_t f, uint64_t g, struct trans *t)
{
	uint64_t u = 1, v = 0, q = 0, r = 1, x, finv, w;
	int left = 62, n;

	for (;;) {
		n = __builtin_ctzll(g | (uint64_t)1 << left);
		g >>= n;
		u <<= n;
		v <<= n;
		delta += n;
		left -= n;
		if (left == 0)
			break;
		/* g is odd: the swapping step first, as (f, g) <- (g, -f) */
		if (delta > 0) {
			delta = -delta;
			x = f;
			f = g;
			g = 0 - x;
			x = u;
			u = q;
			q = 0 - x;
			x = v;
			v = r;
			r = 0 - x;
		}
		/* delta <= 0: the next 1 - delta steps add f to odd g, no swap */
		n = left < 1 - delta ? left : (int)(1 - delta);
		if (n > 10)
			n = 10;
		/* f^-1 mod 2^10: (3f) xor 2 is right to 5 bits, Newton doubles it */
		finv = (3 * f) ^ 2;
		finv *= 2 - f * finv;
		w = (0 - g * finv) & (((uint64_t)1 << n) - 1);
		g += w * f;
		q += w * u;
		r += w * v;
		g >>= n;
		u <<= n;
		v <<= n;
		delta += n;
		left -= n;
		if (left == 0)
			break;
	}
	t->u = (int64_t)u;
	t->v = (int64_t)v;
	t->q = (int64_t)q;
	t->r = (int64_t)r;
	return delta;
}

void
safegcd_inv256_var(uint64_t r[4], const uint64_t x[4], const uint64_t m[4])
{
	int64_t f[5], g[5], d[5] = { 0 }, e[5] = { 0 }, ms[5];
	int64_t neg, delta = 1;
	uint64_t minv62, inv;
	struct trans t;
	int i, round;

	inv = m[0];
	for (i = 0; i < 5; i++)
		inv *= 2 - m[0] * inv;
	minv62 = inv & M62;
	to_s62(ms, 5, m, 4);
	to_s62(f, 5, m, 4);
	to_s62(g, 5, x, 4);
	e[0] = 1;
	/* the bound of 12 rounds holds here too; most inputs need fewer */
	for (round = 0; round < 12; round++) {
		if ((g[0] | g[1] | g[2] | g[3] | g[4]) == 0)
			break;
		delta = divsteps_62_var(delta, (uint64_t)f[0] | (uint64_t)f[1] << 62,
		    (uint64_t)g[0] | (uint64_t)g[1] << 62, &t);
		update_fg(f, g, 5, &t);
		update_de(d, e, 5, &t, ms, minv62);
	}
	add_m_if_neg(d, ms, 5);
	neg = f[4] >> 63;
	for (i = 0; i < 5; i++)
		d[i] = (d[i] ^ neg) - neg;
	carry(d, 5);
	add_m_if_neg(d, ms, 5);
	from_s62(r, 4, d, 5);
}
