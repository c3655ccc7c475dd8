/* SPDX-License-Identifier: ISC */
/*
 * Key-encryption key from a key file: exactly 32 random octets, mode 0600,
 * owned by us or root (checked by secfile). The file is read straight into
 * the secure heap; the key is never logged or copied elsewhere.
 */
#include "store/kek.h"
#include "store/seal.h"
#include "common/err.h"
#include "common/secfile.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

static int
kek_file_load(const struct kek_ref *ref, const char *path, struct kek **out,
    char *why, size_t whylen)
{
	struct kek *k = NULL;
	uint8_t *key, *buf = NULL;
	size_t len;
	int err;

	*out = NULL;
	if ((err = kek_soft_new(&kek_file_ops, &k, &key)) != 0)
		goto out;
	/* One octet of room to tell a longer file from an exact key. */
	if ((buf = OPENSSL_secure_zalloc(SEAL_KEY_LEN + 1)) == NULL) {
		err = SKM_ENOMEM;
		goto out;
	}
	err = secfile_read(path, buf, SEAL_KEY_LEN + 1, &len, why, whylen);
	if (err == 0 && len != SEAL_KEY_LEN) {
		if (why != NULL && whylen > 0)
			snprintf(why, whylen, "%s: %zu octets, want %d", path, len,
			    SEAL_KEY_LEN);
		err = SKM_ELEN;
	}
	if (err != 0)
		goto out;
	memcpy(key, buf, SEAL_KEY_LEN);
	*out = k;
	k = NULL;
out:
	OPENSSL_secure_clear_free(buf, SEAL_KEY_LEN + 1);
	kek_soft_free(k);
	return err;
}

const struct kek_ops kek_file_ops = {
	.name = "file",
	.noun = "key file",
	.kind = KEK_FILE,
	.load = kek_file_load,
	.seal = kek_soft_seal,
	.unseal = kek_soft_unseal,
	.free = kek_soft_free,
};

int
kek_file_create(const char *path)
{
	uint8_t *key;
	int err;

	if ((key = OPENSSL_secure_zalloc(SEAL_KEY_LEN)) == NULL)
		return SKM_ENOMEM;
	if (RAND_priv_bytes(key, SEAL_KEY_LEN) != 1)
		err = SKM_ECRYPTO;
	else
		err = secfile_write(path, key, SEAL_KEY_LEN, 0);
	OPENSSL_secure_clear_free(key, SEAL_KEY_LEN);
	return err;
}

int
kek_file_ref(struct kek_ref *ref, const char *path)
{
	memset(ref, 0, sizeof(*ref));
	if (strlen(path) >= sizeof(ref->path))
		return SKM_ELEN;
	ref->kind = KEK_FILE;
	strcpy(ref->path, path);
	return 0;
}
