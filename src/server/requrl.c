/* SPDX-License-Identifier: ISC */
/*
 * ClientReqUrl from request data (see requrl.h). The one place that turns
 * a request's octets into the URL that KmsResponse documents echo, for
 * the API and for the refusals of the HTTP layer alike, so every refusal
 * carries the same full URL.
 */
#include "server/requrl.h"

#include <pthread.h>
#include <string.h>

#define REQURL_C_HOST	0x01	/* a Host value: name, IPv4 or [IPv6], port */
#define REQURL_C_URL	0x02	/* kept as is: RFC 3986 pchar, '/' and '?' */
#define REQURL_C_HEX	0x04

static unsigned char requrl_chars[256];
static pthread_once_t requrl_once = PTHREAD_ONCE_INIT;

static void
requrl_init(void)
{
	const char *host = ".-:[]", *url = "-._~!$&'()*+,;=:@/?", *hex = "abcdefABCDEF";
	int c;

	for (c = 0; c < 256; c++)
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			requrl_chars[c] = REQURL_C_HOST | REQURL_C_URL;
	for (c = '0'; c <= '9'; c++)
		requrl_chars[c] |= REQURL_C_HEX;
	for (; *host != '\0'; host++)
		requrl_chars[(unsigned char)*host] |= REQURL_C_HOST;
	for (; *url != '\0'; url++)
		requrl_chars[(unsigned char)*url] |= REQURL_C_URL;
	for (; *hex != '\0'; hex++)
		requrl_chars[(unsigned char)*hex] |= REQURL_C_HEX;
}

int
requrl_host_ok(const char *h, size_t len)
{
	size_t n;

	pthread_once(&requrl_once, requrl_init);
	if (h == NULL || len == 0 || len > REQURL_HOST_MAX)
		return 0;
	for (n = 0; n < len; n++)
		if (!(requrl_chars[(unsigned char)h[n]] & REQURL_C_HOST))
			return 0;
	return 1;
}

/*
 * Appends s (len octets), percent-encoding every octet outside the class
 * keep and each '%' that starts no escape.
 */
static size_t
requrl_put(char *out, size_t n, size_t cap, const char *s, size_t len, unsigned keep)
{
	static const char hexd[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	/* Room for one escape and the NUL: a URL is cut, never an escape. */
	for (i = 0; i < len && n + 4 <= cap; i++) {
		if ((requrl_chars[p[i]] & keep) || (p[i] == '%' && i + 2 < len &&
		    (requrl_chars[p[i + 1]] & REQURL_C_HEX) &&
		    (requrl_chars[p[i + 2]] & REQURL_C_HEX))) {
			out[n++] = (char)p[i];
			continue;
		}
		out[n++] = '%';
		out[n++] = hexd[p[i] >> 4];
		out[n++] = hexd[p[i] & 15];
	}
	return n;
}

/* 1 when t (len octets) is an absolute-form target: a scheme, then "://". */
static int
requrl_absolute(const char *t, size_t len)
{
	size_t i;

	for (i = 0; i + 3 <= len && t[i] != '/'; i++)
		if (t[i] == ':' && t[i + 1] == '/' && t[i + 2] == '/')
			return i > 0;
	return 0;
}

void
requrl_build(char *out, size_t cap, const char *host, size_t host_len,
    const char *fallback, const char *target, size_t target_len)
{
	size_t n = 0;

	if (cap == 0)
		return;
	pthread_once(&requrl_once, requrl_init);
	if (target == NULL)
		target_len = 0;
	/* RFC 9112 3.2.2: an absolute-form target names its own authority. */
	if (!requrl_absolute(target, target_len)) {
		if (!requrl_host_ok(host, host_len)) {
			host = fallback != NULL ? fallback : "";
			host_len = strlen(host);
		}
		n = requrl_put(out, n, cap, "https://", 8, REQURL_C_URL);
		n = requrl_put(out, n, cap, host, host_len, REQURL_C_HOST);
		if (target_len > 0 && target[0] != '/')
			n = requrl_put(out, n, cap, "/", 1, REQURL_C_URL);
	}
	n = requrl_put(out, n, cap, target, target_len, REQURL_C_URL);
	out[n < cap ? n : cap - 1] = '\0';
}
