/* SPDX-License-Identifier: ISC */
/*
 * Shorthands for arithmetic modulo the SAKKE prime p, shared by the curve
 * and pairing code so each call site reads as the formula it implements.
 */
#ifndef SKM_LIB_FPP_H
#define SKM_LIB_FPP_H

#include <stdint.h>

#include "lib/fp1024.h"

static inline void
fp_mul(uint64_t r[FP1024_LIMBS], const uint64_t a[FP1024_LIMBS],
    const uint64_t b[FP1024_LIMBS])
{
	fp1024_mul(r, a, b, &fp1024_p);
}

static inline void
fp_sqr(uint64_t r[FP1024_LIMBS], const uint64_t a[FP1024_LIMBS])
{
	fp1024_sqr(r, a, &fp1024_p);
}

static inline void
fp_add(uint64_t r[FP1024_LIMBS], const uint64_t a[FP1024_LIMBS],
    const uint64_t b[FP1024_LIMBS])
{
	fp1024_add(r, a, b, &fp1024_p);
}

static inline void
fp_sub(uint64_t r[FP1024_LIMBS], const uint64_t a[FP1024_LIMBS],
    const uint64_t b[FP1024_LIMBS])
{
	fp1024_sub(r, a, b, &fp1024_p);
}

#endif
