/* SPDX-License-Identifier: ISC */
/*
 * RFC 5649. Unwrapping goes through OpenSSL's id-aes256-wrap-pad cipher.
 * Wrapping, which skmsd does three times per protected key set, is RFC
 * 5649 section 4.1 over OpenSSL's AES-256 block function: OpenSSL 3's
 * wrap cipher uses the table-based AES, not AES-NI, and cost 25 us per
 * RSK against 3 us here (measured with contrib/bench-tk). The unit tests
 * check every length against OpenSSL's wrap and unwrap. The wrap has no
 * nonce: the same key and plaintext give the same output, which is what a
 * key wrap promises (deterministic authenticated encryption).
 */
#include "lib/keywrap.h"
#include "common/be.h"
#include "common/err.h"

#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

static EVP_CIPHER *keywrap_ecb;
static pthread_once_t keywrap_once = PTHREAD_ONCE_INIT;

static void
keywrap_fetch(void)
{
	keywrap_ecb = EVP_CIPHER_fetch(NULL, "AES-256-ECB", NULL);
}

/* RFC 5649 4.1: the alternative initial value and the padded plaintext. */
static int
keywrap_fast(const uint8_t *key, const uint8_t *in, size_t len, uint8_t *out,
    size_t *outlen)
{
	EVP_CIPHER_CTX *ctx = NULL;
	uint8_t b[16], *r = out + 8;
	size_t n = (len + 7) / 8, i, j;
	uint64_t t;
	int m, rc = SKM_ECRYPTO;

	pthread_once(&keywrap_once, keywrap_fetch);
	if (keywrap_ecb == NULL)
		return SKM_ECRYPTO;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return SKM_ENOMEM;
	if (EVP_EncryptInit_ex2(ctx, keywrap_ecb, key, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1)
		goto out;
	/* AIV = A65959A6 || 32-bit MLI */
	out[0] = 0xa6;
	out[1] = 0x59;
	out[2] = 0x59;
	out[3] = 0xa6;
	be_put(out + 4, (uint64_t)len, 4);
	memset(r, 0, n * 8);
	memcpy(r, in, len);
	if (n == 1) {
		/* One block: AES of AIV || P. */
		if (EVP_EncryptUpdate(ctx, out, &m, out, 16) != 1 || m != 16)
			goto out;
	} else {
		/* RFC 3394 2.2.1, the index-based form, with A = AIV. */
		for (j = 0; j < 6; j++) {
			for (i = 0; i < n; i++) {
				memcpy(b, out, 8);
				memcpy(b + 8, r + 8 * i, 8);
				if (EVP_EncryptUpdate(ctx, b, &m, b, 16) != 1 || m != 16)
					goto out;
				t = (uint64_t)(n * j + i + 1);
				be_put(out, be_get(b, 8) ^ t, 8);
				memcpy(r + 8 * i, b + 8, 8);
			}
		}
	}
	*outlen = 8 + 8 * n;
	rc = 0;
out:
	OPENSSL_cleanse(b, sizeof(b));
	EVP_CIPHER_CTX_free(ctx);
	if (rc != 0)
		OPENSSL_cleanse(out, 8 + 8 * n);
	return rc;
}

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
	return keywrap_fast(key, in, len, out, outlen);
}

int
keywrap_wrap_openssl(const uint8_t key[KEYWRAP_KEY_LEN], const uint8_t *in, size_t len,
    uint8_t *out, size_t cap, size_t *outlen)
{
	*outlen = 0;
	if (len == 0 || len > KEYWRAP_MAX_IN || cap < KEYWRAP_OUT_LEN(len))
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
