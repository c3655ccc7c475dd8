/* SPDX-License-Identifier: ISC */
/*
 * External KMS certificate records and CacheNum. Cert value v1: version,
 * CertUri (u16 length), then the XML text to the end of the value.
 * CacheNum value v1: version, u64.
 */
#include "store/cert.h"
#include "store/identity.h"
#include "store/rec.h"
#include "store/store.h"
#include "common/err.h"

#include <string.h>

#define CERT_V1		1
#define CACHENUM_V1	1

static const uint8_t cachenum_key[] = { STORE_C_META, STORE_META_CACHENUM };

static int
cert_key(const uint8_t *uri, size_t len, uint8_t *key, size_t *klen)
{
	if (uri == NULL || len == 0 || len > STORE_URI_MAX)
		return SKM_EINVAL;
	key[0] = STORE_C_CERT;
	*klen = 1 + rec_uri_part(uri, len, key + 1);
	return 0;
}

static int
cert_decode(const uint8_t *v, size_t vlen, struct cert_rec *r)
{
	struct rec_rd rd;

	rec_rd_init(&rd, v, vlen);
	if (rec_get_u8(&rd) != CERT_V1)
		return SKM_ESTORE;
	r->uri = rec_get_str16(&rd, &r->uri_len);
	r->xml_len = rd.err == 0 ? rd.len - rd.off : 0;
	r->xml = (const char *)rec_get_bytes(&rd, r->xml_len);
	return rec_rd_end(&rd);
}

int
store_cert_cachenum(struct store_txn *t, uint64_t *num)
{
	struct rec_rd r;
	const uint8_t *v;
	size_t vlen;
	int err;

	*num = 0;
	err = store_txn_get(t, cachenum_key, sizeof(cachenum_key), &v, &vlen);
	if (err == SKM_ENOTFOUND)
		return 0;
	if (err != 0)
		return err;
	rec_rd_init(&r, v, vlen);
	if (rec_get_u8(&r) != CACHENUM_V1)
		return store_txn_fail(t, SKM_ESTORE);
	*num = rec_get_u64(&r);
	if ((err = rec_rd_end(&r)) != 0)
		return store_txn_fail(t, err);
	return 0;
}

static int
cachenum_bump(struct store_txn *t)
{
	uint8_t v[9];
	uint64_t num;
	int err;

	if ((err = store_cert_cachenum(t, &num)) != 0)
		return store_txn_fail(t, err);
	v[0] = CACHENUM_V1;
	rec_be64(v + 1, num + 1);
	return store_txn_put(t, cachenum_key, sizeof(cachenum_key), v, sizeof(v), 0);
}

int
store_cert_put(struct store_txn *t, const struct cert_rec *r)
{
	uint8_t key[1 + REC_URI_PART];
	struct rec_buf b;
	size_t klen;
	int err;

	if (t->err != 0)
		return t->err;
	if (r->xml == NULL || r->xml_len == 0 || r->xml_len > STORE_CERT_MAX)
		return store_txn_fail(t, SKM_ELEN);
	if ((err = cert_key(r->uri, r->uri_len, key, &klen)) != 0)
		return store_txn_fail(t, err);
	rec_init(&b);
	rec_u8(&b, CERT_V1);
	rec_str16(&b, r->uri, r->uri_len);
	rec_bytes(&b, r->xml, r->xml_len);
	err = b.err != 0 ? store_txn_fail(t, b.err) :
	    store_txn_put(t, key, klen, b.p, b.len, 0);
	rec_free(&b);
	if (err == 0)
		err = cachenum_bump(t);
	return err;
}

int
store_cert_get(struct store_txn *t, const uint8_t *uri, size_t len,
    struct cert_rec *r)
{
	uint8_t key[1 + REC_URI_PART];
	const uint8_t *v;
	size_t klen, vlen;
	int err;

	memset(r, 0, sizeof(*r));
	if ((err = cert_key(uri, len, key, &klen)) != 0)
		return store_txn_fail(t, err);
	if ((err = store_txn_get(t, key, klen, &v, &vlen)) != 0)
		return err;
	if ((err = cert_decode(v, vlen, r)) != 0)
		return store_txn_fail(t, err);
	if (r->uri_len != len || memcmp(r->uri, uri, len) != 0) {
		memset(r, 0, sizeof(*r));
		return SKM_ENOTFOUND;
	}
	return 0;
}

int
store_cert_del(struct store_txn *t, const uint8_t *uri, size_t len)
{
	uint8_t key[1 + REC_URI_PART];
	struct cert_rec r;
	size_t klen = 0;
	int err;

	if ((err = store_cert_get(t, uri, len, &r)) != 0)
		return store_txn_fail(t, err);
	cert_key(uri, len, key, &klen);
	if ((err = store_txn_del(t, key, klen)) != 0)
		return err;
	return cachenum_bump(t);
}

struct cert_ctx {
	store_cert_fn *fn;
	void *arg;
	int err;
};

static int
cert_one(const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen,
    void *arg)
{
	struct cert_ctx *c = arg;
	struct cert_rec r;

	if ((c->err = cert_decode(val, vlen, &r)) != 0)
		return c->err;
	return c->fn(&r, c->arg);
}

int
store_cert_list(struct store_txn *t, store_cert_fn *fn, void *arg)
{
	static const uint8_t prefix[] = { STORE_C_CERT };
	struct cert_ctx c = { fn, arg, 0 };
	int err;

	err = store_txn_scan(t, prefix, sizeof(prefix), NULL, 0, cert_one, &c);
	if (c.err != 0)
		return store_txn_fail(t, c.err);
	return err;
}
