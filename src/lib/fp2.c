/* SPDX-License-Identifier: ISC */
/*
 * Arithmetic in F_p^2 = F_p[i] for the SAKKE pairing (RFC 6508 2.1, 3.2).
 * Karatsuba products and complex squaring; all values in Montgomery form.
 * Must stay constant time and free of curve or protocol knowledge.
 */
#include "lib/fp2.h"

#define P (&fp1024_p)

void
fp2_mul(struct fp2 *r, const struct fp2 *x, const struct fp2 *y)
{
	uint64_t t0[FP1024_LIMBS], t1[FP1024_LIMBS], s0[FP1024_LIMBS],
	    s1[FP1024_LIMBS];

	fp1024_mul(t0, x->a, y->a, P);
	fp1024_mul(t1, x->b, y->b, P);
	fp1024_add(s0, x->a, x->b, P);
	fp1024_add(s1, y->a, y->b, P);
	fp1024_mul(s0, s0, s1, P);
	fp1024_sub(r->a, t0, t1, P);
	fp1024_sub(s0, s0, t0, P);
	fp1024_sub(r->b, s0, t1, P);
}

void
fp2_sqr(struct fp2 *r, const struct fp2 *x)
{
	uint64_t s[FP1024_LIMBS], d[FP1024_LIMBS], t[FP1024_LIMBS];

	/* (a + bi)^2 = (a + b)(a - b) + 2ab i */
	fp1024_add(s, x->a, x->b, P);
	fp1024_sub(d, x->a, x->b, P);
	fp1024_mul(t, x->a, x->b, P);
	fp1024_mul(r->a, s, d, P);
	fp1024_add(r->b, t, t, P);
}

void
fp2_mul_line(struct fp2 *r, const struct fp2 *x, const uint64_t t[FP1024_LIMBS])
{
	uint64_t at[FP1024_LIMBS], bt[FP1024_LIMBS];

	/* (a + bi)(t + i) = (at - b) + (a + bt) i */
	fp1024_mul(at, x->a, t, P);
	fp1024_mul(bt, x->b, t, P);
	fp1024_sub(at, at, x->b, P);
	fp1024_add(r->b, x->a, bt, P);
	fp1024_copy(r->a, at);
}

void
fp2_mul_norm(struct fp2 *r, const struct fp2 *x, const uint64_t e[FP1024_LIMBS])
{
	uint64_t be[FP1024_LIMBS], ae[FP1024_LIMBS];

	/* (a + bi)(1 + ei) = (a - be) + (b + ae) i */
	fp1024_mul(be, x->b, e, P);
	fp1024_mul(ae, x->a, e, P);
	fp1024_sub(be, x->a, be, P);
	fp1024_add(r->b, x->b, ae, P);
	fp1024_copy(r->a, be);
}

void
fp2_cmov(struct fp2 *r, const struct fp2 *x, uint64_t mask)
{
	fp1024_cmov(r->a, x->a, mask);
	fp1024_cmov(r->b, x->b, mask);
}

void
fp2_set_one(struct fp2 *r)
{
	fp1024_copy(r->a, fp1024_p.one);
	for (int i = 0; i < FP1024_LIMBS; i++)
		r->b[i] = 0;
}
