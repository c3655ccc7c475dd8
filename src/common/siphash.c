/* SPDX-License-Identifier: ISC */
/*
 * SipHash-2-4 through OpenSSL's EVP_MAC "SIPHASH" (see siphash.h). A keyed
 * context is made once; each sum works on a copy of it, so several threads
 * can hash with one key without a lock.
 */
#include "config.h"

#include <stdlib.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "common/err.h"
#include "common/siphash.h"

struct siphash {
	EVP_MAC_CTX *keyed;
};

int
siphash_new(const uint8_t key[SIPHASH_KEY_LEN], struct siphash **out)
{
	struct siphash *h;
	EVP_MAC *mac;
	unsigned int size = 8, c = 2, d = 4;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_uint(OSSL_MAC_PARAM_SIZE, &size),
		OSSL_PARAM_construct_uint(OSSL_MAC_PARAM_C_ROUNDS, &c),
		OSSL_PARAM_construct_uint(OSSL_MAC_PARAM_D_ROUNDS, &d),
		OSSL_PARAM_construct_end()
	};
	int rc = SKM_ECRYPTO;

	*out = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return SKM_ENOMEM;
	if ((mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL)) == NULL)
		goto out;
	h->keyed = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	/* The output size goes first: it decides how the key is set up. */
	if (h->keyed == NULL || !EVP_MAC_CTX_set_params(h->keyed, params) ||
	    !EVP_MAC_init(h->keyed, key, SIPHASH_KEY_LEN, params))
		goto out;
	*out = h;
	h = NULL;
	rc = 0;
out:
	siphash_free(h);
	return rc;
}

void
siphash_free(struct siphash *h)
{
	if (h == NULL)
		return;
	EVP_MAC_CTX_free(h->keyed);
	free(h);
}

int
siphash_sum(const struct siphash *h, const void *in, size_t len, uint64_t *out)
{
	EVP_MAC_CTX *ctx;
	uint8_t tag[8];
	size_t n = 0;
	int ok;

	if ((ctx = EVP_MAC_CTX_dup(h->keyed)) == NULL)
		return SKM_ECRYPTO;
	ok = EVP_MAC_update(ctx, in, len) && EVP_MAC_final(ctx, tag, &n, sizeof(tag)) &&
	    n == sizeof(tag);
	EVP_MAC_CTX_free(ctx);
	if (!ok)
		return SKM_ECRYPTO;
	*out = (uint64_t)tag[0] | (uint64_t)tag[1] << 8 | (uint64_t)tag[2] << 16 |
	    (uint64_t)tag[3] << 24 | (uint64_t)tag[4] << 32 | (uint64_t)tag[5] << 40 |
	    (uint64_t)tag[6] << 48 | (uint64_t)tag[7] << 56;
	return 0;
}
