/* SPDX-License-Identifier: ISC */
/*
 * src/lib eight-lane F_p arithmetic (fp1024x8) against the one-element
 * products of fp1024.c, including the values at its bounds (0, 1, p - 1,
 * sums that reach 2p), its shared inversion, and the fixed-base batches
 * it serves at every CPU level against the one-at-a-time product.
 */
#include <check.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cpu.h"
#include "lib/ecp1024.h"
#include "lib/fp1024.h"
#include "lib/fp1024x8.h"
#include "lib/modq.h"
#include "testlib.h"

#define N	FP1024_LIMBS
#define L	8
#define P	(&fp1024_p)

/* A random element below p in Montgomery form (its own Montgomery form). */
static void
random_fp(uint64_t a[N])
{
	uint8_t b[FP1024_BYTES];

	ck_assert_int_eq(RAND_bytes(b, sizeof(b)), 1);
	fp1024_from_bytes(a, b, sizeof(b));
	a[N - 1] &= 0x7fffffffffffffffULL;	/* below 2^1023 < p */
}

/* Lane values: 0, 1, p - 1, -1 (R form), then random ones. */
static void
lanes(uint64_t v[L][N])
{
	static const uint64_t one[N] = { 1 };
	int l;

	memset(v, 0, L * sizeof(v[0]));
	v[1][0] = 1;
	fp1024_sub_raw(v[2], P->m, one);
	fp1024_neg(v[3], P->one, P);
	for (l = 4; l < L; l++)
		random_fp(v[l]);
}

static int
have_ifma(void)
{
	if (cpu_level_max() == CPU_IFMA)
		return 1;
	fprintf(stderr, "fp1024x8: this CPU has no avx512ifma product\n");
	return 0;
}

static void
load(struct fp1024x8 *r, uint64_t v[L][N])
{
	const uint64_t *p[L];
	int l;

	for (l = 0; l < L; l++)
		p[l] = v[l];
	fp1024x8_load(r, p);
}

static void
store(uint64_t v[L][N], const struct fp1024x8 *a)
{
	uint64_t *p[L];
	int l;

	for (l = 0; l < L; l++)
		p[l] = v[l];
	fp1024x8_store(p, a);
}

/* Chains of products and differences, lane by lane against fp1024. */
START_TEST(mul_sub_chains)
{
	uint64_t a[L][N], b[L][N], want[L][N], got[L][N];
	struct fp1024x8 va, vb, vr;
	int round, l;

	if (!have_ifma())
		return;
	lanes(a);
	for (round = 0; round < 200; round++) {
		if (round % 50 == 0)
			lanes(b);
		else
			for (l = 0; l < L; l++)
				random_fp(b[l]);
		load(&va, a);
		load(&vb, b);
		/* a b, a b - b, (a b - b) - a b, then squared */
		fp1024x8_mul(&vr, &va, &vb);
		fp1024x8_sub(&vb, &vr, &vb);
		fp1024x8_sub(&va, &vb, &vr);
		fp1024x8_mul(&va, &va, &va);
		store(got, &va);
		for (l = 0; l < L; l++) {
			uint64_t ab[N], d[N];

			fp1024_mul(ab, a[l], b[l], P);
			fp1024_sub(d, ab, b[l], P);
			fp1024_sub(d, d, ab, P);
			fp1024_mul(want[l], d, d, P);
			ck_assert_mem_eq(got[l], want[l], sizeof(got[l]));
			fp1024_copy(a[l], want[l]);
		}
	}
}
END_TEST

/* x - x, 0 - x and x - 0 at the bounds: results stay reduced. */
START_TEST(sub_bounds)
{
	uint64_t a[L][N], z[L][N], got[L][N], want[N];
	struct fp1024x8 va, vz, vr;
	int l;

	if (!have_ifma())
		return;
	lanes(a);
	memset(z, 0, sizeof(z));
	load(&va, a);
	load(&vz, z);
	fp1024x8_sub(&vr, &va, &va);
	store(got, &vr);
	for (l = 0; l < L; l++)
		ck_assert(fp1024_is_zero(got[l]));
	fp1024x8_sub(&vr, &vz, &va);
	/* -x - (-x) and -x times 1 */
	fp1024x8_sub(&vz, &vr, &vr);
	store(got, &vz);
	for (l = 0; l < L; l++)
		ck_assert(fp1024_is_zero(got[l]));
	store(got, &vr);
	for (l = 0; l < L; l++) {
		fp1024_neg(want, a[l], P);
		ck_assert_mem_eq(got[l], want, sizeof(want));
	}
}
END_TEST

/* Raw lanes round-trip; empty lanes load as 1. */
START_TEST(raw_and_empty_lanes)
{
	uint64_t a[L][N], got[N], back[L][N];
	const uint64_t *p[L] = { NULL };
	struct fp1024x8 v, w;
	int l;

	if (!have_ifma())
		return;
	lanes(a);
	load(&v, a);
	for (l = 0; l < L; l++) {
		fp1024x8_get_raw(got, &v, l);
		fp1024x8_set_raw(&w, l, got);
	}
	store(back, &w);
	for (l = 0; l < L; l++)
		ck_assert_mem_eq(back[l], a[l], sizeof(a[l]));
	fp1024x8_load(&v, p);
	store(back, &v);
	for (l = 0; l < L; l++)
		ck_assert_mem_eq(back[l], P->one, sizeof(back[l]));
}
END_TEST

/* One shared inversion for 1, 2 and 3 vectors; a zero zeroes everything. */
START_TEST(inv_batch)
{
	uint64_t a[3][L][N], got[L][N], want[N], prod[N];
	struct fp1024x8 v[3], tmp[3];
	size_t n, g;
	int l;

	if (!have_ifma())
		return;
	for (n = 1; n <= 3; n++) {
		for (g = 0; g < n; g++) {
			for (l = 0; l < L; l++)
				random_fp(a[g][l]);
			load(&v[g], a[g]);
		}
		fp1024x8_inv_batch(v, tmp, n);
		for (g = 0; g < n; g++) {
			store(got, &v[g]);
			for (l = 0; l < L; l++) {
				fp1024_inv(want, a[g][l], P);
				ck_assert_mem_eq(got[l], want, sizeof(want));
				fp1024_mul(prod, got[l], a[g][l], P);
				ck_assert_mem_eq(prod, P->one, sizeof(prod));
			}
		}
	}
	lanes(a[0]);			/* lane 0 is zero */
	for (l = 0; l < L; l++)
		random_fp(a[1][l]);
	load(&v[0], a[0]);
	load(&v[1], a[1]);
	fp1024x8_inv_batch(v, tmp, 2);
	for (g = 0; g < 2; g++) {
		store(got, &v[g]);
		for (l = 0; l < L; l++)
			ck_assert(fp1024_is_zero(got[l]));
	}
}
END_TEST

/*
 * The batch products at every CPU level (eight lanes where the CPU has
 * IFMA, the portable loop otherwise) against ecp1024_table_mul, for lane
 * counts below, at and across a group of eight.
 */
START_TEST(batch_every_level)
{
	static const size_t sizes[] = { 1, 7, 8, 9, 17 };
	const struct ecp_table *t = ecp1024_table_gen();
	enum cpu_level best = cpu_level();
	uint64_t k[17][N];
	struct ecp_aff r[17], want;
	struct ecp j;
	size_t si, i;

	ck_assert_ptr_nonnull(t);
	if (cpu_level_set((enum cpu_level)_i) != 0) {
		ck_assert_int_gt(_i, best);
		fprintf(stderr, "batch_every_level: this CPU has no %s product\n",
		    cpu_level_name((enum cpu_level)_i));
		return;
	}
	for (i = 0; i < 17; i++) {
		uint8_t b[FP1024_BYTES];

		ck_assert_int_eq(RAND_bytes(b, sizeof(b)), 1);
		modq_from_bytes(k[i], b, sizeof(b));
	}
	memset(k[3], 0, sizeof(k[3]));
	k[3][0] = 1;			/* the base itself */
	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		ck_assert_int_eq(ecp1024_table_mul_batch(r, t,
		    (const uint64_t (*)[N])k, sizes[si]), 0);
		for (i = 0; i < sizes[si]; i++) {
			ecp1024_table_mul(&j, t, k[i]);
			ecp1024_to_aff(&want, &j);
			ck_assert_mem_eq(r[i].x, want.x, sizeof(want.x));
			ck_assert_mem_eq(r[i].y, want.y, sizeof(want.y));
		}
	}
	ck_assert_int_eq(cpu_level_set(best), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("fp1024x8");
	TCase *tc = tcase_create("fp1024x8");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, mul_sub_chains);
	tcase_add_test(tc, sub_bounds);
	tcase_add_test(tc, raw_and_empty_lanes);
	tcase_add_test(tc, inv_batch);
	tcase_add_loop_test(tc, batch_every_level, CPU_PORTABLE, CPU_IFMA + 1);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
