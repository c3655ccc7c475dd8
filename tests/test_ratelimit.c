/* SPDX-License-Identifier: ISC */
/* src/server ratelimit: token buckets per identity on an injected clock. */
#include <check.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/siphash.h"
#include "server/ratelimit.h"

#define T0	1000000ULL	/* any start: the module never reads the clock */
#define SEC	1000ULL

static int
take(struct ratelimit *rl, const char *id, uint64_t now, unsigned *retry)
{
	struct ratelimit_verdict v;
	int rc = ratelimit_take(rl, id, strlen(id), now, &v);

	if (retry != NULL)
		*retry = v.retry_after;
	if (rc == 0)
		ck_assert_uint_eq(v.retry_after, 0);
	else
		ck_assert_uint_ge(v.retry_after, 1);
	return rc;
}

/* Requests allowed in a row at now, stopping at limit. */
static unsigned
drain(struct ratelimit *rl, const char *id, uint64_t now, unsigned limit)
{
	unsigned n = 0;

	while (n < limit && take(rl, id, now, NULL) == 0)
		n++;
	return n;
}

/* The example of the SipHash paper (appendix A) and the empty input. */
/* SipHash-2-4 through OpenSSL: the paper's vectors (key 00..0f, message 00..0e). */
static uint64_t
sip(const uint8_t *key, const uint8_t *msg, size_t len)
{
	struct siphash *h;
	uint64_t v;

	ck_assert_int_eq(siphash_new(key, &h), 0);
	ck_assert_int_eq(siphash_sum(h, msg, len, &v), 0);
	siphash_free(h);
	return v;
}

START_TEST(siphash_vectors)
{
	uint8_t key[SIPHASH_KEY_LEN], msg[15];
	size_t i;

	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	ck_assert_uint_eq(sip(key, msg, sizeof(msg)), 0xa129ca6149be45e5ULL);
	ck_assert_uint_eq(sip(key, msg, 0), 0x726fdb47dd0e0e31ULL);
	/* The length is hashed: a prefix, or one more zero octet, differs. */
	ck_assert_uint_ne(sip(key, msg, 1), sip(key, msg, 0));
	key[0] ^= 1;
	ck_assert_uint_ne(sip(key, msg, sizeof(msg)), 0xa129ca6149be45e5ULL);
}
END_TEST

START_TEST(rl_burst_then_refill)
{
	struct ratelimit *rl;
	unsigned retry;

	ck_assert_int_eq(ratelimit_new(1024, 3, 10 * SEC, &rl), 0);
	ck_assert_uint_eq(drain(rl, "sip:a@x", T0, 100), 3);
	ck_assert_int_eq(take(rl, "sip:a@x", T0, &retry), SKM_EBUSY);
	ck_assert_uint_eq(retry, 10);
	/* A refusal costs nothing: the next token is still due at T0 + 10 s. */
	ck_assert_int_eq(take(rl, "sip:a@x", T0 + 4 * SEC, &retry), SKM_EBUSY);
	ck_assert_uint_eq(retry, 6);
	/* Retry-After is rounded up: 1 ms short is a whole second. */
	ck_assert_int_eq(take(rl, "sip:a@x", T0 + 10 * SEC - 1, &retry), SKM_EBUSY);
	ck_assert_uint_eq(retry, 1);
	ck_assert_int_eq(take(rl, "sip:a@x", T0 + 10 * SEC, NULL), 0);
	ck_assert_int_eq(take(rl, "sip:a@x", T0 + 10 * SEC, &retry), SKM_EBUSY);
	ck_assert_uint_eq(retry, 10);
	/* Another identity has its own bucket. */
	ck_assert_uint_eq(drain(rl, "sip:b@x", T0 + 10 * SEC, 100), 3);
	ratelimit_free(rl);
}
END_TEST

/* Refill is exact, fractions of a token included, and stops at the burst. */
START_TEST(rl_refill_math)
{
	struct ratelimit *rl;
	unsigned retry;
	uint64_t i;

	ck_assert_int_eq(ratelimit_new(1024, 3, 10 * SEC, &rl), 0);
	ck_assert_uint_eq(drain(rl, "sip:a@x", T0, 100), 3);
	/* 25 s: two and a half tokens; the half is due 5 s after the second. */
	ck_assert_uint_eq(drain(rl, "sip:a@x", T0 + 25 * SEC, 100), 2);
	ck_assert_int_eq(take(rl, "sip:a@x", T0 + 25 * SEC, &retry), SKM_EBUSY);
	ck_assert_uint_eq(retry, 5);
	ck_assert_int_eq(take(rl, "sip:a@x", T0 + 30 * SEC, NULL), 0);
	/* Emptied, then one request every interval: each served, none more. */
	ck_assert_uint_eq(drain(rl, "sip:c@x", T0, 100), 3);
	for (i = 1; i <= 10; i++) {
		ck_assert_int_eq(take(rl, "sip:c@x", T0 + i * 10 * SEC, NULL), 0);
		ck_assert_int_eq(take(rl, "sip:c@x", T0 + i * 10 * SEC, &retry), SKM_EBUSY);
		ck_assert_uint_eq(retry, 10);
	}
	/* Idle for a year: still no more than the burst. */
	ck_assert_uint_eq(drain(rl, "sip:a@x", T0 + 365 * 86400 * SEC, 100), 3);
	/* 9 s after it was emptied the next token is 1 s away. */
	ck_assert_uint_eq(drain(rl, "sip:d@x", T0 + 40 * SEC, 100), 3);
	ck_assert_int_eq(take(rl, "sip:d@x", T0 + 40 * SEC + 9 * SEC, &retry), SKM_EBUSY);
	ck_assert_uint_eq(retry, 1);
	ratelimit_free(rl);
}
END_TEST

START_TEST(rl_off)
{
	struct ratelimit *rl;
	unsigned i;

	ck_assert_int_eq(ratelimit_new(1024, 0, 0, &rl), 0);
	ck_assert(!ratelimit_enabled(rl));
	for (i = 0; i < 10000; i++)
		ck_assert_int_eq(take(rl, "sip:a@x", T0, NULL), 0);
	/* Turned on by a reload, off again by another. */
	ratelimit_set(rl, 2, 60 * SEC, T0);
	ck_assert(ratelimit_enabled(rl));
	ck_assert_uint_eq(drain(rl, "sip:a@x", T0, 100), 2);
	ratelimit_set(rl, 0, 60 * SEC, T0);
	ck_assert(!ratelimit_enabled(rl));
	ck_assert_uint_eq(drain(rl, "sip:a@x", T0, 100), 100);
	ratelimit_free(rl);
	ck_assert_int_eq(ratelimit_new(0, 2, 1, &rl), SKM_EINVAL);
	ck_assert_int_eq(ratelimit_new(8, 2, 0, &rl), SKM_EINVAL);
}
END_TEST

/* A reload keeps every bucket's share of its burst, refilled at the new rate. */
START_TEST(rl_reload)
{
	struct ratelimit *rl;
	unsigned retry;

	ck_assert_int_eq(ratelimit_new(1024, 2, 3600 * SEC, &rl), 0);
	ck_assert_uint_eq(drain(rl, "sip:a@x", T0, 100), 2);
	ck_assert_uint_eq(drain(rl, "sip:b@x", T0, 1), 1);
	ck_assert_int_eq(take(rl, "sip:a@x", T0, &retry), SKM_EBUSY);
	ck_assert_uint_eq(retry, 3600);
	/* The same limits again change nothing. */
	ratelimit_set(rl, 2, 3600 * SEC, T0 + 600 * SEC);
	ck_assert_int_eq(take(rl, "sip:a@x", T0 + 600 * SEC, &retry), SKM_EBUSY);
	ck_assert_uint_eq(retry, 3000);
	/* A faster refill: a is still empty but refills in seconds. */
	ratelimit_set(rl, 2, 2 * SEC, T0 + 600 * SEC);
	ck_assert_int_eq(take(rl, "sip:a@x", T0 + 600 * SEC, &retry), SKM_EBUSY);
	/* 1/6 of a token refilled at the old rate: 5/6 of 2 s are left. */
	ck_assert_uint_eq(retry, 2);
	ck_assert_int_eq(take(rl, "sip:a@x", T0 + 601 * SEC, NULL), SKM_EBUSY);
	ck_assert_int_eq(take(rl, "sip:a@x", T0 + 602 * SEC, NULL), 0);
	ck_assert_int_eq(take(rl, "sip:a@x", T0 + 602 * SEC, &retry), SKM_EBUSY);
	ck_assert_uint_eq(retry, 2);
	/* b kept its spare token and its debt, rescaled. */
	ck_assert_uint_eq(drain(rl, "sip:b@x", T0 + 600 * SEC, 100), 1);
	/* A lower burst: nobody holds more than the new burst or owes more. */
	ck_assert_uint_eq(drain(rl, "sip:e@x", T0 + 700 * SEC, 100), 2);
	ratelimit_set(rl, 1, 2 * SEC, T0 + 700 * SEC);
	ck_assert_int_eq(take(rl, "sip:e@x", T0 + 700 * SEC, &retry), SKM_EBUSY);
	ck_assert_uint_eq(retry, 2);
	ck_assert_uint_eq(drain(rl, "sip:c@x", T0 + 700 * SEC, 100), 1);
	ck_assert_int_eq(take(rl, "sip:c@x", T0 + 700 * SEC, &retry), SKM_EBUSY);
	ck_assert_uint_eq(retry, 2);
	/* A higher one: c may now use the new room. */
	ratelimit_set(rl, 4, 2 * SEC, T0 + 700 * SEC);
	ck_assert_uint_eq(drain(rl, "sip:c@x", T0 + 700 * SEC, 100), 3);
	ratelimit_free(rl);
}
END_TEST

/*
 * 100,000 identities through a table of 1,024: memory stays what it was
 * at creation, and an identity in debt is not forgiven by others' churn
 * (the fullest bucket of a set goes first).
 */
START_TEST(rl_bounded)
{
	struct ratelimit_verdict v;
	struct ratelimit *rl;
	struct mallinfo2 before, after;
	size_t mem, evicted = 0;
	char id[32];
	unsigned i;

	ck_assert_int_eq(ratelimit_new(1024, 5, 60 * SEC, &rl), 0);
	mem = ratelimit_memory(rl);
	ck_assert_uint_le(mem, 1024 * 16 + 16384);
	ck_assert_uint_eq(drain(rl, "sip:victim@x", T0, 100), 5);
	before = mallinfo2();
	for (i = 0; i < 100000; i++) {
		snprintf(id, sizeof(id), "sip:u%u@x", i);
		ck_assert_int_eq(ratelimit_take(rl, id, strlen(id), T0 + i / 1000, &v), 0);
		evicted += (size_t)v.evicted;
	}
	after = mallinfo2();
	ck_assert_uint_eq(ratelimit_memory(rl), mem);
	ck_assert_uint_eq(after.uordblks, before.uordblks);
	/* Each of them was in debt when it was dropped. */
	ck_assert_uint_ge(evicted, 100000 - 1024);
	ck_assert_int_eq(take(rl, "sip:victim@x", T0 + 100, NULL), SKM_EBUSY);
	/* An identity whose bucket went starts again full, and no fuller. */
	ck_assert_uint_eq(drain(rl, "sip:u0@x", T0 + 200, 100), 5);
	ratelimit_free(rl);
	/* The bound follows the size asked for. */
	ck_assert_int_eq(ratelimit_new(1 << 20, 5, 60 * SEC, &rl), 0);
	ck_assert_uint_ge(ratelimit_memory(rl), (1 << 20) * 16);
	ck_assert_uint_le(ratelimit_memory(rl), (1 << 20) * 16 + 16384);
	ratelimit_free(rl);
}
END_TEST

struct rl_thread {
	struct ratelimit *rl;
	pthread_barrier_t *go;
	unsigned allowed;
};

static void *
rl_thread_run(void *arg)
{
	struct rl_thread *t = arg;
	struct ratelimit_verdict v;
	unsigned i;

	pthread_barrier_wait(t->go);
	for (i = 0; i < 30000; i++)
		if (ratelimit_take(t->rl, "sip:shared@x", 12, T0, &v) == 0)
			t->allowed++;
	return NULL;
}

/*
 * Four threads on one bucket at one instant: exactly the burst gets
 * through. Rounds, each started at a barrier, give the threads more
 * chances to run at once on a busy machine.
 */
START_TEST(rl_threads)
{
	struct rl_thread t[4];
	pthread_barrier_t go;
	pthread_t th[4];
	struct ratelimit *rl;
	unsigned round, i, total;

	ck_assert_int_eq(pthread_barrier_init(&go, NULL, 4), 0);
	for (round = 0; round < 16; round++) {
		ck_assert_int_eq(ratelimit_new(64, 100000, 60 * SEC, &rl), 0);
		for (i = 0; i < 4; i++) {
			t[i].rl = rl;
			t[i].go = &go;
			t[i].allowed = 0;
			ck_assert_int_eq(pthread_create(&th[i], NULL, rl_thread_run, &t[i]),
			    0);
		}
		for (i = 0, total = 0; i < 4; i++) {
			pthread_join(th[i], NULL);
			total += t[i].allowed;
		}
		ck_assert_uint_eq(total, 100000);
		ratelimit_free(rl);
	}
	pthread_barrier_destroy(&go);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ratelimit");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, siphash_vectors);
	tcase_add_test(tc, rl_burst_then_refill);
	tcase_add_test(tc, rl_refill_math);
	tcase_add_test(tc, rl_off);
	tcase_add_test(tc, rl_reload);
	tcase_add_test(tc, rl_bounded);
	tcase_add_test(tc, rl_threads);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
