/* SPDX-License-Identifier: ISC */
/*
 * The HTTPS transport (see http.h). Each connection is a non-blocking
 * socket driven by OpenSSL directly and one edge-triggered libevent event
 * for both directions, added once when the connection is accepted: after
 * that, a request costs no epoll_ctl call. The socket is read until it
 * is known to be empty (a short read, seen by http_bio.c, or EAGAIN) and
 * written until OpenSSL reports that it would block, so no edge is ever
 * missed. A reply leaves as one buffer, one SSL_write, one TLS record.
 *
 * A connection is closed at once (socket, TLS) but its memory is freed
 * from its timer callback, so no caller up the stack is left holding a
 * freed connection. struct req (req.h) is freed by its reply; a reply
 * for a connection that has gone is dropped.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "common/err.h"
#include "common/time.h"
#include "conf/conf.h"
#include "lib/kmsxml.h"
#include "server/api.h"
#include "server/errmap.h"
#include "server/http.h"
#include "server/http_bio.h"
#include "server/http_defer.h"
#include "server/http_parse.h"
#include "server/http_reply.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/peers.h"
#include "server/req_impl.h"
#include "server/requrl.h"
#include "server/tls.h"

#define HTTP_LISTEN_MAX		16
#define HTTP_BACKOFF_MS		250	/* listener pause after EMFILE/ENFILE */
#define HTTP_IN_FIRST		4096	/* first input buffer; grows to the limits */
#define HTTP_CHUNK_SLACK	4096	/* chunked framing allowed beyond max-body-size */
#define HTTP_ACCEPT_BURST	16	/* accepts before the listeners yield */

enum conn_state {
	CONN_NEW,		/* handshake and first request: request deadline */
	CONN_READING,		/* a request is arriving: request deadline */
	CONN_HANDLING,		/* with the API: request deadline */
	CONN_WRITING,		/* the reply is leaving: request timeout */
	CONN_IDLE,		/* keep-alive between requests: idle timeout */
	CONN_DEAD,		/* closed; freed from its timer callback */
};

struct conn {
	struct http *h;
	evutil_socket_t fd;
	SSL *ssl;
	struct event *ev;		/* fd, both directions, edge-triggered */
	struct event *timer;
	enum conn_state state;
	int handshaken;
	int reject;			/* over the connection cap: every request is 503 */
	int close_after;		/* close once out has left */
	int interim;			/* out is a 100 Continue, not the reply */
	int continued;			/* 100 Continue sent for the current request */
	int write_armed;		/* the timer bounds a blocked write */
	int drained;			/* the socket was read empty (http_bio.h) */
	unsigned depth;			/* conn_run() frames on the stack */
	struct req *req;		/* in flight, or NULL */
	double started;			/* first octet of the current request */
	char *in;			/* received plaintext (tokens: cleansed) */
	size_t in_len, in_cap;
	char *out;			/* SECRET: the reply may hold a key set */
	size_t out_len, out_off;
	char peer[REQ_PEER_MAX];
	struct peers_key source;	/* counted in h->peers when counted */
	int counted;
	LIST_ENTRY(conn) entry;
};

struct http {
	struct event_base *base;
	struct tls *tls;
	struct api *api;
	const struct http_service *svc;	/* another service instead of the API */
	char *kms_uri;
	unsigned max_conns;
	unsigned max_per_source;	/* 0: no limit */
	struct peers *peers;		/* shared by every loop, or NULL */
	struct log_rate source_rate;
	unsigned request_timeout;
	unsigned idle_timeout;
	size_t max_head;
	size_t max_body;
	unsigned nconns;
	int stopping;
	pthread_t owner;		/* the thread running base, once set */
	int owned;
	struct evconnlistener *lis[HTTP_LISTEN_MAX];
	size_t nlis;
	struct event *backoff;
	struct log_rate accept_rate;
	unsigned accepted;		/* since the listeners last yielded */
	struct event *burst;		/* re-enables them after a yield */
	struct http_date date;
	LIST_HEAD(, conn) conns;
};

/* server.max-connections holds for the process, whatever loop accepted. */
static atomic_uint http_total_conns;

static void conn_run(struct conn *c);

static void
conn_arm(struct conn *c, enum conn_state state, unsigned seconds)
{
	struct timeval tv = { (time_t)seconds, 0 };

	c->state = state;
	evtimer_add(c->timer, &tv);
}

/* Closes the socket now; the memory goes from the timer callback. */
static void
conn_close(struct conn *c)
{
	if (c->state == CONN_DEAD)
		return;
	c->state = CONN_DEAD;
	if (c->req != NULL) {
		c->req->conn = NULL;
		c->req = NULL;
	}
	event_del(c->ev);
	/* A close_notify when it fits; a peer that stopped reading gets none. */
	if (c->handshaken)
		(void)SSL_shutdown(c->ssl);
	close(c->fd);
	c->fd = -1;
	evtimer_del(c->timer);
	event_active(c->timer, EV_TIMEOUT, 1);
}

static void
conn_destroy(struct conn *c)
{
	event_free(c->ev);
	event_free(c->timer);
	SSL_free(c->ssl);
	if (c->in != NULL)
		OPENSSL_clear_free(c->in, c->in_cap);
	if (c->out != NULL)
		OPENSSL_clear_free(c->out, c->out_len);
	if (c->h != NULL) {
		LIST_REMOVE(c, entry);
		c->h->nconns--;
		if (c->counted)
			peers_drop(c->h->peers, &c->source);
	}
	atomic_fetch_sub(&http_total_conns, 1);
	metrics_connections(-1);
	free(c);
}

/*
 * Queues a reply on c and, unless conn_run() is already on the stack and
 * will do it, starts writing it.
 */
static void
conn_respond(struct conn *c, const struct http_reply *rp)
{
	char *buf;
	size_t len;

	if (c->state == CONN_DEAD)
		return;
	if (c->out != NULL || http_reply_build(&c->h->date, rp, &buf, &len) != 0) {
		/* A reply while another leaves, or no memory: end the connection. */
		log_warnx("%s: cannot queue a reply", c->peer);
		conn_close(c);
		return;
	}
	c->out = buf;
	c->out_len = len;
	c->out_off = 0;
	c->interim = 0;
	c->close_after = rp->close;
	c->state = CONN_WRITING;
	if (c->depth == 0)
		conn_run(c);
}

/*
 * A KmsError reply from the HTTP layer itself; the connection closes after
 * it. hd is the head as far as it was parsed: its target and a Host field
 * read whole make the ClientReqUrl.
 */
static void
conn_refuse(struct conn *c, enum errmap_id id, const struct http_head *hd)
{
	const struct errmap_entry *e = errmap_get(id);
	const struct http_field *host = hd != NULL ? http_parse_field(hd, "Host") : NULL;
	char url[REQURL_MAX];
	struct kmsxml_response resp = {
		.kms_uri = c->h->kms_uri,
		.time = (int64_t)time(NULL),
		.client_req_url = url,
	};
	static const char *const retry[] = { "Retry-After", "1", NULL };
	struct http_reply rp = {
		.status = e->status,
		.close = 1,
		.headers = id == ERRMAP_OVERLOADED ? retry : NULL,
	};
	char *doc = NULL;
	size_t len = 0;

	/* A field line that failed half-way has no value. */
	if (host != NULL && host->value == NULL)
		host = NULL;
	requrl_build(url, sizeof(url), host != NULL ? host->value : NULL,
	    host != NULL ? host->value_len : 0, c->h->kms_uri,
	    hd != NULL ? hd->target : NULL, hd != NULL ? hd->target_len : 0);
	metrics_request(METRICS_OTHER, e->status, time_monotonic() - c->started);
	if (kmsxml_error_response(&resp, e->code, e->msg, &doc, &len) == 0) {
		rp.content_type = "application/xml";
		rp.body = doc;
		rp.len = len;
	}
	conn_respond(c, &rp);
	kmsxml_free(doc, len);
}

/*
 * Reads and drops what has arrived unread before a close after a reply:
 * closing a socket with unread input sends a reset, which can destroy the
 * reply still on its way to the client. Bounded: a client that keeps
 * sending gets its reset.
 */
static void
conn_discard(struct conn *c)
{
	char buf[4096];
	int i;

	for (i = 0; i < 16 && recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT) > 0; i++)
		;
}

/*
 * Writes what is left of c->out. Returns 0 once it has all left (the
 * connection may then be closed), 1 while the socket is full.
 */
static int
conn_flush(struct conn *c)
{
	int n, err;

	while (c->out_off < c->out_len) {
		/* A retry after WANT_WRITE passes the same buffer and length. */
		n = SSL_write(c->ssl, c->out + c->out_off, (int)(c->out_len - c->out_off));
		if (n > 0) {
			c->out_off += (size_t)n;
			continue;
		}
		err = SSL_get_error(c->ssl, n);
		if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) {
			/* A client that stops reading gets request-timeout to resume. */
			if (!c->write_armed && !c->interim)
				conn_arm(c, CONN_WRITING, c->h->request_timeout);
			c->write_armed = 1;
			return 1;
		}
		conn_close(c);
		return 0;
	}
	OPENSSL_clear_free(c->out, c->out_len);
	c->out = NULL;
	c->write_armed = 0;
	if (c->close_after || c->h->stopping) {
		conn_discard(c);
		conn_close(c);
		return 0;
	}
	if (c->interim) {
		c->interim = 0;
		c->state = CONN_READING;
		return 0;
	}
	if (c->in_len > 0) {
		/* A pipelined request is already arriving. */
		c->started = time_monotonic();
		conn_arm(c, CONN_READING, c->h->request_timeout);
	} else {
		conn_arm(c, CONN_IDLE, c->h->idle_timeout);
	}
	return 0;
}

/*
 * One SSL_read into c->in, grown as needed up to the limits. Returns 0
 * after reading, 1 when it would block (or the buffer is at its limit),
 * -1 after closing c (end of stream, reset or TLS error).
 */
static int
conn_read(struct conn *c)
{
	size_t limit = c->h->max_head + c->h->max_body + HTTP_CHUNK_SLACK;
	int n, err;

	if (c->in_len == c->in_cap) {
		size_t cap = c->in_cap == 0 ? HTTP_IN_FIRST : 2 * c->in_cap;
		char *in;

		if (c->in_cap >= limit)
			return 1;
		if (cap > limit)
			cap = limit;
		/* Not realloc: the old buffer holds tokens and is cleansed. */
		if ((in = malloc(cap)) == NULL) {
			conn_close(c);
			return -1;
		}
		if (c->in != NULL) {
			memcpy(in, c->in, c->in_len);
			OPENSSL_clear_free(c->in, c->in_cap);
		}
		c->in = in;
		c->in_cap = cap;
	}
	n = SSL_read(c->ssl, c->in + c->in_len, (int)(c->in_cap - c->in_len));
	if (n > 0) {
		if (c->in_len == 0 && c->state == CONN_IDLE) {
			c->started = time_monotonic();
			conn_arm(c, CONN_READING, c->h->request_timeout);
		}
		c->in_len += (size_t)n;
		return 0;
	}
	err = SSL_get_error(c->ssl, n);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
		return 1;
	/* Close, reset or a TLS error: a reply still owed is dropped. */
	conn_close(c);
	return -1;
}

/* More may have arrived: the socket was not read empty, or OpenSSL holds bytes. */
static int
conn_readable(struct conn *c)
{
	return !c->drained || SSL_has_pending(c->ssl);
}

/* A KmsError reply to r from the HTTP layer (404 outside the tree, 503 over the cap). */
static void
http_refuse(struct req *r, enum errmap_id id, const char *const *headers)
{
	const char *host = req_header(r, "Host");
	char url[REQURL_MAX];
	struct kmsxml_response resp = {
		.user_uri = NULL,
		.kms_uri = r->h->kms_uri,
		.time = (int64_t)time(NULL),
		.client_req_url = url,
	};
	const struct errmap_entry *e = errmap_get(id);
	char *doc = NULL;
	size_t len = 0;

	requrl_build(url, sizeof(url), host, host != NULL ? strlen(host) : 0,
	    r->h->kms_uri, r->uri, strlen(r->uri));
	if (kmsxml_error_response(&resp, e->code, e->msg, &doc, &len) != 0) {
		req_reply(r, 500, NULL, NULL, 0, NULL);
		return;
	}
	req_reply(r, e->status, "application/xml", doc, len, headers);
	kmsxml_free(doc, len);
}

/* Hands a whole request to the API (or answers it here). */
static void
conn_dispatch(struct conn *c, struct req *r)
{
	struct http *h = c->h;

	c->req = r;
	c->state = CONN_HANDLING;
	if (c->reject) {
		static const char *const retry[] = { "Retry-After", "1", NULL };

		c->close_after = 1;
		http_refuse(r, ERRMAP_OVERLOADED, retry);
	} else if (h->svc != NULL) {
		if (strncmp(r->path, h->svc->prefix, strlen(h->svc->prefix)) != 0)
			http_refuse(r, ERRMAP_NOT_FOUND, NULL);
		else
			h->svc->handle(h->svc->arg, r);
	} else if (strncmp(r->path, HTTP_KMS_PREFIX, strlen(HTTP_KMS_PREFIX)) != 0) {
		http_refuse(r, ERRMAP_NOT_FOUND, NULL);
	} else if (h->api == NULL) {
		req_reply(r, 503, NULL, NULL, 0, NULL);
	} else {
		api_handle(h->api, r);
	}
}

static enum errmap_id
http_parse_error(int rc)
{
	switch (rc) {
	case HTTP_PARSE_TOO_LARGE: return ERRMAP_BODY_TOO_LARGE;
	case HTTP_PARSE_EXPECT: return ERRMAP_EXPECTATION;
	case HTTP_PARSE_HEAD_LARGE: return ERRMAP_HEADER_TOO_LARGE;
	case HTTP_PARSE_METHOD: return ERRMAP_NOT_IMPLEMENTED;
	case HTTP_PARSE_VERSION: return ERRMAP_HTTP_VERSION;
	default: return ERRMAP_BAD_REQUEST;
	}
}

/* RFC 9110 10.1.1: the client waits for this before sending the body. */
static void
conn_continue(struct conn *c, const struct http_head *hd)
{
	static const char msg[] = "HTTP/1.1 100 Continue\r\n\r\n";

	if (!hd->expect_continue || hd->minor == 0 || c->continued || c->out != NULL)
		return;
	if ((c->out = malloc(sizeof(msg) - 1)) == NULL)
		return;
	memcpy(c->out, msg, sizeof(msg) - 1);
	c->out_len = sizeof(msg) - 1;
	c->out_off = 0;
	c->interim = 1;
	c->continued = 1;
}

/*
 * Takes one request from c->in. Returns 0 when it went to the API or a
 * refusal was queued, 1 when more input is needed.
 */
static int
conn_parse(struct conn *c)
{
	struct http *h = c->h;
	struct http_head hd;
	size_t body_len, used, limit = h->max_head + h->max_body + HTTP_CHUNK_SLACK;
	struct req *r;
	int rc;

	if (c->in_len == 0)
		return 1;
	if ((rc = http_parse_head(c->in, c->in_len, h->max_head, h->max_body, &hd)) == 0)
		return 1;
	if (rc < 0) {
		log_debug("%s: refused request: HTTP %d%s%s", c->peer, -rc,
		    hd.why != NULL ? ": " : "", hd.why != NULL ? hd.why : "");
		conn_refuse(c, http_parse_error(rc), &hd);
		return 0;
	}
	if (hd.chunked) {
		rc = http_parse_chunked(c->in + hd.head_len, c->in_len - hd.head_len,
		    h->max_body, &body_len);
		if (rc == 0 && c->in_len >= limit)
			rc = HTTP_PARSE_TOO_LARGE;
		if (rc < 0) {
			conn_refuse(c, http_parse_error(rc), &hd);
			return 0;
		}
		used = hd.head_len + (size_t)rc;
	} else {
		body_len = (size_t)hd.content_length;
		used = hd.head_len + body_len;
		rc = c->in_len >= used;
	}
	if (rc == 0) {
		conn_continue(c, &hd);
		return 1;
	}
	if ((r = req_new(&hd, c->in + hd.head_len, body_len)) == NULL) {
		log_warnx("%s: cannot take a request: out of memory", c->peer);
		conn_close(c);
		return 0;
	}
	r->h = h;
	r->conn = c;
	r->started = c->started;
	memcpy(r->peer, c->peer, sizeof(r->peer));
	if ((r->cert = tls_peer_cert(c->ssl)) != NULL)
		X509_up_ref(r->cert);
	/* The request is copied: drop it from the input, tokens cleansed. */
	memmove(c->in, c->in + used, c->in_len - used);
	OPENSSL_cleanse(c->in + c->in_len - used, used);
	c->in_len -= used;
	c->continued = 0;
	conn_dispatch(c, r);
	return 0;
}

static int
conn_handshake(struct conn *c)
{
	int n = SSL_do_handshake(c->ssl), err;

	if (n == 1) {
		c->handshaken = 1;
		return 0;
	}
	err = SSL_get_error(c->ssl, n);
	if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE)
		conn_close(c);
	return 1;
}

/*
 * Every step that can make progress, until each one would block: the
 * handshake, the reply leaving, the next request arriving. The socket is
 * read only while it may hold more (conn_readable), so a keep-alive
 * request costs one read() and one write().
 */
static void
conn_run(struct conn *c)
{
	c->depth++;
	while (c->state != CONN_DEAD) {
		if (!c->handshaken && conn_handshake(c) != 0)
			break;
		if (c->out != NULL) {
			if (conn_flush(c) != 0)
				break;
			continue;
		}
		if (c->req != NULL) {
			/* With the API: reading only notices a close or buffers what follows. */
			while (c->state != CONN_DEAD && conn_readable(c) && conn_read(c) == 0)
				;
			break;
		}
		/* A request taken, a refusal or a 100 Continue queued: write first. */
		if (conn_parse(c) == 0 || c->out != NULL)
			continue;
		if (!conn_readable(c) || conn_read(c) != 0)
			break;
	}
	c->depth--;
}

static void
conn_event(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	/* A read edge: something arrived since the socket was read empty. */
	if (what & EV_READ)
		c->drained = 0;
	conn_run(c);
}

/* The deadline of a connection passed, or a closed one is to be freed. */
static void
conn_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	struct req *r = c->req;

	if (c->state == CONN_DEAD) {
		conn_destroy(c);
		return;
	}
	if (c->state == CONN_HANDLING && r != NULL) {
		/* The API still holds r: answer now, its later reply is dropped. */
		struct http_reply rp = { .status = 503, .close = 1 };

		log_warnx("%s: request deadline passed while being handled", r->peer);
		metrics_request(r->ep, 503, time_monotonic() - r->started);
		r->counted = 1;
		r->conn = NULL;
		c->req = NULL;
		conn_respond(c, &rp);
		return;
	}
	if ((c->state == CONN_NEW || c->state == CONN_READING) && c->handshaken &&
	    c->in_len > 0 && c->out == NULL) {
		/*
		 * RFC 9110 15.5.9: part of a request came, the rest did not.
		 * The client is told so, and the head as far as it came names
		 * the URL; the connection closes after the reply.
		 */
		struct http_head hd;

		(void)http_parse_head(c->in, c->in_len, c->h->max_head, c->h->max_body, &hd);
		log_debug("%s: request not received within the deadline", c->peer);
		conn_refuse(c, ERRMAP_REQUEST_TIMEOUT, &hd);
		return;
	}
	conn_close(c);
}

static void
http_peer(const struct sockaddr *sa, char *out, size_t cap)
{
	char a[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(out, cap, "[%s]:%u", a, (unsigned)ntohs(s6->sin6_port));
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(out, cap, "%s:%u", a, (unsigned)ntohs(s4->sin_port));
	} else {
		snprintf(out, cap, "unknown");
	}
}

/* Every listener on or off. */
static void
http_listening(struct http *h, int on)
{
	size_t i;

	for (i = 0; i < h->nlis; i++) {
		if (on)
			evconnlistener_enable(h->lis[i]);
		else
			evconnlistener_disable(h->lis[i]);
	}
}

/*
 * A listener accepts every waiting connection in one callback, and each
 * starts its handshake there: after HTTP_ACCEPT_BURST accepts the
 * listeners yield. They are disabled, which ends the accept loop, and
 * re-enabled by an event made active now, so it runs after the events
 * already due in this loop pass: a burst of new connections cannot hold
 * back the connections being served. Stopping or backing off after
 * EMFILE keeps them disabled.
 */
static void
http_burst_done(evutil_socket_t fd, short what, void *arg)
{
	struct http *h = arg;

	h->accepted = 0;
	if (!h->stopping && !evtimer_pending(h->backoff, NULL))
		http_listening(h, 1);
}

static void
http_burst_count(struct http *h)
{
	if (++h->accepted < HTTP_ACCEPT_BURST)
		return;
	http_listening(h, 0);
	event_active(h->burst, EV_TIMEOUT, 1);
}

/* A connection refused at accept: closed before any handshake. */
static void
http_accept_drop(evutil_socket_t fd)
{
	close(fd);
	atomic_fetch_sub(&http_total_conns, 1);
	metrics_connections(-1);
}

/*
 * Counts a new connection under its source; 0 when it may stay. Over
 * server.max-connections-per-address it is refused, so one source cannot
 * hold the slots of all: counted and logged at a bounded rate, since a
 * client can cause it at will.
 */
static int
http_accept_source(struct http *h, const struct sockaddr *sa, struct peers_key *k)
{
	char peer[REQ_PEER_MAX];
	int rc;

	if (h->peers == NULL || peers_key(sa, k) != 0)
		return 1;
	if ((rc = peers_take(h->peers, k, h->max_per_source)) == SKM_EBUSY) {
		metrics_address_limit();
		if (log_rate_ok(&h->source_rate)) {
			http_peer(sa, peer, sizeof(peer));
			log_warnx("%s: over server.max-connections-per-address (%u), closed",
			    peer, h->max_per_source);
		}
	}
	return rc;
}

/* The connection's one edge-triggered event, at HTTP_PRI_CONN, added. */
static struct event *
http_conn_event(struct http *h, struct conn *c)
{
	struct event *ev;

	if ((ev = event_new(h->base, c->fd, EV_READ | EV_WRITE | EV_PERSIST | EV_ET,
	    conn_event, c)) == NULL)
		return NULL;
	/* Refused only by a base made without the priorities: harmless. */
	(void)event_priority_set(ev, HTTP_PRI_CONN);
	if (event_add(ev, NULL) != 0) {
		event_free(ev);
		return NULL;
	}
	return ev;
}

/*
 * A new connection. Up to an eighth over server.max-connections it is
 * served a clear 503; beyond that, or over its source's limit, it is
 * closed at once, without a handshake, so a flood cannot make the server
 * spend one per socket.
 */
static void
http_accept(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct http *h = arg;
	struct conn *c;
	struct peers_key source;
	unsigned total = atomic_fetch_add(&http_total_conns, 1) + 1;
	BIO *bio = NULL;
	int one = 1, counted;

	metrics_connections(1);
	http_burst_count(h);
	if (h->stopping || total > h->max_conns + h->max_conns / 8 + 1) {
		http_accept_drop(fd);
		return;
	}
	/* 1: not counted (no table, or a family without a source). */
	if ((counted = http_accept_source(h, sa, &source)) < 0) {
		http_accept_drop(fd);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		if (counted == 0)
			peers_drop(h->peers, &source);
		http_accept_drop(fd);
		return;
	}
	c->source = source;
	c->counted = counted == 0;
	c->h = h;
	c->fd = fd;
	c->reject = total > h->max_conns;
	LIST_INSERT_HEAD(&h->conns, c, entry);
	h->nconns++;
	http_peer(sa, c->peer, sizeof(c->peer));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if ((c->ssl = tls_ssl_new(h->tls)) != NULL &&
	    (bio = http_bio_new(fd, &c->drained)) != NULL)
		SSL_set_bio(c->ssl, bio, bio);
	if (bio == NULL || (c->timer = evtimer_new(h->base, conn_timeout, c)) == NULL ||
	    (c->ev = http_conn_event(h, c)) == NULL) {
		log_warnx("cannot set up a TLS connection: out of memory");
		close(fd);
		if (c->ev != NULL)
			event_free(c->ev);
		if (c->timer != NULL)
			event_free(c->timer);
		SSL_free(c->ssl);
		LIST_REMOVE(c, entry);
		h->nconns--;
		if (c->counted)
			peers_drop(h->peers, &c->source);
		free(c);
		atomic_fetch_sub(&http_total_conns, 1);
		metrics_connections(-1);
		return;
	}
	SSL_set_accept_state(c->ssl);
	c->started = time_monotonic();
	conn_arm(c, CONN_NEW, h->request_timeout);
	/*
	 * The ClientHello has usually arrived by the time the connection is
	 * accepted: answer it now rather than one loop round later, which
	 * under load may be milliseconds. When it has not, the read finds
	 * the socket empty and the read edge brings it.
	 */
	conn_run(c);
}

/* --- struct req: what needs the transport (req.h; the rest in req.c) --- */

/*
 * A request refused as malformed, unauthenticated or forbidden ends its
 * connection: a client that holds one open after its refusal would
 * otherwise keep a slot under server.max-connections for idle-timeout,
 * and a thousand of them would keep everyone else out.
 */
static int
http_status_closes(int status)
{
	return status == 400 || status == 401 || status == 403;
}

struct event_base *
req_base(const struct req *r)
{
	return r->h->base;
}

int
req_gone(const struct req *r)
{
	return r->conn == NULL;
}

void
req_hold(struct req *r, unsigned seconds)
{
	struct conn *c = r->conn;

	/* The request deadline now bounds the hold, and then the reply. */
	if (c != NULL && c->req == r && c->state == CONN_HANDLING)
		conn_arm(c, CONN_HANDLING, seconds + c->h->request_timeout);
}

void
req_reply(struct req *r, int status, const char *content_type, const char *body,
    size_t len, const char *const *headers)
{
	struct conn *c = r->conn;
	struct http_reply rp = {
		.status = status,
		.content_type = content_type,
		.body = body,
		.len = len,
		.headers = headers,
		.head_only = r->method == REQ_HEAD,
	};

	/* Another loop's objects are its own: the reply is sent from there. */
	if (r->h->owned && !pthread_equal(pthread_self(), r->h->owner)) {
		if (http_defer_reply(r->h->base, r, status, content_type, body, len,
		    headers) == 0)
			return;
		/* Dropped: touching that loop from here could corrupt it. */
		log_warnx("%s: cannot hand the reply to its loop: out of memory",
		    r->peer);
		return;
	}
	if (!r->counted)
		metrics_request(r->ep, status, time_monotonic() - r->started);
	log_debug("%s: %s %d", r->peer, r->path, status);
	if (c != NULL && c->req == r) {
		c->req = NULL;
		rp.close = !r->keep_alive || c->close_after || r->h->stopping ||
		    http_status_closes(status);
		rp.keep_alive = r->keep_alive && r->minor == 0 && !rp.close;
		conn_respond(c, &rp);
	}
	req_free(r);
}

/* --- listeners --- */

static void
http_backoff_done(evutil_socket_t fd, short what, void *arg)
{
	struct http *h = arg;

	if (!h->stopping)
		http_listening(h, 1);
}

/*
 * accept() failed for a reason other than a retriable one. The start-up
 * descriptor budget (nofile.h) leaves room for every connection the cap
 * admits, but descriptors can still run out (the limit lowered while
 * running, /metrics clients, the system's table full). The socket then
 * stays readable: pause every listener briefly rather than spin, and log
 * at a bounded rate.
 */
static void
http_listener_error(struct evconnlistener *lev, void *arg)
{
	struct timeval tv = { 0, HTTP_BACKOFF_MS * 1000 };
	int err = EVUTIL_SOCKET_ERROR();
	struct http *h = arg;

	if (log_rate_ok(&h->accept_rate)) {
		errno = err;
		log_warn("accept failed, pausing the listeners for %d ms", HTTP_BACKOFF_MS);
	}
	http_listening(h, 0);
	evtimer_add(h->backoff, &tv);
}

int
http_new(struct event_base *base, const struct conf *cf, const char *kms_uri,
    struct tls *tls, struct http **out)
{
	struct http *h;

	*out = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return SKM_ENOMEM;
	LIST_INIT(&h->conns);
	h->base = base;
	h->accept_rate.interval = 10;
	h->accept_rate.burst = 5;
	h->source_rate.interval = 10;
	h->source_rate.burst = 5;
	if ((h->kms_uri = strdup(kms_uri)) == NULL ||
	    (h->backoff = evtimer_new(base, http_backoff_done, h)) == NULL ||
	    (h->burst = event_new(base, -1, 0, http_burst_done, h)) == NULL) {
		http_free(h);
		return SKM_ENOMEM;
	}
	http_reload(h, cf, tls);
	*out = h;
	return 0;
}

int
http_listen(struct http *h, evutil_socket_t fd)
{
	struct evconnlistener *lev;

	if (h->nlis >= HTTP_LISTEN_MAX)
		return SKM_ERANGE;
	/* Backlog 0: fd already listens with its own; -1 would cut it to 128. */
	lev = evconnlistener_new(h->base, http_accept, h,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	if (lev == NULL)
		return SKM_ENOMEM;
	evconnlistener_set_error_cb(lev, http_listener_error);
	h->lis[h->nlis++] = lev;
	return 0;
}

void
http_own(struct http *h)
{
	h->owner = pthread_self();
	h->owned = 1;
}

void
http_set_peers(struct http *h, struct peers *peers)
{
	h->peers = peers;
}

void
http_set_api(struct http *h, struct api *api)
{
	h->api = api;
}

void
http_set_service(struct http *h, const struct http_service *svc)
{
	h->svc = svc;
}

void
http_reload(struct http *h, const struct conf *cf, struct tls *tls)
{
	h->tls = tls;
	h->max_conns = cf->server.max_connections;
	h->max_per_source = cf->server.max_connections_per_address;
	h->request_timeout = cf->server.request_timeout;
	h->idle_timeout = cf->server.idle_timeout;
	h->max_head = cf->server.max_header_size;
	h->max_body = cf->server.max_body_size;
}

void
http_stop(struct http *h)
{
	struct conn *c, *next;

	h->stopping = 1;
	http_listening(h, 0);
	for (c = LIST_FIRST(&h->conns); c != NULL; c = next) {
		next = LIST_NEXT(c, entry);
		if (c->req == NULL && c->out == NULL)
			conn_close(c);
		else
			c->close_after = 1;
	}
}

unsigned
http_connections(const struct http *h)
{
	return h->nconns;
}

void
http_free(struct http *h)
{
	struct conn *c;
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->nlis; i++)
		evconnlistener_free(h->lis[i]);
	/* A request still held (the API should have answered) is dropped, not sent. */
	while ((c = LIST_FIRST(&h->conns)) != NULL) {
		conn_close(c);
		conn_destroy(c);
	}
	if (h->backoff != NULL)
		event_free(h->backoff);
	if (h->burst != NULL)
		event_free(h->burst);
	free(h->kms_uri);
	free(h);
}
