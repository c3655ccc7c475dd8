/* SPDX-License-Identifier: ISC */
/*
 * The "3GPP key parameters" general extension (type 7) of a MIKEY-SAKKE
 * I_MESSAGE (TS 33.180 E.6): an MCData protected payload (TS 33.180 8.5.4)
 * whose payload, encrypted with AES-128-GCM under the DPCK derived from the
 * distributed key, is the key-parameters element.
 *
 * The wire form follows the one interoperable implementation observed (the
 * TS 33.180 E.6.x tables were not available):
 *   protected payload: message type 0x43 | date and time (5) | payload ID
 *   (4) = 0 | sequence (1) = 0 | algorithm (1) = 1 AES-128-GCM | IV (16) |
 *   DPPK-ID (4) = CSB ID | payload IEI (1) = 0x00 | length (2) |
 *   ciphertext || tag (16); AAD = octets 0..11 || IV || DPPK-ID.
 *   key parameters: key type (1) | status (4) | activation (5) | expiry (5)
 *   | text length (2) + UTF-8 | and for GMK, MKFC and MuSiK only: group
 *   IDs length (2) | count (1) | per group IEI (1) length (2) value.
 *
 * Choices where the specification text was not available:
 * - activation and expiry are 40-bit Unix seconds (what the one observed
 *   writer does); 0 means the T payload's time / no expiry.
 * - the date-and-time field is written as the T payload's NTP seconds
 *   (they fit in 40 bits); receivers ignore it (the observed writer puts 1).
 * - each group ID is written with IEI MIKEY_KP_GROUP_IEI; any IEI is
 *   accepted on receipt.
 * Nothing here logs or keeps keys; the caller cleanses what it passes in.
 */
#ifndef SKM_LIB_MIKEY_KP_H
#define SKM_LIB_MIKEY_KP_H

#include <stddef.h>
#include <stdint.h>

#include "lib/mikey.h"

#define MIKEY_KP_GROUPS_MAX	16
#define MIKEY_KP_KEY_LEN	16	/* GMK / DPCK, AES-128 */
#define MIKEY_KP_IV_LEN		16
#define MIKEY_KP_TAG_LEN	16
#define MIKEY_KP_HDR_LEN	35	/* protected payload header before the ciphertext */
#define MIKEY_KP_AAD_LEN	32
#define MIKEY_KP_MSG_TYPE	0x43	/* encrypted (0x40) | payload type 3 */
#define MIKEY_KP_ALG_AES128GCM	1
#define MIKEY_KP_PAYLOAD_IEI	0x00
#define MIKEY_KP_GROUP_IEI	0x00	/* written before each group ID */
#define MIKEY_KP_TIME_MAX	0xffffffffffULL	/* 40 bits */
#define MIKEY_KP_STATUS_VALID	0x1	/* bit 0: not revoked */

/* Purpose tags (the 4 MSBs of a key ID, TS 33.180 5.2.3 / E.6.11). */
#define MIKEY_KP_TYPE_GMK	0
#define MIKEY_KP_TYPE_PCK	1
#define MIKEY_KP_TYPE_CSK	2
#define MIKEY_KP_TYPE_SPK	3
#define MIKEY_KP_TYPE_MKFC	4
#define MIKEY_KP_TYPE_MSCCK	5
#define MIKEY_KP_TYPE_MUSIK	6

struct mikey_kp {			/* 3GPP key parameters (TS 33.180 E.6) */
	uint8_t key_type;		/* purpose tag: 0 GMK ... 6 MuSiK */
	uint32_t status;		/* bit 0: not revoked */
	uint64_t activation;		/* 40 bits, Unix seconds; 0 = the T payload's time */
	uint64_t expiry;		/* 40 bits, Unix seconds; 0 = none */
	char *text;			/* UTF-8, may be NULL (decoded: NUL-terminated, owned) */
	char *groups[MIKEY_KP_GROUPS_MAX];	/* VAL group IDs (decoded: owned) */
	size_t ngroups;
};

/* Frees what a decode allocated and zeroes *kp; safe on a zeroed struct. */
void mikey_kp_clear(struct mikey_kp *kp);

/*
 * The key-parameters plaintext of kp into a buffer from OPENSSL_malloc
 * (the caller frees with OPENSSL_free). Times over 40 bits, texts or
 * groups over 65535 octets, or groups for a key type that has none are
 * SKM_EINVAL / SKM_ELEN.
 */
int mikey_kp_encode(const struct mikey_kp *kp, uint8_t **out, size_t *len);

/*
 * Decodes a key-parameters plaintext into kp (owned strings; release with
 * mikey_kp_clear, also after a failure). Text or group IDs containing a
 * NUL, more than MIKEY_KP_GROUPS_MAX groups, and trailing octets are
 * SKM_EPARSE with the reason in why.
 */
int mikey_kp_decode(const uint8_t *p, size_t len, struct mikey_kp *kp, char *why,
    size_t whylen);

/*
 * Seals plaintext pt into a protected payload (the type 7 extension data)
 * under dpck: iv may be NULL (fresh random IV), datetime is the 40-bit
 * date-and-time value. *out from OPENSSL_malloc.
 */
int mikey_kp_seal(const uint8_t dpck[MIKEY_KP_KEY_LEN], uint32_t dppk_id, uint64_t datetime,
    const uint8_t *iv, const uint8_t *pt, size_t ptlen, uint8_t **out, size_t *outlen);

/*
 * Checks the protected payload header (message type, algorithm, IEI,
 * length, DPPK-ID = dppk_id) and decrypts it: *pt (OPENSSL_malloc, the
 * caller frees with OPENSSL_clear_free) receives the plaintext.
 * SKM_EPARSE for a malformed header, SKM_EVERIFY when the tag fails.
 */
int mikey_kp_unseal(const uint8_t dpck[MIKEY_KP_KEY_LEN], uint32_t dppk_id,
    const uint8_t *p, size_t len, uint8_t **pt, size_t *ptlen, char *why, size_t whylen);

/*
 * The whole type 7 extension data for kp: DPCK = kdf_dpck(key, dppk_id),
 * encode, seal. *out from OPENSSL_malloc.
 */
int mikey_kp_protect(const struct mikey_kp *kp, const uint8_t key[MIKEY_KP_KEY_LEN],
    uint32_t dppk_id, uint64_t datetime, const uint8_t *iv, uint8_t **out, size_t *outlen);

/*
 * Decrypts and decodes the key-parameters extension of m with the GMK
 * (DPPK-ID = CSB ID; the GCM tag must verify: SKM_EVERIFY); SKM_ENOTFOUND
 * when the message has none. Release kp with mikey_kp_clear.
 */
int mikey_kp_open(const struct mikey_imsg *m, const uint8_t gmk[MIKEY_KP_KEY_LEN],
    struct mikey_kp *kp);

#endif
