/* SPDX-License-Identifier: ISC */
/*
 * ECCSI (RFC 6507): the Appendix A vector, the constant-time [k]G and the
 * fixed-base check of 5.1.2 against OpenSSL, keys recorded before that
 * check changed, random round trips, deterministic derivation and the checks
 * that must refuse tampered keys and signatures.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/err.h"
#include "lib/cpu.h"
#include "lib/eccsi.h"
#include "lib/p256.h"
#include "lib/p256n.h"
#include "testlib.h"

static const uint8_t q_be[32] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
	0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

static const uint8_t *
get(const struct vec *v, const char *key, size_t want)
{
	size_t len;
	const uint8_t *p = vec_bytes(v, key, &len);

	ck_assert_uint_eq(len, want);
	return p;
}

static void
sha256_cat(uint8_t out[32], const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen, const uint8_t *c, size_t clen, const uint8_t *d, size_t dlen)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	ck_assert_ptr_nonnull(md);
	ck_assert(EVP_DigestInit_ex(md, EVP_sha256(), NULL));
	ck_assert(EVP_DigestUpdate(md, a, alen));
	ck_assert(EVP_DigestUpdate(md, b, blen));
	ck_assert(EVP_DigestUpdate(md, c, clen));
	ck_assert(EVP_DigestUpdate(md, d, dlen));
	ck_assert(EVP_DigestFinal_ex(md, out, NULL));
	EVP_MD_CTX_free(md);
}

START_TEST(rfc6507_vector)
{
	struct vec *v = vec_load("rfc6507.txt");
	struct eccsi_kms *kms;
	struct eccsi_signer *signer;
	uint8_t kpak[65], ssk[32], pvt[65], sig[ECCSI_SIG_LEN], hs[32], he[32];
	uint8_t ksak_out[32], prf_out[32], prf[32] = { 0 };
	const uint8_t *id, *m;
	size_t idlen, mlen;

	id = vec_bytes(v, "ID", &idlen);
	m = vec_bytes(v, "M", &mlen);
	ck_assert_int_eq(eccsi_kms_load(&kms, get(v, "KSAK", 32), prf), 0);
	ck_assert_int_eq(eccsi_kms_kpak(kms, kpak), 0);
	ck_assert_mem_eq(kpak, get(v, "KPAK", 65), 65);
	ck_assert_int_eq(eccsi_kms_export(kms, ksak_out, prf_out), 0);
	ck_assert_mem_eq(ksak_out, get(v, "KSAK", 32), 32);
	ck_assert_mem_eq(prf_out, prf, 32);

	ck_assert_int_eq(eccsi_ssk_derive_v(kms, id, idlen, get(v, "v", 32), ssk, pvt), 0);
	ck_assert_mem_eq(pvt, get(v, "PVT", 65), 65);
	ck_assert_mem_eq(ssk, get(v, "SSK", 32), 32);
	sha256_cat(hs, p256_g, 65, kpak, 65, id, idlen, pvt, 65);
	ck_assert_mem_eq(hs, get(v, "HS", 32), 32);
	ck_assert_int_eq(eccsi_ssk_validate(kpak, id, idlen, ssk, pvt), 0);

	ck_assert_int_eq(eccsi_signer_new(&signer, kpak, id, idlen, ssk, pvt), 0);
	ck_assert_int_eq(eccsi_sign_j(signer, m, mlen, get(v, "j", 32), sig), 0);
	ck_assert_mem_eq(sig, get(v, "r", 32), 32);
	sha256_cat(he, hs, 32, get(v, "r", 32), 32, m, mlen, NULL, 0);
	ck_assert_mem_eq(he, get(v, "HE", 32), 32);
	ck_assert_mem_eq(sig + 32, get(v, "s", 32), 32);
	ck_assert_mem_eq(sig, get(v, "Sig", ECCSI_SIG_LEN), ECCSI_SIG_LEN);
	ck_assert_int_eq(eccsi_verify(kpak, id, idlen, m, mlen, sig), 0);
	ck_assert_int_eq(eccsi_verify(get(v, "KPAK", 65), id, idlen, m, mlen,
	    get(v, "Sig", ECCSI_SIG_LEN)), 0);

	eccsi_signer_free(signer);
	eccsi_kms_free(kms);
	vec_free(v);
}
END_TEST

/* The J of the vector is [j]G: the fixed-base code on its own. */
START_TEST(rfc6507_j_point)
{
	struct vec *v = vec_load("rfc6507.txt");
	uint8_t out[65];

	ck_assert_uint_eq(p256_mul_g(out, get(v, "j", 32)), 0);
	ck_assert_mem_eq(out, get(v, "J", 65), 65);
	vec_free(v);
}
END_TEST

static void
openssl_mul_g(const uint8_t k[32], uint8_t out[65], int *inf)
{
	const EC_GROUP *g = p256_group();
	EC_POINT *p = EC_POINT_new(g);
	BIGNUM *b = BN_bin2bn(k, 32, NULL);

	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(b);
	ck_assert(EC_POINT_mul(g, p, b, NULL, NULL, NULL));
	*inf = EC_POINT_is_at_infinity(g, p);
	if (!*inf)
		ck_assert_uint_eq(EC_POINT_point2oct(g, p, POINT_CONVERSION_UNCOMPRESSED,
		    out, 65, NULL), 65);
	BN_free(b);
	EC_POINT_free(p);
}

/*
 * Runs the calling loop test at arithmetic level _i (the point formulas
 * are compiled once per level); 0 if the CPU lacks it.
 */
static int
level_use(int level, enum cpu_level *best)
{
	*best = cpu_level();
	if (cpu_level_set((enum cpu_level)level) != 0) {
		ck_assert_int_gt(level, *best);
		return 0;
	}
	return 1;
}

START_TEST(fixed_base_matches_openssl)
{
	uint8_t k[32], a[65], b[65], zero[65] = { 0 };
	enum cpu_level best;
	int i, inf;

	if (!level_use(_i, &best))
		return;

	for (i = 0; i < 300; i++) {
		memset(k, 0, sizeof(k));
		switch (i) {
		case 0: k[31] = 1; break;
		case 1: memcpy(k, q_be, 32); k[31] -= 1; break;	/* q - 1 */
		case 2: memcpy(k, q_be, 32); k[31] -= 2; break;
		case 3: k[0] = 0x80; break;			/* the top window */
		case 4: k[0] = 0x8f; k[1] = 0xe0; break;	/* ... with a carry */
		case 5: memset(k, 0x40, 32); break;		/* digits of 64 */
		case 6: memset(k, 0x84, 32); break;		/* carries through */
		case 7: k[0] = 0x7f; memset(k + 1, 0xff, 31); break;
		case 8: k[31] = 128; break;			/* a zero low digit */
		default:
			ck_assert_int_eq(RAND_bytes(k, 32), 1);
			if (memcmp(k, q_be, 32) >= 0)
				k[0] &= 0x7f;
		}
		ck_assert_uint_eq(p256_mul_g(a, k), 0);
		openssl_mul_g(k, b, &inf);
		ck_assert_int_eq(inf, 0);
		ck_assert_mem_eq(a, b, 65);
	}
	/* 0 gives the point at infinity, reported by the mask */
	memset(k, 0, sizeof(k));
	ck_assert_uint_eq(p256_mul_g(a, k), ~(uint64_t)0);
	ck_assert_mem_eq(a, zero, 65);
	ck_assert_int_eq(cpu_level_set(best), 0);
}
END_TEST

/* [k]P with OpenSSL (k any 256-bit value), as 65 octets; 0 for infinity. */
static int
openssl_mul(const uint8_t k[32], const uint8_t p[65], EC_POINT *acc, uint8_t out[65])
{
	const EC_GROUP *g = p256_group();
	EC_POINT *pt = EC_POINT_new(g), *t = EC_POINT_new(g);
	BIGNUM *b = BN_bin2bn(k, 32, NULL);
	int inf;

	ck_assert_ptr_nonnull(pt);
	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_nonnull(b);
	ck_assert(EC_POINT_oct2point(g, pt, p, 65, NULL));
	ck_assert(EC_POINT_mul(g, t, NULL, pt, b, NULL));
	ck_assert(EC_POINT_add(g, acc, acc, t, NULL));
	inf = EC_POINT_is_at_infinity(g, acc);
	if (!inf)
		ck_assert_uint_eq(EC_POINT_point2oct(g, acc, POINT_CONVERSION_UNCOMPRESSED,
		    out, 65, NULL), 65);
	BN_free(b);
	EC_POINT_free(t);
	EC_POINT_free(pt);
	return inf;
}

/* q - k for 0 < k < 2^64 (k small, big-endian out) */
static void
q_minus(uint8_t out[32], uint64_t k)
{
	BIGNUM *q = BN_bin2bn(q_be, 32, NULL);

	ck_assert_ptr_nonnull(q);
	ck_assert(BN_sub_word(q, k));
	ck_assert_int_eq(BN_bn2binpad(q, out, 32), 32);
	BN_free(q);
}

/*
 * p256_mul2_eq (the 5.1.2 check) against OpenSSL's EC_POINT_mul: random
 * and edge scalars (0, 1, q - 1, q - 2, repeated bytes, a carry
 * through every window of either width), a table of G itself so that the two halves meet
 * (a doubling, a sum at infinity), and a table of a random point. P + G
 * and -P must be refused.
 */
START_TEST(mul2_eq_matches_openssl)
{
	const EC_GROUP *g = p256_group();
	uint8_t u[32], w[32], t[32], tp[65], p[65], bad[65];
	struct p256_tab *tab_g, *tab_r;
	enum cpu_level best;
	EC_POINT *acc;
	int i, inf;

	if (!level_use(_i, &best))
		return;
	ck_assert_ptr_nonnull(g);
	ck_assert_ptr_nonnull(acc = EC_POINT_new(g));
	ck_assert_ptr_nonnull(tab_g = p256_tab_new(p256_g));
	ck_assert_int_eq(RAND_bytes(t, 32), 1);
	t[0] &= 0x7f;
	ck_assert_uint_eq(p256_mul_g(tp, t), 0);
	ck_assert_ptr_nonnull(tab_r = p256_tab_new(tp));
	for (i = 0; i < 400; i++) {
		const struct p256_tab *tab = i % 2 ? tab_r : tab_g;
		const uint8_t *tpt = i % 2 ? tp : p256_g;

		ck_assert_int_eq(RAND_bytes(u, 32), 1);
		ck_assert_int_eq(RAND_bytes(w, 32), 1);
		if (memcmp(u, q_be, 32) >= 0)
			u[0] &= 0x7f;
		if (memcmp(w, q_be, 32) >= 0)
			w[0] &= 0x7f;
		switch (i / 2) {
		case 0: memset(u, 0, 32); break;
		case 1: memset(w, 0, 32); break;
		case 2: memset(u, 0, 32); u[31] = 1; memcpy(w, u, 32); break;
		case 3: q_minus(u, 1); memset(w, 0, 32); w[31] = 1; break;
		case 4: q_minus(u, 1); q_minus(w, 1); break;
		case 5: q_minus(u, 2); q_minus(w, 3); break;
		case 6: memset(u, 0x84, 32); memset(w, 0x84, 32); break;
		case 7: memcpy(w, u, 32); break;		/* T = G: doublings */
		case 8: memset(u, 0x10, 32); memset(w, 0x20, 32); break;
		case 9: memset(u, 0, 32); u[0] = 0x80; memcpy(w, u, 32); break;
		case 10: memset(u, 0, 32); u[31] = 32; memset(w, 0, 32); w[31] = 31; break;
		case 11: memset(u, 0, 32); u[31] = 2; q_minus(w, 1); break;
		/* w all ones below the top bit: a carry through every 9-bit window */
		case 12: memset(w, 0xff, 32); w[0] = 0x7f; break;
		}
		ck_assert(EC_POINT_set_to_infinity(g, acc));
		(void)openssl_mul(u, p256_g, acc, p);
		inf = openssl_mul(w, tpt, acc, p);
		if (inf) {
			/* no affine point equals infinity */
			ck_assert_uint_eq(p256_mul2_eq(u, tab, w, p256_g), 0);
			ck_assert_uint_eq(p256_mul2_eq(u, tab, w, tp), 0);
			continue;
		}
		ck_assert_uint_eq(p256_point_check(p), 0);
		ck_assert_uint_eq(p256_mul2_eq(u, tab, w, p), ~(uint64_t)0);
		/* -P: the same x */
		ck_assert(EC_POINT_invert(g, acc, NULL));
		ck_assert_uint_eq(EC_POINT_point2oct(g, acc, POINT_CONVERSION_UNCOMPRESSED,
		    bad, 65, NULL), 65);
		ck_assert_uint_eq(p256_mul2_eq(u, tab, w, bad), 0);
		/* P - G */
		memset(t, 0, 32);
		t[31] = 1;
		if (!openssl_mul(t, p256_g, acc, bad))
			ck_assert_uint_eq(p256_mul2_eq(u, tab, w, bad), 0);
	}
	/* the sum at infinity: u = q - w with T = G */
	q_minus(u, 12345);
	memset(w, 0, 32);
	w[30] = 0x30;
	w[31] = 0x39;
	ck_assert_uint_eq(p256_mul2_eq(u, tab_g, w, p256_g), 0);
	ck_assert_uint_eq(p256_mul2_eq(u, tab_g, w, tp), 0);
	p256_tab_free(tab_r);
	p256_tab_free(tab_g);
	EC_POINT_free(acc);
	ck_assert_int_eq(cpu_level_set(best), 0);
}
END_TEST

/* p256_point_check against OpenSSL's decoding, and coordinates of p and above. */
START_TEST(point_check_matches_openssl)
{
	const EC_GROUP *g = p256_group();
	static const uint8_t p_be[32] = {
		0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff,
	};
	uint8_t k[32], pt[65], bad[65];
	EC_POINT *e;
	int i, bit, ours, theirs;

	ck_assert_ptr_nonnull(e = EC_POINT_new(g));
	ck_assert_int_eq(p256_point_check(p256_g), 0);
	for (i = 0; i < 50; i++) {
		ck_assert_int_eq(RAND_bytes(k, 32), 1);
		k[0] &= 0x7f;
		ck_assert_uint_eq(p256_mul_g(pt, k), 0);
		ck_assert_int_eq(p256_point_check(pt), 0);
		for (bit = 0; bit < 520; bit += 37) {
			memcpy(bad, pt, 65);
			bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			ours = p256_point_check(bad);
			theirs = bad[0] == 0x04 && EC_POINT_oct2point(g, e, bad, 65, NULL) == 1;
			ck_assert_int_eq(ours == 0, theirs);
			if (ours != 0)
				ck_assert_int_eq(ours, SKM_EPOINT);
		}
	}
	/* x + p and y + p are not the canonical encodings */
	memcpy(bad, p256_g, 65);
	memcpy(bad + 1, p_be, 32);
	ck_assert_int_eq(p256_point_check(bad), SKM_EPOINT);
	memset(bad, 0, 65);
	bad[0] = 0x04;
	ck_assert_int_eq(p256_point_check(bad), SKM_EPOINT);
	memcpy(bad + 33, p_be, 32);
	ck_assert_int_eq(p256_point_check(bad), SKM_EPOINT);
	EC_POINT_free(e);
}
END_TEST

static void
unhex(uint8_t *out, const char *hex, size_t len)
{
	BIGNUM *b = NULL;

	ck_assert_int_eq(BN_hex2bn(&b, hex), (int)(2 * len));
	ck_assert_int_eq(BN_bn2binpad(b, out, (int)len), (int)len);
	BN_free(b);
}

/*
 * SSK/PVT of a fixed KMS, recorded from the derivation as it stood before
 * the fixed-base check (the keys must not change with the arithmetic):
 * three identifiers in full and a SHA-256 over 200 32-octet UIDs.
 */
START_TEST(derive_recorded)
{
	static const struct {
		const char *id, *ssk, *pvt;
	} rec[] = {
		{ "alice",
		  "412cf5d27f71590c73afabd4428d1f8c6f4997003a9c5603df1a10febc5b759b",
		  "04a978394f4fe4fbdf3bbf3e3fd964ed8dc2477ee3f290aefebb6d4447c17c9f06"
		  "99a6282dc97da027a0acb3a9728ee8e482ac2f63c5ca859909c11ce807c6fd2e" },
		{ "",
		  "8dcb3fa6986ee312abc02c3bf3a58c7ef80e4bb3b7cb9c9796b9819e905034cc",
		  "0413d6cff600e51a9a86844bb51dc5836757f528c87c043430c3e646aba060380c"
		  "27558b594857ee159c43badfda014bc11d361ae9e095dab6ceaf8afa36353880" },
		{ "sip:bob@example.org",
		  "c72c4283c8c9b0fc5b6a17ec6187a5adeffb40781349a9af4aecc77d6e92ec99",
		  "048a2e2347f86e42281792603dab30d2d978fb291de61eefecca62023ef64dc08f"
		  "b61fd6233a20fbe241a971c7de5a51d121ffc9c36c7546ef7511dbf6e96082f4" },
	};
	static const char kpak_hex[] =
	    "0431980042b27d184563af4e1cdbdaf6eb68ac1f8542d69762570e8ebfe6a227be"
	    "2194670fb1ca35d9be3e033899d22c5ed9c7c5d5750f2da84b7cbce4c22f3908";
	static const char all_hex[] =
	    "aad7861a12ec4eb9c6e5a52ffc2582c4244db5c5670a06a9f53f00303a9d57d9";
	uint8_t ksak[32], prf[32], kpak[65], want[65], ssk[32], pvt[65], id[32], d[32];
	struct eccsi_kms *kms;
	EVP_MD_CTX *md;
	size_t i;
	unsigned int n;

	for (i = 0; i < 32; i++) {
		ksak[i] = (uint8_t)(0x3d * i + 0x11);
		prf[i] = (uint8_t)(0xa7 * i + 5);
	}
	ksak[0] = 0x5a;
	ck_assert_int_eq(eccsi_kms_load(&kms, ksak, prf), 0);
	ck_assert_int_eq(eccsi_kms_kpak(kms, kpak), 0);
	unhex(want, kpak_hex, 65);
	ck_assert_mem_eq(kpak, want, 65);
	for (i = 0; i < sizeof(rec) / sizeof(rec[0]); i++) {
		ck_assert_int_eq(eccsi_ssk_derive(kms, (const uint8_t *)rec[i].id,
		    strlen(rec[i].id), ssk, pvt), 0);
		unhex(want, rec[i].ssk, 32);
		ck_assert_mem_eq(ssk, want, 32);
		unhex(want, rec[i].pvt, 65);
		ck_assert_mem_eq(pvt, want, 65);
		ck_assert_int_eq(eccsi_ssk_validate(kpak, (const uint8_t *)rec[i].id,
		    strlen(rec[i].id), ssk, pvt), 0);
	}
	ck_assert_ptr_nonnull(md = EVP_MD_CTX_new());
	ck_assert(EVP_DigestInit_ex(md, EVP_sha256(), NULL));
	for (n = 0; n < 200; n++) {
		for (i = 0; i < 32; i++)
			id[i] = (uint8_t)(n * 7 + i * 13);
		ck_assert_int_eq(eccsi_ssk_derive(kms, id, 32, ssk, pvt), 0);
		ck_assert(EVP_DigestUpdate(md, ssk, 32));
		ck_assert(EVP_DigestUpdate(md, pvt, 65));
	}
	ck_assert(EVP_DigestFinal_ex(md, d, NULL));
	EVP_MD_CTX_free(md);
	unhex(want, all_hex, 32);
	ck_assert_mem_eq(d, want, 32);
	eccsi_kms_free(kms);
}
END_TEST

/* More KPAKs than the client's table cache holds, used in turn and at once. */
START_TEST(validate_many_kpaks)
{
	struct eccsi_kms *kms[6];
	struct eccsi_signer *signer[6];
	uint8_t kpak[6][65], ssk[6][32], pvt[6][65];
	const uint8_t id[] = "carol";
	int i, round;

	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(eccsi_kms_generate(&kms[i]), 0);
		ck_assert_int_eq(eccsi_kms_kpak(kms[i], kpak[i]), 0);
		ck_assert_int_eq(eccsi_ssk_derive(kms[i], id, 5, ssk[i], pvt[i]), 0);
	}
	for (round = 0; round < 3; round++)
		for (i = 0; i < 6; i++) {
			ck_assert_int_eq(eccsi_ssk_validate(kpak[i], id, 5, ssk[i], pvt[i]), 0);
			ck_assert_int_eq(eccsi_ssk_validate(kpak[(i + 1) % 6], id, 5, ssk[i],
			    pvt[i]), SKM_EVERIFY);
		}
	/* signers hold no table; every slot busy at once still validates */
	for (i = 0; i < 6; i++)
		ck_assert_int_eq(eccsi_signer_new(&signer[i], kpak[i], id, 5, ssk[i],
		    pvt[i]), 0);
	for (i = 0; i < 6; i++) {
		eccsi_signer_free(signer[i]);
		eccsi_kms_free(kms[i]);
	}
}
END_TEST

/*
 * Montgomery arithmetic against BN for both moduli, at each arithmetic
 * level the CPU has (_i: portable, BMI2/ADX; the IFMA level multiplies
 * P-256 numbers as ADX does).
 */
START_TEST(p256n_against_bn)
{
	const struct p256n_mod *mods[2] = { &p256n_p, &p256n_q };
	enum cpu_level best = cpu_level();
	BN_CTX *ctx;
	BIGNUM *m, *a, *b, *w, *r;
	uint8_t buf[64], out[32], want[32];
	uint64_t x[4], y[4], z[4], z2[4];
	int k, i;

	if (cpu_level_set((enum cpu_level)_i) != 0) {
		ck_assert_int_gt(_i, best);
		fprintf(stderr, "p256n_against_bn: this CPU has no %s level\n",
		    cpu_level_name((enum cpu_level)_i));
		return;
	}
	ctx = BN_CTX_new();
	m = BN_new();
	a = BN_new();
	b = BN_new();
	w = BN_new();
	r = BN_new();
	ck_assert_ptr_nonnull(ctx);
	ck_assert_ptr_nonnull(r);
	for (k = 0; k < 2; k++) {
		const struct p256n_mod *md = mods[k];

		p256n_to_bytes(out, md->m);
		ck_assert_ptr_nonnull(BN_bin2bn(out, 32, m));
		for (i = 0; i < 200; i++) {
			ck_assert(BN_rand_range(a, m));
			ck_assert(BN_rand_range(b, m));
			if (i == 0)
				BN_zero(a);
			if (i == 1)
				ck_assert(BN_sub(a, m, BN_value_one()));
			ck_assert_int_eq(BN_bn2binpad(a, buf, 32), 32);
			p256n_from_bytes(x, buf);
			ck_assert_int_eq(BN_bn2binpad(b, buf, 32), 32);
			p256n_from_bytes(y, buf);
			p256n_to_mont(md, x, x);
			p256n_to_mont(md, y, y);

			/* a b, a^2, a + b, a - b, a^-1 */
			p256n_mul(md, z, x, y);
			p256n_from_mont(md, z, z);
			p256n_to_bytes(out, z);
			ck_assert(BN_mod_mul(r, a, b, m, ctx));
			ck_assert_int_eq(BN_bn2binpad(r, want, 32), 32);
			ck_assert_mem_eq(out, want, 32);
			if (md == &p256n_p) {
				p256n_mul(md, z, x, y);
				p256n_fp_mul(z2, x, y);
				ck_assert_mem_eq(z, z2, sizeof(z));
				p256n_sqr(md, z, x);
				p256n_fp_sqr(z2, x);
				ck_assert_mem_eq(z, z2, sizeof(z));
			}
			p256n_sqr(md, z, x);
			p256n_from_mont(md, z, z);
			p256n_to_bytes(out, z);
			ck_assert(BN_mod_sqr(r, a, m, ctx));
			ck_assert_int_eq(BN_bn2binpad(r, want, 32), 32);
			ck_assert_mem_eq(out, want, 32);
			p256n_add(md, z, x, y);
			p256n_from_mont(md, z, z);
			p256n_to_bytes(out, z);
			ck_assert(BN_mod_add(r, a, b, m, ctx));
			ck_assert_int_eq(BN_bn2binpad(r, want, 32), 32);
			ck_assert_mem_eq(out, want, 32);
			p256n_sub(md, z, x, y);
			p256n_from_mont(md, z, z);
			p256n_to_bytes(out, z);
			ck_assert(BN_mod_sub(r, a, b, m, ctx));
			ck_assert_int_eq(BN_bn2binpad(r, want, 32), 32);
			ck_assert_mem_eq(out, want, 32);
			p256n_inv(md, z, x);
			p256n_from_mont(md, z, z);
			p256n_to_bytes(out, z);
			if (BN_is_zero(a))
				BN_zero(r);
			else
				ck_assert_ptr_nonnull(BN_mod_inverse(r, a, m, ctx));
			ck_assert_int_eq(BN_bn2binpad(r, want, 32), 32);
			ck_assert_mem_eq(out, want, 32);

			/* 512-bit reduction */
			ck_assert_int_eq(RAND_bytes(buf, 64), 1);
			if (i == 2)
				memset(buf, 0xff, 64);
			p256n_reduce512(md, z, buf);
			p256n_from_mont(md, z, z);
			p256n_to_bytes(out, z);
			ck_assert_ptr_nonnull(BN_bin2bn(buf, 64, w));
			ck_assert(BN_nnmod(r, w, m, ctx));
			ck_assert_int_eq(BN_bn2binpad(r, want, 32), 32);
			ck_assert_mem_eq(out, want, 32);
		}
	}
	/* a may be any 256-bit value when b < m: a = 2^256 - 1, b = m - 1. */
	for (k = 0; k < 2; k++) {
		const struct p256n_mod *md = mods[k];

		memset(x, 0xff, sizeof(x));
		memcpy(y, md->m, sizeof(y));
		y[0] -= 1;
		p256n_mul(md, z, x, y);
		p256n_mul(md, z, z, md->r2);		/* undo the R^-1 */
		p256n_to_bytes(out, z);
		p256n_to_bytes(buf, x);
		ck_assert_ptr_nonnull(BN_bin2bn(buf, 32, a));
		p256n_to_bytes(buf, md->m);
		ck_assert_ptr_nonnull(BN_bin2bn(buf, 32, m));
		ck_assert(BN_sub(b, m, BN_value_one()));
		ck_assert(BN_mod_mul(r, a, b, m, ctx));
		ck_assert_int_eq(BN_bn2binpad(r, want, 32), 32);
		ck_assert_mem_eq(out, want, 32);
	}
	BN_free(r);
	BN_free(w);
	BN_free(b);
	BN_free(a);
	BN_free(m);
	BN_CTX_free(ctx);
	ck_assert_int_eq(cpu_level_set(best), 0);
}
END_TEST

START_TEST(random_round_trips)
{
	struct eccsi_kms *kms;
	uint8_t kpak[65], id[ECCSI_ID_MAX], msg[200], ssk[32], pvt[65];
	uint8_t sig[ECCSI_SIG_LEN];
	int i;

	ck_assert_int_eq(eccsi_kms_generate(&kms), 0);
	ck_assert_int_eq(eccsi_kms_kpak(kms, kpak), 0);
	for (i = 0; i < 1000; i++) {
		struct eccsi_signer *signer;
		size_t idlen = 1 + (size_t)i % ECCSI_ID_MAX, mlen = (size_t)i % sizeof(msg);

		ck_assert_int_eq(RAND_bytes(id, sizeof(id)), 1);
		ck_assert_int_eq(RAND_bytes(msg, sizeof(msg)), 1);
		ck_assert_int_eq(eccsi_ssk_derive(kms, id, idlen, ssk, pvt), 0);
		ck_assert_int_eq(eccsi_ssk_validate(kpak, id, idlen, ssk, pvt), 0);
		ck_assert_int_eq(eccsi_signer_new(&signer, kpak, id, idlen, ssk, pvt), 0);
		ck_assert_int_eq(eccsi_sign(signer, msg, mlen, sig), 0);
		ck_assert_mem_eq(sig + 64, pvt, 65);
		ck_assert_int_eq(eccsi_verify(kpak, id, idlen, msg, mlen, sig), 0);
		if (mlen > 0) {
			msg[i % mlen] ^= 0x01;
			ck_assert_int_eq(eccsi_verify(kpak, id, idlen, msg, mlen, sig),
			    SKM_EVERIFY);
		}
		eccsi_signer_free(signer);
	}
	eccsi_kms_free(kms);
}
END_TEST

START_TEST(deterministic_derivation)
{
	struct eccsi_kms *kms, *again, *other;
	uint8_t ksak[32], prf[32], kpak[65];
	uint8_t ssk1[32], pvt1[65], ssk2[32], pvt2[65], ssk3[32], pvt3[65];
	const uint8_t id1[] = "alice", id2[] = "alicf";

	ck_assert_int_eq(eccsi_kms_generate(&kms), 0);
	ck_assert_int_eq(eccsi_kms_kpak(kms, kpak), 0);
	ck_assert_int_eq(eccsi_ssk_derive(kms, id1, 5, ssk1, pvt1), 0);
	ck_assert_int_eq(eccsi_ssk_derive(kms, id1, 5, ssk2, pvt2), 0);
	ck_assert_mem_eq(ssk1, ssk2, 32);
	ck_assert_mem_eq(pvt1, pvt2, 65);
	ck_assert_int_eq(eccsi_ssk_derive(kms, id2, 5, ssk3, pvt3), 0);
	ck_assert_mem_ne(pvt1, pvt3, 65);
	ck_assert_mem_ne(ssk1, ssk3, 32);
	/* the empty identifier is an identifier too */
	ck_assert_int_eq(eccsi_ssk_derive(kms, NULL, 0, ssk3, pvt3), 0);
	ck_assert_int_eq(eccsi_ssk_validate(kpak, NULL, 0, ssk3, pvt3), 0);
	ck_assert_mem_ne(pvt1, pvt3, 65);

	/* the same secrets reloaded give the same keys */
	ck_assert_int_eq(eccsi_kms_export(kms, ksak, prf), 0);
	ck_assert_int_eq(eccsi_kms_load(&again, ksak, prf), 0);
	ck_assert_int_eq(eccsi_ssk_derive(again, id1, 5, ssk2, pvt2), 0);
	ck_assert_mem_eq(ssk1, ssk2, 32);
	ck_assert_mem_eq(pvt1, pvt2, 65);
	/* another PRF key gives another v, the same KSAK the same KPAK */
	prf[0] ^= 1;
	ck_assert_int_eq(eccsi_kms_load(&other, ksak, prf), 0);
	ck_assert_int_eq(eccsi_ssk_derive(other, id1, 5, ssk2, pvt2), 0);
	ck_assert_mem_ne(pvt1, pvt2, 65);
	ck_assert_int_eq(eccsi_ssk_validate(kpak, id1, 5, ssk2, pvt2), 0);

	ck_assert_int_eq(eccsi_ssk_derive(kms, id1, ECCSI_ID_MAX + 1, ssk2, pvt2), SKM_ELEN);
	eccsi_kms_free(other);
	eccsi_kms_free(again);
	eccsi_kms_free(kms);
}
END_TEST

START_TEST(kms_load_range)
{
	struct eccsi_kms *kms = (struct eccsi_kms *)1;
	uint8_t k[32], prf[32] = { 0 };

	memset(k, 0, sizeof(k));
	ck_assert_int_eq(eccsi_kms_load(&kms, k, prf), SKM_ERANGE);
	ck_assert_ptr_null(kms);
	ck_assert_int_eq(eccsi_kms_load(&kms, q_be, prf), SKM_ERANGE);
	memcpy(k, q_be, 32);
	k[31]++;
	ck_assert_int_eq(eccsi_kms_load(&kms, k, prf), SKM_ERANGE);
	memset(k, 0xff, sizeof(k));
	ck_assert_int_eq(eccsi_kms_load(&kms, k, prf), SKM_ERANGE);
	memcpy(k, q_be, 32);
	k[31]--;
	ck_assert_int_eq(eccsi_kms_load(&kms, k, prf), 0);
	eccsi_kms_free(kms);
}
END_TEST

/* A fixture with one valid key set and signature on the vector's KMS. */
struct fix {
	struct vec *v;
	const uint8_t *id, *m;
	size_t idlen, mlen;
	uint8_t kpak[65], ssk[32], pvt[65], sig[ECCSI_SIG_LEN];
};

static void
fix_load(struct fix *f)
{
	f->v = vec_load("rfc6507.txt");
	f->id = vec_bytes(f->v, "ID", &f->idlen);
	f->m = vec_bytes(f->v, "M", &f->mlen);
	memcpy(f->kpak, get(f->v, "KPAK", 65), 65);
	memcpy(f->ssk, get(f->v, "SSK", 32), 32);
	memcpy(f->pvt, get(f->v, "PVT", 65), 65);
	memcpy(f->sig, get(f->v, "Sig", ECCSI_SIG_LEN), ECCSI_SIG_LEN);
}

static int
validate_and_signer(const struct fix *f, const uint8_t *kpak, const uint8_t *ssk,
    const uint8_t *pvt)
{
	struct eccsi_signer *s = (struct eccsi_signer *)1;
	int a = eccsi_ssk_validate(kpak, f->id, f->idlen, ssk, pvt);
	int b = eccsi_signer_new(&s, kpak, f->id, f->idlen, ssk, pvt);

	ck_assert_int_eq(a, b);
	if (b != 0)
		ck_assert_ptr_null(s);
	eccsi_signer_free(s);
	return a;
}

START_TEST(tampered_keys)
{
	struct fix f;
	uint8_t ssk[32], pvt[65], kpak[65];
	int bit;

	fix_load(&f);
	ck_assert_int_eq(validate_and_signer(&f, f.kpak, f.ssk, f.pvt), 0);
	for (bit = 0; bit < 256; bit += 7) {
		memcpy(ssk, f.ssk, 32);
		ssk[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		ck_assert_int_ne(validate_and_signer(&f, f.kpak, ssk, f.pvt), 0);
	}
	memset(ssk, 0, 32);
	ck_assert_int_eq(validate_and_signer(&f, f.kpak, ssk, f.pvt), SKM_EVERIFY);
	ck_assert_int_eq(validate_and_signer(&f, f.kpak, q_be, f.pvt), SKM_EVERIFY);
	/* PVT: bit flips (off the curve or another point), prefixes, y + 1 */
	for (bit = 8; bit < 520; bit += 11) {
		memcpy(pvt, f.pvt, 65);
		pvt[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		ck_assert_int_ne(validate_and_signer(&f, f.kpak, f.ssk, pvt), 0);
	}
	memcpy(pvt, f.pvt, 65);
	pvt[64] ^= 1;
	ck_assert_int_eq(validate_and_signer(&f, f.kpak, f.ssk, pvt), SKM_EPOINT);
	memset(pvt, 0, 65);
	ck_assert_int_eq(validate_and_signer(&f, f.kpak, f.ssk, pvt), SKM_EPOINT);
	memcpy(pvt, f.pvt, 65);
	pvt[0] = 0x02;	/* compressed prefix: a 33-octet encoding, wrong length */
	ck_assert_int_eq(validate_and_signer(&f, f.kpak, f.ssk, pvt), SKM_EPOINT);
	pvt[0] = 0x06;	/* hybrid */
	ck_assert_int_eq(validate_and_signer(&f, f.kpak, f.ssk, pvt), SKM_EPOINT);
	/* the SSK/PVT of another KPAK */
	memcpy(kpak, f.kpak, 65);
	kpak[64] ^= 1;
	ck_assert_int_eq(validate_and_signer(&f, kpak, f.ssk, f.pvt), SKM_EPOINT);
	memcpy(kpak, f.pvt, 65);
	ck_assert_int_eq(validate_and_signer(&f, kpak, f.ssk, f.pvt), SKM_EVERIFY);
	/* another identifier */
	ck_assert_int_eq(eccsi_ssk_validate(f.kpak, f.id, f.idlen - 1, f.ssk, f.pvt),
	    SKM_EVERIFY);
	vec_free(f.v);
}
END_TEST

START_TEST(tampered_signatures)
{
	struct fix f;
	uint8_t sig[ECCSI_SIG_LEN], kpak[65], m[64];
	int bit;

	fix_load(&f);
	ck_assert_int_eq(eccsi_verify(f.kpak, f.id, f.idlen, f.m, f.mlen, f.sig), 0);
	for (bit = 0; bit < 8 * ECCSI_SIG_LEN; bit += 5) {
		memcpy(sig, f.sig, sizeof(sig));
		sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		ck_assert_int_eq(eccsi_verify(f.kpak, f.id, f.idlen, f.m, f.mlen, sig),
		    SKM_EVERIFY);
	}
	/* r, s = 0 or >= q */
	memcpy(sig, f.sig, sizeof(sig));
	memset(sig, 0, 32);
	ck_assert_int_eq(eccsi_verify(f.kpak, f.id, f.idlen, f.m, f.mlen, sig), SKM_EVERIFY);
	memcpy(sig, q_be, 32);
	ck_assert_int_eq(eccsi_verify(f.kpak, f.id, f.idlen, f.m, f.mlen, sig), SKM_EVERIFY);
	memcpy(sig, f.sig, sizeof(sig));
	memset(sig + 32, 0, 32);
	ck_assert_int_eq(eccsi_verify(f.kpak, f.id, f.idlen, f.m, f.mlen, sig), SKM_EVERIFY);
	memcpy(sig + 32, q_be, 32);
	ck_assert_int_eq(eccsi_verify(f.kpak, f.id, f.idlen, f.m, f.mlen, sig), SKM_EVERIFY);
	/* PVT at infinity, off the curve */
	memcpy(sig, f.sig, sizeof(sig));
	memset(sig + 64, 0, 65);
	ck_assert_int_eq(eccsi_verify(f.kpak, f.id, f.idlen, f.m, f.mlen, sig), SKM_EVERIFY);
	memcpy(sig, f.sig, sizeof(sig));
	sig[128] ^= 1;
	ck_assert_int_eq(eccsi_verify(f.kpak, f.id, f.idlen, f.m, f.mlen, sig), SKM_EVERIFY);
	/* wrong message, wrong ID, wrong KPAK */
	memcpy(m, f.m, f.mlen);
	m[0] ^= 0x20;
	ck_assert_int_eq(eccsi_verify(f.kpak, f.id, f.idlen, m, f.mlen, f.sig), SKM_EVERIFY);
	ck_assert_int_eq(eccsi_verify(f.kpak, f.id, f.idlen, f.m, f.mlen - 1, f.sig),
	    SKM_EVERIFY);
	ck_assert_int_eq(eccsi_verify(f.kpak, f.id, f.idlen - 1, f.m, f.mlen, f.sig),
	    SKM_EVERIFY);
	memcpy(kpak, f.pvt, 65);
	ck_assert_int_eq(eccsi_verify(kpak, f.id, f.idlen, f.m, f.mlen, f.sig), SKM_EVERIFY);
	kpak[0] = 0x05;
	ck_assert_int_eq(eccsi_verify(kpak, f.id, f.idlen, f.m, f.mlen, f.sig), SKM_EPOINT);
	vec_free(f.v);
}
END_TEST

START_TEST(sign_j_range)
{
	struct fix f;
	struct eccsi_signer *s;
	uint8_t j[32], sig[ECCSI_SIG_LEN];

	fix_load(&f);
	ck_assert_int_eq(eccsi_signer_new(&s, f.kpak, f.id, f.idlen, f.ssk, f.pvt), 0);
	memset(j, 0, sizeof(j));
	ck_assert_int_eq(eccsi_sign_j(s, f.m, f.mlen, j, sig), SKM_ERANGE);
	ck_assert_int_eq(eccsi_sign_j(s, f.m, f.mlen, q_be, sig), SKM_ERANGE);
	/* q - 1 is in range; the signature verifies */
	memcpy(j, q_be, 32);
	j[31]--;
	ck_assert_int_eq(eccsi_sign_j(s, f.m, f.mlen, j, sig), 0);
	ck_assert_int_eq(eccsi_verify(f.kpak, f.id, f.idlen, f.m, f.mlen, sig), 0);
	/* two random signatures differ and both verify */
	ck_assert_int_eq(eccsi_sign(s, f.m, f.mlen, sig), 0);
	ck_assert_int_eq(eccsi_sign(s, f.m, f.mlen, f.sig), 0);
	ck_assert_mem_ne(sig, f.sig, 64);
	ck_assert_int_eq(eccsi_verify(f.kpak, f.id, f.idlen, f.m, f.mlen, sig), 0);
	ck_assert_int_eq(eccsi_verify(f.kpak, f.id, f.idlen, f.m, f.mlen, f.sig), 0);
	eccsi_signer_free(s);
	vec_free(f.v);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("eccsi");
	TCase *tc = tcase_create("eccsi");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, rfc6507_vector);
	tcase_add_test(tc, rfc6507_j_point);
	tcase_add_loop_test(tc, fixed_base_matches_openssl, CPU_PORTABLE, CPU_ADX + 1);
	tcase_add_loop_test(tc, mul2_eq_matches_openssl, CPU_PORTABLE, CPU_ADX + 1);
	tcase_add_test(tc, point_check_matches_openssl);
	tcase_add_test(tc, derive_recorded);
	tcase_add_test(tc, validate_many_kpaks);
	tcase_add_loop_test(tc, p256n_against_bn, CPU_PORTABLE, CPU_ADX + 1);
	tcase_add_test(tc, random_round_trips);
	tcase_add_test(tc, deterministic_derivation);
	tcase_add_test(tc, kms_load_range);
	tcase_add_test(tc, tampered_keys);
	tcase_add_test(tc, tampered_signatures);
	tcase_add_test(tc, sign_j_range);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
