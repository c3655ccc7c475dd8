/* SPDX-License-Identifier: ISC */
/*
 * The audit journal's import into the cluster database (auditt.h): one
 * database transaction inserts the generation's records into skms_audit
 * as (node, generation, index, record value) with ON CONFLICT DO NOTHING,
 * up to AUDITT_PG_ROWS rows a statement (two arrays, unnest()ed: a round
 * trip per row would cap a node at a few thousand key sets a second). The
 * arrays go in PostgreSQL's binary array format: as text literals with
 * hex bytea, parsing them cost the database about a third of its CPU per
 * record, on the same cores as the node in a small deployment.
 * and raises skms_node.journal_gen to the generation. A generation moved
 * again (the mark was not readable at start, or the commit's answer was
 * lost with the connection) adds nothing: every record reaches the
 * database exactly once. No advisory lock: the audit is not in the change
 * sequence of skms_record.
 *
 * Not the store's PostgreSQL backend (store_audit_batch_gen() with
 * store_audit_journal_put()), which does the same with one round trip
 * per record and takes the writers' advisory lock: here the connection is
 * the store's (pgconn_open()), the statements batch.
 */
#include "server/auditt.h"
#include "server/pgconn.h"
#include "common/err.h"
#include "store/audit.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#define AUDITT_PG_ROWS	1000

/* Element type OIDs of the binary arrays (pg_type.h). */
#define PG_INT4_OID	23
#define PG_BYTEA_OID	17
/* A binary one-dimensional array's header: ndim, flags, type, length, lower bound. */
#define PG_ARRAY_HDR	20

/* A growing buffer; err once an allocation failed. */
struct pg_text {
	char *p;
	size_t len, cap;
	int err;
};

struct auditt_pg {
	char *conninfo;
	char *password_file;
	char *node;
	PGconn *c;
	int open;			/* a transaction is open */
	char gen[24];
	struct pg_text idx, rec;	/* binary arrays of the rows waiting */
	size_t rows;
};

static void
text_add(struct pg_text *t, const char *s, size_t n)
{
	char *p;
	size_t cap;

	if (t->err)
		return;
	if (t->len + n + 1 > t->cap) {
		cap = t->cap ? t->cap : 4096;
		while (cap < t->len + n + 1)
			cap *= 2;
		if ((p = realloc(t->p, cap)) == NULL) {
			t->err = 1;
			return;
		}
		t->p = p;
		t->cap = cap;
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = '\0';
}

static void
text_reset(struct pg_text *t)
{
	t->len = 0;
	t->err = 0;
}

static void
text_u32(struct pg_text *t, uint32_t v)
{
	char b[4] = { (char)(v >> 24), (char)(v >> 16), (char)(v >> 8), (char)v };

	text_add(t, b, 4);
}

/* Starts a binary array of elements of type oid; its length is set at the end. */
static void
array_start(struct pg_text *t, uint32_t oid)
{
	text_reset(t);
	text_u32(t, 1);		/* one dimension */
	text_u32(t, 0);		/* no NULL elements */
	text_u32(t, oid);
	text_u32(t, 0);		/* the number of elements: array_end() */
	text_u32(t, 1);		/* lower bound */
}

static void
array_end(struct pg_text *t, uint32_t n)
{
	if (t->err || t->len < PG_ARRAY_HDR)
		return;
	t->p[12] = (char)(n >> 24);
	t->p[13] = (char)(n >> 16);
	t->p[14] = (char)(n >> 8);
	t->p[15] = (char)n;
}

/* A failed statement: the connection gone is SKM_EUNREACH, else SKM_ESTORE. */
static int
pg_fail(struct auditt_pg *p)
{
	if (p->c != NULL && PQstatus(p->c) == CONNECTION_OK)
		return SKM_ESTORE;
	PQfinish(p->c);
	p->c = NULL;
	p->open = 0;
	return SKM_EUNREACH;
}

static int
pg_exec(struct auditt_pg *p, const char *sql, int n, const char *const *vals,
    const int *lens, const int *fmts)
{
	PGresult *res;
	int ok;

	res = PQexecParams(p->c, sql, n, NULL, vals, lens, fmts, 0);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK ||
	    PQresultStatus(res) == PGRES_TUPLES_OK;
	PQclear(res);
	return ok ? 0 : pg_fail(p);
}

static int
pg_connect(struct auditt_pg *p)
{
	char why[512];

	if (p->c != NULL && PQstatus(p->c) == CONNECTION_OK)
		return 0;
	PQfinish(p->c);
	p->c = NULL;
	/* Any failure to connect (wrong password included) keeps the records waiting. */
	return pgconn_open(p->conninfo, p->password_file, &p->c, why, sizeof(why)) == 0 ?
	    0 : SKM_EUNREACH;
}

static int
pg_mark(void *arg, uint64_t *gen)
{
	struct auditt_pg *p = arg;
	const char *vals[1] = { p->node };
	PGresult *res;
	int rc;

	*gen = 0;
	if ((rc = pg_connect(p)) != 0)
		return rc;
	res = PQexecParams(p->c, "SELECT journal_gen FROM skms_node WHERE node = $1", 1,
	    NULL, vals, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		return pg_fail(p);
	}
	if (PQntuples(res) == 1)
		*gen = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

static int
pg_begin(void *arg, uint64_t gen)
{
	struct auditt_pg *p = arg;
	int rc;

	if ((rc = pg_connect(p)) != 0)
		return rc;
	snprintf(p->gen, sizeof(p->gen), "%" PRIu64, gen);
	array_start(&p->idx, PG_INT4_OID);
	array_start(&p->rec, PG_BYTEA_OID);
	p->rows = 0;
	if ((rc = pg_exec(p, "BEGIN", 0, NULL, NULL, NULL)) != 0)
		return rc;
	p->open = 1;
	return 0;
}

/* Inserts the rows waiting, in the open transaction. */
static int
pg_flush(struct auditt_pg *p)
{
	const char *vals[4];
	int lens[4] = { 0, 0, 0, 0 }, fmts[4] = { 0, 0, 1, 1 };
	int rc;

	if (p->rows == 0)
		return 0;
	array_end(&p->idx, (uint32_t)p->rows);
	array_end(&p->rec, (uint32_t)p->rows);
	if (p->idx.err || p->rec.err || p->idx.len > INT32_MAX || p->rec.len > INT32_MAX)
		return SKM_ENOMEM;
	vals[0] = p->node;
	vals[1] = p->gen;
	vals[2] = p->idx.p;
	vals[3] = p->rec.p;
	lens[2] = (int)p->idx.len;
	lens[3] = (int)p->rec.len;
	rc = pg_exec(p, "INSERT INTO skms_audit (node, gen, idx, rec) "
	    "SELECT $1, $2, i, r FROM unnest($3::integer[], $4::bytea[]) AS t (i, r) "
	    "ON CONFLICT (node, gen, idx) DO NOTHING", 4, vals, lens, fmts);
	array_start(&p->idx, PG_INT4_OID);
	array_start(&p->rec, PG_BYTEA_OID);
	p->rows = 0;
	return rc;
}

static int
pg_add(void *arg, const struct audit_rec *r, uint32_t idx)
{
	struct auditt_pg *p = arg;
	uint8_t *v;
	size_t len;
	int rc;

	if ((rc = store_audit_encode(r, &v, &len)) != 0)
		return rc;
	if (len > INT32_MAX) {
		free(v);
		return SKM_ELEN;
	}
	/* Each element: its length, then its value (int4 in network order). */
	text_u32(&p->idx, 4);
	text_u32(&p->idx, idx);
	text_u32(&p->rec, (uint32_t)len);
	text_add(&p->rec, (const char *)v, len);
	free(v);
	p->rows++;
	if (p->idx.err || p->rec.err)
		return SKM_ENOMEM;
	return p->rows >= AUDITT_PG_ROWS ? pg_flush(p) : 0;
}

static int
pg_commit(void *arg, uint64_t gen)
{
	struct auditt_pg *p = arg;
	const char *vals[2] = { p->node, p->gen };
	int rc;

	(void)gen;
	if ((rc = pg_flush(p)) != 0) {
		if (p->c != NULL)
			(void)pg_exec(p, "ROLLBACK", 0, NULL, NULL, NULL);
		p->open = 0;
		return rc;
	}
	rc = pg_exec(p, "INSERT INTO skms_node (node, journal_gen) VALUES ($1, $2) "
	    "ON CONFLICT (node) DO UPDATE SET journal_gen = "
	    "greatest(skms_node.journal_gen, excluded.journal_gen)", 2, vals, NULL, NULL);
	if (rc == 0)
		rc = pg_exec(p, "COMMIT", 0, NULL, NULL, NULL);
	else if (p->c != NULL)
		(void)pg_exec(p, "ROLLBACK", 0, NULL, NULL, NULL);
	p->open = 0;
	return rc;
}

static void
pg_abort(void *arg)
{
	struct auditt_pg *p = arg;

	if (p->open && p->c != NULL)
		(void)pg_exec(p, "ROLLBACK", 0, NULL, NULL, NULL);
	p->open = 0;
	array_start(&p->idx, PG_INT4_OID);
	array_start(&p->rec, PG_BYTEA_OID);
	p->rows = 0;
}

static void
pg_free(void *arg)
{
	struct auditt_pg *p = arg;

	if (p == NULL)
		return;
	pg_abort(p);
	PQfinish(p->c);
	free(p->idx.p);
	free(p->rec.p);
	free(p->conninfo);
	free(p->password_file);
	free(p->node);
	free(p);
}

static const struct auditt_ops auditt_pg_ops = {
	.mark = pg_mark,
	.begin = pg_begin,
	.add = pg_add,
	.commit = pg_commit,
	.abort = pg_abort,
	.free = pg_free,
};

int
auditt_pg(const char *conninfo, const char *password_file, const char *node,
    struct auditt *out)
{
	struct auditt_pg *p;

	out->ops = NULL;
	out->arg = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return SKM_ENOMEM;
	if ((p->conninfo = strdup(conninfo)) == NULL ||
	    (p->password_file = strdup(password_file)) == NULL ||
	    (p->node = strdup(node)) == NULL) {
		pg_free(p);
		return SKM_ENOMEM;
	}
	out->ops = &auditt_pg_ops;
	out->arg = p;
	return 0;
}
