/* SPDX-License-Identifier: ISC */
/*
 * src/store on PostgreSQL: the primitives' semantics as LMDB has them
 * (sticky errors, a miss that is not sticky, NOOVERWRITE, key order,
 * prefixes ending in 0xff, pointers valid until the end), tombstones and
 * the change sequence, read snapshots, the audit and journal marks per
 * node, and copying between backends. Run by tests/store_pg.sh, which
 * starts a server and names it in SKMS_TEST_PG_CONNINFO and
 * SKMS_TEST_PG_PWFILE; skipped without them.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "common/err.h"
#include "store/audit.h"
#include "store/store.h"
#include "store_fixture.h"

static const char *conninfo;
static const char *pwfile;

/* A fresh schema: every skms object dropped, then opened with STORE_CREATE. */
static struct store *
open_pg(const char *node)
{
	struct store_config cf = { STORE_BACKEND_POSTGRESQL, NULL, 0, conninfo, pwfile,
	    node };
	struct store *st = NULL;
	char why[512];

	ck_assert_msg(store_open_config(&cf, STORE_CREATE, &st, why, sizeof(why)) == 0,
	    "%s", why);
	return st;
}

static PGconn *
sql_conn(void)
{
	char pw[256], info[1024];
	FILE *fp = fopen(pwfile, "r");
	PGconn *c;

	ck_assert_ptr_nonnull(fp);
	ck_assert_ptr_nonnull(fgets(pw, sizeof(pw), fp));
	fclose(fp);
	pw[strcspn(pw, "\n")] = '\0';
	snprintf(info, sizeof(info), "%s password=%s", conninfo, pw);
	c = PQconnectdb(info);
	ck_assert_int_eq(PQstatus(c), CONNECTION_OK);
	return c;
}

/* One statement's first value as text ("" for none). */
static char *
sql1(const char *q)
{
	static char buf[256];
	PGconn *c = sql_conn();
	PGresult *r = PQexec(c, q);

	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK ||
	    PQresultStatus(r) == PGRES_COMMAND_OK, "%s: %s", q, PQresultErrorMessage(r));
	snprintf(buf, sizeof(buf), "%s", PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	PQfinish(c);
	return buf;
}

static void
reset_db(void)
{
	sql1("SET client_min_messages = warning;"
	    "DROP TABLE IF EXISTS skms_schema, skms_record, skms_audit, skms_node;"
	    "DROP SEQUENCE IF EXISTS skms_change_seq");
}

static void
put(struct store *st, const char *k, size_t klen, const char *v)
{
	struct store_txn t;

	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_txn_put(&t, (const uint8_t *)k, klen, (const uint8_t *)v,
	    strlen(v), 0), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
}

START_TEST(primitives)
{
	struct store *st;
	struct store_txn t;
	const uint8_t *v1, *v2;
	size_t l1, l2, n;

	reset_db();
	st = open_pg("n1");
	ck_assert_int_eq(store_backend_of(st), STORE_BACKEND_POSTGRESQL);
	ck_assert_str_eq(store_node(st), "n1");
	put(st, "\x20" "a", 2, "one");
	put(st, "\x20" "b", 2, "two");
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	/* A miss is an answer; the transaction goes on. */
	ck_assert_int_eq(store_txn_get(&t, (const uint8_t *)"\x20" "z", 2, &v1, &l1),
	    SKM_ENOTFOUND);
	ck_assert_int_eq(t.err, 0);
	ck_assert_int_eq(store_txn_get(&t, (const uint8_t *)"\x20" "a", 2, &v1, &l1), 0);
	ck_assert_int_eq(store_txn_get(&t, (const uint8_t *)"\x20" "b", 2, &v2, &l2), 0);
	/* Both pointers stay valid until the end. */
	ck_assert_mem_eq(v1, "one", 3);
	ck_assert_mem_eq(v2, "two", 3);
	ck_assert_uint_eq(l1, 3);
	ck_assert_int_eq(store_txn_put(&t, (const uint8_t *)"\x20" "a", 2,
	    (const uint8_t *)"x", 1, STORE_NOOVERWRITE), SKM_EEXIST);
	/* Sticky: everything after fails with it, commit too. */
	ck_assert_int_eq(store_txn_get(&t, (const uint8_t *)"\x20" "b", 2, &v2, &l2),
	    SKM_EEXIST);
	ck_assert_int_eq(store_txn_commit(&t), SKM_EEXIST);
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_txn_del(&t, (const uint8_t *)"\x20" "z", 2), SKM_ENOTFOUND);
	ck_assert_int_eq(t.err, SKM_ENOTFOUND);
	store_txn_abort(&t);
	/* A delete leaves a tombstone, which NOOVERWRITE may replace. */
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_txn_del(&t, (const uint8_t *)"\x20" "a", 2), 0);
	ck_assert_int_eq(store_txn_get(&t, (const uint8_t *)"\x20" "a", 2, &v1, &l1),
	    SKM_ENOTFOUND);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	ck_assert_str_eq(sql1("SELECT count(*) FROM skms_record WHERE k = '\\x2061' "
	    "AND v IS NULL"), "1");
	/* The tombstone's change number is after every earlier change. */
	ck_assert_str_eq(sql1("SELECT k FROM skms_record ORDER BY seq DESC LIMIT 1"),
	    "\\x2061");
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_txn_put(&t, (const uint8_t *)"\x20" "a", 2,
	    (const uint8_t *)"new", 3, STORE_NOOVERWRITE), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	/* A read transaction cannot write; a second one at once is busy. */
	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_txn_put(&t, (const uint8_t *)"\x20" "c", 2,
	    (const uint8_t *)"x", 1, 0), SKM_ESTATE);
	store_txn_abort(&t);
	{
		struct store_txn t2;

		ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
		ck_assert_int_eq(store_txn_begin(st, 0, &t2), SKM_EBUSY);
		store_txn_abort(&t);
	}
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_txn_del_prefix(&t, (const uint8_t *)"\x20", 1, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	store_close(st);
}
END_TEST

struct seen {
	char keys[16][8];
	size_t n;
};

static int
collect(const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen, void *arg)
{
	struct seen *s = arg;

	(void)val;
	(void)vlen;
	ck_assert_uint_lt(s->n, 16);
	ck_assert_uint_lt(klen, 8);
	memcpy(s->keys[s->n], key, klen);
	s->keys[s->n][klen] = '\0';
	s->n++;
	return 0;
}

/* Keys in memcmp order, prefixes of 0xff octets included, as in LMDB. */
START_TEST(scan_order)
{
	static const char *const keys[] = {
		"\x30\xff\xff", "\x30\x01", "\x30\x01\x01", "\x30\xff", "\x31",
		"\x2f\xff", "\x30\x80",
	};
	struct store *st;
	struct store_txn t;
	struct seen s;
	size_t i;

	reset_db();
	st = open_pg("n1");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		put(st, keys[i], strlen(keys[i]), "v");
	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(store_txn_scan(&t, (const uint8_t *)"\x30", 1, NULL, 0, collect,
	    &s), 0);
	ck_assert_uint_eq(s.n, 5);
	ck_assert_str_eq(s.keys[0], "\x30\x01");
	ck_assert_str_eq(s.keys[1], "\x30\x01\x01");
	ck_assert_str_eq(s.keys[2], "\x30\x80");
	ck_assert_str_eq(s.keys[3], "\x30\xff");
	ck_assert_str_eq(s.keys[4], "\x30\xff\xff");
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(store_txn_scan(&t, (const uint8_t *)"\x30\xff", 2, NULL, 0,
	    collect, &s), 0);
	ck_assert_uint_eq(s.n, 2);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(store_txn_scan(&t, (const uint8_t *)"\x30", 1,
	    (const uint8_t *)"\x30\x02", 2, collect, &s), 0);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_str_eq(s.keys[0], "\x30\x80");
	store_txn_abort(&t);
	store_close(st);
}
END_TEST

/* A read transaction is one snapshot: a later commit is not in it. */
START_TEST(snapshot)
{
	struct store *a, *b;
	struct store_txn t;
	const uint8_t *v;
	size_t l;

	reset_db();
	a = open_pg("n1");
	b = open_pg("n2");
	ck_assert_int_eq(store_txn_begin(a, 0, &t), 0);
	ck_assert_int_eq(store_txn_get(&t, (const uint8_t *)"\x20" "q", 2, &v, &l),
	    SKM_ENOTFOUND);
	put(b, "\x20" "q", 2, "later");
	ck_assert_int_eq(store_txn_get(&t, (const uint8_t *)"\x20" "q", 2, &v, &l),
	    SKM_ENOTFOUND);
	store_txn_abort(&t);
	ck_assert_int_eq(store_txn_begin(a, 0, &t), 0);
	ck_assert_int_eq(store_txn_get(&t, (const uint8_t *)"\x20" "q", 2, &v, &l), 0);
	store_txn_abort(&t);
	store_close(a);
	store_close(b);
}
END_TEST

static int
count_audit(const struct audit_rec *r, void *arg)
{
	(void)r;
	(*(int *)arg)++;
	return 0;
}

/* The audit in skms_audit, journal marks per node, re-imports adding nothing. */
START_TEST(audit_nodes)
{
	struct audit_rec r = { 0, 100, "skmsd", "keyprov", NULL, 0, "" };
	struct store_audit_batch b;
	struct store *a, *c;
	struct store_txn t;
	uint64_t seq, gen;
	int i, n = 0;

	reset_db();
	a = open_pg("node-a");
	c = open_pg("node-c");
	ck_assert_int_eq(store_txn_begin(a, 1, &t), 0);
	ck_assert_int_eq(store_audit_append(&t, &r, &seq), 0);
	ck_assert_uint_eq(seq, 1);
	ck_assert_int_eq(store_audit_journal_put(&t, 7), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	ck_assert_int_eq(store_txn_begin(c, 0, &t), 0);
	ck_assert_int_eq(store_audit_journal_get(&t, &gen), 0);
	ck_assert_uint_eq(gen, 0);
	store_txn_abort(&t);
	/* One generation imported twice: its records are there once. */
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(store_txn_begin(c, 1, &t), 0);
		store_audit_batch_begin(&b, &t);
		store_audit_batch_gen(&b, 3);
		ck_assert_int_eq(store_audit_batch_add(&b, &r, NULL), 0);
		ck_assert_int_eq(store_audit_batch_add(&b, &r, NULL), 0);
		ck_assert_int_eq(store_audit_batch_end(&b), 0);
		ck_assert_int_eq(store_audit_journal_put(&t, 3), 0);
		ck_assert_int_eq(store_txn_commit(&t), 0);
	}
	ck_assert_str_eq(sql1("SELECT count(*) FROM skms_audit WHERE node = 'node-c'"), "2");
	ck_assert_str_eq(sql1("SELECT journal_gen FROM skms_node WHERE node = 'node-a'"),
	    "7");
	ck_assert_int_eq(store_txn_begin(a, 0, &t), 0);
	ck_assert_int_eq(store_audit_list(&t, 0, NULL, 0, count_audit, &n), 0);
	store_txn_abort(&t);
	ck_assert_int_eq(n, 3);
	/* Removing a range removes exactly it, or nothing. */
	ck_assert_int_eq(store_txn_begin(a, 1, &t), 0);
	ck_assert_int_eq(store_audit_remove(&t, 1, 5), SKM_ENOTFOUND);
	store_txn_abort(&t);
	ck_assert_str_eq(sql1("SELECT count(*) FROM skms_audit"), "3");
	ck_assert_int_eq(store_txn_begin(a, 1, &t), 0);
	ck_assert_int_eq(store_audit_remove(&t, 1, 1), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	ck_assert_str_eq(sql1("SELECT min(seq) FROM skms_audit"), "2");
	store_close(a);
	store_close(c);
}
END_TEST

/* LMDB into PostgreSQL and back: records, audit numbers, next number, mark. */
START_TEST(copy_between)
{
	struct audit_rec r = { 0, 100, "skmsctl", "user add", NULL, 0, "" };
	struct store *l = NULL, *p, *back = NULL;
	struct store_txn t;
	const uint8_t *v;
	uint64_t seq, gen;
	size_t vl;
	char why[512];

	reset_db();
	ck_assert_int_eq(store_open(fix_path("copy"), STORE_CREATE, &l), 0);
	put(l, "\x20" "k", 2, "val");
	ck_assert_int_eq(store_txn_begin(l, 1, &t), 0);
	ck_assert_int_eq(store_audit_append(&t, &r, NULL), 0);
	ck_assert_int_eq(store_audit_append(&t, &r, NULL), 0);
	ck_assert_int_eq(store_audit_remove(&t, 1, 1), 0);
	ck_assert_int_eq(store_audit_journal_put(&t, 9), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	p = open_pg("n1");
	ck_assert_msg(store_copy(l, p, why, sizeof(why)) == 0, "%s", why);
	ck_assert_int_eq(store_copy(l, p, why, sizeof(why)), SKM_EEXIST);
	ck_assert_str_eq(sql1("SELECT seq FROM skms_audit"), "2");
	ck_assert_int_eq(store_txn_begin(p, 1, &t), 0);
	ck_assert_int_eq(store_audit_journal_get(&t, &gen), 0);
	ck_assert_uint_eq(gen, 9);
	ck_assert_int_eq(store_audit_append(&t, &r, &seq), 0);
	ck_assert_uint_eq(seq, 3);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	ck_assert_int_eq(store_open(fix_path("back"), STORE_CREATE, &back), 0);
	ck_assert_msg(store_copy(p, back, why, sizeof(why)) == 0, "%s", why);
	ck_assert_int_eq(store_txn_begin(back, 1, &t), 0);
	ck_assert_int_eq(store_txn_get(&t, (const uint8_t *)"\x20" "k", 2, &v, &vl), 0);
	ck_assert_mem_eq(v, "val", 3);
	ck_assert_int_eq(store_audit_journal_get(&t, &gen), 0);
	ck_assert_uint_eq(gen, 9);
	ck_assert_int_eq(store_audit_append(&t, &r, &seq), 0);
	ck_assert_uint_eq(seq, 4);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	store_close(back);
	store_close(p);
	store_close(l);
}
END_TEST

/* A change commits with NOTIFY skms_change; a read-only one does not. */
START_TEST(notify)
{
	struct store_config cf = { STORE_BACKEND_POSTGRESQL, NULL, 0, conninfo, pwfile,
	    "n1" };
	struct store *st;
	struct store_txn t;
	struct pg_conn *c = NULL;
	PGnotify *n;
	PGresult *r;
	char why[512], display[1024];
	const uint8_t *v;
	size_t l;
	int i, got = 0;

	reset_db();
	st = open_pg("n1");
	ck_assert_msg(store_pg_connect(&cf, &c, display, sizeof(display), why,
	    sizeof(why)) == 0, "%s", why);
	ck_assert_ptr_null(strstr(display, "password"));
	r = PQexec((PGconn *)c, "LISTEN skms_change");
	ck_assert_int_eq(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	store_txn_get(&t, (const uint8_t *)"\x20" "a", 2, &v, &l);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	put(st, "\x20" "a", 2, "x");
	/* Sent at commit; the listener sees it at its next command or so. */
	for (i = 0; i < 1000 && got == 0; i++) {
		r = PQexec((PGconn *)c, "SELECT 1");
		PQclear(r);
		while ((n = PQnotifies((PGconn *)c)) != NULL) {
			ck_assert_str_eq(n->relname, "skms_change");
			got++;
			PQfreemem(n);
		}
	}
	/* One change, one notification: the read transaction sent none. */
	ck_assert_int_eq(got, 1);
	PQfinish((PGconn *)c);
	store_close(st);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("store_pg");
	TCase *tc = tcase_create("pg");
	SRunner *sr;
	int failed;

	conninfo = getenv("SKMS_TEST_PG_CONNINFO");
	pwfile = getenv("SKMS_TEST_PG_PWFILE");
	if (conninfo == NULL || pwfile == NULL) {
		fprintf(stderr, "SKIP: no PostgreSQL server named (tests/store_pg.sh)\n");
		return 77;
	}
	tcase_add_unchecked_fixture(tc, fix_setup, fix_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, primitives);
	tcase_add_test(tc, scan_order);
	tcase_add_test(tc, snapshot);
	tcase_add_test(tc, audit_nodes);
	tcase_add_test(tc, copy_between);
	tcase_add_test(tc, notify);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
