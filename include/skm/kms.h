/* SPDX-License-Identifier: ISC */
/*
 * libskm: the KMS documents of TS 33.180 Annex D as a client receives
 * them, parsed and checked before any key in them is used. A
 * certificate is a KmsResponse carrying KmsInit (its Root certificate) or
 * a bare KmsCertificate; a key set is a KmsResponse carrying KmsKeyProv or
 * a bare KmsKeySet. Documents with a DOCTYPE are refused and nothing is
 * ever loaded from the network. Parsing is not constant-time; the key
 * checks run on secrets in constant time. See skm_kms(3).
 */
#ifndef SKM_KMS_H
#define SKM_KMS_H

#include <stddef.h>
#include <stdint.h>

#include <skm/err.h>
#include <skm/eccsi.h>
#include <skm/sakke.h>

#ifdef __cplusplus
extern "C" {
#endif

struct skm_kms_cert;	/* a checked KMS certificate */
struct skm_kms_keyset;	/* a checked key set: RSK, SSK (secret) and PVT */

/*
 * Parses the certificate in xml (len octets, at most 1 MiB, need not be
 * NUL-terminated) and checks it is usable at Unix time now: KmsUri
 * present, UserIdFormat 2, parameter set 1, not revoked, now within
 * ValidFrom..ValidTo, a non-zero UserKeyPeriod, and valid Z_S and KPAK
 * points. On success *cert is a new handle (skm_kms_cert_free); the
 * caller keeps xml. Errors: SKM_EPARSE or SKM_ELEN for a document that
 * does not parse or is not a certificate, SKM_EINVAL, SKM_EREVOKED,
 * SKM_ERANGE or SKM_EPOINT for one that may not be used, SKM_ENOMEM; the
 * reason goes to why.
 */
SKM_API int skm_kms_cert_parse(const char *xml, size_t len, int64_t now,
    struct skm_kms_cert **cert, char *why, size_t whylen);

/* Frees the handle; NULL is a no-op. */
SKM_API void skm_kms_cert_free(struct skm_kms_cert *cert);

/* The KmsUri, NUL-terminated, owned by cert and valid until it is freed. */
SKM_API const char *skm_kms_cert_kms_uri(const struct skm_kms_cert *cert);

/* UserKeyPeriod and UserKeyOffset, in seconds. */
SKM_API uint64_t skm_kms_cert_key_period(const struct skm_kms_cert *cert);
SKM_API uint64_t skm_kms_cert_key_offset(const struct skm_kms_cert *cert);

/* Copies the public keys: Z_S (PubEncKey) and KPAK (PubAuthKey). */
SKM_API void skm_kms_cert_z(const struct skm_kms_cert *cert,
    uint8_t z[SKM_SAKKE_POINT_LEN]);
SKM_API void skm_kms_cert_kpak(const struct skm_kms_cert *cert,
    uint8_t kpak[SKM_ECCSI_POINT_LEN]);

/*
 * Parses key set number index (0 for the first, and the only one of a
 * bare KmsKeySet) of xml and checks that it belongs to uri under cert:
 * UserUri and KmsUri match, the UserID is the UID of uri for its
 * KeyPeriodNo, it is not revoked, the RSK validates under Z_S (RFC 6508
 * 6.1.2) and SSK/PVT under KPAK (RFC 6507 5.1.2). It does not look at the
 * current time: a key set of a past or future period is accepted. On
 * success *ks is a new handle holding the secrets in the secure heap
 * (skm_kms_keyset_free cleanses them); the caller cleanses its copy of
 * xml. Errors: SKM_EPARSE or SKM_ELEN (not a key-set document),
 * SKM_ENOTFOUND (no key set number index), SKM_EINVAL, SKM_EREVOKED,
 * SKM_ERANGE, SKM_EVERIFY or SKM_EPOINT (refused), SKM_ENOMEM; the reason
 * goes to why. Costs one SAKKE pairing (some milliseconds).
 */
SKM_API int skm_kms_keyset_parse(const struct skm_kms_cert *cert, const char *uri,
    const char *xml, size_t len, size_t index, struct skm_kms_keyset **ks, char *why,
    size_t whylen);

/* Cleanses and frees the handle; NULL is a no-op. */
SKM_API void skm_kms_keyset_free(struct skm_kms_keyset *ks);

/* The UserUri, owned by ks, and the KeyPeriodNo. */
SKM_API const char *skm_kms_keyset_user_uri(const struct skm_kms_keyset *ks);
SKM_API uint64_t skm_kms_keyset_period(const struct skm_kms_keyset *ks);

/*
 * Copies the receiver secret key (RSK), the secret signing key (SSK) and
 * the public validation token (PVT). The RSK and SSK are secrets: the
 * caller cleanses its copies (OPENSSL_cleanse or explicit_bzero).
 */
SKM_API void skm_kms_keyset_rsk(const struct skm_kms_keyset *ks,
    uint8_t rsk[SKM_SAKKE_POINT_LEN]);
SKM_API void skm_kms_keyset_ssk(const struct skm_kms_keyset *ks,
    uint8_t ssk[SKM_ECCSI_SCALAR_LEN]);
SKM_API void skm_kms_keyset_pvt(const struct skm_kms_keyset *ks,
    uint8_t pvt[SKM_ECCSI_POINT_LEN]);

#ifdef __cplusplus
}
#endif

#endif
