/* SPDX-License-Identifier: ISC */
/*
 * Choosing a key-encryption key source and the software key shared by the
 * file and passphrase sources. Key bytes stay in the secure heap and are
 * cleansed on every free; nothing here logs.
 */
#include "store/kek.h"
#include "store/seal.h"
#include "common/err.h"

#include <string.h>

#include <openssl/crypto.h>

static const struct kek_ops *const kek_sources[] = {
	&kek_file_ops,
	&kek_passphrase_ops,
	&kek_pkcs11_ops,
};

const struct kek_ops *
kek_ops_find(enum kek_kind kind)
{
	size_t i;

	for (i = 0; i < sizeof(kek_sources) / sizeof(kek_sources[0]); i++)
		if (kek_sources[i]->kind == kind)
			return kek_sources[i];
	return NULL;
}

const char *
kek_kind_name(enum kek_kind kind)
{
	const struct kek_ops *ops = kek_ops_find(kind);

	return ops != NULL ? ops->name : "unknown";
}

const char *
kek_kind_noun(enum kek_kind kind)
{
	const struct kek_ops *ops = kek_ops_find(kind);

	return ops != NULL ? ops->noun : "unknown source";
}

int
kek_load(const struct kek_ref *ref, const char *path, struct kek **out,
    char *why, size_t whylen)
{
	const struct kek_ops *ops = kek_ops_find(ref->kind);

	*out = NULL;
	if (path == NULL)
		path = ref->path;
	if (ops == NULL)
		return SKM_EINVAL;
	return ops->load(ref, path, out, why, whylen);
}

int
kek_seal(const struct kek *k, const uint8_t *aad, size_t aadlen,
    const uint8_t *plain, size_t len, uint8_t *out, size_t cap, size_t *outlen)
{
	return k->ops->seal(k, aad, aadlen, plain, len, out, cap, outlen);
}

int
kek_unseal(const struct kek *k, const uint8_t *aad, size_t aadlen,
    const uint8_t *in, size_t inlen, uint8_t *plain, size_t cap, size_t *len)
{
	return k->ops->unseal(k, aad, aadlen, in, inlen, plain, cap, len);
}

void
kek_free(struct kek *k)
{
	if (k != NULL)
		k->ops->free(k);
}

int
kek_soft_new(const struct kek_ops *ops, struct kek **out, uint8_t **key)
{
	struct kek *k;

	*out = NULL;
	*key = NULL;
	if ((k = OPENSSL_secure_zalloc(sizeof(*k))) == NULL)
		return SKM_ENOMEM;
	if ((k->priv = OPENSSL_secure_zalloc(SEAL_KEY_LEN)) == NULL) {
		OPENSSL_secure_clear_free(k, sizeof(*k));
		return SKM_ENOMEM;
	}
	k->ops = ops;
	*key = k->priv;
	*out = k;
	return 0;
}

int
kek_soft_seal(const struct kek *k, const uint8_t *aad, size_t aadlen,
    const uint8_t *plain, size_t len, uint8_t *out, size_t cap, size_t *outlen)
{
	return seal_encrypt(k->priv, aad, aadlen, plain, len, out, cap, outlen);
}

int
kek_soft_unseal(const struct kek *k, const uint8_t *aad, size_t aadlen,
    const uint8_t *in, size_t inlen, uint8_t *plain, size_t cap, size_t *len)
{
	return seal_decrypt(k->priv, aad, aadlen, in, inlen, plain, cap, len);
}

void
kek_soft_free(struct kek *k)
{
	if (k == NULL)
		return;
	OPENSSL_secure_clear_free(k->priv, SEAL_KEY_LEN);
	OPENSSL_secure_clear_free(k, sizeof(*k));
}
