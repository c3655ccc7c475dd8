/* SPDX-License-Identifier: ISC */
/*
 * The Tate-Lichtenbaum pairing <R, Q> of RFC 6508 3.2 on the SAKKE curve and
 * powers of g = <P, P>. The Miller loop runs over multiples of a first
 * argument whose lines are computed once (pairing_lines_new) and evaluated at
 * any second argument; the pairing is symmetric on <P>, so either argument of
 * RFC 6508 may be the one with the table. Constant time in both points.
 */
#ifndef SKM_LIB_PAIRING_H
#define SKM_LIB_PAIRING_H

#include <stddef.h>
#include <stdint.h>

#include "lib/ecp1024.h"
#include "lib/fp1024.h"

struct pairing_lines;	/* SECRET when built from an RSK */

/*
 * The line coefficients of the Miller loop for first argument a (~350 KB,
 * in the secure heap when secret is nonzero). Returns SKM_EPOINT when a is
 * not of order q (checked on the way, for free), with *lines NULL. Free
 * with pairing_lines_free().
 */
int pairing_lines_new(struct pairing_lines **lines, const struct ecp_aff *a,
    int secret);
void pairing_lines_free(struct pairing_lines *lines);

/* w = <a, b> as the F_p value x2/x1 of RFC 6508 3.2, a plain integer. */
void pairing_eval(uint64_t w[FP1024_LIMBS], const struct pairing_lines *lines,
    const struct ecp_aff *b);

/*
 * w = <a1, b>^e * <a2, b> for lines of a1 and a2 and a public exponent e
 * (it steers the loop): the RFC 6508 6.1.2 check <[e]P + Z_S, K> by
 * bilinearity, without a table for the left point.
 */
void pairing_eval_pow_mul(uint64_t w[FP1024_LIMBS], const struct pairing_lines *l1,
    const uint64_t e[FP1024_LIMBS], const struct pairing_lines *l2,
    const struct ecp_aff *b);

/* The lines of P, built once per process; NULL if allocation failed. */
const struct pairing_lines *pairing_lines_gen(void);

/* w = g^k for k < q as the F_p value of RFC 6508 (plain integer); ENOMEM. */
int pairing_gpow(uint64_t w[FP1024_LIMBS], const uint64_t k[FP1024_LIMBS]);

/*
 * w[i] = g^k[i] for n exponents k[i] < q with one shared inversion; the
 * same values as pairing_gpow(). Safe to call from several threads; ENOMEM.
 */
int pairing_gpow_batch(uint64_t (*w)[FP1024_LIMBS], const uint64_t (*k)[FP1024_LIMBS],
    size_t n);

/* g of parameter set 1 as a plain integer. */
extern const uint64_t pairing_g[FP1024_LIMBS];

#endif
