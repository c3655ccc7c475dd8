/* SPDX-License-Identifier: ISC */
/* src/common: hex framing, error names and reasons, option matching. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/be.h"
#include "common/cli.h"
#include "common/dec.h"
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

/* Every octet in both cases, against the C library's formatting. */
/*
 * Every octet in every position of a four-octet word (the encoder works a
 * word at a time), and every length of the octet-by-octet tail.
 */
START_TEST(hex_every_octet)
{
	uint8_t in[256 + 3];
	char text[2 * sizeof(in) + 1], want[3];
	size_t shift, len, i;
	int upper;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i - 3);
	for (upper = 0; upper < 2; upper++)
		for (shift = 0; shift < 4; shift++)
			for (len = 256 - 4; len <= sizeof(in) - shift; len++) {
				memset(text, '#', sizeof(text));
				ck_assert_int_eq(hex_encode(in + shift, len, text,
				    2 * len + 1, upper), 0);
				ck_assert_uint_eq(strlen(text), 2 * len);
				for (i = 0; i < len; i++) {
					snprintf(want, sizeof(want), upper ? "%02X" : "%02x",
					    (unsigned)in[shift + i]);
					ck_assert_mem_eq(text + 2 * i, want, 2);
				}
			}
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

/* Big-endian fields of every width, against octets written out by hand. */
START_TEST(be_widths)
{
	const uint8_t want[8] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };
	uint8_t p[9];
	size_t n;

	for (n = 1; n <= 8; n++) {
		uint64_t v = 0x0123456789abcdefULL >> (8 * (8 - n));

		memset(p, 0xee, sizeof(p));
		be_put(p, v, n);
		ck_assert_mem_eq(p, want, n);
		ck_assert_uint_eq(p[n], 0xee);
		ck_assert_uint_eq(be_get(p, n), v);
	}
	/* Only the low n octets are written. */
	be_put(p, 0xffffffffffff0102ULL, 2);
	ck_assert_uint_eq(be_get(p, 2), 0x0102);
}
END_TEST

START_TEST(dec_values)
{
	static const struct { uint64_t v; const char *s; } t[] = {
		{ 0, "0" }, { 7, "7" }, { 10, "10" }, { 200, "200" }, { 1827, "1827" },
		{ 4294967296ULL, "4294967296" },
		{ 18446744073709551615ULL, "18446744073709551615" },
	};
	char out[DEC_U64_LEN];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_uint_eq(dec_u64(t[i].v, out), strlen(t[i].s));
		ck_assert_str_eq(out, t[i].s);
	}
}
END_TEST

START_TEST(err_names)
{
	ck_assert_str_eq(skm_strerror(SKM_OK), "success");
	ck_assert_str_eq(skm_strerror(SKM_EVERIFY), "verification failed");
	ck_assert_str_eq(skm_strerror(12345), "unknown error");
}
END_TEST

START_TEST(err_why)
{
	char why[8];

	ck_assert_int_eq(skm_why(why, sizeof(why), SKM_EPARSE, "n=%d", 42), SKM_EPARSE);
	ck_assert_str_eq(why, "n=42");
	ck_assert_int_eq(skm_why(why, sizeof(why), SKM_ELEN, "%s", "truncated here"), SKM_ELEN);
	ck_assert_str_eq(why, "truncat");
	why[0] = 'x';
	ck_assert_int_eq(skm_why(why, 0, SKM_EIO, "unused"), SKM_EIO);
	ck_assert_int_eq(why[0], 'x');
	ck_assert_int_eq(skm_why(NULL, 16, SKM_EINVAL, "unused"), SKM_EINVAL);
}
END_TEST

START_TEST(cli_match)
{
	char *argv[] = { "prog", "--as=alice", "--as", "bob", "--ask", "--as" };
	const char *v;
	int i;

	i = 1;
	ck_assert_int_eq(cli_match_opt("--as", 6, argv, &i, &v), 1);
	ck_assert_str_eq(v, "alice");
	ck_assert_int_eq(i, 1);
	i = 2;
	ck_assert_int_eq(cli_match_opt("--as", 6, argv, &i, &v), 1);
	ck_assert_str_eq(v, "bob");
	ck_assert_int_eq(i, 3);
	i = 4;
	v = "unchanged";
	ck_assert_int_eq(cli_match_opt("--as", 6, argv, &i, &v), 0);
	ck_assert_str_eq(v, "unchanged");
	ck_assert_int_eq(i, 4);
	i = 5;
	ck_assert_int_eq(cli_match_opt("--as", 6, argv, &i, &v), 1);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(i, 5);
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
	tcase_add_test(tc, hex_every_octet);
	tcase_add_test(tc, hex_rejects);
	tcase_add_test(tc, be_widths);
	tcase_add_test(tc, dec_values);
	tcase_add_test(tc, err_names);
	tcase_add_test(tc, err_why);
	tcase_add_test(tc, cli_match);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
