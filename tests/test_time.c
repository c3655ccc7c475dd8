/* SPDX-License-Identifier: ISC */
/*
 * src/common/time: ISO 8601 parsing (accepted forms and refusals),
 * formatting, calendar round trips and the NTP epoch shift.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/time.h"

static const struct {
	const char *text;
	int64_t unix_s;
} good[] = {
	{ "2026-11-27T20:44:11Z", 1795812251 },
	{ "2026-11-27T20:44:11.999Z", 1795812251 },
	{ "2026-11-27T20:44:11+00:00", 1795812251 },
	{ "2026-11-27T20:44:11.5+00:00", 1795812251 },
	{ "@1795812251", 1795812251 },
	{ "1970-01-01", 0 },
	{ "1970-01-01T00:00:00Z", 0 },
	{ "@0", 0 },
	{ "@-1", -1 },
	{ "2000-02-29", 951782400 },
	{ "2014-02-23T08:39:14Z", 1393144754 },
	{ "1900-01-01T00:00:00Z", -2208988800LL },
	{ "1969-12-31T23:59:59Z", -1 },
	{ "9999-12-31T23:59:59Z", 2932896LL * 86400 + 86399 },
	{ "0000-01-01", -719528LL * 86400 },
	{ "@9223372036854775807", INT64_MAX },
	{ "@-9223372036854775808", INT64_MIN },
};

static const char *const bad[] = {
	"", "@", "@-", "@12a", "@ 1", "@+1", "@9223372036854775808",
	"@-9223372036854775809", "2026-13-01", "2026-00-10", "2026-02-30",
	"2025-02-29", "1900-02-29", "2026-04-31", "2026-01-00", "2026-01-32",
	"2026-11-27T24:00:00Z", "2026-11-27T23:60:00Z", "2026-11-27T23:59:60Z",
	"2026-11-27T20:44:11", "2026-11-27T20:44:11+01:00", "2026-11-27T20:44:11-00:00",
	"2026-11-27T20:44:11z", "2026-11-27t20:44:11Z", "2026-11-27 20:44:11Z",
	"2026-11-27T20:44:11Zjunk", "2026-11-27T20:44:11.Z", "2026-11-27T20:44Z",
	"2026-11-27x", "2026-11-27T", "26-11-27", "2026-1-27", "+2026-11-27",
	"2026-11-27T20:44:11+00:00 ", " 2026-11-27", "tomorrow",
};

START_TEST(parse_good)
{
	int64_t t;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		t = 42;
		ck_assert_msg(time_parse(good[i].text, &t) == 0, "refused %s", good[i].text);
		ck_assert_msg(t == good[i].unix_s, "%s: %lld", good[i].text, (long long)t);
	}
}
END_TEST

START_TEST(parse_bad)
{
	int64_t t = 42;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(time_parse(bad[i], &t) == SKM_EINVAL, "accepted '%s'", bad[i]);
	ck_assert_int_eq(time_parse(NULL, &t), SKM_EINVAL);
	ck_assert_int_eq(t, 42);
}
END_TEST

START_TEST(format_round_trip)
{
	char buf[TIME_TEXT_LEN];
	int64_t t, back;

	ck_assert_int_eq(time_format(1795812251, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "2026-11-27T20:44:11Z");
	ck_assert_int_eq(time_format(-1, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "1969-12-31T23:59:59Z");
	ck_assert_int_eq(time_format(951782400, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "2000-02-29T00:00:00Z");
	/* every day (at a drifting time of day) from 1899 to 2101 ... */
	for (t = -2211667200LL; t < 4133980800LL; t += 86400 - 7) {
		ck_assert_int_eq(time_format(t, buf, sizeof(buf)), 0);
		ck_assert_int_eq(time_parse(buf, &back), 0);
		ck_assert_msg(back == t, "%s: %lld != %lld", buf, (long long)back, (long long)t);
	}
	/* ... and every 97th day over the whole range of four-digit years */
	for (t = -719528LL * 86400; t < 2932897LL * 86400; t += 97 * 86400 + 13) {
		ck_assert_int_eq(time_format(t, buf, sizeof(buf)), 0);
		ck_assert_int_eq(time_parse(buf, &back), 0);
		ck_assert_msg(back == t, "%s: %lld != %lld", buf, (long long)back, (long long)t);
	}
	ck_assert_int_eq(time_format(0, buf, TIME_TEXT_LEN - 1), SKM_ELEN);
	ck_assert_int_eq(time_format(2932897LL * 86400, buf, sizeof(buf)), SKM_ERANGE);
	ck_assert_int_eq(time_format(-719529LL * 86400, buf, sizeof(buf)), SKM_ERANGE);
	ck_assert_int_eq(time_format(INT64_MIN, buf, sizeof(buf)), SKM_ERANGE);
	ck_assert_int_eq(time_format(INT64_MAX, buf, sizeof(buf)), SKM_ERANGE);
}
END_TEST

START_TEST(ntp_shift)
{
	uint64_t ntp;

	/* TS 33.179 D.2 example: 23 Feb 2014 08:39:14 UTC is NTP 0xD6B43232 */
	ck_assert_uint_eq(time_unix_to_ntp(1393144754), 0xD6B43232ULL);
	ck_assert_int_eq(time_ntp_to_unix(0xD6B43232ULL), 1393144754);
	ck_assert_uint_eq(time_unix_to_ntp(-2208988800LL), 0);
	ck_assert_int_eq(time_unix_to_ntp_checked(-2208988800LL, &ntp), 0);
	ck_assert_uint_eq(ntp, 0);
	ck_assert_int_eq(time_unix_to_ntp_checked(-2208988801LL, &ntp), SKM_ERANGE);
	ck_assert_int_eq(time_unix_to_ntp_checked(INT64_MIN, &ntp), SKM_ERANGE);
	ck_assert_uint_eq(time_unix_to_ntp(INT64_MIN), 0);
	ck_assert_int_eq(time_unix_to_ntp_checked(INT64_MAX, &ntp), 0);
	ck_assert_uint_eq(ntp, (uint64_t)INT64_MAX + 2208988800ULL);
	ck_assert_int_eq(time_ntp_to_unix(0), -2208988800LL);
	ck_assert_int_eq(time_ntp_to_unix(UINT64_MAX), INT64_MAX);
	ck_assert_int_eq(time_ntp_to_unix((uint64_t)INT64_MAX + 2208988800ULL), INT64_MAX);
}
END_TEST

/* A 32-bit NTP seconds field read in the era nearest a reference time (RFC 5905 6). */
START_TEST(ntp32_era)
{
	const uint64_t era1 = 0x100000000ULL;
	int64_t y2035, y2037, wrap;

	ck_assert_int_eq(time_parse("2035-06-01T00:00:00Z", &y2035), 0);
	ck_assert_int_eq(time_parse("2037-06-01T00:00:00Z", &y2037), 0);
	ck_assert_int_eq(time_parse("2036-02-07T06:28:16Z", &wrap), 0);
	ck_assert_uint_eq(time_unix_to_ntp(wrap), era1);
	/* values on either side of the wrap, from a reference on either side */
	ck_assert_uint_eq(time_ntp32_near(0xffffff00U, y2035), 0xffffff00ULL);
	ck_assert_uint_eq(time_ntp32_near(0x00000100U, y2035), era1 + 0x100);
	ck_assert_uint_eq(time_ntp32_near(0xffffff00U, y2037), 0xffffff00ULL);
	ck_assert_uint_eq(time_ntp32_near(0x00000100U, y2037), era1 + 0x100);
	ck_assert_uint_eq(time_ntp32_near(0xffffffffU, wrap), era1 - 1);
	ck_assert_uint_eq(time_ntp32_near(0, wrap), era1);
	ck_assert_uint_eq(time_ntp32_near(0, wrap - 1), era1);
	/* 2036-03-01 12:00:00 sent in 32 bits and read in 2036 */
	ck_assert_int_eq(time_ntp_to_unix(time_ntp32_near((uint32_t)time_unix_to_ntp(
	    2087985600), 2087985600 + 300)), 2087985600);
	/* the TS 33.179 D.2 example stays in 2014 when read now or in 2040 */
	ck_assert_uint_eq(time_ntp32_near(0xD6B43232U, 1764547200), 0xD6B43232ULL);
	ck_assert_uint_eq(time_ntp32_near(0xD6B43232U, 2208988800LL), 0xD6B43232ULL);
	/* the same second read from exactly the reference */
	ck_assert_uint_eq(time_ntp32_near((uint32_t)time_unix_to_ntp(y2037), y2037),
	    time_unix_to_ntp(y2037));
	/* the farthest either way: 2^31 - 1 ahead, 2^31 behind */
	ck_assert_uint_eq(time_ntp32_near((uint32_t)(time_unix_to_ntp(y2037) + 0x7fffffff),
	    y2037), time_unix_to_ntp(y2037) + 0x7fffffff);
	ck_assert_uint_eq(time_ntp32_near((uint32_t)(time_unix_to_ntp(y2037) - 0x80000000U),
	    y2037), time_unix_to_ntp(y2037) - 0x80000000U);
	/* never before 1900, whatever the reference */
	ck_assert_uint_eq(time_ntp32_near(0xffffffffU, -2208988800LL), 0xffffffffULL);
	ck_assert_uint_eq(time_ntp32_near(5, INT64_MIN), 5);
	ck_assert_uint_eq(time_ntp32_near(0x90000000U, 0), 0x90000000ULL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("time");
	TCase *tc = tcase_create("time");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, parse_good);
	tcase_add_test(tc, parse_bad);
	tcase_add_test(tc, format_round_trip);
	tcase_add_test(tc, ntp_shift);
	tcase_add_test(tc, ntp32_era);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
