/* SPDX-License-Identifier: ISC */
/* src/server precompute: when a run for the next key period may start. */
#include <check.h>
#include <stdint.h>

#include "server/precompute.h"

/* Period 1000 of 120 s ends at END; the lead time is 73 s. */
#define END	120120LL

START_TEST(due_before_boundary)
{
	/* Not done yet: lead seconds before the end of the current period. */
	ck_assert_int_eq(precompute_due(0, 1000, END, 73), END - 73);
	ck_assert_int_eq(precompute_due(1000, 1000, END, 73), END - 73);
	/* A lead of a whole period or more: at once. */
	ck_assert_int_le(precompute_due(1000, 1000, END, 120), END - 120);
	ck_assert_int_eq(precompute_due(1000, 1000, END, 0), END);
}
END_TEST

/*
 * Done for period 1001: wake just after the boundary. At that wake-up the
 * current period is 1001, and the run for 1002 is due 73 s before its end,
 * not at once: the storm at the boundary keeps the cache and the workers.
 */
START_TEST(due_after_boundary)
{
	int64_t wake = precompute_due(1001, 1000, END, 73);

	ck_assert_int_eq(wake, END + 1);
	ck_assert_int_eq(precompute_due(1001, 1001, END + 120, 73), END + 120 - 73);
	ck_assert_int_gt(precompute_due(1001, 1001, END + 120, 73), wake);
	/* A lead as long as the period still runs right after the boundary. */
	ck_assert_int_le(precompute_due(1001, 1001, END + 120, 120), wake);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("precompute");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, due_before_boundary);
	tcase_add_test(tc, due_after_boundary);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
