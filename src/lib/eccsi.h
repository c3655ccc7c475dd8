/* SPDX-License-Identifier: ISC */
/*
 * ECCSI (RFC 6507) on NIST P-256 with SHA-256, as MIKEY-SAKKE uses it: the
 * KMS side (KSAK/KPAK, SSK/PVT per identifier), the client-side SSK check,
 * signing and verification. Identifiers are octet strings of at most
 * ECCSI_ID_MAX octets (for MIKEY-SAKKE the 32-octet UID of TS 33.180
 * F.2.1, used raw). Points are 04 || x || y; scalars 32 octets big-endian.
 * Operations on secrets run in constant time; only PVT, KPAK, signatures
 * and accept/reject outcomes are treated as public. Functions return 0 or
 * a negative SKM_E* code; nothing here logs.
 */
#ifndef SKM_LIB_ECCSI_H
#define SKM_LIB_ECCSI_H

#include <stddef.h>
#include <stdint.h>

#define ECCSI_SCALAR_LEN	32
#define ECCSI_POINT_LEN		65	/* 04 || x || y */
#define ECCSI_SIG_LEN		(2 * ECCSI_SCALAR_LEN + ECCSI_POINT_LEN)
#define ECCSI_PRF_KEY_LEN	32
#define ECCSI_ID_MAX		128

struct eccsi_kms;	/* KSAK and the PRF key for v (SECRET), KPAK */
struct eccsi_signer;	/* a validated SSK (SECRET), PVT and HS */

/*
 * A fresh KSAK in [1, q-1] (512 bits from RAND_priv_bytes reduced mod q)
 * and a fresh PRF key. *kms lives in the secure heap; eccsi_kms_free.
 */
int eccsi_kms_generate(struct eccsi_kms **kms);

/*
 * The KMS from stored secrets (big-endian KSAK). A KSAK of 0 or >= q is
 * SKM_ERANGE. The inputs are copied; the caller cleanses its own.
 */
int eccsi_kms_load(struct eccsi_kms **kms, const uint8_t ksak[ECCSI_SCALAR_LEN],
    const uint8_t prf_key[ECCSI_PRF_KEY_LEN]);

/* Writes the secrets for sealing; the caller cleanses them. */
int eccsi_kms_export(const struct eccsi_kms *kms, uint8_t ksak[ECCSI_SCALAR_LEN],
    uint8_t prf_key[ECCSI_PRF_KEY_LEN]);

/* KPAK = [KSAK]G. */
int eccsi_kms_kpak(const struct eccsi_kms *kms, uint8_t kpak[ECCSI_POINT_LEN]);

void eccsi_kms_free(struct eccsi_kms *kms);

/*
 * RFC 6507 5.1.1 with v = PRF(prf_key, id) mod q, deterministic (RFC 6979
 * style): the same identifier always gets the same SSK/PVT, and distinct
 * identifiers get independent v (a shared v would need an HMAC collision).
 * PRF: blocks B1, B2 = HMAC-SHA-256(prf_key, "skms ECCSI v" || 0x00 ||
 * counter (4 octets) || block number (1 octet, 1 or 2) || id), and
 * v = (B1 || B2) mod q, reduced in constant time; the 512-bit input makes
 * the bias below 2^-256 without a rejection loop on secret data. The
 * counter starts at 0 and moves on only if v = 0 or SSK = 0 (probability
 * about 2^-256 each). Before returning it runs the KMS-side checks: SSK
 * != 0, PVT not infinity, and the RFC 6507 5.1.2 equation. The caller
 * cleanses ssk.
 */
int eccsi_ssk_derive(const struct eccsi_kms *kms, const uint8_t *id, size_t idlen,
    uint8_t ssk[ECCSI_SCALAR_LEN], uint8_t pvt[ECCSI_POINT_LEN]);

/* The same with a given v in [1, q-1] (known-answer tests only). */
int eccsi_ssk_derive_v(const struct eccsi_kms *kms, const uint8_t *id, size_t idlen,
    const uint8_t v[ECCSI_SCALAR_LEN], uint8_t ssk[ECCSI_SCALAR_LEN],
    uint8_t pvt[ECCSI_POINT_LEN]);

/*
 * RFC 6507 5.1.2: 0 iff PVT is a valid point and [SSK]G = KPAK + [HS]PVT.
 * SKM_EPOINT for a KPAK or PVT that is not 04 || x || y on the curve,
 * SKM_EVERIFY for an SSK of 0, >= q or not matching.
 */
int eccsi_ssk_validate(const uint8_t kpak[ECCSI_POINT_LEN], const uint8_t *id,
    size_t idlen, const uint8_t ssk[ECCSI_SCALAR_LEN],
    const uint8_t pvt[ECCSI_POINT_LEN]);

/*
 * A signer: validates (SSK, PVT) as eccsi_ssk_validate and caches HS and
 * PVT; the SSK is copied into the secure heap. Free with eccsi_signer_free.
 */
int eccsi_signer_new(struct eccsi_signer **signer, const uint8_t kpak[ECCSI_POINT_LEN],
    const uint8_t *id, size_t idlen, const uint8_t ssk[ECCSI_SCALAR_LEN],
    const uint8_t pvt[ECCSI_POINT_LEN]);
void eccsi_signer_free(struct eccsi_signer *signer);

/*
 * RFC 6507 5.2.1 with a fresh random j in [1, q-1] (512 bits from
 * RAND_priv_bytes mod q); sig = r || s || PVT. A j for which r = 0, r >= q
 * or HE + r SSK = 0 mod q is replaced by a fresh one.
 */
int eccsi_sign(const struct eccsi_signer *signer, const uint8_t *msg, size_t len,
    uint8_t sig[ECCSI_SIG_LEN]);

/*
 * The same with a given j (known-answer tests only): SKM_ERANGE for j = 0
 * or j >= q, SKM_EZERO when that j gives no valid signature.
 */
int eccsi_sign_j(const struct eccsi_signer *signer, const uint8_t *msg, size_t len,
    const uint8_t j[ECCSI_SCALAR_LEN], uint8_t sig[ECCSI_SIG_LEN]);

/*
 * RFC 6507 5.2.2: 0 iff sig is a valid signature of msg by id: PVT on the
 * curve, r and s in [1, q-1], Jx = r and Jx != 0. SKM_EPOINT for a bad
 * KPAK, SKM_EVERIFY for any defect of the signature.
 */
int eccsi_verify(const uint8_t kpak[ECCSI_POINT_LEN], const uint8_t *id, size_t idlen,
    const uint8_t *msg, size_t len, const uint8_t sig[ECCSI_SIG_LEN]);

/* 0 iff p is 04 || x || y of a point of P-256 other than infinity (a KPAK or PVT). */
int eccsi_point_check(const uint8_t p[ECCSI_POINT_LEN]);

#endif
