/* SPDX-License-Identifier: ISC */
/*
 * AES-256-GCM sealing through OpenSSL EVP. The tag check is OpenSSL's
 * (constant time); on a failed check no plaintext is left behind.
 */
#include "store/seal.h"
#include "common/err.h"

#include <limits.h>
#include <pthread.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

static EVP_CIPHER *seal_gcm;
static pthread_once_t seal_once = PTHREAD_ONCE_INIT;

/* Fetched once: EVP_aes_256_gcm() fetches the provider's cipher at every init. */
static void
seal_fetch(void)
{
	seal_gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
}

static const EVP_CIPHER *
seal_cipher(void)
{
	pthread_once(&seal_once, seal_fetch);
	return seal_gcm;
}

int
seal_encrypt(const uint8_t *key, const uint8_t *aad, size_t aadlen,
    const uint8_t *plain, size_t len, uint8_t *out, size_t cap, size_t *outlen)
{
	EVP_CIPHER_CTX *ctx = NULL;
	uint8_t *ct = out + SEAL_NONCE_LEN;
	int n, err = SKM_ECRYPTO;

	*outlen = 0;
	if (len > INT_MAX - SEAL_OVERHEAD || aadlen > INT_MAX)
		return SKM_ELEN;
	if (cap < len + SEAL_OVERHEAD)
		return SKM_ELEN;
	/* A random nonce per seal: a key seals few values, far below 2^32 (SP 800-38D 8.3). */
	if (RAND_bytes(out, SEAL_NONCE_LEN) != 1)
		goto out;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL) {
		err = SKM_ENOMEM;
		goto out;
	}
	if (seal_cipher() == NULL ||
	    EVP_EncryptInit_ex(ctx, seal_cipher(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, SEAL_NONCE_LEN, NULL) != 1 ||
	    EVP_EncryptInit_ex(ctx, NULL, NULL, key, out) != 1)
		goto out;
	if (aadlen > 0 && EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aadlen) != 1)
		goto out;
	if (len > 0 && EVP_EncryptUpdate(ctx, ct, &n, plain, (int)len) != 1)
		goto out;
	if (EVP_EncryptFinal_ex(ctx, ct + len, &n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, SEAL_TAG_LEN, ct + len) != 1)
		goto out;
	*outlen = len + SEAL_OVERHEAD;
	err = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return err;
}

int
seal_decrypt(const uint8_t *key, const uint8_t *aad, size_t aadlen,
    const uint8_t *in, size_t inlen, uint8_t *plain, size_t cap, size_t *len)
{
	EVP_CIPHER_CTX *ctx = NULL;
	size_t ctlen;
	int n, err = SKM_ECRYPTO;

	*len = 0;
	if (inlen < SEAL_OVERHEAD)
		return SKM_EVERIFY;
	ctlen = inlen - SEAL_OVERHEAD;
	if (ctlen > INT_MAX || aadlen > INT_MAX)
		return SKM_ELEN;
	if (cap < ctlen)
		return SKM_ELEN;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL) {
		err = SKM_ENOMEM;
		goto out;
	}
	if (seal_cipher() == NULL ||
	    EVP_DecryptInit_ex(ctx, seal_cipher(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, SEAL_NONCE_LEN, NULL) != 1 ||
	    EVP_DecryptInit_ex(ctx, NULL, NULL, key, in) != 1)
		goto out;
	if (aadlen > 0 && EVP_DecryptUpdate(ctx, NULL, &n, aad, (int)aadlen) != 1)
		goto out;
	if (ctlen > 0 && EVP_DecryptUpdate(ctx, plain, &n, in + SEAL_NONCE_LEN,
	    (int)ctlen) != 1)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, SEAL_TAG_LEN,
	    (void *)(in + SEAL_NONCE_LEN + ctlen)) != 1)
		goto out;
	if (EVP_DecryptFinal_ex(ctx, plain + ctlen, &n) != 1) {
		err = SKM_EVERIFY;
		goto out;
	}
	*len = ctlen;
	err = 0;
out:
	if (err != 0 && ctlen > 0)
		OPENSSL_cleanse(plain, ctlen);
	EVP_CIPHER_CTX_free(ctx);
	return err;
}
