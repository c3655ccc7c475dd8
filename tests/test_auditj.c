/* SPDX-License-Identifier: ISC */
/*
 * src/server/auditj: the audit journal against a real LMDB store in a
 * temporary directory. A close without flush stands in for a crash; the
 * journal file is corrupted with pwrite() to stand in for a torn write.
 */
/* O_DIRECT */
#define _GNU_SOURCE

#include <check.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "common/time.h"
#include "server/auditj.h"
#include "server/auditt.h"
#include "store/audit.h"
#include "store/identity.h"
#include "store/store.h"
#include "store_fixture.h"

/* The group header of auditj.c: "SKAJ" | u32 length | u64 generation | tag. */
#define HEAD		32

/* auditj_open() flags of the test case running: O_DIRECT where it works, or not. */
static int jflags;

/* A record as read back from the store. */
struct got {
	int64_t time;
	char actor[16];
	char action[256];
	uint8_t uri[STORE_URI_MAX];
	size_t uri_len;
	char detail[64];
};

struct seen {
	struct got *r;
	size_t n, cap;
};

static int
collect(const struct audit_rec *r, void *arg)
{
	struct seen *s = arg;
	struct got *g;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		ck_assert_ptr_nonnull(s->r = realloc(s->r, s->cap * sizeof(*s->r)));
	}
	g = &s->r[s->n++];
	memset(g, 0, sizeof(*g));
	g->time = r->time;
	snprintf(g->actor, sizeof(g->actor), "%s", r->actor);
	snprintf(g->action, sizeof(g->action), "%s", r->action);
	ck_assert_uint_le(r->uri_len, sizeof(g->uri));
	if (r->uri_len > 0)
		memcpy(g->uri, r->uri, r->uri_len);
	g->uri_len = r->uri_len;
	snprintf(g->detail, sizeof(g->detail), "%s", r->detail);
	return 0;
}

/* The store's audit log into s (emptied first); returns its length. */
static size_t
listed(struct store *st, struct seen *s)
{
	struct store_txn t;

	s->n = 0;
	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_audit_list(&t, INT64_MIN, NULL, 0, collect, s), 0);
	store_txn_abort(&t);
	return s->n;
}

/* Checks that the store holds exactly recs[0..n), in order. */
static void
holds(struct store *st, const struct auditj_rec *recs, size_t n)
{
	struct seen s = { 0 };
	size_t i;

	ck_assert_uint_eq(listed(st, &s), n);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(s.r[i].time, recs[i].time);
		ck_assert_str_eq(s.r[i].actor, "skmsd");
		ck_assert_str_eq(s.r[i].action, recs[i].action);
		ck_assert_uint_eq(s.r[i].uri_len, recs[i].uri_len);
		ck_assert(memcmp(s.r[i].uri, recs[i].uri, recs[i].uri_len) == 0);
		ck_assert_str_eq(s.r[i].detail, recs[i].detail);
	}
	free(s.r);
}

static uint64_t
mark(struct store *st)
{
	struct store_txn t;
	uint64_t g;

	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_audit_journal_get(&t, &g), 0);
	store_txn_abort(&t);
	return g;
}

static struct store *
store_new(const char *name, size_t mapsize)
{
	struct store *st = NULL;

	ck_assert_int_eq(store_open_size(fix_path(name), STORE_CREATE, mapsize, &st), 0);
	return st;
}

/* Opens the journal, which must succeed with nothing to say. */
static struct auditj *
jopen(const char *path, struct store *st)
{
	struct auditj *j = NULL;
	char why[256] = "";

	ck_assert_int_eq(auditj_open(path, st, jflags, &j, why, sizeof(why)), 0);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(why, "");
	return j;
}

/* Varied records: no URI, an empty detail, a NUL in a URI, extreme times. */
static const struct auditj_rec sample[] = {
	{ 1700000000, "keyprov", "sip:alice@example.org", 21, "period 7" },
	{ -5, "keyprov", "", 0, "" },
	{ INT64_MAX, "init", "tel:+15550100", 13, "x" },
	{ INT64_MIN, "keyprov", "sip:\0nul@example.org", 20, "nul in uri" },
	{ 0, "enroll", "sip:bob@example.org", 19, "enroll-on-first-token" },
	{ 42, "keyprov", "sip:carol@example.org", 21, "period 8" },
};
#define NSAMPLE	(sizeof(sample) / sizeof(sample[0]))

START_TEST(crash_replay)
{
	struct store *st = store_new("crash_replay", 0);
	const char *path = fix_path("crash_replay.j");
	struct auditj *j = jopen(path, st);
	struct seen s = { 0 };

	/* Three groups, then a crash: nothing in the store yet. */
	ck_assert_int_eq(auditj_append(j, sample, 2, NULL), 0);
	ck_assert_int_eq(auditj_append(j, sample + 2, 1, NULL), 0);
	ck_assert_int_eq(auditj_append(j, sample + 3, NSAMPLE - 3, NULL), 0);
	ck_assert_uint_eq(auditj_imports(j), 0);
	auditj_close(j, 0);
	ck_assert_uint_eq(listed(st, &s), 0);
	ck_assert_uint_eq(mark(st), 0);

	/* The restart moves them in, once, in order, with the mark. */
	j = jopen(path, st);
	ck_assert_uint_eq(auditj_imports(j), 1);
	ck_assert_int_eq(auditj_sealed(j), 0);
	holds(st, sample, NSAMPLE);
	ck_assert_uint_eq(mark(st), 1);
	auditj_close(j, 0);

	/* Another restart finds nothing new. */
	j = jopen(path, st);
	ck_assert_uint_eq(auditj_imports(j), 0);
	auditj_close(j, 1);
	holds(st, sample, NSAMPLE);
	ck_assert_uint_eq(mark(st), 1);

	/* And the journal goes on after the replayed generation. */
	j = jopen(path, st);
	ck_assert_int_eq(auditj_append(j, sample, 1, NULL), 0);
	auditj_close(j, 0);
	j = jopen(path, st);
	ck_assert_uint_eq(auditj_imports(j), 1);
	auditj_close(j, 0);
	ck_assert_uint_eq(listed(st, &s), NSAMPLE + 1);
	ck_assert_uint_eq(mark(st), 2);
	free(s.r);
	store_close(st);
}
END_TEST

START_TEST(clean_close)
{
	struct store *st = store_new("clean_close", 0);
	const char *path = fix_path("clean_close.j");
	struct auditj *j = jopen(path, st);

	ck_assert_int_eq(auditj_append(j, sample, NSAMPLE, NULL), 0);
	auditj_close(j, 1);
	holds(st, sample, NSAMPLE);
	ck_assert_uint_eq(mark(st), 1);
	j = jopen(path, st);
	ck_assert_uint_eq(auditj_imports(j), 0);
	auditj_close(j, 1);
	holds(st, sample, NSAMPLE);
	/* A clean close with nothing written imports nothing. */
	j = jopen(path, st);
	auditj_close(j, 1);
	ck_assert_uint_eq(mark(st), 1);
	holds(st, sample, NSAMPLE);
	store_close(st);
}
END_TEST

/*
 * One octet of the second of three groups changed, in each header field
 * and in the payload: the scan ends there, so only the first group moves.
 * at < 0 counts from the group's end.
 */
static const struct {
	const char *what;
	long at;
} torn[] = {
	{ "magic", 0 },
	{ "length, high octet", 4 },
	{ "length, low octet", 7 },
	{ "generation", 15 },
	{ "tag", 16 },
	{ "tag, last octet", 31 },
	{ "payload, version", HEAD },
	{ "payload, last octet", -1 },
};

static uint32_t
be32_at(int fd, off_t off)
{
	uint8_t b[4];

	ck_assert_int_eq(pread(fd, b, 4, off), 4);
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

START_TEST(torn_group)
{
	char sname[64], jname[64];
	struct store *st;
	struct auditj *j;
	const char *path;
	uint8_t b[4];
	off_t half, g2;
	uint32_t len2;
	int fd;

	snprintf(sname, sizeof(sname), "torn%d", _i);
	snprintf(jname, sizeof(jname), "torn%d.j", _i);
	st = store_new(sname, 0);
	path = fix_path(jname);
	j = jopen(path, st);
	ck_assert_int_eq(auditj_append(j, sample, 2, NULL), 0);
	ck_assert_int_eq(auditj_append(j, sample + 2, 2, NULL), 0);
	ck_assert_int_eq(auditj_append(j, sample + 4, 2, NULL), 0);
	auditj_close(j, 0);

	/* The first generation of a new journal is 1, in half 1. */
	ck_assert_int_ge(fd = open(path, O_RDWR), 0);
	half = (off_t)AUDITJ_HALF;
	ck_assert_int_eq(pread(fd, b, 4, half), 4);
	ck_assert(memcmp(b, "SKAJ", 4) == 0);
	g2 = half + HEAD + (off_t)be32_at(fd, half + 4);
	len2 = be32_at(fd, g2 + 4);
	ck_assert_int_eq(pread(fd, b, 4, g2), 4);
	ck_assert(memcmp(b, "SKAJ", 4) == 0);
	g2 += torn[_i].at >= 0 ? torn[_i].at : HEAD + (off_t)len2 + torn[_i].at;
	ck_assert_int_eq(pread(fd, b, 1, g2), 1);
	b[0] ^= 0x01;
	ck_assert_int_eq(pwrite(fd, b, 1, g2), 1);
	close(fd);

	j = jopen(path, st);
	ck_assert_msg(auditj_imports(j) == 1, "%s", torn[_i].what);
	auditj_close(j, 1);
	holds(st, sample, 2);
	ck_assert_uint_eq(mark(st), 1);
	store_close(st);
}
END_TEST

START_TEST(seal_import)
{
	const struct timespec wait = { 0, (AUDITJ_SEAL_MS + 50) * 1000000L };
	struct store *st = store_new("seal_import", 0);
	struct auditj *j = jopen(fix_path("seal_import.j"), st);
	struct seen s = { 0 };

	/* Nothing written: nothing to seal or import. */
	ck_assert_int_eq(auditj_seal_due(j, 1), 0);
	ck_assert_int_eq(auditj_seal_due(j, 0), 0);
	ck_assert_int_eq(auditj_sealed(j), 0);
	ck_assert_int_eq(auditj_import(j), 0);
	ck_assert_uint_eq(auditj_imports(j), 0);
	ck_assert(auditj_lag(j, time_monotonic() + 100) == 0);

	/* Young records wait unless forced; the lag counts from the first. */
	ck_assert_int_eq(auditj_append(j, sample, 2, NULL), 0);
	ck_assert(auditj_lag(j, time_monotonic() + 100) >= 100);
	ck_assert(auditj_lag(j, time_monotonic() + 100) < 100 + 60);
	ck_assert_int_eq(auditj_seal_due(j, 0), 0);
	ck_assert_int_eq(auditj_seal_due(j, 1), 1);
	ck_assert_int_eq(auditj_sealed(j), 1);
	/* One sealed: the next generation waits for it. */
	ck_assert_int_eq(auditj_append(j, sample + 2, 2, NULL), 0);
	ck_assert_int_eq(auditj_seal_due(j, 1), 0);
	ck_assert_uint_eq(listed(st, &s), 0);
	ck_assert(auditj_lag(j, time_monotonic() + 100) >= 100);
	ck_assert_int_eq(auditj_import(j), 0);
	ck_assert_int_eq(auditj_sealed(j), 0);
	ck_assert_uint_eq(auditj_imports(j), 1);
	/* The generation being written still waits. */
	ck_assert(auditj_lag(j, time_monotonic() + 100) >= 100);
	holds(st, sample, 2);
	ck_assert_uint_eq(mark(st), 1);
	ck_assert_int_eq(auditj_import(j), 0);
	ck_assert_uint_eq(auditj_imports(j), 1);

	/* Old enough: sealed without force. */
	nanosleep(&wait, NULL);
	ck_assert_int_eq(auditj_seal_due(j, 0), 1);
	ck_assert_int_eq(auditj_seal_due(j, 0), 0);
	ck_assert_int_eq(auditj_import(j), 0);
	ck_assert_uint_eq(auditj_imports(j), 2);
	holds(st, sample, 4);
	ck_assert_uint_eq(mark(st), 2);
	/* Emptied: nothing is due however long it waits, and no lag. */
	ck_assert(auditj_lag(j, time_monotonic() + 100) == 0);
	nanosleep(&wait, NULL);
	ck_assert_int_eq(auditj_seal_due(j, 0), 0);
	ck_assert_int_eq(auditj_seal_due(j, 1), 0);

	ck_assert_int_eq(auditj_append(j, sample + 4, 2, NULL), 0);
	auditj_close(j, 1);
	holds(st, sample, NSAMPLE);
	ck_assert_uint_eq(mark(st), 3);
	free(s.r);
	store_close(st);
}
END_TEST

static int
count_in_order(const struct audit_rec *r, void *arg)
{
	size_t *n = arg;

	ck_assert_int_eq(r->time, (int64_t)*n);
	(*n)++;
	return 0;
}

/* Checks the store holds records timed 0, 1, ... in order; returns how many. */
static size_t
in_order(struct store *st)
{
	struct store_txn t;
	size_t n = 0;

	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_audit_list(&t, INT64_MIN, NULL, 0, count_in_order, &n), 0);
	store_txn_abort(&t);
	return n;
}

START_TEST(full_half)
{
	static char detail[AUDIT_TEXT_MAX + 1];
	struct store *st = store_new("full_half", 0);
	struct auditj *j = jopen(fix_path("full_half.j"), st);
	struct auditj_rec *batch;
	size_t need, per, acked = 0, i, tries;
	int rc = 0;

	/* The largest records the journal accepts, as many as make one group. */
	memset(detail, 'd', sizeof(detail) - 1);
	need = 10 + strlen("keyprov") + 2 + 21 + 2 + strlen(detail);
	per = AUDITJ_GROUP_MAX / need;
	ck_assert_ptr_nonnull(batch = calloc(per, sizeof(*batch)));
	for (i = 0; i < per; i++)
		batch[i] = (struct auditj_rec){ 0, "keyprov", "sip:alice@example.org", 21,
		    detail };

#define NEXT_BATCH() do {						\
	for (i = 0; i < per; i++)					\
		batch[i].time = (int64_t)(acked + i);			\
} while (0)
	NEXT_BATCH();
	ck_assert_int_eq(auditj_append(j, batch, per, NULL), 0);
	acked += per;
	ck_assert_int_eq(auditj_seal_due(j, 1), 1);

	/* Fill the other half while the first generation waits. */
	for (tries = 0; tries < AUDITJ_HALF / AUDITJ_GROUP_MAX + 4; tries++) {
		NEXT_BATCH();
		if ((rc = auditj_append(j, batch, per, NULL)) != 0)
			break;
		acked += per;
	}
	ck_assert_int_eq(rc, SKM_EBUSY);
	ck_assert_uint_gt(acked, AUDITJ_HALF / (need + 32) - per);
	ck_assert_int_eq(auditj_sealed(j), 1);
	ck_assert_int_eq(auditj_append(j, batch, per, NULL), SKM_EBUSY);

	/* The importer frees the half: the refused group goes in. */
	ck_assert_int_eq(auditj_import(j), 0);
	ck_assert_int_eq(auditj_sealed(j), 0);
	ck_assert_int_eq(auditj_append(j, batch, per, NULL), 0);
	acked += per;
	ck_assert_int_eq(auditj_sealed(j), 1);
	auditj_close(j, 1);

	ck_assert_uint_eq(in_order(st), acked);
	ck_assert_uint_eq(mark(st), 3);
	free(batch);
	store_close(st);
#undef NEXT_BATCH
}
END_TEST

/*
 * A batch of two groups that meets a full half after its first group: the
 * first is on disk (done says so), and a retry of the rest after the
 * import writes no record twice.
 */
START_TEST(partial_batch)
{
	static char detail[AUDIT_TEXT_MAX + 1];
	struct store *st = store_new("partial_batch", 0);
	struct auditj *j = jopen(fix_path("partial_batch.j"), st);
	struct auditj_rec *batch;
	size_t need, per, acked = 0, i, n, done = 0, tries;
	int rc = 0;

	memset(detail, 'p', sizeof(detail) - 1);
	need = 10 + strlen("keyprov") + 2 + 21 + 2 + strlen(detail);
	per = 2 * (AUDITJ_GROUP_MAX / need);
	ck_assert_ptr_nonnull(batch = calloc(per, sizeof(*batch)));
	for (i = 0; i < per; i++)
		batch[i] = (struct auditj_rec){ 0, "keyprov", "sip:alice@example.org", 21,
		    detail };
	for (i = 0; i < per; i++)
		batch[i].time = (int64_t)i;
	ck_assert_int_eq(auditj_append(j, batch, per, &done), 0);
	ck_assert_uint_eq(done, per);
	acked = per;
	ck_assert_int_eq(auditj_seal_due(j, 1), 1);
	for (tries = 0; tries < AUDITJ_HALF / AUDITJ_GROUP_MAX + 4; tries++) {
		for (i = 0; i < per; i++)
			batch[i].time = (int64_t)(acked + i);
		if ((rc = auditj_append(j, batch, per, &done)) != 0)
			break;
		ck_assert_uint_eq(done, per);
		acked += per;
	}
	ck_assert_int_eq(rc, SKM_EBUSY);
	ck_assert_uint_lt(done, per);
	acked += done;
	ck_assert_int_eq(auditj_import(j), 0);
	ck_assert_int_eq(auditj_append(j, batch + done, per - done, &n), 0);
	ck_assert_uint_eq(n, per - done);
	acked += per - done;
	auditj_close(j, 1);

	ck_assert_uint_eq(in_order(st), acked);
	free(batch);
	store_close(st);
}
END_TEST

START_TEST(both_halves)
{
	struct store *st = store_new("both_halves", 0);
	const char *path = fix_path("both_halves.j");
	struct auditj *j = jopen(path, st);

	ck_assert_int_eq(auditj_append(j, sample, 3, NULL), 0);
	ck_assert_int_eq(auditj_seal_due(j, 1), 1);
	ck_assert_int_eq(auditj_append(j, sample + 3, 2, NULL), 0);
	ck_assert_int_eq(auditj_append(j, sample + 5, 1, NULL), 0);
	auditj_close(j, 0);
	ck_assert_uint_eq(mark(st), 0);

	/* Generation 1 (half 1) before generation 2 (half 0). */
	j = jopen(path, st);
	ck_assert_uint_eq(auditj_imports(j), 2);
	ck_assert_int_eq(auditj_sealed(j), 0);
	holds(st, sample, NSAMPLE);
	ck_assert_uint_eq(mark(st), 2);
	/* The next generation starts in half 1 and replays after both. */
	ck_assert_int_eq(auditj_append(j, sample, 1, NULL), 0);
	auditj_close(j, 0);
	j = jopen(path, st);
	ck_assert_uint_eq(auditj_imports(j), 1);
	auditj_close(j, 0);
	ck_assert_uint_eq(mark(st), 3);
	store_close(st);
}
END_TEST

/* Fills st with audit entries until a commit fails for want of room. */
static void
fill_store(struct store *st)
{
	static char pad[600];
	struct audit_rec r = { 0, 1, "test", "fill", NULL, 0, pad };
	struct store_txn t;
	int i, rc = 0;

	memset(pad, 'f', sizeof(pad) - 1);
	for (i = 0; i < 10000 && rc == 0; i++) {
		ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
		(void)store_audit_append(&t, &r, NULL);
		rc = store_txn_commit(&t);
	}
	ck_assert_int_ne(rc, 0);
}

START_TEST(full_store)
{
	static char detail[1001];
	struct auditj_rec recs[8];
	struct store *st = store_new("full_store", (size_t)256 << 10);
	const char *path = fix_path("full_store.j");
	struct auditj *j = jopen(path, st);
	struct seen s = { 0 };
	char why[256] = "";
	size_t before, i;
	int rc;

	memset(detail, 'r', sizeof(detail) - 1);
	for (i = 0; i < 8; i++)
		recs[i] = (struct auditj_rec){ (int64_t)i, "keyprov", "sip:alice@example.org",
		    21, detail };
	fill_store(st);
	before = listed(st, &s);
	ck_assert_int_eq(auditj_append(j, recs, 8, NULL), 0);
	auditj_close(j, 0);

	/* The store cannot take them: open says why and refuses appends. */
	j = NULL;
	ck_assert_int_eq(auditj_open(path, st, jflags, &j, why, sizeof(why)), 0);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_ne(why, "");
	ck_assert_uint_eq(auditj_imports(j), 0);
	rc = auditj_append(j, recs, 1, NULL);
	ck_assert_int_lt(rc, 0);
	ck_assert_int_ne(rc, SKM_EBUSY);
	ck_assert_int_eq(auditj_seal_due(j, 1), 1);
	ck_assert_int_lt(auditj_import(j), 0);
	ck_assert_int_eq(auditj_sealed(j), 1);
	ck_assert_int_lt(auditj_append(j, recs, 1, NULL), 0);
	auditj_close(j, 1);
	ck_assert_uint_eq(listed(st, &s), before);
	ck_assert_uint_eq(mark(st), 0);
	store_close(st);

	/* With room, the next start moves them in. */
	ck_assert_int_eq(store_open_size(fix_path("full_store"), 0, (size_t)16 << 20, &st), 0);
	j = jopen(path, st);
	ck_assert_uint_eq(auditj_imports(j), 1);
	ck_assert_int_eq(auditj_append(j, recs, 1, NULL), 0);
	auditj_close(j, 1);
	ck_assert_uint_eq(listed(st, &s), before + 9);
	for (i = 0; i < 8; i++) {
		ck_assert_int_eq(s.r[before + i].time, (int64_t)i);
		ck_assert_str_eq(s.r[before + i].action, "keyprov");
	}
	ck_assert_uint_eq(mark(st), 2);
	free(s.r);
	store_close(st);
}
END_TEST

/*
 * Input at and over the limits. An acknowledged record must reach the
 * store, so what the store would refuse is refused at append.
 */
static const struct {
	const char *what;
	size_t action, uri, detail;
	int rc;
} limits[] = {
	{ "action 255", 255, 21, 8, 0 },
	{ "action 256", 256, 21, 8, SKM_EINVAL },
	{ "detail 65536", 7, 21, 65536, SKM_EINVAL },
	{ "uri 65536", 7, 65536, 8, SKM_EINVAL },
	{ "detail at the store's limit", 7, 21, AUDIT_TEXT_MAX, 0 },
	{ "detail over the store's limit", 7, 21, AUDIT_TEXT_MAX + 1, SKM_EINVAL },
	{ "detail 65535", 7, 21, 65535, SKM_EINVAL },
	{ "uri at the store's limit", 7, STORE_URI_MAX, 8, 0 },
	{ "uri over the store's limit", 7, STORE_URI_MAX + 1, 8, SKM_EINVAL },
};

START_TEST(bad_input)
{
	char sname[64], jname[64], *action, *uri, *detail;
	struct auditj_rec recs[2];
	struct store *st;
	struct auditj *j;
	struct seen s = { 0 };
	size_t stored;
	int rc;

	snprintf(sname, sizeof(sname), "limits%d", _i);
	snprintf(jname, sizeof(jname), "limits%d.j", _i);
	st = store_new(sname, 0);
	j = jopen(fix_path(jname), st);
	ck_assert_ptr_nonnull(action = malloc(limits[_i].action + 1));
	ck_assert_ptr_nonnull(uri = malloc(limits[_i].uri + 1));
	ck_assert_ptr_nonnull(detail = malloc(limits[_i].detail + 1));
	memset(action, 'a', limits[_i].action);
	action[limits[_i].action] = '\0';
	memset(uri, 'u', limits[_i].uri);
	memset(detail, 'd', limits[_i].detail);
	detail[limits[_i].detail] = '\0';
	recs[0] = sample[0];
	recs[1] = (struct auditj_rec){ 7, action, uri, limits[_i].uri, detail };

	/* A refused record takes its batch with it. */
	rc = auditj_append(j, recs, 2, NULL);
	ck_assert_msg(rc == limits[_i].rc, "%s: %d", limits[_i].what, rc);
	/* Either way the journal goes on and what it took reaches the store. */
	ck_assert_int_eq(auditj_append(j, sample + 1, 1, NULL), 0);
	ck_assert_int_eq(auditj_seal_due(j, 1), 1);
	ck_assert_msg(auditj_import(j) == 0, "%s: import", limits[_i].what);
	ck_assert_int_eq(auditj_append(j, sample + 2, 1, NULL), 0);
	auditj_close(j, 1);
	stored = listed(st, &s);
	ck_assert_uint_eq(stored, rc == 0 ? 4 : 2);
	if (rc == 0) {
		ck_assert_str_eq(s.r[1].action, action);
		ck_assert_uint_eq(s.r[1].uri_len, limits[_i].uri);
	}
	ck_assert_int_eq(s.r[stored - 1].time, sample[2].time);
	free(s.r);
	free(action);
	free(uri);
	free(detail);
	store_close(st);
}
END_TEST

START_TEST(file_mode)
{
	static const mode_t refused[] = { 0644, 0640, 0606, 0610, 0660 };
	struct store *st = store_new("file_mode", 0);
	const char *path = fix_path("file_mode.j");
	struct auditj *j;
	char why[256];
	struct stat sb;
	mode_t old;
	size_t i;
	int fd;

	/* Created 0600 and full size whatever the umask. */
	old = umask(0);
	j = jopen(path, st);
	umask(old);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0600);
	ck_assert_uint_eq((size_t)sb.st_size, 2 * AUDITJ_HALF);
	ck_assert_int_eq(auditj_append(j, sample, 1, NULL), 0);
	auditj_close(j, 0);

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		ck_assert_int_eq(chmod(path, refused[i]), 0);
		j = NULL;
		why[0] = '\0';
		ck_assert_msg(auditj_open(path, st, jflags, &j, why, sizeof(why)) == SKM_EPERM,
		    "mode %o", (unsigned)refused[i]);
		ck_assert_ptr_null(j);
		ck_assert_str_ne(why, "");
	}
	/* The refusals touched nothing: the record still moves in. */
	ck_assert_uint_eq(mark(st), 0);
	ck_assert_int_eq(chmod(path, 0600), 0);
	j = jopen(path, st);
	ck_assert_uint_eq(auditj_imports(j), 1);
	auditj_close(j, 0);
	holds(st, sample, 1);

	/* An empty file of the right mode is made into a journal. */
	old = umask(0);
	ck_assert_int_ge(fd = open(fix_path("file_mode2.j"), O_RDWR | O_CREAT | O_EXCL, 0600), 0);
	umask(old);
	close(fd);
	j = jopen(fix_path("file_mode2.j"), st);
	auditj_close(j, 0);
	ck_assert_int_eq(stat(fix_path("file_mode2.j"), &sb), 0);
	ck_assert_uint_eq((size_t)sb.st_size, 2 * AUDITJ_HALF);
	store_close(st);
}
END_TEST

/*
 * Groups of every size from one record to many, so that their ends fall
 * anywhere in a block, on a block boundary too, all in one generation:
 * each direct write rewrites the block the previous group ended in. A
 * crash, and the restart must find every record in order.
 */
START_TEST(tail_block)
{
	struct store *st = store_new("tail_block", 0);
	const char *path = fix_path("tail_block.j");
	struct auditj *j = jopen(path, st);
	static struct auditj_rec recs[400];
	static char detail[400][40];
	size_t n = 0, k, i, bytes = 0;

	for (k = 1; n + k <= sizeof(recs) / sizeof(recs[0]); k++) {
		for (i = n; i < n + k; i++) {
			snprintf(detail[i], sizeof(detail[i]), "period %zu", i);
			recs[i] = (struct auditj_rec){ (int64_t)i, "keyprov",
			    "sip:alice@example.org", 21, detail[i] };
			bytes += 10 + 7 + 2 + 21 + 2 + strlen(detail[i]);
		}
		ck_assert_int_eq(auditj_append(j, recs + n, k, NULL), 0);
		bytes += HEAD;
		n += k;
	}
	/* Many blocks were written: the ends moved through them. */
	ck_assert_uint_gt(bytes, 4 * 4096);
	ck_assert_uint_eq(auditj_imports(j), 0);
	auditj_close(j, 0);
	j = jopen(path, st);
	ck_assert_uint_eq(auditj_imports(j), 1);
	holds(st, recs, n);
	auditj_close(j, 0);
	store_close(st);
}
END_TEST

/* Direct writes where the file system takes them, unless the flag says no. */
START_TEST(direct_mode)
{
	struct store *st = store_new("direct_mode", 0);
	struct auditj *j = jopen(fix_path("direct_mode.j"), st);
	int fd, can;

	fd = open(fix_path("direct_mode.j"), O_RDWR | O_DIRECT);
	can = fd >= 0;
	if (fd >= 0)
		close(fd);
	ck_assert_int_eq(auditj_direct(j),
	    jflags & (AUDITJ_PAGE_CACHE | AUDITJ_WRITE_BACK) ? 0 : can);
	ck_assert_int_eq(auditj_append(j, sample, NSAMPLE, NULL), 0);
	auditj_close(j, 1);
	holds(st, sample, NSAMPLE);
	store_close(st);
}
END_TEST

/*
 * An import target standing in for the cluster database (auditt_pg.c):
 * rows keyed by (generation, index), a re-import adding nothing (ON
 * CONFLICT DO NOTHING), and a switch making it unreachable.
 */
#define FAKE_ROWS	256
struct fake {
	int down;
	uint64_t mark;
	uint64_t gen;			/* being moved */
	struct { uint64_t gen; uint32_t idx; int64_t time; } row[FAKE_ROWS], add[FAKE_ROWS];
	size_t rows, adds;
};

static int
fake_mark(void *arg, uint64_t *gen)
{
	struct fake *f = arg;

	*gen = 0;
	if (f->down)
		return SKM_EUNREACH;
	*gen = f->mark;
	return 0;
}

static int
fake_begin(void *arg, uint64_t gen)
{
	struct fake *f = arg;

	if (f->down)
		return SKM_EUNREACH;
	f->gen = gen;
	f->adds = 0;
	return 0;
}

static int
fake_add(void *arg, const struct audit_rec *r, uint32_t idx)
{
	struct fake *f = arg;

	ck_assert_uint_lt(f->adds, FAKE_ROWS);
	f->add[f->adds].gen = f->gen;
	f->add[f->adds].idx = idx;
	f->add[f->adds].time = r->time;
	f->adds++;
	return 0;
}

static int
fake_commit(void *arg, uint64_t gen)
{
	struct fake *f = arg;
	size_t i, k;

	if (f->down)
		return SKM_EUNREACH;
	for (i = 0; i < f->adds; i++) {
		for (k = 0; k < f->rows; k++)
			if (f->row[k].gen == f->add[i].gen && f->row[k].idx == f->add[i].idx)
				break;
		if (k == f->rows) {
			ck_assert_uint_lt(f->rows, FAKE_ROWS);
			f->row[f->rows++] = f->add[i];
		}
	}
	if (gen > f->mark)
		f->mark = gen;
	f->adds = 0;
	return 0;
}

static void
fake_abort(void *arg)
{
	((struct fake *)arg)->adds = 0;
}

static void
fake_free(void *arg)
{
	(void)arg;
}

static const struct auditt_ops fake_ops = {
	.mark = fake_mark, .begin = fake_begin, .add = fake_add,
	.commit = fake_commit, .abort = fake_abort, .free = fake_free,
};

static struct auditj *
fake_open(const char *path, struct fake *f)
{
	struct auditt t = { &fake_ops, f };
	struct auditj *j = NULL;
	char why[256] = "";

	ck_assert_int_eq(auditj_open_target(path, &t, jflags, &j, why, sizeof(why)), 0);
	ck_assert_ptr_nonnull(j);
	return j;
}

/*
 * A target out of reach keeps records waiting without refusing new ones,
 * across a crash; once back, each record arrives once. A new journal
 * opened while the target's mark is unknown does not reuse its
 * generation numbers.
 */
START_TEST(unreachable_target)
{
	static struct fake f;
	const char *path = fix_path("unreachable.j");
	struct auditj *j;
	size_t i;

	memset(&f, 0, sizeof(f));
	/* Rows of an earlier journal of this node, then the target goes away. */
	f.row[0].gen = 5;
	f.rows = 1;
	f.mark = 5;
	f.down = 1;
	j = fake_open(path, &f);
	ck_assert_int_eq(auditj_append(j, sample, 3, NULL), 0);
	ck_assert_int_eq(auditj_seal_due(j, 1), 1);
	ck_assert_int_eq(auditj_import(j), SKM_EUNREACH);
	/* Still taking records: they wait in the file. */
	ck_assert_int_eq(auditj_append(j, sample + 3, 3, NULL), 0);
	auditj_close(j, 0);

	/* A crash, a restart still without the target, more records. */
	j = fake_open(path, &f);
	ck_assert_int_eq(auditj_append(j, sample, 2, NULL), 0);
	ck_assert_int_eq(auditj_import(j), SKM_EUNREACH);
	ck_assert_uint_eq(f.rows, 1);

	/* Back: everything moves, once. */
	f.down = 0;
	ck_assert_int_eq(auditj_import(j), 0);
	ck_assert_int_eq(auditj_seal_due(j, 1), 1);
	ck_assert_int_eq(auditj_import(j), 0);
	auditj_close(j, 1);
	ck_assert_uint_eq(f.rows, 1 + 8);
	for (i = 1; i < f.rows; i++)
		ck_assert_uint_gt(f.row[i].gen, 5);

	/* Moving it all again (the mark lost) adds nothing. */
	f.mark = 0;
	j = fake_open(path, &f);
	auditj_close(j, 1);
	ck_assert_uint_eq(f.rows, 1 + 8);
}
END_TEST

/* When a flush is due: a pure function of the oldest unflushed write. */
START_TEST(flush_when)
{
	/* Nothing written since the last flush: nothing to wait for. */
	ck_assert(auditj_flush_when(0, 0.010, 100.0) == -1);
	/* Just written: the whole delay. */
	ck_assert(auditj_flush_when(100.0, 0.010, 100.0) > 0.0099);
	ck_assert(auditj_flush_when(100.0, 0.010, 100.0) < 0.0101);
	/* Part way: the rest of it, never more than the delay. */
	ck_assert(auditj_flush_when(100.0, 0.010, 100.004) > 0.0059);
	ck_assert(auditj_flush_when(100.0, 0.010, 100.004) < 0.0061);
	/* Due or overdue (a slow flusher): now, never a negative wait. */
	ck_assert(auditj_flush_when(100.0, 0.010, 100.010) == 0);
	ck_assert(auditj_flush_when(100.0, 0.010, 250.0) == 0);
}
END_TEST

/*
 * The flush clock: it starts at the first write after a flush, later
 * writes do not push it back, and a flush stops it. Times are passed in,
 * so no verdict depends on how fast this runs.
 */
START_TEST(flush_clock)
{
	struct store *st = store_new("flush_clock", 0);
	struct auditj *j = jopen(fix_path("flush_clock.j"), st);
	double t0, t1, w;
	int wb = (jflags & AUDITJ_WRITE_BACK) != 0;

	ck_assert_int_eq(auditj_write_back(j), wb);
	auditj_set_flush_ms(j, 50);
	ck_assert(auditj_flush_wait(j, time_monotonic()) == -1);
	t0 = time_monotonic();
	ck_assert_int_eq(auditj_append(j, sample, 2, NULL), 0);
	t1 = time_monotonic();
	if (!wb) {
		/* Written with O_DSYNC: on disk already (one disk write), nothing to flush. */
		ck_assert_uint_eq(auditj_flushes(j), 1);
		ck_assert(auditj_flush_wait(j, time_monotonic() + 3600) == -1);
		ck_assert_int_eq(auditj_flush(j), 0);
		ck_assert_uint_eq(auditj_flushes(j), 1);
		goto out;
	}
	/* Due 50 ms after the write (made between t0 and t1), not before. */
	w = auditj_flush_wait(j, t1);
	ck_assert(w > 0 && w <= 0.050 + 1e-6);
	ck_assert(auditj_flush_wait(j, t0 + 0.049) > 0);
	ck_assert(auditj_flush_wait(j, t1 + 0.050) == 0);
	/* A second write does not move the deadline of the first. */
	ck_assert_int_eq(auditj_append(j, sample + 2, 2, NULL), 0);
	ck_assert(auditj_flush_wait(j, t1 + 0.050) == 0);
	/* A shorter delay (a reload) applies to the records waiting. */
	auditj_set_flush_ms(j, 1);
	ck_assert(auditj_flush_wait(j, t1 + 0.001) == 0);
	ck_assert_int_eq(auditj_flush(j), 0);
	ck_assert_uint_eq(auditj_flushes(j), 1);
	ck_assert(auditj_flush_wait(j, time_monotonic() + 3600) == -1);
	/* Nothing new: a flush does nothing and counts nothing. */
	ck_assert_int_eq(auditj_flush(j), 0);
	ck_assert_uint_eq(auditj_flushes(j), 1);
	/* The next write starts a new clock. */
	t0 = time_monotonic();
	ck_assert_int_eq(auditj_append(j, sample + 4, 2, NULL), 0);
	t1 = time_monotonic();
	ck_assert(auditj_flush_wait(j, t0) > 0);
	ck_assert(auditj_flush_wait(j, t1 + 0.001) == 0);
out:
	auditj_close(j, 1);
	holds(st, sample, NSAMPLE - (wb ? 0 : 4));
	store_close(st);
}
END_TEST

/*
 * Write-back: records written and never flushed nor closed (a killed
 * process) are read back from the file by the next open.
 */
START_TEST(killed_unflushed)
{
	struct store *st = store_new("killed_unflushed", 0);
	struct auditj *j = jopen(fix_path("killed_unflushed.j"), st), *k;

	ck_assert_int_eq(auditj_append(j, sample, NSAMPLE, NULL), 0);
	/* Write-back: in the file, not yet flushed; otherwise one group on disk. */
	ck_assert_uint_eq(auditj_flushes(j), auditj_write_back(j) ? 0 : 1);
	/* What the process left: the file as written, nothing imported. */
	k = jopen(fix_path("killed_unflushed.j"), st);
	holds(st, sample, NSAMPLE);
	auditj_close(k, 0);
	store_close(st);
	/* j's descriptors still belong to this process: released, nothing moved. */
	auditj_close(j, 0);
}
END_TEST

static void
direct_setup(void)
{
	jflags = 0;
	fix_setup();
}

static void
page_cache_setup(void)
{
	jflags = AUDITJ_PAGE_CACHE;
	fix_setup();
}

static void
write_back_setup(void)
{
	jflags = AUDITJ_WRITE_BACK;
	fix_setup();
}

static TCase *
journal_case(const char *name, void (*setup)(void))
{
	TCase *tc = tcase_create(name);

	tcase_add_unchecked_fixture(tc, setup, fix_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, direct_mode);
	tcase_add_test(tc, tail_block);
	tcase_add_test(tc, crash_replay);
	tcase_add_test(tc, clean_close);
	tcase_add_loop_test(tc, torn_group, 0, (int)(sizeof(torn) / sizeof(torn[0])));
	tcase_add_test(tc, seal_import);
	tcase_add_test(tc, full_half);
	tcase_add_test(tc, partial_batch);
	tcase_add_test(tc, both_halves);
	tcase_add_test(tc, full_store);
	tcase_add_loop_test(tc, bad_input, 0, (int)(sizeof(limits) / sizeof(limits[0])));
	tcase_add_test(tc, file_mode);
	tcase_add_test(tc, unreachable_target);
	tcase_add_test(tc, flush_when);
	tcase_add_test(tc, flush_clock);
	tcase_add_test(tc, killed_unflushed);
	return tc;
}

int
main(void)
{
	Suite *s = suite_create("auditj");
	SRunner *sr;
	int failed;

	suite_add_tcase(s, journal_case("direct", direct_setup));
	suite_add_tcase(s, journal_case("page-cache", page_cache_setup));
	suite_add_tcase(s, journal_case("write-back", write_back_setup));
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
