/* SPDX-License-Identifier: ISC */
/*
 * The affine additions of ecp1024_table_mul_batch's lower rows, eight
 * lanes at a time over lib/fp1024x8.h: the loop of ecp1024.c's ecp_rows
 * with each group of eight lanes in one struct fp1024x8 per coordinate,
 * and one inversion per row shared by every group. Lane masks are built
 * from the digits without branching and applied by blends, so nothing
 * here depends on a scalar but the values it computes.
 */
#include "lib/ecp1024_int.h"

#if defined(__x86_64__)
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/err.h"
#include "lib/fp1024x8.h"
#include "lib/modq.h"

#define L	FP1024X8_LANES

/* A group of eight lanes: accumulators and this row's entries. */
struct ecp_x8 {
	struct fp1024x8 ax, ay;
	struct fp1024x8 sx, sy;
};

/*
 * Reads row i's entry of every lane of group g into its sx, sy, takes it
 * into the accumulators of lanes still at infinity and sets den to the x
 * differences (1 where a lane does not add); returns the mask of lanes
 * that add (digit nonzero, accumulator finite).
 */
static uint8_t
ecp1024_x8_select(struct ecp_x8 *v, struct fp1024x8 *den, size_t g, uint64_t *inf,
    uint64_t *carry, const struct ecp_table *t1, size_t n1, const struct ecp_table *t2,
    const uint64_t (*k)[FP1024_LIMBS], size_t n, int i)
{
	const struct ecp_table *t;
	struct ecp_aff sel;
	uint64_t mag, neg, nz;
	uint8_t use = 0, take = 0;
	size_t s;
	int l;

	for (l = 0; l < L; l++) {
		s = g * L + (size_t)l;
		memset(&sel, 0, sizeof(sel));	/* lanes past n never add */
		if (s < n) {
			t = s < n1 ? t1 : t2;
			modq_recode_step_w(&mag, &neg, &carry[s], k[s], i, t->w);
			ecp1024_table_select(&sel, t->x8, i, mag, neg);
			nz = ~(((mag | (0 - mag)) >> 63) - 1);
			use |= (uint8_t)((nz & ~inf[s]) & 1) << l;
			take |= (uint8_t)((nz & inf[s]) & 1) << l;
			inf[s] &= ~nz;
		}
		fp1024x8_set_raw(&v->sx, l, sel.x);
		fp1024x8_set_raw(&v->sy, l, sel.y);
	}
	/* A first nonzero digit takes the entry as it is. */
	fp1024x8_cmov(&v->ax, &v->sx, take);
	fp1024x8_cmov(&v->ay, &v->sy, take);
	fp1024x8_sub(den, &v->sx, &v->ax);
	fp1024x8_cset_one(den, (uint8_t)~use);
	OPENSSL_cleanse(&sel, sizeof(sel));
	OPENSSL_cleanse(&mag, sizeof(mag));
	OPENSSL_cleanse(&neg, sizeof(neg));
	return use;
}

/* The chord step of every adding lane; inv is 1 / den of the select. */
static void
ecp1024_x8_add(struct ecp_x8 *v, const struct fp1024x8 *inv, uint8_t use)
{
	struct fp1024x8 d, lam, x3, y3;

	fp1024x8_sub(&d, &v->sy, &v->ay);
	fp1024x8_mul(&lam, &d, inv);
	fp1024x8_mul(&x3, &lam, &lam);
	fp1024x8_sub(&x3, &x3, &v->ax);
	fp1024x8_sub(&x3, &x3, &v->sx);
	fp1024x8_sub(&d, &v->ax, &x3);
	fp1024x8_mul(&y3, &lam, &d);
	fp1024x8_sub(&y3, &y3, &v->ay);
	fp1024x8_cmov(&v->ax, &x3, use);
	fp1024x8_cmov(&v->ay, &y3, use);
	OPENSSL_cleanse(&d, sizeof(d));
	OPENSSL_cleanse(&lam, sizeof(lam));
}

int
ecp1024_x8_rows(struct ecp_aff *acc, uint64_t *inf, uint64_t *carry,
    const struct ecp_table *t1, size_t n1, const struct ecp_table *t2,
    const uint64_t (*k)[FP1024_LIMBS], size_t n)
{
	size_t ng = (n + L - 1) / L, g, s;
	struct ecp_x8 *v;
	struct fp1024x8 *den, *tmp;
	uint64_t *ox[L], *oy[L];
	uint8_t *use;
	int i, l;

	if (n == 0)
		return 0;
	v = aligned_alloc(64, ng * sizeof(*v));
	use = calloc(ng, 1);
	den = aligned_alloc(64, 2 * ng * sizeof(*den));
	if (v == NULL || use == NULL || den == NULL) {
		free(v);
		free(use);
		free(den);
		return SKM_ENOMEM;
	}
	memset(v, 0, ng * sizeof(*v));
	tmp = den + ng;
	for (i = 0; i < t1->nwin - 1; i++) {
		for (g = 0; g < ng; g++)
			use[g] = ecp1024_x8_select(&v[g], &den[g], g, inf, carry,
			    t1, n1, t2, k, n, i);
		fp1024x8_inv_batch(den, tmp, ng);
		for (g = 0; g < ng; g++)
			ecp1024_x8_add(&v[g], &den[g], use[g]);
	}
	for (g = 0; g < ng; g++) {
		for (l = 0; l < L; l++) {
			s = g * L + (size_t)l;
			ox[l] = s < n ? acc[s].x : NULL;
			oy[l] = s < n ? acc[s].y : NULL;
		}
		fp1024x8_store(ox, &v[g].ax);
		fp1024x8_store(oy, &v[g].ay);
	}
	OPENSSL_cleanse(v, ng * sizeof(*v));
	OPENSSL_cleanse(use, ng);
	OPENSSL_cleanse(den, 2 * ng * sizeof(*den));
	free(v);
	free(use);
	free(den);
	return 0;
}

const struct ecp_table *
ecp1024_x8_table(const struct ecp_table *t)
{
	size_t ne = (size_t)t->nwin * (size_t)t->row, b, e;
	struct ecp_table *x8, *none = NULL;
	struct fp1024x8 vx, vy;
	const uint64_t *px[L], *py[L];
	int l;

	if ((x8 = __atomic_load_n(&t->x8, __ATOMIC_ACQUIRE)) != NULL)
		return x8;
	if ((x8 = OPENSSL_malloc(sizeof(*x8) + ne * sizeof(x8->e[0]))) == NULL)
		return NULL;
	x8->w = t->w;
	x8->nwin = t->nwin;
	x8->row = t->row;
	x8->x8 = NULL;
	for (b = 0; b < ne; b += L) {
		for (l = 0; l < L; l++) {
			px[l] = b + (size_t)l < ne ? t->e[b + (size_t)l].x : NULL;
			py[l] = b + (size_t)l < ne ? t->e[b + (size_t)l].y : NULL;
		}
		fp1024x8_load(&vx, px);
		fp1024x8_load(&vy, py);
		for (l = 0; l < L && b + (size_t)l < ne; l++) {
			e = b + (size_t)l;
			fp1024x8_get_raw(x8->e[e].x, &vx, l);
			fp1024x8_get_raw(x8->e[e].y, &vy, l);
		}
	}
	/*
	 * The copy is a cache of a public table: installing it changes no
	 * result, so a const table may take it. A thread that lost the race
	 * frees its own and uses the winner's.
	 */
	if (!__atomic_compare_exchange_n(&((struct ecp_table *)t)->x8, &none, x8,
	    0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		OPENSSL_free(x8);
		return none;
	}
	return x8;
}
#endif
