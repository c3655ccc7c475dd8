/* SPDX-License-Identifier: ISC */
/*
 * identity_state(), identity_state_period() and identity_state_issue():
 * table-driven, every boundary (one second before, at, one second after
 * each timestamp), and brute force over a small time line.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/err.h"
#include "store/identity_state.h"

#define NY	IDENTITY_NOT_YET_VALID
#define AC	IDENTITY_ACTIVE
#define EX	IDENTITY_EXPIRED
#define RV	IDENTITY_REVOKED

static const struct state_case {
	int64_t from, to, revoked, now;
	enum identity_state want;
} state_cases[] = {
	/* Unbounded validity, never revoked. */
	{ 0, 0, 0, 0, AC },
	{ 0, 0, 0, INT64_MAX, AC },
	{ 0, 0, 0, -1, NY },
	/* [100, 200): before, at and after each end. */
	{ 100, 200, 0, 99, NY },
	{ 100, 200, 0, 100, AC },
	{ 100, 200, 0, 101, AC },
	{ 100, 200, 0, 199, AC },
	{ 100, 200, 0, 200, EX },
	{ 100, 200, 0, 201, EX },
	/* Open end. */
	{ 100, 0, 0, 99, NY },
	{ 100, 0, 0, 100, AC },
	{ 100, 0, 0, INT64_MAX, AC },
	/* Revoked inside the window, from 150 on. */
	{ 100, 200, 150, 99, NY },
	{ 100, 200, 150, 100, AC },
	{ 100, 200, 150, 149, AC },
	{ 100, 200, 150, 150, RV },
	{ 100, 200, 150, 151, RV },
	{ 100, 200, 150, 200, RV },
	{ 100, 200, 150, 1000, RV },
	/* Revoked before validity starts: revocation wins once it applies. */
	{ 100, 200, 50, 49, NY },
	{ 100, 200, 50, 50, RV },
	{ 100, 200, 50, 100, RV },
	/* Revoked after expiry. */
	{ 100, 200, 300, 250, EX },
	{ 100, 200, 300, 299, EX },
	{ 100, 200, 300, 300, RV },
	/* Revoked at validity start. */
	{ 100, 200, 100, 99, NY },
	{ 100, 200, 100, 100, RV },
	/* Empty window [100, 100). */
	{ 100, 100, 0, 99, NY },
	{ 100, 100, 0, 100, EX },
	/* Unbounded, revoked. */
	{ 0, 0, 1, 0, AC },
	{ 0, 0, 1, 1, RV },
};

START_TEST(state_table)
{
	const struct state_case *c = &state_cases[_i];
	struct identity_rec r = { 0 };

	r.valid_from = c->from;
	r.valid_to = c->to;
	r.revoked_at = c->revoked;
	ck_assert_msg(identity_state(&r, c->now) == c->want,
	    "case %d: from %lld to %lld revoked %lld now %lld: got %s want %s",
	    _i, (long long)c->from, (long long)c->to, (long long)c->revoked,
	    (long long)c->now, identity_state_name(identity_state(&r, c->now)),
	    identity_state_name(c->want));
}
END_TEST

START_TEST(state_names)
{
	ck_assert_str_eq(identity_state_name(NY), "not-yet-valid");
	ck_assert_str_eq(identity_state_name(AC), "active");
	ck_assert_str_eq(identity_state_name(EX), "expired");
	ck_assert_str_eq(identity_state_name(RV), "revoked");
	ck_assert_str_eq(identity_state_name((enum identity_state)9), "unknown");
}
END_TEST

/* Period [1000, 2000) against validity and revocation times. */
static const struct period_case {
	int64_t from, to, revoked;
	int period_revoked;
	int64_t start, end;
	int want;
} period_cases[] = {
	{ 0, 0, 0, 0, 1000, 2000, 0 },
	/* Validity meeting the period at one end or the other. */
	{ 0, 1000, 0, 0, 1000, 2000, SKM_ESTATE },
	{ 0, 1001, 0, 0, 1000, 2000, 0 },
	{ 1999, 0, 0, 0, 1000, 2000, 0 },
	{ 2000, 0, 0, 0, 1000, 2000, SKM_ESTATE },
	{ 2001, 3000, 0, 0, 1000, 2000, SKM_ESTATE },
	{ 1200, 1300, 0, 0, 1000, 2000, 0 },
	{ 500, 2500, 0, 0, 1000, 2000, 0 },
	{ 0, 999, 0, 0, 1000, 2000, SKM_ESTATE },
	/* Whole revocation: from before the end withholds the period. */
	{ 0, 0, 1999, 0, 1000, 2000, SKM_EREVOKED },
	{ 0, 0, 2000, 0, 1000, 2000, 0 },
	{ 0, 0, 2001, 0, 1000, 2000, 0 },
	{ 0, 0, 1000, 0, 1000, 2000, SKM_EREVOKED },
	{ 0, 0, 10, 0, 1000, 2000, SKM_EREVOKED },
	/* A revoked period. */
	{ 0, 0, 0, 1, 1000, 2000, SKM_EREVOKED },
	{ 2000, 0, 0, 1, 1000, 2000, SKM_EREVOKED },
	/* Revocation outranks validity. */
	{ 3000, 0, 1500, 0, 1000, 2000, SKM_EREVOKED },
	/* An empty period is a caller error. */
	{ 0, 0, 0, 0, 2000, 2000, SKM_EINVAL },
	{ 0, 0, 0, 0, 2000, 1000, SKM_EINVAL },
	/* An empty validity window never meets anything. */
	{ 1500, 1500, 0, 0, 1000, 2000, SKM_ESTATE },
	{ 1500, 1400, 0, 0, 1000, 2000, SKM_ESTATE },
};

START_TEST(period_table)
{
	const struct period_case *c = &period_cases[_i];
	struct identity_rec r = { 0 };
	int got;

	r.valid_from = c->from;
	r.valid_to = c->to;
	r.revoked_at = c->revoked;
	got = identity_state_period(&r, c->start, c->end, c->period_revoked);
	ck_assert_msg(got == c->want, "case %d: got %d want %d", _i, got, c->want);
}
END_TEST

/* What the server may issue: period [1000, 2000) asked for at now. */
static const struct issue_case {
	int64_t from, to, revoked;
	int period_revoked;
	int64_t now;
	int want;
} issue_cases[] = {
	/* Never revoked: the period rule alone, whenever asked. */
	{ 0, 0, 0, 0, 500, 0 },
	{ 0, 0, 0, 0, 1500, 0 },
	{ 0, 0, 0, 0, 2500, 0 },
	{ 0, 0, 0, 1, 2500, SKM_EREVOKED },
	{ 2000, 0, 0, 0, 2500, SKM_ESTATE },
	/* Revoked at 2500, after the period ended: a past period until then only. */
	{ 0, 0, 2500, 0, 1500, 0 },
	{ 0, 0, 2500, 0, 2499, 0 },
	{ 0, 0, 2500, 0, 2500, SKM_EREVOKED },
	{ 0, 0, 2500, 0, 2501, SKM_EREVOKED },
	{ 0, 0, 2500, 0, INT64_MAX, SKM_EREVOKED },
	/* Revoked at the period's end. */
	{ 0, 0, 2000, 0, 1999, 0 },
	{ 0, 0, 2000, 0, 2000, SKM_EREVOKED },
	/* Revoked inside or before the period: withheld even before the revocation. */
	{ 0, 0, 1999, 0, 500, SKM_EREVOKED },
	{ 0, 0, 1500, 0, 1500, SKM_EREVOKED },
	{ 0, 0, 10, 0, 5, SKM_EREVOKED },
	/* Revocation outranks validity once it applies. */
	{ 0, 1500, 2500, 0, 2600, SKM_EREVOKED },
	{ 3000, 0, 2500, 0, 2600, SKM_EREVOKED },
	{ 3000, 0, 2500, 0, 2400, SKM_ESTATE },
	/* A future period asked for after the revocation. */
	{ 0, 0, 500, 0, 600, SKM_EREVOKED },
};

START_TEST(issue_table)
{
	const struct issue_case *c = &issue_cases[_i];
	struct identity_rec r = { 0 };
	int got;

	r.valid_from = c->from;
	r.valid_to = c->to;
	r.revoked_at = c->revoked;
	got = identity_state_issue(&r, 1000, 2000, c->period_revoked, c->now);
	ck_assert_msg(got == c->want, "case %d: got %d want %d", _i, got, c->want);
}
END_TEST

START_TEST(issue_empty_period)
{
	struct identity_rec r = { 0 };

	r.revoked_at = 1;
	ck_assert_int_eq(identity_state_issue(&r, 2000, 2000, 0, 5), SKM_EINVAL);
	ck_assert_int_eq(identity_state_issue(&r, 2000, 1000, 0, 5), SKM_EINVAL);
}
END_TEST

/* Inside [valid_from, valid_to) at t, ignoring revocation. */
static int
in_window(const struct identity_rec *r, int64_t t)
{
	return t >= r->valid_from && (r->valid_to == 0 || t < r->valid_to);
}

/*
 * Every combination on a small time line, against definitions written
 * from the other side: a period is allowed iff some second of it lies in
 * the window and no revocation (of the identity or the period) touches it.
 */
START_TEST(brute_force)
{
	struct identity_rec r = { 0 };
	int64_t from, to, rv, now, start, end, t;
	enum identity_state want;
	int pr, any, want_p;

	for (from = 0; from <= 5; from++)
		for (to = 0; to <= 6; to++)
			for (rv = 0; rv <= 6; rv++) {
				r.valid_from = from;
				r.valid_to = to;
				r.revoked_at = rv;
				for (now = -1; now <= 8; now++) {
					if (rv != 0 && now >= rv)
						want = RV;
					else if (in_window(&r, now))
						want = AC;
					else if (now < from)
						want = NY;
					else
						want = EX;
					ck_assert_int_eq(identity_state(&r, now), want);
				}
				for (start = 0; start <= 6; start++)
					for (end = start + 1; end <= 7; end++)
						for (pr = 0; pr <= 1; pr++) {
					any = 0;
					for (t = start; t < end; t++)
						any |= in_window(&r, t);
					if (pr || (rv != 0 && rv < end))
						want_p = SKM_EREVOKED;
					else
						want_p = any ? 0 : SKM_ESTATE;
					ck_assert_int_eq(identity_state_period(&r, start,
					    end, pr), want_p);
					/*
					 * The server: nothing at all from the
					 * revocation on, else the period rule.
					 */
					for (now = -1; now <= 8; now++)
						ck_assert_int_eq(identity_state_issue(&r,
						    start, end, pr, now), rv != 0 &&
						    now >= rv ? SKM_EREVOKED : want_p);
				}
			}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("identity_state");
	TCase *tc = tcase_create("state");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, state_table, 0,
	    (int)(sizeof(state_cases) / sizeof(state_cases[0])));
	tcase_add_test(tc, state_names);
	tcase_add_test(tc, brute_force);
	tcase_add_loop_test(tc, period_table, 0,
	    (int)(sizeof(period_cases) / sizeof(period_cases[0])));
	tcase_add_loop_test(tc, issue_table, 0,
	    (int)(sizeof(issue_cases) / sizeof(issue_cases[0])));
	tcase_add_test(tc, issue_empty_period);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
