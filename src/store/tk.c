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

#include <string.h>

#include <openssl/crypto.h>

#define TK_V1		1
#define TK_PLAIN_MAX	(STORE_TK_SLOTS * (2 + STORE_TK_ID_MAX + STORE_TK_KEY_LEN))

/* The reseal in secrets.c opens these records too: same versions, same bound. */
typedef char tk_fits_secrets[TK_PLAIN_MAX <= STORE_SECRETS_MAX ? 1 : -1];

static int
tk_key(uint8_t *key, const uint8_t *uri, size_t len)
{
	if (len == 0 || len > REC_URI_INLINE)
		return -1;
	key[0] = STORE_C_TK;
	memcpy(key + 1, uri, len);
	return 0;
}

int
store_tk_id_ok(const char *id)
{
	size_t i, n = strlen(id);

	if (n == 0 || n > STORE_TK_ID_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (id[i] <= ' ' || id[i] > '~' || id[i] == '<' || id[i] == '&')
			return 0;
	return 1;
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

int
store_tk_has(struct store_txn *t, const uint8_t *uri, size_t len)
{
	uint8_t key[1 + REC_URI_INLINE];
	const uint8_t *val;
	size_t vlen;

	if (tk_key(key, uri, len) != 0)
		return SKM_ELEN;
	return store_txn_get(t, key, 1 + len, &val, &vlen);
}

int
store_tk_get(struct store_txn *t, const struct kek *kek, const uint8_t *uri,
    size_t len, struct store_tk *out)
{
	uint8_t key[1 + REC_URI_INLINE], aad[2 + REC_URI_INLINE], *plain = NULL;
	const uint8_t *val;
	size_t vlen, n = 0;
	int err;

	memset(out, 0, sizeof(*out));
	if (tk_key(key, uri, len) != 0)
		return SKM_ELEN;
	if ((err = store_txn_get(t, key, 1 + len, &val, &vlen)) != 0)
		return err;
	if (vlen < 1 || val[0] != TK_V1)
		return SKM_EVERIFY;
	memcpy(aad, key, 1 + len);
	aad[1 + len] = val[0];
	if ((plain = OPENSSL_secure_zalloc(STORE_SECRETS_MAX)) == NULL)
		return SKM_ENOMEM;
	err = kek_unseal(kek, aad, 2 + len, val + 1, vlen - 1, plain, STORE_SECRETS_MAX, &n);
	if (err == 0)
		err = tk_decode(plain, n, out);
	if (err != 0)
		OPENSSL_cleanse(out, sizeof(*out));
	OPENSSL_secure_clear_free(plain, STORE_SECRETS_MAX);
	return err;
}

int
store_tk_put(struct store_txn *t, const struct kek *kek, const uint8_t *uri,
    size_t len, const struct store_tk *tk)
{
	uint8_t key[1 + REC_URI_INLINE], aad[2 + REC_URI_INLINE], *plain = NULL;
	uint8_t val[1 + TK_PLAIN_MAX + KEK_SEAL_OVERHEAD_MAX];
	size_t i, n, m;
	int err, any = 0;

	if (t->err != 0)
		return t->err;
	if (tk_key(key, uri, len) != 0)
		return store_txn_fail(t, SKM_ELEN);
	for (i = 0; i < STORE_TK_SLOTS; i++) {
		if (!tk->slot[i].set)
			continue;
		if (!store_tk_id_ok(tk->slot[i].id))
			return store_txn_fail(t, SKM_EINVAL);
		any = 1;
	}
	if (!any) {
		err = store_txn_del(t, key, 1 + len);
		return err == SKM_ENOTFOUND ? 0 : err;
	}
	if ((plain = OPENSSL_secure_zalloc(TK_PLAIN_MAX)) == NULL)
		return store_txn_fail(t, SKM_ENOMEM);
	n = tk_encode(tk, plain);
	val[0] = TK_V1;
	memcpy(aad, key, 1 + len);
	aad[1 + len] = TK_V1;
	err = kek_seal(kek, aad, 2 + len, plain, n, val + 1, sizeof(val) - 1, &m);
	OPENSSL_secure_clear_free(plain, TK_PLAIN_MAX);
	if (err != 0)
		return store_txn_fail(t, err);
	return store_txn_put(t, key, 1 + len, val, 1 + m, 0);
}

struct tk_list {
	int (*fn)(const char *uri, size_t len, void *arg);
	void *arg;
};

static int
tk_list_one(const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen, void *arg)
{
	struct tk_list *l = arg;
	char uri[REC_URI_INLINE + 1];

	(void)val;
	(void)vlen;
	if (klen < 2 || klen - 1 > REC_URI_INLINE)
		return SKM_ESTORE;
	memcpy(uri, key + 1, klen - 1);
	uri[klen - 1] = '\0';
	return l->fn(uri, klen - 1, l->arg);
}

int
store_tk_list(struct store_txn *t, int (*fn)(const char *uri, size_t len, void *arg),
    void *arg)
{
	static const uint8_t prefix[] = { STORE_C_TK };
	struct tk_list l = { fn, arg };

	return store_txn_scan(t, prefix, sizeof(prefix), NULL, 0, tk_list_one, &l);
}
