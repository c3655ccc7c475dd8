/* SPDX-License-Identifier: ISC */
/*
 * F_p^2 = F_p[i], i^2 = -1, over the SAKKE prime p, in Montgomery form. The
 * pairing values of RFC 6508 live here (as classes of PF_p = F_p^2* / F_p*).
 * Constant time; no protocol logic.
 */
#ifndef SKM_LIB_FP2_H
#define SKM_LIB_FP2_H

#include <stdint.h>

#include "lib/fp1024.h"

struct fp2 {
	uint64_t a[FP1024_LIMBS];	/* real part */
	uint64_t b[FP1024_LIMBS];	/* coefficient of i */
};

void fp2_mul(struct fp2 *r, const struct fp2 *x, const struct fp2 *y);
void fp2_sqr(struct fp2 *r, const struct fp2 *x);
/* r = x * (t + i): a line value scaled so its i-part is 1. */
void fp2_mul_line(struct fp2 *r, const struct fp2 *x, const uint64_t t[FP1024_LIMBS]);
/* r = x * (1 + i e), the product by a normalised class representative. */
void fp2_mul_norm(struct fp2 *r, const struct fp2 *x, const uint64_t e[FP1024_LIMBS]);
void fp2_cmov(struct fp2 *r, const struct fp2 *x, uint64_t mask);
void fp2_set_one(struct fp2 *r);

#endif
