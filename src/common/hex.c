/* SPDX-License-Identifier: ISC */
/*
 * Hex without separators, in the chosen case. Encoding is constant-time
 * (key material); decoding goes through OpenSSL's converter.
 */
#include "common/hex.h"
#include "common/err.h"

#include <ctype.h>
#include <string.h>

#include <openssl/crypto.h>

/*
 * A digit without a table: the octets encoded are often private keys, and
 * an index into a table by secret nibbles leaks them through the cache.
 * n > 9 makes 9 - n negative, its shift all ones, and adds the distance to
 * 'A' (7) or 'a' (39).
 */
static char
hex_digit(unsigned int n, int upper)
{
	return (char)(n + '0' + ((unsigned int)((int)(9 - n) >> 8) & (upper ? 7u : 39u)));
}

/*
 * Eight digits of four octets at once, the same arithmetic in each octet
 * of a 64-bit word: octet i's nibbles go to lanes 2i (high) and 2i + 1
 * (low); n + 0x76 has bit 7 set exactly when n > 9, and no lane carries
 * into the next (n <= 15). Lane k is the k-th digit.
 */
static void
hex_digits4(const uint8_t *b, char *out, uint64_t adjust)
{
	const uint64_t nib = 0x000f000f000f000fULL;
	uint64_t v, n, big;
	int k;

	v = (uint64_t)b[0] | (uint64_t)b[1] << 16 | (uint64_t)b[2] << 32 |
	    (uint64_t)b[3] << 48;
	n = ((v >> 4) & nib) | (v & nib) << 8;
	big = ((n + 0x7676767676767676ULL) >> 7) & 0x0101010101010101ULL;
	n += 0x3030303030303030ULL + big * adjust;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* Lane k is the k-th octet in memory: one store. */
	(void)k;
	memcpy(out, &n, sizeof(n));
#else
	for (k = 0; k < 8; k++)
		out[k] = (char)(n >> (8 * k));
#endif
}

int
hex_encode(const uint8_t *buf, size_t len, char *out, size_t outlen, int upper)
{
	size_t i;

	if (outlen < 2 * len + 1)
		return SKM_ELEN;
	for (i = 0; i + 4 <= len; i += 4)
		hex_digits4(buf + i, out + 2 * i, upper ? 7u : 39u);
	for (; i < len; i++) {
		out[2 * i] = hex_digit(buf[i] >> 4, upper);
		out[2 * i + 1] = hex_digit(buf[i] & 15u, upper);
	}
	out[2 * len] = '\0';
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
