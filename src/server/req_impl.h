/* SPDX-License-Identifier: ISC */
/*
 * struct req inside the server: the transport (http.c) makes and answers
 * it, req.c holds the copy of the request and its accessors (req.h). Not
 * for the API, which sees req.h only.
 */
#ifndef SKM_SERVER_REQ_IMPL_H
#define SKM_SERVER_REQ_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "server/http_parse.h"
#include "server/metrics.h"
#include "server/req.h"

#define REQ_PEER_MAX	64

struct conn;
struct http;

struct req_hdr {
	const char *name;
	const char *value;
};

/* One allocation: the struct, then the headers, strings and body it copies. */
struct req {
	struct http *h;
	struct conn *conn;		/* NULL once the client is gone */
	enum req_method method;
	enum metrics_endpoint ep;
	int minor;			/* HTTP/1.minor */
	int keep_alive;
	char *uri;
	char *path;
	struct req_hdr *hdrs;
	size_t nhdrs;
	uint8_t *body;
	size_t body_len;
	size_t size;			/* of the whole allocation, for the cleanse */
	char peer[REQ_PEER_MAX];
	X509 *cert;
	double started;
	int counted;			/* metrics_request() done */
};

/*
 * A request copying the target, its raw path, the header fields and the
 * body of hd (one allocation); the transport fills h, conn, started, peer
 * and cert. NULL when out of memory. Free with req_free().
 */
struct req *req_new(const struct http_head *hd, const char *body, size_t body_len);

/* Frees r, cleansed (its fields carry the bearer token). */
void req_free(struct req *r);

#endif
