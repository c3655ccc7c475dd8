/* SPDX-License-Identifier: ISC */
/*
 * P-256 field and order arithmetic beyond test_eccsi's random values: the
 * field product and square at limb patterns that drive every carry of the
 * reduction (each arithmetic level against BN), the BMI2/ADX field
 * addition against the portable one, and the variable-time
 * inversion for public values against the constant-time one.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/rand.h>

#include "lib/cpu.h"
#include "lib/p256n.h"
#include "lib/p256n_adx.h"
#include "lib/safegcd.h"

/* limbs that make carries and borrows: 0, 1, halves, p's own limbs, all ones */
static const uint64_t limb_pat[] = {
	0, 1, 0x00000000ffffffffULL, 0x0000000100000000ULL,
	0xffffffff00000000ULL, 0xffffffff00000001ULL, 0x8000000000000000ULL,
	0xfffffffffffffffeULL, 0xffffffffffffffffULL,
};
#define NPAT	(sizeof(limb_pat) / sizeof(limb_pat[0]))

static BIGNUM *
bn_of(const uint64_t x[4])
{
	uint8_t buf[32];
	BIGNUM *r;

	p256n_to_bytes(buf, x);
	r = BN_bin2bn(buf, 32, NULL);
	ck_assert_ptr_nonnull(r);
	return r;
}

/* a b R^-1 mod p by BN, as octets */
static void
want_mul(uint8_t out[32], const uint64_t a[4], const uint64_t b[4], const BIGNUM *p,
    const BIGNUM *rinv, BN_CTX *ctx)
{
	BIGNUM *x = bn_of(a), *y = bn_of(b), *r = BN_new();

	ck_assert_ptr_nonnull(r);
	ck_assert(BN_mod_mul(r, x, y, p, ctx));
	ck_assert(BN_mod_mul(r, r, rinv, p, ctx));
	ck_assert_int_eq(BN_bn2binpad(r, out, 32), 32);
	BN_free(r);
	BN_free(y);
	BN_free(x);
}

/*
 * Every operand with limbs from limb_pat times a few others (2^256 - 1 and
 * p - 1 among them; one side below p, as the contract asks), at level _i.
 */
START_TEST(fp_mul_limb_patterns)
{
	enum cpu_level best = cpu_level();
	uint64_t x[4], y[4], z[4], others[4][4] = {
		{ 1, 0, 0, 0 },
		{ 0xfffffffffffffffeULL, 0x00000000ffffffffULL, 0,
		    0xffffffff00000001ULL },			/* p - 1 */
		{ ~0ULL, ~0ULL, ~0ULL, ~0ULL },			/* 2^256 - 1 */
		{ 0x0123456789abcdefULL, 0xfedcba9876543210ULL,
		    0xffffffffffffffffULL, 0xfffffffe00000000ULL },
	};
	uint8_t out[32], want[32];
	BIGNUM *p, *rinv;
	BN_CTX *ctx;
	size_t i, k, o;
	int n = 0;

	if (cpu_level_set((enum cpu_level)_i) != 0) {
		ck_assert_int_gt(_i, best);
		return;
	}
	ctx = BN_CTX_new();
	ck_assert_ptr_nonnull(ctx);
	p = bn_of(p256n_p.m);
	rinv = BN_new();
	ck_assert_ptr_nonnull(rinv);
	ck_assert(BN_set_bit(rinv, 256));
	ck_assert_ptr_nonnull(BN_mod_inverse(rinv, rinv, p, ctx));
	for (i = 0; i < NPAT * NPAT * NPAT * NPAT; i++) {
		for (k = 0, o = i; k < 4; k++, o /= NPAT)
			x[k] = limb_pat[o % NPAT];
		for (o = 0; o < 4; o++) {
			memcpy(y, others[o], sizeof(y));
			if (!p256n_lt(x, p256n_p.m) && !p256n_lt(y, p256n_p.m))
				continue;
			want_mul(want, x, y, p, rinv, ctx);
			p256n_fp_mul(z, x, y);
			p256n_to_bytes(out, z);
			ck_assert_mem_eq(out, want, 32);
			p256n_fp_mul(z, y, x);
			p256n_to_bytes(out, z);
			ck_assert_mem_eq(out, want, 32);
			n++;
		}
		if (p256n_lt(x, p256n_p.m)) {
			want_mul(want, x, x, p, rinv, ctx);
			p256n_fp_sqr(z, x);
			p256n_to_bytes(out, z);
			ck_assert_mem_eq(out, want, 32);
		}
	}
	ck_assert_int_gt(n, 20000);
	BN_free(rinv);
	BN_free(p);
	BN_CTX_free(ctx);
	ck_assert_int_eq(cpu_level_set(best), 0);
}
END_TEST

/* The BMI2/ADX addition of the point formulas against the portable one. */
START_TEST(fp_add_adx_matches)
{
#if defined(__x86_64__)
	uint64_t x[4], y[4], z[4], z2[4];
	size_t i, j, k, o;

	if (cpu_level_max() < CPU_ADX)
		return;
	for (i = 0; i < NPAT * NPAT * NPAT * NPAT; i++) {
		for (k = 0, o = i; k < 4; k++, o /= NPAT)
			x[k] = limb_pat[o % NPAT];
		if (!p256n_lt(x, p256n_p.m))
			continue;
		for (j = 0; j < NPAT * NPAT * NPAT * NPAT; j += 7) {
			for (k = 0, o = j; k < 4; k++, o /= NPAT)
				y[k] = limb_pat[o % NPAT];
			if (!p256n_lt(y, p256n_p.m))
				continue;
			p256n_fp_add(z, x, y);
			p256n_fp_add_adx(z2, x, y);
			ck_assert_mem_eq(z, z2, sizeof(z));
			memcpy(z2, x, sizeof(z2));
			p256n_fp_add_adx(z2, z2, z2);		/* r aliasing both */
			p256n_fp_add(z, x, x);
			ck_assert_mem_eq(z, z2, sizeof(z));
		}
	}
#endif
}
END_TEST

static void
inv_both(const uint64_t m[4], const uint64_t x[4])
{
	uint64_t ct[4], vt[4];

	safegcd_inv256(ct, x, m);
	safegcd_inv256_var(vt, x, m);
	ck_assert_mem_eq(ct, vt, sizeof(ct));
}

/*
 * safegcd_inv256_var against safegcd_inv256 for both moduli: 0 (maps to 0),
 * 1, 2, m - 1, m - 2, every power of two below m, and random values; and
 * p256n_inv_vartime against p256n_inv, checked as a product of one.
 */
START_TEST(inv_vartime_matches_ct)
{
	const struct p256n_mod *mods[2] = { &p256n_q, &p256n_p };
	uint64_t x[4], r[4], s[4], one[4];
	int k, i;

	for (k = 0; k < 2; k++) {
		const uint64_t *m = mods[k]->m;

		memset(x, 0, sizeof(x));
		safegcd_inv256_var(r, x, m);
		ck_assert(p256n_is_zero(r));
		inv_both(m, x);
		for (i = 1; i <= 2; i++) {
			memset(x, 0, sizeof(x));
			x[0] = (uint64_t)i;
			inv_both(m, x);
			memcpy(x, m, sizeof(x));
			x[0] -= (uint64_t)i;
			inv_both(m, x);
		}
		for (i = 0; i < 256; i++) {
			memset(x, 0, sizeof(x));
			x[i / 64] = (uint64_t)1 << (i % 64);
			if (p256n_lt(x, m))
				inv_both(m, x);
		}
		for (i = 0; i < 5000; i++) {
			ck_assert_int_eq(RAND_bytes((unsigned char *)x, sizeof(x)), 1);
			if (i % 3 == 0)
				x[3] >>= i % 64;	/* shorter values */
			if (!p256n_lt(x, m))
				continue;
			inv_both(m, x);
			p256n_to_mont(mods[k], x, x);
			p256n_inv_vartime(mods[k], r, x);
			p256n_inv(mods[k], s, x);
			ck_assert_mem_eq(r, s, sizeof(r));
			if (!p256n_is_zero(x)) {
				p256n_mul(mods[k], r, r, x);
				ck_assert_mem_eq(r, mods[k]->one, sizeof(r));
			}
		}
		memcpy(one, mods[k]->one, sizeof(one));
		p256n_inv_vartime(mods[k], r, one);
		ck_assert_mem_eq(r, one, sizeof(r));
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("p256n");
	TCase *tc = tcase_create("p256n");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, fp_mul_limb_patterns, CPU_PORTABLE, CPU_ADX + 1);
	tcase_add_test(tc, fp_add_adx_matches);
	tcase_add_test(tc, inv_vartime_matches_ct);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
