/* SPDX-License-Identifier: ISC */
/*
 * The PostgreSQL backend's connection: opening it from a conninfo and a
 * password file, creating the schema (skmsctl init) and refusing one it
 * does not know. Every reason names the server by its conninfo with any
 * password left out. The SQL of the transactions is in pg_txn.c. Reads no
 * config.
 */
#include "store/store.h"
#include "store/store_int.h"
#include "store/pg.h"
#include "common/err.h"
#include "common/secfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libpq-fe.h>
#include <openssl/crypto.h>

/*
 * Schema version 1. Records of every class but the audit and the
 * per-node journal mark are key/value rows; a NULL value is a tombstone,
 * kept so that a replica following skms_change_seq learns of the delete.
 */
static const char schema_v1[] =
    "CREATE TABLE skms_schema (version integer NOT NULL);"
    "CREATE SEQUENCE skms_change_seq;"
    "CREATE TABLE skms_record (k bytea PRIMARY KEY, v bytea, seq bigint NOT NULL);"
    "CREATE INDEX skms_record_seq ON skms_record (seq);"
    "CREATE TABLE skms_audit (seq bigserial PRIMARY KEY, node text NOT NULL,"
    " gen bigint, idx integer, rec bytea NOT NULL, UNIQUE (node, gen, idx));"
    "CREATE TABLE skms_node (node text PRIMARY KEY, journal_gen bigint NOT NULL);"
    "INSERT INTO skms_schema (version) VALUES (1);";

/* Server notices (an IF NOT EXISTS that skipped) are nobody's business. */
static void
pg_quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* conninfo as keyword=value pairs without the password, for reasons. */
static int
pg_display(const char *conninfo, char *out, size_t cap, int *has_password,
    char *why, size_t whylen)
{
	PQconninfoOption *opts, *o;
	char *msg = NULL;
	size_t n = 0;
	int w;

	*has_password = 0;
	out[0] = '\0';
	if ((opts = PQconninfoParse(conninfo, &msg)) == NULL) {
		skm_why(why, whylen, SKM_EINVAL, "store.postgresql.conninfo: %s",
		    msg != NULL ? strtok(msg, "\n") : "out of memory");
		PQfreemem(msg);
		return SKM_EINVAL;
	}
	for (o = opts; o->keyword != NULL; o++) {
		if (o->val == NULL || o->val[0] == '\0')
			continue;
		if (strcmp(o->keyword, "password") == 0) {
			*has_password = 1;
			continue;
		}
		w = snprintf(out + n, cap - n, "%s%s=%s", n > 0 ? " " : "", o->keyword,
		    o->val);
		if (w < 0 || (size_t)w >= cap - n)
			break;
		n += (size_t)w;
	}
	PQconninfoFree(opts);
	return 0;
}

/* The first line of libpq's message, without "FATAL:  " and the like. */
static void
pg_msg_line(const char *msg, char *out, size_t cap)
{
	const char *p;
	size_t n;

	if ((p = strstr(msg, "FATAL:  ")) != NULL)
		msg = p + 8;
	n = strcspn(msg, "\n");
	snprintf(out, cap, "%.*s", (int)n, msg);
}

/* A failed connection's SKM_E* code and reason. */
static int
pg_connect_fail(struct store_pg *pg, char *why, size_t whylen)
{
	const char *msg = PQerrorMessage(pg->conn);
	char line[512];

	pg_msg_line(msg, line, sizeof(line));
	if (strstr(msg, "password authentication failed") != NULL ||
	    strstr(msg, "authentication failed") != NULL)
		return skm_why(why, whylen, SKM_EAUTH,
		    "postgresql (%s): the server refused the password: %s", pg->display, line);
	if (strstr(msg, "no password supplied") != NULL ||
	    strstr(msg, "password is required") != NULL)
		return skm_why(why, whylen, SKM_EAUTH,
		    "postgresql (%s): the server wants a password and "
		    "store.postgresql.password-file gives none", pg->display);
	if (strstr(msg, "does not exist") != NULL)
		return skm_why(why, whylen, SKM_ENOTFOUND, "postgresql (%s): %s",
		    pg->display, line);
	return skm_why(why, whylen, SKM_EUNREACH,
	    "postgresql (%s): cannot reach the server: %s", pg->display, line);
}

/* The password file's first line into pw (cap octets), NUL-terminated. */
static int
pg_password(const char *file, char *pw, size_t cap, char *why, size_t whylen)
{
	size_t len;
	int err;

	if ((err = secfile_read(file, (uint8_t *)pw, cap - 1, &len, why, whylen)) != 0) {
		if (why != NULL && whylen > 0 && why[0] == '\0')
			skm_why(why, whylen, err, "%s: %s", file, skm_strerror(err));
		return err;
	}
	pw[len] = '\0';
	pw[strcspn(pw, "\r\n")] = '\0';
	if (pw[0] == '\0')
		return skm_why(why, whylen, SKM_EINVAL, "%s: empty password", file);
	return 0;
}

static int
pg_connect(struct store_pg *pg, const struct store_config *cf, char *why,
    size_t whylen)
{
	const char *kw[9], *val[9];
	char pw[1024];
	int n = 0, err = 0, has_password;

	if (cf->conninfo == NULL || cf->conninfo[0] == '\0')
		return skm_why(why, whylen, SKM_EINVAL,
		    "store.postgresql.conninfo: empty, but store.backend is postgresql");
	if ((err = pg_display(cf->conninfo, pg->display, sizeof(pg->display),
	    &has_password, why, whylen)) != 0)
		return err;
	if (has_password)
		return skm_why(why, whylen, SKM_EINVAL, "store.postgresql.conninfo: "
		    "holds a password; put it in store.postgresql.password-file");
	/* Earlier keywords are defaults that the conninfo may override. */
	kw[n] = "connect_timeout";
	val[n++] = "10";
	kw[n] = "fallback_application_name";
	val[n++] = "skms";
	/*
	 * A server that stops answering over TCP is given up after about
	 * 20 s (keepalives, unacknowledged data) rather than waited on for
	 * good: a node's follower then reconnects, and a stop does not hang.
	 */
	kw[n] = "keepalives_idle";
	val[n++] = "10";
	kw[n] = "keepalives_interval";
	val[n++] = "5";
	kw[n] = "keepalives_count";
	val[n++] = "2";
	kw[n] = "tcp_user_timeout";
	val[n++] = "20000";
	kw[n] = "dbname";
	val[n++] = cf->conninfo;
	if (cf->password_file != NULL && cf->password_file[0] != '\0') {
		if ((err = pg_password(cf->password_file, pw, sizeof(pw), why,
		    whylen)) != 0)
			goto out;
		kw[n] = "password";
		val[n++] = pw;
	}
	kw[n] = NULL;
	val[n] = NULL;
	pg->conn = PQconnectdbParams(kw, val, 1);
	if (pg->conn == NULL) {
		err = SKM_ENOMEM;
		goto out;
	}
	if (PQstatus(pg->conn) != CONNECTION_OK) {
		err = pg_connect_fail(pg, why, whylen);
		goto out;
	}
	PQsetNoticeProcessor(pg->conn, pg_quiet, NULL);
out:
	OPENSSL_cleanse(pw, sizeof(pw));
	return err;
}

int
store_pg_connect(const struct store_config *cf, struct pg_conn **out,
    char *display, size_t displaylen, char *why, size_t whylen)
{
	struct store_pg *pg;
	int err;

	*out = NULL;
	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if ((pg = calloc(1, sizeof(*pg))) == NULL)
		return SKM_ENOMEM;
	if ((err = pg_connect(pg, cf, why, whylen)) == 0) {
		*out = pg->conn;
		pg->conn = NULL;
	}
	if (display != NULL && displaylen > 0)
		snprintf(display, displaylen, "%s", pg->display);
	if (pg->conn != NULL)
		PQfinish(pg->conn);
	free(pg);
	return err;
}

/* One statement without parameters whose result is not needed. */
static int
pg_cmd(struct store_pg *pg, const char *sql, char *why, size_t whylen)
{
	PGresult *r = PQexec(pg->conn, sql);
	ExecStatusType s = PQresultStatus(r);
	int err = 0;

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		err = store_pg_why(pg, r, why, whylen);
	PQclear(r);
	return err;
}

/*
 * The schema version: SKM_ENOTFOUND without a schema; with create, a
 * missing schema is made, under the writers' lock so that two inits
 * cannot both make it.
 */
static int
pg_schema(struct store_pg *pg, int create, char *why, size_t whylen)
{
	PGresult *r = NULL;
	long version;
	int err;

	if (create && ((err = pg_cmd(pg, "BEGIN", why, whylen)) != 0 ||
	    (err = pg_cmd(pg, "SELECT pg_advisory_xact_lock(" STORE_PG_LOCK ")",
	    why, whylen)) != 0))
		goto out;
	r = PQexec(pg->conn, "SELECT to_regclass('skms_schema') IS NOT NULL");
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		err = store_pg_why(pg, r, why, whylen);
		goto out;
	}
	if (strcmp(PQgetvalue(r, 0, 0), "t") != 0) {
		if (!create) {
			err = skm_why(why, whylen, SKM_ENOTFOUND, "postgresql (%s): no skms "
			    "schema in this database (run 'skmsctl init')", pg->display);
			goto out;
		}
		if ((err = pg_cmd(pg, schema_v1, why, whylen)) != 0)
			goto out;
	}
	PQclear(r);
	r = PQexec(pg->conn, "SELECT version FROM skms_schema");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		err = store_pg_why(pg, r, why, whylen);
		goto out;
	}
	if (PQntuples(r) != 1) {
		err = skm_why(why, whylen, SKM_ESTORE, "postgresql (%s): skms_schema holds "
		    "%d rows, not one: damaged", pg->display, PQntuples(r));
		goto out;
	}
	version = strtol(PQgetvalue(r, 0, 0), NULL, 10);
	if (version > STORE_PG_SCHEMA_VERSION) {
		err = skm_why(why, whylen, SKM_ESTATE, "postgresql (%s): database schema "
		    "version %ld, written by a newer version of skms (this one knows %d)",
		    pg->display, version, STORE_PG_SCHEMA_VERSION);
		goto out;
	}
	if (version < 1) {
		err = skm_why(why, whylen, SKM_ESTORE, "postgresql (%s): database schema "
		    "version %ld: damaged", pg->display, version);
		goto out;
	}
	if (create)
		err = pg_cmd(pg, "COMMIT", why, whylen);
out:
	PQclear(r);
	if (err != 0 && create)
		PQclear(PQexec(pg->conn, "ROLLBACK"));
	return err;
}

int
store_pg_schema_check(struct pg_conn *c, const char *display, char *why,
    size_t whylen)
{
	struct store_pg pg;

	memset(&pg, 0, sizeof(pg));
	pg.conn = c;
	snprintf(pg.display, sizeof(pg.display), "%s", display != NULL ? display : "");
	return pg_schema(&pg, 0, why, whylen);
}

int
store_pg_open(const struct store_config *cf, unsigned flags, struct store **out,
    char *why, size_t whylen)
{
	struct store *st = NULL;
	struct store_txn t;
	uint32_t version;
	int err;

	*out = NULL;
	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->pg = calloc(1, sizeof(*st->pg))) == NULL) {
		free(st);
		return SKM_ENOMEM;
	}
	st->ops = &store_pg_ops;
	store_node_set(st, cf->node);
	/* The node's own directory (journal, a generated key file) for init. */
	if ((flags & STORE_CREATE) && cf->path != NULL && cf->path[0] != '\0' &&
	    mkdir(cf->path, 0700) == -1 && errno != EEXIST) {
		err = skm_why(why, whylen, skm_errno(errno), "%s: %s", cf->path,
		    strerror(errno));
		goto out;
	}
	if ((err = pg_connect(st->pg, cf, why, whylen)) != 0)
		goto out;
	snprintf(st->name, sizeof(st->name), "postgresql (%s)", st->pg->display);
	if ((err = pg_schema(st->pg, (flags & STORE_CREATE) != 0, why, whylen)) != 0)
		goto out;
	/*
	 * The records' own schema (META), as in an LMDB store; looked at in a
	 * read transaction first, so that opening a current database does not
	 * wait for the writers' lock.
	 */
	if ((err = store_txn_begin(st, 0, &t)) != 0)
		goto fail;
	err = store_schema_get(&t, &version);
	store_txn_abort(&t);
	if (err != 0 || version != STORE_SCHEMA_VERSION) {
		if ((err = store_txn_begin(st, 1, &t)) != 0)
			goto fail;
		store_schema_migrate(&t);
		if ((err = store_txn_commit(&t)) != 0)
			goto fail;
	}
	*out = st;
	return 0;
fail:
	if (err == SKM_ESTATE)
		skm_why(why, whylen, err, "postgresql (%s): the records' schema is newer "
		    "than this version of skms", st->pg->display);
	else
		skm_why(why, whylen, err, "postgresql (%s): %s", st->pg->display,
		    st->pg->msg[0] != '\0' ? st->pg->msg : skm_strerror(err));
out:
	store_close(st);
	return err;
}

int
store_pg_why(struct store_pg *pg, const PGresult *r, char *why, size_t whylen)
{
	int err = store_pg_err(pg, r);

	return skm_why(why, whylen, err, "postgresql (%s): %s", pg->display, pg->msg);
}

int
store_pg_err(struct store_pg *pg, const PGresult *r)
{
	const char *state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r != NULL ? PQresultErrorMessage(r) : "";

	if (msg == NULL || msg[0] == '\0')
		msg = PQerrorMessage(pg->conn);
	pg_msg_line(msg, pg->msg, sizeof(pg->msg));
	if (PQstatus(pg->conn) != CONNECTION_OK)
		return SKM_EUNREACH;
	if (state == NULL)
		return SKM_ESTORE;
	if (strcmp(state, "23505") == 0)
		return SKM_EEXIST;
	/* Serialization failure, deadlock, lock timeout, too many connections. */
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	    strcmp(state, "55P03") == 0 || strcmp(state, "53300") == 0)
		return SKM_EBUSY;
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0)
		return SKM_EUNREACH;
	if (strncmp(state, "42501", 5) == 0)
		return SKM_EPERM;
	if (strncmp(state, "53", 2) == 0)
		return SKM_EIO;
	return SKM_ESTORE;
}

const char *
store_why_last(const struct store *st)
{
	return st->pg != NULL ? st->pg->msg : "";
}

void
store_pg_close(struct store *st)
{
	if (st->pg == NULL)
		return;
	if (st->pg->conn != NULL)
		PQfinish(st->pg->conn);
	free(st->pg);
	st->pg = NULL;
}
