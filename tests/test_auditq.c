/* SPDX-License-Identifier: ISC */
/*
 * src/server/auditq: the group delay of the audit writer, against a real
 * LMDB store in a temporary directory (no journal: each group is one LMDB
 * commit, which auditq_commits() counts). Completions come back through a
 * worker pool to an event loop run here. Only lower bounds on waiting are
 * timed, and upper bounds are a second or more under a delay of 5 s, so a
 * slow machine cannot fail them.
 */
#include <check.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/time.h"
#include "server/auditj.h"
#include "server/auditq.h"
#include "server/pool.h"
#include "store/audit.h"
#include "store/store.h"
#include "store_fixture.h"

/*
 * A delay no test waits out. A record that went "without waiting" is one
 * written in less than half of it: the bound only tells the two apart, so
 * a loaded machine cannot turn it into a failure.
 */
#define LONG_US		600000000u
#define NO_WAIT		(LONG_US / 2e6)
/* Seconds a test waits for completions that must come. */
#define DONE_WAIT	120
#define NITEMS		8

static struct store *st;
static struct event_base *base;
static struct pool *pool;
static struct auditq *q;
static struct auditq_item items[NITEMS];
static double done_at[NITEMS];
static int done_rc[NITEMS];
static int ndone, want;

static void
item_done(void *arg)
{
	struct auditq_item *it = arg;
	size_t i = (size_t)(it - items);

	done_at[i] = time_monotonic();
	done_rc[i] = it->rc;
	if (++ndone >= want)
		event_base_loopbreak(base);
}

/* Each test runs in its own process: a store of its own, by process id. */
static void
setup(void)
{
	char name[32];

	snprintf(name, sizeof(name), "store-%ld", (long)getpid());
	memset(items, 0, sizeof(items));
	memset(done_at, 0, sizeof(done_at));
	ndone = want = 0;
	ck_assert_int_eq(store_open_size(fix_path(name), STORE_CREATE,
	    (size_t)16 << 20, &st), 0);
	ck_assert_ptr_nonnull(base = event_base_new());
	ck_assert_int_eq(pool_new(base, 1, 16, &pool), 0);
	ck_assert_int_eq(auditq_new(st, pool, 1, 0, NULL, &q), 0);
}

static void
teardown(void)
{
	auditq_free(q);
	q = NULL;
	pool_free(pool);
	event_base_free(base);
	store_close(st);
}

/* Submits items[i]; returns what auditq_submit() said. */
static int
submit_as(size_t i, int enroll)
{
	struct auditq_item *it = &items[i];

	it->time = 1700000000;
	it->action = "keyprov";
	it->uri_len = (size_t)snprintf(it->uri, sizeof(it->uri), "sip:u%zu@example.org", i);
	snprintf(it->detail, sizeof(it->detail), "period 7 client 127.0.0.1:%zu", i);
	it->enroll = enroll;
	it->enroll_from = 1700000000;
	it->done = item_done;
	it->arg = it;
	return auditq_submit(q, it);
}

/* Submits items[i], whose completion comes later. */
static void
submit(size_t i, int enroll)
{
	ck_assert_int_eq(submit_as(i, enroll), AUDITQ_WAIT);
}

/* Runs the loop until n completions more have come, or for at most secs. */
static void
run_until(int n, double secs)
{
	struct timeval tv = { (time_t)secs, (suseconds_t)((secs - (time_t)secs) * 1e6) };

	want = ndone + n;
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

static int
count_rec(const struct audit_rec *r, void *arg)
{
	(void)r;
	++*(int *)arg;
	return 0;
}

static int
records(void)
{
	struct store_txn t;
	int n = 0;

	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_audit_list(&t, 0, NULL, 0, count_rec, &n), 0);
	store_txn_abort(&t);
	return n;
}

/* Delay 0 (as made): a lone record is written at once. */
START_TEST(no_delay)
{
	submit(0, 0);
	run_until(1, DONE_WAIT);
	ck_assert_int_eq(ndone, 1);
	ck_assert_int_eq(done_rc[0], 0);
	ck_assert_uint_eq(auditq_commits(q), 1);
	ck_assert_int_eq(records(), 1);
}
END_TEST

/* A group smaller than the target waits out the delay, then is written. */
START_TEST(small_group_waits)
{
	double t0;

	auditq_set_group(q, 300000, NITEMS);
	t0 = time_monotonic();
	submit(0, 0);
	submit(1, 0);
	run_until(2, DONE_WAIT);
	ck_assert_int_eq(ndone, 2);
	ck_assert_int_eq(done_rc[0], 0);
	ck_assert_int_eq(done_rc[1], 0);
	ck_assert_msg(done_at[0] - t0 >= 0.3 && done_at[1] - t0 >= 0.3,
	    "written after %.3f and %.3f s, before the delay of 0.3 s",
	    done_at[0] - t0, done_at[1] - t0);
	/* Both waited together: one commit. */
	ck_assert_uint_eq(auditq_commits(q), 1);
	ck_assert_int_eq(records(), 2);
}
END_TEST

/* The target reached, the group goes without waiting out the delay. */
START_TEST(full_group_goes)
{
	double t0;
	size_t i;

	auditq_set_group(q, LONG_US, 4);
	t0 = time_monotonic();
	for (i = 0; i < 4; i++)
		submit(i, 0);
	run_until(4, DONE_WAIT);
	ck_assert_int_eq(ndone, 4);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(done_rc[i], 0);
		ck_assert_msg(done_at[i] - t0 < NO_WAIT, "record %zu waited %.3f s", i,
		    done_at[i] - t0);
	}
	ck_assert_uint_eq(auditq_commits(q), 1);
	ck_assert_int_eq(records(), 4);
}
END_TEST

/* An enrolment never waits for the group to grow. */
START_TEST(enrolment_goes)
{
	double t0;

	auditq_set_group(q, LONG_US, NITEMS);
	t0 = time_monotonic();
	submit(0, 1);
	run_until(1, DONE_WAIT);
	ck_assert_int_eq(ndone, 1);
	ck_assert_int_eq(done_rc[0], 0);
	ck_assert_msg(done_at[0] - t0 < NO_WAIT, "the enrolment waited %.3f s", done_at[0] - t0);
	/* The enrolment's own record and the key set's. */
	ck_assert_int_eq(records(), 2);
}
END_TEST

/* A shorter delay (reload) ends the wait of the group already waiting. */
START_TEST(reload_ends_wait)
{
	double t0;

	auditq_set_group(q, LONG_US, NITEMS);
	t0 = time_monotonic();
	submit(0, 0);
	run_until(1, 0.2);
	ck_assert_int_eq(ndone, 0);
	auditq_set_group(q, 0, NITEMS);
	run_until(1, DONE_WAIT);
	ck_assert_int_eq(ndone, 1);
	ck_assert_int_eq(done_rc[0], 0);
	ck_assert_msg(done_at[0] - t0 < NO_WAIT, "waited %.3f s after the reload", done_at[0] - t0);
}
END_TEST

/* A stop writes the waiting group at once. */
START_TEST(stop_writes)
{
	double t0;

	auditq_set_group(q, LONG_US, NITEMS);
	submit(0, 0);
	submit(1, 0);
	t0 = time_monotonic();
	auditq_free(q);
	q = NULL;
	ck_assert_msg(time_monotonic() - t0 < NO_WAIT, "the stop took %.3f s", time_monotonic() - t0);
	ck_assert_int_eq(records(), 2);
	/* The completions were posted: they still run. */
	run_until(2, DONE_WAIT);
	ck_assert_int_eq(ndone, 2);
	ck_assert_int_eq(done_rc[0], 0);
	ck_assert_int_eq(done_rc[1], 0);
}
END_TEST

/*
 * A write-back journal: key-set records are written by the submitting
 * thread, whose replies need wait neither for the writer nor for the disk
 * flush (a delay of ten minutes has not passed), while an enrolment still
 * waits for the writer. The flusher flushes once the delay is shortened,
 * without any further write.
 */
START_TEST(write_back_flush)
{
	struct auditj *j = NULL;
	char why[256] = "";
	double end;

	auditq_free(q);
	q = NULL;
	ck_assert_int_eq(auditj_open(fix_path("wb.j"), st, AUDITJ_WRITE_BACK, &j, why,
	    sizeof(why)), 0);
	ck_assert_int_eq(auditq_new(st, pool, 1, 0, j, &q), 0);
	auditq_set_flush(q, 600000);
	ck_assert_int_eq(submit_as(0, 0), AUDITQ_SENT);
	ck_assert_int_eq(submit_as(1, 0), AUDITQ_SENT);
	/* Written before auditq_submit() returned: in the journal's generation. */
	ck_assert(auditj_lag(j, time_monotonic()) > 0);
	ck_assert_uint_eq(auditq_commits(q), 0);
	submit(2, 1);
	run_until(1, DONE_WAIT);
	ck_assert_int_eq(ndone, 1);
	ck_assert(done_at[0] == 0 && done_at[1] == 0);
	ck_assert_int_eq(done_rc[2], 0);
	ck_assert_uint_eq(auditj_flushes(j), 0);
	ck_assert(auditj_flush_wait(j, time_monotonic()) > 0);
	auditq_set_flush(q, 1);
	end = time_monotonic() + DONE_WAIT;
	while (auditj_flushes(j) == 0 && time_monotonic() < end)
		usleep(1000);
	ck_assert_uint_eq(auditj_flushes(j), 1);
	ck_assert(auditj_flush_wait(j, time_monotonic()) == -1);
	/*
	 * A clean stop moves both key-set records into the store, where the
	 * enrolment's two (its identity's and its key set's) already are.
	 */
	auditq_free(q);
	q = NULL;
	ck_assert_int_eq(records(), 4);
	ck_assert_int_eq(auditq_new(st, pool, 1, 0, NULL, &q), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("auditq");
	TCase *tc = tcase_create("group delay");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, fix_setup, fix_teardown);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, no_delay);
	tcase_add_test(tc, small_group_waits);
	tcase_add_test(tc, full_group_goes);
	tcase_add_test(tc, enrolment_goes);
	tcase_add_test(tc, reload_ends_wait);
	tcase_add_test(tc, stop_writes);
	tcase_add_test(tc, write_back_flush);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
