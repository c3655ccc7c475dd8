/* SPDX-License-Identifier: ISC */
/*
 * The fixed-base table's layout and its constant-time row read, shared by
 * ecp1024.c and ecp1024_x8.c only.
 */
#ifndef SKM_LIB_ECP1024_INT_H
#define SKM_LIB_ECP1024_INT_H

#include <stddef.h>
#include <stdint.h>

#include "lib/ecp1024.h"

struct ecp_table {
	int w;				/* window width in bits */
	int nwin;			/* modq_nwin(w) rows */
	int row;			/* 2^(w-1) entries: digits 1..2^(w-1) */
	struct ecp_table *x8;		/* the entries in fp1024x8's form, made on
					 * first use (ecp1024_x8_table) */
	struct ecp_aff e[];		/* e[i row + j] = [(j + 1) 2^(w i)]base */
};

/* sel = +-entry (mag, neg) of row i (every entry read); mag = 0 gives (0, 0). */
void ecp1024_table_select(struct ecp_aff *sel, const struct ecp_table *t, int i,
    uint64_t mag, uint64_t neg);

#if defined(__x86_64__)
/*
 * The rows below the top one of ecp1024_table_mul_batch's lanes, eight
 * lanes at a time over lib/fp1024x8.h (cpu_level() CPU_IFMA only, and
 * both tables' ecp1024_x8_table made): the
 * same contract and results as the portable loop in ecp1024.c. acc[s] and
 * inf[s] (all ones on entry) give lane s's affine sum and whether it is
 * still infinity; carry[s] (0 on entry) the recoding's carry into the top
 * row. SKM_ENOMEM.
 */
int ecp1024_x8_rows(struct ecp_aff *acc, uint64_t *inf, uint64_t *carry,
    const struct ecp_table *t1, size_t n1, const struct ecp_table *t2,
    const uint64_t (*k)[FP1024_LIMBS], size_t n);
/*
 * t->x8, made and installed by the first caller (any thread; a table only
 * ever used one entry at a time never pays for it): a copy of t whose
 * coordinates are in fp1024x8's Montgomery form (below p, as limbs), so
 * ecp1024_x8_rows reads entries with the same constant-time scan and
 * converts nothing. NULL if memory ran out (the portable loop then serves).
 */
const struct ecp_table *ecp1024_x8_table(const struct ecp_table *t);
#endif

#endif
