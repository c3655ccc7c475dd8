/* SPDX-License-Identifier: ISC */
/*
 * A VAL client's HTTPS requests to a GMS service (skgmsd(8)'s protocol):
 * the long-poll notification channel, the answer to one delivery, and the
 * explicit affiliation (subscription PUT / DELETE). libcurl with TLS
 * verification always on and a Bearer token read once from a secret file;
 * one connection is kept and reused. It neither parses notifications
 * (gmsnote) nor checks GMKs (accept), and never logs the token.
 */
#ifndef SKM_CLIENT_GMSCHAN_H
#define SKM_CLIENT_GMSCHAN_H

#include <signal.h>
#include <stddef.h>

/* Where and as whom. Strings are borrowed for gmschan_new only. */
struct gmschan_target {
	const char *url;		/* the service's base URL, https://host:port */
	const char *user;		/* the member's VAL user ID */
	const char *token_file;		/* Bearer token (a secret file, 0600) */
	const char *cacert;		/* CA bundle; NULL: the system's */
	const char *client_cert;	/* TLS client certificate (PEM); may be NULL */
	const char *client_key;		/* its private key (PEM) */
	long timeout;			/* requests other than the poll, seconds; 0: 60 */
};

struct gmschan;

/* Room for a reason text. */
#define GMSCHAN_WHY_MAX	512

/*
 * Reads the token and prepares the channel. SKM_EINVAL (not an https URL,
 * bad token file) with the reason in why.
 */
int gmschan_new(struct gmschan **ch, const struct gmschan_target *t, char *why,
    size_t whylen);

/*
 * Reads the token file again (an access token expires; whoever renews it
 * rewrites the file). The old token stays in use when this fails.
 */
int gmschan_token(struct gmschan *ch, char *why, size_t whylen);

/* Cleanses the token and closes the connection; NULL is a no-op. */
void gmschan_free(struct gmschan *ch);

/* A request in progress is abandoned (SKM_EBUSY) once *stop is non-zero. */
void gmschan_set_stop(struct gmschan *ch, volatile sig_atomic_t *stop);

/*
 * GET .../notifications?wait=WAIT: *body (NUL-terminated, malloc) on 200.
 * Errors, each with a one-line reason carrying the service's Reason when
 * it sent one: SKM_EUNREACH (nobody answered, connection lost, time-out),
 * SKM_EAUTH (401), SKM_EPERM (403), SKM_ENOTFOUND (404), SKM_EBUSY (503 or
 * stopped), SKM_EINVAL (400), SKM_EIO (anything else).
 */
int gmschan_poll(struct gmschan *ch, unsigned wait, char **body, size_t *len, char *why,
    size_t whylen);

/* POST the response document for delivery id; 204 is success. */
int gmschan_respond(struct gmschan *ch, const char *id, const char *doc, size_t len,
    char *why, size_t whylen);

/* PUT (subscribe != 0) or DELETE the subscription to group; 204 is success. */
int gmschan_subscription(struct gmschan *ch, const char *group, int subscribe, char *why,
    size_t whylen);

/*
 * Percent-encodes s as one path segment (RFC 3986: unreserved characters,
 * sub-delims, ':' and '@' stay). SKM_ELEN when out is too small.
 */
int gmschan_segment(const char *s, char *out, size_t outlen);

#endif
