/* SPDX-License-Identifier: ISC */
/*
 * Points of E: y^2 = x^3 - 3x over the SAKKE prime p (parameter set 1):
 * Jacobian and affine forms (coordinates in Montgomery form), the 04||x||y
 * encoding, constant-time additions and scalar multiplications, and
 * fixed-base tables. Public data may steer control flow only where a
 * function says so; scalars never do.
 */
#ifndef SKM_LIB_ECP1024_H
#define SKM_LIB_ECP1024_H

#include <stddef.h>
#include <stdint.h>

#include "lib/fp1024.h"

#define ECP1024_POINT_LEN	(1 + 2 * FP1024_BYTES)

struct ecp {			/* Jacobian (X/Z^2, Y/Z^3); Z = 0 is infinity */
	uint64_t x[FP1024_LIMBS];
	uint64_t y[FP1024_LIMBS];
	uint64_t z[FP1024_LIMBS];
};

struct ecp_aff {
	uint64_t x[FP1024_LIMBS];
	uint64_t y[FP1024_LIMBS];
};

struct ecp_table;		/* fixed-base table of one point of order q */

extern const struct ecp_aff ecp1024_gen;	/* P of parameter set 1 */

/* 04 || x || y with x, y < p and on the curve; else SKM_EPOINT. */
int ecp1024_decode(struct ecp_aff *r, const uint8_t in[ECP1024_POINT_LEN]);
void ecp1024_encode(uint8_t out[ECP1024_POINT_LEN], const struct ecp_aff *a);

void ecp1024_from_aff(struct ecp *r, const struct ecp_aff *a);
/* Infinity maps to (0, 0). */
void ecp1024_to_aff(struct ecp_aff *r, const struct ecp *a);
/* n conversions sharing one inversion; tmp holds 2n field elements. */
void ecp1024_to_aff_batch(struct ecp_aff *r, const struct ecp *a, size_t n,
    uint64_t (*tmp)[FP1024_LIMBS]);

void ecp1024_dbl(struct ecp *r, const struct ecp *a);
/* Complete: handles infinity and a == b in constant time. */
void ecp1024_add(struct ecp *r, const struct ecp *a, const struct ecp *b);
uint64_t ecp1024_is_inf(const struct ecp *a);
/* All ones when a equals the finite point b. */
uint64_t ecp1024_eq_aff(const struct ecp *a, const struct ecp_aff *b);

/* r = [k]a for any 1024-bit k, constant time in k and a. */
void ecp1024_mul(struct ecp *r, const struct ecp_aff *a, const uint64_t k[FP1024_LIMBS]);
/* 0 iff [q]a is infinity (a public point: may branch). */
int ecp1024_check_order(const struct ecp_aff *a);

/*
 * A fixed-base table of base (of order q) with signed w-bit windows
 * (ECP1024_TABLE_WMIN <= w <= ECP1024_TABLE_WMAX, else SKM_EINVAL):
 * 256 * 2^(w-1) * ceil(1023 / w) octets, 2.4 MB for w = 7. With AVX-512
 * IFMA the first batch product over a table adds a copy of that size,
 * kept until the table is freed (lib/ecp1024_int.h).
 */
#define ECP1024_TABLE_WMIN	2
#define ECP1024_TABLE_WMAX	8
#define ECP1024_TABLE_W		7	/* the width of the tables libskm builds */
int ecp1024_table_new(struct ecp_table **t, const struct ecp_aff *base, int w);
void ecp1024_table_free(struct ecp_table *t);
int ecp1024_table_width(const struct ecp_table *t);
/* r = [k]base for k < q, constant time in k (every entry is read). */
void ecp1024_table_mul(struct ecp *r, const struct ecp_table *t,
    const uint64_t k[FP1024_LIMBS]);
/*
 * r[i] = [k[i]]base (affine) for n scalars 0 < k[i] < q: the additions of
 * all n run side by side in affine form with one shared inversion per
 * window, eight lanes at a time with AVX-512 IFMA. Constant time in the
 * scalars; SKM_ENOMEM.
 */
int ecp1024_table_mul_batch(struct ecp_aff *r, const struct ecp_table *t,
    const uint64_t (*k)[FP1024_LIMBS], size_t n);
/*
 * r[i] = [k1[i]]base1 + [k2[i]]base2 (affine; infinity as (0, 0)) for any
 * k1[i], k2[i] < q, both products of all n entries side by side as above.
 * The tables must have the same width (else SKM_EINVAL); SKM_ENOMEM.
 */
int ecp1024_table_mul2_batch(struct ecp_aff *r, const struct ecp_table *t1,
    const uint64_t (*k1)[FP1024_LIMBS], const struct ecp_table *t2,
    const uint64_t (*k2)[FP1024_LIMBS], size_t n);
/* The table of P, built once per process; NULL if allocation failed. */
const struct ecp_table *ecp1024_table_gen(void);

#endif
