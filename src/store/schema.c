/* SPDX-License-Identifier: ISC */
/*
 * The schema version record and the migrations between versions: one
 * function per step N -> N+1, all run inside the one write transaction of
 * store_open(), so a store is either fully migrated or untouched. A step
 * rewrites old values in place; it never deletes data it does not replace.
 */
#include "store/store.h"
#include "store/rec.h"
#include "common/err.h"

#include <string.h>

static const uint8_t schema_key[] = { STORE_C_META, STORE_META_SCHEMA };

#define SCHEMA_VALUE_V1	1

/* The first key of a class range and the first v1 identity after it. */
struct find_v1 {
	uint8_t key[STORE_KEY_MAX];
	size_t klen;
	int found;
};

static int
find_v1_identity(const uint8_t *key, size_t klen, const uint8_t *val,
    size_t vlen, void *arg)
{
	struct find_v1 *f = arg;

	if (vlen == 0 || val[0] != 1)
		return 0;
	memcpy(f->key, key, klen);
	f->klen = klen;
	f->found = 1;
	return 1;
}

/*
 * Schema 1 -> 2: identity values gain a revocation reason and a copy of
 * the URI (so URIs beyond LMDB's key limit can be keyed by hash). v1 was
 * version(1) role(1) created valid_from valid_to revoked_at (int64 each);
 * v2 (identity.c) appends the reason (empty here) and the URI.
 */
static int
migrate_1_2(struct store_txn *t)
{
	static const uint8_t prefix[] = { STORE_C_IDENTITY };
	struct find_v1 f;
	struct rec_buf b;
	struct rec_rd r;
	const uint8_t *v, *fields;
	size_t vlen;
	int err;

	memcpy(f.key, prefix, sizeof(prefix));
	f.klen = sizeof(prefix);
	for (;;) {
		f.found = 0;
		/* Seek from the last rewritten key: writes must not run under a cursor. */
		if ((err = store_txn_scan(t, prefix, sizeof(prefix), f.key, f.klen,
		    find_v1_identity, &f)) != 0)
			return store_txn_fail(t, err);
		if (!f.found)
			return 0;
		if ((err = store_txn_get(t, f.key, f.klen, &v, &vlen)) != 0)
			return store_txn_fail(t, err);
		rec_rd_init(&r, v, vlen);
		rec_get_u8(&r);
		fields = rec_get_bytes(&r, 1 + 4 * 8);
		if ((err = rec_rd_end(&r)) != 0)
			return store_txn_fail(t, err);
		rec_init(&b);
		rec_u8(&b, 2);
		rec_bytes(&b, fields, 1 + 4 * 8);
		rec_text(&b, "");
		/* Schema 1 keyed URIs inline, whole: the copy comes from the key. */
		rec_str16(&b, f.key + 1, f.klen - 1);
		if (b.err == 0)
			store_txn_put(t, f.key, f.klen, b.p, b.len, 0);
		else
			store_txn_fail(t, b.err);
		rec_free(&b);
		if (t->err != 0)
			return t->err;
	}
}

typedef int migrate_fn(struct store_txn *);

/* migrations[n - 1] takes schema n to n + 1. */
static migrate_fn *const migrations[STORE_SCHEMA_VERSION - 1] = {
	migrate_1_2,
};

static int
schema_put(struct store_txn *t, uint32_t version)
{
	struct rec_buf b;
	int err;

	rec_init(&b);
	rec_u8(&b, SCHEMA_VALUE_V1);
	rec_u32(&b, version);
	err = b.err != 0 ? store_txn_fail(t, b.err) :
	    store_txn_put(t, schema_key, sizeof(schema_key), b.p, b.len, 0);
	rec_free(&b);
	return err;
}

int
store_schema_get(struct store_txn *t, uint32_t *version)
{
	struct rec_rd r;
	const uint8_t *v;
	size_t vlen;
	int err;

	*version = 0;
	if ((err = store_txn_get(t, schema_key, sizeof(schema_key), &v, &vlen)) != 0)
		return err;
	rec_rd_init(&r, v, vlen);
	if (rec_get_u8(&r) != SCHEMA_VALUE_V1)
		return store_txn_fail(t, SKM_ESTORE);
	*version = rec_get_u32(&r);
	if ((err = rec_rd_end(&r)) != 0)
		return store_txn_fail(t, err);
	return 0;
}

static int
any_record(const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen,
    void *arg)
{
	*(int *)arg = 1;
	return 1;
}

int
store_schema_migrate(struct store_txn *t)
{
	uint32_t v;
	int err, nonempty = 0;

	err = store_schema_get(t, &v);
	if (err == SKM_ENOTFOUND) {
		/* Data without a schema record is not ours to guess at. */
		if ((err = store_txn_scan(t, NULL, 0, NULL, 0, any_record,
		    &nonempty)) != 0)
			return store_txn_fail(t, err);
		if (nonempty)
			return store_txn_fail(t, SKM_ESTORE);
		return schema_put(t, STORE_SCHEMA_VERSION);
	}
	if (err != 0)
		return store_txn_fail(t, err);
	if (v == 0 || v > STORE_SCHEMA_VERSION)
		return store_txn_fail(t, SKM_ESTATE);
	for (; v < STORE_SCHEMA_VERSION; v++) {
		if ((err = migrations[v - 1](t)) != 0)
			return store_txn_fail(t, err);
		if ((err = schema_put(t, v + 1)) != 0)
			return err;
	}
	return 0;
}
