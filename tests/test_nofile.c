/* SPDX-License-Identifier: ISC */
/*
 * The descriptor budget (server/nofile.c): what max-connections needs, the
 * refusal naming both numbers, descriptors counted as they open and close,
 * and the soft limit raised to the hard one.
 */
#include <check.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/err.h"
#include "server/nofile.h"

START_TEST(nofile_budget)
{
	char why[256] = "";

	/* Served, an eighth answered 503 and one more, one being accepted, the spare. */
	ck_assert_uint_eq(nofile_need(1024, 14), 14 + 1024 + 128 + 2 + NOFILE_SPARE);
	ck_assert_uint_eq(nofile_need(1, 0), 1 + 0 + 2 + NOFILE_SPARE);
	ck_assert_int_eq(nofile_check(1024, 14, 1200, why, sizeof(why)), 0);
	ck_assert_str_eq(why, "");
	ck_assert_int_eq(nofile_check(1024, 14, 1199, why, sizeof(why)), SKM_ERANGE);
	ck_assert_ptr_nonnull(strstr(why,
	    "server.max-connections 1024 needs 1200 file descriptors, the limit is 1199: "));
	ck_assert_ptr_nonnull(strstr(why, "lower server.max-connections"));
}
END_TEST

START_TEST(nofile_counts_and_raises)
{
	struct rlimit rl;
	unsigned long limit = 0;
	unsigned n = nofile_open();
	int fd = open("/dev/null", O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_uint_eq(nofile_open(), n + 1);
	close(fd);
	ck_assert_uint_eq(nofile_open(), n);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_max > 64) {
		rl.rlim_cur = 64;
		ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	}
	ck_assert_int_eq(nofile_raise(&limit), 0);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	ck_assert(rl.rlim_cur == rl.rlim_max);
	ck_assert(limit == (unsigned long)rl.rlim_cur);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("nofile");
	TCase *tc = tcase_create("nofile");
	SRunner *sr;
	int nfail;

	tcase_add_test(tc, nofile_budget);
	tcase_add_test(tc, nofile_counts_and_raises);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? 0 : 1;
}
