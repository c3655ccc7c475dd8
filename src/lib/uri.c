/* SPDX-License-Identifier: ISC */
/*
 * Identity URI checks. They only accept or refuse: a URI is never rewritten,
 * since the UID hashes its exact octets.
 */
#include "lib/uri.h"
#include "common/err.h"
#include "common/utf8.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

/*
 * Valid UTF-8 without controls, spaces or DEL, and only characters XML can
 * carry: a URI the KMS accepts must fit in its KmsResponse documents.
 */
static int
uri_chars_ok(const uint8_t *s, size_t len)
{
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		if ((n = utf8_decode(s + i, len - i, &cp)) == 0 || cp <= 0x20 ||
		    cp == 0x7f || !utf8_xml_char(cp))
			return 0;
		i += n;
	}
	return 1;
}

/* A DNS name with an optional :port. */
static int
uri_host_ok(const char *s, size_t len)
{
	size_t i, label = 0;
	const char *colon = memchr(s, ':', len);
	size_t hlen = colon != NULL ? (size_t)(colon - s) : len;

	if (hlen == 0 || hlen > 253)
		return 0;
	for (i = 0; i < hlen; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if (isalnum(c) || c == '-' || c == '_') {
			if (++label > 63)
				return 0;
		} else
			return 0;
	}
	if (label == 0)
		return 0;
	if (colon != NULL) {
		size_t plen = len - hlen - 1;
		unsigned long port = 0;

		if (plen == 0 || plen > 5)
			return 0;
		for (i = hlen + 1; i < len; i++) {
			if (!isdigit((unsigned char)s[i]))
				return 0;
			port = port * 10 + (unsigned long)(s[i] - '0');
		}
		if (port == 0 || port > 65535)
			return 0;
	}
	return 1;
}

static int
uri_prefix(const char *s, size_t len, const char *p)
{
	size_t n = strlen(p);

	return len >= n && strncasecmp(s, p, n) == 0;
}

int
uri_check(const char *uri, size_t len, const char **why)
{
	const char *rest, *at;
	size_t rlen, i;

	*why = NULL;
	if (len == 0) {
		*why = "empty URI";
		return SKM_EINVAL;
	}
	if (len > URI_MAX) {
		*why = "URI longer than 1024 octets";
		return SKM_EINVAL;
	}
	if (memchr(uri, '\0', len) != NULL || !uri_chars_ok((const uint8_t *)uri, len)) {
		*why = "URI holds spaces, control characters or invalid UTF-8";
		return SKM_EINVAL;
	}
	if (uri_prefix(uri, len, "sip:") || uri_prefix(uri, len, "sips:")) {
		rest = (const char *)memchr(uri, ':', len) + 1;
		rlen = len - (size_t)(rest - uri);
		at = memchr(rest, '@', rlen);
		if (at != NULL && at == rest) {
			*why = "sip URI with an empty user part";
			return SKM_EINVAL;
		}
		if (at != NULL) {
			rlen -= (size_t)(at + 1 - rest);
			rest = at + 1;
		}
		/* URI parameters (;...) follow the host. */
		for (i = 0; i < rlen && rest[i] != ';' && rest[i] != '?'; i++)
			;
		if (!uri_host_ok(rest, i)) {
			*why = "sip URI without a valid host";
			return SKM_EINVAL;
		}
		return 0;
	}
	if (uri_prefix(uri, len, "tel:")) {
		rest = uri + 4;
		rlen = len - 4;
		if (rlen < 2 || rest[0] != '+') {
			*why = "tel URI is not a global number (tel:+digits)";
			return SKM_EINVAL;
		}
		for (i = 1; i < rlen && rest[i] != ';'; i++)
			if (!isdigit((unsigned char)rest[i]) && rest[i] != '-' &&
			    rest[i] != '.' && rest[i] != '(' && rest[i] != ')') {
				*why = "tel URI with a character that is not a digit";
				return SKM_EINVAL;
			}
		return 0;
	}
	if (uri_prefix(uri, len, "https://")) {
		rest = uri + 8;
		rlen = len - 8;
		for (i = 0; i < rlen && rest[i] != '/' && rest[i] != '?' && rest[i] != '#'; i++)
			;
		if (!uri_host_ok(rest, i)) {
			*why = "https URI without a valid host";
			return SKM_EINVAL;
		}
		return 0;
	}
	if (memchr(uri, ':', len) != NULL && !uri_host_ok(uri, len)) {
		*why = "unsupported URI scheme (sip:, sips:, tel:, https: or a server name)";
		return SKM_EINVAL;
	}
	if (!uri_host_ok(uri, len)) {
		*why = "not a valid server name";
		return SKM_EINVAL;
	}
	return 0;
}
