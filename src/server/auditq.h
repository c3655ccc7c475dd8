/* SPDX-License-Identifier: ISC */
/*
 * Durable audit of issued key sets: each record is committed to the store
 * (an LMDB write transaction) before its reply may leave. A dedicated
 * writer thread takes every record waiting, writes them in one
 * transaction (group commit), and then hands each back to the loop thread
 * with the outcome. Records name the identity, period, client address and
 * token id: never key bytes. The writer can also register an identity on
 * first use (enroll-on-first-token) in the same transaction.
 */
#ifndef SKM_SERVER_AUDITQ_H
#define SKM_SERVER_AUDITQ_H

#include <stddef.h>
#include <stdint.h>

#include "server/auth.h"
#include "server/pool.h"

struct auditq;
struct store;

struct auditq_item {
	/* filled by the caller */
	int64_t time;			/* Unix seconds */
	const char *action;		/* static: "keyprov", "enroll" */
	char uri[AUTH_ID_MAX + 1];
	size_t uri_len;
	char detail[512];		/* period, client address, jti */
	int enroll;			/* register uri as a user first */
	int64_t enroll_from;		/* its valid_from */
	pool_fn *done;			/* on the loop thread; reads rc */
	void *arg;
	/* set by the writer */
	int rc;				/* 0 once committed, else SKM_E* */
	struct pool_job job;
	struct auditq_item *next;
};

/*
 * The writer over st, posting completions through pool. group: commit
 * every waiting record in one transaction; otherwise one each.
 */
int auditq_new(struct store *st, struct pool *pool, int group, struct auditq **out);

/* Queues it (loop thread); it->done runs later on the loop thread. */
void auditq_submit(struct auditq *q, struct auditq_item *it);

/* Transactions committed, for tests and metrics. */
uint64_t auditq_commits(struct auditq *q);

/* Writes what is queued, stops the writer and frees q; NULL is ignored. */
void auditq_free(struct auditq *q);

#endif
