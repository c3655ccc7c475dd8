/* SPDX-License-Identifier: ISC */
/*
 * ECCSI (RFC 6507) on NIST P-256 with SHA-256, as MIKEY-SAKKE uses it: the
 * KMS side (KSAK/KPAK, SSK/PVT per identifier), the client-side SSK check,
 * signing and verification. Identifiers are octet strings (for MIKEY-SAKKE
 * the 32-octet UID of TS 33.180 F.2.1). Operations on secrets run in
 * constant time.
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

/* A fresh KSAK in [1, q-1] and a fresh PRF key. */
int eccsi_kms_generate(struct eccsi_kms **kms);

/* The KMS from stored secrets (big-endian KSAK, 1 <= KSAK <= q-1). */
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
 * style): the same identifier always gets the same SSK/PVT, and two
 * identifiers never share a v. Runs the KMS-side checks before returning.
 */
int eccsi_ssk_derive(const struct eccsi_kms *kms, const uint8_t *id, size_t idlen,
    uint8_t ssk[ECCSI_SCALAR_LEN], uint8_t pvt[ECCSI_POINT_LEN]);

/* The same with a given v (known-answer tests only). */
int eccsi_ssk_derive_v(const struct eccsi_kms *kms, const uint8_t *id, size_t idlen,
    const uint8_t v[ECCSI_SCALAR_LEN], uint8_t ssk[ECCSI_SCALAR_LEN],
    uint8_t pvt[ECCSI_POINT_LEN]);

/* RFC 6507 5.1.2: 0 iff PVT is a valid point and [SSK]G = KPAK + [HS]PVT. */
int eccsi_ssk_validate(const uint8_t kpak[ECCSI_POINT_LEN], const uint8_t *id,
    size_t idlen, const uint8_t ssk[ECCSI_SCALAR_LEN],
    const uint8_t pvt[ECCSI_POINT_LEN]);

/* A signer: validates (SSK, PVT) as eccsi_ssk_validate and caches HS. */
int eccsi_signer_new(struct eccsi_signer **signer, const uint8_t kpak[ECCSI_POINT_LEN],
    const uint8_t *id, size_t idlen, const uint8_t ssk[ECCSI_SCALAR_LEN],
    const uint8_t pvt[ECCSI_POINT_LEN]);
void eccsi_signer_free(struct eccsi_signer *signer);

/* RFC 6507 5.2.1 with a fresh random j; sig = r || s || PVT. */
int eccsi_sign(const struct eccsi_signer *signer, const uint8_t *msg, size_t len,
    uint8_t sig[ECCSI_SIG_LEN]);

/* The same with a given j (known-answer tests only). */
int eccsi_sign_j(const struct eccsi_signer *signer, const uint8_t *msg, size_t len,
    const uint8_t j[ECCSI_SCALAR_LEN], uint8_t sig[ECCSI_SIG_LEN]);

/* RFC 6507 5.2.2: 0 iff sig is a valid signature of msg by id. */
int eccsi_verify(const uint8_t kpak[ECCSI_POINT_LEN], const uint8_t *id, size_t idlen,
    const uint8_t *msg, size_t len, const uint8_t sig[ECCSI_SIG_LEN]);

#endif
