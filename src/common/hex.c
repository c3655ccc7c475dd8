/* SPDX-License-Identifier: ISC */
/* Hex framing over OpenSSL's converters (no separators, chosen case). */
#include "common/hex.h"
#include "common/err.h"

#include <ctype.h>

#include <openssl/crypto.h>

int
hex_encode(const uint8_t *buf, size_t len, char *out, size_t outlen, int upper)
{
	size_t i, n;

	if (outlen < 2 * len + 1)
		return SKM_ELEN;
	if (len == 0) {
		out[0] = '\0';
		return 0;
	}
	if (!OPENSSL_buf2hexstr_ex(out, outlen, &n, buf, len, '\0'))
		return SKM_ECRYPTO;
	if (!upper)
		for (i = 0; out[i] != '\0'; i++)
			out[i] = (char)tolower((unsigned char)out[i]);
	return 0;
}

int
hex_decode(const char *text, size_t len, uint8_t *out, size_t outlen, size_t *n)
{
	char *copy;
	size_t i;
	int rc;

	*n = 0;
	if (len % 2 != 0)
		return SKM_EINVAL;
	if (len / 2 > outlen)
		return SKM_ELEN;
	/* OpenSSL's decoder would skip separators: accept digits only. */
	for (i = 0; i < len; i++)
		if (!isxdigit((unsigned char)text[i]))
			return SKM_EINVAL;
	if (len == 0)
		return 0;
	/* It also wants a NUL-terminated string; the copy may hold a secret. */
	if ((copy = OPENSSL_strndup(text, len)) == NULL)
		return SKM_ENOMEM;
	rc = OPENSSL_hexstr2buf_ex(out, outlen, n, copy, '\0') ? 0 : SKM_EINVAL;
	OPENSSL_clear_free(copy, len);
	return rc;
}
