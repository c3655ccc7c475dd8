/* SPDX-License-Identifier: ISC */
/*
 * skmsd's process around the transport: the event loop, the listeners
 * (bound before privileges are dropped), the /metrics listener, signals
 * (SIGHUP reload, SIGTERM/SIGINT drain), session-ticket key rotation.
 * It holds the configuration generations; it never derives keys and
 * never reads a request itself.
 */
#ifndef SKM_SERVER_SERVER_H
#define SKM_SERVER_SERVER_H

#include <stddef.h>

struct api;
struct auth;
struct conf;
struct event_base;
struct kms;
struct server;
struct store;
struct tls;
struct tls_tickets;

/* What main() has opened, in start-up order; the server takes ownership of cf, auth, tk and tls. */
struct server_params {
	const char *conf_path;		/* re-read on SIGHUP; NULL: defaults */
	const char *store_path;		/* --store, or NULL */
	struct conf *cf;
	const struct kms *kms;		/* outlives the server; NULL for another service */
	const char *service_uri;	/* that service's URI in error bodies (kms NULL) */
	unsigned loops;			/* event loops; 0: server.threads decides */
	struct store *store;		/* the opened store, outlives the server; may be NULL */
	struct auth *auth;
	struct tls_tickets *tickets;
	struct tls *tls;
};

/*
 * Creates the loop and binds every listener of p->cf (server.listen and
 * server.metrics-listen). On failure why says which address and why;
 * nothing taken over from p is freed then (the caller still owns it).
 */
int server_new(const struct server_params *p, struct server **out, char *why,
    size_t whylen);

/* The event loop, for api_new(). */
/*
 * Raises the soft RLIMIT_NOFILE to the hard one and checks that
 * server.max-connections fits under it beside the descriptors open now
 * (nofile.h); SKM_ERANGE with the numbers and the remedy in why. Call
 * once, after server_new(), before serving; reloads check again.
 */
int server_fit_nofile(struct server *s, char *why, size_t whylen);

struct event_base *server_base(const struct server *s);

/* The configuration and verifier in effect, for api_new(). */
const struct conf *server_conf(const struct server *s);
const struct auth *server_auth(const struct server *s);

/*
 * Switches to user (name) if not empty: supplementary groups, group,
 * user, each checked, and a check that root cannot be regained.
 */
int server_drop_privileges(const char *user, char *why, size_t whylen);

/* Hands requests to api from now on. */
void server_set_api(struct server *s, struct api *api);

/*
 * Hands requests to another service instead (skgmsd; kms NULL): its
 * http part on every loop, and reload(arg, cf, auth) after each SIGHUP
 * that took (may be NULL). svc outlives the server's loop.
 */
#include "server/http.h"
struct server_service {
	struct http_service http;
	void (*reload)(void *arg, const struct conf *cf, const struct auth *auth);
};
void server_set_service(struct server *s, const struct server_service *svc);

/*
 * Runs until SIGTERM or SIGINT, then stops accepting and waits up to a
 * bound for the API's pending requests. Returns 0, or 1 when the loop
 * failed.
 */
int server_run(struct server *s);

/* Closes the listeners and connections and frees what the server owns. Call after api_free(). */
void server_free(struct server *s);

#endif
