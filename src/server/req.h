/* SPDX-License-Identifier: ISC */
/*
 * One HTTP request in flight, as the transport (http.c) hands it to the KMS
 * API (api.c). The transport owns it: it stays valid until req_reply() is
 * called, even if the client has gone away meanwhile (the reply is then
 * dropped). Every function here runs on the event-loop thread only.
 */
#ifndef SKM_SERVER_REQ_H
#define SKM_SERVER_REQ_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

struct req;
struct event_base;

enum req_method {
	REQ_OTHER = 0,
	REQ_GET,
	REQ_POST,
	REQ_HEAD,
	REQ_PUT,
	REQ_DELETE,
};

enum req_method req_method(const struct req *r);

/* The raw request path, without the query string, as sent (not decoded). */
const char *req_path(const struct req *r);

/* The raw URI of the request line, for ClientReqUrl. */
const char *req_uri(const struct req *r);

/* The value of header name (case-insensitive), or NULL. */
const char *req_header(const struct req *r, const char *name);

/* The body; the transport has already enforced server.max-body-size. */
const uint8_t *req_body(const struct req *r, size_t *len);

/* The client address as "ip:port", for logs and the audit log. */
const char *req_peer(const struct req *r);

/* The verified TLS client certificate, or NULL; owned by the transport. */
X509 *req_peer_cert(const struct req *r);

/* When the request arrived, seconds on a monotonic clock. */
double req_started(const struct req *r);

/* The event loop the request arrived on; its reply is sent from there. */
struct event_base *req_base(const struct req *r);

/* True when the client has gone away (the reply will be dropped). */
int req_gone(const struct req *r);

/*
 * Keeps r open for seconds more before the request deadline answers it
 * 503: a held reply (long-poll). On the loop thread, before the reply.
 */
void req_hold(struct req *r, unsigned seconds);

/*
 * Sends the reply and releases r: status, Content-Type (NULL for none),
 * body, and extra headers as a NULL-terminated list of name, value pairs
 * (may be NULL). Exactly once per request.
 */
void req_reply(struct req *r, int status, const char *content_type,
    const char *body, size_t len, const char *const *headers);

#endif
