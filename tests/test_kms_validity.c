/* SPDX-License-Identifier: ISC */
/*
 * src/kms validity: which key periods the Root certificate covers (none
 * whose key set would outlive it, none wholly before it), checked against
 * an instant-by-instant reading of the same rule; when its coming end is
 * logged; and derivation refusing a period it does not cover, one by one
 * and in a batch, on a real domain.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/time.h"
#include "kms/kms.h"
#include "store/kek.h"
#include "store/store.h"
#include "store_fixture.h"

#define DAY	86400

struct vcase {
	int64_t from, to, start, end;
	int want;
};

static const struct vcase vcases[] = {
	{ 1000, 5000, 2000, 3000, 0 },			/* wholly inside */
	{ 1000, 5000, 4000, 5000, 0 },			/* ends at ValidTo */
	{ 1000, 5000, 4001, 5001, SKM_ERANGE },		/* one second beyond */
	{ 1000, 5000, 4500, 5500, SKM_ERANGE },		/* straddles ValidTo */
	{ 1000, 5000, 5000, 6000, SKM_ERANGE },		/* starts at ValidTo */
	{ 1000, 5000, 7000, 8000, SKM_ERANGE },		/* wholly after */
	{ 1000, 5000, 500, 1500, 0 },			/* holds ValidFrom */
	{ 1000, 5000, 1000, 2000, 0 },			/* starts at ValidFrom */
	{ 1000, 5000, 0, 1001, 0 },			/* its last second inside */
	{ 1000, 5000, 0, 1000, SKM_ERANGE },		/* ends at ValidFrom */
	{ 1000, 5000, -500, 0, SKM_ERANGE },		/* wholly before */
	{ 1000, 5000, 0, 6000, SKM_ERANGE },		/* longer than the validity */
	{ 1000, 5000, 2000, 2000, SKM_EINVAL },		/* empty */
	{ 1000, 5000, 3000, 2000, SKM_EINVAL },		/* reversed */
	{ -9000, -1000, -2000, -1000, 0 },		/* before 1970 */
};

START_TEST(validity_table)
{
	const struct vcase *c = &vcases[_i];

	ck_assert_int_eq(kms_validity_check(c->from, c->to, c->start, c->end), c->want);
}
END_TEST

/*
 * The rule read instant by instant: a key set's period [start, end) may be
 * issued when every instant of it is before ValidTo (its ValidTo, end, is
 * then no later than the certificate's) and one of them is at or after
 * ValidFrom.
 */
static int
covered(int64_t from, int64_t to, int64_t start, int64_t end)
{
	int64_t t;
	int some = 0;

	for (t = start; t < end; t++) {
		if (t >= to)
			return 0;
		if (t >= from)
			some = 1;
	}
	return some;
}

static void
check_one(int64_t from, int64_t to, int64_t start, int64_t end)
{
	int rc = kms_validity_check(from, to, start, end);

	ck_assert_msg((rc == 0) == covered(from, to, start, end),
	    "from %lld to %lld period [%lld, %lld): %d", (long long)from,
	    (long long)to, (long long)start, (long long)end, rc);
	ck_assert(rc == 0 || rc == SKM_ERANGE);
}

START_TEST(validity_exhaustive)
{
	int64_t from, to, start, end;

	for (from = 0; from < 8; from++)
		for (to = from + 1; to < 10; to++)
			for (start = -2; start < 12; start++)
				for (end = start + 1; end < 13; end++)
					check_one(from, to, start, end);
}
END_TEST

START_TEST(validity_warn)
{
	const int64_t now = 1800000000;

	/* Further away than 90 days: never, whatever the last warning. */
	ck_assert_int_eq(kms_validity_warn_due(now, now + 90 * DAY + 1, 0), 0);
	ck_assert_int_eq(kms_validity_warn_due(now, now + 5 * 365 * DAY, 0), 0);
	ck_assert_int_eq(kms_validity_warn_due(now, now + 91 * DAY, now - 7 * DAY), 0);
	/* From 90 days on: at the first check, then once a day. */
	ck_assert_int_eq(kms_validity_warn_due(now, now + 90 * DAY, 0), 1);
	ck_assert_int_eq(kms_validity_warn_due(now, now + 89 * DAY, 0), 1);
	ck_assert_int_eq(kms_validity_warn_due(now, now + 89 * DAY, now), 0);
	ck_assert_int_eq(kms_validity_warn_due(now, now + 89 * DAY, now - DAY + 1), 0);
	ck_assert_int_eq(kms_validity_warn_due(now, now + 89 * DAY, now - DAY), 1);
	/* Past ValidTo: the same cadence. */
	ck_assert_int_eq(kms_validity_warn_due(now, now - 1, 0), 1);
	ck_assert_int_eq(kms_validity_warn_due(now, now - 1, now - 60), 0);
	ck_assert_int_eq(kms_validity_warn_due(now, now - 1, now - 2 * DAY), 1);
	/* A clock set back below the last warning does not silence it for long. */
	ck_assert_int_eq(kms_validity_warn_due(now, now + DAY, now + 3600), 1);
}
END_TEST

/* A domain of one-day periods (offset 0) valid from from to to, in files tag-*. */
static struct kms *
domain_open(const char *tag, int64_t from, int64_t to)
{
	const char *doms[] = { "example.org" };
	struct kms_domain_params p = {
		.kms_uri = "kms.example.org", .key_period = DAY, .key_offset = 0,
		.valid_from = from, .valid_to = to, .domains = doms, .ndomains = 1,
	};
	struct kek_ref ref;
	struct kek *kek = NULL;
	struct store *st = NULL;
	struct kms *k = NULL;
	char why[256], name[64];

	snprintf(name, sizeof(name), "%s-kek.key", tag);
	ck_assert_int_eq(kek_file_create(fix_path(name)), 0);
	ck_assert_int_eq(kek_file_ref(&ref, fix_path(name)), 0);
	ck_assert_int_eq(kek_load(&ref, NULL, &kek, why, sizeof(why)), 0);
	snprintf(name, sizeof(name), "%s-store", tag);
	ck_assert_int_eq(store_open(fix_path(name), STORE_CREATE, &st), 0);
	ck_assert_int_eq(kms_domain_create(st, &p, &ref, kek, "test", from), 0);
	ck_assert_int_eq(kms_open(st, NULL, NULL, &k, why, sizeof(why)), 0);
	kek_free(kek);
	store_close(st);
	return k;
}

/*
 * Periods are whole NTP days; 1900-01-01 and 1970-01-01 are both midnight,
 * so period n covers [n DAY, (n + 1) DAY) - TIME_NTP_UNIX_OFFSET in Unix
 * seconds. The certificate: from the middle of period N to the middle of
 * period N + 3, so N to N + 2 are covered and N - 1, N + 3 are not.
 */
START_TEST(validity_derive)
{
	const uint64_t n = 25000;
	const int64_t day0 = (int64_t)(n * DAY - TIME_NTP_UNIX_OFFSET);
	const char *uris[2] = { "sip:alice@example.org", "sip:bob@example.org" };
	const size_t lens[2] = { strlen(uris[0]), strlen(uris[1]) };
	struct kms_keyset ks, batch[2];
	int status[2];
	struct kms *k;
	uint64_t p;

	k = domain_open("mid", day0 + DAY / 2, day0 + 3 * DAY + DAY / 2);
	for (p = n - 2; p <= n + 4; p++) {
		int want = p >= n && p <= n + 2 ? 0 : SKM_ERANGE;

		ck_assert_int_eq(kms_validity_period(k, p), want);
		ck_assert_int_eq(kms_keyset_derive(k, uris[0], lens[0], p, &ks), want);
		if (want == 0)
			ck_assert_int_eq(ks.valid_to, day0 + (int64_t)(p - n + 1) * DAY);
		kms_keyset_clear(&ks);
		ck_assert_int_eq(kms_keyset_derive_batch(k, 2, uris, lens, p, batch,
		    status), want);
		if (want == 0)
			ck_assert(status[0] == 0 && status[1] == 0);
		kms_keyset_clear(&batch[0]);
		kms_keyset_clear(&batch[1]);
	}
	kms_free(k);
}
END_TEST

/* A period ending exactly at ValidTo is the last one served. */
START_TEST(validity_derive_edge)
{
	const uint64_t n = 25000;
	const int64_t day0 = (int64_t)(n * DAY - TIME_NTP_UNIX_OFFSET);
	struct kms_keyset ks;
	struct kms *k;

	k = domain_open("edge", day0, day0 + 2 * DAY);
	ck_assert_int_eq(kms_validity_period(k, n - 1), SKM_ERANGE);
	ck_assert_int_eq(kms_validity_period(k, n), 0);
	ck_assert_int_eq(kms_validity_period(k, n + 1), 0);
	ck_assert_int_eq(kms_validity_period(k, n + 2), SKM_ERANGE);
	ck_assert_int_eq(kms_keyset_derive(k, "sip:a@example.org", 17, n + 1, &ks), 0);
	kms_keyset_clear(&ks);
	kms_free(k);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("kms_validity");
	TCase *tc = tcase_create("rule");
	TCase *td = tcase_create("derive");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, validity_table, 0,
	    (int)(sizeof(vcases) / sizeof(vcases[0])));
	tcase_add_test(tc, validity_exhaustive);
	tcase_add_test(tc, validity_warn);
	suite_add_tcase(s, tc);
	tcase_add_unchecked_fixture(td, fix_setup, fix_teardown);
	tcase_add_test(td, validity_derive);
	tcase_add_test(td, validity_derive_edge);
	suite_add_tcase(s, td);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
