/* SPDX-License-Identifier: ISC */
/*
 * Generation records (store/generation.h): encoding, listing with the
 * implicit first generation of older stores, and the change serial.
 */
#include "store/generation.h"
#include "store/generation_state.h"
#include "store/rec.h"
#include "store/secrets.h"
#include "store/store.h"
#include "common/err.h"

#include <stdlib.h>
#include <string.h>

#define GENERATION_V1	1
#define SERIAL_V1	1

static const uint8_t serial_key[] = { STORE_C_META, STORE_META_GENERATION_SERIAL };

static void
generation_key(uint8_t *key, uint32_t id)
{
	key[0] = STORE_C_GENERATION;
	key[1] = (uint8_t)(id >> 24);
	key[2] = (uint8_t)(id >> 16);
	key[3] = (uint8_t)(id >> 8);
	key[4] = (uint8_t)id;
}

static int
generation_decode(const uint8_t *key, size_t klen, const uint8_t *v, size_t vlen,
    struct generation_rec *g)
{
	struct rec_rd r;
	const uint8_t *p;
	size_t n;

	memset(g, 0, sizeof(*g));
	if (klen != 5)
		return SKM_ESTORE;
	g->id = (uint32_t)key[1] << 24 | (uint32_t)key[2] << 16 |
	    (uint32_t)key[3] << 8 | key[4];
	rec_rd_init(&r, v, vlen);
	if (rec_get_u8(&r) != GENERATION_V1)
		return SKM_ESTORE;
	g->effective = rec_get_i64(&r);
	g->created = rec_get_i64(&r);
	g->valid_from = rec_get_i64(&r);
	g->valid_to = rec_get_i64(&r);
	g->revoked = rec_get_u8(&r);
	if ((p = rec_get_str16(&r, &n)) != NULL) {
		if (n > DOMAIN_URI_MAX || memchr(p, '\0', n) != NULL)
			return SKM_ESTORE;
		memcpy(g->cert_uri, p, n);
	}
	if ((p = rec_get_bytes(&r, DOMAIN_Z_LEN)) != NULL)
		memcpy(g->z, p, DOMAIN_Z_LEN);
	if ((p = rec_get_bytes(&r, DOMAIN_KPAK_LEN)) != NULL)
		memcpy(g->kpak, p, DOMAIN_KPAK_LEN);
	return rec_rd_end(&r);
}

static int
generation_put(struct store_txn *t, const struct generation_rec *g, unsigned flags)
{
	uint8_t key[5];
	struct rec_buf b;
	size_t n = strnlen(g->cert_uri, sizeof(g->cert_uri));
	int err;

	if (n > DOMAIN_URI_MAX)
		return store_txn_fail(t, SKM_ELEN);
	generation_key(key, g->id);
	rec_init(&b);
	rec_u8(&b, GENERATION_V1);
	rec_i64(&b, g->effective);
	rec_i64(&b, g->created);
	rec_i64(&b, g->valid_from);
	rec_i64(&b, g->valid_to);
	rec_u8(&b, g->revoked != 0);
	rec_str16(&b, g->cert_uri, n);
	rec_bytes(&b, g->z, DOMAIN_Z_LEN);
	rec_bytes(&b, g->kpak, DOMAIN_KPAK_LEN);
	err = b.err != 0 ? store_txn_fail(t, b.err) :
	    store_txn_put(t, key, sizeof(key), b.p, b.len, flags);
	rec_free(&b);
	return err;
}

struct generation_scan {
	struct generation_rec *out;
	size_t cap, n;
};

static int
generation_one(const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen,
    void *arg)
{
	struct generation_scan *s = arg;
	int err;

	if (s->n == s->cap)
		return SKM_ELEN;
	if ((err = generation_decode(key, klen, val, vlen, &s->out[s->n])) != 0)
		return err;
	s->n++;
	return 0;
}

/* Generation 0 of a store without generation records: the domain's own certificate. */
static int
generation_implicit(struct store_txn *t, struct generation_rec *g)
{
	struct domain_rec *d;
	int err;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return store_txn_fail(t, SKM_ENOMEM);
	if ((err = store_domain_get(t, d)) == 0) {
		memset(g, 0, sizeof(*g));
		g->effective = GENERATION_FIRST;
		memcpy(g->cert_uri, d->cert_uri, sizeof(g->cert_uri));
		g->valid_from = d->valid_from;
		g->valid_to = d->valid_to;
		g->revoked = d->revoked;
		memcpy(g->z, d->z, sizeof(g->z));
		memcpy(g->kpak, d->kpak, sizeof(g->kpak));
	}
	free(d);
	return err;
}

int
store_generation_list(struct store_txn *t, struct generation_rec *out,
    size_t cap, size_t *n)
{
	static const uint8_t prefix[] = { STORE_C_GENERATION };
	struct generation_scan s = { out, cap, 0 };
	int err;

	*n = 0;
	if (t->err != 0)
		return t->err;
	if ((err = store_txn_scan(t, prefix, sizeof(prefix), NULL, 0, generation_one,
	    &s)) != 0)
		return err;
	if (s.n == 0) {
		if (cap == 0)
			return SKM_ELEN;
		if ((err = generation_implicit(t, &out[0])) != 0)
			return err;
		s.n = 1;
	}
	*n = s.n;
	return 0;
}

static int
generation_bump(struct store_txn *t)
{
	struct rec_buf b;
	uint64_t serial;
	int err;

	if ((err = store_generation_serial(t, &serial)) != 0)
		return err;
	rec_init(&b);
	rec_u8(&b, SERIAL_V1);
	rec_u64(&b, serial + 1);
	err = b.err != 0 ? store_txn_fail(t, b.err) :
	    store_txn_put(t, serial_key, sizeof(serial_key), b.p, b.len, 0);
	rec_free(&b);
	return err;
}

int
store_generation_add(struct store_txn *t, const struct generation_rec *g)
{
	static const uint8_t prefix[] = { STORE_C_GENERATION };
	struct generation_rec *all = NULL;
	struct generation_scan s;
	size_t n = 0;
	int err;

	if (t->err != 0)
		return t->err;
	if ((all = calloc(GENERATION_MAX, sizeof(*all))) == NULL)
		return store_txn_fail(t, SKM_ENOMEM);
	s.out = all;
	s.cap = GENERATION_MAX;
	s.n = 0;
	if ((err = store_txn_scan(t, prefix, sizeof(prefix), NULL, 0, generation_one,
	    &s)) != 0) {
		err = store_txn_fail(t, err);
		goto out;
	}
	n = s.n;
	if (n == 0) {
		if ((err = generation_implicit(t, &all[0])) != 0 ||
		    (err = generation_put(t, &all[0], STORE_NOOVERWRITE)) != 0)
			goto out;
		n = 1;
	}
	if (n >= GENERATION_MAX) {
		err = store_txn_fail(t, SKM_ELEN);
		goto out;
	}
	if (g->id <= all[n - 1].id || g->effective <= all[n - 1].effective) {
		err = store_txn_fail(t, SKM_EINVAL);
		goto out;
	}
	if ((err = generation_put(t, g, STORE_NOOVERWRITE)) == 0)
		err = generation_bump(t);
out:
	free(all);
	return err;
}

int
store_generation_revoke(struct store_txn *t, uint32_t id, int64_t effective)
{
	struct generation_rec *all;
	size_t n = 0, i;
	int err;

	if (t->err != 0)
		return t->err;
	if ((all = calloc(GENERATION_MAX, sizeof(*all))) == NULL)
		return store_txn_fail(t, SKM_ENOMEM);
	if ((err = store_generation_list(t, all, GENERATION_MAX, &n)) != 0) {
		err = store_txn_fail(t, err);
		goto out;
	}
	for (i = 0; i < n && all[i].id != id; i++)
		;
	if (i == n) {
		err = store_txn_fail(t, SKM_ENOTFOUND);
		goto out;
	}
	/* The effective times stay strictly ascending. */
	if ((i > 0 && effective <= all[i - 1].effective) ||
	    (i + 1 < n && effective >= all[i + 1].effective) ||
	    (all[i].effective == GENERATION_FIRST && effective != GENERATION_FIRST)) {
		err = store_txn_fail(t, SKM_EINVAL);
		goto out;
	}
	/* Written out even when it was the implicit generation 0. */
	all[i].revoked = 1;
	all[i].effective = effective;
	if ((err = generation_put(t, &all[i], 0)) == 0)
		err = generation_bump(t);
out:
	free(all);
	return err;
}

int
store_generation_del(struct store_txn *t, uint32_t id)
{
	uint8_t key[5];

	generation_key(key, id);
	store_txn_del(t, key, sizeof(key));
	store_secrets_del_gen(t, id);
	if (t->err != 0)
		return t->err;
	return generation_bump(t);
}

int
store_generation_serial(struct store_txn *t, uint64_t *serial)
{
	struct rec_rd r;
	const uint8_t *v;
	size_t vlen;
	int err;

	*serial = 0;
	err = store_txn_get(t, serial_key, sizeof(serial_key), &v, &vlen);
	if (err == SKM_ENOTFOUND)
		return 0;
	if (err != 0)
		return err;
	rec_rd_init(&r, v, vlen);
	if (rec_get_u8(&r) != SERIAL_V1)
		return store_txn_fail(t, SKM_ESTORE);
	*serial = rec_get_u64(&r);
	if ((err = rec_rd_end(&r)) != 0)
		return store_txn_fail(t, err);
	return 0;
}
