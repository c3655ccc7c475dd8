/* SPDX-License-Identifier: ISC */
/*
 * Where the audit journal (auditj.h) moves its sealed generations: the
 * import target. Each generation moves in one transaction of the target
 * together with its number (the mark), so a replay never moves it twice:
 * the local LMDB store (auditt_lmdb.c, the single-node default) or the
 * cluster database's skms_audit and skms_node (auditt_pg.c).
 *
 * A target reports SKM_EUNREACH while it cannot be reached: the journal
 * keeps the generation and tries again, taking new records meanwhile.
 * Any other error refuses new records until a move succeeds.
 */
#ifndef SKM_SERVER_AUDITT_H
#define SKM_SERVER_AUDITT_H

#include <stddef.h>
#include <stdint.h>

struct audit_rec;
struct store;

struct auditt_ops {
	/* The last generation moved (0: none yet). */
	int (*mark)(void *arg, uint64_t *gen);
	/* Starts moving generation gen. */
	int (*begin)(void *arg, uint64_t gen);
	/* Record number idx (from 0) of the generation. */
	int (*add)(void *arg, const struct audit_rec *r, uint32_t idx);
	/* The records added and the mark gen, in one transaction. */
	int (*commit)(void *arg, uint64_t gen);
	/* Drops what was added since begin. */
	void (*abort)(void *arg);
	void (*free)(void *arg);
};

struct auditt {
	const struct auditt_ops *ops;
	void *arg;
};

/* The local store st (not taken over). */
int auditt_lmdb(struct store *st, struct auditt *out);

/*
 * The cluster database: records carry node as skms_audit.node. Connects
 * on first use and again after a failure; never at creation.
 */
int auditt_pg(const char *conninfo, const char *password_file, const char *node,
    struct auditt *out);

/* Frees t's state; a zeroed t is ignored. */
void auditt_free(struct auditt *t);

#endif
