/* SPDX-License-Identifier: ISC */
/*
 * Key-encryption key from a passphrase: scrypt (OpenSSL EVP_KDF "SCRYPT")
 * with the N, r, p and 16-octet salt kept in the domain record. The
 * passphrase is read from a file through secfile, one trailing newline
 * stripped. A wrong passphrase is not detected here: it yields a key under
 * which unsealing fails with SKM_EVERIFY, so nothing is stored to test
 * guesses against beyond the sealed value itself.
 */
#include "store/kek.h"
#include "store/seal.h"
#include "common/err.h"
#include "common/secfile.h"

#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#define PASSPHRASE_MAX	1024

static int
scrypt_params_ok(uint64_t n, uint32_t r, uint32_t p)
{
	/* RFC 7914 2: N a power of two above 1; r, p positive. */
	if (n < 2 || (n & (n - 1)) != 0 || r == 0 || p == 0)
		return 0;
	/* 128 * r * N octets of working memory must be addressable. */
	if (n > (UINT64_MAX / 256) / r)
		return 0;
	return 1;
}

static int
scrypt_derive(const struct kek_ref *ref, const uint8_t *pass, size_t plen,
    uint8_t *key)
{
	EVP_KDF *kdf = NULL;
	EVP_KDF_CTX *ctx = NULL;
	OSSL_PARAM params[7], *q = params;
	uint64_t n = ref->scrypt_n;
	uint32_t r = ref->scrypt_r, p = ref->scrypt_p;
	/* Room for the 128 r N octet V array and the 128 r p octet B array. */
	uint64_t maxmem = 128 * (uint64_t)r * (n + p + 2) + (1u << 20);
	int err = SKM_ECRYPTO;

	if ((kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL)) == NULL)
		goto out;
	if ((ctx = EVP_KDF_CTX_new(kdf)) == NULL)
		goto out;
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
	    (void *)pass, plen);
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
	    (void *)ref->salt, KEK_SALT_LEN);
	*q++ = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
	*q++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r);
	*q++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p);
	*q++ = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem);
	*q = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(ctx, key, SEAL_KEY_LEN, params) != 1)
		goto out;
	err = 0;
out:
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return err;
}

static int
kek_passphrase_load(const struct kek_ref *ref, const char *path,
    struct kek **out, char *why, size_t whylen)
{
	struct kek *k = NULL;
	uint8_t *key, *pass = NULL;
	size_t len;
	int err;

	*out = NULL;
	if (!scrypt_params_ok(ref->scrypt_n, ref->scrypt_r, ref->scrypt_p))
		return SKM_EINVAL;
	if ((pass = OPENSSL_secure_zalloc(PASSPHRASE_MAX)) == NULL) {
		err = SKM_ENOMEM;
		goto out;
	}
	if ((err = secfile_read(path, pass, PASSPHRASE_MAX, &len, why, whylen)) != 0)
		goto out;
	/* Files written by editors and echo end in a newline that is not part of it. */
	if (len > 0 && pass[len - 1] == '\n')
		len--;
	if (len > 0 && pass[len - 1] == '\r')
		len--;
	if (len == 0) {
		if (why != NULL && whylen > 0)
			snprintf(why, whylen, "%s: empty passphrase", path);
		err = SKM_EINVAL;
		goto out;
	}
	if ((err = kek_soft_new(&kek_passphrase_ops, &k, &key)) != 0)
		goto out;
	if ((err = scrypt_derive(ref, pass, len, key)) != 0)
		goto out;
	*out = k;
	k = NULL;
out:
	OPENSSL_secure_clear_free(pass, PASSPHRASE_MAX);
	kek_soft_free(k);
	return err;
}

const struct kek_ops kek_passphrase_ops = {
	.name = "passphrase",
	.noun = "passphrase file",
	.kind = KEK_PASSPHRASE,
	.load = kek_passphrase_load,
	.seal = kek_soft_seal,
	.unseal = kek_soft_unseal,
	.free = kek_soft_free,
};

int
kek_passphrase_ref(struct kek_ref *ref, const char *path, uint64_t n,
    uint32_t r, uint32_t p)
{
	memset(ref, 0, sizeof(*ref));
	if (!scrypt_params_ok(n, r, p))
		return SKM_EINVAL;
	if (strlen(path) >= sizeof(ref->path))
		return SKM_ELEN;
	ref->kind = KEK_PASSPHRASE;
	strcpy(ref->path, path);
	ref->scrypt_n = n;
	ref->scrypt_r = r;
	ref->scrypt_p = p;
	if (RAND_bytes(ref->salt, KEK_SALT_LEN) != 1)
		return SKM_ECRYPTO;
	return 0;
}
