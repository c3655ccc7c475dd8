/* SPDX-License-Identifier: ISC */
/*
 * libskm: SAKKE (RFC 6508) with parameter set 1 of RFC 6509, the receiver
 * and sender sides, keys in memory. Identifiers are octet strings of at
 * most SKM_SAKKE_ID_MAX octets (for MIKEY-SAKKE the 32-octet UID of
 * skm_uid()). Points are 04 || x || y. Every operation on a secret (the
 * RSK, the SSV) runs in constant time; the public key, identifiers and
 * accept/reject outcomes are public. See skm_sakke(3).
 */
#ifndef SKM_SAKKE_H
#define SKM_SAKKE_H

#include <stddef.h>
#include <stdint.h>

#include <skm/err.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SKM_SAKKE_POINT_LEN	257	/* 04 || x || y, 128 octets each */
#define SKM_SAKKE_SSV_LEN	16	/* the shared secret value */
#define SKM_SAKKE_SED_LEN	(SKM_SAKKE_POINT_LEN + SKM_SAKKE_SSV_LEN)
#define SKM_SAKKE_ID_MAX	128

struct skm_sakke_pub;	/* a KMS public key Z_S with its precomputed tables */
struct skm_sakke_user;	/* a validated receiver secret key (secret) */

/*
 * The KMS public key from its encoding z. Builds tables of about 3 MB.
 * *pub is freed with skm_sakke_pub_free. Errors: SKM_EPOINT when z is not
 * a point of order q, SKM_ENOMEM.
 */
SKM_API int skm_sakke_pub_new(struct skm_sakke_pub **pub,
    const uint8_t z[SKM_SAKKE_POINT_LEN]);

/* Frees the handle; NULL is a no-op. */
SKM_API void skm_sakke_pub_free(struct skm_sakke_pub *pub);

/*
 * RFC 6508 6.1.2: 0 iff rsk is the receiver secret key of identifier id
 * under pub. Errors: SKM_EVERIFY (it is not), SKM_EPOINT (not a point),
 * SKM_EINVAL (an identifier of 0 or more than SKM_SAKKE_ID_MAX octets).
 * Constant-time in rsk.
 */
SKM_API int skm_sakke_rsk_validate(const struct skm_sakke_pub *pub, const uint8_t *id,
    size_t idlen, const uint8_t rsk[SKM_SAKKE_POINT_LEN]);

/*
 * RFC 6508 6.2.1: encrypts ssv to identifier id, writing the SAKKE
 * encapsulated data sed. Uses fresh randomness from OpenSSL. Errors:
 * SKM_EINVAL (identifier length), SKM_ECRYPTO. Constant-time in ssv.
 */
SKM_API int skm_sakke_encapsulate(const struct skm_sakke_pub *pub, const uint8_t *id,
    size_t idlen, const uint8_t ssv[SKM_SAKKE_SSV_LEN],
    uint8_t sed[SKM_SAKKE_SED_LEN]);

/*
 * A receiver: validates rsk for id under pub (as skm_sakke_rsk_validate,
 * and that it has order q) and precomputes what decapsulation needs
 * (about 2 MB, some tens of ms). rsk is copied into the secure heap; the
 * caller cleanses its own copy. *user does not refer to pub and is freed
 * with skm_sakke_user_free. Errors: those of skm_sakke_rsk_validate,
 * SKM_ENOMEM.
 */
SKM_API int skm_sakke_user_new(struct skm_sakke_user **user,
    const struct skm_sakke_pub *pub, const uint8_t *id, size_t idlen,
    const uint8_t rsk[SKM_SAKKE_POINT_LEN]);

/* Cleanses and frees the handle; NULL is a no-op. */
SKM_API void skm_sakke_user_free(struct skm_sakke_user *user);

/*
 * RFC 6508 6.2.2 with the TEST = R check: recovers ssv from sed. Errors:
 * SKM_EVERIFY when sed was not made for this receiver or was altered (ssv
 * is then zeroed), SKM_EPOINT. Constant-time in the RSK and the SSV. The
 * caller cleanses ssv after use.
 */
SKM_API int skm_sakke_decapsulate(const struct skm_sakke_user *user,
    const uint8_t sed[SKM_SAKKE_SED_LEN], uint8_t ssv[SKM_SAKKE_SSV_LEN]);

#ifdef __cplusplus
}
#endif

#endif
