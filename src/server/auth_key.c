/* SPDX-License-Identifier: ISC */
/*
 * Issuer key loading. The key-file is read into memory first (bounded) so
 * the public-key and the certificate parser each see the same octets. Must
 * not keep or accept private key material.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "common/err.h"
#include "conf/conf.h"
#include "server/auth_key.h"

/* A PEM public key or certificate is a few KiB; a chain file is still small. */
#define AUTH_KEY_FILE_MAX	(256 * 1024)

/* RSA below 2048 bits is not an acceptable signature key (NIST SP 800-57). */
#define AUTH_RSA_MIN_BITS	2048

static int
key_read(const char *path, char **buf, size_t *len, char *why, size_t whylen)
{
	FILE *fp;
	int rc = SKM_EINVAL;

	*buf = NULL;
	fp = fopen(path, "rb");
	if (fp == NULL) {
		snprintf(why, whylen, "%s: cannot open", path);
		return SKM_EINVAL;
	}
	*buf = malloc(AUTH_KEY_FILE_MAX + 1);
	if (*buf == NULL) {
		rc = SKM_ENOMEM;
		goto out;
	}
	*len = fread(*buf, 1, AUTH_KEY_FILE_MAX + 1, fp);
	if (ferror(fp)) {
		snprintf(why, whylen, "%s: cannot read", path);
		goto out;
	}
	if (*len > AUTH_KEY_FILE_MAX) {
		snprintf(why, whylen, "%s: larger than %d KiB", path, AUTH_KEY_FILE_MAX / 1024);
		goto out;
	}
	rc = 0;
out:
	if (rc != 0) {
		free(*buf);
		*buf = NULL;
	}
	fclose(fp);
	return rc;
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
auth_key_load(const char *path, char **pem, int *pem_len, unsigned *fits,
    char *why, size_t whylen)
{
	BIO *out = NULL;
	EVP_PKEY *pkey = NULL;
	char *file = NULL, *data;
	size_t flen = 0;
	long n;
	int rc;

	*pem = NULL;
	*pem_len = 0;
	rc = key_read(path, &file, &flen, why, whylen);
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
	out = BIO_new(BIO_s_mem());
	if (out == NULL || !PEM_write_bio_PUBKEY(out, pkey)) {
		rc = SKM_ENOMEM;
		goto out;
	}
	n = BIO_get_mem_data(out, &data);
	if (n <= 0 || (*pem = malloc((size_t)n + 1)) == NULL) {
		rc = SKM_ENOMEM;
		goto out;
	}
	memcpy(*pem, data, (size_t)n);
	(*pem)[n] = '\0';
	*pem_len = (int)n;
	rc = 0;
out:
	if (rc == SKM_ENOMEM)
		snprintf(why, whylen, "%s: out of memory", path);
	ERR_clear_error();
	EVP_PKEY_free(pkey);
	BIO_free(out);
	free(file);
	return rc;
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
