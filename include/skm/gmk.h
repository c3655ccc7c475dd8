/* SPDX-License-Identifier: ISC */
/*
 * libskm: the GMK I_MESSAGE of TS 33.180 E (MIKEY-SAKKE, RFC 6509), made
 * by a group management server (GMS) for one group member and accepted by
 * that member, with every key in memory. See skm_gmk(3).
 *
 * A sender is the GMS identity in its domain with its signing keys per
 * key period; skm_gmk_make() SAKKE-encrypts a GMK to the member's UID
 * and ECCSI-signs the message. A receiver is the member's identity with
 * its receiver secret keys per key period; skm_gmk_accept() runs the
 * checks a VAL client must run before using the GMK: the message parses
 * and its timestamp is within the window of now; it is addressed to this
 * identity and KMS for the period of its timestamp; the initiator's
 * signature verifies; the SAKKE data decrypt (TEST = R) and give the
 * GMK-ID that the message names; the key parameters, when present,
 * decrypt under the GMK and name a GMK.
 *
 * What libskm does not do, since it keeps no state: the replay cache (a
 * receiver must refuse a message it already accepted within the window,
 * RFC 3830 5.4, e.g. by keeping a digest of each accepted message until
 * its timestamp leaves the window), and the check that the VAL groups of
 * the GMK are groups of the user profile whose GMS is the initiator.
 */
#ifndef SKM_GMK_H
#define SKM_GMK_H

#include <stddef.h>
#include <stdint.h>

#include <skm/err.h>
#include <skm/eccsi.h>
#include <skm/sakke.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SKM_GMK_LEN		16	/* a GMK is an AES-128 key */
#define SKM_GMK_HIDE_IDS	0x1	/* identity hiding: UIDs in place of URIs */
#define SKM_GMK_WINDOW_DEFAULT	300	/* seconds either side of now */
#define SKM_GMK_STATUS_VALID	0x1	/* status bit 0: not revoked */

struct skm_gmk_sender;		/* a GMS identity with its signing keys (secret) */
struct skm_gmk_receiver;	/* a member identity with its RSKs (secret) */
struct skm_gmk;			/* an accepted GMK (secret) and what came with it */

/*
 * A sender for GMS gms_uri in the domain of KMS kms_uri whose certificate
 * has UserKeyPeriod key_period, UserKeyOffset key_offset, KPAK kpak and
 * Z_S z (skm_kms_cert_*). Strings and keys are copied. Freed with
 * skm_gmk_sender_free. Errors: SKM_EINVAL (NULL or empty string, zero
 * period), SKM_EPOINT (a bad key), SKM_ENOMEM.
 */
SKM_API int skm_gmk_sender_new(struct skm_gmk_sender **s, const char *gms_uri,
    const char *kms_uri, uint64_t key_period, uint64_t key_offset,
    const uint8_t kpak[SKM_ECCSI_POINT_LEN], const uint8_t z[SKM_SAKKE_POINT_LEN]);

/* Cleanses and frees the handle; NULL is a no-op. */
SKM_API void skm_gmk_sender_free(struct skm_gmk_sender *s);

/*
 * Adds the GMS's signing key pair of key period period_no (from its key
 * set), validated against the GMS's UID of that period (RFC 6507 5.1.2);
 * ssk is copied into the secure heap and the caller cleanses its copy.
 * A pair already present for that period is replaced. Errors: those of
 * skm_eccsi_ssk_validate, SKM_ENOMEM. Constant-time in ssk.
 */
SKM_API int skm_gmk_sender_add_keys(struct skm_gmk_sender *s, uint64_t period_no,
    const uint8_t ssk[SKM_ECCSI_SCALAR_LEN], const uint8_t pvt[SKM_ECCSI_POINT_LEN]);

/*
 * Makes the I_MESSAGE that gives gmk with GMK-ID gmk_id to member
 * user_uri, timestamped now (Unix seconds) and signed with the keys of
 * the period of now. When group is not NULL the message carries the key
 * parameters (TS 33.180 E.6) naming that VAL group, status valid, the
 * activation time activation (0: the timestamp) and the expiry time
 * expiry (0: none), in Unix seconds. flags is 0 or SKM_GMK_HIDE_IDS. On
 * success *msg is a new buffer of *len octets, the binary I_MESSAGE, to
 * be released with skm_free(). Errors: SKM_EINVAL (a GMK-ID whose 4 high
 * bits are not 0, a bad URI or group, unknown flags), SKM_ENOTFOUND (no
 * signing keys for the period of now), SKM_ERANGE (a time before the
 * first key period), SKM_ECRYPTO, SKM_ENOMEM. Constant-time in the GMK
 * and the SSK.
 */
SKM_API int skm_gmk_make(const struct skm_gmk_sender *s, const char *user_uri,
    const uint8_t gmk[SKM_GMK_LEN], uint32_t gmk_id, int64_t now, const char *group,
    int64_t activation, int64_t expiry, unsigned flags, uint8_t **msg, size_t *len);

/*
 * A receiver for member uri in the domain of KMS kms_uri (as
 * skm_gmk_sender_new). Freed with skm_gmk_receiver_free. Errors:
 * SKM_EINVAL, SKM_EPOINT, SKM_ENOMEM.
 */
SKM_API int skm_gmk_receiver_new(struct skm_gmk_receiver **r, const char *uri,
    const char *kms_uri, uint64_t key_period, uint64_t key_offset,
    const uint8_t kpak[SKM_ECCSI_POINT_LEN], const uint8_t z[SKM_SAKKE_POINT_LEN]);

/* Cleanses and frees the handle; NULL is a no-op. */
SKM_API void skm_gmk_receiver_free(struct skm_gmk_receiver *r);

/*
 * Adds the member's receiver secret key of key period period_no,
 * validated against its UID of that period (RFC 6508 6.1.2); rsk is
 * copied into the secure heap and the caller cleanses its copy. An RSK
 * already present for that period is replaced. Errors: SKM_EVERIFY,
 * SKM_EPOINT, SKM_ENOMEM. Constant-time in rsk.
 */
SKM_API int skm_gmk_receiver_add_rsk(struct skm_gmk_receiver *r, uint64_t period_no,
    const uint8_t rsk[SKM_SAKKE_POINT_LEN]);

/*
 * Adds a GMS URI that a message with a hidden initiator (identity hiding)
 * may come from; such a message is accepted only from a GMS added here.
 * Errors: SKM_EINVAL (empty or over 255 octets), SKM_ENOMEM.
 */
SKM_API int skm_gmk_receiver_add_gms(struct skm_gmk_receiver *r, const char *gms_uri);

/*
 * Runs the receiver checks (see above) on input: a binary I_MESSAGE, its
 * base64 form, or a "Notify group configuration request" document
 * carrying one. now is the current Unix time and window the largest
 * distance of the message's timestamp from it, in seconds (e.g.
 * SKM_GMK_WINDOW_DEFAULT). On success *gmk is a new handle (skm_gmk_free).
 * On failure the return is an SKM_E* code and why receives the check that
 * failed and why, as "check N NAME: reason" (NAME one of message,
 * receiver, signature, key, parameters). Errors: SKM_EPARSE (not a GMK
 * I_MESSAGE), SKM_ERANGE (timestamp outside the window), SKM_EAUTH (not
 * for this receiver, unknown initiator), SKM_ENOTFOUND (no RSK for the
 * period), SKM_EVERIFY (signature, SAKKE data or key parameters do not
 * verify), SKM_EINVAL, SKM_ENOMEM. Constant-time in the RSK and the GMK.
 */
SKM_API int skm_gmk_accept(const struct skm_gmk_receiver *r, const uint8_t *input,
    size_t len, int64_t now, int64_t window, struct skm_gmk **gmk, char *why,
    size_t whylen);

/* Cleanses and frees an accepted GMK; NULL is a no-op. */
SKM_API void skm_gmk_free(struct skm_gmk *gmk);

/* Copies the GMK (a secret: the caller cleanses its copy). */
SKM_API void skm_gmk_key(const struct skm_gmk *gmk, uint8_t key[SKM_GMK_LEN]);

/* The GMK-ID and the GUK-ID (the CSB ID of the message, for this member). */
SKM_API uint32_t skm_gmk_id(const struct skm_gmk *gmk);
SKM_API uint32_t skm_gmk_guk_id(const struct skm_gmk *gmk);

/* The initiator's URI (the GMS), owned by gmk. */
SKM_API const char *skm_gmk_initiator(const struct skm_gmk *gmk);

/*
 * Times in Unix seconds: the message's timestamp, the activation time
 * (the timestamp when the message has no key parameters) and the expiry
 * time (0: none).
 */
SKM_API int64_t skm_gmk_timestamp(const struct skm_gmk *gmk);
SKM_API int64_t skm_gmk_activation(const struct skm_gmk *gmk);
SKM_API int64_t skm_gmk_expiry(const struct skm_gmk *gmk);

/* The status bits of the key parameters (SKM_GMK_STATUS_VALID when none). */
SKM_API uint32_t skm_gmk_status(const struct skm_gmk *gmk);

/* The text of the key parameters, owned by gmk, or NULL. */
SKM_API const char *skm_gmk_text(const struct skm_gmk *gmk);

/*
 * The VAL group IDs of the key parameters: skm_gmk_group_count() of them,
 * skm_gmk_group(gmk, i) for i below it (NULL beyond), owned by gmk.
 * skm_gmk_group_hint() is the ValGroupId of the notification document the
 * message came in, or NULL.
 */
SKM_API size_t skm_gmk_group_count(const struct skm_gmk *gmk);
SKM_API const char *skm_gmk_group(const struct skm_gmk *gmk, size_t i);
SKM_API const char *skm_gmk_group_hint(const struct skm_gmk *gmk);

/* Releases a buffer libskm returned (skm_gmk_make); NULL is a no-op. */
SKM_API void skm_free(void *buf);

#ifdef __cplusplus
}
#endif

#endif
