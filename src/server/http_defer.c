/* SPDX-License-Identifier: ISC */
/*
 * Cross-loop replies (see http_defer.h). The copy is complete before
 * event_base_once() returns, so the caller's buffers may go at once; the
 * body copy is cleansed because a key-set reply carries key material.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <openssl/crypto.h>

#include "common/err.h"
#include "server/http_defer.h"
#include "server/req.h"

#define HTTP_DEFER_HEADERS	16	/* names and values, without the NULL */

struct http_defer {
	struct req *r;
	int status;
	char *ctype;
	char *body;
	size_t len;
	char *hdrs[HTTP_DEFER_HEADERS + 1];
};

static void
http_defer_free(struct http_defer *d)
{
	size_t i;

	for (i = 0; i < HTTP_DEFER_HEADERS && d->hdrs[i] != NULL; i++)
		free(d->hdrs[i]);
	free(d->ctype);
	if (d->body != NULL)
		OPENSSL_clear_free(d->body, d->len);
	free(d);
}

static void
http_defer_run(evutil_socket_t fd, short what, void *arg)
{
	struct http_defer *d = arg;

	req_reply(d->r, d->status, d->ctype, d->body, d->len,
	    (const char *const *)d->hdrs);
	http_defer_free(d);
}

int
http_defer_reply(struct event_base *base, struct req *r, int status,
    const char *content_type, const char *body, size_t len,
    const char *const *headers)
{
	static const struct timeval now = { 0, 0 };
	struct http_defer *d;
	size_t i;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return SKM_ENOMEM;
	d->r = r;
	d->status = status;
	d->len = len;
	if (content_type != NULL && (d->ctype = strdup(content_type)) == NULL)
		goto fail;
	if (len > 0) {
		if ((d->body = OPENSSL_malloc(len)) == NULL)
			goto fail;
		memcpy(d->body, body, len);
	}
	/* Headers come in name, value pairs: an odd count would misalign them. */
	for (i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL &&
	    i + 2 <= HTTP_DEFER_HEADERS; i += 2) {
		if ((d->hdrs[i] = strdup(headers[i])) == NULL ||
		    (d->hdrs[i + 1] = strdup(headers[i + 1])) == NULL)
			goto fail;
	}
	if (event_base_once(base, -1, EV_TIMEOUT, http_defer_run, d, &now) != 0)
		goto fail;
	return 0;
fail:
	http_defer_free(d);
	return SKM_ENOMEM;
}
