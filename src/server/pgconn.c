/* SPDX-License-Identifier: ISC */
/*
 * Connecting to the cluster database (see pgconn.h). The conninfo is
 * expanded by libpq; connect_timeout and application_name given before it
 * are defaults the conninfo may override, the password from the file
 * comes after it and wins. TLS is whatever the conninfo says (sslmode,
 * sslrootcert): verify-full is the documented setting.
 */
#include "server/pgconn.h"
#include "server/log.h"
#include "common/err.h"
#include "common/secfile.h"
#include "conf/conf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#define PGCONN_PASSWORD_MAX	1024

const char *
pgconn_error(PGconn *c, char *buf, size_t len)
{
	size_t n;

	char *p;

	snprintf(buf, len, "%s", c != NULL ? PQerrorMessage(c) : "out of memory");
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	/* One line for the log: libpq continues a message on a tabbed line. */
	for (p = buf; *p != '\0'; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	return buf;
}

/* The server's notices (its shutdown, say): to the log, never raw to stderr. */
static void
pgconn_notice(void *arg, const char *msg)
{
	char buf[512];
	size_t n;

	(void)arg;
	snprintf(buf, sizeof(buf), "%s", msg);
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	log_debug("database: %s", buf);
}

/* Is the database's schema one this code reads? */
static int
pgconn_schema(PGconn *c, char *why, size_t whylen)
{
	PGresult *res;
	char err[256];
	long v;
	int rc = 0;

	res = PQexec(c, "SELECT max(version) FROM skms_schema");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = PQstatus(c) == CONNECTION_OK ? SKM_ESTATE : SKM_EUNREACH;
		skm_why(why, whylen, rc, "reading the schema version: %s",
		    pgconn_error(c, err, sizeof(err)));
	} else if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
		rc = skm_why(why, whylen, SKM_ESTATE,
		    "the database has no skms schema (run 'skmsctl init')");
	} else if ((v = strtol(PQgetvalue(res, 0, 0), NULL, 10)) > PGCONN_SCHEMA_VERSION) {
		rc = skm_why(why, whylen, SKM_ESTATE, "the database's schema version %ld is "
		    "newer than this skmsd's (%d)", v, PGCONN_SCHEMA_VERSION);
	}
	PQclear(res);
	return rc;
}

int
pgconn_open(const char *conninfo, const char *password_file, PGconn **out,
    char *why, size_t whylen)
{
	/*
	 * A server that stops answering over TCP is given up after about 20 s
	 * (keepalives, unacknowledged data), so that the follower reconnects
	 * and a stop of skmsd does not wait on it for good.
	 */
	const char *keys[9] = { "connect_timeout", "application_name", "keepalives_idle",
	    "keepalives_interval", "keepalives_count", "tcp_user_timeout", "dbname", NULL,
	    NULL };
	const char *vals[9] = { "5", "skmsd", "10", "5", "2", "20000", conninfo, NULL,
	    NULL };
	char pw[PGCONN_PASSWORD_MAX + 1], err[512];
	size_t n = 0;
	PGconn *c;
	int rc;

	*out = NULL;
	if (password_file != NULL && password_file[0] != '\0') {
		if ((rc = secfile_read(password_file, (uint8_t *)pw, PGCONN_PASSWORD_MAX, &n,
		    why, whylen)) != 0)
			return rc;
		while (n > 0 && (pw[n - 1] == '\n' || pw[n - 1] == '\r'))
			n--;
		pw[n] = '\0';
		keys[7] = "password";
		vals[7] = pw;
	}
	c = PQconnectdbParams(keys, vals, 1);
	OPENSSL_cleanse(pw, sizeof(pw));
	if (c != NULL)
		PQsetNoticeProcessor(c, pgconn_notice, NULL);
	if (c == NULL || PQstatus(c) != CONNECTION_OK) {
		pgconn_error(c, err, sizeof(err));
		/* libpq has no error code for it: SQLSTATE 28P01 is in the text only. */
		rc = strstr(err, "password authentication failed") != NULL ? SKM_EAUTH :
		    SKM_EUNREACH;
		skm_why(why, whylen, rc, "%s", err);
		PQfinish(c);
		return rc;
	}
	if ((rc = pgconn_schema(c, why, whylen)) != 0) {
		PQfinish(c);
		return rc;
	}
	*out = c;
	return 0;
}

int
pgconn_node(const struct conf *cf, char *buf, size_t len)
{
	if (cf->node.name[0] != '\0') {
		if ((size_t)snprintf(buf, len, "%s", cf->node.name) >= len)
			return SKM_ELEN;
		return 0;
	}
	if (gethostname(buf, len) != 0)
		return SKM_EIO;
	buf[len - 1] = '\0';
	return 0;
}
