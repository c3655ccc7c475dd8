/* SPDX-License-Identifier: ISC */
/*
 * Sealed master secrets. Value: version(1) || nonce || ciphertext || tag;
 * the associated data is the record key followed by the version, so a
 * sealed value moved to another record or relabelled fails to open.
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

static const uint8_t secrets_key[] = { STORE_C_SECRETS };

static void
secrets_aad(uint8_t *aad, uint8_t version)
{
	memcpy(aad, secrets_key, sizeof(secrets_key));
	aad[sizeof(secrets_key)] = version;
}

int
store_secrets_put(struct store_txn *t, const struct kek *kek,
    const uint8_t *plain, size_t len)
{
	uint8_t aad[sizeof(secrets_key) + 1], *val = NULL;
	size_t vlen, n;
	int err;

	if (t->err != 0)
		return t->err;
	if (len == 0 || len > STORE_SECRETS_MAX)
		return store_txn_fail(t, SKM_ELEN);
	vlen = 1 + len + SEAL_OVERHEAD;
	if ((val = malloc(vlen)) == NULL)
		return store_txn_fail(t, SKM_ENOMEM);
	val[0] = SECRETS_V1;
	secrets_aad(aad, SECRETS_V1);
	err = kek_seal(kek, aad, sizeof(aad), plain, len, val + 1, vlen - 1, &n);
	if (err != 0)
		store_txn_fail(t, err);
	else
		err = store_txn_put(t, secrets_key, sizeof(secrets_key), val, vlen, 0);
	free(val);
	return err;
}

int
store_secrets_get(struct store_txn *t, const struct kek *kek,
    uint8_t *buf, size_t cap, size_t *len)
{
	uint8_t aad[sizeof(secrets_key) + 1];
	const uint8_t *val;
	size_t vlen;
	int err;

	*len = 0;
	err = store_txn_get(t, secrets_key, sizeof(secrets_key), &val, &vlen);
	if (err != 0)
		return err;
	/* An unknown version is an altered value: the version is authenticated. */
	if (vlen < 1 || val[0] != SECRETS_V1)
		return store_txn_fail(t, SKM_EVERIFY);
	secrets_aad(aad, val[0]);
	err = kek_unseal(kek, aad, sizeof(aad), val + 1, vlen - 1, buf, cap, len);
	if (err != 0) {
		OPENSSL_cleanse(buf, cap);
		return store_txn_fail(t, err);
	}
	return 0;
}
