/* SPDX-License-Identifier: ISC */
/*
 * The GMK I_MESSAGE of TS 33.180 E.1/E.2 (MIKEY-SAKKE, RFC 6509): a GMS
 * makes one per group member, SAKKE-encrypting the GMK to the member's UID
 * and ECCSI-signing with its own; a member parses it (mikey.h), verifies
 * it and decrypts the GMK.
 *
 * What is written: HDR (CSB ID = GUK-ID, one GENERIC-ID crypto session:
 * CS ID 4, SRTP, policy 0, SPI = GMK-ID || GUK-ID), T, RAND, IDRi/IDRr
 * (URIs) or with identity hiding IDRuidi/IDRuidr (type 2, the UIDs),
 * IDRkmsi, IDRkmsr, SP (the default GMK profile), SAKKE, optionally the
 * key-parameters extension, and SIGN over the RFC 3830 coverage.
 * Checking that the IDR payloads name the expected identities is the
 * caller's (mikey_idr_match). The GMK is never logged; callers cleanse it.
 */
#ifndef SKM_LIB_MIKEY_GMK_H
#define SKM_LIB_MIKEY_GMK_H

#include <stddef.h>
#include <stdint.h>

#include "lib/eccsi.h"
#include "lib/mikey.h"
#include "lib/mikey_kp.h"
#include "lib/sakke.h"

#define MIKEY_GMK_LEN		16
#define MIKEY_RAND_LEN		16
#define MIKEY_GMK_CS_ID		4	/* MCPTT group call (TS 33.180 Table E.1.3-1) */
#define MIKEY_GMK_SPI_LEN	8	/* GMK-ID || GUK-ID, the SRTP MKI */

struct mikey_gmk_send {
	const struct eccsi_signer *signer;	/* the GMS's key set for the period of ts */
	const char *gms_uri;
	const uint8_t *gms_uid;		/* UID_LEN octets, for the period of ts */
	const char *user_uri;
	const uint8_t *user_uid;	/* the receiver */
	const char *kms_uri;		/* IDRkmsi and IDRkmsr */
	const struct sakke_pub *z;	/* the receiver's KMS public key */
	uint64_t ts;			/* NTP-UTC 64-bit (seconds << 32 | fraction) */
	const uint8_t *gmk;		/* SECRET, MIKEY_GMK_LEN octets */
	uint32_t gmk_id;
	const uint8_t *rand;		/* MIKEY_RAND_LEN octets; NULL: random */
	const struct mikey_kp *kp;	/* may be NULL: no key-parameters extension */
	int hide;			/* identity hiding: roles 8/9 with UIDs */
	/*
	 * NULL, or the SAKKE data already made for user_uid with gmk as the
	 * SSV (sakke_encapsulate_batch() for many receivers at once).
	 */
	const uint8_t *sed;
};

/*
 * Makes the I_MESSAGE for one receiver into a buffer from OPENSSL_malloc
 * (the caller frees with OPENSSL_free). A GMK-ID whose purpose tag is not
 * 0 (GMK) is SKM_EINVAL.
 */
int mikey_gmk_make(const struct mikey_gmk_send *s, uint8_t **msg, size_t *len);

/*
 * SAKKE-decapsulates (TEST = R), returns the GMK and GMK-ID recovered from
 * CSB ID = GUK-ID with the receiver's own URI; SKM_EVERIFY on a bad SED,
 * SKM_EINVAL for SAKKE parameters other than set 1 / scheme 2 or SAKKE
 * data of a length mikey_sakke_sed() refuses. gmk is zeroed on failure;
 * the caller cleanses it after use.
 */
int mikey_gmk_decrypt(const struct mikey_imsg *m, const struct sakke_user *u,
    const char *my_uri, size_t urilen, uint8_t gmk[MIKEY_GMK_LEN], uint32_t *gmk_id,
    uint32_t *guk_id);

#endif
