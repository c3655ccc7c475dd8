/* SPDX-License-Identifier: ISC */
/*
 * Issuer keys: loading, and the JWS signature check with the parsed key.
 * The key-file is read into memory first (bounded) so the public-key and
 * the certificate parser each see the same octets, and it is parsed once
 * per configuration, not per token. Must not keep or accept private key
 * material, and must not judge anything but the signature.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "common/err.h"
#include "common/trustfile.h"
#include "conf/conf.h"
#include "server/auth_key.h"

/* A PEM public key or certificate is a few KiB; a chain file is still small. */
#define AUTH_KEY_FILE_MAX	(256 * 1024)

/* RSA below 2048 bits is not an acceptable signature key (NIST SP 800-57). */
#define AUTH_RSA_MIN_BITS	2048

/* Through the trust-file checks: whoever can replace this file can mint tokens. */
static int
key_read(const char *path, uid_t also, char **buf, size_t *len, char *why,
    size_t whylen)
{
	int rc;

	*len = 0;
	if ((*buf = malloc(AUTH_KEY_FILE_MAX)) == NULL)
		return SKM_ENOMEM;
	rc = trustfile_read(path, TRUSTFILE_TRUST, also, (uint8_t *)*buf,
	    AUTH_KEY_FILE_MAX, len, why, whylen);
	if (rc == SKM_ELEN)
		snprintf(why, whylen, "%s: larger than %d KiB", path, AUTH_KEY_FILE_MAX / 1024);
	if (rc != 0) {
		free(*buf);
		*buf = NULL;
		return rc == SKM_ENOMEM ? rc : SKM_EINVAL;
	}
	return 0;
}

/* Each parser gets its own read-only BIO over the same octets. */
static EVP_PKEY *
key_parse(const char *buf, size_t len)
{
	EVP_PKEY *pkey = NULL;
	X509 *cert = NULL;
	BIO *mem;

	mem = BIO_new_mem_buf(buf, (int)len);
	if (mem != NULL)
		pkey = PEM_read_bio_PUBKEY(mem, NULL, NULL, NULL);
	BIO_free(mem);
	if (pkey != NULL)
		return pkey;
	ERR_clear_error();
	mem = BIO_new_mem_buf(buf, (int)len);
	if (mem != NULL)
		cert = PEM_read_bio_X509(mem, NULL, NULL, NULL);
	BIO_free(mem);
	if (cert == NULL) {
		ERR_clear_error();
		return NULL;
	}
	pkey = X509_get_pubkey(cert);
	X509_free(cert);
	return pkey;
}

static int
key_fits(EVP_PKEY *pkey, unsigned *fits, const char *path, char *why, size_t whylen)
{
	char group[64];
	size_t glen = 0;

	*fits = 0;
	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_EC:
		if (!EVP_PKEY_get_group_name(pkey, group, sizeof(group), &glen))
			break;
		/* RFC 7518 3.4: ES256 is P-256 only, ES384 is P-384 only. */
		if (strcmp(group, "prime256v1") == 0)
			*fits = CONF_ALG_ES256;
		else if (strcmp(group, "secp384r1") == 0)
			*fits = CONF_ALG_ES384;
		break;
	case EVP_PKEY_RSA:
		if (EVP_PKEY_get_bits(pkey) < AUTH_RSA_MIN_BITS) {
			snprintf(why, whylen, "%s: RSA key shorter than %d bits", path,
			    AUTH_RSA_MIN_BITS);
			return SKM_EINVAL;
		}
		*fits = CONF_ALG_RS256 | CONF_ALG_PS256;
		break;
	default:
		break;
	}
	if (*fits == 0) {
		snprintf(why, whylen, "%s: not a P-256, P-384 or RSA public key", path);
		return SKM_EINVAL;
	}
	return 0;
}

int
auth_key_load(const char *path, uid_t also, EVP_PKEY **out, unsigned *fits,
    char *why, size_t whylen)
{
	EVP_PKEY *pkey = NULL;
	char *file = NULL;
	size_t flen = 0;
	int rc;

	*out = NULL;
	rc = key_read(path, also, &file, &flen, why, whylen);
	if (rc != 0)
		goto out;
	pkey = key_parse(file, flen);
	if (pkey == NULL) {
		snprintf(why, whylen, "%s: no PEM public key or certificate", path);
		rc = SKM_EINVAL;
		goto out;
	}
	rc = key_fits(pkey, fits, path, why, whylen);
	if (rc != 0)
		goto out;
	*out = pkey;
	pkey = NULL;
out:
	ERR_clear_error();
	EVP_PKEY_free(pkey);
	free(file);
	return rc;
}

/* RFC 4648 5 into out (cap octets); the length, or -1 when not base64url. */
static int
key_b64url(const char *in, size_t len, uint8_t *out, size_t cap)
{
	char buf[AUTH_KEY_SIG_B64_MAX + 4];
	size_t i, pad = (4 - len % 4) % 4;
	int n;

	if (len == 0 || len > AUTH_KEY_SIG_B64_MAX || pad == 3 ||
	    (len + pad) / 4 * 3 > cap)
		return -1;
	for (i = 0; i < len; i++)
		buf[i] = in[i] == '-' ? '+' : in[i] == '_' ? '/' : in[i];
	for (i = 0; i < pad; i++)
		buf[len + i] = '=';
	n = EVP_DecodeBlock(out, (const unsigned char *)buf, (int)(len + pad));
	if (n < 0)
		return -1;
	return n - (int)pad;
}

/* RFC 7518 3.4: R || S, each as long as the group order, to the DER of X9.62. */
static int
key_es_der(const uint8_t *raw, size_t rawlen, uint8_t **der)
{
	ECDSA_SIG *sig;
	BIGNUM *r, *s;
	int n = -1;

	*der = NULL;
	r = BN_bin2bn(raw, (int)(rawlen / 2), NULL);
	s = BN_bin2bn(raw + rawlen / 2, (int)(rawlen / 2), NULL);
	if (r == NULL || s == NULL || (sig = ECDSA_SIG_new()) == NULL) {
		BN_free(r);
		BN_free(s);
		return -1;
	}
	if (ECDSA_SIG_set0(sig, r, s) != 1) {
		BN_free(r);
		BN_free(s);
	} else {
		n = i2d_ECDSA_SIG(sig, der);
	}
	ECDSA_SIG_free(sig);
	return n;
}

int
auth_key_verify(EVP_PKEY *pkey, unsigned alg, const char *input, size_t inlen,
    const char *sig_b64, size_t siglen)
{
	uint8_t raw[AUTH_KEY_SIG_MAX + 3], *der = NULL;	/* + padding octets */
	const uint8_t *sig = raw;
	const EVP_MD *md;
	EVP_MD_CTX *ctx = NULL;
	size_t want = 0;
	int n, ok = 0;

	/* The key's type was matched to its algorithms at load (key_fits). */
	switch (alg) {
	case CONF_ALG_ES256:
		md = EVP_sha256();
		want = 64;
		break;
	case CONF_ALG_ES384:
		md = EVP_sha384();
		want = 96;
		break;
	case CONF_ALG_RS256:
		md = EVP_sha256();
		break;
	default:
		return SKM_EVERIFY;
	}
	if ((n = key_b64url(sig_b64, siglen, raw, sizeof(raw))) <= 0 ||
	    (want != 0 && (size_t)n != want))
		goto out;
	if (want != 0) {
		if ((n = key_es_der(raw, want, &der)) <= 0)
			goto out;
		sig = der;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) != 1)
		goto out;
	ok = EVP_DigestVerify(ctx, sig, (size_t)n, (const uint8_t *)input, inlen) == 1;
out:
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	return ok ? 0 : SKM_EVERIFY;
}

const char *
auth_key_kind(unsigned fits)
{
	if (fits & CONF_ALG_ES256)
		return "a P-256 key";
	if (fits & CONF_ALG_ES384)
		return "a P-384 key";
	return "an RSA key";
}
