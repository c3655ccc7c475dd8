/* SPDX-License-Identifier: ISC */
/*
 * libskm: ECCSI signatures (RFC 6507) on NIST P-256 with SHA-256, as
 * MIKEY-SAKKE uses them, keys in memory. Identifiers are octet strings of
 * at most SKM_ECCSI_ID_MAX octets (for MIKEY-SAKKE the UID of skm_uid()).
 * Operations on the secret signing key run in constant time; KPAK, PVT,
 * signatures and the accept/reject outcome are public. See skm_eccsi(3).
 */
#ifndef SKM_ECCSI_H
#define SKM_ECCSI_H

#include <stddef.h>
#include <stdint.h>

#include <skm/err.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SKM_ECCSI_SCALAR_LEN	32
#define SKM_ECCSI_POINT_LEN	65	/* 04 || x || y */
#define SKM_ECCSI_SIG_LEN	(2 * SKM_ECCSI_SCALAR_LEN + SKM_ECCSI_POINT_LEN)
#define SKM_ECCSI_ID_MAX	128

struct skm_eccsi_signer;	/* a validated SSK (secret) with its PVT */

/*
 * RFC 6507 5.1.2: 0 iff (ssk, pvt) is the signing key pair of identifier
 * id under the KMS public authentication key kpak. Errors: SKM_EPOINT
 * (kpak or pvt not a point of P-256), SKM_EVERIFY (ssk zero, out of range
 * or not matching), SKM_EINVAL (identifier length). Constant-time in ssk.
 */
SKM_API int skm_eccsi_ssk_validate(const uint8_t kpak[SKM_ECCSI_POINT_LEN],
    const uint8_t *id, size_t idlen, const uint8_t ssk[SKM_ECCSI_SCALAR_LEN],
    const uint8_t pvt[SKM_ECCSI_POINT_LEN]);

/*
 * A signer for identifier id: validates the pair as skm_eccsi_ssk_validate
 * and copies ssk into the secure heap (the caller cleanses its own copy).
 * Freed with skm_eccsi_signer_free. Errors: those of the validation,
 * SKM_ENOMEM.
 */
SKM_API int skm_eccsi_signer_new(struct skm_eccsi_signer **signer,
    const uint8_t kpak[SKM_ECCSI_POINT_LEN], const uint8_t *id, size_t idlen,
    const uint8_t ssk[SKM_ECCSI_SCALAR_LEN], const uint8_t pvt[SKM_ECCSI_POINT_LEN]);

/* Cleanses and frees the handle; NULL is a no-op. */
SKM_API void skm_eccsi_signer_free(struct skm_eccsi_signer *signer);

/*
 * RFC 6507 5.2.1: signs msg (len octets) with a fresh random ephemeral;
 * sig = r || s || PVT. Errors: SKM_ECRYPTO (no randomness). Constant-time
 * in the SSK and the ephemeral.
 */
SKM_API int skm_eccsi_sign(const struct skm_eccsi_signer *signer, const uint8_t *msg,
    size_t len, uint8_t sig[SKM_ECCSI_SIG_LEN]);

/*
 * RFC 6507 5.2.2: 0 iff sig is a valid signature of msg by identifier id
 * under kpak. Errors: SKM_EVERIFY (any defect of the signature),
 * SKM_EPOINT (kpak not a point), SKM_EINVAL (identifier length). Works on
 * public data only and is not constant-time.
 */
SKM_API int skm_eccsi_verify(const uint8_t kpak[SKM_ECCSI_POINT_LEN], const uint8_t *id,
    size_t idlen, const uint8_t *msg, size_t len, const uint8_t sig[SKM_ECCSI_SIG_LEN]);

#ifdef __cplusplus
}
#endif

#endif
