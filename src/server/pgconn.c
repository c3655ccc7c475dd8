/* SPDX-License-Identifier: ISC */
/*
 * Connecting to the cluster database (see pgconn.h): the store's own
 * connection (store_pg_connect(): defaults the conninfo may override,
 * keepalives, the password from the file; TLS is whatever the conninfo
 * says, verify-full being the documented setting) and its schema check.
 */
#include "server/pgconn.h"
#include "server/log.h"
#include "common/err.h"
#include "conf/conf.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

int
pgconn_open(const char *conninfo, const char *password_file, PGconn **out,
    char *why, size_t whylen)
{
	struct store_config sc;
	char display[1024];
	struct pg_conn *c;
	int rc;

	*out = NULL;
	memset(&sc, 0, sizeof(sc));
	sc.backend = STORE_BACKEND_POSTGRESQL;
	sc.conninfo = conninfo;
	sc.password_file = password_file;
	if ((rc = store_pg_connect(&sc, &c, display, sizeof(display), why, whylen)) != 0)
		return rc;
	PQsetNoticeProcessor(c, pgconn_notice, NULL);
	if ((rc = store_pg_schema_check(c, display, why, whylen)) != 0) {
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
