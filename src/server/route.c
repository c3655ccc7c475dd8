/* SPDX-License-Identifier: ISC */
/*
 * The path parser of the KMS API. It decides what is asked, never whether
 * the caller may have it. Deployed clients append the identity URI raw
 * (sip:alice@example.org), TS 33.179 D.2 shows it percent-encoded; both
 * are accepted, and the decoded octets are the identity exactly (no case
 * folding, no normalisation: they are P1 of the UID).
 */
#include "server/route.h"
#include "common/hex.h"

#include <string.h>

/* RFC 3986 3.3 pchar, plus '/' which the caller has already split on. */
static int
route_pchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return strchr("-._~!$&'()*+,;=:@%/", c) != NULL && c != '\0';
}

/*
 * Decodes the n octets at s into rt->uri. An encoded '/' is refused
 * except inside an https URI, whose own syntax needs it: a percent-encoded
 * GMS URI (https%3A%2F%2Fgms.example.org) is the D.2 form.
 */
static enum errmap_id
route_decode_uri(const char *s, size_t n, struct route *rt)
{
	size_t i, o = 0;
	int slash = 0, hi, lo;
	const char *why;

	if (n == 0)
		return ERRMAP_EMPTY_SEGMENT;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			if (i + 2 >= n)
				return ERRMAP_BAD_ESCAPE;
			if ((hi = hex_value(s[i + 1])) < 0 ||
			    (lo = hex_value(s[i + 2])) < 0)
				return ERRMAP_BAD_ESCAPE;
			c = (unsigned char)(hi << 4 | lo);
			if (c == '\0')
				return ERRMAP_ENCODED_NUL;
			if (c == '/')
				slash = 1;
			i += 2;
		}
		if (o >= URI_MAX)
			return ERRMAP_URI_TOO_LONG;
		rt->uri[o++] = (char)c;
	}
	rt->uri[o] = '\0';
	rt->uri_len = o;
	if (slash && strncmp(rt->uri, "https://", 8) != 0)
		return ERRMAP_ENCODED_SLASH;
	if (uri_check(rt->uri, o, &why) != 0)
		return ERRMAP_BAD_URI;
	rt->has_uri = 1;
	return ERRMAP_OK;
}

/* 33.179 D.2: the MIKEY-style NTP timestamp, 16 hex digits. */
static enum errmap_id
route_time(const char *s, size_t n, struct route *rt)
{
	uint64_t t = 0;
	size_t i;
	int v;

	if (n != 16)
		return ERRMAP_TIME_LENGTH;
	for (i = 0; i < n; i++)
		if (hex_value(s[i]) < 0)
			return ERRMAP_TIME_HEX;
	for (i = 0; i < n; i++) {
		v = hex_value(s[i]);
		t = t << 4 | (uint64_t)v;
	}
	rt->has_time = 1;
	rt->ntp_time = t;
	return ERRMAP_OK;
}

/* A decimal integer without sign or leading zeros, below 2^64. */
static enum errmap_id
route_cachenum(const char *s, size_t n, struct route *rt)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0)
		return ERRMAP_EMPTY_SEGMENT;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return ERRMAP_CACHENUM;
	if (n > 1 && s[0] == '0')
		return ERRMAP_CACHENUM;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return ERRMAP_CACHENUM_RANGE;
		v = v * 10 + d;
	}
	rt->has_cachenum = 1;
	rt->cachenum = v;
	return ERRMAP_OK;
}

/*
 * keyprov/<URI>[/<time>]. A raw https URI (a GMS) carries its own '/':
 * its authority ends at the next '/', after which only a time may follow.
 */
static enum errmap_id
route_keyprov(const char *rest, struct route *rt)
{
	const char *slash, *tail = NULL;
	size_t ulen;
	enum errmap_id e;

	if (strncmp(rest, "https://", 8) == 0)
		slash = strchr(rest + 8, '/');
	else
		slash = strchr(rest, '/');
	ulen = slash != NULL ? (size_t)(slash - rest) : strlen(rest);
	if (slash != NULL) {
		tail = slash + 1;
		if (*tail == '\0')
			return ERRMAP_EMPTY_SEGMENT;
		if (strchr(tail, '/') != NULL)
			return ERRMAP_EXTRA_SEGMENT;
	}
	if ((e = route_decode_uri(rest, ulen, rt)) != ERRMAP_OK)
		return e;
	if (tail != NULL)
		return route_time(tail, strlen(tail), rt);
	return ERRMAP_OK;
}

enum errmap_id
route_parse(const char *path, struct route *rt)
{
	const char *p, *seg, *slash;
	size_t n, plen = strlen(ROUTE_PREFIX);

	memset(rt, 0, sizeof(*rt));
	if (path == NULL || strncmp(path, ROUTE_PREFIX, plen) != 0)
		return ERRMAP_NOT_FOUND;
	for (p = path; *p != '\0'; p++)
		if (!route_pchar((unsigned char)*p))
			return ERRMAP_PATH_CHARS;
	seg = path + plen;
	slash = strchr(seg, '/');
	n = slash != NULL ? (size_t)(slash - seg) : strlen(seg);
	if (n == 0)
		return *seg == '\0' ? ERRMAP_NOT_FOUND : ERRMAP_EMPTY_SEGMENT;
	if (n == 4 && memcmp(seg, "init", 4) == 0) {
		rt->ep = ROUTE_INIT;
		return slash == NULL ? ERRMAP_OK : ERRMAP_EXTRA_SEGMENT;
	}
	if (n == 7 && memcmp(seg, "keyprov", 7) == 0) {
		rt->ep = ROUTE_KEYPROV;
		if (slash == NULL)
			return ERRMAP_OK;
		if (slash[1] == '\0')
			return ERRMAP_EMPTY_SEGMENT;
		return route_keyprov(slash + 1, rt);
	}
	if (n == 9 && memcmp(seg, "certcache", 9) == 0) {
		rt->ep = ROUTE_CERTCACHE;
		if (slash == NULL)
			return ERRMAP_OK;
		seg = slash + 1;
		if (strchr(seg, '/') != NULL)
			return ERRMAP_EXTRA_SEGMENT;
		return route_cachenum(seg, strlen(seg), rt);
	}
	return ERRMAP_NOT_FOUND;
}
