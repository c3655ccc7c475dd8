/* SPDX-License-Identifier: ISC */
/*
 * External KMS certificates served through CertCache (TS 33.180 D.3.4):
 * the KmsCertificate XML text under its CertUri, and CacheNum, which every
 * add, replace or removal increments in the same transaction so clients
 * can tell that their cache is stale. The text is stored as given.
 */
#ifndef SKM_STORE_CERT_H
#define SKM_STORE_CERT_H

#include <stddef.h>
#include <stdint.h>

struct store_txn;

#define STORE_CERT_MAX	(64 * 1024)

struct cert_rec {
	const uint8_t *uri;	/* CertUri octets */
	size_t uri_len;
	const char *xml;	/* KmsCertificate text, not NUL-terminated */
	size_t xml_len;
};

/* Adds or replaces the certificate under r->uri and increments CacheNum. */
int store_cert_put(struct store_txn *t, const struct cert_rec *r);

/* Removes the certificate uri (SKM_ENOTFOUND if none) and increments CacheNum. */
int store_cert_del(struct store_txn *t, const uint8_t *uri, size_t len);

/* Reads the certificate uri into *r (pointers into the store). */
int store_cert_get(struct store_txn *t, const uint8_t *uri, size_t len,
    struct cert_rec *r);

/* Calls fn for each certificate in CertUri order (see store_txn_scan). */
typedef int store_cert_fn(const struct cert_rec *r, void *arg);
int store_cert_list(struct store_txn *t, store_cert_fn *fn, void *arg);

/* The current CacheNum: 0 before the first change. */
int store_cert_cachenum(struct store_txn *t, uint64_t *num);

#endif
