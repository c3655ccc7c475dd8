/* SPDX-License-Identifier: ISC */
/*
 * The client keystore: one directory per identity under the keystore
 * directory, holding that identity's settings, its Root KMS certificates
 * (the one in force, the next one of a scheduled rollover, and retired
 * ones while a held key set still names them),
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

/*
 * The Root certificate in force now (the held one with the latest
 * ValidFrom not after now; parsed, owned by ks, valid until ks_close).
 */
int ks_cert(struct ks *ks, const struct kmsdoc_cert **cert, char *why, size_t whylen);

/*
 * The Root certificates the keystore holds. A certificate's state at a
 * time is derived from the ValidFrom of all of them: the one with the
 * latest ValidFrom not after now is current, one with a later ValidFrom
 * is next (a scheduled rollover), older ones are retired and kept only
 * while a held key set names them (ks_tidy drops them). One the KMS
 * revoked (ks_revoked.h) is revoked unless nothing replaces it yet, then
 * it stays current and every use of it is refused. Every key set belongs
 * to the certificate its CertUri names.
 */
enum ks_cert_state { KS_CERT_RETIRED, KS_CERT_CURRENT, KS_CERT_NEXT, KS_CERT_REVOKED };

/* A held certificate, its state at the time asked and the periods of its key sets. */
struct ks_certinfo {
	const struct kmsdoc_cert *cert;	/* owned by ks, valid until ks_close */
	enum ks_cert_state state;
	uint64_t *periods;		/* held key sets naming it, ascending (malloc'ed) */
	size_t nperiods;
};

/* The name of a state: "current", "next", "retired", "revoked". */
const char *ks_cert_state_name(enum ks_cert_state state);

/*
 * Every held certificate with its state at now, by ValidFrom ascending;
 * free with ks_certs_free. Key sets are only parsed here, not checked.
 */
int ks_certs(struct ks *ks, int64_t now, struct ks_certinfo **certs, size_t *n, char *why,
    size_t whylen);
void ks_certs_free(struct ks_certinfo *certs, size_t n);

/* The next certificate at now; SKM_ENOTFOUND when no rollover is known. */
int ks_cert_next(struct ks *ks, int64_t now, const struct kmsdoc_cert **cert);

/*
 * 1 when the held key set of period_no names another certificate than the
 * held one in force over that period by ValidFrom (fetched before a
 * rollover was known), else 0 (also when none is held). Such a key set is
 * replaced by fetching the period again.
 */
int ks_keyset_stale(struct ks *ks, uint64_t period_no);

/* The held certificate whose CertUri is uri; SKM_ENOTFOUND when none. */
int ks_cert_by_uri(struct ks *ks, const char *uri, const struct kmsdoc_cert **cert);

/*
 * The certificate of a key period: the one the held key set of that period
 * names, else the held one with the latest ValidFrom before the period's
 * end. Its keys sign and encrypt everything of that period.
 */
int ks_cert_for_period(struct ks *ks, uint64_t period_no, const struct kmsdoc_cert **cert,
    char *why, size_t whylen);

/*
 * Stores a Root certificate (a KmsCertificate document, already checked
 * with kmscheck_cert at the time it comes into force) of this identity's
 * KMS: same KmsUri, key period and offset as the held ones. A held
 * certificate with the same CertUri is replaced; *added (may be NULL) is
 * 1 when the CertUri was not held before.
 */
int ks_put_cert(struct ks *ks, const char *doc, size_t len, int *added, char *why,
    size_t whylen);

/*
 * Erases the certificate uri and every held key set naming it (the
 * certificate in force cannot be dropped: SKM_EBUSY).
 */
int ks_cert_drop(struct ks *ks, const char *uri, char *why, size_t whylen);

/*
 * Drops retired certificates that no held key set names; *dropped (may be
 * NULL) gets how many.
 */
int ks_tidy(struct ks *ks, int64_t now, size_t *dropped, char *why, size_t whylen);

/* What a KMS Initialize brought (ks_refresh). */
struct ks_refresh_result {
	int current_added;		/* the certificate in force was not held */
	int next_added;			/* the next certificate was not held */
	int has_next;			/* the KMS announced a rollover */
};

/*
 * KMS Initialize with the identity's server: checks the certificate in
 * force (kmscheck_cert at now) and the next one of a scheduled rollover
 * when sent (skms:NextKmsCertificate, checked at its ValidFrom), both of
 * this identity's KMS, and stores both with ks_put_cert; a held next
 * certificate the KMS no longer announces (a withdrawn rollover) is
 * dropped with its key sets (ks_cert_drop). r may be NULL.
 * SKM_EUNREACH when the server cannot be reached.
 */
int ks_refresh(struct ks *ks, int64_t now, struct ks_refresh_result *r, char *why,
    size_t whylen);

/*
 * The validated key set for a period; fetched from the configured server
 * first when absent, or held under another certificate than the one in
 * force over the period (ks_keyset_stale), and fetch != 0 (SKM_ENOTFOUND
 * if absent and not fetched). Owned by ks, valid until ks_close.
 */
int ks_keyset(struct ks *ks, uint64_t period_no, int fetch, const struct kmsdoc_keyset **set,
    char *why, size_t whylen);

/*
 * The period number for a Unix time. A rollover keeps the KmsUri, key
 * period and offset, so every held certificate gives the same numbers.
 */
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
 * certificate its CertUri names (kmscheck_keyset; a CertUri not held makes
 * one KMS Initialize, ks_refresh, and is refused if still unknown) and
 * stores them with ks_put_keysets: all or nothing. SKM_EUNREACH when the
 * server cannot be reached.
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
