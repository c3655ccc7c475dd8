/* SPDX-License-Identifier: ISC */
/*
 * The HTTP/1.1 request parser of skmsd's transport (RFC 9112): a request
 * line and header section, then a body framed by Content-Length or by the
 * chunked coding. It works on the bytes received so far, keeps no state
 * between calls and allocates nothing: the transport calls it again when
 * more bytes arrive. It is strict where leniency lets two parsers disagree
 * on where a request ends (request smuggling): a Content-Length together
 * with a Transfer-Encoding, a space before a colon, folded lines, control
 * characters and bare CRs are refused, and so is a second Host,
 * Content-Length, Transfer-Encoding, Content-Type or Authorization field,
 * even with the same value. Bare
 * LF line ends are accepted in the header section (RFC 9112 2.2), not in
 * the framing of a chunked body.
 */
#ifndef SKM_SERVER_HTTP_PARSE_H
#define SKM_SERVER_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "server/req.h"

/* Header fields kept per request; more is 431. */
#define HTTP_PARSE_FIELDS	64

/* Results besides a length; the negative values are HTTP statuses. */
#define HTTP_PARSE_MORE		0	/* incomplete: wait for more bytes */
#define HTTP_PARSE_BAD		(-400)	/* malformed request */
#define HTTP_PARSE_TOO_LARGE	(-413)	/* body over the limit */
#define HTTP_PARSE_EXPECT	(-417)	/* an expectation other than 100-continue */
#define HTTP_PARSE_HEAD_LARGE	(-431)	/* header section over the limit */
#define HTTP_PARSE_METHOD	(-501)	/* a method or transfer coding not implemented */
#define HTTP_PARSE_VERSION	(-505)	/* not HTTP/1.0 or HTTP/1.1 */

struct http_field {
	const char *name;		/* not terminated: name_len octets */
	size_t name_len;
	const char *value;		/* without surrounding whitespace */
	size_t value_len;
};

/* A parsed header section; every pointer points into the parsed buffer. */
struct http_head {
	enum req_method method;		/* REQ_OTHER is refused with 501 */
	const char *target;		/* the request target, as sent */
	size_t target_len;
	int minor;			/* HTTP/1.minor: 0 or 1 */
	struct http_field fields[HTTP_PARSE_FIELDS];
	size_t nfields;
	size_t head_len;		/* octets up to and with the empty line */
	uint64_t content_length;	/* valid when !chunked */
	int chunked;			/* Transfer-Encoding: chunked */
	int keep_alive;			/* the connection stays open after the reply */
	int expect_continue;		/* Expect: 100-continue */
	const char *why;		/* a refusal's reason (static), or NULL */
};

/*
 * Parses the header section at the start of buf[0..len). Returns its
 * length (> 0) and fills h when it is complete, HTTP_PARSE_MORE while it
 * may still become one within max_head octets, or a negative
 * HTTP_PARSE_* status, with a static reason in h->why for the refusals
 * of the header fields' meaning (NULL for the others). A Content-Length
 * over max_body is HTTP_PARSE_TOO_LARGE. An HTTP/1.1 request must carry
 * one Host field.
 */
int http_parse_head(const char *buf, size_t len, size_t max_head, size_t max_body,
    struct http_head *h);

/*
 * Decodes a chunked body (RFC 9112 7.1) starting at buf[0..len), in
 * place: the data is moved to the start of buf. Returns the octets of
 * buf the coded body takes (with its last chunk and trailer section) and
 * sets *body_len once it is complete; HTTP_PARSE_MORE while incomplete;
 * HTTP_PARSE_TOO_LARGE when the data exceeds max_body; HTTP_PARSE_BAD
 * when malformed. Trailer fields are read and ignored. Calling it again
 * on the same, grown buffer starts over, so buf must still hold the
 * undecoded bytes: it decodes only once the whole body has arrived.
 */
int http_parse_chunked(char *buf, size_t len, size_t max_body, size_t *body_len);

/* The field named name (case-insensitive) in h, or NULL. */
const struct http_field *http_parse_field(const struct http_head *h, const char *name);

#endif
