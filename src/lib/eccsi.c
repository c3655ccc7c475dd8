/* SPDX-License-Identifier: ISC */
/*
 * ECCSI (RFC 6507) on P-256/SHA-256. Secret scalars (KSAK, v, SSK, j) live
 * in p256n Montgomery form and meet points only through the constant-time
 * p256_mul_g and the constant-time half of p256_mul2_eq; OpenSSL's EC_POINT
 * code sees public points and public scalars only (verification).
 * ct_declassify marks the values that are public by design: PVT, KPAK,
 * J (r), s and accept/reject outcomes.
 * This file must not log, and must not keep a secret outside the secure
 * heap or past the call that used it.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/err.h"
#include "lib/ct.h"
#include "lib/eccsi.h"
#include "lib/eccsi_kpak.h"
#include "lib/p256.h"
#include "lib/p256n.h"

#define FQ	(&p256n_q)

/* domain separation for v = PRF(prf_key, ID); see derive_v() */
static const char v_label[] = "skms ECCSI v";
#define V_TRIES	8
#define J_TRIES	64

struct eccsi_kms {
	uint64_t ksak[4];			/* SECRET, Montgomery form */
	uint8_t ksak_be[ECCSI_SCALAR_LEN];	/* SECRET */
	uint8_t prf_key[ECCSI_PRF_KEY_LEN];	/* SECRET */
	uint8_t kpak[ECCSI_POINT_LEN];
	struct p256_tab *kpak_tab;	/* multiples of KPAK for ssk_check */
	EVP_MAC_CTX *prf;		/* SECRET: HMAC-SHA-256 keyed with prf_key */
};

struct eccsi_signer {
	uint64_t ssk[4];			/* SECRET, Montgomery form */
	uint8_t hs[ECCSI_SCALAR_LEN];
	uint8_t pvt[ECCSI_POINT_LEN];
};

/* Decodes a point, refusing anything but 04 || x || y on the curve. */
static int
point_decode(const EC_GROUP *g, const uint8_t in[ECCSI_POINT_LEN], EC_POINT **pt)
{
	if (in[0] != 0x04)
		return SKM_EPOINT;
	if ((*pt = EC_POINT_new(g)) == NULL)
		return SKM_ENOMEM;
	if (!EC_POINT_oct2point(g, *pt, in, ECCSI_POINT_LEN, NULL) ||
	    EC_POINT_is_at_infinity(g, *pt)) {
		EC_POINT_free(*pt);
		*pt = NULL;
		return SKM_EPOINT;
	}
	return 0;
}

static EVP_MD *sha256;
static CRYPTO_ONCE sha256_once = CRYPTO_ONCE_STATIC_INIT;

static void
sha256_fetch(void)
{
	sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
}

/*
 * SHA-256 fetched once for the process: EVP_sha256() makes every
 * EVP_DigestInit_ex look the implementation up again, 40% of a hash
 * this short. NULL if OpenSSL has none.
 */
static const EVP_MD *
md_sha256(void)
{
	if (!CRYPTO_THREAD_run_once(&sha256_once, sha256_fetch))
		return NULL;
	return sha256;
}

/* RFC 6507 5.1.1 step 3: HS = hash(G || KPAK || ID || PVT) */
static int
hash_hs(const uint8_t kpak[ECCSI_POINT_LEN], const uint8_t *id, size_t idlen,
    const uint8_t pvt[ECCSI_POINT_LEN], uint8_t hs[ECCSI_SCALAR_LEN])
{
	const EVP_MD *sha = md_sha256();
	EVP_MD_CTX *md;
	int ok;

	if (sha == NULL)
		return SKM_ECRYPTO;
	if ((md = EVP_MD_CTX_new()) == NULL)
		return SKM_ENOMEM;
	ok = EVP_DigestInit_ex(md, sha, NULL) &&
	    EVP_DigestUpdate(md, p256_g, sizeof(p256_g)) &&
	    EVP_DigestUpdate(md, kpak, ECCSI_POINT_LEN) &&
	    EVP_DigestUpdate(md, id, idlen) &&
	    EVP_DigestUpdate(md, pvt, ECCSI_POINT_LEN) &&
	    EVP_DigestFinal_ex(md, hs, NULL);
	EVP_MD_CTX_free(md);
	return ok ? 0 : SKM_ECRYPTO;
}

/* RFC 6507 5.2.1 step 3: HE = hash(HS || r || M) */
static int
hash_he(const uint8_t hs[ECCSI_SCALAR_LEN], const uint8_t r[ECCSI_SCALAR_LEN],
    const uint8_t *msg, size_t len, uint8_t he[ECCSI_SCALAR_LEN])
{
	const EVP_MD *sha = md_sha256();
	EVP_MD_CTX *md;
	int ok;

	if (sha == NULL)
		return SKM_ECRYPTO;
	if ((md = EVP_MD_CTX_new()) == NULL)
		return SKM_ENOMEM;
	ok = EVP_DigestInit_ex(md, sha, NULL) &&
	    EVP_DigestUpdate(md, hs, ECCSI_SCALAR_LEN) &&
	    EVP_DigestUpdate(md, r, ECCSI_SCALAR_LEN) &&
	    EVP_DigestUpdate(md, msg, len) &&
	    EVP_DigestFinal_ex(md, he, NULL);
	EVP_MD_CTX_free(md);
	return ok ? 0 : SKM_ECRYPTO;
}

/* All-ones iff 1 <= x <= q - 1 (x plain, not Montgomery). */
static uint64_t
scalar_ok(const uint64_t x[4])
{
	return p256n_lt(x, FQ->m) & ~p256n_is_zero(x);
}

/* Declassifies a mask: whether a secret passed a check is public. */
static int
mask_public(uint64_t mask)
{
	ct_declassify(&mask, sizeof(mask));
	return mask != 0;
}

static int
id_check(const uint8_t *id, size_t idlen)
{
	if (id == NULL && idlen != 0)
		return SKM_EINVAL;
	if (idlen > ECCSI_ID_MAX)
		return SKM_ELEN;
	return 0;
}

/*
 * The PRF of derive_v keyed once per KMS: every derivation duplicates it
 * rather than setting the key up again (HMAC() fetched and keyed a new
 * context per call, half the cost of the PRF). OpenSSL keeps the keyed
 * state in its own heap and cleanses it when the context is freed.
 */
static int
prf_new(EVP_MAC_CTX **ctx, const uint8_t key[ECCSI_PRF_KEY_LEN])
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
		OSSL_PARAM_construct_end()
	};
	EVP_MAC *mac;

	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return SKM_ECRYPTO;
	*ctx = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	if (*ctx == NULL)
		return SKM_ENOMEM;
	if (!EVP_MAC_init(*ctx, key, ECCSI_PRF_KEY_LEN, params))
		return SKM_ECRYPTO;
	return 0;
}

int
eccsi_kms_load(struct eccsi_kms **kmsp, const uint8_t ksak[ECCSI_SCALAR_LEN],
    const uint8_t prf_key[ECCSI_PRF_KEY_LEN])
{
	struct eccsi_kms *kms = NULL;
	uint64_t k[4];
	int err;

	*kmsp = NULL;
	p256n_from_bytes(k, ksak);
	/* RFC 6507 4.2: KSAK in [1, q-1] */
	if (!mask_public(scalar_ok(k))) {
		err = SKM_ERANGE;
		goto out;
	}
	if ((kms = OPENSSL_secure_zalloc(sizeof(*kms))) == NULL) {
		err = SKM_ENOMEM;
		goto out;
	}
	p256n_to_mont(FQ, kms->ksak, k);
	memcpy(kms->ksak_be, ksak, ECCSI_SCALAR_LEN);
	memcpy(kms->prf_key, prf_key, ECCSI_PRF_KEY_LEN);
	/* KPAK is published; KSAK != 0 mod q so it is never infinity */
	(void)p256_mul_g(kms->kpak, ksak);
	ct_declassify(kms->kpak, sizeof(kms->kpak));
	if ((kms->kpak_tab = p256_tab_new(kms->kpak)) == NULL) {
		err = SKM_ENOMEM;
		goto out;
	}
	if ((err = prf_new(&kms->prf, prf_key)) != 0)
		goto out;
	*kmsp = kms;
	kms = NULL;
	err = 0;
out:
	OPENSSL_cleanse(k, sizeof(k));
	eccsi_kms_free(kms);
	return err;
}

int
eccsi_kms_generate(struct eccsi_kms **kmsp)
{
	uint8_t buf[64], ksak[ECCSI_SCALAR_LEN], prf[ECCSI_PRF_KEY_LEN];
	uint64_t k[4];
	int err, i;

	*kmsp = NULL;
	/* 512 random bits mod q: bias below 2^-256, no rejection loop on secrets */
	for (i = 0; i < V_TRIES; i++) {
		if (RAND_priv_bytes(buf, sizeof(buf)) != 1 ||
		    RAND_priv_bytes(prf, sizeof(prf)) != 1) {
			err = SKM_ECRYPTO;
			goto out;
		}
		p256n_reduce512(FQ, k, buf);
		p256n_from_mont(FQ, k, k);
		if (!mask_public(p256n_is_zero(k)))
			break;
	}
	p256n_to_bytes(ksak, k);
	err = i == V_TRIES ? SKM_ECRYPTO : eccsi_kms_load(kmsp, ksak, prf);
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	OPENSSL_cleanse(ksak, sizeof(ksak));
	OPENSSL_cleanse(prf, sizeof(prf));
	OPENSSL_cleanse(k, sizeof(k));
	return err;
}

int
eccsi_kms_export(const struct eccsi_kms *kms, uint8_t ksak[ECCSI_SCALAR_LEN],
    uint8_t prf_key[ECCSI_PRF_KEY_LEN])
{
	memcpy(ksak, kms->ksak_be, ECCSI_SCALAR_LEN);
	memcpy(prf_key, kms->prf_key, ECCSI_PRF_KEY_LEN);
	return 0;
}

int
eccsi_kms_kpak(const struct eccsi_kms *kms, uint8_t kpak[ECCSI_POINT_LEN])
{
	memcpy(kpak, kms->kpak, ECCSI_POINT_LEN);
	return 0;
}

void
eccsi_kms_free(struct eccsi_kms *kms)
{
	if (kms == NULL)
		return;
	p256_tab_free(kms->kpak_tab);
	EVP_MAC_CTX_free(kms->prf);
	OPENSSL_secure_clear_free(kms, sizeof(*kms));
}

/*
 * [SSK]G == KPAK + [HS]PVT (RFC 6507 5.1.2 step 3), checked as
 * PVT == [SSK/HS]G + [-1/HS]KPAK: both points are fixed for a KMS, so
 * both multiplications run over tables with no doubling (p256_mul2_eq).
 * SSK/HS is as secret as SSK and goes through the constant-time half; HS
 * and so -1/HS are public (variable time). HS = 0 mod q (probability
 * 2^-256) leaves [SSK]G == KPAK. PVT and KPAK are checked points; the
 * outcome is public.
 */
static int
ssk_check(const struct p256_tab *kpak_tab, const uint8_t kpak[ECCSI_POINT_LEN],
    const uint8_t pvt[ECCSI_POINT_LEN], const uint8_t hs[ECCSI_SCALAR_LEN],
    const uint8_t ssk[ECCSI_SCALAR_LEN])
{
	uint8_t u[ECCSI_SCALAR_LEN], w[ECCSI_SCALAR_LEN];
	uint64_t s[4], h[4], zero[4] = { 0 };
	int err;

	p256n_from_bytes(s, ssk);
	if (!mask_public(scalar_ok(s))) {
		err = SKM_EVERIFY;
		goto out;
	}
	p256n_from_bytes(h, hs);
	p256n_to_mont(FQ, h, h);
	if (p256n_is_zero(h)) {
		memset(w, 0, sizeof(w));
		err = mask_public(p256_mul2_eq(ssk, kpak_tab, w, kpak)) ? 0 : SKM_EVERIFY;
		goto out;
	}
	p256n_inv_vartime(FQ, h, h);
	p256n_to_mont(FQ, s, s);
	p256n_mul(FQ, s, s, h);
	p256n_from_mont(FQ, s, s);
	p256n_to_bytes(u, s);
	p256n_sub(FQ, h, zero, h);
	p256n_from_mont(FQ, h, h);
	p256n_to_bytes(w, h);
	err = mask_public(p256_mul2_eq(u, kpak_tab, w, pvt)) ? 0 : SKM_EVERIFY;
out:
	OPENSSL_cleanse(s, sizeof(s));
	OPENSSL_cleanse(u, sizeof(u));
	return err;
}

/*
 * RFC 6507 5.1.1 steps 2-5 for v (Montgomery form, 1 <= v <= q-1), then the
 * KMS-side checks: SSK != 0, PVT not infinity, and the 5.1.2 equation.
 */
static int
derive_with(const struct eccsi_kms *kms, const uint8_t *id, size_t idlen,
    const uint64_t vm[4], uint8_t ssk[ECCSI_SCALAR_LEN], uint8_t pvt[ECCSI_POINT_LEN])
{
	uint8_t v[ECCSI_SCALAR_LEN], hs[ECCSI_SCALAR_LEN];
	uint64_t t[4], h[4], s[4];
	int err;

	p256n_from_mont(FQ, t, vm);
	p256n_to_bytes(v, t);
	if (mask_public(p256_mul_g(pvt, v))) {
		err = SKM_EZERO;
		goto out;
	}
	ct_declassify(pvt, ECCSI_POINT_LEN);
	if ((err = hash_hs(kms->kpak, id, idlen, pvt, hs)) != 0)
		goto out;
	/* step 4: SSK = KSAK + HS v mod q */
	p256n_from_bytes(h, hs);
	p256n_to_mont(FQ, h, h);
	p256n_mul(FQ, t, h, vm);
	p256n_add(FQ, t, t, kms->ksak);
	p256n_from_mont(FQ, s, t);
	if (mask_public(p256n_is_zero(s))) {
		err = SKM_EZERO;
		goto out;
	}
	p256n_to_bytes(ssk, s);
	/* PVT is a point: [v]G of v != 0 */
	err = ssk_check(kms->kpak_tab, kms->kpak, pvt, hs, ssk);
out:
	if (err != 0) {
		OPENSSL_cleanse(ssk, ECCSI_SCALAR_LEN);
		memset(pvt, 0, ECCSI_POINT_LEN);
	}
	OPENSSL_cleanse(v, sizeof(v));
	OPENSSL_cleanse(t, sizeof(t));
	OPENSSL_cleanse(h, sizeof(h));
	OPENSSL_cleanse(s, sizeof(s));
	return err;
}

int
eccsi_ssk_derive_v(const struct eccsi_kms *kms, const uint8_t *id, size_t idlen,
    const uint8_t v[ECCSI_SCALAR_LEN], uint8_t ssk[ECCSI_SCALAR_LEN],
    uint8_t pvt[ECCSI_POINT_LEN])
{
	uint64_t vm[4];
	int err;

	if ((err = id_check(id, idlen)) != 0)
		return err;
	p256n_from_bytes(vm, v);
	if (!mask_public(scalar_ok(vm))) {
		err = SKM_ERANGE;
		goto out;
	}
	p256n_to_mont(FQ, vm, vm);
	err = derive_with(kms, id, idlen, vm, ssk, pvt);
out:
	OPENSSL_cleanse(vm, sizeof(vm));
	return err;
}

/*
 * v = PRF(prf_key, ID) mod q: two HMAC-SHA-256 blocks over
 * label || 0x00 || counter (4 octets) || block (1 octet) || ID give 512 bits,
 * reduced mod q in constant time (bias below 2^-256, no rejection loop).
 * v = 0, or an SSK of 0, moves to the next counter (probability 2^-256 each).
 */
static int
derive_v(const struct eccsi_kms *kms, const uint8_t *id, size_t idlen,
    uint32_t ctr, uint64_t vm[4])
{
	uint8_t in[sizeof(v_label) + 5 + ECCSI_ID_MAX], out[64];
	size_t n = sizeof(v_label);	/* the label and its NUL */
	size_t mdlen;
	EVP_MAC_CTX *ctx;
	int blk, err = 0;

	memcpy(in, v_label, sizeof(v_label));
	in[n++] = (uint8_t)(ctr >> 24);
	in[n++] = (uint8_t)(ctr >> 16);
	in[n++] = (uint8_t)(ctr >> 8);
	in[n++] = (uint8_t)ctr;
	n++;
	if (idlen > 0)
		memcpy(in + n, id, idlen);
	if ((ctx = EVP_MAC_CTX_dup(kms->prf)) == NULL)
		return SKM_ENOMEM;
	for (blk = 0; blk < 2; blk++) {
		in[n - 1] = (uint8_t)(blk + 1);
		/* a NULL key starts a new MAC under the same key */
		if ((blk > 0 && !EVP_MAC_init(ctx, NULL, 0, NULL)) ||
		    !EVP_MAC_update(ctx, in, n + idlen) ||
		    !EVP_MAC_final(ctx, out + 32 * blk, &mdlen, 32) || mdlen != 32) {
			err = SKM_ECRYPTO;
			goto out;
		}
	}
	p256n_reduce512(FQ, vm, out);
out:
	EVP_MAC_CTX_free(ctx);
	OPENSSL_cleanse(out, sizeof(out));
	return err;
}

int
eccsi_ssk_derive(const struct eccsi_kms *kms, const uint8_t *id, size_t idlen,
    uint8_t ssk[ECCSI_SCALAR_LEN], uint8_t pvt[ECCSI_POINT_LEN])
{
	uint64_t vm[4];
	uint32_t ctr;
	int err = SKM_EZERO;

	if ((err = id_check(id, idlen)) != 0)
		return err;
	for (ctr = 0; ctr < V_TRIES; ctr++) {
		if ((err = derive_v(kms, id, idlen, ctr, vm)) != 0)
			break;
		if (mask_public(p256n_is_zero(vm))) {
			err = SKM_EZERO;
			continue;
		}
		if ((err = derive_with(kms, id, idlen, vm, ssk, pvt)) != SKM_EZERO)
			break;
	}
	OPENSSL_cleanse(vm, sizeof(vm));
	return err;
}

/*
 * RFC 6507 5.1.2: both points checked (step 1 for PVT), HS, then the
 * equation under the cached table of KPAK.
 */
static int
validate_hs(const uint8_t kpak[ECCSI_POINT_LEN], const uint8_t *id, size_t idlen,
    const uint8_t ssk[ECCSI_SCALAR_LEN], const uint8_t pvt[ECCSI_POINT_LEN],
    uint8_t hs[ECCSI_SCALAR_LEN])
{
	struct eccsi_kpak *k = NULL;
	int err;

	if ((err = id_check(id, idlen)) != 0)
		return err;
	if ((err = p256_point_check(kpak)) != 0 || (err = p256_point_check(pvt)) != 0)
		return err;
	if ((err = hash_hs(kpak, id, idlen, pvt, hs)) != 0)
		return err;
	if ((k = eccsi_kpak_get(kpak)) == NULL)
		return SKM_ENOMEM;
	err = ssk_check(eccsi_kpak_tab(k), kpak, pvt, hs, ssk);
	eccsi_kpak_put(k);
	return err;
}

int
eccsi_ssk_validate(const uint8_t kpak[ECCSI_POINT_LEN], const uint8_t *id,
    size_t idlen, const uint8_t ssk[ECCSI_SCALAR_LEN],
    const uint8_t pvt[ECCSI_POINT_LEN])
{
	uint8_t hs[ECCSI_SCALAR_LEN];

	return validate_hs(kpak, id, idlen, ssk, pvt, hs);
}

int
eccsi_signer_new(struct eccsi_signer **signerp, const uint8_t kpak[ECCSI_POINT_LEN],
    const uint8_t *id, size_t idlen, const uint8_t ssk[ECCSI_SCALAR_LEN],
    const uint8_t pvt[ECCSI_POINT_LEN])
{
	struct eccsi_signer *s = NULL;
	int err;

	*signerp = NULL;
	if ((err = id_check(id, idlen)) != 0)
		return err;
	if ((s = OPENSSL_secure_zalloc(sizeof(*s))) == NULL)
		return SKM_ENOMEM;
	if ((err = validate_hs(kpak, id, idlen, ssk, pvt, s->hs)) != 0)
		goto out;
	p256n_from_bytes(s->ssk, ssk);
	p256n_to_mont(FQ, s->ssk, s->ssk);
	memcpy(s->pvt, pvt, ECCSI_POINT_LEN);
	*signerp = s;
	s = NULL;
out:
	eccsi_signer_free(s);
	return err;
}

void
eccsi_signer_free(struct eccsi_signer *signer)
{
	if (signer != NULL)
		OPENSSL_secure_clear_free(signer, sizeof(*signer));
}

/*
 * RFC 6507 5.2.1 steps 2-7 for jm (Montgomery form) and its octets j.
 * SKM_EZERO when this j gives no valid signature: r = 0, r >= q (a
 * verifier refuses it), or HE + r SSK = 0 mod q.
 */
static int
sign_with(const struct eccsi_signer *signer, const uint8_t *msg, size_t len,
    const uint64_t jm[4], const uint8_t j[ECCSI_SCALAR_LEN], uint8_t sig[ECCSI_SIG_LEN])
{
	uint8_t jpt[ECCSI_POINT_LEN], he[ECCSI_SCALAR_LEN];
	uint64_t r[4], h[4], t[4];
	int err;

	/* step 2: J = [j]G, r = Jx; r is part of the signature */
	if (mask_public(p256_mul_g(jpt, j))) {
		err = SKM_EZERO;
		goto out;
	}
	ct_declassify(jpt, sizeof(jpt));
	p256n_from_bytes(r, jpt + 1);
	if (!scalar_ok(r)) {
		err = SKM_EZERO;
		goto out;
	}
	/* step 3 */
	if ((err = hash_he(signer->hs, jpt + 1, msg, len, he)) != 0)
		goto out;
	p256n_to_mont(FQ, r, r);
	p256n_from_bytes(h, he);
	p256n_to_mont(FQ, h, h);
	/* steps 4-5: s = (HE + r SSK)^-1 j mod q */
	p256n_mul(FQ, t, r, signer->ssk);
	p256n_add(FQ, t, t, h);
	if (mask_public(p256n_is_zero(t))) {
		err = SKM_EZERO;
		goto out;
	}
	p256n_inv(FQ, t, t);
	p256n_mul(FQ, t, t, jm);
	p256n_from_mont(FQ, t, t);
	/* steps 6-7: s < q < 2^256 always fits; sig = r || s || PVT */
	memcpy(sig, jpt + 1, ECCSI_SCALAR_LEN);
	p256n_to_bytes(sig + ECCSI_SCALAR_LEN, t);
	ct_declassify(sig + ECCSI_SCALAR_LEN, ECCSI_SCALAR_LEN);
	memcpy(sig + 2 * ECCSI_SCALAR_LEN, signer->pvt, ECCSI_POINT_LEN);
	err = 0;
out:
	OPENSSL_cleanse(t, sizeof(t));
	OPENSSL_cleanse(jpt, sizeof(jpt));
	return err;
}

int
eccsi_sign_j(const struct eccsi_signer *signer, const uint8_t *msg, size_t len,
    const uint8_t j[ECCSI_SCALAR_LEN], uint8_t sig[ECCSI_SIG_LEN])
{
	uint64_t jm[4];
	int err;

	if (msg == NULL && len != 0)
		return SKM_EINVAL;
	p256n_from_bytes(jm, j);
	if (!mask_public(scalar_ok(jm))) {
		err = SKM_ERANGE;
		goto out;
	}
	p256n_to_mont(FQ, jm, jm);
	err = sign_with(signer, msg, len, jm, j, sig);
out:
	OPENSSL_cleanse(jm, sizeof(jm));
	return err;
}

int
eccsi_sign(const struct eccsi_signer *signer, const uint8_t *msg, size_t len,
    uint8_t sig[ECCSI_SIG_LEN])
{
	uint8_t buf[64], j[ECCSI_SCALAR_LEN];
	uint64_t jm[4], t[4];
	int err = SKM_EZERO, i;

	if (msg == NULL && len != 0)
		return SKM_EINVAL;
	for (i = 0; i < J_TRIES && err == SKM_EZERO; i++) {
		if (RAND_priv_bytes(buf, sizeof(buf)) != 1) {
			err = SKM_ECRYPTO;
			break;
		}
		/* memcheck then tracks the ephemeral as the secret it is */
		ct_poison(buf, sizeof(buf));
		/* RFC 6507 5.2.1 step 1: j in [1, q-1], 512 bits mod q */
		p256n_reduce512(FQ, jm, buf);
		p256n_from_mont(FQ, t, jm);
		if (mask_public(p256n_is_zero(t)))
			continue;
		p256n_to_bytes(j, t);
		err = sign_with(signer, msg, len, jm, j, sig);
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	OPENSSL_cleanse(j, sizeof(j));
	OPENSSL_cleanse(jm, sizeof(jm));
	OPENSSL_cleanse(t, sizeof(t));
	return err;
}

/* 1 <= x <= q-1 for public big-endian x */
static int
public_scalar_ok(const uint8_t x[ECCSI_SCALAR_LEN])
{
	uint64_t w[4];

	p256n_from_bytes(w, x);
	return scalar_ok(w) != 0;
}

int
eccsi_verify(const uint8_t kpak[ECCSI_POINT_LEN], const uint8_t *id, size_t idlen,
    const uint8_t *msg, size_t len, const uint8_t sig[ECCSI_SIG_LEN])
{
	const uint8_t *r = sig, *s = sig + ECCSI_SCALAR_LEN;
	const uint8_t *pvt = sig + 2 * ECCSI_SCALAR_LEN;
	uint8_t hs[ECCSI_SCALAR_LEN], he[ECCSI_SCALAR_LEN], jx[ECCSI_SCALAR_LEN];
	EC_POINT *kpak_pt = NULL, *pvt_pt = NULL, *y = NULL;
	BIGNUM *bh = NULL, *u1 = NULL, *u2 = NULL, *x = NULL;
	uint64_t sm[4], a[4], b[4];
	const EC_GROUP *g;
	int err;

	if ((err = id_check(id, idlen)) != 0)
		return err;
	if (msg == NULL && len != 0)
		return SKM_EINVAL;
	if ((g = p256_group()) == NULL)
		return SKM_ECRYPTO;
	if ((err = point_decode(g, kpak, &kpak_pt)) != 0)
		goto out;
	/* RFC 6507 5.2.2 step 1; r and s must be in [1, q-1] */
	if (point_decode(g, pvt, &pvt_pt) != 0 || !public_scalar_ok(r) ||
	    !public_scalar_ok(s)) {
		err = SKM_EVERIFY;
		goto out;
	}
	/* steps 2-3 */
	if ((err = hash_hs(kpak, id, idlen, pvt, hs)) != 0 ||
	    (err = hash_he(hs, r, msg, len, he)) != 0)
		goto out;
	/* step 4: Y = [HS]PVT + KPAK */
	if ((y = EC_POINT_new(g)) == NULL || (bh = BN_bin2bn(hs, 32, NULL)) == NULL ||
	    (u1 = BN_new()) == NULL || (u2 = BN_new()) == NULL || (x = BN_new()) == NULL) {
		err = SKM_ENOMEM;
		goto out;
	}
	if (!EC_POINT_mul(g, y, NULL, pvt_pt, bh, NULL) ||
	    !EC_POINT_add(g, y, y, kpak_pt, NULL)) {
		err = SKM_ECRYPTO;
		goto out;
	}
	/* step 5: J = [s]([HE]G + [r]Y) = [s HE]G + [s r]Y */
	p256n_from_bytes(sm, s);
	p256n_to_mont(FQ, sm, sm);
	p256n_from_bytes(a, he);
	p256n_mul(FQ, a, a, sm);
	p256n_to_bytes(he, a);
	p256n_from_bytes(b, r);
	p256n_mul(FQ, b, b, sm);
	p256n_to_bytes(jx, b);
	if (BN_bin2bn(he, 32, u1) == NULL || BN_bin2bn(jx, 32, u2) == NULL ||
	    !EC_POINT_mul(g, y, u1, y, u2, NULL)) {
		err = SKM_ECRYPTO;
		goto out;
	}
	/* step 6: Jx = r mod p, Jx != 0 */
	if (EC_POINT_is_at_infinity(g, y) ||
	    !EC_POINT_get_affine_coordinates(g, y, x, NULL, NULL) ||
	    BN_is_zero(x) || BN_bn2binpad(x, jx, 32) != 32 ||
	    CRYPTO_memcmp(jx, r, ECCSI_SCALAR_LEN) != 0) {
		err = SKM_EVERIFY;
		goto out;
	}
	err = 0;
out:
	BN_free(x);
	BN_free(u2);
	BN_free(u1);
	BN_free(bh);
	EC_POINT_free(y);
	EC_POINT_free(pvt_pt);
	EC_POINT_free(kpak_pt);
	return err;
}
