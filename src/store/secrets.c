/* SPDX-License-Identifier: ISC */
/*
 * Sealed master secrets. Key: STORE_C_SECRETS for the domain's first
 * generation (as every store before rollovers has it), STORE_C_SECRETS ||
 * u32 generation for later ones. Value: version(1) || nonce || ciphertext
 * || tag; the associated data is the record key followed by the version,
 * so a sealed value moved to another record (or generation) or relabelled
 * fails to open.
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
	vlen = 1 + len + SEAL_OVERHEAD;
	if ((val = malloc(vlen)) == NULL)
		return store_txn_fail(t, SKM_ENOMEM);
	val[0] = SECRETS_V1;
	alen = secrets_aad(aad, key, klen, SECRETS_V1);
	err = kek_seal(kek, aad, alen, plain, len, val + 1, vlen - 1, &n);
	if (err != 0)
		store_txn_fail(t, err);
	else
		err = store_txn_put(t, key, klen, val, vlen, 0);
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
