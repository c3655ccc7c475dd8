/* SPDX-License-Identifier: ISC */
/*
 * Eight elements of F_p (the SAKKE prime of parameter set 1) side by side
 * for AVX-512 IFMA: lane l of digit vector j holds bits 52j to 52j + 51 of
 * element l. Batches of independent field operations (the affine additions
 * of ecp1024_table_mul_batch) run eight at a time with no shuffles, which
 * keeps the multipliers far busier than one 1024-bit product can.
 *
 * Inside a struct fp1024x8 elements are in Montgomery form for R' = 2^1040
 * (the digit count times 52), at most 2p, with every digit below 2^52. Loading
 * takes the library's own Montgomery form (R = 2^1024, lib/fp1024.h) and
 * storing gives it back below p, so callers never see R'.
 *
 * Only for fp1024.h's P and only when cpu_level() is CPU_IFMA; every
 * function runs in constant time (lane masks are k-register blends).
 */
#ifndef SKM_LIB_FP1024X8_H
#define SKM_LIB_FP1024X8_H

#include <stddef.h>
#include <stdint.h>

#include "lib/fp1024.h"

#if defined(__x86_64__)
#define FP1024X8_DIGITS	20
#define FP1024X8_LANES	8

struct fp1024x8 {
	uint64_t d[FP1024X8_DIGITS][FP1024X8_LANES];
} __attribute__((aligned(64)));

/*
 * Lane l of r = a[l] (Montgomery form, below p) for every l with a[l] not
 * NULL; other lanes are 1. One product per call, so load lanes together.
 */
void fp1024x8_load(struct fp1024x8 *r, const uint64_t *const a[FP1024X8_LANES]);
/* out[l] = lane l of a (Montgomery form, below p) for each out[l] not NULL. */
void fp1024x8_store(uint64_t *const out[FP1024X8_LANES], const struct fp1024x8 *a);
/*
 * Lane l of a as limbs in this file's own Montgomery form, below p, and
 * back: for tables kept in that form, read with no product.
 */
void fp1024x8_get_raw(uint64_t out[FP1024_LIMBS], const struct fp1024x8 *a, int l);
void fp1024x8_set_raw(struct fp1024x8 *r, int l, const uint64_t a[FP1024_LIMBS]);
/* r = a b, r = a - b, lane by lane. */
void fp1024x8_mul(struct fp1024x8 *r, const struct fp1024x8 *a,
    const struct fp1024x8 *b);
void fp1024x8_sub(struct fp1024x8 *r, const struct fp1024x8 *a,
    const struct fp1024x8 *b);
/* Lane l of r becomes lane l of a where bit l of mask is set. */
void fp1024x8_cmov(struct fp1024x8 *r, const struct fp1024x8 *a, uint8_t mask);
/* Lanes of r where bit l of mask is set become 1. */
void fp1024x8_cset_one(struct fp1024x8 *r, uint8_t mask);
/*
 * Replaces every lane of every a[g] (g < n) by its inverse with a single
 * inversion (Montgomery's trick across the vectors, then across the
 * lanes); tmp holds n vectors. A zero anywhere makes every output zero.
 */
void fp1024x8_inv_batch(struct fp1024x8 *a, struct fp1024x8 *tmp, size_t n);
#endif

#endif
