/* SPDX-License-Identifier: ISC */
/*
 * Address syntax. An IPv6 literal must be bracketed, since its colons would
 * otherwise be ambiguous with the port separator; a host made only of
 * digits and dots is taken as an IPv4 literal and must be a valid one, so
 * "10.0.0.256" is a typo to report rather than a name to resolve.
 */
#include "conf/addr.h"

#include <arpa/inet.h>
#include <string.h>

#include "common/err.h"

static int
bad(char *why, size_t whylen, const char *msg)
{
	snprintf(why, whylen, "%s", msg);
	return SKM_EINVAL;
}

static int
parse_port(const char *p, size_t n, unsigned *port)
{
	unsigned v = 0;
	size_t i;

	if (n == 0 || n > 5)
		return SKM_EINVAL;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return SKM_EINVAL;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	if (v < 1 || v > 65535)
		return SKM_EINVAL;
	*port = v;
	return 0;
}

/* RFC 1123 2.1 host names: labels of letters, digits and inner hyphens. */
static bool
valid_name(const char *h, size_t n)
{
	size_t i, label = 0;

	if (n == 0 || n > 253)
		return false;
	for (i = 0; i < n; i++) {
		char c = h[i];

		if (c == '.') {
			if (label == 0 || h[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-'))
			return false;
		if (c == '-' && label == 0)
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0 && h[n - 1] != '-';
}

static bool
all_digits_dots(const char *h, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (h[i] != '.' && (h[i] < '0' || h[i] > '9'))
			return false;
	return true;
}

int
conf_addr_parse(const char *text, size_t len, struct conf_addr *a,
    char *why, size_t whylen)
{
	struct in6_addr in6;
	struct in_addr in4;
	const char *host, *colon;
	size_t hlen;
	unsigned port;

	memset(a, 0, sizeof(*a));
	if (len == 0)
		return bad(why, whylen, "empty address");
	if (memchr(text, '\0', len) != NULL)
		return bad(why, whylen, "NUL in address");
	if (text[0] == '[') {
		const char *end = memchr(text, ']', len);

		if (end == NULL)
			return bad(why, whylen,
			    "missing ']' after IPv6 address");
		host = text + 1;
		hlen = (size_t)(end - host);
		colon = end + 1;
		if (colon == text + len || *colon != ':')
			return bad(why, whylen, "missing :port after ']'");
	} else {
		colon = NULL;
		for (host = text; host < text + len; host++)
			if (*host == ':')
				colon = host;
		host = text;
		if (colon == NULL)
			return bad(why, whylen, "missing :port");
		hlen = (size_t)(colon - text);
		if (memchr(host, ':', hlen) != NULL)
			return bad(why, whylen,
			    "an IPv6 address needs brackets: [address]:port");
	}
	if (parse_port(colon + 1, (size_t)(text + len - colon - 1), &port) != 0)
		return bad(why, whylen, "port must be 1..65535");
	if (hlen == 0)
		return bad(why, whylen, "missing host before :port");
	if (hlen >= sizeof(a->host))
		return bad(why, whylen, "host name too long");
	memcpy(a->host, host, hlen);
	a->host[hlen] = '\0';
	if (text[0] == '[') {
		if (inet_pton(AF_INET6, a->host, &in6) != 1)
			return bad(why, whylen, "not a valid IPv6 address");
		a->family = CONF_ADDR_IPV6;
	} else if (all_digits_dots(a->host, hlen)) {
		if (inet_pton(AF_INET, a->host, &in4) != 1)
			return bad(why, whylen, "not a valid IPv4 address");
		a->family = CONF_ADDR_IPV4;
	} else {
		if (!valid_name(a->host, hlen))
			return bad(why, whylen, "not a valid host name");
		a->family = CONF_ADDR_NAME;
	}
	a->port = port;
	return 0;
}

void
conf_addr_print(const struct conf_addr *a, FILE *fp)
{
	if (a->family == CONF_ADDR_NONE)
		fputs("\"\"", fp);
	else if (a->family == CONF_ADDR_IPV6)
		fprintf(fp, "\"[%s]:%u\"", a->host, a->port);
	else
		fprintf(fp, "\"%s:%u\"", a->host, a->port);
}

bool
conf_addr_equal(const struct conf_addr *a, const struct conf_addr *b)
{
	return a->family == b->family && a->port == b->port &&
	    strcmp(a->host, b->host) == 0;
}
