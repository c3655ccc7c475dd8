/* SPDX-License-Identifier: ISC */
/*
 * RFC 5649. Unwrapping goes through OpenSSL's id-aes256-wrap-pad cipher.
 * Wrapping, which skmsd does three times per protected key set, is RFC
 * 5649 section 4.1 over OpenSSL's AES-256 block function: OpenSSL 3's
 * wrap cipher uses a constant-time vector AES, not AES-NI, and cost 41 us
 * for the three wraps of a key set (fetched once, its context reused)
 * against 10 us here, 5 us of them the 276 AES-NI blocks one after the
 * other that the wrap's chaining imposes. The unit tests
 * check every length against OpenSSL's wrap and unwrap. The wrap has no
 * nonce: the same key and plaintext give the same output, which is what a
 * key wrap promises (deterministic authenticated encryption).
 */
#include "lib/keywrap.h"
#include "common/err.h"

#include <endian.h>
#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

static EVP_CIPHER *keywrap_ecb;
static pthread_once_t keywrap_once = PTHREAD_ONCE_INIT;
static pthread_key_t keywrap_ctx_key;
static int keywrap_ctx_ok;

static void
keywrap_ctx_free(void *ctx)
{
	EVP_CIPHER_CTX_free(ctx);
}

/* The cipher is fetched once, not per wrap (an implicit fetch takes locks). */
static void
keywrap_fetch(void)
{
	keywrap_ecb = EVP_CIPHER_fetch(NULL, "AES-256-ECB", NULL);
	keywrap_ctx_ok = pthread_key_create(&keywrap_ctx_key, keywrap_ctx_free) == 0;
}

/*
 * The calling thread's context, kept for its next wraps: a context holds
 * the key schedule until the next init overwrites it and is freed (and
 * cleansed by OpenSSL) when the thread exits.
 */
static EVP_CIPHER_CTX *
keywrap_ctx(void)
{
	EVP_CIPHER_CTX *ctx;

	if ((ctx = pthread_getspecific(keywrap_ctx_key)) != NULL)
		return ctx;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return NULL;
	if (pthread_setspecific(keywrap_ctx_key, ctx) != 0) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* A as 8 octets, one load or store each (be_get/be_put go octet by octet). */
static inline uint64_t
keywrap_get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return be64toh(v);
}

static inline void
keywrap_put64(uint8_t *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, 8);
}

/*
 * RFC 5649 4.1: the alternative initial value and the padded plaintext.
 * A stays in a register between the blocks: writing it octet by octet
 * and reading it back as a block stalled on every one of the 6n steps.
 * Each step is one AES block through EVP_Cipher(), the provider's cipher
 * call without EVP_EncryptUpdate()'s buffering.
 */
static int
keywrap_fast(const uint8_t *key, const uint8_t *in, size_t len, uint8_t *out,
    size_t *outlen)
{
	EVP_CIPHER_CTX *ctx;
	uint8_t b[16], *r = out + 8;
	size_t n = (len + 7) / 8, i, j;
	uint64_t a;
	int rc = SKM_ECRYPTO;

	pthread_once(&keywrap_once, keywrap_fetch);
	if (keywrap_ecb == NULL || !keywrap_ctx_ok)
		return SKM_ECRYPTO;
	if ((ctx = keywrap_ctx()) == NULL)
		return SKM_ENOMEM;
	if (EVP_EncryptInit_ex2(ctx, keywrap_ecb, key, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1)
		goto out;
	/* AIV = A65959A6 || 32-bit MLI */
	a = 0xa65959a600000000ULL | (uint64_t)len;
	memset(r, 0, n * 8);
	memcpy(r, in, len);
	if (n == 1) {
		/* One block: AES of AIV || P. */
		keywrap_put64(b, a);
		memcpy(b + 8, r, 8);
		if (EVP_Cipher(ctx, b, b, 16) <= 0)
			goto out;
		memcpy(out, b, 16);
	} else {
		/* RFC 3394 2.2.1, the index-based form, with A = AIV. */
		for (j = 0; j < 6; j++) {
			for (i = 0; i < n; i++) {
				keywrap_put64(b, a);
				memcpy(b + 8, r + 8 * i, 8);
				if (EVP_Cipher(ctx, b, b, 16) <= 0)
					goto out;
				a = keywrap_get64(b) ^ (uint64_t)(n * j + i + 1);
				memcpy(r + 8 * i, b + 8, 8);
			}
		}
		keywrap_put64(out, a);
	}
	*outlen = 8 + 8 * n;
	rc = 0;
out:
	OPENSSL_cleanse(b, sizeof(b));
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
