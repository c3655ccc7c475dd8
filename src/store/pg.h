/* SPDX-License-Identifier: ISC */
/*
 * The PostgreSQL backend's shared state (pg.c, pg_txn.c). Not for use
 * outside src/store.
 */
#ifndef SKM_STORE_PG_H
#define SKM_STORE_PG_H

#include <libpq-fe.h>

/* The version of the SQL schema (skms_schema) this code writes and reads. */
#define STORE_PG_SCHEMA_VERSION	1

/* Writers take this transaction lock first: commit order is seq order. */
#define STORE_PG_LOCK	"5394509"

struct store_pg {
	PGconn *conn;
	char display[1024];	/* the conninfo without a password */
	char msg[512];		/* the server's last error, one line */
	int busy;		/* a transaction is open on conn */
};

/* The SKM_E* code of a failed result r (or of the connection); keeps its text. */
int store_pg_err(struct store_pg *pg, const PGresult *r);

/* As store_pg_err(), with "postgresql (conninfo): message" in why. */
int store_pg_why(struct store_pg *pg, const PGresult *r, char *why, size_t whylen);

/* Frees the connection of st (store_pg_ops.close). */
void store_pg_close(struct store *st);

#endif
