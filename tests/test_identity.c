/* SPDX-License-Identifier: ISC */
/*
 * Identities in a real store: round trips (long and binary URIs), bulk
 * insert all or nothing, listing by state, whole and per-period
 * revocation, visibility to another process, and kill -9 of a writer in
 * the middle of a 10,000-identity import.
 */
#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "common/err.h"
#include "store/identity.h"
#include "store/period.h"
#include "store/store.h"
#include "store_fixture.h"

#define U(s)	(const uint8_t *)(s), strlen(s)

static struct store *
open_new(const char *name)
{
	struct store *st = NULL;

	ck_assert_int_eq(store_open(fix_path(name), STORE_CREATE, &st), 0);
	return st;
}

static struct identity_rec
rec(const char *uri, int64_t from, int64_t to)
{
	struct identity_rec r = { 0 };

	r.uri = (const uint8_t *)uri;
	r.uri_len = strlen(uri);
	r.role = IDENTITY_USER;
	r.created = 1700000000;
	r.valid_from = from;
	r.valid_to = to;
	return r;
}

static void
put_one(struct store *st, const struct identity_rec *r)
{
	struct store_txn t;

	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_identity_put(&t, r, 0), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
}

static int
count_one(const struct identity_rec *r, void *arg)
{
	(*(size_t *)arg)++;
	return 0;
}

static size_t
count(struct store *st, unsigned mask, int64_t at)
{
	struct store_txn t;
	size_t n = 0;

	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_identity_list(&t, mask, at, count_one, &n), 0);
	store_txn_abort(&t);
	return n;
}

START_TEST(round_trip)
{
	struct store *st = open_new("rt");
	uint8_t longa[STORE_URI_MAX], longb[STORE_URI_MAX], bin[5] = { 's', 0, 0xff, 0, 'x' };
	struct identity_rec r, g;
	struct store_txn t;

	r = rec("sip:alice@example.org", 100, 200);
	r.role = IDENTITY_GMS;
	r.revoked_at = 150;
	r.reason = "lost";
	put_one(st, &r);
	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_identity_get(&t, U("sip:alice@example.org"), &g), 0);
	ck_assert_int_eq(g.role, IDENTITY_GMS);
	ck_assert_int_eq(g.created, 1700000000);
	ck_assert_int_eq(g.valid_from, 100);
	ck_assert_int_eq(g.valid_to, 200);
	ck_assert_int_eq(g.revoked_at, 150);
	ck_assert_str_eq(g.reason, "lost");
	ck_assert_int_eq(store_identity_get(&t, U("sip:alice@example.or"), &g), SKM_ENOTFOUND);
	ck_assert_int_eq(store_identity_get(&t, U("sip:alice@example.orgg"), &g), SKM_ENOTFOUND);
	store_txn_abort(&t);

	/* Two maximal URIs that differ only after the hashed key's head. */
	memset(longa, 'a', sizeof(longa));
	memcpy(longb, longa, sizeof(longb));
	longb[STORE_URI_MAX - 1] = 'b';
	r = rec("", 0, 0);
	r.uri = longa;
	r.uri_len = sizeof(longa);
	put_one(st, &r);
	r.uri = longb;
	put_one(st, &r);
	r.uri = bin;
	r.uri_len = sizeof(bin);
	r.valid_to = 5;
	put_one(st, &r);
	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_identity_get(&t, longb, sizeof(longb), &g), 0);
	ck_assert_uint_eq(g.uri_len, sizeof(longb));
	ck_assert_mem_eq(g.uri, longb, sizeof(longb));
	ck_assert_int_eq(store_identity_get(&t, longa, sizeof(longa) - 1, &g), SKM_ENOTFOUND);
	ck_assert_int_eq(store_identity_get(&t, bin, sizeof(bin), &g), 0);
	ck_assert_int_eq(g.valid_to, 5);
	ck_assert_mem_eq(g.uri, bin, sizeof(bin));
	ck_assert_str_eq(g.reason, "");
	ck_assert_int_eq(store_identity_get(&t, bin, 2, &g), SKM_ENOTFOUND);
	store_txn_abort(&t);
	ck_assert_uint_eq(count(st, 0, 0), 4);

	/* Refusals: duplicate, bad role, URI too long or empty. */
	r = rec("sip:alice@example.org", 0, 0);
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_identity_put(&t, &r, 0), SKM_EEXIST);
	ck_assert_int_eq(store_txn_commit(&t), SKM_EEXIST);
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	r.role = (enum identity_role)9;
	ck_assert_int_eq(store_identity_put(&t, &r, 1), SKM_EINVAL);
	store_txn_abort(&t);
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	r = rec("", 0, 0);
	ck_assert_int_eq(store_identity_put(&t, &r, 1), SKM_EINVAL);
	store_txn_abort(&t);
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	r.uri = longa;
	r.uri_len = STORE_URI_MAX + 1;
	ck_assert_int_eq(store_identity_put(&t, &r, 1), SKM_EINVAL);
	store_txn_abort(&t);

	/* Replace, then delete. */
	r = rec("sip:alice@example.org", 7, 8);
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_identity_put(&t, &r, 1), 0);
	ck_assert_int_eq(store_identity_get(&t, U("sip:alice@example.org"), &g), 0);
	ck_assert_int_eq(g.valid_from, 7);
	ck_assert_int_eq(g.revoked_at, 0);
	ck_assert_int_eq(store_identity_del(&t, longa, sizeof(longa)), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	ck_assert_uint_eq(count(st, 0, 0), 3);
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_identity_del(&t, longa, sizeof(longa)), SKM_ENOTFOUND);
	ck_assert_int_eq(store_txn_commit(&t), SKM_ENOTFOUND);
	store_close(st);
}
END_TEST

#define BATCH	1000

static struct identity_rec *
batch(char (*uris)[48], size_t n, const char *fmt)
{
	struct identity_rec *r = calloc(n, sizeof(*r));
	size_t i;

	ck_assert_ptr_nonnull(r);
	for (i = 0; i < n; i++) {
		snprintf(uris[i], 48, fmt, i);
		r[i] = rec(uris[i], 0, 0);
	}
	return r;
}

START_TEST(bulk_all_or_nothing)
{
	static char uris[BATCH][48];
	struct store *st = open_new("bulk");
	struct identity_rec *r, one;
	struct store_txn t;

	/* A duplicate inside the batch: nothing is written. */
	r = batch(uris, BATCH, "sip:user%zu@example.org");
	r[700] = r[300];
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_identity_bulk_put(&t, r, BATCH), SKM_EEXIST);
	ck_assert_int_eq(store_txn_commit(&t), SKM_EEXIST);
	ck_assert_uint_eq(count(st, 0, 0), 0);

	/* One already stored: nothing more is written. */
	r[700] = rec(uris[700], 0, 0);
	one = rec(uris[999], 0, 0);
	put_one(st, &one);
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_identity_bulk_put(&t, r, BATCH), SKM_EEXIST);
	ck_assert_int_eq(store_txn_commit(&t), SKM_EEXIST);
	ck_assert_uint_eq(count(st, 0, 0), 1);

	/* An invalid record anywhere: nothing. */
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	r[999].uri_len = 0;
	ck_assert_int_eq(store_identity_bulk_put(&t, r, BATCH), SKM_EINVAL);
	ck_assert_int_eq(store_txn_commit(&t), SKM_EINVAL);
	ck_assert_uint_eq(count(st, 0, 0), 1);

	/* The batch without the stored one goes in whole. */
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_identity_bulk_put(&t, r, BATCH - 1), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	ck_assert_uint_eq(count(st, 0, 0), BATCH);
	free(r);
	store_close(st);
}
END_TEST

START_TEST(list_by_state)
{
	struct store *st = open_new("list");
	struct identity_rec r;
	struct store_txn t;

	r = rec("sip:a@x", 0, 0);		/* active */
	put_one(st, &r);
	r = rec("sip:b@x", 2000, 0);		/* not yet valid at 1000 */
	put_one(st, &r);
	r = rec("sip:c@x", 0, 500);		/* expired at 1000 */
	put_one(st, &r);
	r = rec("sip:d@x", 0, 0);		/* revoked at 900 */
	put_one(st, &r);
	r = rec("sip:e@x", 0, 0);		/* revoked from 1100: still active at 1000 */
	put_one(st, &r);
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_identity_revoke(&t, U("sip:d@x"), 900, "stolen"), 0);
	ck_assert_int_eq(store_identity_revoke(&t, U("sip:e@x"), 1100, NULL), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);

	ck_assert_uint_eq(count(st, 0, 1000), 5);
	ck_assert_uint_eq(count(st, IDENTITY_STATE_BIT(IDENTITY_ACTIVE), 1000), 2);
	ck_assert_uint_eq(count(st, IDENTITY_STATE_BIT(IDENTITY_NOT_YET_VALID), 1000), 1);
	ck_assert_uint_eq(count(st, IDENTITY_STATE_BIT(IDENTITY_EXPIRED), 1000), 1);
	ck_assert_uint_eq(count(st, IDENTITY_STATE_BIT(IDENTITY_REVOKED), 1000), 1);
	ck_assert_uint_eq(count(st, IDENTITY_STATE_BIT(IDENTITY_REVOKED), 1100), 2);
	ck_assert_uint_eq(count(st, IDENTITY_STATE_BIT(IDENTITY_ACTIVE) |
	    IDENTITY_STATE_BIT(IDENTITY_EXPIRED), 3000), 3);
	store_close(st);
}
END_TEST

START_TEST(revoke_whole)
{
	struct store *st = open_new("revoke");
	struct identity_rec r, g;
	struct store_txn t;

	r = rec("sip:bob@example.org", 0, 0);
	put_one(st, &r);
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_identity_revoke(&t, U("sip:bob@example.org"), 1234,
	    "device lost"), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_identity_get(&t, U("sip:bob@example.org"), &g), 0);
	ck_assert_int_eq(g.revoked_at, 1234);
	ck_assert_str_eq(g.reason, "device lost");
	ck_assert_int_eq(identity_state(&g, 1234), IDENTITY_REVOKED);
	ck_assert_int_eq(identity_state(&g, 1233), IDENTITY_ACTIVE);
	store_txn_abort(&t);

	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_identity_revoke(&t, U("sip:bob@example.org"), 2000, ""),
	    SKM_EREVOKED);
	store_txn_abort(&t);
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_identity_revoke(&t, U("sip:nobody@example.org"), 2000, ""),
	    SKM_ENOTFOUND);
	store_txn_abort(&t);
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_identity_revoke(&t, U("sip:bob@example.org"), 0, ""),
	    SKM_EINVAL);
	store_txn_abort(&t);

	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_identity_unrevoke(&t, U("sip:bob@example.org")), 0);
	ck_assert_int_eq(store_identity_get(&t, U("sip:bob@example.org"), &g), 0);
	ck_assert_int_eq(g.revoked_at, 0);
	ck_assert_str_eq(g.reason, "");
	ck_assert_int_eq(store_identity_unrevoke(&t, U("sip:bob@example.org")),
	    SKM_ESTATE);
	store_txn_abort(&t);
	store_close(st);
}
END_TEST

/*
 * Child: reports on a pipe whether it sees bob revoked, each time the
 * parent asks, from its own long-open environment.
 */
static void
watcher(const char *dir, int ask, int tell)
{
	struct store *st = NULL;
	struct identity_rec g;
	struct store_txn t;
	char c, seen;

	if (store_open(dir, 0, &st) != 0)
		_exit(10);
	while (read(ask, &c, 1) == 1) {
		if (store_txn_begin(st, 0, &t) != 0)
			_exit(11);
		seen = store_identity_get(&t, U("sip:bob@example.org"), &g) == 0 &&
		    identity_state(&g, 5000) == IDENTITY_REVOKED ? 'R' : 'A';
		store_txn_abort(&t);
		if (write(tell, &seen, 1) != 1)
			_exit(12);
	}
	store_close(st);
	_exit(0);
}

static char
ask(int to, int from)
{
	char c = '?';

	ck_assert_int_eq(write(to, "?", 1), 1);
	ck_assert_int_eq(read(from, &c, 1), 1);
	return c;
}

START_TEST(revoke_seen_by_other_process)
{
	struct store *st = open_new("xproc");
	struct identity_rec r;
	struct store_txn t;
	int a[2], b[2], status;
	pid_t pid;

	r = rec("sip:bob@example.org", 0, 0);
	put_one(st, &r);
	ck_assert_int_eq(pipe(a), 0);
	ck_assert_int_eq(pipe(b), 0);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		close(a[1]);
		close(b[0]);
		watcher(fix_path("xproc"), a[0], b[1]);
	}
	close(a[0]);
	close(b[1]);
	ck_assert_int_eq(ask(a[1], b[0]), 'A');
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_identity_revoke(&t, U("sip:bob@example.org"), 4000, "x"), 0);
	/* Not before the commit... */
	ck_assert_int_eq(ask(a[1], b[0]), 'A');
	ck_assert_int_eq(store_txn_commit(&t), 0);
	/* ...and at once after it, without reopening. */
	ck_assert_int_eq(ask(a[1], b[0]), 'R');
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_identity_unrevoke(&t, U("sip:bob@example.org")), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	ck_assert_int_eq(ask(a[1], b[0]), 'A');
	close(a[1]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	close(b[0]);
	store_close(st);
}
END_TEST

struct periods {
	uint64_t no[8];
	size_t n;
};

static int
period_collect(uint64_t no, int64_t at, const char *reason, void *arg)
{
	struct periods *p = arg;

	ck_assert_str_eq(reason, no == 256 ? "leaked" : "");
	p->no[p->n++] = no;
	return 0;
}

START_TEST(period_revocation)
{
	struct store *st = open_new("period");
	const uint64_t in[] = { 256, 1, 65536, 2, UINT64_C(1) << 33 };
	struct periods p = { { 0 }, 0 };
	struct identity_rec r;
	struct store_txn t;
	size_t i;

	r = rec("sip:carol@example.org", 0, 0);
	put_one(st, &r);
	/* A URI that extends carol's must not share her periods. */
	r = rec("sip:carol@example.org.evil", 0, 0);
	put_one(st, &r);
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(store_period_revoke(&t, U("sip:carol@example.org"),
		    in[i], 1000, in[i] == 256 ? "leaked" : NULL), 0);
	ck_assert_int_eq(store_period_revoke(&t, U("sip:carol@example.org.evil"),
	    3, 1000, NULL), 0);
	ck_assert_int_eq(store_period_revoke(&t, U("sip:dave@example.org"), 3, 1000,
	    NULL), SKM_ENOTFOUND);
	ck_assert_int_eq(store_txn_commit(&t), SKM_ENOTFOUND);

	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	for (i = 0; i < 5; i++)
		store_period_revoke(&t, U("sip:carol@example.org"), in[i], 1000,
		    in[i] == 256 ? "leaked" : NULL);
	store_period_revoke(&t, U("sip:carol@example.org.evil"), 3, 1000, NULL);
	ck_assert_int_eq(store_txn_commit(&t), 0);

	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_period_revoked(&t, U("sip:carol@example.org"), 256), 1);
	ck_assert_int_eq(store_period_revoked(&t, U("sip:carol@example.org"), 3), 0);
	ck_assert_int_eq(store_period_revoked(&t, U("sip:carol@example.org.evil"), 3), 1);
	ck_assert_int_eq(store_period_revoked(&t, U("sip:carol@example.org.evil"), 256), 0);
	/* Numeric order, whatever the insertion order. */
	ck_assert_int_eq(store_period_list(&t, U("sip:carol@example.org"),
	    period_collect, &p), 0);
	ck_assert_uint_eq(p.n, 5);
	ck_assert_uint_eq(p.no[0], 1);
	ck_assert_uint_eq(p.no[1], 2);
	ck_assert_uint_eq(p.no[2], 256);
	ck_assert_uint_eq(p.no[3], 65536);
	ck_assert_uint_eq(p.no[4], UINT64_C(1) << 33);
	/* May carol get keys? */
	ck_assert_int_eq(store_period_check(&t, U("sip:carol@example.org"), 3, 3000,
	    4000), 0);
	ck_assert_int_eq(store_period_check(&t, U("sip:carol@example.org"), 256, 3000,
	    4000), SKM_EREVOKED);
	ck_assert_int_eq(store_period_check(&t, U("sip:dave@example.org"), 3, 3000,
	    4000), SKM_ENOTFOUND);
	store_txn_abort(&t);

	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_identity_revoke(&t, U("sip:carol@example.org"), 3500,
	    NULL), 0);
	ck_assert_int_eq(store_period_check(&t, U("sip:carol@example.org"), 5, 2000,
	    3000), 0);
	ck_assert_int_eq(store_period_check(&t, U("sip:carol@example.org"), 3, 3000,
	    4000), SKM_EREVOKED);
	/*
	 * The period before the revocation: skmsctl may derive it, skmsd
	 * issues it only until the revocation applies.
	 */
	ck_assert_int_eq(store_period_issue(&t, U("sip:carol@example.org"), 5, 2000,
	    3000, 3499), 0);
	ck_assert_int_eq(store_period_issue(&t, U("sip:carol@example.org"), 5, 2000,
	    3000, 3500), SKM_EREVOKED);
	ck_assert_int_eq(store_period_issue(&t, U("sip:carol@example.org"), 3, 3000,
	    4000, 3000), SKM_EREVOKED);
	ck_assert_int_eq(store_period_issue(&t, U("sip:dave@example.org"), 3, 3000,
	    4000, 3000), SKM_ENOTFOUND);
	ck_assert_int_eq(store_identity_unrevoke(&t, U("sip:carol@example.org")), 0);
	ck_assert_int_eq(store_period_unrevoke(&t, U("sip:carol@example.org"), 256), 0);
	ck_assert_int_eq(store_period_revoked(&t, U("sip:carol@example.org"), 256), 0);
	ck_assert_int_eq(store_period_check(&t, U("sip:carol@example.org"), 256, 3000,
	    4000), 0);
	/* Deleting carol takes her periods, not her neighbour's. */
	ck_assert_int_eq(store_identity_del(&t, U("sip:carol@example.org")), 0);
	p.n = 0;
	ck_assert_int_eq(store_period_list(&t, U("sip:carol@example.org"),
	    period_collect, &p), 0);
	ck_assert_uint_eq(p.n, 0);
	ck_assert_int_eq(store_period_revoked(&t, U("sip:carol@example.org.evil"), 3), 1);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	store_close(st);
}
END_TEST

#define CRASH_N		10000
#define CRASH_ROUNDS	6

/* Child: imports CRASH_N identities of round k in one transaction. */
static void
importer(const char *dir, int k)
{
	static char uris[CRASH_N][48];
	struct identity_rec *r;
	struct store *st = NULL;
	struct store_txn t;
	size_t i;

	if (store_open(dir, 0, &st) != 0 || (r = calloc(CRASH_N, sizeof(*r))) == NULL)
		_exit(10);
	for (i = 0; i < CRASH_N; i++) {
		snprintf(uris[i], sizeof(uris[i]), "sip:r%d-user%zu@example.org", k, i);
		r[i] = rec(uris[i], 0, 0);
	}
	store_txn_begin(st, 1, &t);
	store_identity_bulk_put(&t, r, CRASH_N);
	if (store_txn_commit(&t) != 0)
		_exit(11);
	_exit(0);
}

struct round_count {
	char prefix[16];
	size_t n;
};

static int
count_round(const struct identity_rec *r, void *arg)
{
	struct round_count *c = arg;
	size_t len = strlen(c->prefix);

	if (r->uri_len >= len && memcmp(r->uri, c->prefix, len) == 0)
		c->n++;
	return 0;
}

START_TEST(kill_during_import)
{
	struct store *st;
	struct store_txn t;
	struct round_count c;
	struct timespec t0, t1;
	long full_us, delay;
	unsigned rnd;
	int k, status, none = 0, all = 0;
	pid_t pid;

	ck_assert_int_eq(store_open(fix_path("crash"), STORE_CREATE, &st), 0);
	store_close(st);
	/* Round 0 runs to the end, to time the import. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((pid = fork()) == 0)
		importer(fix_path("crash"), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	full_us = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000;

	for (k = 1; k <= CRASH_ROUNDS; k++) {
		ck_assert_int_eq(RAND_bytes((uint8_t *)&rnd, sizeof(rnd)), 1);
		/* Anywhere from start-up to past the commit (later rounds are slower). */
		delay = (long)(rnd % (unsigned long)(2 * full_us + 1));
		pid = fork();
		ck_assert_int_ne(pid, -1);
		if (pid == 0)
			importer(fix_path("crash"), k);
		usleep((useconds_t)delay);
		kill(pid, SIGKILL);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);

		/* Reopen (clearing the dead reader/writer) and count this round. */
		ck_assert_int_eq(store_open(fix_path("crash"), 0, &st), 0);
		memset(&c, 0, sizeof(c));
		snprintf(c.prefix, sizeof(c.prefix), "sip:r%d-", k);
		ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
		ck_assert_int_eq(store_identity_list(&t, 0, 0, count_round, &c), 0);
		store_txn_abort(&t);
		ck_assert_msg(c.n == 0 || c.n == CRASH_N, "round %d: %zu identities", k, c.n);
		if (WIFEXITED(status))
			ck_assert_uint_eq(c.n, CRASH_N);
		none += c.n == 0;
		all += c.n == CRASH_N;
		/* Still writable after the crash. */
		ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
		{
			struct identity_rec r = rec("sip:after@example.org", 0, 0);

			ck_assert_int_eq(store_identity_put(&t, &r, 1), 0);
		}
		ck_assert_int_eq(store_txn_commit(&t), 0);
		store_close(st);
	}
	ck_assert_int_eq(none + all, CRASH_ROUNDS);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("identity");
	TCase *tc = tcase_create("identity");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, fix_setup, fix_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, bulk_all_or_nothing);
	tcase_add_test(tc, list_by_state);
	tcase_add_test(tc, revoke_whole);
	tcase_add_test(tc, revoke_seen_by_other_process);
	tcase_add_test(tc, period_revocation);
	tcase_add_test(tc, kill_during_import);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
