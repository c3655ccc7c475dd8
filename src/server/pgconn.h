/* SPDX-License-Identifier: ISC */
/*
 * A libpq connection to the cluster's PostgreSQL database, from
 * store.postgresql.conninfo and store.postgresql.password-file (read
 * through the secret-file rules, cleansed after use), and the name of this
 * node (node.name, else the host name). Blocking: for skmsd's own threads
 * (the replica follower, the audit import), never the event loops.
 */
#ifndef SKM_SERVER_PGCONN_H
#define SKM_SERVER_PGCONN_H

#include <stddef.h>

#include <libpq-fe.h>

struct conf;

/* The schema version of the database this code knows (skms_schema). */
#define PGCONN_SCHEMA_VERSION	1

/*
 * Connects and checks the database's schema version; *out is closed with
 * PQfinish(). SKM_EUNREACH: no connection (why has libpq's reason);
 * SKM_EAUTH: the password was refused; SKM_ESTATE: no schema, or a newer
 * one; SKM_EPERM or SKM_ENOTFOUND: the password file.
 */
int pgconn_open(const char *conninfo, const char *password_file, PGconn **out,
    char *why, size_t whylen);

/* The node's name: node.name, else the host name, into buf. */
int pgconn_node(const struct conf *cf, char *buf, size_t len);

/* libpq's last message on c, without its trailing newline, into buf. */
const char *pgconn_error(PGconn *c, char *buf, size_t len);

#endif
