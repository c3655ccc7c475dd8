/* SPDX-License-Identifier: ISC */
/* src/common: hex framing and error names. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/hex.h"

START_TEST(hex_round_trip)
{
	const uint8_t in[] = { 0x00, 0x0f, 0xa5, 0xff };
	uint8_t out[8];
	char text[16];
	size_t n;

	ck_assert_int_eq(hex_encode(in, sizeof(in), text, sizeof(text), 0), 0);
	ck_assert_str_eq(text, "000fa5ff");
	ck_assert_int_eq(hex_encode(in, sizeof(in), text, sizeof(text), 1), 0);
	ck_assert_str_eq(text, "000FA5FF");
	ck_assert_int_eq(hex_decode("000FA5ff", 8, out, sizeof(out), &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_mem_eq(out, in, 4);
}
END_TEST

START_TEST(hex_rejects)
{
	uint8_t out[2];
	char text[4];
	size_t n;

	ck_assert_int_eq(hex_decode("abc", 3, out, sizeof(out), &n), SKM_EINVAL);
	ck_assert_int_eq(hex_decode("zz", 2, out, sizeof(out), &n), SKM_EINVAL);
	ck_assert_int_eq(hex_decode("0a:b", 4, out, sizeof(out), &n), SKM_EINVAL);
	ck_assert_int_eq(hex_decode("aabbcc", 6, out, sizeof(out), &n), SKM_ELEN);
	ck_assert_int_eq(hex_encode(out, 2, text, sizeof(text), 0), SKM_ELEN);
}
END_TEST

START_TEST(err_names)
{
	ck_assert_str_eq(skm_strerror(SKM_OK), "success");
	ck_assert_str_eq(skm_strerror(SKM_EVERIFY), "verification failed");
	ck_assert_str_eq(skm_strerror(12345), "unknown error");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("common");
	TCase *tc = tcase_create("hex");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, hex_round_trip);
	tcase_add_test(tc, hex_rejects);
	tcase_add_test(tc, err_names);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
