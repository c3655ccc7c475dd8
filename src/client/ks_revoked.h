/* SPDX-License-Identifier: ISC */
/*
 * Revoked Root certificates in the keystore. After a suspected compromise
 * of its master secrets the KMS replaces its certificate at once and
 * serves the old one with Revoked true (CertCache lists it). A client that
 * learns this keeps the revoked certificate under revoked/ in the
 * identity's directory, erases the key sets issued under it, refuses to
 * use any key set or accept any GMK under it, and takes up the KMS's new
 * certificate (a KMS Init), so the next fetch gets key sets under that.
 * Only a revocation of its own domain's certificate (the Root's KmsUri) is
 * taken up. In the keystore's certificate set (ks.h) a revoked certificate
 * is never in force while another as recent is held, and is dropped from
 * the set (ks_cert_drop) once one is; the record under revoked/ stays.
 */
#ifndef SKM_CLIENT_KS_REVOKED_H
#define SKM_CLIENT_KS_REVOKED_H

#include <stddef.h>

struct kmsdoc;
struct kmsdoc_cert;
struct ks;

/* 1 when the certificate named cert_uri is known to be revoked, else 0. */
int ks_revoked_is(struct ks *ks, const char *cert_uri);

/* The same for the identity directory idpath, before it is opened (ks_create). */
int ks_revoked_in(const char *idpath, const char *cert_uri);

/*
 * Takes up c when it is a revoked certificate of this identity's KMS (c
 * Revoked, KmsUri the Root's): keeps it, erases every stored key set under
 * it (*dropped, may be NULL, gets how many) and drops it from the
 * certificate set unless nothing else is in force. Anything else is 0 and
 * changes nothing. A revoked certificate with a held CertUri but other
 * public keys is SKM_EVERIFY.
 */
int ks_revoked_learn(struct ks *ks, const struct kmsdoc_cert *c, size_t *dropped,
    char *why, size_t whylen);

/*
 * When the certificate in force is revoked: a KMS Init (ks_refresh,
 * which refuses a revoked certificate and drops a next one the KMS no
 * longer announces) brings the one in force into the set and the revoked
 * one is dropped. External certificates stay. 1 when it replaced the certificate in
 * force, 0 when that is not revoked, or SKM_E* with why set. Key sets
 * obtained from ks before are invalid afterwards.
 */
int ks_revoked_renew(struct ks *ks, char *why, size_t whylen);

/*
 * Asks the server's CertCache for revocations, takes each up
 * (ks_revoked_learn) and renews the Root when it is revoked: 1 when the
 * Root was replaced, 0 when not, or SKM_E* with why set. For a fetch that
 * got a key set under a certificate other than the Root's.
 */
int ks_revoked_follow(struct ks *ks, char *why, size_t whylen);

/*
 * The revoked certificates kept: *docs (one KmsCertificate document each)
 * and *n; free with ks_revoked_free().
 */
int ks_revoked_list(struct ks *ks, struct kmsdoc ***docs, size_t *n);
void ks_revoked_free(struct kmsdoc **docs, size_t n);

#endif
