/* SPDX-License-Identifier: ISC */
/*
 * The audit journal's import into the local LMDB store (auditt.h): a
 * generation is appended with store_audit_batch (one read and one write
 * of the sequence counter) and its number recorded as
 * STORE_META_AUDIT_JOURNAL, all in one write transaction.
 */
#include "server/auditt.h"
#include "common/err.h"
#include "store/audit.h"
#include "store/store.h"

#include <stdlib.h>

struct auditt_lmdb {
	struct store *st;
	struct store_txn t;
	struct store_audit_batch b;
	int open;
};

static int
lmdb_mark(void *arg, uint64_t *gen)
{
	struct auditt_lmdb *l = arg;
	struct store_txn t;
	int rc;

	if ((rc = store_txn_begin(l->st, 0, &t)) != 0)
		return rc;
	rc = store_audit_journal_get(&t, gen);
	store_txn_abort(&t);
	return rc;
}

static int
lmdb_begin(void *arg, uint64_t gen)
{
	struct auditt_lmdb *l = arg;
	int rc;

	(void)gen;
	if ((rc = store_txn_begin(l->st, 1, &l->t)) != 0)
		return rc;
	store_audit_batch_begin(&l->b, &l->t);
	l->open = 1;
	return 0;
}

static int
lmdb_add(void *arg, const struct audit_rec *r, uint32_t idx)
{
	struct auditt_lmdb *l = arg;

	(void)idx;
	return store_audit_batch_add(&l->b, r, NULL);
}

static int
lmdb_commit(void *arg, uint64_t gen)
{
	struct auditt_lmdb *l = arg;
	int rc;

	l->open = 0;
	if ((rc = store_audit_batch_end(&l->b)) != 0 ||
	    (rc = store_audit_journal_put(&l->t, gen)) != 0) {
		store_txn_abort(&l->t);
		return rc;
	}
	return store_txn_commit(&l->t);
}

static void
lmdb_abort(void *arg)
{
	struct auditt_lmdb *l = arg;

	if (l->open)
		store_txn_abort(&l->t);
	l->open = 0;
}

static void
lmdb_free(void *arg)
{
	lmdb_abort(arg);
	free(arg);
}

static const struct auditt_ops auditt_lmdb_ops = {
	.mark = lmdb_mark,
	.begin = lmdb_begin,
	.add = lmdb_add,
	.commit = lmdb_commit,
	.abort = lmdb_abort,
	.free = lmdb_free,
};

int
auditt_lmdb(struct store *st, struct auditt *out)
{
	struct auditt_lmdb *l;

	out->ops = NULL;
	out->arg = NULL;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return SKM_ENOMEM;
	l->st = st;
	out->ops = &auditt_lmdb_ops;
	out->arg = l;
	return 0;
}

void
auditt_free(struct auditt *t)
{
	if (t->ops != NULL)
		t->ops->free(t->arg);
	t->ops = NULL;
	t->arg = NULL;
}
