/* SPDX-License-Identifier: ISC */
/*
 * The client keystore: one directory per identity under the keystore
 * directory, holding that identity's settings, its Root KMS certificate,
 * the External certificates with their CacheNum, and one key-set document
 * per key period. Everything written here was validated first (kmscheck)
 * and is written all or nothing per command: each file atomically (temp
 * file, fsync, rename, fsync of the directory), directories 0700, files
 * 0600. This module never logs key bytes and never stores an unchecked
 * document.
 */
#ifndef SKM_CLIENT_KS_H
#define SKM_CLIENT_KS_H

#include <stddef.h>
#include <stdint.h>

struct kmsdoc_cert;
struct kmsdoc_keyset;

struct ks;				/* one identity's part of the keystore */

/* Room for a reason text. */
#define KS_WHY_MAX	256

/* How to reach this identity's KMS (all strings owned by ks; NULL when unset). */
struct ks_settings {
	const char *server;		/* base URL, e.g. https://kms.example.org:8443 */
	const char *token_file;		/* file holding the Bearer token */
	const char *cacert;		/* CA bundle for the server's certificate */
	const char *client_cert;	/* TLS client certificate (PEM) */
	const char *client_key;		/* its key (PEM, a secret file) */
};

/*
 * The keystore directory: dir when not NULL, else $XDG_STATE_HOME/skmc or
 * ~/.local/state/skmc. Writes into buf (SKM_ELEN when too small).
 */
int ks_default_dir(const char *dir, char *buf, size_t len);

/*
 * Opens the keystore at dir (NULL: the default above) for identity as_uri
 * (NULL: the only identity there; SKM_ENOTFOUND when there is none,
 * SKM_EINVAL with a reason when there are several). Creates the keystore
 * directory 0700 when create. *ks is freed with ks_close().
 */
int ks_open(struct ks **ks, const char *dir, const char *as_uri, int create, char *why,
    size_t whylen);

/*
 * Creates (or, with replace, re-initialises) the identity uri in the
 * keystore at dir with the given settings and its validated Root
 * certificate document (a KmsCertificate document, already checked with
 * kmscheck_cert). When the identity is re-initialised under another
 * KmsUri, key period scheme or KMS public keys, its key sets and External
 * certificates are erased: they can never be used again. set may be NULL
 * (imported offline: no server).
 */
int ks_create(const char *dir, const char *uri, const struct ks_settings *set,
    const char *root_doc, size_t root_len, char *why, size_t whylen);

void ks_close(struct ks *ks);

const char *ks_uri(const struct ks *ks);	/* the identity's URI */
const char *ks_path(const struct ks *ks);	/* this identity's directory: others keep files there */
const struct ks_settings *ks_settings(const struct ks *ks);

/* The Root KMS certificate stored by init/import (parsed; owned by ks). */
int ks_cert(struct ks *ks, const struct kmsdoc_cert **cert, char *why, size_t whylen);

/*
 * The validated key set for a period; fetched from the configured server
 * first when absent and fetch != 0 (SKM_ENOTFOUND if absent and not
 * fetched). Owned by ks, valid until ks_close.
 */
int ks_keyset(struct ks *ks, uint64_t period_no, int fetch, const struct kmsdoc_keyset **set,
    char *why, size_t whylen);

/* The period number for a Unix time under the Root certificate. */
int ks_period_at(struct ks *ks, int64_t unix_seconds, uint64_t *period_no);

/* Unix start (inclusive) and end (exclusive) of a period under the Root certificate. */
int ks_period_bounds(struct ks *ks, uint64_t period_no, int64_t *start, int64_t *end);

/*
 * The stored key-set periods in ascending order: *periods is malloc'ed
 * (free() it), *n its length (0 with *periods NULL when none).
 */
int ks_periods(struct ks *ks, uint64_t **periods, size_t *n);

/*
 * Stores already validated key sets (kmscheck_keyset passed for this
 * identity and Root certificate): every document is written to a temp file
 * first and only renamed into place once all were written, so a failure
 * leaves the keystore as it was. docs[i] is a KmsKeySet document for
 * periods[i].
 */
int ks_put_keysets(struct ks *ks, const uint64_t *periods, char *const *docs,
    const size_t *lens, size_t n, char *why, size_t whylen);

/*
 * The External certificates (parsed; owned by ks) and the CacheNum they
 * came with (0 and no certificates before the first certcache).
 */
int ks_external(struct ks *ks, const struct kmsdoc_cert *const **certs, size_t *n,
    uint64_t *cache_num, char *why, size_t whylen);

/*
 * Replaces the External certificates with docs (KmsCertificate documents,
 * already validated) and the CacheNum; all or nothing.
 */
int ks_put_external(struct ks *ks, char *const *docs, const size_t *lens, size_t n,
    uint64_t cache_num, char *why, size_t whylen);

/*
 * Fetches the key sets of periods from the identity's server (KMS
 * KeyProvision at the start of each period), checks every one under the
 * Root certificate (kmscheck_keyset) and stores them with ks_put_keysets:
 * all or nothing. SKM_EUNREACH when the server cannot be reached.
 */
int ks_fetch(struct ks *ks, const uint64_t *periods, size_t n, char *why, size_t whylen);

/* The request time-out for ks_fetch and ks_keyset, seconds (0: the default). */
void ks_set_timeout(struct ks *ks, long seconds);

/*
 * Erases (secfile_erase) key sets whose period ended more than grace
 * seconds before now; *purged (may be NULL) gets how many.
 */
int ks_purge(struct ks *ks, int64_t now, int64_t grace, size_t *purged, char *why,
    size_t whylen);

/*
 * The identity's Transport/Integrity Keys (kmstk.h) into *out (secure
 * heap, free with OPENSSL_secure_clear_free); *out NULL when it has none.
 */
struct kmstk;
int ks_tk_load(const struct ks *ks, struct kmstk **out, char *why, size_t whylen);

#endif
