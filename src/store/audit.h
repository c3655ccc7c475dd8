/* SPDX-License-Identifier: ISC */
/*
 * The append-only audit log: who did what to which identity, appended in
 * the same write transaction as the change it records, so the log and the
 * data never disagree. Entries are never rewritten; old ones leave only
 * through an archive (skmsctl audit archive) that writes them out first.
 * Never key bytes.
 */
#ifndef SKM_STORE_AUDIT_H
#define SKM_STORE_AUDIT_H

#include <stddef.h>
#include <stdint.h>

struct store_txn;

#define AUDIT_TEXT_MAX	1024

struct audit_rec {
	uint64_t seq;		/* assigned by store_audit_append() */
	int64_t time;		/* Unix seconds, the caller's clock */
	const char *actor;	/* e.g. "skmsctl uid 0", "skmsd" */
	const char *action;	/* e.g. "user add", "keyprov" */
	const uint8_t *uri;	/* the identity concerned; NULL/0 for none */
	size_t uri_len;
	const char *detail;	/* free text; "" or NULL for none */
};

/*
 * Appends r in the write transaction t under the next sequence number
 * (from 1, strictly increasing, never reused); *seq (may be NULL) gets it.
 */
int store_audit_append(struct store_txn *t, const struct audit_rec *r,
    uint64_t *seq);

/*
 * The value octets store_audit_append() would record for r (its seq
 * aside), into *out, freed with free(): for a store other than this one
 * (the cluster database's skms_audit.rec). SKM_EINVAL as the append.
 */
int store_audit_encode(const struct audit_rec *r, uint8_t **out, size_t *len);

/*
 * Appends in a row within one write transaction, as store_audit_append()
 * does one by one: the sequence counter is read at the first add and
 * written back by end. Nothing else may append in t in between.
 */
struct store_audit_batch {
	struct store_txn *t;
	uint64_t next;			/* 0: not read yet */
	size_t added;
	uint64_t gen;			/* the journal generation added; 0: none */
};
void store_audit_batch_begin(struct store_audit_batch *b, struct store_txn *t);

/*
 * Marks the records added next as those of journal generation gen, in
 * order: where the store keeps the audit in PostgreSQL, the records of a
 * generation already imported by this node are skipped (*seq gets 0), so
 * a repeated import adds each record once. LMDB ignores the mark.
 */
void store_audit_batch_gen(struct store_audit_batch *b, uint64_t gen);
int store_audit_batch_add(struct store_audit_batch *b, const struct audit_rec *r,
    uint64_t *seq);
int store_audit_batch_end(struct store_audit_batch *b);

/*
 * The last generation of skmsd's audit journal whose records are in the
 * store (0: none yet), and its update, made in the transaction that
 * imports that generation so that a replay never imports it twice.
 */
int store_audit_journal_get(struct store_txn *t, uint64_t *gen);
int store_audit_journal_put(struct store_txn *t, uint64_t gen);

/*
 * Calls fn for each entry in sequence order with time >= since and, when
 * uri is not NULL, about that identity. Records point into the store. fn
 * returns as for store_txn_scan().
 */
typedef int store_audit_fn(const struct audit_rec *r, void *arg);
int store_audit_list(struct store_txn *t, int64_t since, const uint8_t *uri,
    size_t len, store_audit_fn *fn, void *arg);

/*
 * Removes the entries numbered first to last (inclusive) in the write
 * transaction t, after they have been archived: every one of them must be
 * there, else SKM_ENOTFOUND (sticky), so a commit removes exactly the
 * entries the caller read. The sequence counter is left alone: numbers are
 * never reused.
 */
int store_audit_remove(struct store_txn *t, uint64_t first, uint64_t last);

#endif
