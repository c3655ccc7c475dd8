/* SPDX-License-Identifier: ISC */
/*
 * Bernstein-Yang constant-time inversion ("Fast constant-time gcd
 * computation and modular inversion", 2019) for the 1024-bit moduli of
 * SAKKE. Numbers are held as 17 signed 62-bit limbs; each round runs 62
 * divsteps on the low words to get a 2x2 transition matrix, then applies it
 * to (f, g) and, modulo m, to (d, e). 48 rounds = 2976 divsteps cover the
 * bound floor((49 * 1024 + 57) / 17) = 2954 of the paper for 1024-bit
 * inputs. No branch or index depends on the values; m is public.
 */
#include "lib/safegcd.h"

#include <openssl/crypto.h>

#define N	FP1024_LIMBS
#define L	17			/* 17 * 62 = 1054 bits */
#define M62	(((uint64_t)1 << 62) - 1)
#define ROUNDS	48

typedef __int128 i128;	/* local helper type, not exported */

struct trans {
	int64_t u, v, q, r;
};

static void
to_s62(int64_t out[L], const uint64_t in[N])
{
	int i, bit, w, s;

	for (i = 0; i < L; i++) {
		bit = 62 * i;
		w = bit / 64;
		s = bit % 64;
		uint64_t v = w < N ? in[w] >> s : 0;

		if (s > 2 && w + 1 < N)
			v |= in[w + 1] << (64 - s);
		out[i] = (int64_t)(v & M62);
	}
}

static void
from_s62(uint64_t out[N], const int64_t in[L])
{
	int i, bit, w, s;

	for (i = 0; i < N; i++)
		out[i] = 0;
	for (i = 0; i < L; i++) {
		uint64_t v = (uint64_t)in[i];

		bit = 62 * i;
		w = bit / 64;
		s = bit % 64;
		if (w < N)
			out[w] |= v << s;
		if (s > 2 && w + 1 < N)
			out[w + 1] |= v >> (64 - s);
	}
}

/* 62 divsteps on the low words of f (odd) and g; returns the new delta. */
static int64_t
divsteps_62(int64_t delta, uint64_t f, uint64_t g, struct trans *t)
{
	uint64_t u = 1, v = 0, q = 0, r = 1, c1, c2, x, y, z;
	int i;

	for (i = 0; i < 62; i++) {
		/* (d, f, g) -> d > 0 and g odd ? (1 - d, g, (g - f) / 2) :
		 * (1 + d, f, (g + (g mod 2) f) / 2) */
		c1 = (uint64_t)((0 - delta) >> 63);	/* delta > 0 */
		c2 = 0 - (g & 1);
		x = (f ^ c1) - c1;
		y = (u ^ c1) - c1;
		z = (v ^ c1) - c1;
		g += x & c2;
		q += y & c2;
		r += z & c2;
		c1 &= c2;
		delta = (int64_t)(((uint64_t)delta ^ c1) - c1) + 1;
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
	return delta;
}

/* (f, g) <- (u f + v g, q f + r g) / 2^62, exactly. */
static void
update_fg(int64_t f[L], int64_t g[L], const struct trans *t)
{
	i128 cf, cg;
	int i;

	cf = (i128)t->u * f[0] + (i128)t->v * g[0];
	cg = (i128)t->q * f[0] + (i128)t->r * g[0];
	cf >>= 62;
	cg >>= 62;
	for (i = 1; i < L; i++) {
		cf += (i128)t->u * f[i] + (i128)t->v * g[i];
		cg += (i128)t->q * f[i] + (i128)t->r * g[i];
		f[i - 1] = (int64_t)((uint64_t)cf & M62);
		g[i - 1] = (int64_t)((uint64_t)cg & M62);
		cf >>= 62;
		cg >>= 62;
	}
	f[L - 1] = (int64_t)cf;
	g[L - 1] = (int64_t)cg;
}

/*
 * (d, e) <- (u d + v e, q d + r e) / 2^62 mod m, adding multiples of m so
 * the division is exact; d, e stay in (-2m, m).
 */
static void
update_de(int64_t d[L], int64_t e[L], const struct trans *t, const int64_t m[L],
    uint64_t minv62)
{
	int64_t sd = d[L - 1] >> 63, se = e[L - 1] >> 63, md, me;
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
	for (i = 1; i < L; i++) {
		cd += (i128)t->u * d[i] + (i128)t->v * e[i] + (i128)m[i] * md;
		ce += (i128)t->q * d[i] + (i128)t->r * e[i] + (i128)m[i] * me;
		d[i - 1] = (int64_t)((uint64_t)cd & M62);
		e[i - 1] = (int64_t)((uint64_t)ce & M62);
		cd >>= 62;
		ce >>= 62;
	}
	d[L - 1] = (int64_t)cd;
	e[L - 1] = (int64_t)ce;
}

static void
carry(int64_t d[L])
{
	int i;

	for (i = 0; i < L - 1; i++) {
		d[i + 1] += d[i] >> 62;
		d[i] &= (int64_t)M62;
	}
}

/* d + m when d < 0 (mask from the sign of d). */
static void
add_m_if_neg(int64_t d[L], const int64_t m[L])
{
	int64_t s = d[L - 1] >> 63;
	int i;

	for (i = 0; i < L; i++)
		d[i] += m[i] & s;
	carry(d);
}

void
safegcd_inv(uint64_t r[N], const uint64_t x[N], const uint64_t m[N])
{
	int64_t f[L], g[L], d[L] = { 0 }, e[L] = { 0 }, ms[L], neg, delta = 1;
	uint64_t minv62, inv;
	struct trans t;
	int i;

	/* m^-1 mod 2^64 by Newton iteration (m odd; m is public). */
	inv = m[0];
	for (i = 0; i < 5; i++)
		inv *= 2 - m[0] * inv;
	minv62 = inv & M62;
	to_s62(ms, m);
	to_s62(f, m);
	to_s62(g, x);
	e[0] = 1;
	/* Invariants: d x = f and e x = g (mod m). */
	for (i = 0; i < ROUNDS; i++) {
		delta = divsteps_62(delta, (uint64_t)f[0] | (uint64_t)f[1] << 62,
		    (uint64_t)g[0] | (uint64_t)g[1] << 62, &t);
		update_fg(f, g, &t);
		update_de(d, e, &t, ms, minv62);
	}
	/* Now g = 0 and f = +-1 (x invertible): x^-1 = +-d. */
	add_m_if_neg(d, ms);
	neg = f[L - 1] >> 63;
	for (i = 0; i < L; i++)
		d[i] = (d[i] ^ neg) - neg;
	carry(d);
	add_m_if_neg(d, ms);
	from_s62(r, d);
	OPENSSL_cleanse(f, sizeof(f));
	OPENSSL_cleanse(g, sizeof(g));
	OPENSSL_cleanse(d, sizeof(d));
	OPENSSL_cleanse(e, sizeof(e));
	OPENSSL_cleanse(&t, sizeof(t));
}
