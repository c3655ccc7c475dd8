/* SPDX-License-Identifier: ISC */
/*
 * The HTTPS transport (see http.h) and struct req (req.h). Each TLS
 * connection has a struct conn hung on its SSL as ex_data, so it is freed
 * exactly when libevent frees the connection, whatever the path. A
 * struct req copies what the API reads (path, headers, body, peer), so
 * it stays valid when the connection goes away under it; only the reply
 * needs the evhttp request, and that is dropped safely once gone.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "common/err.h"
#include "conf/conf.h"
#include "lib/kmsxml.h"
#include "server/api.h"
#include "server/errmap.h"
#include "server/http.h"
#include "server/http_defer.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/req.h"
#include "server/tls.h"

#define HTTP_LISTEN_MAX		16
#define HTTP_BACKOFF_MS		250	/* listener pause after EMFILE/ENFILE */
#define HTTP_PEER_MAX		64

enum conn_state {
	CONN_NEW,		/* handshake and first request: request deadline */
	CONN_READING,		/* a request is arriving: request deadline */
	CONN_HANDLING,		/* with the API: request deadline */
	CONN_IDLE,		/* keep-alive between requests: idle timeout */
	CONN_KILL,		/* to be closed */
};

struct conn {
	struct http *h;
	struct bufferevent *bev;
	struct event *timer;
	enum conn_state state;
	struct req *req;		/* in flight, or NULL */
	double started;			/* first octet of the current request */
	int nodelay;
	char peer[HTTP_PEER_MAX];	/* "" until the first request */
	LIST_ENTRY(conn) entry;
};

struct req_hdr {
	char *name;
	char *value;
};

struct req {
	struct http *h;
	struct conn *conn;		/* NULL once the client is gone */
	struct evhttp_request *ev;	/* NULL once answered or dropped */
	enum req_method method;
	enum metrics_endpoint ep;
	char *uri;
	char *path;
	struct req_hdr *hdrs;
	size_t nhdrs;
	uint8_t *body;
	size_t body_len;
	char peer[HTTP_PEER_MAX];
	X509 *cert;
	double started;
	int counted;			/* metrics_request() done */
};

struct http {
	struct event_base *base;
	struct evhttp *evh;
	struct tls *tls;
	struct api *api;
	char *kms_uri;
	unsigned max_conns;
	unsigned request_timeout;
	unsigned idle_timeout;
	unsigned nconns;
	int stopping;
	pthread_t owner;		/* the thread running base, once set */
	int owned;
	struct evconnlistener *lis[HTTP_LISTEN_MAX];
	size_t nlis;
	struct event *backoff;
	struct log_rate accept_rate;
	LIST_HEAD(, conn) conns;
};

static int http_conn_index = -1;

static struct conn *conn_of(struct evhttp_request *ev);

/*
 * Transports by listener, for the accept error callback: written before
 * the loops start and after they stop, only read while they run.
 */
#define HTTP_INSTANCES	72
static struct http *http_instances[HTTP_INSTANCES];

/* server.max-connections holds for the process, whatever loop accepted. */
static atomic_uint http_total_conns;

static double
http_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
conn_arm(struct conn *c, enum conn_state state, unsigned seconds)
{
	struct timeval tv = { (time_t)seconds, 0 };

	c->state = state;
	evtimer_add(c->timer, &tv);
}

/*
 * Closing under evhttp: shut the socket down so its next read sees EOF
 * and evhttp frees the connection through its own error path.
 */
static void
conn_kill(struct conn *c)
{
	evutil_socket_t fd = bufferevent_getfd(c->bev);

	c->state = CONN_KILL;
	if (fd >= 0)
		shutdown(fd, SHUT_RDWR);
	bufferevent_enable(c->bev, EV_READ);
}

static const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Payload Too Large";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return status < 400 ? "OK" : "Error";
	}
}

static void
http_body_cleanup(const void *data, size_t len, void *arg)
{
	/* Bodies may hold key sets: cleanse once libevent has written them. */
	OPENSSL_cleanse(arg, len);
	free(arg);
}

/* RFC 7230 3.3: no body after HEAD, 1xx, 204 or 304. */
static int
http_has_body(struct evhttp_request *ev, int status)
{
	return evhttp_request_get_command(ev) != EVHTTP_REQ_HEAD && status >= 200 &&
	    status != 204 && status != 304;
}

/*
 * Appends the body to the head evhttp has just queued, as one buffer:
 * the TLS layer writes each buffer segment as a record of its own, so
 * head and body would otherwise cost two records and two writes. The
 * copy is cleansed once written, as it may carry a key set.
 */
static int
http_send_body(struct bufferevent *bev, const char *body, size_t len)
{
	struct evbuffer *out = bufferevent_get_output(bev);
	char *all;
	size_t head;

	head = evbuffer_get_length(out);
	if ((all = malloc(head + len)) == NULL)
		return SKM_ENOMEM;
	if (evbuffer_copyout(out, all, head) != (ev_ssize_t)head) {
		free(all);
		return SKM_ESTATE;
	}
	memcpy(all + head, body, len);
	if (evbuffer_add_reference(out, all, head + len, http_body_cleanup, all) != 0) {
		OPENSSL_cleanse(all, head + len);
		free(all);
		return SKM_ENOMEM;
	}
	/* The queued head is now also at the start of all: drop the original. */
	return evbuffer_drain(out, head) == 0 ? 0 : SKM_EIO;
}

/*
 * Sends a reply on ev. Content-Length is set here, from len, because the
 * body joins the head only after evhttp has queued it.
 */
static void
http_send(struct evhttp_request *ev, int status, const char *ctype, const char *body,
    size_t len, const char *const *headers, int close)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(ev);
	struct evhttp_connection *evcon = evhttp_request_get_connection(ev);
	struct bufferevent *bev = NULL;
	struct conn *c = NULL;
	char clen[24];
	size_t i;

	if (ctype != NULL)
		evhttp_add_header(out, "Content-Type", ctype);
	/* Responses carry key material or per-caller errors: never cache them. */
	evhttp_add_header(out, "Cache-Control", "no-store");
	for (i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL; i += 2)
		evhttp_add_header(out, headers[i], headers[i + 1]);
	if (close)
		evhttp_add_header(out, "Connection", "close");
	snprintf(clen, sizeof(clen), "%zu", len);
	evhttp_add_header(out, "Content-Length", clen);
	/* Taken first: without a connection evhttp frees ev in the send. */
	if (evcon != NULL && len > 0 && http_has_body(ev, status)) {
		bev = evhttp_connection_get_bufferevent(evcon);
		c = conn_of(ev);
	}
	evhttp_send_reply(ev, status, http_reason(status), NULL);
	if (bev != NULL && http_send_body(bev, body, len) != 0) {
		/* The head promised a body that cannot follow: end the connection. */
		log_warnx("cannot queue a reply body: out of memory");
		if (c != NULL)
			conn_kill(c);
	}
}

static void
req_free(struct req *r)
{
	size_t i;

	for (i = 0; i < r->nhdrs; i++) {
		free(r->hdrs[i].name);
		free(r->hdrs[i].value);
	}
	free(r->hdrs);
	if (r->body != NULL) {
		OPENSSL_cleanse(r->body, r->body_len);
		free(r->body);
	}
	X509_free(r->cert);
	free(r->uri);
	free(r->path);
	free(r);
}

/* The deadline of a connection passed. */
static void
conn_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	struct req *r = c->req;

	if (c->state == CONN_HANDLING && r != NULL) {
		/* The API still holds r: answer now, its later reply is dropped. */
		log_warnx("%s: request deadline passed while being handled", r->peer);
		metrics_request(r->ep, 503, http_now() - r->started);
		r->counted = 1;
		if (r->ev != NULL)
			http_send(r->ev, 503, NULL, NULL, 0, NULL, 1);
		r->ev = NULL;
		r->conn = NULL;
		c->req = NULL;
		c->state = CONN_KILL;
		return;
	}
	conn_kill(c);
}

/* The first octet of a request after an idle keep-alive period starts its deadline. */
static void
conn_input(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	struct conn *c = arg;

	if (info->n_added > 0 && c->state == CONN_IDLE) {
		c->started = http_now();
		conn_arm(c, CONN_READING, c->h->request_timeout);
	}
}

/* SSL ex_data free: the connection is gone, whichever path freed it. */
static void
conn_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	struct conn *c = ptr;

	if (c == NULL)
		return;
	if (c->req != NULL)
		c->req->conn = NULL;
	if (c->timer != NULL)
		event_free(c->timer);
	if (c->h != NULL) {
		LIST_REMOVE(c, entry);
		c->h->nconns--;
	}
	atomic_fetch_sub(&http_total_conns, 1);
	metrics_connections(-1);
	free(c);
}

static struct conn *
conn_of(struct evhttp_request *ev)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(ev);
	struct bufferevent *bev;
	SSL *ssl;

	if (evcon == NULL || (bev = evhttp_connection_get_bufferevent(evcon)) == NULL ||
	    (ssl = bufferevent_openssl_get_ssl(bev)) == NULL)
		return NULL;
	return SSL_get_ex_data(ssl, http_conn_index);
}

static enum bufferevent_filter_result
reject_filter(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t lim,
    enum bufferevent_flush_mode mode, void *arg)
{
	return BEV_ERROR;
}

/*
 * evhttp falls back to a plain-HTTP bufferevent when this returns NULL,
 * so it never does: when no TLS bufferevent can be made, the connection
 * gets one whose filters refuse every octet in either direction.
 */
static struct bufferevent *
http_bevcb(struct event_base *base, void *arg)
{
	struct http *h = arg;
	struct bufferevent *bev = NULL, *under;
	struct conn *c = NULL;
	SSL *ssl = NULL;
	unsigned total;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->timer = evtimer_new(base, conn_timeout, c)) == NULL ||
	    (ssl = tls_ssl_new(h->tls)) == NULL)
		goto fail;
	c->h = h;
	if (SSL_set_ex_data(ssl, http_conn_index, c) != 1)
		goto fail;
	LIST_INSERT_HEAD(&h->conns, c, entry);
	h->nconns++;
	total = atomic_fetch_add(&http_total_conns, 1) + 1;
	metrics_connections(1);
	/* From here on the SSL owns c: SSL_free() runs conn_free(). */
	bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
	    BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		SSL_free(ssl);
		c = NULL;
		ssl = NULL;
		goto fail;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	c->bev = bev;
	c->started = http_now();
	evbuffer_add_cb(bufferevent_get_input(bev), conn_input, c);
	if (total > h->max_conns || h->stopping) {
		/* Over the cap: close at once, without a handshake. */
		struct timeval zero = { 0, 0 };

		c->state = CONN_KILL;
		evtimer_add(c->timer, &zero);
	} else {
		conn_arm(c, CONN_NEW, h->request_timeout);
	}
	return bev;
fail:
	if (c != NULL && c->timer != NULL)
		event_free(c->timer);
	free(c);
	SSL_free(ssl);
	log_warnx("cannot set up a TLS connection: out of memory");
	under = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (under != NULL)
		bev = bufferevent_filter_new(under, reject_filter, reject_filter,
		    BEV_OPT_CLOSE_ON_FREE, NULL, NULL);
	if (bev == NULL) {
		/* Nothing left that could refuse plain HTTP: do not serve it. */
		log_warnx("out of memory in the TLS accept path");
		abort();
	}
	return bev;
}

static enum req_method
http_method(enum evhttp_cmd_type t)
{
	switch (t) {
	case EVHTTP_REQ_GET: return REQ_GET;
	case EVHTTP_REQ_POST: return REQ_POST;
	case EVHTTP_REQ_HEAD: return REQ_HEAD;
	case EVHTTP_REQ_PUT: return REQ_PUT;
	case EVHTTP_REQ_DELETE: return REQ_DELETE;
	default: return REQ_OTHER;
	}
}

static enum metrics_endpoint
http_endpoint(const char *path)
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

/* The raw path of the request target: origin form up to '?', or the path of an absolute URI. */
static char *
http_raw_path(const char *uri)
{
	const char *p = uri, *end;

	if (uri[0] != '/') {
		if ((p = strstr(uri, "://")) == NULL)
			return strdup("");
		if ((p = strchr(p + 3, '/')) == NULL)
			return strdup("/");
	}
	end = p + strcspn(p, "?#");
	return strndup(p, (size_t)(end - p));
}

static int
req_copy(struct req *r, struct evhttp_request *ev)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(ev);
	struct evbuffer *body = evhttp_request_get_input_buffer(ev);
	struct evkeyval *kv;
	size_t n = 0;

	if ((r->uri = strdup(evhttp_request_get_uri(ev))) == NULL ||
	    (r->path = http_raw_path(r->uri)) == NULL)
		return SKM_ENOMEM;
	TAILQ_FOREACH(kv, in, next)
		n++;
	if (n > 0 && (r->hdrs = calloc(n, sizeof(*r->hdrs))) == NULL)
		return SKM_ENOMEM;
	TAILQ_FOREACH(kv, in, next) {
		struct req_hdr *hd = &r->hdrs[r->nhdrs];

		hd->name = strdup(kv->key);
		hd->value = strdup(kv->value);
		r->nhdrs++;
		if (hd->name == NULL || hd->value == NULL)
			return SKM_ENOMEM;
	}
	if ((r->body_len = evbuffer_get_length(body)) > 0) {
		if ((r->body = malloc(r->body_len)) == NULL)
			return SKM_ENOMEM;
		evbuffer_copyout(body, r->body, r->body_len);
	}
	return 0;
}

static void
http_peer(struct evhttp_request *ev, char *out, size_t cap)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(ev);
	const char *addr = NULL;
	ev_uint16_t port = 0;
	char *a = NULL;

	if (evcon != NULL) {
		evhttp_connection_get_peer(evcon, &a, &port);
		addr = a;
	}
	if (addr == NULL)
		addr = "unknown";
	snprintf(out, cap, strchr(addr, ':') != NULL ? "[%s]:%u" : "%s:%u", addr,
	    (unsigned)port);
}

static void
http_not_found(struct req *r)
{
	struct kmsxml_response resp = {
		.user_uri = NULL,
		.kms_uri = r->h->kms_uri,
		.time = (int64_t)time(NULL),
		.client_req_url = r->uri,
	};
	const struct errmap_entry *e = errmap_get(ERRMAP_NOT_FOUND);
	char *doc = NULL;
	size_t len = 0;

	if (kmsxml_error_response(&resp, e->code, e->msg, &doc, &len) != 0) {
		req_reply(r, 500, NULL, NULL, 0, NULL);
		return;
	}
	req_reply(r, e->status, "application/xml", doc, len, NULL);
	kmsxml_free(doc, len);
}

static void
http_request(struct evhttp_request *ev, void *arg)
{
	struct http *h = arg;
	struct conn *c = conn_of(ev);
	struct req *r;
	SSL *ssl;
	int one = 1;

	if (c == NULL || (r = calloc(1, sizeof(*r))) == NULL) {
		http_send(ev, 500, NULL, NULL, 0, NULL, 1);
		return;
	}
	if (!c->nodelay) {
		evutil_socket_t fd = bufferevent_getfd(c->bev);

		if (fd >= 0)
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->nodelay = 1;
	}
	r->h = h;
	r->conn = c;
	r->ev = ev;
	r->started = c->started;
	r->method = http_method(evhttp_request_get_command(ev));
	/* The peer of a connection does not change: formatted once. */
	if (c->peer[0] == '\0')
		http_peer(ev, c->peer, sizeof(c->peer));
	memcpy(r->peer, c->peer, sizeof(r->peer));
	c->req = r;
	c->state = CONN_HANDLING;
	if (req_copy(r, ev) != 0) {
		req_reply(r, 500, NULL, NULL, 0, NULL);
		return;
	}
	r->ep = http_endpoint(r->path);
	if ((ssl = bufferevent_openssl_get_ssl(c->bev)) != NULL &&
	    (r->cert = tls_peer_cert(ssl)) != NULL)
		X509_up_ref(r->cert);
	if (strncmp(r->path, HTTP_KMS_PREFIX, strlen(HTTP_KMS_PREFIX)) != 0)
		http_not_found(r);
	else if (h->api == NULL)
		req_reply(r, 503, NULL, NULL, 0, NULL);
	else
		api_handle(h->api, r);
}

/* After a reply: wait for the next request for at most idle-timeout. */
static void
http_request_done(struct evhttp_request *ev, void *arg)
{
	struct conn *c = arg;

	if (c->state == CONN_KILL)
		return;
	if (c->h->stopping) {
		conn_kill(c);
		return;
	}
	if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0) {
		/* A pipelined request is already arriving. */
		c->started = http_now();
		conn_arm(c, CONN_READING, c->h->request_timeout);
		return;
	}
	conn_arm(c, CONN_IDLE, c->h->idle_timeout);
}

/* --- struct req, for the API (req.h) --- */

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
req_reply(struct req *r, int status, const char *content_type, const char *body,
    size_t len, const char *const *headers)
{
	struct conn *c = r->conn;

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
		metrics_request(r->ep, status, http_now() - r->started);
	log_debug("%s: %s %d", r->peer, r->path != NULL ? r->path : "-", status);
	if (r->ev != NULL && c != NULL) {
		evhttp_request_set_on_complete_cb(r->ev, http_request_done, c);
		http_send(r->ev, status, content_type, body, len, headers, r->h->stopping);
	} else if (r->ev != NULL) {
		/*
		 * The client left while the API held the request: evhttp
		 * detached it from the connection and frees it on send.
		 */
		evhttp_send_reply(r->ev, status, http_reason(status), NULL);
	}
	if (c != NULL && c->req == r)
		c->req = NULL;
	req_free(r);
}

/* --- listeners --- */

static void
http_backoff_done(evutil_socket_t fd, short what, void *arg)
{
	struct http *h = arg;
	size_t i;

	if (h->stopping)
		return;
	for (i = 0; i < h->nlis; i++)
		evconnlistener_enable(h->lis[i]);
}

/*
 * accept() failed for a reason other than a retriable one. Out of
 * descriptors the socket stays readable: pause every listener briefly
 * rather than spin, and log at a bounded rate. evhttp owns the listener's
 * callback argument, so the transport is found through the registry.
 */
static void
http_listener_error(struct evconnlistener *lev, void *arg)
{
	struct timeval tv = { 0, HTTP_BACKOFF_MS * 1000 };
	int err = EVUTIL_SOCKET_ERROR();
	struct http *h = NULL;
	size_t i, k;

	for (k = 0; k < HTTP_INSTANCES && h == NULL; k++)
		for (i = 0; http_instances[k] != NULL && i < http_instances[k]->nlis; i++)
			if (http_instances[k]->lis[i] == lev)
				h = http_instances[k];
	if (h == NULL)
		return;
	if (log_rate_ok(&h->accept_rate)) {
		errno = err;
		log_warn("accept failed, pausing the listeners for %d ms", HTTP_BACKOFF_MS);
	}
	for (i = 0; i < h->nlis; i++)
		evconnlistener_disable(h->lis[i]);
	evtimer_add(h->backoff, &tv);
}

int
http_new(struct event_base *base, const struct conf *cf, const char *kms_uri,
    struct tls *tls, struct http **out)
{
	struct http *h;
	size_t i;

	*out = NULL;
	if (http_conn_index < 0 &&
	    (http_conn_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, conn_free)) < 0)
		return SKM_ECRYPTO;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return SKM_ENOMEM;
	LIST_INIT(&h->conns);
	h->base = base;
	h->accept_rate.interval = 10;
	h->accept_rate.burst = 5;
	if ((h->kms_uri = strdup(kms_uri)) == NULL || (h->evh = evhttp_new(base)) == NULL ||
	    (h->backoff = evtimer_new(base, http_backoff_done, h)) == NULL) {
		http_free(h);
		return SKM_ENOMEM;
	}
	for (i = 0; i < HTTP_INSTANCES && http_instances[i] != NULL; i++)
		;
	if (i < HTTP_INSTANCES)
		http_instances[i] = h;
	evhttp_set_bevcb(h->evh, http_bevcb, h);
	evhttp_set_gencb(h->evh, http_request, h);
	evhttp_set_allowed_methods(h->evh, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE);
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
	lev = evconnlistener_new(h->base, NULL, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	if (lev == NULL)
		return SKM_ENOMEM;
	if (evhttp_bind_listener(h->evh, lev) == NULL) {
		evconnlistener_free(lev);
		return SKM_ENOMEM;
	}
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
http_set_api(struct http *h, struct api *api)
{
	h->api = api;
}

void
http_reload(struct http *h, const struct conf *cf, struct tls *tls)
{
	h->tls = tls;
	h->max_conns = cf->server.max_connections;
	h->request_timeout = cf->server.request_timeout;
	h->idle_timeout = cf->server.idle_timeout;
	evhttp_set_max_headers_size(h->evh, (ev_ssize_t)cf->server.max_header_size);
	evhttp_set_max_body_size(h->evh, (ev_ssize_t)cf->server.max_body_size);
}

void
http_stop(struct http *h)
{
	struct conn *c, *next;
	size_t i;

	h->stopping = 1;
	for (i = 0; i < h->nlis; i++)
		evconnlistener_disable(h->lis[i]);
	for (c = LIST_FIRST(&h->conns); c != NULL; c = next) {
		next = LIST_NEXT(c, entry);
		if (c->state != CONN_HANDLING)
			conn_kill(c);
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
	for (i = 0; i < HTTP_INSTANCES; i++)
		if (http_instances[i] == h)
			http_instances[i] = NULL;
	/* A request still held (the API should have answered) is dropped, not sent. */
	LIST_FOREACH(c, &h->conns, entry) {
		if (c->req != NULL) {
			c->req->ev = NULL;
			c->req->conn = NULL;
			c->req = NULL;
		}
	}
	/* evhttp_free() frees the listeners bound to it and every connection. */
	if (h->evh != NULL)
		evhttp_free(h->evh);
	/* A connection whose free libevent deferred must not touch h later. */
	while ((c = LIST_FIRST(&h->conns)) != NULL) {
		LIST_REMOVE(c, entry);
		c->h = NULL;
	}
	if (h->backoff != NULL)
		event_free(h->backoff);
	free(h->kms_uri);
	free(h);
}
