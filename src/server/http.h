/* SPDX-License-Identifier: ISC */
/*
 * skmsd's HTTPS transport: HTTP/1.1 (http_parse.h, http_reply.h) over
 * OpenSSL on non-blocking sockets, one edge-triggered event each, on the
 * listeners it is given. It enforces the limits (connections, header and
 * body sizes, a whole-request deadline, an idle timeout), hands requests
 * under /keymanagement/identity/v1/ to the API as struct req (req.h) and
 * answers anything else with 404. It never serves a byte of plain HTTP on
 * a TLS listener and never interprets the KMS requests themselves.
 */
#ifndef SKM_SERVER_HTTP_H
#define SKM_SERVER_HTTP_H

#include <event2/util.h>

struct api;
struct conf;
struct event_base;
struct http;
struct peers;
struct tls;

/* The path prefix of the KMS interface, TS 33.180 D.2.1. */
#define HTTP_KMS_PREFIX	"/keymanagement/identity/v1/"

/*
 * Event priorities of a server loop (server.c makes its bases with them;
 * lower runs first). Connection I/O, where the handshakes are, runs at
 * HTTP_PRI_CONN; everything else at the default 1 above it: a reply
 * handed over by the audit or a worker thread, timers, the listeners.
 * After HTTP_CONN_BURST connection callbacks the loop polls again, so
 * under a crowd of new connections a reply that is ready waits for a few
 * handshakes, not for every one that arrived with it.
 */
#define HTTP_PRIORITIES	3
#define HTTP_PRI_CONN	2
#define HTTP_CONN_BURST	8

/*
 * A transport on base with the limits of cf and the context tls (both
 * must outlive it or be replaced through http_reload()). kms_uri names
 * the domain in the KmsError bodies this layer writes (copied).
 */
int http_new(struct event_base *base, const struct conf *cf, const char *kms_uri,
    struct tls *tls, struct http **out);

/* Serves TLS on fd, a bound, listening, non-blocking socket (taken over). */
int http_listen(struct http *h, evutil_socket_t fd);

/*
 * Makes the calling thread the one that runs h's loop; a reply given from
 * any other thread is then handed over to it (http_defer.h). Call again
 * from the thread that frees the transport once its loop has stopped.
 */
void http_own(struct http *h);

/*
 * Counts connections by source in peers (peers.h), shared with the other
 * loops and outliving h, for server.max-connections-per-address. Call
 * before serving; without it sources are not limited.
 */
void http_set_peers(struct http *h, struct peers *peers);

/* Requests are answered 503 until the API is set. */
void http_set_api(struct http *h, struct api *api);

/*
 * Another service on the same transport (skgmsd): requests whose path
 * starts with prefix go to handle(arg, r) on the loop thread, anything
 * else is 404; the KMS API is not used. svc must outlive h.
 */
struct req;
struct http_service {
	const char *prefix;
	void (*handle)(void *arg, struct req *r);
	void *arg;
};
void http_set_service(struct http *h, const struct http_service *svc);

/* New limits and TLS context for connections accepted from now on. */
void http_reload(struct http *h, const struct conf *cf, struct tls *tls);

/*
 * Stops accepting, closes idle connections and marks the rest to close
 * after their reply (SIGTERM drain).
 */
void http_stop(struct http *h);

/* Open client connections. */
unsigned http_connections(const struct http *h);

/* Closes every connection and listener. Call after api_free(). */
void http_free(struct http *h);

#endif
