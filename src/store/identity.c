/* SPDX-License-Identifier: ISC */
/*
 * Identity records. Value v2: version(2) role(1) created valid_from
 * valid_to revoked_at (int64 each) reason (u16 length with NUL) uri (u16
 * length, exact octets). schema.c migrates v1 values to this form.
 */
#include "store/identity.h"
#include "store/rec.h"
#include "store/store.h"
#include "common/err.h"

#include <string.h>

#define IDENTITY_V2	2

static int
identity_key(const uint8_t *uri, size_t len, uint8_t *key, size_t *klen)
{
	if (uri == NULL || len == 0 || len > STORE_URI_MAX)
		return SKM_EINVAL;
	key[0] = STORE_C_IDENTITY;
	*klen = 1 + rec_uri_part(uri, len, key + 1);
	return 0;
}

static int
identity_encode(const struct identity_rec *r, struct rec_buf *b)
{
	const char *reason = r->reason != NULL ? r->reason : "";

	if (r->role != IDENTITY_USER && r->role != IDENTITY_GMS)
		return SKM_EINVAL;
	if (strlen(reason) > STORE_REASON_MAX)
		return SKM_ELEN;
	rec_u8(b, IDENTITY_V2);
	rec_u8(b, (uint8_t)r->role);
	rec_i64(b, r->created);
	rec_i64(b, r->valid_from);
	rec_i64(b, r->valid_to);
	rec_i64(b, r->revoked_at);
	rec_text(b, reason);
	rec_str16(b, r->uri, r->uri_len);
	return b->err;
}

static int
identity_decode(const uint8_t *v, size_t vlen, struct identity_rec *r)
{
	struct rec_rd rd;

	memset(r, 0, sizeof(*r));
	rec_rd_init(&rd, v, vlen);
	if (rec_get_u8(&rd) != IDENTITY_V2)
		return SKM_ESTORE;
	r->role = (enum identity_role)rec_get_u8(&rd);
	r->created = rec_get_i64(&rd);
	r->valid_from = rec_get_i64(&rd);
	r->valid_to = rec_get_i64(&rd);
	r->revoked_at = rec_get_i64(&rd);
	r->reason = rec_get_text(&rd);
	r->uri = rec_get_str16(&rd, &r->uri_len);
	return rec_rd_end(&rd);
}

static int
identity_put_flags(struct store_txn *t, const struct identity_rec *r,
    unsigned flags)
{
	uint8_t key[1 + REC_URI_PART];
	struct rec_buf b;
	size_t klen;
	int err;

	if (t->err != 0)
		return t->err;
	if ((err = identity_key(r->uri, r->uri_len, key, &klen)) != 0)
		return store_txn_fail(t, err);
	rec_init(&b);
	if ((err = identity_encode(r, &b)) != 0)
		store_txn_fail(t, err);
	else
		err = store_txn_put(t, key, klen, b.p, b.len, flags);
	rec_free(&b);
	return err;
}

int
store_identity_put(struct store_txn *t, const struct identity_rec *r,
    int replace)
{
	return identity_put_flags(t, r, replace ? 0 : STORE_NOOVERWRITE);
}

int
store_identity_bulk_put(struct store_txn *t, const struct identity_rec *r,
    size_t n)
{
	size_t i;
	int err;

	/*
	 * The first failure (a duplicate within the batch meets the copy put
	 * moments before) is sticky, so the caller's commit writes nothing.
	 */
	for (i = 0; i < n; i++)
		if ((err = identity_put_flags(t, &r[i], STORE_NOOVERWRITE)) != 0)
			return err;
	return 0;
}

int
store_identity_get(struct store_txn *t, const uint8_t *uri, size_t len,
    struct identity_rec *r)
{
	uint8_t key[1 + REC_URI_PART];
	const uint8_t *v;
	size_t klen, vlen;
	int err;

	memset(r, 0, sizeof(*r));
	if (t->err != 0)
		return t->err;
	if ((err = identity_key(uri, len, key, &klen)) != 0)
		return store_txn_fail(t, err);
	if ((err = store_txn_get(t, key, klen, &v, &vlen)) != 0)
		return err;
	if ((err = identity_decode(v, vlen, r)) != 0)
		return store_txn_fail(t, err);
	/* A hashed key is only a pointer: the stored URI must be this one. */
	if (r->uri_len != len || memcmp(r->uri, uri, len) != 0) {
		memset(r, 0, sizeof(*r));
		return SKM_ENOTFOUND;
	}
	return 0;
}

int
store_identity_del(struct store_txn *t, const uint8_t *uri, size_t len)
{
	uint8_t key[1 + REC_URI_PART], prefix[3 + REC_URI_PART];
	struct identity_rec r;
	size_t klen = 0;
	int err;

	if ((err = store_identity_get(t, uri, len, &r)) != 0)
		return store_txn_fail(t, err);
	identity_key(uri, len, key, &klen);
	if ((err = store_txn_del(t, key, klen)) != 0)
		return err;
	/* The period revocations go with it: class || u16 length || URI part. */
	prefix[0] = STORE_C_PERIOD;
	rec_be16(prefix + 1, (uint16_t)len);
	klen = 3 + rec_uri_part(uri, len, prefix + 3);
	return store_txn_del_prefix(t, prefix, klen, NULL);
}

static int
identity_set_revoked(struct store_txn *t, const uint8_t *uri, size_t len,
    int64_t at, const char *reason)
{
	struct identity_rec r;
	int err;

	if ((err = store_identity_get(t, uri, len, &r)) != 0)
		return store_txn_fail(t, err);
	if (at != 0 && r.revoked_at != 0)
		return store_txn_fail(t, SKM_EREVOKED);
	if (at == 0 && r.revoked_at == 0)
		return store_txn_fail(t, SKM_ESTATE);
	/* r points into the map; the put below encodes it before writing. */
	r.revoked_at = at;
	r.reason = reason;
	return identity_put_flags(t, &r, 0);
}

int
store_identity_revoke(struct store_txn *t, const uint8_t *uri, size_t len,
    int64_t at, const char *reason)
{
	if (at <= 0)
		return store_txn_fail(t, SKM_EINVAL);
	return identity_set_revoked(t, uri, len, at, reason != NULL ? reason : "");
}

int
store_identity_unrevoke(struct store_txn *t, const uint8_t *uri, size_t len)
{
	return identity_set_revoked(t, uri, len, 0, "");
}

struct list_ctx {
	unsigned mask;
	int64_t at;
	store_identity_fn *fn;
	void *arg;
	int err;
};

static int
list_one(const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen,
    void *arg)
{
	struct list_ctx *c = arg;
	struct identity_rec r;
	int err;

	if ((err = identity_decode(val, vlen, &r)) != 0) {
		c->err = err;
		return err;
	}
	if (c->mask != 0 && !(c->mask & IDENTITY_STATE_BIT(identity_state(&r, c->at))))
		return 0;
	return c->fn(&r, c->arg);
}

int
store_identity_list(struct store_txn *t, unsigned state_mask, int64_t at,
    store_identity_fn *fn, void *arg)
{
	static const uint8_t prefix[] = { STORE_C_IDENTITY };
	struct list_ctx c = { state_mask, at, fn, arg, 0 };
	int err;

	err = store_txn_scan(t, prefix, sizeof(prefix), NULL, 0, list_one, &c);
	/* A record that does not decode is the store's failure, not fn's. */
	if (c.err != 0)
		return store_txn_fail(t, c.err);
	return err;
}
