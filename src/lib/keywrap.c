/* SPDX-License-Identifier: ISC */
/*
 * RFC 5649 through OpenSSL's id-aes256-wrap-pad cipher. The wrap has no
 * nonce: the same key and plaintext give the same output, which is what
 * a key wrap promises (deterministic authenticated encryption).
 */
#include "lib/keywrap.h"
#include "common/err.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

int
keywrap_uri_ok(const char *uri)
{
	return uri != NULL && (strcmp(uri, KEYWRAP_URI) == 0 ||
	    strcmp(uri, KEYWRAP_URI_LEGACY) == 0);
}

static int
keywrap_run(int enc, const uint8_t *key, const uint8_t *in, size_t len, uint8_t *out,
    size_t *outlen)
{
	EVP_CIPHER_CTX *ctx;
	int n = 0, m = 0, rc = enc ? SKM_ECRYPTO : SKM_EVERIFY;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return SKM_ENOMEM;
	if (EVP_CipherInit_ex(ctx, EVP_aes_256_wrap_pad(), NULL, key, NULL, enc) != 1 ||
	    EVP_CipherUpdate(ctx, out, &n, in, (int)len) != 1 ||
	    EVP_CipherFinal_ex(ctx, out + n, &m) != 1)
		goto out;
	*outlen = (size_t)n + (size_t)m;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int
keywrap_wrap(const uint8_t key[KEYWRAP_KEY_LEN], const uint8_t *in, size_t len,
    uint8_t *out, size_t cap, size_t *outlen)
{
	*outlen = 0;
	if (len == 0 || len > KEYWRAP_MAX_IN)
		return SKM_ELEN;
	if (cap < KEYWRAP_OUT_LEN(len))
		return SKM_ELEN;
	return keywrap_run(1, key, in, len, out, outlen);
}

int
keywrap_unwrap(const uint8_t key[KEYWRAP_KEY_LEN], const uint8_t *in, size_t len,
    uint8_t *out, size_t cap, size_t *outlen)
{
	int rc;

	*outlen = 0;
	/* RFC 5649 3: at least two 64-bit blocks, whole blocks only. */
	if (len < 16 || len % 8 != 0 || len > KEYWRAP_OUT_LEN(KEYWRAP_MAX_IN))
		return SKM_EVERIFY;
	if (cap < len - 8)
		return SKM_ELEN;
	if ((rc = keywrap_run(0, key, in, len, out, outlen)) != 0) {
		OPENSSL_cleanse(out, cap);
		*outlen = 0;
	}
	return rc;
}
