/* SPDX-License-Identifier: ISC */
/*
 * src/lib SAKKE: the 1024-bit field against OpenSSL BN, the pairing against
 * g, the RFC 6508 Appendix A vector end to end, random round trips, batch
 * derivation, the g^r octet-length convention and rejection of bad input.
 */
#include <check.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "lib/cpu.h"
#include "lib/ecp1024.h"
#include "lib/fp1024.h"
#include "lib/modq.h"
#include "lib/pairing.h"
#include "lib/sakke.h"
#include "testlib.h"

#define N	FP1024_LIMBS
#define ROUND_TRIPS	1000	/* identities through derive/validate/encap/decap */
#define USERS		8	/* receivers the round trips are spread over */

static BIGNUM *
bn_from_limbs(const uint64_t a[N])
{
	uint8_t b[FP1024_BYTES];

	fp1024_to_bytes(b, a);
	return BN_bin2bn(b, sizeof(b), NULL);
}

static void
limbs_from_bn(uint64_t a[N], const BIGNUM *x)
{
	uint8_t b[FP1024_BYTES];

	ck_assert_int_eq(BN_bn2binpad(x, b, sizeof(b)), sizeof(b));
	fp1024_from_bytes(a, b, sizeof(b));
}

static void
random_below(uint64_t a[N], const struct fp1024_mod *md)
{
	BIGNUM *m = bn_from_limbs(md->m), *x = BN_new();

	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(BN_rand_range(x, m), 1);
	limbs_from_bn(a, x);
	BN_free(m);
	BN_free(x);
}

/* Montgomery products, sums, inverses and byte codecs against BN. */
START_TEST(field_vs_bn)
{
	const struct fp1024_mod *mods[2] = { &fp1024_p, &fp1024_q };
	BN_CTX *ctx = BN_CTX_new();
	int k, i;

	ck_assert_ptr_nonnull(ctx);
	for (k = 0; k < 2; k++) {
		const struct fp1024_mod *md = mods[k];
		BIGNUM *m = bn_from_limbs(md->m);

		for (i = 0; i < 200; i++) {
			uint64_t a[N], b[N], am[N], bm[N], r[N], t[N];
			BIGNUM *ba, *bb, *want = BN_new(), *got;

			random_below(a, md);
			random_below(b, md);
			if (i == 0)
				memcpy(a, md->m, sizeof(a)), a[0] -= 1;	/* m - 1 */
			if (i == 1)
				memset(b, 0, sizeof(b));
			ba = bn_from_limbs(a);
			bb = bn_from_limbs(b);
			fp1024_to_mont(am, a, md);
			fp1024_to_mont(bm, b, md);
			fp1024_mul(r, am, bm, md);
			fp1024_from_mont(r, r, md);
			ck_assert_int_eq(BN_mod_mul(want, ba, bb, m, ctx), 1);
			got = bn_from_limbs(r);
			ck_assert_int_eq(BN_cmp(got, want), 0);
			BN_free(got);

			fp1024_add(r, a, b, md);
			ck_assert_int_eq(BN_mod_add(want, ba, bb, m, ctx), 1);
			got = bn_from_limbs(r);
			ck_assert_int_eq(BN_cmp(got, want), 0);
			BN_free(got);

			fp1024_sub(r, a, b, md);
			ck_assert_int_eq(BN_mod_sub(want, ba, bb, m, ctx), 1);
			got = bn_from_limbs(r);
			ck_assert_int_eq(BN_cmp(got, want), 0);
			BN_free(got);

			/* safegcd against Fermat, 0, 1 and m - 1 included */
			if (i < 60) {
				uint64_t e[N], two[N] = { 2 }, f[N];

				if (i == 2)
					memcpy(am, md->one, sizeof(am));
				fp1024_inv(t, am, md);
				fp1024_sub_raw(e, md->m, two);
				fp1024_pow_public(f, am, e, md);
				ck_assert(fp1024_eq(t, f));
				fp1024_mul(t, t, am, md);
				if (!fp1024_is_zero(am))
					ck_assert(fp1024_eq(t, md->one));
			}
			BN_free(ba);
			BN_free(bb);
			BN_free(want);
		}
		BN_free(m);
	}
	BN_CTX_free(ctx);
}
END_TEST

/* An edge or random operand below m (or any 1024-bit value when wide). */
static void
operand(uint64_t a[N], const struct fp1024_mod *md, int kind, int wide)
{
	uint64_t one[N] = { 1 };

	switch (kind) {
	case 0:
		memset(a, 0, N * sizeof(a[0]));
		break;
	case 1:
		memcpy(a, one, sizeof(one));
		break;
	case 2:
		fp1024_sub_raw(a, md->m, one);			/* m - 1 */
		break;
	case 3:
		fp1024_sub_raw(a, md->m, one);
		fp1024_sub_raw(a, a, one);			/* m - 2 */
		break;
	case 4:
		memset(a, 0xff, N * sizeof(a[0]));		/* all-ones limbs */
		a[N - 1] = md->m[N - 1] - 1;
		break;
	case 5:
		memset(a, 0, N * sizeof(a[0]));
		a[N - 1] = md->m[N - 1];			/* just below m's top */
		a[0] = 0xffffffffffffffffULL;
		fp1024_sub_raw(a, a, one);
		break;
	case 6:
		memset(a, 0xff, N * sizeof(a[0]));
		if (!wide)					/* 2^1024 - 1 */
			a[N - 1] = 0;
		break;
	default:
		random_below(a, md);
		break;
	}
}

/*
 * Each product the CPU offers (_i: portable, BMI2/ADX, AVX-512 IFMA), its
 * squaring and sum of products, against the portable code and against BN:
 * a b R^-1 mod m on edge cases and random values, both moduli.
 */
START_TEST(field_fast_paths)
{
	const struct fp1024_mod *mods[2] = { &fp1024_p, &fp1024_q };
	enum cpu_level best = cpu_level();
	BN_CTX *ctx;
	int k, i;

	if (cpu_level_set((enum cpu_level)_i) != 0) {
		/* Refused only above what the CPU has, and nothing changed. */
		ck_assert_int_gt(_i, best);
		ck_assert_int_eq(cpu_level(), best);
		fprintf(stderr, "field_fast_paths: this CPU has no %s product\n",
		    cpu_level_name((enum cpu_level)_i));
		return;
	}
	ck_assert_int_eq(cpu_level(), _i);
	ctx = BN_CTX_new();
	ck_assert_ptr_nonnull(ctx);
	for (k = 0; k < 2; k++) {
		const struct fp1024_mod *md = mods[k];
		BIGNUM *m = bn_from_limbs(md->m), *rinv = BN_new(),
		    *want = BN_new();

		ck_assert_ptr_nonnull(rinv);
		ck_assert_ptr_nonnull(want);
		ck_assert_int_eq(BN_set_word(rinv, 1), 1);
		ck_assert_int_eq(BN_lshift(rinv, rinv, 64 * N), 1);
		ck_assert_ptr_nonnull(BN_mod_inverse(rinv, rinv, m, ctx));
		for (i = 0; i < 400; i++) {
			uint64_t a[N], b[N], r1[N], r2[N];
			BIGNUM *ba, *bb, *got;

			/* a may be any 1024-bit value when b < m. */
			operand(a, md, i % 10, 1);
			operand(b, md, (i / 10) % 10, 0);
			ba = bn_from_limbs(a);
			bb = bn_from_limbs(b);
			fp1024_mul(r1, a, b, md);
			fp1024_mul_generic(r2, a, b, md);
			ck_assert(fp1024_eq(r1, r2));
			ck_assert(fp1024_lt(r1, md->m));
			ck_assert_int_eq(BN_mod_mul(want, ba, bb, m, ctx), 1);
			ck_assert_int_eq(BN_mod_mul(want, want, rinv, m, ctx), 1);
			got = bn_from_limbs(r1);
			ck_assert_int_eq(BN_cmp(got, want), 0);
			BN_free(got);

			/* a b + c d with one reduction, c = m - 1 - b. */
			if (i % 10 != 6) {
				uint64_t c[N], dd[N], r3[N], one[N] = { 1 };

				fp1024_sub_raw(c, md->m, one);
				fp1024_sub_raw(c, c, b);
				operand(dd, md, (i / 7) % 10, 0);
				fp1024_mul_sum(r1, a, b, c, dd, md);
				fp1024_mul_generic(r2, a, b, md);
				fp1024_mul_generic(r3, c, dd, md);
				fp1024_add(r2, r2, r3, md);
				ck_assert(fp1024_eq(r1, r2));
			}

			fp1024_sqr(r1, b, md);
			fp1024_sqr_generic(r2, b, md);
			ck_assert(fp1024_eq(r1, r2));
			fp1024_mul_generic(r2, b, b, md);
			ck_assert(fp1024_eq(r1, r2));
			ck_assert_int_eq(BN_mod_mul(want, bb, bb, m, ctx), 1);
			ck_assert_int_eq(BN_mod_mul(want, want, rinv, m, ctx), 1);
			got = bn_from_limbs(r1);
			ck_assert_int_eq(BN_cmp(got, want), 0);
			BN_free(got);
			BN_free(ba);
			BN_free(bb);
		}
		BN_free(want);
		BN_free(rinv);
		BN_free(m);
	}
	BN_CTX_free(ctx);
	ck_assert_int_eq(cpu_level_set(best), 0);
}
END_TEST

/* Reduction of any 1024-bit string mod q, and scalar products. */
START_TEST(modq_vs_bn)
{
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *q = bn_from_limbs(fp1024_q.m);
	uint8_t buf[FP1024_BYTES];
	int i;

	for (i = 0; i < 100; i++) {
		uint64_t r[N], a[N], b[N];
		BIGNUM *x, *want = BN_new(), *got, *ba, *bb;

		ck_assert_int_eq(RAND_bytes(buf, sizeof(buf)), 1);
		if (i == 0)
			memset(buf, 0xff, sizeof(buf));
		modq_from_bytes(r, buf, sizeof(buf));
		x = BN_bin2bn(buf, sizeof(buf), NULL);
		ck_assert_int_eq(BN_mod(want, x, q, ctx), 1);
		got = bn_from_limbs(r);
		ck_assert_int_eq(BN_cmp(got, want), 0);
		BN_free(got);

		random_below(a, &fp1024_q);
		random_below(b, &fp1024_q);
		modq_mul(r, a, b);
		ba = bn_from_limbs(a);
		bb = bn_from_limbs(b);
		ck_assert_int_eq(BN_mod_mul(want, ba, bb, q, ctx), 1);
		got = bn_from_limbs(r);
		ck_assert_int_eq(BN_cmp(got, want), 0);
		BN_free(got);
		modq_inv(r, a);
		modq_mul(r, r, a);
		ck_assert(r[0] == 1 && fp1024_is_zero((uint64_t[N]){ r[1], r[2],
		    r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12],
		    r[13], r[14], r[15], 0 }));
		BN_free(ba);
		BN_free(bb);
		BN_free(x);
		BN_free(want);
	}
	BN_free(q);
	BN_CTX_free(ctx);
}
END_TEST

/* Fixed-base table products equal the plain ladder, edge scalars included. */
START_TEST(curve_fixed_base)
{
	const struct ecp_table *pt = ecp1024_table_gen();
	uint64_t k[N], one[N] = { 1 }, ks[16][N];
	struct ecp a, b;
	struct ecp_aff x, y, batch[16];
	int i, nb = 0;

	ck_assert_ptr_nonnull(pt);
	ck_assert_int_eq(ecp1024_check_order(&ecp1024_gen), 0);
	for (i = 0; i < 12; i++) {
		switch (i) {
		case 0:
			memset(k, 0, sizeof(k));
			break;
		case 1:
			memcpy(k, one, sizeof(k));
			break;
		case 2:		/* q - 1 */
			fp1024_sub_raw(k, fp1024_q.m, one);
			break;
		case 3:		/* 2^1022 - q: top digit meets the low part */
			memset(k, 0, sizeof(k));
			k[15] = (uint64_t)1 << 62;
			fp1024_sub_raw(k, k, fp1024_q.m);
			break;
		case 4:		/* 2^1020 + 2^1020 - q mod q */
			memset(k, 0, sizeof(k));
			k[15] = (uint64_t)1 << 61;
			fp1024_sub_raw(k, k, fp1024_q.m);
			fp1024_add(k, k, fp1024_q.m, &fp1024_q);
			break;
		default:
			random_below(k, &fp1024_q);
		}
		ecp1024_table_mul(&a, pt, k);
		ecp1024_mul(&b, &ecp1024_gen, k);
		if (i > 0) {
			memcpy(ks[nb], k, sizeof(k));
			nb++;
		}
		ck_assert(ecp1024_is_inf(&a) == ecp1024_is_inf(&b));
		if (!ecp1024_is_inf(&a)) {
			ecp1024_to_aff(&x, &a);
			ecp1024_to_aff(&y, &b);
			ck_assert(fp1024_eq(x.x, y.x) && fp1024_eq(x.y, y.y));
		}
	}
	/* The side-by-side affine batch agrees, edge scalars included. */
	memset(ks[nb], 0, sizeof(ks[nb]));
	ks[nb++][0] = 32;			/* digits 0, 1: infinity runs */
	memset(ks[nb], 0, sizeof(ks[nb]));
	ks[nb++][15] = (uint64_t)1 << 60;	/* only the top row is nonzero */
	ck_assert_int_eq(ecp1024_table_mul_batch(batch, pt, (const uint64_t (*)[N])ks,
	    nb), 0);
	for (i = 0; i < nb; i++) {
		ecp1024_table_mul(&a, pt, ks[i]);
		ecp1024_to_aff(&x, &a);
		ck_assert(fp1024_eq(x.x, batch[i].x) && fp1024_eq(x.y, batch[i].y));
	}
}
END_TEST

/* RFC 6508 3.2 with the RFC's own check: g = <P, P>. */
START_TEST(pairing_reproduces_g)
{
	struct pairing_lines *l;
	uint64_t w[N], k[N] = { 1 };

	ck_assert_int_eq(pairing_lines_new(&l, &ecp1024_gen, 0), 0);
	pairing_eval(w, l, &ecp1024_gen);
	ck_assert(fp1024_eq(w, pairing_g));
	pairing_lines_free(l);
	ck_assert_int_eq(pairing_gpow(w, k), 0);
	ck_assert(fp1024_eq(w, pairing_g));
}
END_TEST

/* RFC 6508 5.1 HashToIntegerRange, written independently with BN. */
static void
h2ir_ref(uint8_t *out, size_t outlen, const uint8_t *s, size_t slen, const BIGNUM *n,
    int l)
{
	uint8_t a[32], h[32] = { 0 }, buf[64], v[128];
	BIGNUM *x, *r = BN_new();
	BN_CTX *ctx = BN_CTX_new();
	int i;

	ck_assert_int_eq(EVP_Digest(s, slen, a, NULL, EVP_sha256(), NULL), 1);
	for (i = 0; i < l; i++) {
		ck_assert_int_eq(EVP_Digest(h, 32, h, NULL, EVP_sha256(), NULL), 1);
		memcpy(buf, h, 32);
		memcpy(buf + 32, a, 32);
		ck_assert_int_eq(EVP_Digest(buf, 64, v + 32 * i, NULL, EVP_sha256(),
		    NULL), 1);
	}
	x = BN_bin2bn(v, 32 * l, NULL);
	ck_assert_int_eq(BN_nnmod(r, x, n, ctx), 1);
	ck_assert_int_eq(BN_bn2binpad(r, out, (int)outlen), (int)outlen);
	BN_free(x);
	BN_free(r);
	BN_CTX_free(ctx);
}

static void
hash_r_ref(uint64_t r[N], const uint8_t ssv[16], const uint8_t *id, size_t idlen)
{
	uint8_t s[16 + SAKKE_ID_MAX], out[FP1024_BYTES];
	BIGNUM *q = bn_from_limbs(fp1024_q.m);

	memcpy(s, ssv, 16);
	memcpy(s + 16, id, idlen);
	h2ir_ref(out, sizeof(out), s, 16 + idlen, q, 4);
	fp1024_from_bytes(r, out, sizeof(out));
	BN_free(q);
}

static void
hash_w_ref(uint8_t mask[16], const uint8_t *w, size_t wlen)
{
	BIGNUM *two128 = BN_new();

	ck_assert_int_eq(BN_lshift(two128, BN_value_one(), 128), 1);
	h2ir_ref(mask, 16, w, wlen, two128, 1);
	BN_free(two128);
}

START_TEST(rfc6508_vector)
{
	struct vec *v = vec_load("rfc6508.txt");
	const uint8_t *z, *b, *ssv, *zs, *kb, *r, *rbs, *gr, *mask, *h;
	size_t zlen, blen, len;
	struct sakke_kms *kms;
	struct sakke_user *user;
	struct pairing_lines *lines;
	struct ecp_aff kpt, rpt;
	uint8_t out[SAKKE_POINT_LEN], sed[SAKKE_SED_LEN], back[SAKKE_SSV_LEN];
	uint8_t zexp[SAKKE_FE_LEN], wb[FP1024_BYTES], m[16];
	uint64_t rl[N], w[N], rr[N];
	const struct sakke_pub *pub;

	z = vec_bytes(v, "z", &zlen);
	b = vec_bytes(v, "b", &blen);
	ssv = vec_bytes(v, "SSV", &len);
	zs = vec_bytes(v, "Z_S", &len);
	kb = vec_bytes(v, "K_b", &len);
	r = vec_bytes(v, "r", &len);
	rbs = vec_bytes(v, "R_(b,S)", &len);
	gr = vec_bytes(v, "g^r", &len);
	mask = vec_bytes(v, "mask", &len);
	h = vec_bytes(v, "H", &len);

	/* 6.1.1: Z_S = [z]P and K_b */
	ck_assert_int_eq(sakke_kms_load(&kms, z, zlen), 0);
	pub = sakke_kms_pub(kms);
	ck_assert_int_eq(sakke_pub_export(pub, out), 0);
	ck_assert_mem_eq(out, zs, SAKKE_POINT_LEN);
	ck_assert_int_eq(sakke_kms_export(kms, zexp), 0);
	ck_assert_mem_eq(zexp + SAKKE_FE_LEN - zlen, z, zlen);
	ck_assert_int_eq(sakke_rsk_derive(kms, b, blen, out), 0);
	ck_assert_mem_eq(out, kb, SAKKE_POINT_LEN);
	/* 6.1.2 */
	ck_assert_int_eq(sakke_rsk_validate(pub, b, blen, kb), 0);

	/* The internal values: r, g^r, w = <R, K_b> and the mask. */
	hash_r_ref(rl, ssv, b, blen);
	fp1024_from_bytes(rr, r, FP1024_BYTES);
	ck_assert(fp1024_eq(rl, rr));
	ck_assert_int_eq(pairing_gpow(w, rr), 0);
	fp1024_to_bytes(wb, w);
	ck_assert_mem_eq(wb, gr, FP1024_BYTES);
	ck_assert_int_eq(ecp1024_decode(&kpt, kb), 0);
	ck_assert_int_eq(ecp1024_decode(&rpt, rbs), 0);
	ck_assert_int_eq(pairing_lines_new(&lines, &kpt, 1), 0);
	pairing_eval(w, lines, &rpt);
	pairing_lines_free(lines);
	fp1024_to_bytes(wb, w);
	ck_assert_mem_eq(wb, gr, FP1024_BYTES);
	hash_w_ref(m, gr, FP1024_BYTES);
	ck_assert_mem_eq(m, mask, 16);

	/* 6.2.1: SED = R_(b,S) || H exactly */
	ck_assert_int_eq(sakke_encapsulate(pub, b, blen, ssv, sed), 0);
	ck_assert_mem_eq(sed, rbs, SAKKE_POINT_LEN);
	ck_assert_mem_eq(sed + SAKKE_POINT_LEN, h, SAKKE_SSV_LEN);

	/* 6.2.2 */
	ck_assert_int_eq(sakke_user_new(&user, pub, b, blen, kb), 0);
	ck_assert_int_eq(sakke_decapsulate(user, sed, back), 0);
	ck_assert_mem_eq(back, ssv, SAKKE_SSV_LEN);
	sakke_user_free(user);

	/* A KMS built from Z_S alone encapsulates the same way. */
	{
		struct sakke_pub *p2;
		uint8_t sed2[SAKKE_SED_LEN];

		ck_assert_int_eq(sakke_pub_new(&p2, zs), 0);
		ck_assert_int_eq(sakke_encapsulate(p2, b, blen, ssv, sed2), 0);
		ck_assert_mem_eq(sed2, sed, SAKKE_SED_LEN);
		ck_assert_int_eq(sakke_rsk_validate(p2, b, blen, kb), 0);
		sakke_pub_free(p2);
	}
	sakke_kms_free(kms);
	vec_free(v);
}
END_TEST

/*
 * Random identities: each is derived (in one batch) and validated. Random
 * SSVs are encapsulated to USERS receivers in turn and decapsulated (a
 * receiver per identity would spend the test's time building tables).
 */
START_TEST(round_trips)
{
	static uint8_t ids[ROUND_TRIPS][32];
	static uint8_t rsks[ROUND_TRIPS][SAKKE_POINT_LEN];
	static const uint8_t *idp[ROUND_TRIPS];
	static size_t idl[ROUND_TRIPS];
	static int st[ROUND_TRIPS];
	struct sakke_user *users[USERS];
	struct sakke_kms *kms;
	const struct sakke_pub *pub;
	uint8_t ssv[SAKKE_SSV_LEN], back[SAKKE_SSV_LEN], sed[SAKKE_SED_LEN];
	int i, u;

	ck_assert_int_eq(sakke_kms_generate(&kms), 0);
	pub = sakke_kms_pub(kms);
	ck_assert_int_eq(RAND_bytes(&ids[0][0], sizeof(ids)), 1);
	for (i = 0; i < ROUND_TRIPS; i++) {
		idp[i] = ids[i];
		idl[i] = sizeof(ids[i]);
	}
	ck_assert_int_eq(sakke_rsk_derive_batch(kms, ROUND_TRIPS, idp, idl, rsks, st), 0);
	for (u = 0; u < USERS; u++)
		ck_assert_int_eq(sakke_user_new(&users[u], pub, ids[u], 32, rsks[u]), 0);
	for (i = 0; i < ROUND_TRIPS; i++) {
		ck_assert_int_eq(st[i], 0);
		ck_assert_int_eq(sakke_rsk_validate(pub, ids[i], 32, rsks[i]), 0);
		u = i % USERS;
		ck_assert_int_eq(RAND_bytes(ssv, sizeof(ssv)), 1);
		ck_assert_int_eq(sakke_encapsulate(pub, ids[u], 32, ssv, sed), 0);
		ck_assert_int_eq(sakke_decapsulate(users[u], sed, back), 0);
		ck_assert_mem_eq(back, ssv, SAKKE_SSV_LEN);
	}
	for (u = 0; u < USERS; u++)
		sakke_user_free(users[u]);
	sakke_kms_free(kms);
}
END_TEST

START_TEST(batch_equals_single)
{
	uint8_t ida[5][40], rsk[5][SAKKE_POINT_LEN], one[SAKKE_POINT_LEN];
	const uint8_t *idp[5];
	size_t idl[5] = { 32, 1, 0, 40, 17 };
	int st[5], i;
	struct sakke_kms *kms;

	ck_assert_int_eq(sakke_kms_generate(&kms), 0);
	ck_assert_int_eq(RAND_bytes(&ida[0][0], sizeof(ida)), 1);
	for (i = 0; i < 5; i++)
		idp[i] = ida[i];
	ck_assert_int_eq(sakke_rsk_derive_batch(kms, 5, idp, idl, rsk, st), 0);
	for (i = 0; i < 5; i++) {
		if (idl[i] == 0) {
			ck_assert_int_eq(st[i], SKM_ELEN);
			continue;
		}
		ck_assert_int_eq(st[i], 0);
		ck_assert_int_eq(sakke_rsk_derive(kms, ida[i], idl[i], one), 0);
		ck_assert_mem_eq(rsk[i], one, SAKKE_POINT_LEN);
	}
	ck_assert_int_eq(sakke_rsk_derive_batch(kms, 0, idp, idl, rsk, st), 0);
	sakke_kms_free(kms);
}
END_TEST

/*
 * g^r with a leading zero octet (RFC 6508 6.2.1 step 4 leaves its length open): the SED hashes the minimal
 * encoding, and decapsulation also accepts a SED made with the padded one.
 */
START_TEST(leading_zero_gr)
{
	struct vec *v = vec_load("rfc6508.txt");
	const uint8_t *z, *b, *kb;
	size_t zlen, blen, len;
	struct sakke_kms *kms;
	struct sakke_user *user;
	const struct sakke_pub *pub;
	uint8_t ssv[SAKKE_SSV_LEN], sed[SAKKE_SED_LEN], back[SAKKE_SSV_LEN];
	uint8_t wb[FP1024_BYTES], mmin[16], mpad[16];
	uint64_t r[N], w[N];
	uint32_t ctr;
	int i;

	z = vec_bytes(v, "z", &zlen);
	b = vec_bytes(v, "b", &blen);
	kb = vec_bytes(v, "K_b", &len);
	ck_assert_int_eq(sakke_kms_load(&kms, z, zlen), 0);
	pub = sakke_kms_pub(kms);
	ck_assert_int_eq(sakke_user_new(&user, pub, b, blen, kb), 0);
	for (ctr = 0; ; ctr++) {
		ck_assert_uint_lt(ctr, 100000);
		memset(ssv, 0xa5, sizeof(ssv));
		memcpy(ssv, &ctr, sizeof(ctr));
		hash_r_ref(r, ssv, b, blen);
		ck_assert_int_eq(pairing_gpow(w, r), 0);
		fp1024_to_bytes(wb, w);
		if (wb[0] == 0)
			break;
	}
	for (i = 0; wb[i] == 0; i++)
		;
	hash_w_ref(mmin, wb + i, FP1024_BYTES - i);
	hash_w_ref(mpad, wb, FP1024_BYTES);
	ck_assert_mem_ne(mmin, mpad, 16);

	ck_assert_int_eq(sakke_encapsulate(pub, b, blen, ssv, sed), 0);
	for (i = 0; i < 16; i++)
		ck_assert_uint_eq(sed[SAKKE_POINT_LEN + i], ssv[i] ^ mmin[i]);
	ck_assert_int_eq(sakke_decapsulate(user, sed, back), 0);
	ck_assert_mem_eq(back, ssv, SAKKE_SSV_LEN);

	for (i = 0; i < 16; i++)
		sed[SAKKE_POINT_LEN + i] = ssv[i] ^ mpad[i];
	memset(back, 0, sizeof(back));
	ck_assert_int_eq(sakke_decapsulate(user, sed, back), 0);
	ck_assert_mem_eq(back, ssv, SAKKE_SSV_LEN);

	sakke_user_free(user);
	sakke_kms_free(kms);
	vec_free(v);
}
END_TEST

static void
add_p(uint8_t *coord)
{
	uint8_t pb[FP1024_BYTES];
	unsigned int c = 0;
	int i;

	fp1024_to_bytes(pb, fp1024_p.m);
	for (i = FP1024_BYTES - 1; i >= 0; i--) {
		c += coord[i] + pb[i];
		coord[i] = (uint8_t)c;
		c >>= 8;
	}
	ck_assert_uint_eq(c, 0);	/* the test point must leave room */
}

/*
 * H with a leading zero octet (1 SED in 256), as a peer writing H at its
 * minimal length leaves it out: restored on the left it decapsulates;
 * restored on the right it is another H, and TEST = R refuses it.
 */
START_TEST(short_h)
{
	static const uint8_t id[] = "sip:alice@example.org";
	struct sakke_kms *kms;
	struct sakke_user *user;
	uint8_t rsk[SAKKE_POINT_LEN], ssv[SAKKE_SSV_LEN], back[SAKKE_SSV_LEN];
	uint8_t sed[SAKKE_SED_LEN], wrong[SAKKE_SED_LEN];

	ck_assert_int_eq(sakke_kms_generate(&kms), 0);
	ck_assert_int_eq(sakke_rsk_derive(kms, id, sizeof(id) - 1, rsk), 0);
	ck_assert_int_eq(sakke_user_new(&user, sakke_kms_pub(kms), id, sizeof(id) - 1, rsk),
	    0);
	test_sakke_short_h(sakke_kms_pub(kms), id, sizeof(id) - 1, ssv, sed);
	ck_assert_uint_eq(sed[SAKKE_POINT_LEN], 0);
	ck_assert_int_eq(sakke_decapsulate(user, sed, back), 0);
	ck_assert_mem_eq(back, ssv, SAKKE_SSV_LEN);
	memcpy(wrong, sed, SAKKE_POINT_LEN);
	memcpy(wrong + SAKKE_POINT_LEN, sed + SAKKE_POINT_LEN + 1, SAKKE_SSV_LEN - 1);
	wrong[SAKKE_SED_LEN - 1] = 0;
	ck_assert_int_eq(sakke_decapsulate(user, wrong, back), SKM_EVERIFY);
	ck_assert_mem_eq(back, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", SAKKE_SSV_LEN);
	sakke_user_free(user);
	sakke_kms_free(kms);
}
END_TEST

START_TEST(rejects)
{
	struct vec *v = vec_load("rfc6508.txt");
	const uint8_t *z, *b, *kb, *zs, *ssv;
	size_t zlen, blen, len;
	struct sakke_kms *kms;
	struct sakke_pub *pub2;
	struct sakke_user *user;
	const struct sakke_pub *pub;
	uint8_t bad[SAKKE_POINT_LEN], sed[SAKKE_SED_LEN], t[SAKKE_SED_LEN];
	uint8_t out[SAKKE_SSV_LEN], id1[SAKKE_ID_MAX + 1] = { 0 };
	struct ecp_aff ka;
	struct ecp k2;
	uint64_t two[N] = { 2 };
	int i;

	z = vec_bytes(v, "z", &zlen);
	b = vec_bytes(v, "b", &blen);
	kb = vec_bytes(v, "K_b", &len);
	zs = vec_bytes(v, "Z_S", &len);
	ssv = vec_bytes(v, "SSV", &len);
	ck_assert_int_eq(sakke_kms_load(&kms, z, zlen), 0);
	pub = sakke_kms_pub(kms);

	/* RSK: a flipped bit, 2K (a point of order q, not the RSK), (0, 0). */
	memcpy(bad, kb, sizeof(bad));
	bad[SAKKE_POINT_LEN - 1] ^= 1;
	ck_assert_int_eq(sakke_rsk_validate(pub, b, blen, bad), SKM_EPOINT);
	ck_assert_int_eq(sakke_user_new(&user, pub, b, blen, bad), SKM_EPOINT);
	ck_assert_ptr_null(user);
	ck_assert_int_eq(ecp1024_decode(&ka, kb), 0);
	ecp1024_mul(&k2, &ka, two);
	ecp1024_to_aff(&ka, &k2);
	ecp1024_encode(bad, &ka);
	ck_assert_int_eq(sakke_rsk_validate(pub, b, blen, bad), SKM_EVERIFY);
	ck_assert_int_eq(sakke_user_new(&user, pub, b, blen, bad), SKM_EVERIFY);
	ck_assert_int_eq(sakke_rsk_validate(pub, b, blen - 1, kb), SKM_EVERIFY);
	memcpy(bad, kb, sizeof(bad));
	add_p(bad + 1 + FP1024_BYTES);			/* y >= p */
	ck_assert_int_eq(sakke_rsk_validate(pub, b, blen, bad), SKM_EPOINT);
	/* (0, 0) is on the curve but of order 2: the lines of K catch it. */
	memset(bad, 0, sizeof(bad));
	bad[0] = 0x04;
	ck_assert_int_ne(sakke_rsk_validate(pub, b, blen, bad), 0);
	ck_assert_int_eq(sakke_user_new(&user, pub, b, blen, bad), SKM_EPOINT);

	/* SED: R or H tampered; the SSV comes back zeroed. */
	ck_assert_int_eq(sakke_user_new(&user, pub, b, blen, kb), 0);
	ck_assert_int_eq(sakke_encapsulate(pub, b, blen, ssv, sed), 0);
	for (i = 0; i < 6; i++) {
		memcpy(t, sed, sizeof(t));
		switch (i) {
		case 0: t[SAKKE_SED_LEN - 1] ^= 0x80; break;	/* H */
		case 1: t[SAKKE_POINT_LEN - 1] ^= 1; break;	/* R off the curve */
		case 2: t[0] = 0x02; break;			/* prefix */
		case 3: memcpy(t, kb, SAKKE_POINT_LEN); break;	/* another point */
		case 4: memset(t + 1, 0, SAKKE_POINT_LEN - 1); break; /* (0, 0) */
		case 5: add_p(t + 1); break;			/* x >= p */
		}
		memset(out, 0xee, sizeof(out));
		ck_assert_int_eq(sakke_decapsulate(user, t, out), SKM_EVERIFY);
		ck_assert_mem_eq(out, (uint8_t[SAKKE_SSV_LEN]){ 0 }, SAKKE_SSV_LEN);
	}
	sakke_user_free(user);

	/* Z_S: off the curve, infinity, prefix, coordinates >= p. */
	memcpy(bad, zs, sizeof(bad));
	bad[100] ^= 4;
	ck_assert_int_eq(sakke_pub_new(&pub2, bad), SKM_EPOINT);
	ck_assert_ptr_null(pub2);
	memset(bad, 0, sizeof(bad));
	bad[0] = 0x04;
	ck_assert_int_eq(sakke_pub_new(&pub2, bad), SKM_EPOINT);
	memcpy(bad, zs, sizeof(bad));
	bad[0] = 0x03;
	ck_assert_int_eq(sakke_pub_new(&pub2, bad), SKM_EPOINT);
	memcpy(bad, zs, sizeof(bad));
	add_p(bad + 1);
	ck_assert_int_eq(sakke_pub_new(&pub2, bad), SKM_EPOINT);
	memcpy(bad, zs, sizeof(bad));
	add_p(bad + 1 + FP1024_BYTES);
	ck_assert_int_eq(sakke_pub_new(&pub2, bad), SKM_EPOINT);

	/* Identifier lengths. */
	ck_assert_int_eq(sakke_rsk_derive(kms, b, 0, bad), SKM_ELEN);
	ck_assert_int_eq(sakke_rsk_derive(kms, NULL, 0, bad), SKM_ELEN);
	ck_assert_int_eq(sakke_rsk_derive(kms, id1, sizeof(id1), bad), SKM_ELEN);
	ck_assert_int_eq(sakke_rsk_validate(pub, b, 0, kb), SKM_ELEN);
	ck_assert_int_eq(sakke_encapsulate(pub, id1, sizeof(id1), ssv, sed), SKM_ELEN);
	ck_assert_int_eq(sakke_encapsulate(pub, b, 0, ssv, sed), SKM_ELEN);
	ck_assert_int_eq(sakke_user_new(&user, pub, b, 0, kb), SKM_ELEN);
	ck_assert_int_eq(sakke_rsk_derive(kms, id1, SAKKE_ID_MAX, bad), 0);
	sakke_kms_free(kms);
	vec_free(v);
}
END_TEST

/* z outside [2, q - 1], and a + z = 0 mod q. */
START_TEST(master_secret_range)
{
	uint8_t zb[FP1024_BYTES + 1], rsk[2][SAKKE_POINT_LEN], qb[FP1024_BYTES];
	uint8_t id5[32] = { 0 }, idx[4] = { 1, 2, 3, 4 };
	const uint8_t *idp[2] = { id5, idx };
	size_t idl[2] = { sizeof(id5), sizeof(idx) };
	uint64_t zl[N], five[N] = { 5 };
	struct sakke_kms *kms;
	int st[2];

	memset(zb, 0, sizeof(zb));
	ck_assert_int_eq(sakke_kms_load(&kms, zb, 1), SKM_ERANGE);	/* 0 */
	ck_assert_ptr_null(kms);
	zb[0] = 1;
	ck_assert_int_eq(sakke_kms_load(&kms, zb, 1), SKM_ERANGE);	/* 1 */
	fp1024_to_bytes(qb, fp1024_q.m);
	ck_assert_int_eq(sakke_kms_load(&kms, qb, sizeof(qb)), SKM_ERANGE);
	qb[FP1024_BYTES - 1] += 1;
	ck_assert_int_eq(sakke_kms_load(&kms, qb, sizeof(qb)), SKM_ERANGE);
	memset(zb, 0xff, sizeof(zb));
	ck_assert_int_eq(sakke_kms_load(&kms, zb, FP1024_BYTES), SKM_ERANGE);
	ck_assert_int_eq(sakke_kms_load(&kms, zb, 0), SKM_ELEN);
	ck_assert_int_eq(sakke_kms_load(&kms, zb, sizeof(zb)), SKM_ELEN);
	zb[0] = 2;
	ck_assert_int_eq(sakke_kms_load(&kms, zb, 1), 0);
	sakke_kms_free(kms);

	/* z = q - 5: identifier 5 has no key. */
	fp1024_sub_raw(zl, fp1024_q.m, five);
	fp1024_to_bytes(qb, zl);
	ck_assert_int_eq(sakke_kms_load(&kms, qb, sizeof(qb)), 0);
	id5[31] = 5;
	ck_assert_int_eq(sakke_rsk_derive(kms, id5, sizeof(id5), rsk[0]), SKM_EZERO);
	ck_assert_int_eq(sakke_rsk_derive_batch(kms, 2, idp, idl, rsk, st), SKM_OK);
	ck_assert_int_eq(st[0], SKM_EZERO);
	ck_assert_int_eq(st[1], 0);
	sakke_kms_free(kms);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sakke");
	TCase *tc = tcase_create("sakke");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, field_vs_bn);
	tcase_add_loop_test(tc, field_fast_paths, CPU_PORTABLE, CPU_IFMA + 1);
	tcase_add_test(tc, modq_vs_bn);
	tcase_add_test(tc, curve_fixed_base);
	tcase_add_test(tc, pairing_reproduces_g);
	tcase_add_test(tc, rfc6508_vector);
	tcase_add_test(tc, batch_equals_single);
	tcase_add_test(tc, leading_zero_gr);
	tcase_add_test(tc, rejects);
	tcase_add_test(tc, short_h);
	tcase_add_test(tc, master_secret_range);
	tcase_add_test(tc, round_trips);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
