/* SPDX-License-Identifier: ISC */
/*
 * The TS 33.220 Annex B KDF and the TS 33.180 Annex F derivations on it:
 * GUK-ID (both directions) and DPCK, against the vectors in 3gpp.txt.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/err.h"
#include "lib/kdf.h"
#include "testlib.h"

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static const uint8_t *
get(const struct vec *v, const char *key, size_t want)
{
	size_t len;
	const uint8_t *p = vec_bytes(v, key, &len);

	ck_assert_uint_eq(len, want);
	return p;
}

START_TEST(guk_id_vector)
{
	struct vec *v = vec_load("3gpp.txt");
	const uint8_t *gmk = get(v, "guk.GMK", 16), *uri, *s_want;
	struct kdf_param p0;
	uint8_t out[KDF_OUT_LEN], *s;
	size_t urilen, slen, len;
	uint32_t gmk_id = be32(get(v, "guk.GMK-ID", 4)), guk, back, salt;

	uri = vec_bytes(v, "guk.P0", &urilen);
	p0 = (struct kdf_param){ uri, urilen };
	ck_assert_int_eq(kdf_s_build(0x50, &p0, 1, &s, &slen), 0);
	s_want = vec_bytes(v, "guk.S", &len);
	ck_assert_uint_eq(slen, len);
	ck_assert_mem_eq(s, s_want, len);
	OPENSSL_free(s);

	ck_assert_int_eq(kdf_derive(gmk, 16, 0x50, &p0, 1, out), 0);
	ck_assert_mem_eq(out, get(v, "guk.KDF", 32), 32);
	salt = be32(out + 28) & 0x0fffffff;
	ck_assert_uint_eq(salt, be32(get(v, "guk.UserSalt", 4)));

	ck_assert_int_eq(kdf_guk_id(gmk, gmk_id, (const char *)uri, urilen, &guk), 0);
	ck_assert_uint_eq(guk, be32(get(v, "guk.GUK-ID", 4)));
	/* the purpose tag survives; the receiver maps GUK-ID back to GMK-ID */
	ck_assert_uint_eq(guk >> 28, gmk_id >> 28);
	ck_assert_int_eq(kdf_guk_id(gmk, guk, (const char *)uri, urilen, &back), 0);
	ck_assert_uint_eq(back, gmk_id);
	/* another receiver gets another GUK-ID */
	ck_assert_int_eq(kdf_guk_id(gmk, gmk_id, "sip:bob@streamwide.com", 22, &back), 0);
	ck_assert_uint_ne(back, guk);
	ck_assert_int_eq(kdf_guk_id(gmk, gmk_id, "", 0, &back), SKM_EINVAL);
	vec_free(v);
}
END_TEST

START_TEST(dpck_vector)
{
	struct vec *v = vec_load("3gpp.txt");
	const uint8_t *gmk = get(v, "guk.GMK", 16), *s_want;
	uint32_t dppk = be32(get(v, "guk.GUK-ID", 4));
	uint8_t id[4] = { (uint8_t)(dppk >> 24), (uint8_t)(dppk >> 16),
	    (uint8_t)(dppk >> 8), (uint8_t)dppk };
	struct kdf_param p0 = { id, 4 };
	uint8_t out[KDF_OUT_LEN], dpck[16], *s;
	size_t slen, len;

	ck_assert_int_eq(kdf_s_build(0x53, &p0, 1, &s, &slen), 0);
	s_want = vec_bytes(v, "dpck.S", &len);
	ck_assert_uint_eq(slen, len);
	ck_assert_mem_eq(s, s_want, len);
	OPENSSL_free(s);
	ck_assert_int_eq(kdf_derive(gmk, 16, 0x53, &p0, 1, out), 0);
	ck_assert_mem_eq(out, get(v, "dpck.KDF", 32), 32);
	ck_assert_int_eq(kdf_dpck(gmk, dppk, dpck), 0);
	ck_assert_mem_eq(dpck, get(v, "dpck.DPCK", 16), 16);
	ck_assert_int_eq(kdf_dpck(gmk, dppk ^ 1, dpck), 0);
	ck_assert_mem_ne(dpck, get(v, "dpck.DPCK", 16), 16);
	vec_free(v);
}
END_TEST

START_TEST(kdf_framing)
{
	const uint8_t a[] = { 0xaa }, key[16] = { 1 };
	struct kdf_param p[3] = { { a, 1 }, { NULL, 0 }, { a, 1 } };
	uint8_t *s, out1[32], out2[32];
	size_t slen;
	uint8_t *big = calloc(1, 0x10000);

	ck_assert_ptr_nonnull(big);
	ck_assert_int_eq(kdf_s_build(0x01, p, 3, &s, &slen), 0);
	ck_assert_uint_eq(slen, 9);
	ck_assert_mem_eq(s, "\x01\xaa\x00\x01\x00\x00\xaa\x00\x01", 9);
	OPENSSL_free(s);
	ck_assert_int_eq(kdf_s_build(0x01, NULL, 0, &s, &slen), 0);
	ck_assert_uint_eq(slen, 1);
	OPENSSL_free(s);

	/* an empty parameter is still framed: it changes the output */
	ck_assert_int_eq(kdf_derive(key, 16, 0x10, p, 3, out1), 0);
	p[1] = p[2];
	ck_assert_int_eq(kdf_derive(key, 16, 0x10, p, 2, out2), 0);
	ck_assert_mem_ne(out1, out2, 32);
	ck_assert_int_eq(kdf_derive(key, 16, 0x11, p, 2, out1), 0);
	ck_assert_mem_ne(out1, out2, 32);

	p[0] = (struct kdf_param){ big, 0x10000 };
	ck_assert_int_eq(kdf_s_build(0x01, p, 1, &s, &slen), SKM_ELEN);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(kdf_derive(key, 16, 0x01, p, 1, out1), SKM_ELEN);
	p[0] = (struct kdf_param){ NULL, 3 };
	ck_assert_int_eq(kdf_derive(key, 16, 0x01, p, 1, out1), SKM_EINVAL);
	ck_assert_int_eq(kdf_derive(key, 0, 0x01, NULL, 0, out1), SKM_EINVAL);
	free(big);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("kdf");
	TCase *tc = tcase_create("kdf");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, guk_id_vector);
	tcase_add_test(tc, dpck_vector);
	tcase_add_test(tc, kdf_framing);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
