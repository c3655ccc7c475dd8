/* SPDX-License-Identifier: ISC */
/*
 * The store's primitives in SQL over the schema of pg.c. A write
 * transaction first takes one transaction-level advisory lock, so writers
 * run one at a time and skms_change_seq order is commit order (a replica
 * that has applied change N has seen every change below N); it runs READ
 * COMMITTED, which under the lock sees every earlier commit. A read
 * transaction is one REPEATABLE READ snapshot. Every result read stays in
 * the transaction until it ends, so the pointers handed out stay valid as
 * they do in LMDB. One transaction at a time per connection.
 */
#include "store/store.h"
#include "store/store_int.h"
#include "store/pg.h"
#include "common/be.h"
#include "common/err.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

struct store_pgtxn {
	PGresult **res;		/* kept until the end: reads point into them */
	size_t n, cap;
	int changed;		/* skms_record changed: NOTIFY at commit */
};

/* Up to four parameters, each text (numbers) or binary (octets). */
struct pg_args {
	int n;
	const char *v[4];
	int len[4];
	int fmt[4];
	char num[4][24];
};

static void
arg_bin(struct pg_args *a, const uint8_t *p, size_t len)
{
	a->v[a->n] = p != NULL ? (const char *)p : "";
	a->len[a->n] = (int)len;
	a->fmt[a->n++] = 1;
}

static void
arg_u64(struct pg_args *a, uint64_t x)
{
	snprintf(a->num[a->n], sizeof(a->num[a->n]), "%" PRIu64, x);
	a->v[a->n] = a->num[a->n];
	a->len[a->n] = 0;
	a->fmt[a->n++] = 0;
}

static void
arg_text(struct pg_args *a, const char *s)
{
	a->v[a->n] = s;
	a->len[a->n] = 0;
	a->fmt[a->n++] = 0;
}

static struct store_pg *
pg_of(struct store_txn *t)
{
	return t->st->pg;
}

/*
 * Runs sql; a failure is the SKM_E* code. With keep, a result with rows
 * stays in the transaction and *out points at it; else *out (may be NULL)
 * gets the result, which the caller clears.
 */
static int
pg_run(struct store_txn *t, const char *sql, const struct pg_args *a, int keep,
    PGresult **out)
{
	struct store_pgtxn *x = t->pg;
	PGresult *r, **res;
	ExecStatusType s;
	size_t cap;

	if (out != NULL)
		*out = NULL;
	if (keep && x->n == x->cap) {
		cap = x->cap == 0 ? 8 : x->cap * 2;
		if ((res = realloc(x->res, cap * sizeof(*res))) == NULL)
			return SKM_ENOMEM;
		x->res = res;
		x->cap = cap;
	}
	r = PQexecParams(pg_of(t)->conn, sql, a != NULL ? a->n : 0, NULL,
	    a != NULL ? a->v : NULL, a != NULL ? a->len : NULL,
	    a != NULL ? a->fmt : NULL, 1);
	s = PQresultStatus(r);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		int err = store_pg_err(pg_of(t), r);

		PQclear(r);
		return err;
	}
	if (keep)
		x->res[x->n++] = r;
	if (out != NULL)
		*out = r;
	else if (!keep)
		PQclear(r);
	return 0;
}

/* The rows a command touched. */
static uint64_t
pg_count(PGresult *r)
{
	return strtoull(PQcmdTuples(r), NULL, 10);
}

static void
pg_end(struct store_txn *t)
{
	struct store_pgtxn *x = t->pg;
	size_t i;

	for (i = 0; i < x->n; i++)
		PQclear(x->res[i]);
	free(x->res);
	free(x);
	t->pg = NULL;
	pg_of(t)->busy = 0;
}

static int
pg_begin(struct store_txn *t)
{
	struct store_pg *pg = pg_of(t);
	int err;

	if (pg->busy)
		return SKM_EBUSY;
	/* A connection lost since the last transaction is made again, once. */
	if (PQstatus(pg->conn) != CONNECTION_OK) {
		PQreset(pg->conn);
		if (PQstatus(pg->conn) != CONNECTION_OK) {
			store_pg_err(pg, NULL);
			return SKM_EUNREACH;
		}
	}
	if ((t->pg = calloc(1, sizeof(*t->pg))) == NULL)
		return SKM_ENOMEM;
	pg->busy = 1;
	err = pg_run(t, t->write ? "BEGIN ISOLATION LEVEL READ COMMITTED" :
	    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", NULL, 0, NULL);
	if (err == 0 && t->write)
		err = pg_run(t, "SELECT pg_advisory_xact_lock(" STORE_PG_LOCK ")", NULL,
		    0, NULL);
	if (err != 0) {
		PQclear(PQexec(pg->conn, "ROLLBACK"));
		pg_end(t);
	}
	return err;
}

static int
pg_commit(struct store_txn *t)
{
	PGresult *r = NULL;
	int err = 0;

	if (t->pg->changed)
		err = pg_run(t, "NOTIFY skms_change", NULL, 0, NULL);
	if (err == 0 && (err = pg_run(t, "COMMIT", NULL, 0, &r)) == 0 &&
	    strcmp(PQcmdStatus(r), "COMMIT") != 0)
		err = SKM_ESTORE;	/* the server had aborted it: ROLLBACK */
	PQclear(r);
	if (err != 0)
		PQclear(PQexec(pg_of(t)->conn, "ROLLBACK"));
	pg_end(t);
	return err;
}

static void
pg_abort(struct store_txn *t)
{
	PQclear(PQexec(pg_of(t)->conn, "ROLLBACK"));
	pg_end(t);
}

static int
pg_put(struct store_txn *t, const uint8_t *key, size_t klen, const uint8_t *val,
    size_t vlen, unsigned flags)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int err;

	arg_bin(&a, key, klen);
	arg_bin(&a, val, vlen);
	/* A tombstone is no record: NOOVERWRITE may replace it. */
	err = pg_run(t, (flags & STORE_NOOVERWRITE) ?
	    "INSERT INTO skms_record (k, v, seq) VALUES ($1, $2, "
	    "nextval('skms_change_seq')) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v, "
	    "seq = EXCLUDED.seq WHERE skms_record.v IS NULL" :
	    "INSERT INTO skms_record (k, v, seq) VALUES ($1, $2, "
	    "nextval('skms_change_seq')) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v, "
	    "seq = EXCLUDED.seq", &a, 0, &r);
	if (err != 0)
		return err;
	if (pg_count(r) == 0)
		err = SKM_EEXIST;
	else
		t->pg->changed = 1;
	PQclear(r);
	return err;
}

static int
pg_get(struct store_txn *t, const uint8_t *key, size_t klen, const uint8_t **val,
    size_t *vlen)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int err;

	arg_bin(&a, key, klen);
	if ((err = pg_run(t, "SELECT v FROM skms_record WHERE k = $1 AND v IS NOT NULL",
	    &a, 1, &r)) != 0)
		return err;
	if (PQntuples(r) != 1)
		return SKM_ENOTFOUND;
	*val = (const uint8_t *)PQgetvalue(r, 0, 0);
	*vlen = (size_t)PQgetlength(r, 0, 0);
	return 0;
}

static int
pg_del(struct store_txn *t, const uint8_t *key, size_t klen)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int err;

	arg_bin(&a, key, klen);
	if ((err = pg_run(t, "UPDATE skms_record SET v = NULL, "
	    "seq = nextval('skms_change_seq') WHERE k = $1 AND v IS NOT NULL",
	    &a, 0, &r)) != 0)
		return err;
	if (pg_count(r) == 0)
		err = SKM_ENOTFOUND;
	else
		t->pg->changed = 1;
	PQclear(r);
	return err;
}

/*
 * The first key after every key that starts with prefix, into end; 0 if
 * there is none (a prefix of 0xff octets only, or no prefix).
 */
static size_t
prefix_end(const uint8_t *prefix, size_t plen, uint8_t *end)
{
	while (plen > 0 && prefix[plen - 1] == 0xff)
		plen--;
	if (plen == 0)
		return 0;
	memcpy(end, prefix, plen);
	end[plen - 1]++;
	return plen;
}

static int
pg_scan(struct store_txn *t, const uint8_t *prefix, size_t plen,
    const uint8_t *from, size_t flen, store_scan_fn *fn, void *arg, int *fnerr)
{
	struct pg_args a = { 0 };
	uint8_t end[STORE_KEY_MAX];
	size_t elen = prefix_end(prefix, plen, end);
	PGresult *r;
	int i, err;

	arg_bin(&a, from, flen);
	if (elen > 0)
		arg_bin(&a, end, elen);
	/* bytea orders as memcmp, then length: LMDB's order. */
	if ((err = pg_run(t, elen > 0 ?
	    "SELECT k, v FROM skms_record WHERE k >= $1 AND k < $2 AND v IS NOT NULL "
	    "ORDER BY k" :
	    "SELECT k, v FROM skms_record WHERE k >= $1 AND v IS NOT NULL ORDER BY k",
	    &a, 1, &r)) != 0)
		return err;
	for (i = 0; i < PQntuples(r); i++) {
		*fnerr = fn((const uint8_t *)PQgetvalue(r, i, 0),
		    (size_t)PQgetlength(r, i, 0), (const uint8_t *)PQgetvalue(r, i, 1),
		    (size_t)PQgetlength(r, i, 1), arg);
		if (*fnerr != 0)
			break;
	}
	return 0;
}

static int
pg_del_prefix(struct store_txn *t, const uint8_t *prefix, size_t plen, size_t *n)
{
	struct pg_args a = { 0 };
	uint8_t end[STORE_KEY_MAX];
	size_t elen = prefix_end(prefix, plen, end);
	PGresult *r;
	int err;

	arg_bin(&a, prefix, plen);
	if (elen > 0)
		arg_bin(&a, end, elen);
	if ((err = pg_run(t, elen > 0 ?
	    "UPDATE skms_record SET v = NULL, seq = nextval('skms_change_seq') "
	    "WHERE k >= $1 AND k < $2 AND v IS NOT NULL" :
	    "UPDATE skms_record SET v = NULL, seq = nextval('skms_change_seq') "
	    "WHERE k >= $1 AND v IS NOT NULL", &a, 0, &r)) != 0)
		return err;
	*n = (size_t)pg_count(r);
	if (*n > 0)
		t->pg->changed = 1;
	PQclear(r);
	return 0;
}

/*
 * The audit: one skms_audit row per entry, numbered by its bigserial. A
 * journal record (gen != 0) is identified by (node, gen, idx): adding it
 * again is a no-op, so an import repeated after a crash adds nothing.
 */
static int
pg_audit_add(struct store_txn *t, uint64_t seq, uint64_t gen, uint32_t idx,
    const uint8_t *rec, size_t len, uint64_t *seqout)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int err;

	*seqout = 0;
	arg_text(&a, store_node(t->st));
	arg_bin(&a, rec, len);
	if (seq != 0) {
		arg_u64(&a, seq);
		err = pg_run(t, "INSERT INTO skms_audit (node, rec, seq) VALUES ($1, $2, $3) "
		    "RETURNING seq", &a, 0, &r);
	} else if (gen != 0) {
		arg_u64(&a, gen);
		arg_u64(&a, idx);
		err = pg_run(t, "INSERT INTO skms_audit (node, rec, gen, idx) "
		    "VALUES ($1, $2, $3, $4) ON CONFLICT (node, gen, idx) DO NOTHING "
		    "RETURNING seq", &a, 0, &r);
	} else {
		err = pg_run(t, "INSERT INTO skms_audit (node, rec) VALUES ($1, $2) "
		    "RETURNING seq", &a, 0, &r);
	}
	if (err != 0)
		return err;
	/* Binary int8: eight octets, big-endian. */
	if (PQntuples(r) == 1 && PQgetlength(r, 0, 0) == 8)
		*seqout = be_get((const uint8_t *)PQgetvalue(r, 0, 0), 8);
	PQclear(r);
	return 0;
}

static int
pg_audit_scan(struct store_txn *t, store_scan_fn *fn, void *arg, int *fnerr)
{
	uint8_t key[9];
	PGresult *r;
	int i, err;

	if ((err = pg_run(t, "SELECT seq, rec FROM skms_audit ORDER BY seq", NULL, 1,
	    &r)) != 0)
		return err;
	key[0] = STORE_C_AUDIT;
	for (i = 0; i < PQntuples(r); i++) {
		if (PQgetlength(r, i, 0) != 8)
			return SKM_ESTORE;
		memcpy(key + 1, PQgetvalue(r, i, 0), 8);
		*fnerr = fn(key, sizeof(key), (const uint8_t *)PQgetvalue(r, i, 1),
		    (size_t)PQgetlength(r, i, 1), arg);
		if (*fnerr != 0)
			break;
	}
	return 0;
}

static int
pg_audit_remove(struct store_txn *t, uint64_t first, uint64_t last)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int err;

	arg_u64(&a, first);
	arg_u64(&a, last);
	if ((err = pg_run(t, "DELETE FROM skms_audit WHERE seq BETWEEN $1 AND $2", &a,
	    0, &r)) != 0)
		return err;
	/* Every entry read must go: a gap means another remover was first. */
	if (pg_count(r) != last - first + 1)
		err = SKM_ENOTFOUND;
	PQclear(r);
	return err;
}

static int
pg_audit_next(struct store_txn *t, uint64_t *next)
{
	PGresult *r;
	int err;

	*next = 1;
	if ((err = pg_run(t, "SELECT last_value + CASE WHEN is_called THEN 1 ELSE 0 END "
	    "FROM skms_audit_seq_seq", NULL, 0, &r)) != 0)
		return err;
	if (PQntuples(r) == 1 && PQgetlength(r, 0, 0) == 8)
		*next = be_get((const uint8_t *)PQgetvalue(r, 0, 0), 8);
	else
		err = SKM_ESTORE;
	PQclear(r);
	return err;
}

static int
pg_audit_set_next(struct store_txn *t, uint64_t next)
{
	struct pg_args a = { 0 };

	if (next <= 1)
		return 0;
	arg_u64(&a, next);
	return pg_run(t, "SELECT setval('skms_audit_seq_seq', $1::bigint, false)", &a, 0,
	    NULL);
}

static int
pg_journal_get(struct store_txn *t, uint64_t *gen, int *found)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int err;

	*gen = 0;
	*found = 0;
	arg_text(&a, store_node(t->st));
	if ((err = pg_run(t, "SELECT journal_gen FROM skms_node WHERE node = $1", &a, 0,
	    &r)) != 0)
		return err;
	if (PQntuples(r) == 1 && PQgetlength(r, 0, 0) == 8) {
		*gen = be_get((const uint8_t *)PQgetvalue(r, 0, 0), 8);
		*found = 1;
	}
	PQclear(r);
	return 0;
}

static int
pg_journal_put(struct store_txn *t, uint64_t gen)
{
	struct pg_args a = { 0 };

	arg_text(&a, store_node(t->st));
	arg_u64(&a, gen);
	return pg_run(t, "INSERT INTO skms_node (node, journal_gen) VALUES ($1, $2) "
	    "ON CONFLICT (node) DO UPDATE SET journal_gen = EXCLUDED.journal_gen", &a, 0,
	    NULL);
}

const struct store_ops store_pg_ops = {
	.name = "postgresql",
	.begin = pg_begin,
	.commit = pg_commit,
	.abort = pg_abort,
	.put = pg_put,
	.get = pg_get,
	.del = pg_del,
	.scan = pg_scan,
	.del_prefix = pg_del_prefix,
	.close = store_pg_close,
	.audit_add = pg_audit_add,
	.audit_scan = pg_audit_scan,
	.audit_remove = pg_audit_remove,
	.audit_next = pg_audit_next,
	.audit_set_next = pg_audit_set_next,
	.journal_get = pg_journal_get,
	.journal_put = pg_journal_put,
};
