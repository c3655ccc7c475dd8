/* SPDX-License-Identifier: ISC */
/*
 * The key derivation function of TS 33.220 Annex B (HMAC-SHA-256 over
 * S = FC || P0 || L0 || ... || Pn || Ln) and the TS 33.180 Annex F
 * derivations built on it: GUK-ID (F.1.3) and the key-parameters
 * protection key DPCK. The S builder is shared with the MIKEY-SAKKE UID
 * (uid.c), which hashes S instead of keying it. Nothing here stores keys.
 */
#ifndef SKM_LIB_KDF_H
#define SKM_LIB_KDF_H

#include <stddef.h>
#include <stdint.h>

#define KDF_OUT_LEN	32
#define KDF_PARAM_MAX	0xffff	/* Li is two octets */

struct kdf_param {
	const uint8_t *p;
	size_t len;
};

/*
 * S = fc || P0 || L0 || ... in a buffer from OPENSSL_malloc that the
 * caller releases with OPENSSL_clear_free(*s, *slen). A parameter longer
 * than KDF_PARAM_MAX is SKM_ELEN.
 */
int kdf_s_build(uint8_t fc, const struct kdf_param *params, size_t nparams,
    uint8_t **s, size_t *slen);

/*
 * An integer as a KDF parameter (TS 33.220 B.2.1): minimal big-endian,
 * 0 as the single octet 0x00. Returns the length written to out (1..8).
 */
size_t kdf_uint(uint64_t x, uint8_t out[8]);

/* out = HMAC-SHA-256(key, S); the full 256-bit output. */
int kdf_derive(const uint8_t *key, size_t keylen, uint8_t fc,
    const struct kdf_param *params, size_t nparams, uint8_t out[KDF_OUT_LEN]);

/*
 * TS 33.180 F.1.3: the GUK-ID of gmk_id for the receiving user uri. The
 * UserSalt is the 28 least-significant bits of KDF(GMK, 0x50 || uri || L0);
 * the 4-bit purpose tag is kept and the 28 low bits are XORed with the salt.
 * The same XOR maps a GUK-ID back to the GMK-ID: the receiver calls this
 * function with the GUK-ID and its own URI.
 */
int kdf_guk_id(const uint8_t gmk[16], uint32_t gmk_id, const char *uri, size_t urilen,
    uint32_t *guk_id);

/*
 * TS 33.180 E.6.1/F.1.5: the DPCK protecting the key-parameters payload,
 * the 128 least-significant bits of KDF(GMK, 0x53 || DPPK-ID || 0x0004),
 * DPPK-ID (= the MIKEY CSB-ID, the GUK-ID for a GMK) as 4 octets. The
 * caller cleanses dpck.
 */
int kdf_dpck(const uint8_t gmk[16], uint32_t dppk_id, uint8_t dpck[16]);

#endif
