/* SPDX-License-Identifier: ISC */
/*
 * A libpq connection to the cluster's PostgreSQL database for skmsd's own
 * threads (the replica follower, the audit import), made by the store's
 * rules (store_pg_connect(): store.postgresql.conninfo, the password file,
 * the same refusals and reasons) with the server's notices sent to the
 * log, and the name of this node (node.name, else the host name).
 * Blocking: never on the event loops.
 */
#ifndef SKM_SERVER_PGCONN_H
#define SKM_SERVER_PGCONN_H

#include <stddef.h>

#include <libpq-fe.h>

struct conf;

/*
 * Connects and checks the database's schema version
 * (store_pg_schema_check()); *out is closed with PQfinish().
 * SKM_EUNREACH: no connection; SKM_EAUTH: the password was refused;
 * SKM_ENOTFOUND: no schema (or no database); SKM_ESTATE: a newer schema;
 * SKM_EPERM or SKM_EINVAL: the password file or the conninfo.
 */
int pgconn_open(const char *conninfo, const char *password_file, PGconn **out,
    char *why, size_t whylen);

/* The node's name: node.name, else the host name, into buf. */
int pgconn_node(const struct conf *cf, char *buf, size_t len);

/* libpq's last message on c, without its trailing newline, into buf. */
const char *pgconn_error(PGconn *c, char *buf, size_t len);

#endif
