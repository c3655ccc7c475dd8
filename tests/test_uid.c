/* SPDX-License-Identifier: ISC */
/*
 * The TS 33.180 F.2.1 UID (vector, framing, integer encoding, refusals)
 * and key period arithmetic on the NTP time base.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/err.h"
#include "lib/kdf.h"
#include "lib/period.h"
#include "lib/uid.h"
#include "testlib.h"

START_TEST(uid_vector)
{
	struct vec *v = vec_load("3gpp.txt");
	const char *uri = (const char *)0, *kms;
	const uint8_t *want, *ws;
	size_t urilen, kmslen, len, slen;
	uint8_t uid[UID_LEN], p3[8], p4[8], p5[8], *s;
	struct kdf_param params[6];

	uri = (const char *)vec_bytes(v, "uid.uri", &urilen);
	kms = (const char *)vec_bytes(v, "uid.kms_uri", &kmslen);
	want = vec_bytes(v, "uid.UID", &len);
	ck_assert_uint_eq(len, UID_LEN);
	ck_assert_int_eq(uid_derive(uri, urilen, kms, kmslen,
	    vec_uint(v, "uid.key_period"), vec_uint(v, "uid.key_period_offset"),
	    vec_uint(v, "uid.key_period_no"), uid), 0);
	ck_assert_mem_eq(uid, want, UID_LEN);

	/* the framing the hash covers */
	params[0] = (struct kdf_param){ (const uint8_t *)"MIKEY-SAKKE-UID", 15 };
	params[1] = (struct kdf_param){ (const uint8_t *)uri, urilen };
	params[2] = (struct kdf_param){ (const uint8_t *)kms, kmslen };
	params[3] = (struct kdf_param){ p3, kdf_uint(vec_uint(v, "uid.key_period"), p3) };
	params[4] = (struct kdf_param){ p4, kdf_uint(vec_uint(v, "uid.key_period_offset"), p4) };
	params[5] = (struct kdf_param){ p5, kdf_uint(vec_uint(v, "uid.key_period_no"), p5) };
	ck_assert_int_eq(kdf_s_build(0x00, params, 6, &s, &slen), 0);
	ws = vec_bytes(v, "uid.S", &len);
	ck_assert_uint_eq(slen, len);
	ck_assert_mem_eq(s, ws, len);
	OPENSSL_free(s);

	/* every input changes the UID */
	ck_assert_int_eq(uid_derive(uri, urilen, kms, kmslen, 2592000, 0, 2, uid), 0);
	ck_assert_mem_ne(uid, want, UID_LEN);
	ck_assert_int_eq(uid_derive(uri, urilen, kms, kmslen, 2592000, 1, 1, uid), 0);
	ck_assert_mem_ne(uid, want, UID_LEN);
	ck_assert_int_eq(uid_derive(uri, urilen, kms, kmslen, 2592001, 0, 1, uid), 0);
	ck_assert_mem_ne(uid, want, UID_LEN);
	ck_assert_int_eq(uid_derive(uri, urilen - 1, kms, kmslen, 2592000, 0, 1, uid), 0);
	ck_assert_mem_ne(uid, want, UID_LEN);
	ck_assert_int_eq(uid_derive(uri, urilen, kms, kmslen - 1, 2592000, 0, 1, uid), 0);
	ck_assert_mem_ne(uid, want, UID_LEN);
	vec_free(v);
}
END_TEST

START_TEST(uid_refusals)
{
	uint8_t uid[UID_LEN];
	char *big = malloc(0x10000);

	ck_assert_ptr_nonnull(big);
	memset(big, 'a', 0x10000);
	ck_assert_int_eq(uid_derive("", 0, "kms", 3, 1, 0, 0, uid), SKM_EINVAL);
	ck_assert_int_eq(uid_derive(NULL, 0, "kms", 3, 1, 0, 0, uid), SKM_EINVAL);
	ck_assert_int_eq(uid_derive("u", 1, "", 0, 1, 0, 0, uid), SKM_EINVAL);
	ck_assert_int_eq(uid_derive("u", 1, "kms", 3, 0, 0, 0, uid), SKM_EINVAL);
	ck_assert_int_eq(uid_derive(big, 0x10000, "kms", 3, 1, 0, 0, uid), SKM_ELEN);
	ck_assert_int_eq(uid_derive(big, 0xffff, "kms", 3, 1, 0, 0, uid), 0);
	free(big);
}
END_TEST

START_TEST(kdf_uint_encoding)
{
	uint8_t out[8];

	ck_assert_uint_eq(kdf_uint(0, out), 1);
	ck_assert_uint_eq(out[0], 0);
	ck_assert_uint_eq(kdf_uint(1, out), 1);
	ck_assert_uint_eq(out[0], 1);
	ck_assert_uint_eq(kdf_uint(255, out), 1);
	ck_assert_uint_eq(out[0], 0xff);
	ck_assert_uint_eq(kdf_uint(256, out), 2);
	ck_assert_mem_eq(out, "\x01\x00", 2);
	ck_assert_uint_eq(kdf_uint(2592000, out), 3);
	ck_assert_mem_eq(out, "\x27\x8d\x00", 3);
	ck_assert_uint_eq(kdf_uint(0x0100000000000000ULL, out), 8);
	ck_assert_mem_eq(out, "\x01\x00\x00\x00\x00\x00\x00\x00", 8);
	ck_assert_uint_eq(kdf_uint(UINT64_MAX, out), 8);
	ck_assert_mem_eq(out, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
}
END_TEST

START_TEST(period_numbers)
{
	uint64_t no, start, end, n;

	/* a deployed vector: NTP 0xEC898DA8 with a period of 16777215 s is period 236 */
	ck_assert_int_eq(period_number(0xEC898DA8ULL, 16777215, 0, &no), 0);
	ck_assert_uint_eq(no, 236);
	ck_assert_int_eq(period_number(100, 10, 5, &no), 0);
	ck_assert_uint_eq(no, 9);
	ck_assert_int_eq(period_number(104, 10, 5, &no), 0);
	ck_assert_uint_eq(no, 9);
	ck_assert_int_eq(period_number(105, 10, 5, &no), 0);
	ck_assert_uint_eq(no, 10);
	ck_assert_int_eq(period_number(5, 10, 5, &no), 0);
	ck_assert_uint_eq(no, 0);
	ck_assert_int_eq(period_number(4, 10, 5, &no), SKM_ERANGE);
	ck_assert_int_eq(period_number(4, 0, 0, &no), SKM_EINVAL);
	ck_assert_int_eq(period_number(UINT64_MAX, 1, 0, &no), 0);
	ck_assert_uint_eq(no, UINT64_MAX);

	ck_assert_int_eq(period_bounds(9, 10, 5, &start, &end), 0);
	ck_assert_uint_eq(start, 95);
	ck_assert_uint_eq(end, 105);
	ck_assert_int_eq(period_bounds(0, 10, 0, &start, &end), 0);
	ck_assert_uint_eq(start, 0);
	ck_assert_uint_eq(end, 10);
	ck_assert_int_eq(period_bounds(1, 0, 0, &start, &end), SKM_EINVAL);
	ck_assert_int_eq(period_bounds(UINT64_MAX, 2, 0, &start, &end), SKM_ERANGE);
	ck_assert_int_eq(period_bounds(UINT64_MAX / 2, 2, 0, &start, &end), SKM_ERANGE);
	ck_assert_int_eq(period_bounds(UINT64_MAX / 2 - 1, 2, 1, &start, &end), 0);
	ck_assert_int_eq(period_bounds(UINT64_MAX / 2 - 1, 2, 2, &start, &end), SKM_ERANGE);
	ck_assert_int_eq(period_bounds(1, 10, UINT64_MAX - 5, &start, &end), SKM_ERANGE);

	/* bounds and numbers agree at both edges */
	for (n = 0; n < 2000; n += 37) {
		ck_assert_int_eq(period_bounds(n, 2592000, 12345, &start, &end), 0);
		ck_assert_int_eq(period_number(start, 2592000, 12345, &no), 0);
		ck_assert_uint_eq(no, n);
		ck_assert_int_eq(period_number(end - 1, 2592000, 12345, &no), 0);
		ck_assert_uint_eq(no, n);
		ck_assert_int_eq(period_number(end, 2592000, 12345, &no), 0);
		ck_assert_uint_eq(no, n + 1);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("uid");
	TCase *tc = tcase_create("uid");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, uid_vector);
	tcase_add_test(tc, uid_refusals);
	tcase_add_test(tc, kdf_uint_encoding);
	tcase_add_test(tc, period_numbers);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
