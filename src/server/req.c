/* SPDX-License-Identifier: ISC */
/*
 * struct req (req_impl.h): one allocation holding the copy of a request
 * the API reads through req.h, so it stays valid whatever happens to the
 * connection. The transport answers it (req_reply, in http.c).
 */
#include "server/req_impl.h"
#include "server/http.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

static enum metrics_endpoint
req_endpoint(const char *path)
{
	static const struct { const char *name; enum metrics_endpoint ep; } eps[] = {
		{ "init", METRICS_INIT },
		{ "keyprov", METRICS_KEYPROV },
		{ "certcache", METRICS_CERTCACHE },
	};
	const char *p;
	size_t i, n;

	if (strncmp(path, HTTP_KMS_PREFIX, strlen(HTTP_KMS_PREFIX)) != 0)
		return METRICS_OTHER;
	p = path + strlen(HTTP_KMS_PREFIX);
	for (i = 0; i < sizeof(eps) / sizeof(eps[0]); i++) {
		n = strlen(eps[i].name);
		if (strncmp(p, eps[i].name, n) == 0 && (p[n] == '\0' || p[n] == '/'))
			return eps[i].ep;
	}
	return METRICS_OTHER;
}

/* The raw path of a request target: origin form up to '?', or an absolute URI's path. */
static void
req_raw_path(const char *t, size_t n, const char **p, size_t *plen)
{
	const char *s = t, *end = t + n, *q;

	if (n == 0 || t[0] != '/') {
		for (q = t; q + 3 <= end && memcmp(q, "://", 3) != 0; q++)
			;
		if (q + 3 > end) {
			*p = "";
			*plen = 0;
			return;
		}
		if ((s = memchr(q + 3, '/', (size_t)(end - q - 3))) == NULL) {
			*p = "/";
			*plen = 1;
			return;
		}
	}
	for (q = s; q < end && *q != '?' && *q != '#'; q++)
		;
	*p = s;
	*plen = (size_t)(q - s);
}

static char *
req_put(char **at, const char *s, size_t n)
{
	char *d = *at;

	memcpy(d, s, n);
	d[n] = '\0';
	*at = d + n + 1;
	return d;
}

struct req *
req_new(const struct http_head *hd, const char *body, size_t body_len)
{
	const char *path;
	size_t plen, size, i;
	struct req *r;
	char *at;

	req_raw_path(hd->target, hd->target_len, &path, &plen);
	size = sizeof(*r) + hd->nfields * sizeof(struct req_hdr) + hd->target_len + 1 +
	    plen + 1 + body_len;
	for (i = 0; i < hd->nfields; i++)
		size += hd->fields[i].name_len + hd->fields[i].value_len + 2;
	if ((r = calloc(1, size)) == NULL)
		return NULL;
	r->size = size;
	r->hdrs = (struct req_hdr *)(r + 1);
	r->nhdrs = hd->nfields;
	at = (char *)(r->hdrs + r->nhdrs);
	if (body_len > 0) {
		r->body = (uint8_t *)at;
		r->body_len = body_len;
		memcpy(at, body, body_len);
		at += body_len;
	}
	r->uri = req_put(&at, hd->target, hd->target_len);
	r->path = req_put(&at, path, plen);
	for (i = 0; i < hd->nfields; i++) {
		r->hdrs[i].name = req_put(&at, hd->fields[i].name, hd->fields[i].name_len);
		r->hdrs[i].value = req_put(&at, hd->fields[i].value, hd->fields[i].value_len);
	}
	r->method = hd->method;
	r->minor = hd->minor;
	r->keep_alive = hd->keep_alive;
	r->ep = req_endpoint(r->path);
	return r;
}

void
req_free(struct req *r)
{
	X509_free(r->cert);
	/* Headers carry the bearer token, the body may carry a request. */
	OPENSSL_clear_free(r, r->size);
}

enum req_method
req_method(const struct req *r)
{
	return r->method;
}

const char *
req_path(const struct req *r)
{
	return r->path;
}

const char *
req_uri(const struct req *r)
{
	return r->uri;
}

const char *
req_header(const struct req *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nhdrs; i++)
		if (strcasecmp(r->hdrs[i].name, name) == 0)
			return r->hdrs[i].value;
	return NULL;
}

const uint8_t *
req_body(const struct req *r, size_t *len)
{
	*len = r->body_len;
	return r->body;
}

const char *
req_peer(const struct req *r)
{
	return r->peer;
}

X509 *
req_peer_cert(const struct req *r)
{
	return r->cert;
}

double
req_started(const struct req *r)
{
	return r->started;
}
