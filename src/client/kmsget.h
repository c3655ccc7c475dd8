/* SPDX-License-Identifier: ISC */
/*
 * The client's KMS requests, TS 33.180 Annex D.2 over HTTPS with libcurl:
 * KMS Initialize, KeyProvision and CertCache, each an empty POST with a
 * Bearer token (the deployed-client form of NOTES 2.13). TLS verification
 * is always on; only HTTP 200 is success. It fetches bytes: it neither
 * parses nor checks the documents (kmsdoc, kmscheck) and never logs the
 * token or a response body.
 */
#ifndef SKM_CLIENT_KMSGET_H
#define SKM_CLIENT_KMSGET_H

#include <stddef.h>
#include <stdint.h>

/* Where and how to ask. Strings are borrowed; NULL when unset. */
struct kmsget_target {
	const char *server;		/* base URL; "/keymanagement/identity/v1" is appended */
	const char *token_file;		/* Bearer token (a secret file, 0600) */
	const char *cacert;		/* CA bundle; NULL: the system's */
	const char *client_cert;	/* TLS client certificate (PEM) */
	const char *client_key;		/* its private key (PEM) */
	long timeout;			/* whole request, seconds; 0: 60 */
	/*
	 * TS 33.180 D.1: with keys, the request is a SignedKmsRequest
	 * for user_uri naming them and the response must be a
	 * SignedKmsResponse; the body handed back is its KmsResponse with
	 * the keys unwrapped (kmstk.h), and a delivered new key is taken
	 * over in tk. NULL: plain.
	 */
	struct kmstk *tk;
	const char *user_uri;
};

/*
 * Each returns 0 with *body (NUL-terminated, secure heap, free with
 * kmsget_free) and *len, or: SKM_EUNREACH when the server cannot be
 * reached (name, connection, time-out), SKM_EAUTH for HTTP 401, SKM_EREVOKED
 * or SKM_EPERM for HTTP 403, SKM_ENOTFOUND for 404, SKM_EBUSY for 503,
 * SKM_EIO for other failures, always with a one-line reason in why that
 * carries the KmsError message when the server sent one.
 */
int kmsget_init(const struct kmsget_target *t, char **body, size_t *len, char *why,
    size_t whylen);

/* KeyProvision for uri; ntp_seconds != 0 asks for the period holding that time. */
int kmsget_keyprov(const struct kmsget_target *t, const char *uri, uint64_t ntp_seconds,
    char **body, size_t *len, char *why, size_t whylen);

/* CertCache; with has_num the client's CacheNum goes in the path (D.2). */
int kmsget_certcache(const struct kmsget_target *t, int has_num, uint64_t cache_num,
    char **body, size_t *len, char *why, size_t whylen);

/* Cleanses and frees a body; NULL is a no-op. */
void kmsget_free(char *body, size_t len);

#endif
