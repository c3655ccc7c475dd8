/* SPDX-License-Identifier: ISC */
/*
 * The AVX-512 IFMA product for fp1024.c only: no other file calls these,
 * and only when cpu_level() is CPU_IFMA.
 * Both return the Montgomery product (R = 2^1024) unreduced, in 17 limbs,
 * for fp1024.c's final subtraction(s).
 */
#ifndef SKM_LIB_FP1024_IFMA_H
#define SKM_LIB_FP1024_IFMA_H

#include "lib/fp1024.h"

#if defined(__x86_64__)
/* t = a b / R + k m with t < 2m; a < 2^1024, b < m. */
void fp1024_ifma_mul(uint64_t t[FP1024_LIMBS + 1], const uint64_t a[FP1024_LIMBS],
    const uint64_t b[FP1024_LIMBS], const struct fp1024_mod *md);
/* t = (a b + c d) / R + k m with t < m (2m / R + 1); a, b, c, d < m. */
void fp1024_ifma_mul_sum(uint64_t t[FP1024_LIMBS + 1],
    const uint64_t a[FP1024_LIMBS], const uint64_t b[FP1024_LIMBS],
    const uint64_t c[FP1024_LIMBS], const uint64_t d[FP1024_LIMBS],
    const struct fp1024_mod *md);
#endif

#endif
