/* SPDX-License-Identifier: ISC */
/*
 * Constant-time modular inversion for 1024-bit and 256-bit odd moduli by
 * Bernstein-Yang divsteps ("safegcd"): a fixed number of steps whatever the
 * input, so the running time reveals nothing about the value inverted;
 * and a variable-time variant of the 256-bit one for public values.
 */
#ifndef SKM_LIB_SAFEGCD_H
#define SKM_LIB_SAFEGCD_H

#include <stdint.h>

#include "lib/fp1024.h"

/* r = x^-1 mod m for odd m and x < m (plain integers); 0 maps to 0. */
void safegcd_inv(uint64_t r[FP1024_LIMBS], const uint64_t x[FP1024_LIMBS],
    const uint64_t m[FP1024_LIMBS]);
/* The same for 256-bit m (P-256's p and q). */
void safegcd_inv256(uint64_t r[4], const uint64_t x[4], const uint64_t m[4]);
/*
 * The same result in variable time, several times faster: for public x
 * only (an ECCSI HS), never for a secret.
 */
void safegcd_inv256_var(uint64_t r[4], const uint64_t x[4], const uint64_t m[4]);

#endif
