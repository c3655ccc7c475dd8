/* SPDX-License-Identifier: ISC */
/*
 * skmsd's TLS server context: TLS 1.2 and 1.3 only, ECDHE with AEAD
 * ciphers only, server preference, the certificate and key of the
 * configuration, an optional client CA (client certificates requested,
 * not required), a session cache and session tickets whose keys rotate.
 * A context is immutable once built; SIGHUP builds a new one. This module
 * never logs key material and never decides what a client certificate
 * authorises.
 */
#ifndef SKM_SERVER_TLS_H
#define SKM_SERVER_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

struct conf;
struct tls;
struct tls_tickets;

/*
 * The session-ticket keys: a current key that encrypts new tickets and
 * the previous one, still accepted (the ticket is then renewed). They
 * must outlive every context built over them and every connection of
 * those contexts. Free with tls_tickets_free().
 */
int tls_tickets_new(struct tls_tickets **out);
void tls_tickets_free(struct tls_tickets *tk);

/* Replaces the current key by a fresh one; the current becomes the previous. */
int tls_tickets_rotate(struct tls_tickets *tk);

/*
 * Builds a context from server.tls-certificate, server.tls-key (read as a
 * secret file: owner and mode are checked) and server.tls-client-ca, with
 * tickets from tk. SKM_EINVAL, SKM_EPERM or SKM_EIO with a reason in why.
 * Free with tls_free(); connections keep their own reference to the
 * underlying SSL_CTX, so freeing while they run is safe.
 */
int tls_new(const struct conf *cf, struct tls_tickets *tk, struct tls **out,
    char *why, size_t whylen);
void tls_free(struct tls *t);

/* A new server-side SSL on t, or NULL. */
SSL *tls_ssl_new(const struct tls *t);

/* The client certificate of ssl if one was presented and verified, else NULL (not up-ref'd). */
X509 *tls_peer_cert(const SSL *ssl);

#endif
