/* SPDX-License-Identifier: ISC */
/*
 * Durable audit of issued key sets. A dedicated writer thread takes every
 * record waiting, writes them in one LMDB transaction (group commit,
 * flushed to disk like every store commit), and then hands each back to
 * the loop thread with the outcome. Records name the identity, period,
 * client address and token id: never key bytes. The writer can also
 * register an identity on first use (enroll-on-first-token) in the same
 * transaction.
 *
 * With a commit window of 0 a reply waits for its record's commit. With a
 * window of W ms a key-set reply may leave as soon as its record is queued,
 * as long as no reply sent that way has been waiting longer than W for
 * its commit; so a crash (of skmsd or of the host) loses the records of at
 * most the last W ms of replies, and never makes the store inconsistent.
 * Enrolments and every record after a failed commit still wait.
 */
#ifndef SKM_SERVER_AUDITQ_H
#define SKM_SERVER_AUDITQ_H

#include <stddef.h>
#include <stdint.h>

#include "server/auth.h"
#include "server/pool.h"

struct auditj;
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
	/* set by the queue */
	int copy;			/* the queue's own copy, reply already sent */
	int rc;				/* 0 once committed, else SKM_E* */
	struct pool_job job;
	struct auditq_item *next;
};

/*
 * The writer over st, posting completions through pool. group: commit
 * every waiting record in one transaction; otherwise one each.
 * window_ms: the commit window described above (0: none). journal: where
 * key-set records become durable (auditj.h), taken over on success and
 * closed, its records moved into the store, by auditq_free(); NULL: each
 * group is an LMDB commit.
 */
int auditq_new(struct store *st, struct pool *pool, int group, unsigned window_ms,
    struct auditj *journal, struct auditq **out);

/*
 * The flush delay of a write-back journal (auditj.h AUDITJ_WRITE_BACK):
 * its records are on disk at most flush_ms after they were written (plus
 * the flush itself). No effect without one.
 */
void auditq_set_flush(struct auditq *q, unsigned flush_ms);

/* A new commit window (SIGHUP) for records submitted from now on. */
void auditq_set_window(struct auditq *q, unsigned window_ms);

/*
 * Group delay (0 when made): a group of fewer than target records waits
 * for more until its first record has waited delay_us microseconds. Only
 * with group commit; enrolments and a stop end the wait.
 */
void auditq_set_group(struct auditq *q, unsigned delay_us, unsigned target);

/* auditq_submit() outcomes. */
#define AUDITQ_WAIT	0	/* it->done runs later on the loop thread */
#define AUDITQ_SENT	1	/* written or copied: reply now, it->done never runs */

/*
 * Queues it (loop thread). AUDITQ_SENT only when it->enroll is 0, and it
 * stays the caller's then: with a write-back journal once the record is
 * written to it (by this thread, in the page cache: a killed skmsd keeps
 * it), otherwise only inside the commit window, a copy queued. Without
 * memory for the copy it waits: never an unaudited reply for want of a
 * copy. A record the journal refuses (full, or after a failed flush) is
 * queued and waits as without write-back.
 */
int auditq_submit(struct auditq *q, struct auditq_item *it);

/* Transactions committed, for tests and metrics. */
uint64_t auditq_commits(struct auditq *q);

/* Writes what is queued, stops the writer and frees q; NULL is ignored. */
void auditq_free(struct auditq *q);

#endif
