/* SPDX-License-Identifier: ISC */
/*
 * Transactions with a sticky error, dispatched to the store's backend
 * (LMDB here, PostgreSQL in pg_txn.c). Record modules build on these
 * operations and never call a backend themselves, so every failure path
 * goes through the sticky error.
 */
#include "store/store.h"
#include "store/store_int.h"
#include "common/err.h"

#include <errno.h>
#include <string.h>

int
store_err(int rc)
{
	switch (rc) {
	case MDB_SUCCESS:
		return 0;
	case MDB_NOTFOUND:
		return SKM_ENOTFOUND;
	case MDB_KEYEXIST:
		return SKM_EEXIST;
	case MDB_BAD_VALSIZE:
		return SKM_ELEN;
	case MDB_READERS_FULL:
	case MDB_TXN_FULL:
	case EBUSY:
	case EAGAIN:
		return SKM_EBUSY;
	case ENOMEM:
		return SKM_ENOMEM;
	case EACCES:
	case EPERM:
		return SKM_EPERM;
	case ENOENT:
		return SKM_ENOTFOUND;
	case EIO:
	case ENOSPC:
		return SKM_EIO;
	default:
		return SKM_ESTORE;
	}
}

int
store_txn_fail(struct store_txn *t, int err)
{
	if (t->err == 0)
		t->err = err;
	return t->err;
}

static int
lmdb_begin(struct store_txn *t)
{
	MDB_txn *txn = NULL;
	int rc;

	rc = mdb_txn_begin(t->st->env, NULL, t->write ? 0 : MDB_RDONLY, &txn);
	if (rc == MDB_MAP_RESIZED) {
		/* Another process grew the map: adopt its size and retry once. */
		rc = mdb_env_set_mapsize(t->st->env, 0);
		if (rc == 0)
			rc = mdb_txn_begin(t->st->env, NULL, t->write ? 0 : MDB_RDONLY,
			    &txn);
	}
	if (rc != 0)
		return store_err(rc);
	t->txn = txn;
	return 0;
}

static int
lmdb_commit(struct store_txn *t)
{
	int rc = mdb_txn_commit(t->txn);

	t->txn = NULL;
	return store_err(rc);
}

static void
lmdb_abort(struct store_txn *t)
{
	if (t->txn != NULL)
		mdb_txn_abort(t->txn);
	t->txn = NULL;
}

static int
lmdb_put(struct store_txn *t, const uint8_t *key, size_t klen,
    const uint8_t *val, size_t vlen, unsigned flags)
{
	MDB_val k = { klen, (void *)key }, v = { vlen, (void *)val };

	return store_err(mdb_put(t->txn, t->st->dbi, &k, &v,
	    (flags & STORE_NOOVERWRITE) ? MDB_NOOVERWRITE : 0));
}

static int
lmdb_get(struct store_txn *t, const uint8_t *key, size_t klen,
    const uint8_t **val, size_t *vlen)
{
	MDB_val k = { klen, (void *)key }, v;
	int rc;

	if ((rc = mdb_get(t->txn, t->st->dbi, &k, &v)) != 0)
		return store_err(rc);
	*val = v.mv_data;
	*vlen = v.mv_size;
	return 0;
}

static int
lmdb_del(struct store_txn *t, const uint8_t *key, size_t klen)
{
	MDB_val k = { klen, (void *)key };

	return store_err(mdb_del(t->txn, t->st->dbi, &k, NULL));
}

static int
has_prefix(const MDB_val *k, const uint8_t *prefix, size_t plen)
{
	return plen == 0 ||
	    (k->mv_size >= plen && memcmp(k->mv_data, prefix, plen) == 0);
}

static int
lmdb_scan(struct store_txn *t, const uint8_t *prefix, size_t plen,
    const uint8_t *from, size_t flen, store_scan_fn *fn, void *arg, int *fnerr)
{
	MDB_cursor *c = NULL;
	MDB_val k, v;
	int rc, err = 0;

	if ((rc = mdb_cursor_open(t->txn, t->st->dbi, &c)) != 0)
		return store_err(rc);
	k.mv_size = flen;
	k.mv_data = (void *)from;
	for (rc = mdb_cursor_get(c, &k, &v, flen == 0 ? MDB_FIRST : MDB_SET_RANGE);
	    rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (!has_prefix(&k, prefix, plen))
			break;
		err = fn(k.mv_data, k.mv_size, v.mv_data, v.mv_size, arg);
		if (err != 0)
			break;
	}
	mdb_cursor_close(c);
	*fnerr = err;
	return rc != 0 && rc != MDB_NOTFOUND ? store_err(rc) : 0;
}

static int
lmdb_del_prefix(struct store_txn *t, const uint8_t *prefix, size_t plen,
    size_t *n)
{
	MDB_cursor *c = NULL;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_cursor_open(t->txn, t->st->dbi, &c)) != 0)
		return store_err(rc);
	/*
	 * Seek again after each delete: where a cursor stands after
	 * mdb_cursor_del at the end of a page differs between LMDB versions.
	 */
	for (;;) {
		k.mv_size = plen;
		k.mv_data = (void *)prefix;
		rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
		if (rc != 0 || !has_prefix(&k, prefix, plen))
			break;
		if ((rc = mdb_cursor_del(c, 0)) != 0)
			break;
		(*n)++;
	}
	mdb_cursor_close(c);
	return rc != 0 && rc != MDB_NOTFOUND ? store_err(rc) : 0;
}

static void
lmdb_close(struct store *st)
{
	if (st->env != NULL)
		mdb_env_close(st->env);
	st->env = NULL;
}

const struct store_ops store_lmdb_ops = {
	.name = "lmdb",
	.begin = lmdb_begin,
	.commit = lmdb_commit,
	.abort = lmdb_abort,
	.put = lmdb_put,
	.get = lmdb_get,
	.del = lmdb_del,
	.scan = lmdb_scan,
	.del_prefix = lmdb_del_prefix,
	.close = lmdb_close,
};

/* A transaction not yet ended, of either backend. */
static int
txn_open(const struct store_txn *t)
{
	return t->txn != NULL || t->pg != NULL;
}

int
store_txn_begin(struct store *st, int write, struct store_txn *t)
{
	int err;

	memset(t, 0, sizeof(*t));
	t->st = st;
	t->write = write;
	if ((err = st->ops->begin(t)) != 0)
		return store_txn_fail(t, err);
	return 0;
}

int
store_txn_commit(struct store_txn *t)
{
	if (!txn_open(t))
		return store_txn_fail(t, SKM_ESTATE);
	if (t->err != 0) {
		t->st->ops->abort(t);
		return t->err;
	}
	return store_txn_fail(t, t->st->ops->commit(t));
}

void
store_txn_abort(struct store_txn *t)
{
	if (txn_open(t))
		t->st->ops->abort(t);
}

static int
txn_ready(struct store_txn *t, int write, size_t klen)
{
	if (t->err != 0)
		return t->err;
	if (!txn_open(t) || (write && !t->write))
		return store_txn_fail(t, SKM_ESTATE);
	if (klen == 0 || klen > STORE_KEY_MAX)
		return store_txn_fail(t, SKM_ELEN);
	return 0;
}

int
store_txn_put(struct store_txn *t, const uint8_t *key, size_t klen,
    const uint8_t *val, size_t vlen, unsigned flags)
{
	int rc;

	if ((rc = txn_ready(t, 1, klen)) != 0)
		return rc;
	return store_txn_fail(t, t->st->ops->put(t, key, klen, val, vlen, flags));
}

int
store_txn_get(struct store_txn *t, const uint8_t *key, size_t klen,
    const uint8_t **val, size_t *vlen)
{
	int rc;

	*val = NULL;
	*vlen = 0;
	if ((rc = txn_ready(t, 0, klen)) != 0)
		return rc;
	rc = t->st->ops->get(t, key, klen, val, vlen);
	if (rc == SKM_ENOTFOUND)
		return rc;	/* an answer, not a failure: not sticky */
	return store_txn_fail(t, rc);
}

int
store_txn_del(struct store_txn *t, const uint8_t *key, size_t klen)
{
	int rc;

	if ((rc = txn_ready(t, 1, klen)) != 0)
		return rc;
	return store_txn_fail(t, t->st->ops->del(t, key, klen));
}

int
store_txn_scan(struct store_txn *t, const uint8_t *prefix, size_t plen,
    const uint8_t *from, size_t flen, store_scan_fn *fn, void *arg)
{
	int err, fnerr = 0;

	/* An empty prefix scans the whole database. */
	if ((err = txn_ready(t, 0, plen == 0 ? 1 : plen)) != 0)
		return err;
	if (from == NULL || flen < plen || !(plen == 0 || memcmp(from, prefix, plen) >= 0)) {
		from = prefix;
		flen = plen;
	}
	if (flen > STORE_KEY_MAX)
		return store_txn_fail(t, SKM_ELEN);
	if ((err = t->st->ops->scan(t, prefix, plen, from, flen, fn, arg, &fnerr)) != 0)
		return store_txn_fail(t, err);
	return fnerr < 0 ? fnerr : 0;
}

int
store_txn_del_prefix(struct store_txn *t, const uint8_t *prefix, size_t plen,
    size_t *n)
{
	size_t count = 0;
	int err;

	if (n != NULL)
		*n = 0;
	if ((err = txn_ready(t, 1, plen)) != 0)
		return err;
	if ((err = t->st->ops->del_prefix(t, prefix, plen, &count)) != 0)
		return store_txn_fail(t, err);
	if (n != NULL)
		*n = count;
	return 0;
}
