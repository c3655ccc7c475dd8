/* SPDX-License-Identifier: ISC */
/*
 * Sealed TrK/InK records (tk.h). The plaintext is, per slot in the order
 * of enum store_tk_which: set(1) || id length(1) || id || key(32) when
 * set, one zero octet otherwise.
 */
#include "store/tk.h"
#include "store/kek.h"
#include "store/rec.h"
#include "store/secrets.h"
#include "store/store.h"
#include "common/err.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#define TK_V1		1
#define TK_PLAIN_MAX	(STORE_TK_SLOTS * (2 + STORE_TK_ID_MAX + STORE_TK_KEY_LEN))

/* The reseal in secrets.c opens these records too: same versions, same bound. */
typedef char tk_fits_secrets[TK_PLAIN_MAX <= STORE_SECRETS_MAX ? 1 : -1];

size_t
store_tk_key(uint8_t *key, const uint8_t *uri, size_t len, const char *device)
{
	size_t dlen = device != NULL ? strlen(device) : 0;

	if (len == 0 || len > REC_URI_INLINE || memchr(uri, '\0', len) != NULL)
		return 0;
	if (dlen > STORE_TK_DEVICE_MAX)
		return 0;
	key[0] = STORE_C_TK;
	memcpy(key + 1, uri, len);
	if (dlen == 0)
		return 1 + len;
	key[1 + len] = '\0';
	memcpy(key + 2 + len, device, dlen);
	return 2 + len + dlen;
}

static int
tk_name_ok(const char *s, size_t max)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == '<' || s[i] == '&')
			return 0;
	return 1;
}

int
store_tk_device_ok(const char *device)
{
	return tk_name_ok(device, STORE_TK_DEVICE_MAX);
}

int
store_tk_id_ok(const char *id)
{
	return tk_name_ok(id, STORE_TK_ID_MAX);
}

static size_t
tk_encode(const struct store_tk *tk, uint8_t *p)
{
	size_t i, n = 0, idlen;

	for (i = 0; i < STORE_TK_SLOTS; i++) {
		const struct store_tk_slot *s = &tk->slot[i];

		p[n++] = s->set ? 1 : 0;
		if (!s->set)
			continue;
		idlen = strlen(s->id);
		p[n++] = (uint8_t)idlen;
		memcpy(p + n, s->id, idlen);
		n += idlen;
		memcpy(p + n, s->key, STORE_TK_KEY_LEN);
		n += STORE_TK_KEY_LEN;
	}
	return n;
}

static int
tk_decode(const uint8_t *p, size_t len, struct store_tk *tk)
{
	size_t i, n = 0, idlen;

	memset(tk, 0, sizeof(*tk));
	for (i = 0; i < STORE_TK_SLOTS; i++) {
		struct store_tk_slot *s = &tk->slot[i];

		if (n >= len || p[n] > 1)
			return SKM_EVERIFY;
		if (p[n++] == 0)
			continue;
		if (n >= len || (idlen = p[n++]) == 0 || idlen > STORE_TK_ID_MAX ||
		    len - n < idlen + STORE_TK_KEY_LEN)
			return SKM_EVERIFY;
		s->set = 1;
		memcpy(s->id, p + n, idlen);
		s->id[idlen] = '\0';
		n += idlen;
		memcpy(s->key, p + n, STORE_TK_KEY_LEN);
		n += STORE_TK_KEY_LEN;
	}
	return n == len ? 0 : SKM_EVERIFY;
}

struct tk_each {
	const uint8_t *uri;		/* NULL: every identity's */
	size_t len;
	int (*fn)(const struct store_tk_rec *r, void *arg);
	void *arg;
};

static int
tk_each_one(const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen, void *arg)
{
	struct tk_each *e = arg;
	char uri[REC_URI_INLINE + 1], dev[STORE_TK_DEVICE_MAX + 1];
	struct store_tk_rec r;
	const uint8_t *z;
	size_t ulen, dlen = 0;

	if (klen < 2)
		return SKM_ESTORE;
	/* The scan's prefix is the URI: its records end there or go on with a NUL. */
	if (e->uri != NULL && klen > 1 + e->len && key[1 + e->len] != '\0')
		return 0;
	z = memchr(key + 1, '\0', klen - 1);
	ulen = z != NULL ? (size_t)(z - key - 1) : klen - 1;
	if (z != NULL)
		dlen = klen - 2 - ulen;
	if (ulen == 0 || ulen > REC_URI_INLINE || dlen > STORE_TK_DEVICE_MAX ||
	    (z != NULL && dlen == 0))
		return SKM_ESTORE;
	memcpy(uri, key + 1, ulen);
	uri[ulen] = '\0';
	if (dlen > 0)
		memcpy(dev, z + 1, dlen);
	dev[dlen] = '\0';
	r.uri = uri;
	r.len = ulen;
	r.device = dev;
	r.key = key;
	r.klen = klen;
	r.val = val;
	r.vlen = vlen;
	return e->fn(&r, e->arg);
}

int
store_tk_each(struct store_txn *t, const uint8_t *uri, size_t len,
    int (*fn)(const struct store_tk_rec *r, void *arg), void *arg)
{
	uint8_t prefix[1 + REC_URI_INLINE];
	struct tk_each e = { uri, len, fn, arg };
	size_t plen = 1;

	prefix[0] = STORE_C_TK;
	if (uri != NULL) {
		if ((plen = store_tk_key(prefix, uri, len, NULL)) == 0)
			return SKM_ELEN;
	}
	return store_txn_scan(t, prefix, plen, NULL, 0, tk_each_one, &e);
}

static int
tk_has_one(const struct store_tk_rec *r, void *arg)
{
	(void)r;
	*(int *)arg = 1;
	return 1;
}

int
store_tk_has(struct store_txn *t, const uint8_t *uri, size_t len)
{
	int found = 0, rc;

	if ((rc = store_tk_each(t, uri, len, tk_has_one, &found)) != 0)
		return rc;
	return found ? 0 : SKM_ENOTFOUND;
}

int
store_tk_open(const struct kek *kek, const uint8_t *key, size_t klen,
    const uint8_t *val, size_t vlen, struct store_tk *out)
{
	uint8_t aad[STORE_KEY_MAX + 1], *plain = NULL;
	size_t n = 0;
	int err, opened;

	memset(out, 0, sizeof(*out));
	if (klen > STORE_KEY_MAX)
		return SKM_ELEN;
	if (vlen < 1 || val[0] != TK_V1)
		return SKM_EVERIFY;
	memcpy(aad, key, klen);
	aad[klen] = val[0];
	if ((plain = OPENSSL_secure_zalloc(STORE_SECRETS_MAX)) == NULL)
		return SKM_ENOMEM;
	err = kek_unseal(kek, aad, klen + 1, val + 1, vlen - 1, plain, STORE_SECRETS_MAX, &n);
	opened = err == 0;
	if (err == 0)
		err = tk_decode(plain, n, out);
	if (err != 0)
		OPENSSL_cleanse(out, sizeof(*out));
	/* An opened record is n octets, the rest still zero from the allocation. */
	OPENSSL_cleanse(plain, opened ? n : STORE_SECRETS_MAX);
	OPENSSL_secure_free(plain);
	return err;
}

int
store_tk_get(struct store_txn *t, const struct kek *kek, const uint8_t *uri,
    size_t len, const char *device, struct store_tk *out)
{
	uint8_t key[STORE_KEY_MAX];
	const uint8_t *val;
	size_t klen, vlen;
	int err;

	memset(out, 0, sizeof(*out));
	if ((klen = store_tk_key(key, uri, len, device)) == 0)
		return SKM_ELEN;
	if ((err = store_txn_get(t, key, klen, &val, &vlen)) != 0)
		return err;
	return store_tk_open(kek, key, klen, val, vlen, out);
}

int
store_tk_put(struct store_txn *t, const struct kek *kek, const uint8_t *uri,
    size_t len, const char *device, const struct store_tk *tk)
{
	uint8_t key[STORE_KEY_MAX], aad[STORE_KEY_MAX + 1], *plain = NULL;
	uint8_t val[1 + TK_PLAIN_MAX + KEK_SEAL_OVERHEAD_MAX];
	size_t i, n, m, klen;
	int err, any = 0;

	if (t->err != 0)
		return t->err;
	if ((klen = store_tk_key(key, uri, len, device)) == 0)
		return store_txn_fail(t, SKM_ELEN);
	for (i = 0; i < STORE_TK_SLOTS; i++) {
		if (!tk->slot[i].set)
			continue;
		if (!store_tk_id_ok(tk->slot[i].id))
			return store_txn_fail(t, SKM_EINVAL);
		any = 1;
	}
	if (!any) {
		err = store_txn_del(t, key, klen);
		return err == SKM_ENOTFOUND ? 0 : err;
	}
	if ((plain = OPENSSL_secure_zalloc(TK_PLAIN_MAX)) == NULL)
		return store_txn_fail(t, SKM_ENOMEM);
	n = tk_encode(tk, plain);
	val[0] = TK_V1;
	memcpy(aad, key, klen);
	aad[klen] = TK_V1;
	err = kek_seal(kek, aad, klen + 1, plain, n, val + 1, sizeof(val) - 1, &m);
	OPENSSL_secure_clear_free(plain, TK_PLAIN_MAX);
	if (err != 0)
		return store_txn_fail(t, err);
	return store_txn_put(t, key, klen, val, 1 + m, 0);
}

/* The keys of the records store_tk_each() finds, gathered for store_tk_del_all(). */
struct tk_keys {
	uint8_t (*key)[STORE_KEY_MAX];
	size_t *klen;
	size_t n, cap;
};

static int
tk_keys_add(const struct store_tk_rec *r, void *arg)
{
	struct tk_keys *k = arg;
	void *p;
	size_t cap;

	if (r->klen > STORE_KEY_MAX)
		return SKM_ELEN;
	if (k->n == k->cap) {
		cap = k->cap ? k->cap * 2 : 4;
		if ((p = realloc(k->key, cap * sizeof(*k->key))) == NULL)
			return SKM_ENOMEM;
		k->key = p;
		if ((p = realloc(k->klen, cap * sizeof(*k->klen))) == NULL)
			return SKM_ENOMEM;
		k->klen = p;
		k->cap = cap;
	}
	memcpy(k->key[k->n], r->key, r->klen);
	k->klen[k->n++] = r->klen;
	return 0;
}

int
store_tk_del_all(struct store_txn *t, const uint8_t *uri, size_t len)
{
	struct tk_keys k = { NULL, NULL, 0, 0 };
	size_t i;
	int err;

	if (t->err != 0)
		return t->err;
	/* Gathered first: no record is deleted under the scan's cursor. */
	err = store_tk_each(t, uri, len, tk_keys_add, &k);
	for (i = 0; err == 0 && i < k.n; i++)
		err = store_txn_del(t, k.key[i], k.klen[i]);
	free(k.key);
	free(k.klen);
	if (err != 0)
		return store_txn_fail(t, err);
	return 0;
}
