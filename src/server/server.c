/* SPDX-License-Identifier: ISC */
/*
 * skmsd's loops, listeners, signals and reload (see server.h). A reload
 * builds the whole new set (config, verifier, TLS context) before
 * touching the running one, so a bad file leaves the server as it was.
 * The previous generation stays allocated until the next reload, so
 * anything the API still reads from it stays valid meanwhile.
 *
 * With server.threads above 1 the process runs that many event loops:
 * loop 0 on the main thread also owns the signals, timers and /metrics;
 * every loop serves TLS and HTTP on a listening socket of its own for
 * each address (SO_REUSEPORT: the kernel spreads new connections evenly
 * over the loops instead of the first one awake taking them). A loop's
 * libevent objects are touched only from its own thread: reload and
 * drain reach the other loops as events queued on their bases, and a
 * reload waits until every loop has taken the new generation, so the
 * one it frees next time is no longer in use anywhere.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/thread.h>

#include "common/err.h"
#include "common/time.h"
#include "conf/conf.h"
#include "kms/kms.h"
#include "store/kek.h"
#include "server/api.h"
#include "server/auth.h"
#include "server/expiry.h"
#include "server/gen.h"
#include "server/http.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/nofile.h"
#include "server/peers.h"
#include "server/sdnotify.h"
#include "server/server.h"
#include "server/tls.h"

#define SERVER_BACKLOG		511
#define SERVER_DRAIN_MAX	10	/* seconds SIGTERM waits for pending requests */
#define SERVER_DRAIN_POLL_MS	50
#define SERVER_PERIOD_TICK	30	/* seconds between period and expiry checks */
#define SERVER_LOOPS_MAX	64	/* server.threads' upper bound */
#define SERVER_ACK_WAIT		5	/* seconds a reload waits for every loop */

/* One event loop: loops[0] runs on the main thread with s->base. */
struct server_loop {
	struct server *s;
	struct event_base *base;
	struct http *http;
	pthread_t thread;
	int running;			/* thread started, not yet joined */
};

struct server {
	struct event_base *base;
	struct server_loop loops[SERVER_LOOPS_MAX];
	unsigned nloops;
	pthread_mutex_t mu;		/* acks of the loops for a reload */
	pthread_cond_t cv;
	unsigned acks;
	char *conf_path;
	char *store_path;
	const struct kms *kms;
	struct store *store;		/* for the key-encryption key check of a reload */
	uid_t start_uid;		/* the effective user at start, before server.user */
	struct tls_tickets *tickets;
	struct gen cur;			/* replaced as a whole on SIGHUP */
	struct gen prev;
	struct evhttp *metrics;
	struct peers *peers;		/* connections by source, every loop's */
	struct api *api;
	const struct server_service *svc;	/* instead of the API, or NULL */
	struct event *sig_hup, *sig_term, *sig_int;
	struct event *rotate, *drain, *period;
	int64_t expiry_warned;		/* last certificate expiry warning */
	double drain_deadline;
	int draining;
	unsigned nofile_base;		/* descriptors open before any client */
	unsigned long nofile_limit;	/* soft limit, 0 until server_fit_nofile() */
};

/*
 * A bound, listening, non-blocking socket for a; SKM_EIO with the reason
 * in why. reuseport: one of several sockets of the loops on a.
 */
static int
server_bind(const struct conf_addr *a, int reuseport, int *out, char *why,
    size_t whylen)
{
	struct addrinfo hints, *res = NULL, *ai;
	char port[8];
	int fd = -1, one = 1, gai, err = 0;

	*out = -1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	hints.ai_family = a->family == CONF_ADDR_IPV4 ? AF_INET :
	    a->family == CONF_ADDR_IPV6 ? AF_INET6 : AF_UNSPEC;
	if (a->family != CONF_ADDR_NAME)
		hints.ai_flags |= AI_NUMERICHOST;
	snprintf(port, sizeof(port), "%u", a->port);
	if ((gai = getaddrinfo(a->host, port, &hints, &res)) != 0) {
		snprintf(why, whylen, "%s:%s: %s", a->host, port, gai_strerror(gai));
		return SKM_EINVAL;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one,
		    sizeof(one)) != 0) {
			err = errno;
			close(fd);
			fd = -1;
			continue;
		}
		/* Accepted sockets inherit it on Linux; the transport sets it again. */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (ai->ai_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, SERVER_BACKLOG) == 0)
			break;
		err = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(why, whylen, "%s%s%s:%s: %s", a->family == CONF_ADDR_IPV6 ? "[" : "",
		    a->host, a->family == CONF_ADDR_IPV6 ? "]" : "", port, strerror(err));
		return SKM_EIO;
	}
	*out = fd;
	return 0;
}

static void
server_metrics_request(struct evhttp_request *ev, void *arg)
{
	struct evbuffer *buf = evbuffer_new();
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(ev));
	char *text = NULL;
	size_t len = 0;

	if (buf == NULL) {
		evhttp_send_error(ev, 500, NULL);
		return;
	}
	if (path == NULL || strcmp(path, "/metrics") != 0) {
		evbuffer_add_printf(buf, "not found\n");
		evhttp_add_header(evhttp_request_get_output_headers(ev), "Content-Type",
		    "text/plain; charset=utf-8");
		evhttp_send_reply(ev, 404, "Not Found", buf);
	} else if (metrics_render(&text, &len) != 0) {
		evhttp_send_error(ev, 500, NULL);
	} else {
		evbuffer_add(buf, text, len);
		evhttp_add_header(evhttp_request_get_output_headers(ev), "Content-Type",
		    "text/plain; version=0.0.4; charset=utf-8");
		evhttp_send_reply(ev, 200, "OK", buf);
	}
	free(text);
	evbuffer_free(buf);
}

static int
server_metrics_listen(struct server *s, char *why, size_t whylen)
{
	const struct conf_addr *a = &s->cur.cf->server.metrics_listen;
	int fd, rc;

	if (a->family == CONF_ADDR_NONE)
		return 0;
	if ((rc = server_bind(a, 0, &fd, why, whylen)) != 0)
		return rc;
	if ((s->metrics = evhttp_new(s->base)) == NULL ||
	    evhttp_accept_socket(s->metrics, fd) != 0) {
		close(fd);
		snprintf(why, whylen, "metrics listener: out of memory");
		return SKM_ENOMEM;
	}
	evhttp_set_gencb(s->metrics, server_metrics_request, s);
	evhttp_set_allowed_methods(s->metrics, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_max_headers_size(s->metrics, 8192);
	evhttp_set_max_body_size(s->metrics, 0);
	evhttp_set_timeout(s->metrics, 10);
	return 0;
}

static void
server_rotate_arm(struct server *s)
{
	struct timeval tv = { (time_t)s->cur.cf->server.tls_ticket_rotation, 0 };

	if (tv.tv_sec <= 0)
		tv.tv_sec = 3600;
	evtimer_add(s->rotate, &tv);
}

static void
server_rotate(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;

	if (tls_tickets_rotate(s->tickets) != 0)
		log_crypto("session ticket key rotation failed, keeping the current key");
	else
		log_debug("session ticket key rotated");
	server_rotate_arm(s);
}

static void
server_period(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;
	struct timeval tv = { SERVER_PERIOD_TICK, 0 };
	uint64_t no;
	int64_t start, end, now = (int64_t)time(NULL);

	/* Another service (skgmsd) has no domain of its own. */
	if (s->kms == NULL)
		return;
	if (kms_period_at(s->kms, now, &no, &start, &end) == 0)
		metrics_current_period(no);
	expiry_tick(s->kms, now, &s->expiry_warned);
	evtimer_add(s->period, &tv);
}

static int
server_addr_eq(const struct conf_addr *a, const struct conf_addr *b)
{
	return a->family == b->family && a->port == b->port && strcmp(a->host, b->host) == 0;
}

/* The first setting that only takes effect on restart and differs, or NULL. */
static const char *
server_restart_only(const struct conf *a, const struct conf *b)
{
	size_t i;

	if (a->server.listen_count != b->server.listen_count)
		return "server.listen";
	for (i = 0; i < a->server.listen_count; i++)
		if (!server_addr_eq(&a->server.listen[i], &b->server.listen[i]))
			return "server.listen";
	if (!server_addr_eq(&a->server.metrics_listen, &b->server.metrics_listen))
		return "server.metrics-listen";
	if (strcmp(a->store.path, b->store.path) != 0 || a->store.map_size != b->store.map_size)
		return "store";
	if (strcmp(a->server.user, b->server.user) != 0)
		return "server.user";
	if (a->server.workers != b->server.workers)
		return "server.workers";
	if (a->server.threads != b->server.threads)
		return "server.threads";
	if (a->log.target != b->log.target || a->log.facility != b->log.facility)
		return "log.target";
	if (a->ratelimit.max_identities != b->ratelimit.max_identities)
		return "ratelimit.max-identities";
	/* The journal file is opened for one mode. */
	if (a->audit.durability != b->audit.durability)
		return "audit.durability";
	return NULL;
}

/* On loop l's own thread: the generation in effect now. */
static void
server_loop_reload(evutil_socket_t fd, short what, void *arg)
{
	struct server_loop *l = arg;
	struct server *s = l->s;

	pthread_mutex_lock(&s->mu);
	http_reload(l->http, s->cur.cf, s->cur.tls);
	s->acks++;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/*
 * Every other loop takes the new generation before this returns, so the
 * previous one is unused once the next reload frees it. Bounded: a loop
 * that does not answer is reported, not waited for forever.
 */
static void
server_loops_reload(struct server *s)
{
	static const struct timeval now = { 0, 0 };
	struct timespec until;
	unsigned i, want = 0;

	pthread_mutex_lock(&s->mu);
	s->acks = 0;
	pthread_mutex_unlock(&s->mu);
	for (i = 1; i < s->nloops; i++) {
		if (event_base_once(s->loops[i].base, -1, EV_TIMEOUT, server_loop_reload,
		    &s->loops[i], &now) != 0) {
			log_warnx("loop %u: cannot queue the reload", i);
			continue;
		}
		want++;
	}
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += SERVER_ACK_WAIT;
	pthread_mutex_lock(&s->mu);
	while (s->acks < want)
		if (pthread_cond_timedwait(&s->cv, &s->mu, &until) != 0)
			break;
	if (s->acks < want)
		log_warnx("%u of %u loops did not take the new configuration",
		    want - s->acks, want);
	pthread_mutex_unlock(&s->mu);
}

/* On loop l's own thread: no new connections, idle ones closed. */
static void
server_loop_stop(evutil_socket_t fd, short what, void *arg)
{
	struct server_loop *l = arg;

	http_stop(l->http);
}

/*
 * The key-encryption key the new configuration names must open the store,
 * as it must at the next start: after 'skmsctl kek rotate' a reload is
 * where the new source is taken up, and a configuration still naming the
 * old key is refused now rather than at the next start. The running
 * secrets were unsealed at start and stay; the key is kept (*keep) for the
 * secrets of a later rollover. After the switch to
 * server.user the key, which belongs to root, cannot be read: not checked.
 */
static int
server_kek_check(struct server *s, const struct conf *cf, struct kek **keep, char *why,
    size_t whylen)
{
	char sub[512];
	int rc;

	*keep = NULL;
	if (s->store == NULL)
		return 0;
	if (geteuid() != s->start_uid) {
		log_info("kek: not checked at a reload after the switch to server.user "
		    "(skmsd -n checks it)");
		return 0;
	}
	sub[0] = '\0';
	kek_pkcs11_set(cf->kek.pkcs11_module, cf->kek.pin_file,
	    KEK_PKCS11_ALLOW_EXTRACTABLE);
	kek_pkcs11_set_uri(cf->kek.pkcs11_uri);
	kek_pkcs11_set_mechanism((enum kek_pkcs11_mech)cf->kek.pkcs11_mechanism);
	if ((rc = kms_kek_check(s->store, cf->kek.file, cf->kek.passphrase_file, keep, sub,
	    sizeof(sub))) != 0)
		snprintf(why, whylen, "kek: %s", sub[0] != '\0' ? sub : skm_strerror(rc));
	return rc;
}

/*
 * The key a reload checked becomes the domain's, for the secrets of a
 * later rollover. A token's key is not kept: a session held open for the
 * life of the process would outlast the token (a token removed and put
 * back is seen only by a new session), so the domain unseals whatever
 * rollover is waiting now, and the identities' Transport and Integrity
 * Keys as they are now, and sets the key aside until the next reload.
 */
static void
server_tk_hold(struct server *s)
{
	size_t n = 0;
	int rc;

	if ((rc = kms_tk_hold(s->kms, s->store, &n)) != 0)
		log_warnx("transport keys: not unsealed, keeping those held: %s",
		    skm_strerror(rc));
	else
		log_info("transport keys of %zu identit%s or device%s unsealed with the "
		    "token's key", n, n == 1 ? "y" : "ies", n == 1 ? "" : "s");
}

static void
server_kek_take(struct server *s, struct kek *kek)
{
	char why[256];
	size_t added = 0;

	kms_kek_adopt(s->kms, kek);
	/* Keys kept unsealed under the previous key go; the next requests reopen them. */
	if (s->kms->domain.kek.kind != KEK_PKCS11) {
		kms_tk_forget(s->kms);
		return;
	}
	if (kms_refresh(s->kms, s->store, &added, why, sizeof(why)) != 0)
		log_warnx("rollover: %s", why);
	else if (added > 0)
		log_info("rollover: %zu new generation%s of master secrets loaded", added,
		    added == 1 ? "" : "s");
	server_tk_hold(s);
	kms_kek_adopt(s->kms, NULL);
}

static void
server_reload(struct server *s)
{
	struct gen next;
	struct kek *kek;
	char why[600];
	const char *fixed;

	log_info("reloading %s", s->conf_path != NULL ? s->conf_path : "the defaults");
	if (gen_build(s->conf_path, s->tickets, &next, why, sizeof(why)) != 0) {
		log_warnx("reload failed, keeping the running configuration: %s", why);
		return;
	}
	/* The limit may have been raised since (prlimit): read it again. */
	if (s->nofile_limit != 0 && nofile_raise(&s->nofile_limit) == 0 &&
	    nofile_check(next.cf->server.max_connections, s->nofile_base, s->nofile_limit,
	    why, sizeof(why)) != 0) {
		log_warnx("reload failed, keeping the running configuration: %s", why);
		gen_free(&next);
		return;
	}
	if (server_kek_check(s, next.cf, &kek, why, sizeof(why)) != 0) {
		log_warnx("reload failed, keeping the running configuration: %s", why);
		gen_free(&next);
		return;
	}
	gen_install(&s->cur, &s->prev, &next, &s->mu);
	if (kek != NULL && s->kms != NULL)
		server_kek_take(s, kek);
	else
		kek_free(kek);
	if ((fixed = server_restart_only(s->prev.cf, s->cur.cf)) != NULL)
		log_warnx("%s changed: kept as started until a restart", fixed);
	log_set_level(s->cur.cf->log.level);
	log_set_format(s->cur.cf->log.format);
	http_reload(s->loops[0].http, s->cur.cf, s->cur.tls);
	server_loops_reload(s);
	if (s->api != NULL)
		api_reload(s->api, s->cur.cf, s->cur.auth);
	if (s->svc != NULL && s->svc->reload != NULL)
		s->svc->reload(s->svc->http.arg, s->cur.cf, s->cur.auth);
	evtimer_del(s->rotate);
	server_rotate_arm(s);
	log_info("configuration reloaded");
}

static void
server_drain_check(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;
	struct timeval tv = { 0, SERVER_DRAIN_POLL_MS * 1000 };
	unsigned pending = s->api != NULL ? api_pending(s->api) : 0;

	if (pending == 0) {
		log_info("drained, exiting");
		event_base_loopbreak(s->base);
		return;
	}
	if (time_monotonic() >= s->drain_deadline) {
		log_warnx("%u requests still pending after %d s, exiting", pending,
		    SERVER_DRAIN_MAX);
		event_base_loopbreak(s->base);
		return;
	}
	evtimer_add(s->drain, &tv);
}

static void
server_signal(evutil_socket_t sig, short what, void *arg)
{
	struct server *s = arg;
	unsigned i;

	if (sig == SIGHUP) {
		if (!s->draining) {
			/* systemd holds further reloads until READY, failed or not. */
			sdnotify_reloading();
			server_reload(s);
			sdnotify_ready("serving");
		}
		return;
	}
	if (s->draining) {
		log_warnx("second signal %d, exiting now", (int)sig);
		event_base_loopbreak(s->base);
		return;
	}
	log_info("signal %d: no new connections, draining for at most %d s", (int)sig,
	    SERVER_DRAIN_MAX);
	s->draining = 1;
	sdnotify_stopping();
	s->drain_deadline = time_monotonic() + SERVER_DRAIN_MAX;
	http_stop(s->loops[0].http);
	for (i = 1; i < s->nloops; i++) {
		static const struct timeval now = { 0, 0 };

		if (event_base_once(s->loops[i].base, -1, EV_TIMEOUT, server_loop_stop,
		    &s->loops[i], &now) != 0)
			log_warnx("loop %u: cannot queue the stop", i);
	}
	evtimer_del(s->rotate);
	evtimer_del(s->period);
	server_drain_check(-1, 0, s);
}

/*
 * server.threads; 0: one loop per two online CPUs, or per CPU with
 * audit.durability write.
 */
static unsigned
server_nloops(const struct conf *cf)
{
	long n = cf->server.threads;

	/*
	 * Measured with contrib/bench-server on two cores against nginx,
	 * with new TLS connections from a client on the same cores. When a
	 * reply waits for a disk flush (flush), one loop serves more than
	 * two (0.88x to 0.92x nginx against 0.78x to 0.80x), and the audit
	 * writer, the derivation workers and the kernel's disk work take the
	 * other core. When it leaves once its record is written (write), the
	 * one loop is the only thread with work, and beside a busy client it
	 * gets a third of two cores: a second loop serves 20 % more (0.84x to
	 * 0.85x against 0.68x to 0.72x). Keep-alive serving is as fast either
	 * way. The choice holds for a client sharing the cores thread by
	 * thread: with the client in a scheduling group of its own
	 * (bench-server's BENCH_WRK_SESSION=1), one loop serves more in write
	 * mode too (0.92x to 0.97x against 0.80x to 0.84x), since two loops
	 * then share one core's worth of time.
	 */
	if (n == 0)
		n = sysconf(_SC_NPROCESSORS_ONLN) /
		    (cf->audit.durability == CONF_AUDIT_WRITE ? 1 : 2);
	if (n < 1)
		n = 1;
	return n > SERVER_LOOPS_MAX ? SERVER_LOOPS_MAX : (unsigned)n;
}

/*
 * A listening socket per loop on a. SO_REUSEPORT would also let another
 * process of the same user join the group unnoticed: a plain bind first
 * proves that the address is free.
 */
static int
server_listen_all(struct server *s, const struct conf_addr *a, char *why, size_t whylen)
{
	unsigned i;
	int fd, rc, reuse = s->nloops > 1;

	if (reuse) {
		if ((rc = server_bind(a, 0, &fd, why, whylen)) != 0)
			return rc;
		close(fd);
	}
	for (i = 0; i < s->nloops; i++) {
		if ((rc = server_bind(a, reuse, &fd, why, whylen)) != 0)
			return rc;
		if ((rc = http_listen(s->loops[i].http, fd)) != 0) {
			close(fd);
			snprintf(why, whylen, "listener: %s", skm_strerror(rc));
			return rc;
		}
	}
	return 0;
}

/*
 * The epoll change list folds the add and delete of one loop pass into
 * at most one epoll_ctl per descriptor. It is unsafe only with dup()ed
 * descriptors, and the loops share none.
 */
static struct event_base *
server_base_new(void)
{
	struct event_config *cfg = event_config_new();
	struct event_base *base = NULL;

	if (cfg != NULL &&
	    event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST) == 0 &&
	    event_config_set_max_dispatch_interval(cfg, NULL, HTTP_CONN_BURST,
	    HTTP_PRI_CONN) == 0)
		base = event_base_new_with_config(cfg);
	if (cfg != NULL)
		event_config_free(cfg);
	if (base == NULL)
		base = event_base_new();
	if (base != NULL && event_base_priority_init(base, HTTP_PRIORITIES) != 0) {
		event_base_free(base);
		base = NULL;
	}
	return base;
}

int
server_new(const struct server_params *p, struct server **out, char *why, size_t whylen)
{
	static int threads_on;
	struct server *s;
	size_t i;
	int rc = SKM_ENOMEM;

	*out = NULL;
	why[0] = '\0';
	/* Before any base exists: bases made later get locks and cross-thread wake-ups. */
	if (!threads_on) {
		if (evthread_use_pthreads() != 0) {
			snprintf(why, whylen, "libevent: no thread support");
			return SKM_ENOMEM;
		}
		threads_on = 1;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return SKM_ENOMEM;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->kms = p->kms;
	s->store = p->store;
	/* A token's key is set aside once the domain is open (server_kek_take). */
	if (s->kms != NULL && s->kms->domain.kek.kind == KEK_PKCS11) {
		server_tk_hold(s);
		kms_kek_adopt(s->kms, NULL);
	}
	s->start_uid = geteuid();
	if ((p->conf_path != NULL && (s->conf_path = strdup(p->conf_path)) == NULL) ||
	    (p->store_path != NULL && (s->store_path = strdup(p->store_path)) == NULL))
		goto fail;
	if ((s->base = server_base_new()) == NULL)
		goto fail;
	s->cur.cf = p->cf;
	s->nloops = p->loops != 0 ? p->loops : server_nloops(p->cf);
	/* As many sources as connections the cap lets in, at most. */
	if (peers_new(p->cf->server.max_connections + p->cf->server.max_connections / 8 + 1,
	    &s->peers) != 0)
		goto fail;
	for (i = 0; i < s->nloops; i++) {
		s->loops[i].s = s;
		s->loops[i].base = i == 0 ? s->base : server_base_new();
		if (s->loops[i].base == NULL ||
		    http_new(s->loops[i].base, p->cf, p->kms != NULL ? p->kms->domain.kms_uri :
		    p->service_uri, p->tls,
		    &s->loops[i].http) != 0)
			goto fail;
		http_set_peers(s->loops[i].http, s->peers);
	}
	for (i = 0; i < p->cf->server.listen_count; i++)
		if ((rc = server_listen_all(s, &p->cf->server.listen[i], why, whylen)) != 0)
			goto fail;
	if ((rc = server_metrics_listen(s, why, whylen)) != 0)
		goto fail;
	rc = SKM_ENOMEM;
	if ((s->sig_hup = evsignal_new(s->base, SIGHUP, server_signal, s)) == NULL ||
	    (s->sig_term = evsignal_new(s->base, SIGTERM, server_signal, s)) == NULL ||
	    (s->sig_int = evsignal_new(s->base, SIGINT, server_signal, s)) == NULL ||
	    (s->rotate = evtimer_new(s->base, server_rotate, s)) == NULL ||
	    (s->period = evtimer_new(s->base, server_period, s)) == NULL ||
	    (s->drain = evtimer_new(s->base, server_drain_check, s)) == NULL ||
	    evsignal_add(s->sig_hup, NULL) != 0 || evsignal_add(s->sig_term, NULL) != 0 ||
	    evsignal_add(s->sig_int, NULL) != 0)
		goto fail;
	/* A client closing mid-write must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);
	s->cur.auth = p->auth;
	s->cur.tls = p->tls;
	s->tickets = p->tickets;
	*out = s;
	return 0;
fail:
	if (why[0] == '\0')
		snprintf(why, whylen, "%s", skm_strerror(rc));
	s->cur.cf = NULL;
	server_free(s);
	return rc;
}

int
server_fit_nofile(struct server *s, char *why, size_t whylen)
{
	unsigned max = s->cur.cf->server.max_connections;
	int rc;

	if ((rc = nofile_raise(&s->nofile_limit)) != 0) {
		snprintf(why, whylen, "getrlimit: %s", strerror(errno));
		return rc;
	}
	/* Listeners, loops and the store are open by now; no client is. */
	s->nofile_base = nofile_open();
	if ((rc = nofile_check(max, s->nofile_base, s->nofile_limit, why, whylen)) != 0)
		return rc;
	log_info("file descriptors: limit %lu, %u open at start, %lu needed for "
	    "server.max-connections %u", s->nofile_limit, s->nofile_base,
	    nofile_need(max, s->nofile_base), max);
	return 0;
}

struct event_base *
server_base(const struct server *s)
{
	return s->base;
}

const struct conf *
server_conf(const struct server *s)
{
	return s->cur.cf;
}

const struct auth *
server_auth(const struct server *s)
{
	return s->cur.auth;
}

void
server_set_api(struct server *s, struct api *api)
{
	unsigned i;

	s->api = api;
	for (i = 0; i < s->nloops; i++)
		http_set_api(s->loops[i].http, api);
}

void
server_set_service(struct server *s, const struct server_service *svc)
{
	unsigned i;

	s->svc = svc;
	for (i = 0; i < s->nloops; i++)
		http_set_service(s->loops[i].http, &svc->http);
}

int
server_drop_privileges(const char *user, char *why, size_t whylen)
{
	struct passwd *pw;

	if (user == NULL || user[0] == '\0')
		return 0;
	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		snprintf(why, whylen, "server.user %s: %s", user,
		    errno != 0 ? strerror(errno) : "no such user");
		return SKM_ENOTFOUND;
	}
	if (getuid() == pw->pw_uid && geteuid() == pw->pw_uid)
		return 0;
	if (setgroups(1, &pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
	    setuid(pw->pw_uid) != 0) {
		snprintf(why, whylen, "switching to %s: %s", user, strerror(errno));
		return SKM_EPERM;
	}
	if (getgid() != pw->pw_gid || getegid() != pw->pw_gid ||
	    getuid() != pw->pw_uid || geteuid() != pw->pw_uid ||
	    (pw->pw_uid != 0 && setuid(0) == 0)) {
		snprintf(why, whylen, "switching to %s: privileges not dropped", user);
		return SKM_EPERM;
	}
	return 0;
}

static void *
server_loop_main(void *arg)
{
	struct server_loop *l = arg;

	http_own(l->http);
	/* Idle (no listener, no connection) during a drain is not the end. */
	if (event_base_loop(l->base, EVLOOP_NO_EXIT_ON_EMPTY) < 0)
		log_warnx("event loop failed");
	return NULL;
}

/*
 * After loop 0 ended: the others stop, and their threads are joined.
 * From then on the main thread owns every loop, so replies still to come
 * (API completions drained at shutdown) go out inline, and the replies
 * already queued on a loop run once here instead of being lost.
 */
static void
server_loops_join(struct server *s)
{
	unsigned i;

	for (i = 1; i < s->nloops; i++)
		if (s->loops[i].running)
			event_base_loopbreak(s->loops[i].base);
	for (i = 1; i < s->nloops; i++) {
		if (s->loops[i].running)
			pthread_join(s->loops[i].thread, NULL);
		s->loops[i].running = 0;
		http_own(s->loops[i].http);
		event_base_loop(s->loops[i].base, EVLOOP_NONBLOCK);
	}
}

int
server_run(struct server *s)
{
	unsigned i;
	int rc = 0;

	server_rotate_arm(s);
	server_period(-1, 0, s);
	http_own(s->loops[0].http);
	for (i = 1; i < s->nloops; i++) {
		if (pthread_create(&s->loops[i].thread, NULL, server_loop_main,
		    &s->loops[i]) != 0) {
			log_warnx("cannot start event loop %u", i);
			server_loops_join(s);
			return 1;
		}
		s->loops[i].running = 1;
	}
	log_info("serving %zu listener%s on %u event loop%s",
	    s->cur.cf->server.listen_count, s->cur.cf->server.listen_count == 1 ? "" : "s",
	    s->nloops, s->nloops == 1 ? "" : "s");
	/* The master secrets were unsealed before the listeners were bound. */
	sdnotify_ready("serving");
	if (event_base_dispatch(s->base) < 0) {
		log_warnx("event loop failed");
		rc = 1;
	}
	server_loops_join(s);
	return rc;
}

void
server_free(struct server *s)
{
	unsigned i;

	if (s == NULL)
		return;
	for (i = 0; i < SERVER_LOOPS_MAX; i++)
		http_free(s->loops[i].http);
	/* After the transports: closing their connections drops their counts. */
	peers_free(s->peers);
	if (s->metrics != NULL)
		evhttp_free(s->metrics);
	if (s->sig_hup != NULL)
		event_free(s->sig_hup);
	if (s->sig_term != NULL)
		event_free(s->sig_term);
	if (s->sig_int != NULL)
		event_free(s->sig_int);
	if (s->rotate != NULL)
		event_free(s->rotate);
	if (s->period != NULL)
		event_free(s->period);
	if (s->drain != NULL)
		event_free(s->drain);
	gen_free(&s->prev);
	gen_free(&s->cur);
	/* Every context and connection using the ticket keys is gone by now. */
	tls_tickets_free(s->tickets);
	for (i = 1; i < SERVER_LOOPS_MAX; i++)
		if (s->loops[i].base != NULL)
			event_base_free(s->loops[i].base);
	if (s->base != NULL)
		event_base_free(s->base);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s->conf_path);
	free(s->store_path);
	free(s);
}
