/* SPDX-License-Identifier: ISC */
/* src/server cache: sealed key sets, keys by (URI, period), LRU bound. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "server/cache.h"

static void
fill(struct kms_keyset *ks, uint64_t period_no, uint8_t seed)
{
	memset(ks, 0, sizeof(*ks));
	memset(ks->uid, seed, sizeof(ks->uid));
	memset(ks->rsk, seed ^ 0x5a, sizeof(ks->rsk));
	memset(ks->ssk, seed ^ 0xa5, sizeof(ks->ssk));
	memset(ks->pvt, seed ^ 0x3c, sizeof(ks->pvt));
	ks->period_no = period_no;
	ks->valid_from = (int64_t)period_no * 60;
	ks->valid_to = (int64_t)period_no * 60 + 60;
}

START_TEST(cache_round_trip)
{
	struct kms_keyset in, out;
	struct cache *c;

	ck_assert_int_eq(cache_new(4, &c), 0);
	fill(&in, 7, 1);
	ck_assert_int_eq(cache_get(c, "sip:a@x", 7, 7, &out), SKM_ENOTFOUND);
	ck_assert_int_eq(cache_put(c, "sip:a@x", 7, &in), 0);
	ck_assert_int_eq(cache_has(c, "sip:a@x", 7, 7), 1);
	ck_assert_int_eq(cache_get(c, "sip:a@x", 7, 7, &out), 0);
	ck_assert_mem_eq(&in, &out, sizeof(in));
	/* Another period, a prefix or another spelling of the URI is another key. */
	ck_assert_int_eq(cache_get(c, "sip:a@x", 7, 8, &out), SKM_ENOTFOUND);
	ck_assert_int_eq(cache_get(c, "sip:a@x", 6, 7, &out), SKM_ENOTFOUND);
	ck_assert_int_eq(cache_get(c, "sip:A@x", 7, 7, &out), SKM_ENOTFOUND);
	ck_assert_uint_eq(cache_count(c), 1);
	/* Replacing keeps one entry with the new contents. */
	fill(&in, 7, 2);
	ck_assert_int_eq(cache_put(c, "sip:a@x", 7, &in), 0);
	ck_assert_uint_eq(cache_count(c), 1);
	ck_assert_int_eq(cache_get(c, "sip:a@x", 7, 7, &out), 0);
	ck_assert_mem_eq(&in, &out, sizeof(in));
	cache_free(c);
}
END_TEST

static int
gen_stale(void *arg, uint64_t period_no, uint32_t gen)
{
	(void)arg;
	/* From period 8 on, generation 1 is the period's own. */
	return period_no >= 8 && gen != 1;
}

START_TEST(cache_drop_stale)
{
	struct kms_keyset in, out;
	struct cache *c;

	ck_assert_int_eq(cache_new(8, &c), 0);
	fill(&in, 7, 1);
	ck_assert_int_eq(cache_put(c, "sip:a@x", 7, &in), 0);
	fill(&in, 8, 2);
	ck_assert_int_eq(cache_put(c, "sip:a@x", 7, &in), 0);
	fill(&in, 9, 3);
	ck_assert_int_eq(cache_put(c, "sip:a@x", 7, &in), 0);
	fill(&in, 9, 4);
	in.gen = 1;
	ck_assert_int_eq(cache_put(c, "sip:b@x", 7, &in), 0);
	ck_assert_uint_eq(cache_drop(c, gen_stale, NULL), 2);
	ck_assert_uint_eq(cache_count(c), 2);
	ck_assert_int_eq(cache_get(c, "sip:a@x", 7, 7, &out), 0);
	ck_assert_int_eq(cache_has(c, "sip:a@x", 7, 8), 0);
	ck_assert_int_eq(cache_has(c, "sip:a@x", 7, 9), 0);
	ck_assert_int_eq(cache_get(c, "sip:b@x", 7, 9, &out), 0);
	ck_assert_mem_eq(&in, &out, sizeof(in));
	ck_assert_uint_eq(cache_drop(c, gen_stale, NULL), 0);
	cache_free(c);
}
END_TEST

START_TEST(cache_lru)
{
	struct kms_keyset in, out;
	struct cache *c;
	char uri[32];
	int i;

	ck_assert_int_eq(cache_new(3, &c), 0);
	for (i = 0; i < 3; i++) {
		snprintf(uri, sizeof(uri), "sip:u%d@x", i);
		fill(&in, 100, (uint8_t)i);
		ck_assert_int_eq(cache_put(c, uri, strlen(uri), &in), 0);
	}
	/* u0 used: u1 is now the least recently used and goes first. */
	ck_assert_int_eq(cache_get(c, "sip:u0@x", 8, 100, &out), 0);
	fill(&in, 100, 9);
	ck_assert_int_eq(cache_put(c, "sip:u3@x", 8, &in), 0);
	ck_assert_uint_eq(cache_count(c), 3);
	ck_assert_int_eq(cache_has(c, "sip:u1@x", 8, 100), 0);
	ck_assert_int_eq(cache_has(c, "sip:u0@x", 8, 100), 1);
	ck_assert_int_eq(cache_has(c, "sip:u2@x", 8, 100), 1);
	ck_assert_int_eq(cache_has(c, "sip:u3@x", 8, 100), 1);
	/* cache_has does not refresh: u2 goes next. */
	ck_assert_int_eq(cache_put(c, "sip:u4@x", 8, &in), 0);
	ck_assert_int_eq(cache_has(c, "sip:u2@x", 8, 100), 0);
	ck_assert_uint_eq(cache_count(c), 3);
	cache_free(c);
}
END_TEST

START_TEST(cache_disabled)
{
	struct kms_keyset in, out;
	struct cache *c;

	ck_assert_int_eq(cache_new(0, &c), 0);
	fill(&in, 1, 1);
	ck_assert_int_eq(cache_put(c, "sip:a@x", 7, &in), 0);
	ck_assert_int_eq(cache_get(c, "sip:a@x", 7, 1, &out), SKM_ENOTFOUND);
	ck_assert_uint_eq(cache_count(c), 0);
	cache_free(c);
	cache_free(NULL);
}
END_TEST

/* Many entries in few buckets' worth: lookups stay exact after churn. */
START_TEST(cache_churn)
{
	struct kms_keyset in, out;
	struct cache *c;
	char uri[32];
	int i;

	ck_assert_int_eq(cache_new(500, &c), 0);
	for (i = 0; i < 2000; i++) {
		snprintf(uri, sizeof(uri), "sip:u%d@x", i);
		fill(&in, (uint64_t)(i % 3), (uint8_t)i);
		ck_assert_int_eq(cache_put(c, uri, strlen(uri), &in), 0);
	}
	ck_assert_uint_eq(cache_count(c), 500);
	for (i = 0; i < 2000; i++) {
		snprintf(uri, sizeof(uri), "sip:u%d@x", i);
		fill(&in, (uint64_t)(i % 3), (uint8_t)i);
		if (i < 1500) {
			ck_assert_int_eq(cache_has(c, uri, strlen(uri), (uint64_t)(i % 3)), 0);
			continue;
		}
		ck_assert_int_eq(cache_get(c, uri, strlen(uri), (uint64_t)(i % 3), &out), 0);
		ck_assert_mem_eq(&in, &out, sizeof(in));
	}
	cache_free(c);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("cache");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, cache_round_trip);
	tcase_add_test(tc, cache_lru);
	tcase_add_test(tc, cache_drop_stale);
	tcase_add_test(tc, cache_disabled);
	tcase_add_test(tc, cache_churn);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
