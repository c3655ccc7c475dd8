/* SPDX-License-Identifier: ISC */
/*
 * Hex text for binary values, as the KMS interface writes them: one line, no
 * separators. Encoding is our own and constant-time (it writes private
 * keys); decoding is OpenSSL's, with the framing fixed here.
 */
#ifndef SKM_COMMON_HEX_H
#define SKM_COMMON_HEX_H

#include <stddef.h>
#include <stdint.h>

/*
 * Writes 2 * len hex digits (upper case when upper is set, else lower)
 * and a NUL to out, which holds 2 * len + 1 bytes. Returns 0 or SKM_E*.
 */
int hex_encode(const uint8_t *buf, size_t len, char *out, size_t outlen, int upper);

/*
 * Decodes exactly len digits of text (either case, no separators) into
 * out, which holds outlen bytes; *n receives the byte count. Odd lengths,
 * non-hex characters and short buffers are SKM_EINVAL / SKM_ELEN.
 */
int hex_decode(const char *text, size_t len, uint8_t *out, size_t outlen, size_t *n);

/*
 * The value of the hex digit c (either case), or -1. Variable time: for
 * text such as request paths and percent-encoding, never for secrets;
 * inline, so that parsers linked without OpenSSL (the fuzz targets) use it.
 */
static inline int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
