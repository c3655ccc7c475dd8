/* SPDX-License-Identifier: ISC */
/*
 * The 3GPP key-parameters extension (TS 33.180 E.6): the key-parameters
 * element, its MCData protected payload (TS 33.180 8.5.4) and the
 * AES-128-GCM protection under the DPCK (F.1.5). AES-GCM is OpenSSL's.
 * Keys and plaintexts are cleansed on every path; nothing here logs.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/be.h"
#include "common/err.h"
#include "lib/ct.h"
#include "lib/kdf.h"
#include "lib/mikey_kp.h"

#define KP_FIXED_LEN	(1 + 4 + 5 + 5 + 2)	/* type, status, activation, expiry, text length */

/* Every refusal of a decoder here is a parse error naming the defect. */
#define fail(why, whylen, ...)	skm_why(why, whylen, SKM_EPARSE, __VA_ARGS__)

/* E.6.3: only keys that belong to groups carry the group IDs element. */
static int
kp_has_groups(uint8_t key_type)
{
	return key_type == MIKEY_KP_TYPE_GMK || key_type == MIKEY_KP_TYPE_MKFC ||
	    key_type == MIKEY_KP_TYPE_MUSIK;
}

void
mikey_kp_clear(struct mikey_kp *kp)
{
	size_t i;

	OPENSSL_free(kp->text);
	for (i = 0; i < MIKEY_KP_GROUPS_MAX; i++)
		OPENSSL_free(kp->groups[i]);
	memset(kp, 0, sizeof(*kp));
}

int
mikey_kp_encode(const struct mikey_kp *kp, uint8_t **out, size_t *len)
{
	size_t textlen, glen = 1, n, i, gl;
	uint8_t *p;

	*out = NULL;
	*len = 0;
	if (kp->activation > MIKEY_KP_TIME_MAX || kp->expiry > MIKEY_KP_TIME_MAX ||
	    kp->ngroups > MIKEY_KP_GROUPS_MAX)
		return SKM_EINVAL;
	if (kp->ngroups > 0 && !kp_has_groups(kp->key_type))
		return SKM_EINVAL;
	textlen = kp->text != NULL ? strlen(kp->text) : 0;
	if (textlen > 0xffff)
		return SKM_ELEN;
	for (i = 0; i < kp->ngroups; i++) {
		if (kp->groups[i] == NULL || (gl = strlen(kp->groups[i])) == 0)
			return SKM_EINVAL;
		if (gl > 0xffff)
			return SKM_ELEN;
		glen += 3 + gl;
	}
	if (glen > 0xffff)
		return SKM_ELEN;
	n = KP_FIXED_LEN + textlen + (kp_has_groups(kp->key_type) ? 2 + glen : 0);
	if ((p = OPENSSL_malloc(n)) == NULL)
		return SKM_ENOMEM;
	*out = p;
	*len = n;
	p[0] = kp->key_type;
	be_put(p + 1, kp->status, 4);
	be_put(p + 5, kp->activation, 5);
	be_put(p + 10, kp->expiry, 5);
	be_put(p + 15, textlen, 2);
	p += KP_FIXED_LEN;
	if (textlen > 0)
		memcpy(p, kp->text, textlen);
	p += textlen;
	if (!kp_has_groups(kp->key_type))
		return 0;
	be_put(p, glen, 2);
	p[2] = (uint8_t)kp->ngroups;
	p += 3;
	for (i = 0; i < kp->ngroups; i++) {
		gl = strlen(kp->groups[i]);
		/* TS 24.282 15.2.14 MCData group ID as a TLV-E */
		p[0] = MIKEY_KP_GROUP_IEI;
		be_put(p + 1, gl, 2);
		memcpy(p + 3, kp->groups[i], gl);
		p += 3 + gl;
	}
	return 0;
}

static char *
kp_strdup(const uint8_t *p, size_t n)
{
	char *s;

	if ((s = OPENSSL_malloc(n + 1)) == NULL)
		return NULL;
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

int
mikey_kp_decode(const uint8_t *p, size_t len, struct mikey_kp *kp, char *why,
    size_t whylen)
{
	size_t off, textlen, glen, gend, gl, i, count;

	memset(kp, 0, sizeof(*kp));
	if (len < KP_FIXED_LEN)
		return fail(why, whylen, "key parameters: %zu octets, shorter than %d", len,
		    KP_FIXED_LEN);
	kp->key_type = p[0];
	kp->status = (uint32_t)be_get(p + 1, 4);
	kp->activation = be_get(p + 5, 5);
	kp->expiry = be_get(p + 10, 5);
	textlen = (size_t)be_get(p + 15, 2);
	off = KP_FIXED_LEN;
	if (len - off < textlen)
		return fail(why, whylen, "text length %zu runs past the end", textlen);
	if (memchr(p + off, '\0', textlen) != NULL)
		return fail(why, whylen, "text holds a NUL octet");
	if (textlen > 0 && (kp->text = kp_strdup(p + off, textlen)) == NULL)
		return SKM_ENOMEM;
	off += textlen;
	/* a group-ID element is optional on receipt, even for a GMK */
	if (kp_has_groups(kp->key_type) && off < len) {
		if (len - off < 3)
			return fail(why, whylen, "group IDs header runs past the end");
		glen = (size_t)be_get(p + off, 2);
		if (glen < 1 || len - off - 2 < glen)
			return fail(why, whylen, "group IDs length %zu runs past the end", glen);
		gend = off + 2 + glen;
		count = p[off + 2];
		off += 3;
		if (count > MIKEY_KP_GROUPS_MAX)
			return fail(why, whylen, "%zu group IDs, more than %d", count,
			    MIKEY_KP_GROUPS_MAX);
		for (i = 0; i < count; i++) {
			/* any IEI is accepted: its value was not specified to us */
			if (gend - off < 3)
				return fail(why, whylen, "group ID %zu runs past the end", i + 1);
			gl = (size_t)be_get(p + off + 1, 2);
			off += 3;
			if (gend - off < gl)
				return fail(why, whylen, "group ID %zu: length %zu runs past the end",
				    i + 1, gl);
			if (gl == 0 || memchr(p + off, '\0', gl) != NULL)
				return fail(why, whylen, "group ID %zu is empty or holds a NUL",
				    i + 1);
			if ((kp->groups[i] = kp_strdup(p + off, gl)) == NULL)
				return SKM_ENOMEM;
			kp->ngroups++;
			off += gl;
		}
		if (off != gend)
			return fail(why, whylen, "group IDs: %zu octets left over", gend - off);
	}
	if (off != len)
		return fail(why, whylen, "key parameters: %zu trailing octets", len - off);
	return 0;
}

/* TS 33.180 8.5.4 via E.6.1: AAD = octets 0..11 || IV || DPPK-ID, contiguous in the header */
static int
kp_gcm(int enc, const uint8_t key[MIKEY_KP_KEY_LEN], const uint8_t hdr[MIKEY_KP_HDR_LEN],
    const uint8_t *in, size_t inlen, uint8_t *out, uint8_t tag[MIKEY_KP_TAG_LEN])
{
	EVP_CIPHER_CTX *ctx;
	int n = 0, err = SKM_ECRYPTO;

	if (inlen > 0x7fffffff)
		return SKM_ELEN;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return SKM_ENOMEM;
	if (EVP_CipherInit_ex(ctx, EVP_aes_128_gcm(), NULL, NULL, NULL, enc) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, MIKEY_KP_IV_LEN, NULL) != 1 ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, key, hdr + 12, enc) != 1 ||
	    EVP_CipherUpdate(ctx, NULL, &n, hdr, MIKEY_KP_AAD_LEN) != 1 ||
	    (inlen > 0 && EVP_CipherUpdate(ctx, out, &n, in, (int)inlen) != 1))
		goto out;
	if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, MIKEY_KP_TAG_LEN,
	    tag) != 1)
		goto out;
	if (EVP_CipherFinal_ex(ctx, out + n, &n) != 1) {
		err = enc ? SKM_ECRYPTO : SKM_EVERIFY;
		goto out;
	}
	if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, MIKEY_KP_TAG_LEN,
	    tag) != 1)
		goto out;
	err = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return err;
}

int
mikey_kp_seal(const uint8_t dpck[MIKEY_KP_KEY_LEN], uint32_t dppk_id, uint64_t datetime,
    const uint8_t *iv, const uint8_t *pt, size_t ptlen, uint8_t **out, size_t *outlen)
{
	uint8_t *p;
	size_t n;
	int err;

	*out = NULL;
	*outlen = 0;
	if (datetime > MIKEY_KP_TIME_MAX)
		return SKM_EINVAL;
	if (ptlen > 0xffff - MIKEY_KP_TAG_LEN)
		return SKM_ELEN;
	n = MIKEY_KP_HDR_LEN + ptlen + MIKEY_KP_TAG_LEN;
	if ((p = OPENSSL_malloc(n)) == NULL)
		return SKM_ENOMEM;
	p[0] = MIKEY_KP_MSG_TYPE;
	be_put(p + 1, datetime, 5);
	/* E.6.1: payload ID and sequence number 0 */
	be_put(p + 6, 0, 4);
	p[10] = 0;
	p[11] = MIKEY_KP_ALG_AES128GCM;
	if (iv != NULL)
		memcpy(p + 12, iv, MIKEY_KP_IV_LEN);
	else if (RAND_bytes(p + 12, MIKEY_KP_IV_LEN) != 1) {
		err = SKM_ECRYPTO;
		goto out;
	}
	be_put(p + 28, dppk_id, 4);
	p[32] = MIKEY_KP_PAYLOAD_IEI;
	be_put(p + 33, ptlen + MIKEY_KP_TAG_LEN, 2);
	err = kp_gcm(1, dpck, p, pt, ptlen, p + MIKEY_KP_HDR_LEN,
	    p + MIKEY_KP_HDR_LEN + ptlen);
	/* ciphertext and tag are sent in clear */
	ct_declassify(p, n);
out:
	if (err != 0) {
		OPENSSL_clear_free(p, n);
		return err;
	}
	*out = p;
	*outlen = n;
	return 0;
}

int
mikey_kp_unseal(const uint8_t dpck[MIKEY_KP_KEY_LEN], uint32_t dppk_id,
    const uint8_t *p, size_t len, uint8_t **pt, size_t *ptlen, char *why, size_t whylen)
{
	uint8_t tag[MIKEY_KP_TAG_LEN], *buf;
	size_t clen, n;
	int err;

	*pt = NULL;
	*ptlen = 0;
	if (len < MIKEY_KP_HDR_LEN + MIKEY_KP_TAG_LEN)
		return fail(why, whylen, "protected payload of %zu octets, shorter than %d",
		    len, MIKEY_KP_HDR_LEN + MIKEY_KP_TAG_LEN);
	if (p[0] != MIKEY_KP_MSG_TYPE)
		return fail(why, whylen, "message type 0x%02x, expected 0x%02x", p[0],
		    MIKEY_KP_MSG_TYPE);
	if (p[11] != MIKEY_KP_ALG_AES128GCM)
		return fail(why, whylen, "payload algorithm %u not supported (only 1)", p[11]);
	if (be_get(p + 28, 4) != dppk_id)
		return fail(why, whylen, "DPPK-ID %08x is not the CSB ID %08x",
		    (unsigned int)be_get(p + 28, 4), (unsigned int)dppk_id);
	clen = (size_t)be_get(p + 33, 2);
	if (clen != len - MIKEY_KP_HDR_LEN)
		return fail(why, whylen, "payload length %zu, but %zu octets follow", clen,
		    len - MIKEY_KP_HDR_LEN);
	n = clen - MIKEY_KP_TAG_LEN;
	if ((buf = OPENSSL_malloc(n + 1)) == NULL)
		return SKM_ENOMEM;
	memcpy(tag, p + len - MIKEY_KP_TAG_LEN, MIKEY_KP_TAG_LEN);
	if ((err = kp_gcm(0, dpck, p, p + MIKEY_KP_HDR_LEN, n, buf, tag)) != 0) {
		OPENSSL_clear_free(buf, n + 1);
		return err;
	}
	/*
	 * Key parameters are confidential but not key material, and decoding
	 * them must branch on their octets: once the tag holds they count as
	 * public for the constant-time checks.
	 */
	ct_declassify(buf, n);
	*pt = buf;
	*ptlen = n;
	return 0;
}

int
mikey_kp_protect(const struct mikey_kp *kp, const uint8_t key[MIKEY_KP_KEY_LEN],
    uint32_t dppk_id, uint64_t datetime, const uint8_t *iv, uint8_t **out, size_t *outlen)
{
	uint8_t dpck[MIKEY_KP_KEY_LEN], *pt = NULL;
	size_t ptlen = 0;
	int err;

	*out = NULL;
	*outlen = 0;
	if ((err = kdf_dpck(key, dppk_id, dpck)) != 0)
		goto out;
	if ((err = mikey_kp_encode(kp, &pt, &ptlen)) != 0)
		goto out;
	err = mikey_kp_seal(dpck, dppk_id, datetime, iv, pt, ptlen, out, outlen);
out:
	OPENSSL_clear_free(pt, ptlen);
	OPENSSL_cleanse(dpck, sizeof(dpck));
	return err;
}

int
mikey_kp_open(const struct mikey_imsg *m, const uint8_t gmk[MIKEY_KP_KEY_LEN],
    struct mikey_kp *kp)
{
	uint8_t dpck[MIKEY_KP_KEY_LEN], *pt = NULL;
	size_t ptlen = 0;
	int err;

	memset(kp, 0, sizeof(*kp));
	if (!m->has_kp)
		return SKM_ENOTFOUND;
	/* E.6.1: DPPK-ID = the CSB ID of the MIKEY message */
	if ((err = kdf_dpck(gmk, m->hdr.csb_id, dpck)) != 0)
		goto out;
	if ((err = mikey_kp_unseal(dpck, m->hdr.csb_id, m->kp.data, m->kp.len, &pt, &ptlen,
	    NULL, 0)) != 0)
		goto out;
	if ((err = mikey_kp_decode(pt, ptlen, kp, NULL, 0)) != 0)
		mikey_kp_clear(kp);
out:
	if (pt != NULL)
		OPENSSL_clear_free(pt, ptlen + 1);
	OPENSSL_cleanse(dpck, sizeof(dpck));
	return err;
}
