/* SPDX-License-Identifier: ISC */
/*
 * Simple values of KMS documents. Binary values may be private keys: the
 * hex decoder has no branch and no table index on the digits, and the
 * accept/reject outcome is the only thing declassified. Base64 is
 * OpenSSL's (EVP_DecodeBlock), whose decoder is table driven; vendors
 * that send base64 keys accept that.
 */
#include "client/kmsdoc_value.h"
#include "common/err.h"
#include "common/time.h"
#include "lib/ct.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#define KMSDOC_VALUE_BIN_MAX	257	/* the longest binary value: an RSK or Z */

/* 1 when lo <= c <= hi, else 0, without a branch (c < 2^16). */
static unsigned
kmsdoc_value_in(unsigned c, unsigned lo, unsigned hi)
{
	return ((lo - 1 - c) & (c - hi - 1)) >> (sizeof(unsigned) * CHAR_BIT - 1);
}

/* Decodes 2 * n hex digits; returns 0 when all were digits, nonzero otherwise. */
static unsigned
kmsdoc_value_hex(const char *s, size_t n, uint8_t *out)
{
	unsigned bad = 0, c, lc, isd, isl, v[2];
	size_t i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < 2; k++) {
			c = (unsigned char)s[2 * i + k];
			lc = c | 0x20;
			isd = kmsdoc_value_in(c, '0', '9');
			isl = kmsdoc_value_in(lc, 'a', 'f');
			v[k] = ((0u - isd) & (c - '0')) | ((0u - isl) & (lc - 'a' + 10));
			bad |= 1 ^ (isd | isl);
		}
		out[i] = (uint8_t)(v[0] << 4 | v[1]);
	}
	return bad;
}

/* Nonzero when s has a character outside the base64 alphabet (RFC 4648 4). */
static unsigned
kmsdoc_value_b64chars(const char *s, size_t len)
{
	unsigned bad = 0, c;
	size_t i;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		bad |= 1 ^ (kmsdoc_value_in(c, 'A', 'Z') | kmsdoc_value_in(c, 'a', 'z') |
		    kmsdoc_value_in(c, '0', '9') | kmsdoc_value_in(c, '+', '+') |
		    kmsdoc_value_in(c, '/', '/'));
	}
	return bad;
}

int
kmsdoc_value_bin(const char *s, size_t len, uint8_t *out, size_t n, char *why,
    size_t whylen)
{
	uint8_t tmp[KMSDOC_VALUE_BIN_MAX + 3];
	size_t pads = 0, got;
	unsigned bad;
	int rc = SKM_EPARSE;

	if (n > KMSDOC_VALUE_BIN_MAX)
		return SKM_ELEN;
	if (len == 2 * n) {
		bad = kmsdoc_value_hex(s, n, tmp);
		/* Whether the text was hex is its format, not key material. */
		ct_declassify(&bad, sizeof(bad));
		if (bad == 0) {
			memcpy(out, tmp, n);
			rc = 0;
			goto out;
		}
	} else if (len % 2 == 0 && len / 2 <= sizeof(tmp)) {
		bad = kmsdoc_value_hex(s, len / 2, tmp);
		ct_declassify(&bad, sizeof(bad));
		/* All digits but the wrong count: report the length, not the format,
		 * unless it is also base64 of the right length. */
		if (bad == 0 && (len % 4 != 0 || len / 4 * 3 < n || len / 4 * 3 > n + 2)) {
			snprintf(why, whylen, "hex of %zu octets, want %zu", len / 2, n);
			rc = SKM_ELEN;
			goto out;
		}
	}
	if (len == 0 || len % 4 != 0) {
		snprintf(why, whylen, "not hex or base64");
		goto out;
	}
	if (s[len - 1] == '=')
		pads++;
	if (s[len - 2] == '=')
		pads++;
	bad = kmsdoc_value_b64chars(s, len - pads);
	ct_declassify(&bad, sizeof(bad));
	if (bad != 0) {
		snprintf(why, whylen, "not hex or base64");
		goto out;
	}
	got = len / 4 * 3 - pads;
	if (got != n) {
		snprintf(why, whylen, "base64 of %zu octets, want %zu", got, n);
		rc = SKM_ELEN;
		goto out;
	}
	/* len / 4 * 3 <= n + 2 fits tmp. */
	if (len > INT_MAX || EVP_DecodeBlock(tmp, (const unsigned char *)s, (int)len) < 0) {
		snprintf(why, whylen, "not hex or base64");
		goto out;
	}
	memcpy(out, tmp, n);
	rc = 0;
out:
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return rc;
}

static int
kmsdoc_value_digits(const char *s, uint64_t limit, uint64_t *v)
{
	uint64_t x = 0;

	if (*s == '\0')
		return SKM_EPARSE;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return SKM_EPARSE;
		if (x > (limit - (uint64_t)(*s - '0')) / 10)
			return SKM_EPARSE;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	return 0;
}

int
kmsdoc_value_uint(const char *s, uint64_t *v)
{
	if (*s == '+')
		s++;
	return kmsdoc_value_digits(s, UINT64_MAX, v);
}

int
kmsdoc_value_int(const char *s, int *v)
{
	uint64_t x;
	int neg = 0;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (kmsdoc_value_digits(s, neg ? (uint64_t)INT_MAX + 1 : (uint64_t)INT_MAX, &x) != 0)
		return SKM_EPARSE;
	*v = neg ? (int)(-(int64_t)x) : (int)x;
	return 0;
}

int
kmsdoc_value_bool(const char *s, int *v)
{
	if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
		*v = 1;
	else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
		*v = 0;
	else
		return SKM_EPARSE;
	return 0;
}

int
kmsdoc_value_time(const char *s, int64_t *t)
{
	char buf[64];
	size_t len = strlen(s);
	int64_t off = 0, x;
	unsigned hh, mm;
	char sign;

	/* "YYYY-MM-DDTHH:MM:SS" at least; time_parse also reads forms that are
	 * not xs:dateTime (a bare date, "@seconds"), which a KMS does not send. */
	if (len < 19 || len >= sizeof(buf) - 1 || s[10] != 'T')
		return SKM_EPARSE;
	memcpy(buf, s, len + 1);
	if (len > 19 && buf[len - 1] == 'Z') {
		/* as is */
	} else if (len >= 25 && (buf[len - 6] == '+' || buf[len - 6] == '-') &&
	    buf[len - 3] == ':') {
		/* RFC 3339 offsets: local = UTC + offset. */
		if (sscanf(buf + len - 6, "%c%2u:%2u", &sign, &hh, &mm) != 3 ||
		    buf[len - 5] < '0' || buf[len - 5] > '9' || buf[len - 4] < '0' ||
		    buf[len - 4] > '9' || buf[len - 2] < '0' || buf[len - 2] > '9' ||
		    buf[len - 1] < '0' || buf[len - 1] > '9' || hh > 14 || mm > 59)
			return SKM_EPARSE;
		off = (int64_t)(hh * 3600 + mm * 60) * (sign == '-' ? -1 : 1);
		buf[len - 6] = 'Z';
		buf[len - 5] = '\0';
	} else {
		/* No zone: deployed KMSs write UTC this way. */
		buf[len] = 'Z';
		buf[len + 1] = '\0';
	}
	if (time_parse(buf, &x) != 0)
		return SKM_EPARSE;
	*t = x - off;
	return 0;
}
