/* SPDX-License-Identifier: ISC */
/*
 * Sealed master secrets. Key: STORE_C_SECRETS for the domain's first
 * generation (as every store before rollovers has it), STORE_C_SECRETS ||
 * u32 generation for later ones. Value: version(1) || nonce || ciphertext
 * || tag; the associated data is the record key followed by the version,
 * so a sealed value moved to another record (or generation) or relabelled
 * fails to open. A key-encryption key rotation re-seals every record of
 * the class at once.
 */
#include "store/secrets.h"
#include "store/kek.h"
#include "store/seal.h"
#include "store/store.h"
#include "common/err.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#define SECRETS_V1	1

#define SECRETS_KEY_MAX	5

/* Every class sealed this way: the master secrets and the TrK/InK records (tk.h). */
static const uint8_t secrets_classes[] = { STORE_C_SECRETS, STORE_C_TK };

static size_t
secrets_key(uint8_t *key, uint32_t gen)
{
	key[0] = STORE_C_SECRETS;
	if (gen == 0)
		return 1;
	key[1] = (uint8_t)(gen >> 24);
	key[2] = (uint8_t)(gen >> 16);
	key[3] = (uint8_t)(gen >> 8);
	key[4] = (uint8_t)gen;
	return SECRETS_KEY_MAX;
}

static size_t
secrets_aad(uint8_t *aad, const uint8_t *key, size_t klen, uint8_t version)
{
	memcpy(aad, key, klen);
	aad[klen] = version;
	return klen + 1;
}

int
store_secrets_put(struct store_txn *t, const struct kek *kek,
    const uint8_t *plain, size_t len)
{
	return store_secrets_put_gen(t, 0, kek, plain, len);
}

int
store_secrets_get(struct store_txn *t, const struct kek *kek,
    uint8_t *buf, size_t cap, size_t *len)
{
	return store_secrets_get_gen(t, 0, kek, buf, cap, len);
}

int
store_secrets_del_gen(struct store_txn *t, uint32_t gen)
{
	uint8_t key[SECRETS_KEY_MAX];

	return store_txn_del(t, key, secrets_key(key, gen));
}

int
store_secrets_put_gen(struct store_txn *t, uint32_t gen, const struct kek *kek,
    const uint8_t *plain, size_t len)
{
	uint8_t key[SECRETS_KEY_MAX], aad[SECRETS_KEY_MAX + 1], *val = NULL;
	size_t klen = secrets_key(key, gen), alen, vlen, n;
	int err;

	if (t->err != 0)
		return t->err;
	if (len == 0 || len > STORE_SECRETS_MAX)
		return store_txn_fail(t, SKM_ELEN);
	/* The source says how much it adds (a token's sealed form differs). */
	vlen = 1 + len + KEK_SEAL_OVERHEAD_MAX;
	if ((val = malloc(vlen)) == NULL)
		return store_txn_fail(t, SKM_ENOMEM);
	val[0] = SECRETS_V1;
	alen = secrets_aad(aad, key, klen, SECRETS_V1);
	err = kek_seal(kek, aad, alen, plain, len, val + 1, vlen - 1, &n);
	if (err != 0)
		store_txn_fail(t, err);
	else
		err = store_txn_put(t, key, klen, val, 1 + n, 0);
	free(val);
	return err;
}

int
store_secrets_get_gen(struct store_txn *t, uint32_t gen, const struct kek *kek,
    uint8_t *buf, size_t cap, size_t *len)
{
	uint8_t key[SECRETS_KEY_MAX], aad[SECRETS_KEY_MAX + 1];
	size_t klen = secrets_key(key, gen), alen;
	const uint8_t *val;
	size_t vlen;
	int err;

	*len = 0;
	err = store_txn_get(t, key, klen, &val, &vlen);
	if (err != 0)
		return err;
	/* An unknown version is an altered value: the version is authenticated. */
	if (vlen < 1 || val[0] != SECRETS_V1)
		return store_txn_fail(t, SKM_EVERIFY);
	alen = secrets_aad(aad, key, klen, val[0]);
	err = kek_unseal(kek, aad, alen, val + 1, vlen - 1, buf, cap, len);
	if (err != 0) {
		OPENSSL_cleanse(buf, cap);
		return store_txn_fail(t, err);
	}
	return 0;
}

/* The keys of the class, copied out: a scan may not write. */
struct secrets_keys {
	uint8_t (*k)[STORE_KEY_MAX];
	size_t *len;
	size_t n, cap;
};

static int
secrets_collect(const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen,
    void *arg)
{
	struct secrets_keys *ks = arg;
	void *p;

	(void)val;
	(void)vlen;
	if (klen > STORE_KEY_MAX)
		return SKM_ESTORE;
	if (ks->n == ks->cap) {
		ks->cap = ks->cap == 0 ? 4 : ks->cap * 2;
		if ((p = realloc(ks->k, ks->cap * sizeof(*ks->k))) == NULL)
			return SKM_ENOMEM;
		ks->k = p;
		if ((p = realloc(ks->len, ks->cap * sizeof(*ks->len))) == NULL)
			return SKM_ENOMEM;
		ks->len = p;
	}
	memcpy(ks->k[ks->n], key, klen);
	ks->len[ks->n++] = klen;
	return 0;
}

/* One record: open under from, seal under to, replace. */
static int
secrets_reseal_one(struct store_txn *t, const uint8_t *key, size_t klen,
    const struct kek *from, const struct kek *to, uint8_t *plain)
{
	uint8_t aad[STORE_KEY_MAX + 1], *val = NULL;
	const uint8_t *old;
	size_t vlen, len = 0, n;
	int err;

	if ((err = store_txn_get(t, key, klen, &old, &vlen)) != 0)
		return store_txn_fail(t, err);
	if (vlen < 1 + SEAL_OVERHEAD || old[0] != SECRETS_V1 ||
	    vlen - 1 - SEAL_OVERHEAD > STORE_SECRETS_MAX + KEK_SEAL_OVERHEAD_MAX)
		return store_txn_fail(t, SKM_EVERIFY);
	secrets_aad(aad, key, klen, old[0]);
	if ((err = kek_unseal(from, aad, klen + 1, old + 1, vlen - 1, plain,
	    STORE_SECRETS_MAX, &len)) != 0)
		return store_txn_fail(t, err);
	/* The same version and associated data: only the key (and with the
	 * source, the length of the sealed form) changes. */
	if ((val = malloc(1 + len + KEK_SEAL_OVERHEAD_MAX)) == NULL) {
		err = store_txn_fail(t, SKM_ENOMEM);
		goto out;
	}
	val[0] = SECRETS_V1;
	if ((err = kek_seal(to, aad, klen + 1, plain, len, val + 1,
	    len + KEK_SEAL_OVERHEAD_MAX, &n)) != 0)
		store_txn_fail(t, err);
	else
		err = store_txn_put(t, key, klen, val, 1 + n, 0);
out:
	OPENSSL_cleanse(plain, len);
	free(val);
	return err;
}

int
store_secrets_reseal(struct store_txn *t, const struct kek *from,
    const struct kek *to, size_t *n)
{
	struct secrets_keys ks = { NULL, NULL, 0, 0 };
	uint8_t *plain = NULL;
	size_t i;
	int err;

	if (n != NULL)
		*n = 0;
	if (t->err != 0)
		return t->err;
	/* Every generation's record: the keys that start with the class octet. */
	for (i = 0; i < sizeof(secrets_classes); i++) {
		if ((err = store_txn_scan(t, &secrets_classes[i], 1, NULL, 0,
		    secrets_collect, &ks)) != 0) {
			store_txn_fail(t, err);
			goto out;
		}
	}
	if ((plain = OPENSSL_secure_zalloc(STORE_SECRETS_MAX)) == NULL) {
		err = store_txn_fail(t, SKM_ENOMEM);
		goto out;
	}
	for (i = 0; i < ks.n && err == 0; i++)
		err = secrets_reseal_one(t, ks.k[i], ks.len[i], from, to, plain);
	if (err == 0 && n != NULL)
		*n = ks.n;
out:
	OPENSSL_secure_clear_free(plain, STORE_SECRETS_MAX);
	free(ks.k);
	free(ks.len);
	return err;
}
