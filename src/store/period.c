/* SPDX-License-Identifier: ISC */
/*
 * Key period revocations. Value v1: version, revoked-at (int64), reason
 * (u16 length with NUL). The check reads the identity and the period
 * record in the caller's transaction, so both come from one snapshot.
 */
#include "store/period.h"
#include "store/identity.h"
#include "store/rec.h"
#include "store/store.h"
#include "common/err.h"

#include <string.h>

#define PERIOD_V1	1
#define PERIOD_KEY_MAX	(3 + REC_URI_PART + 8)

/* Without period (with_period 0) the key is the prefix of all of uri's periods. */
static int
period_key(const uint8_t *uri, size_t len, uint64_t period_no, int with_period,
    uint8_t *key, size_t *klen)
{
	size_t n;

	if (uri == NULL || len == 0 || len > STORE_URI_MAX)
		return SKM_EINVAL;
	key[0] = STORE_C_PERIOD;
	/* The real length, so a URI never reads as the prefix of a longer one. */
	rec_be16(key + 1, (uint16_t)len);
	n = 3 + rec_uri_part(uri, len, key + 3);
	if (with_period) {
		rec_be64(key + n, period_no);
		n += 8;
	}
	*klen = n;
	return 0;
}

int
store_period_revoke(struct store_txn *t, const uint8_t *uri, size_t len,
    uint64_t period_no, int64_t at, const char *reason)
{
	uint8_t key[PERIOD_KEY_MAX];
	struct identity_rec r;
	struct rec_buf b;
	size_t klen;
	int err;

	if (t->err != 0)
		return t->err;
	if (reason == NULL)
		reason = "";
	if (strlen(reason) > STORE_REASON_MAX)
		return store_txn_fail(t, SKM_ELEN);
	if ((err = period_key(uri, len, period_no, 1, key, &klen)) != 0)
		return store_txn_fail(t, err);
	if ((err = store_identity_get(t, uri, len, &r)) != 0)
		return store_txn_fail(t, err);
	rec_init(&b);
	rec_u8(&b, PERIOD_V1);
	rec_i64(&b, at);
	rec_text(&b, reason);
	err = b.err != 0 ? store_txn_fail(t, b.err) :
	    store_txn_put(t, key, klen, b.p, b.len, 0);
	rec_free(&b);
	return err;
}

int
store_period_unrevoke(struct store_txn *t, const uint8_t *uri, size_t len,
    uint64_t period_no)
{
	uint8_t key[PERIOD_KEY_MAX];
	size_t klen;
	int err;

	if ((err = period_key(uri, len, period_no, 1, key, &klen)) != 0)
		return store_txn_fail(t, err);
	return store_txn_del(t, key, klen);
}

int
store_period_revoked(struct store_txn *t, const uint8_t *uri, size_t len,
    uint64_t period_no)
{
	uint8_t key[PERIOD_KEY_MAX];
	const uint8_t *v;
	size_t klen, vlen;
	int err;

	if ((err = period_key(uri, len, period_no, 1, key, &klen)) != 0)
		return store_txn_fail(t, err);
	err = store_txn_get(t, key, klen, &v, &vlen);
	if (err == SKM_ENOTFOUND)
		return 0;
	return err != 0 ? err : 1;
}

struct period_ctx {
	store_period_fn *fn;
	void *arg;
	int err;
};

static int
period_one(const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen,
    void *arg)
{
	struct period_ctx *c = arg;
	struct rec_rd r;
	const char *reason;
	int64_t at;

	rec_rd_init(&r, val, vlen);
	if (rec_get_u8(&r) != PERIOD_V1 || klen < 8) {
		c->err = SKM_ESTORE;
		return c->err;
	}
	at = rec_get_i64(&r);
	reason = rec_get_text(&r);
	if ((c->err = rec_rd_end(&r)) != 0)
		return c->err;
	return c->fn(rec_get_be64(key + klen - 8), at, reason, c->arg);
}

int
store_period_list(struct store_txn *t, const uint8_t *uri, size_t len,
    store_period_fn *fn, void *arg)
{
	uint8_t prefix[PERIOD_KEY_MAX];
	struct period_ctx c = { fn, arg, 0 };
	size_t plen;
	int err;

	if ((err = period_key(uri, len, 0, 0, prefix, &plen)) != 0)
		return store_txn_fail(t, err);
	err = store_txn_scan(t, prefix, plen, NULL, 0, period_one, &c);
	if (c.err != 0)
		return store_txn_fail(t, c.err);
	return err;
}

/* Reads the identity and whether period_no is revoked for it. */
static int
period_get(struct store_txn *t, const uint8_t *uri, size_t len, uint64_t period_no,
    struct identity_rec *r, int *revoked)
{
	int err;

	if ((err = store_identity_get(t, uri, len, r)) != 0)
		return err;
	if ((*revoked = store_period_revoked(t, uri, len, period_no)) < 0)
		return *revoked;
	return 0;
}

int
store_period_check(struct store_txn *t, const uint8_t *uri, size_t len,
    uint64_t period_no, int64_t start, int64_t end)
{
	struct identity_rec r;
	int err, revoked;

	if ((err = period_get(t, uri, len, period_no, &r, &revoked)) != 0)
		return err;
	return identity_state_period(&r, start, end, revoked);
}

int
store_period_issue(struct store_txn *t, const uint8_t *uri, size_t len,
    uint64_t period_no, int64_t start, int64_t end, int64_t now)
{
	struct identity_rec r;
	int err, revoked;

	if ((err = period_get(t, uri, len, period_no, &r, &revoked)) != 0)
		return err;
	return identity_state_issue(&r, start, end, revoked, now);
}
