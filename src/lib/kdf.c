/* SPDX-License-Identifier: ISC */
/*
 * TS 33.220 Annex B KDF and the TS 33.180 Annex F derivations on it. HMAC
 * is OpenSSL's; this file only frames S. It must not keep keys beyond a
 * call and zeroes every intermediate that depends on one.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/err.h"
#include "lib/kdf.h"

#define FC_GUK		0x50	/* TS 33.180 F.1.3 */
#define FC_DPCK		0x53	/* TS 33.180 F.1.5, as deployed clients derive it */

int
kdf_s_build(uint8_t fc, const struct kdf_param *params, size_t nparams,
    uint8_t **s, size_t *slen)
{
	size_t i, n = 1;
	uint8_t *buf;

	*s = NULL;
	*slen = 0;
	for (i = 0; i < nparams; i++) {
		if (params[i].len > KDF_PARAM_MAX)
			return SKM_ELEN;
		if (params[i].p == NULL && params[i].len != 0)
			return SKM_EINVAL;
		n += params[i].len + 2;
	}
	if ((buf = OPENSSL_malloc(n)) == NULL)
		return SKM_ENOMEM;
	n = 0;
	buf[n++] = fc;
	for (i = 0; i < nparams; i++) {
		if (params[i].len > 0)
			memcpy(buf + n, params[i].p, params[i].len);
		n += params[i].len;
		buf[n++] = (uint8_t)(params[i].len >> 8);
		buf[n++] = (uint8_t)params[i].len;
	}
	*s = buf;
	*slen = n;
	return 0;
}

size_t
kdf_uint(uint64_t x, uint8_t out[8])
{
	size_t n = 1, i;

	while (n < 8 && (x >> (8 * n)) != 0)
		n++;
	for (i = 0; i < n; i++)
		out[i] = (uint8_t)(x >> (8 * (n - 1 - i)));
	return n;
}

int
kdf_derive(const uint8_t *key, size_t keylen, uint8_t fc,
    const struct kdf_param *params, size_t nparams, uint8_t out[KDF_OUT_LEN])
{
	uint8_t *s = NULL;
	size_t slen = 0;
	unsigned int mdlen = 0;
	int err;

	if (key == NULL || keylen == 0 || keylen > 0x7fffffff)
		return SKM_EINVAL;
	if ((err = kdf_s_build(fc, params, nparams, &s, &slen)) != 0)
		goto out;
	if (HMAC(EVP_sha256(), key, (int)keylen, s, slen, out, &mdlen) == NULL ||
	    mdlen != KDF_OUT_LEN) {
		err = SKM_ECRYPTO;
		goto out;
	}
	err = 0;
out:
	OPENSSL_clear_free(s, slen);
	return err;
}

int
kdf_guk_id(const uint8_t gmk[16], uint32_t gmk_id, const char *uri, size_t urilen,
    uint32_t *guk_id)
{
	struct kdf_param p0 = { (const uint8_t *)uri, urilen };
	uint8_t out[KDF_OUT_LEN];
	uint32_t salt;
	int err;

	if (uri == NULL || urilen == 0)
		return SKM_EINVAL;
	if ((err = kdf_derive(gmk, 16, FC_GUK, &p0, 1, out)) != 0)
		goto out;
	/* UserSalt: the 28 least-significant bits of the 256-bit output */
	salt = (uint32_t)out[28] << 24 | (uint32_t)out[29] << 16 |
	    (uint32_t)out[30] << 8 | out[31];
	*guk_id = (gmk_id & 0xf0000000u) | ((gmk_id ^ salt) & 0x0fffffffu);
out:
	OPENSSL_cleanse(out, sizeof(out));
	return err;
}

int
kdf_dpck(const uint8_t gmk[16], uint32_t dppk_id, uint8_t dpck[16])
{
	uint8_t id[4], out[KDF_OUT_LEN];
	struct kdf_param p0 = { id, sizeof(id) };
	int err;

	id[0] = (uint8_t)(dppk_id >> 24);
	id[1] = (uint8_t)(dppk_id >> 16);
	id[2] = (uint8_t)(dppk_id >> 8);
	id[3] = (uint8_t)dppk_id;
	if ((err = kdf_derive(gmk, 16, FC_DPCK, &p0, 1, out)) == 0)
		/* TS 33.180 F.1.4: a 128-bit key is the low half of the output */
		memcpy(dpck, out + 16, 16);
	OPENSSL_cleanse(out, sizeof(out));
	return err;
}
