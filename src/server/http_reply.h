/* SPDX-License-Identifier: ISC */
/*
 * Writes an HTTP/1.1 response (RFC 9112) as one buffer: status line,
 * Date, the fields skmsd always sends and the body, so that the TLS layer
 * can send it as one record. Knows nothing of connections.
 */
#ifndef SKM_SERVER_HTTP_REPLY_H
#define SKM_SERVER_HTTP_REPLY_H

#include <stddef.h>
#include <time.h>

/* The Date field, formatted at most once a second (one per loop thread). */
struct http_date {
	time_t sec;
	char text[40];
};

struct http_reply {
	int status;
	const char *content_type;	/* or NULL */
	const char *body;
	size_t len;
	const char *const *headers;	/* name, value pairs, NULL-terminated; or NULL */
	int close;			/* Connection: close */
	int keep_alive;			/* Connection: keep-alive (an HTTP/1.0 client asked) */
	int head_only;			/* a HEAD request: the length, not the body */
};

/* The reason phrase for status. */
const char *http_reply_reason(int status);

/*
 * A response in a new buffer (*out, *outlen), to be freed with
 * OPENSSL_clear_free() as it may hold key material. Returns 0 or SKM_ENOMEM.
 */
int http_reply_build(struct http_date *d, const struct http_reply *rp, char **out,
    size_t *outlen);

#endif
