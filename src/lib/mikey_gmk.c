/* SPDX-License-Identifier: ISC */
/*
 * The GMK I_MESSAGE (TS 33.180 E.1, E.2; RFC 6509): made by a GMS for one
 * group member, opened by the member. Builds on the payload codec
 * (mikey.c), SAKKE, ECCSI and the TS 33.180 Annex F derivations; it must
 * not build per-message tables (the caller passes prepared keys) and must
 * leave no copy of the GMK behind.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/err.h"
#include "lib/ct.h"
#include "lib/kdf.h"
#include "lib/mikey_gmk.h"
#include "lib/uid.h"

#define GMK_TAG(id)	((id) >> 28)	/* TS 33.180 5.2.3 purpose tag */

int
mikey_gmk_make(const struct mikey_gmk_send *s, uint8_t **msg, size_t *len)
{
	struct mikey_w w;
	struct mikey_hdr h;
	struct mikey_sp sp;
	uint8_t rnd[MIKEY_RAND_LEN], spi[MIKEY_GMK_SPI_LEN], policy = 0;
	uint8_t spparams[MIKEY_SP_GMK_LEN], sed[SAKKE_SED_LEN], sig[ECCSI_SIG_LEN];
	uint8_t *kpbuf = NULL;
	size_t kplen = 0, kmslen;
	uint32_t guk_id;
	int err;

	*msg = NULL;
	*len = 0;
	mikey_w_init(&w);
	if (s->signer == NULL || s->gms_uri == NULL || s->gms_uid == NULL ||
	    s->user_uri == NULL || s->user_uid == NULL || s->kms_uri == NULL ||
	    s->z == NULL || s->gmk == NULL || GMK_TAG(s->gmk_id) != MIKEY_KP_TYPE_GMK)
		return SKM_EINVAL;
	kmslen = strlen(s->kms_uri);
	/* E.2: CSB ID = GUK-ID, for this receiver */
	if ((err = kdf_guk_id(s->gmk, s->gmk_id, s->user_uri, strlen(s->user_uri),
	    &guk_id)) != 0)
		goto out;
	/* the GUK-ID is public: it is the CSB ID in the clear HDR */
	ct_declassify(&guk_id, sizeof(guk_id));
	if (s->rand != NULL)
		memcpy(rnd, s->rand, sizeof(rnd));
	else if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		err = SKM_ECRYPTO;
		goto out;
	}
	/* RFC 6508 6.2.1 to the receiver's UID (TS 33.180 E.1.1) */
	if (s->sed != NULL)
		memcpy(sed, s->sed, sizeof(sed));
	else if ((err = sakke_encapsulate(s->z, s->user_uid, UID_LEN, s->gmk,
	    sed)) != 0)
		goto out;
	/* the whole SED is sent in clear, H = SSV XOR mask included */
	ct_declassify(sed, sizeof(sed));
	if (s->kp != NULL && (err = mikey_kp_protect(s->kp, s->gmk, guk_id, s->ts >> 32,
	    NULL, &kpbuf, &kplen)) != 0)
		goto out;

	memset(&h, 0, sizeof(h));
	h.data_type = MIKEY_DATA_SAKKE;
	h.prf = MIKEY_PRF_HMAC_SHA256;
	h.csb_id = guk_id;
	h.map_type = MIKEY_MAP_GENERIC;
	h.ncs = 1;
	/* TS 33.180 7.4.2: the SRTP MKI of group media is GMK-ID || GUK-ID */
	spi[0] = (uint8_t)(s->gmk_id >> 24);
	spi[1] = (uint8_t)(s->gmk_id >> 16);
	spi[2] = (uint8_t)(s->gmk_id >> 8);
	spi[3] = (uint8_t)s->gmk_id;
	spi[4] = (uint8_t)(guk_id >> 24);
	spi[5] = (uint8_t)(guk_id >> 16);
	spi[6] = (uint8_t)(guk_id >> 8);
	spi[7] = (uint8_t)guk_id;
	h.cs[0].id = MIKEY_GMK_CS_ID;
	h.cs[0].ps = &policy;
	h.cs[0].nps = 1;
	h.cs[0].spi = spi;
	h.cs[0].spilen = sizeof(spi);
	mikey_hdr_put(&w, &h);
	mikey_t_put(&w, s->ts);
	mikey_rand_put(&w, rnd, sizeof(rnd));
	if (s->hide) {
		/* TS 33.180 E.7: the UIDs stand in for the identities */
		mikey_idr_put(&w, MIKEY_ROLE_UIDI, MIKEY_IDT_BYTES, s->gms_uid, UID_LEN);
		mikey_idr_put(&w, MIKEY_ROLE_UIDR, MIKEY_IDT_BYTES, s->user_uid, UID_LEN);
	} else {
		mikey_idr_put(&w, MIKEY_ROLE_I, MIKEY_IDT_URI, (const uint8_t *)s->gms_uri,
		    strlen(s->gms_uri));
		mikey_idr_put(&w, MIKEY_ROLE_R, MIKEY_IDT_URI, (const uint8_t *)s->user_uri,
		    strlen(s->user_uri));
	}
	mikey_idr_put(&w, MIKEY_ROLE_KMSI, MIKEY_IDT_URI, (const uint8_t *)s->kms_uri, kmslen);
	mikey_idr_put(&w, MIKEY_ROLE_KMSR, MIKEY_IDT_URI, (const uint8_t *)s->kms_uri, kmslen);
	memset(&sp, 0, sizeof(sp));
	sp.prot = MIKEY_SP_SRTP;
	sp.params = spparams;
	sp.plen = (uint16_t)mikey_sp_gmk_params(spparams);
	mikey_sp_put(&w, &sp);
	/* H always in its 16 octets, though a peer may write it shorter */
	mikey_sakke_put(&w, MIKEY_SAKKE_PARAMS_1, MIKEY_SAKKE_SCHEME_UID, sed, sizeof(sed));
	if (kpbuf != NULL)
		mikey_gext_put(&w, MIKEY_GEXT_KEY_PARAMS, kpbuf, kplen);
	mikey_sign_hdr_put(&w);
	if ((err = w.err) != 0)
		goto out;
	/* RFC 3830 5.2: the signature covers everything before it, SIGN header included */
	if ((err = eccsi_sign(s->signer, w.p, w.len, sig)) != 0)
		goto out;
	mikey_raw_put(&w, sig, sizeof(sig));
	err = mikey_w_finish(&w, msg, len);
out:
	mikey_w_free(&w);
	OPENSSL_free(kpbuf);
	OPENSSL_cleanse(sed, sizeof(sed));
	return err;
}

int
mikey_gmk_decrypt(const struct mikey_imsg *m, const struct sakke_user *u,
    const char *my_uri, size_t urilen, uint8_t gmk[MIKEY_GMK_LEN], uint32_t *gmk_id,
    uint32_t *guk_id)
{
	uint8_t sed[SAKKE_SED_LEN];
	int err;

	memset(gmk, 0, MIKEY_GMK_LEN);
	*gmk_id = 0;
	*guk_id = 0;
	if (m->sakke.data == NULL || m->sakke.params != MIKEY_SAKKE_PARAMS_1 ||
	    m->sakke.scheme != MIKEY_SAKKE_SCHEME_UID || my_uri == NULL)
		return SKM_EINVAL;
	/* the GUK-ID keeps the GMK purpose tag (TS 33.180 F.1.3) */
	if (GMK_TAG(m->hdr.csb_id) != MIKEY_KP_TYPE_GMK)
		return SKM_EINVAL;
	/* a short H is padded back; TEST = R refuses it if that is wrong */
	if (mikey_sakke_sed(&m->sakke, sed) != 0)
		return SKM_EINVAL;
	if ((err = sakke_decapsulate(u, sed, gmk)) != 0)
		goto out;
	/* F.1.3: the same XOR with the receiver's own salt gives back the GMK-ID */
	if ((err = kdf_guk_id(gmk, m->hdr.csb_id, my_uri, urilen, gmk_id)) != 0)
		goto out;
	/* the GMK-ID is public: it travels in clear in the SPI (the SRTP MKI) */
	ct_declassify(gmk_id, sizeof(*gmk_id));
	*guk_id = m->hdr.csb_id;
out:
	if (err != 0) {
		OPENSSL_cleanse(gmk, MIKEY_GMK_LEN);
		*gmk_id = 0;
	}
	return err;
}
