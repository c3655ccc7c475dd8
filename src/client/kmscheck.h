/* SPDX-License-Identifier: ISC */
/*
 * Whether a parsed KMS certificate or key set (kmsdoc) may be used by the
 * client: the constraints of TS 33.180 Annex D and F.2.1 on a certificate,
 * and the RFC 6507 5.1.2 and RFC 6508 6.1.2 checks a client must run on
 * keys it receives before storing them. It decides; it neither parses nor
 * stores, and never logs key bytes.
 */
#ifndef SKM_CLIENT_KMSCHECK_H
#define SKM_CLIENT_KMSCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "client/kmsdoc.h"

/*
 * 0 iff the certificate is usable at now (Unix seconds): KmsUri present,
 * UserIdFormat 2, ParameterSet 1 (absent = 1), not Revoked, now inside
 * ValidFrom..ValidTo when given, UserKeyPeriod > 0, Z and KPAK valid
 * points. Otherwise SKM_EINVAL, SKM_EREVOKED, SKM_ERANGE (time) or
 * SKM_EPOINT, with the reason in why (may be NULL).
 */
int kmscheck_cert(const struct kmsdoc_cert *c, int64_t now, char *why, size_t whylen);

/*
 * 0 iff next may follow cur as the Root certificate of a rollover (the
 * skms:NextKmsCertificate of a KmsInit): Role Root when given, a CertUri
 * other than cur's, the same KmsUri, UserKeyPeriod and UserKeyOffset (the
 * UIDs and periods stay), a ValidFrom after cur's, and kmscheck_cert at
 * that ValidFrom. Otherwise SKM_EINVAL or kmscheck_cert's error, with the
 * reason in why.
 */
int kmscheck_next(const struct kmsdoc_cert *cur, const struct kmsdoc_cert *next, char *why,
    size_t whylen);

/*
 * 0 iff the key set belongs to uri under certificate c: UserUri == uri,
 * KmsUri == c->kms_uri, UserID == uid_derive(uri, KmsUri, UserKeyPeriod,
 * UserKeyOffset, KeyPeriodNo), ValidFrom/ValidTo equal to the period
 * bounds when given, not Revoked, the RSK passes sakke_rsk_validate under
 * Z, and SSK/PVT pass eccsi_ssk_validate under KPAK. Otherwise SKM_EINVAL,
 * SKM_EREVOKED, SKM_ERANGE, SKM_EVERIFY or SKM_EPOINT with the reason in
 * why. It does not check c itself (kmscheck_cert) nor the current time.
 * Costs one SAKKE pairing (some ms).
 */
int kmscheck_keyset(const struct kmsdoc_cert *c, const struct kmsdoc_keyset *ks,
    const char *uri, char *why, size_t whylen);

#endif
