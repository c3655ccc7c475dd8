/* SPDX-License-Identifier: ISC */
/*
 * The GMS store's key-encryption key (see gstore_set_kek()): GMKs are
 * sealed with store/seal (AES-256-GCM) as skmsd seals its master secrets,
 * the associated data naming the group and the GMK-ID, so a sealed GMK
 * moved to another group or GMK-ID does not open.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/be.h"
#include "common/err.h"
#include "common/secfile.h"
#include "gms/gstore.h"
#include "gms/gstore_int.h"
#include "store/seal.h"

#define AAD_TAG		"skgms gmk"

int
gstore_set_kek(struct gstore *st, const char *path, char *why, size_t whylen)
{
	uint8_t buf[GSTORE_KEK_LEN + 1];
	size_t len = 0;
	int rc;

	if ((rc = secfile_read(path, buf, sizeof(buf), &len, why, whylen)) != 0) {
		if (rc == SKM_ELEN)
			snprintf(why, whylen, "%s: not %d octets", path, GSTORE_KEK_LEN);
		return rc;
	}
	if (len != GSTORE_KEK_LEN) {
		OPENSSL_cleanse(buf, sizeof(buf));
		snprintf(why, whylen, "%s: not %d octets", path, GSTORE_KEK_LEN);
		return SKM_EINVAL;
	}
	if (st->kek == NULL && (st->kek = OPENSSL_secure_malloc(GSTORE_KEK_LEN)) == NULL) {
		OPENSSL_cleanse(buf, sizeof(buf));
		snprintf(why, whylen, "%s", skm_strerror(SKM_ENOMEM));
		return SKM_ENOMEM;
	}
	memcpy(st->kek, buf, GSTORE_KEK_LEN);
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

/* "skgms gmk" NUL group NUL gmk-id (4): what a sealed GMK is bound to. */
static size_t
aad(uint8_t *out, size_t cap, const char *group, uint32_t gmk_id)
{
	size_t n = strlen(group), len = sizeof(AAD_TAG) + n + 1 + 4;

	if (len > cap)
		return 0;
	memcpy(out, AAD_TAG, sizeof(AAD_TAG));
	memcpy(out + sizeof(AAD_TAG), group, n + 1);
	be_put(out + sizeof(AAD_TAG) + n + 1, gmk_id, 4);
	return len;
}

int
gstore_kek_seal(const struct gstore *st, const char *group, uint32_t gmk_id,
    const uint8_t key[GSTORE_GMK_LEN], uint8_t out[GSTORE_SEALED_LEN])
{
	uint8_t a[sizeof(AAD_TAG) + GSTORE_GROUP_MAX + 1 + 4];
	size_t alen = aad(a, sizeof(a), group, gmk_id), olen;

	if (alen == 0)
		return SKM_ELEN;
	return seal_encrypt(st->kek, a, alen, key, GSTORE_GMK_LEN, out, GSTORE_SEALED_LEN,
	    &olen);
}

int
gstore_kek_open(const struct gstore *st, const char *group, uint32_t gmk_id,
    const uint8_t in[GSTORE_SEALED_LEN], uint8_t key[GSTORE_GMK_LEN])
{
	uint8_t a[sizeof(AAD_TAG) + GSTORE_GROUP_MAX + 1 + 4];
	size_t alen = aad(a, sizeof(a), group, gmk_id), len;
	int rc;

	if (alen == 0)
		return SKM_ELEN;
	if ((rc = seal_decrypt(st->kek, a, alen, in, GSTORE_SEALED_LEN, key, GSTORE_GMK_LEN,
	    &len)) == 0 && len != GSTORE_GMK_LEN)
		rc = SKM_EVERIFY;
	if (rc != 0)
		OPENSSL_cleanse(key, GSTORE_GMK_LEN);
	return rc;
}
