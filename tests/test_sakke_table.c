/* SPDX-License-Identifier: ISC */
/*
 * src/lib SAKKE fixed-base machinery at every window width: the signed
 * w-bit recoding against BN, table products of every width against the
 * plain ladder, the two-table side-by-side batch (infinity and doubling
 * sums included) and the batched powers of g against the single ones.
 */
#include <check.h>
#include <openssl/bn.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "lib/ecp1024.h"
#include "lib/fp1024.h"
#include "lib/modq.h"
#include "lib/pairing.h"
#include "testlib.h"

#define N	FP1024_LIMBS
#define NK	8

static BIGNUM *
bn_from_limbs(const uint64_t a[N])
{
	uint8_t b[FP1024_BYTES];

	fp1024_to_bytes(b, a);
	return BN_bin2bn(b, sizeof(b), NULL);
}

static void
random_below_q(uint64_t a[N])
{
	uint8_t b[FP1024_BYTES];

	ck_assert_int_eq(RAND_bytes(b, sizeof(b)), 1);
	modq_from_bytes(a, b, sizeof(b));
}

/* Scalars: 0, 1, q - 1, 2^1022 - 1 mod q, 2^1021, then random ones. */
static void
scalars(uint64_t k[NK][N])
{
	static const uint64_t one[N] = { 1 };
	int i;

	memset(k, 0, NK * sizeof(k[0]));
	k[1][0] = 1;
	fp1024_sub_raw(k[2], fp1024_q.m, one);
	k[3][15] = ((uint64_t)1 << 62) - 1;
	for (i = 0; i < 15; i++)
		k[3][i] = ~(uint64_t)0;
	fp1024_sub_raw(k[3], k[3], fp1024_q.m);
	k[4][15] = (uint64_t)1 << 61;
	for (i = 5; i < NK; i++)
		random_below_q(k[i]);
}

static void
assert_same(const struct ecp *a, const struct ecp *b)
{
	struct ecp_aff x, y;

	ck_assert(ecp1024_is_inf(a) == ecp1024_is_inf(b));
	if (ecp1024_is_inf(a))
		return;
	ecp1024_to_aff(&x, a);
	ecp1024_to_aff(&y, b);
	ck_assert(fp1024_eq(x.x, y.x) && fp1024_eq(x.y, y.y));
}

/* k = sum d_i 2^(w i) with |d_i| <= 2^(w-1), nothing carried out of the top. */
START_TEST(recode_widths_vs_bn)
{
	BN_CTX *ctx = BN_CTX_new();
	uint64_t k[NK][N], mag, neg, carry;
	BIGNUM *sum = BN_new(), *d = BN_new(), *want;
	int w, i, j;

	ck_assert_ptr_nonnull(ctx);
	ck_assert_ptr_nonnull(sum);
	ck_assert_ptr_nonnull(d);
	scalars(k);
	for (w = 2; w <= 8; w++) {
		ck_assert_int_ge(modq_nwin(w) * w, 1023);
		ck_assert_int_lt((modq_nwin(w) - 1) * w, 1023);
		for (j = 0; j < NK; j++) {
			BN_zero(sum);
			carry = 0;
			for (i = 0; i < modq_nwin(w); i++) {
				modq_recode_step_w(&mag, &neg, &carry, k[j], i, w);
				ck_assert_uint_le(mag, (uint64_t)1 << (w - 1));
				ck_assert(neg == 0 || (neg == ~(uint64_t)0 && mag != 0));
				ck_assert_int_eq(BN_set_word(d, mag), 1);
				BN_set_negative(d, neg != 0);
				ck_assert_int_eq(BN_lshift(d, d, w * i), 1);
				ck_assert_int_eq(BN_add(sum, sum, d), 1);
			}
			ck_assert_uint_eq(carry, 0);
			want = bn_from_limbs(k[j]);
			ck_assert_int_eq(BN_cmp(sum, want), 0);
			BN_free(want);
		}
	}
	BN_free(d);
	BN_free(sum);
	BN_CTX_free(ctx);
}
END_TEST

/* Tables of every supported width agree with the ladder; others refused. */
START_TEST(table_widths)
{
	static const int widths[] = { 2, 4, 5, 6, 7, 8 };
	struct ecp_table *t;
	uint64_t k[NK][N];
	struct ecp a, b;
	size_t wi;
	int j;

	ck_assert_int_eq(ecp1024_table_new(&t, &ecp1024_gen, 1), SKM_EINVAL);
	ck_assert_ptr_null(t);
	ck_assert_int_eq(ecp1024_table_new(&t, &ecp1024_gen, 9), SKM_EINVAL);
	scalars(k);
	for (wi = 0; wi < sizeof(widths) / sizeof(widths[0]); wi++) {
		ck_assert_int_eq(ecp1024_table_new(&t, &ecp1024_gen, widths[wi]), 0);
		ck_assert_int_eq(ecp1024_table_width(t), widths[wi]);
		for (j = 0; j < NK; j++) {
			ecp1024_table_mul(&a, t, k[j]);
			ecp1024_mul(&b, &ecp1024_gen, k[j]);
			assert_same(&a, &b);
		}
		ecp1024_table_free(t);
	}
}
END_TEST

/*
 * [k1]P + [k2]Q side by side equals the single products added, with sums
 * that are infinity (k1 = -s, k2 = 1 for Q = [s]P), doublings (k1 = s,
 * k2 = 1) and zero scalars on either side.
 */
START_TEST(table_mul2_batch)
{
	const struct ecp_table *pt = ecp1024_table_gen();
	struct ecp_table *qt, *other;
	uint64_t s[N], k1[12][N], k2[12][N];
	struct ecp_aff q, r[12];
	struct ecp a, b, sum;
	int i;

	ck_assert_ptr_nonnull(pt);
	random_below_q(s);
	ecp1024_table_mul(&a, pt, s);
	ecp1024_to_aff(&q, &a);
	ck_assert_int_eq(ecp1024_table_new(&qt, &q, ecp1024_table_width(pt)), 0);
	for (i = 0; i < 12; i++) {
		random_below_q(k1[i]);
		random_below_q(k2[i]);
	}
	memset(k1[0], 0, sizeof(k1[0]));
	memset(k2[1], 0, sizeof(k2[1]));
	memset(k1[2], 0, sizeof(k1[2]));
	memset(k2[2], 0, sizeof(k2[2]));
	fp1024_sub_raw(k1[3], fp1024_q.m, s);		/* -s: infinity */
	memset(k2[3], 0, sizeof(k2[3]));
	k2[3][0] = 1;
	memcpy(k1[4], s, sizeof(s));			/* s: doubling */
	memset(k2[4], 0, sizeof(k2[4]));
	k2[4][0] = 1;
	ck_assert_int_eq(ecp1024_table_mul2_batch(r, pt, (const uint64_t (*)[N])k1,
	    qt, (const uint64_t (*)[N])k2, 12), 0);
	for (i = 0; i < 12; i++) {
		ecp1024_table_mul(&a, pt, k1[i]);
		ecp1024_table_mul(&b, qt, k2[i]);
		ecp1024_add(&sum, &a, &b);
		if (i == 2 || i == 3) {
			ck_assert(ecp1024_is_inf(&sum));
			ck_assert(fp1024_is_zero(r[i].x) && fp1024_is_zero(r[i].y));
			continue;
		}
		ck_assert(ecp1024_eq_aff(&sum, &r[i]));
	}
	ck_assert_int_eq(ecp1024_table_new(&other, &q, 5), 0);
	ck_assert_int_eq(ecp1024_table_mul2_batch(r, pt, (const uint64_t (*)[N])k1,
	    other, (const uint64_t (*)[N])k2, 12), SKM_EINVAL);
	ecp1024_table_free(other);
	ecp1024_table_free(qt);
}
END_TEST

/* g^k with one shared inversion equals the single powers; g^1 = g. */
START_TEST(gpow_batch)
{
	uint64_t k[NK][N], w[NK][N], one[N];
	int i;

	scalars(k);
	ck_assert_int_eq(pairing_gpow_batch(w, (const uint64_t (*)[N])k, NK), 0);
	for (i = 0; i < NK; i++) {
		ck_assert_int_eq(pairing_gpow(one, k[i]), 0);
		ck_assert(fp1024_eq(one, w[i]));
	}
	ck_assert(fp1024_eq(w[1], pairing_g));
	ck_assert(!fp1024_eq(w[5], w[6]));
	ck_assert_int_eq(pairing_gpow_batch(w, (const uint64_t (*)[N])k, 0), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sakke_table");
	TCase *tc = tcase_create("sakke_table");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, recode_widths_vs_bn);
	tcase_add_test(tc, table_widths);
	tcase_add_test(tc, table_mul2_batch);
	tcase_add_test(tc, gpow_batch);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
