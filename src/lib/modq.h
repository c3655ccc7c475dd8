/* SPDX-License-Identifier: ISC */
/*
 * Scalars modulo the SAKKE group order q, kept as plain (non-Montgomery)
 * integers in [0, q) so they can feed scalar multiplication directly. Every
 * function is constant time in the scalar values.
 */
#ifndef SKM_LIB_MODQ_H
#define SKM_LIB_MODQ_H

#include <stddef.h>
#include <stdint.h>

#include "lib/fp1024.h"

/* r = the big-endian integer in (in, len) mod q; len <= 128. */
void modq_from_bytes(uint64_t r[FP1024_LIMBS], const uint8_t *in, size_t len);
/* All ones when a < q and a >= 2 (a valid master secret range), else 0. */
uint64_t modq_is_secret_range(const uint64_t a[FP1024_LIMBS]);
void modq_add(uint64_t r[FP1024_LIMBS], const uint64_t a[FP1024_LIMBS],
    const uint64_t b[FP1024_LIMBS]);
void modq_mul(uint64_t r[FP1024_LIMBS], const uint64_t a[FP1024_LIMBS],
    const uint64_t b[FP1024_LIMBS]);
/* r = a^-1 mod q (0 maps to 0). */
void modq_inv(uint64_t r[FP1024_LIMBS], const uint64_t a[FP1024_LIMBS]);
/* Inverts a[0..n-1] in place with one inversion; tmp holds n elements. */
void modq_inv_batch(uint64_t (*a)[FP1024_LIMBS], uint64_t (*tmp)[FP1024_LIMBS],
    size_t n);

/*
 * Signed 5-bit windows of k < 2^1024 - 2^1020: k = sum d_i 32^i with d_i in
 * [-15, 16] and i < MODQ_NWIN. mag[i] = |d_i|, neg[i] = all ones when
 * d_i < 0. Constant time in k; the windows cover k < q.
 */
#define MODQ_NWIN	205
void modq_recode(uint64_t mag[MODQ_NWIN], uint64_t neg[MODQ_NWIN],
    const uint64_t k[FP1024_LIMBS]);
/* Digit i of the same recoding; *carry starts at 0 and goes with i = 0, 1, ... */
void modq_recode_step(uint64_t *mag, uint64_t *neg, uint64_t *carry,
    const uint64_t k[FP1024_LIMBS], int i);

/*
 * The same recoding with w-bit windows (2 <= w <= 8, public): digits in
 * [-(2^(w-1) - 1), 2^(w-1)], modq_nwin(w) of them for any k < 2^1022 (so
 * every k < q) with no carry out of the top digit.
 */
int modq_nwin(int w);
void modq_recode_step_w(uint64_t *mag, uint64_t *neg, uint64_t *carry,
    const uint64_t k[FP1024_LIMBS], int i, int w);

#endif
