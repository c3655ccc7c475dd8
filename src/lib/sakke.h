/* SPDX-License-Identifier: ISC */
/*
 * SAKKE (RFC 6508) with parameter set 1 of RFC 6509: the KMS side (master
 * secret z, public key Z_S, receiver secret keys), the receiver side (RSK
 * validation and decapsulation) and the sender side (encapsulation).
 *
 * Identifiers are octet strings read as big-endian integers (for MIKEY-SAKKE
 * the 32-octet UID of TS 33.180 F.2.1). Points travel as 04 || x || y, 257
 * octets. Every operation on a secret runs in constant time.
 */
#ifndef SKM_LIB_SAKKE_H
#define SKM_LIB_SAKKE_H

#include <stddef.h>
#include <stdint.h>

#define SAKKE_FE_LEN	128			/* one element of F_p */
#define SAKKE_POINT_LEN	(1 + 2 * SAKKE_FE_LEN)	/* 04 || x || y */
#define SAKKE_SSV_LEN	16			/* n = 128 bits */
#define SAKKE_SED_LEN	(SAKKE_POINT_LEN + SAKKE_SSV_LEN)
#define SAKKE_ID_MAX	128			/* longest identifier accepted */

struct sakke_kms;	/* z (SECRET) and the public key with its tables */
struct sakke_pub;	/* Z_S with its fixed-base table */
struct sakke_user;	/* a validated RSK (SECRET) with its pairing table */

/* A fresh random master secret z in [2, q-1]. Free with sakke_kms_free(). */
int sakke_kms_generate(struct sakke_kms **kms);

/* The KMS from a stored z (big-endian, zlen <= 128, 2 <= z <= q-1). */
int sakke_kms_load(struct sakke_kms **kms, const uint8_t *z, size_t zlen);

/* Writes z as 128 big-endian octets, for sealing. The caller cleanses. */
int sakke_kms_export(const struct sakke_kms *kms, uint8_t z[SAKKE_FE_LEN]);

/* The public side of the KMS; owned by kms, valid until sakke_kms_free(). */
const struct sakke_pub *sakke_kms_pub(const struct sakke_kms *kms);

/* Zeroes and frees; NULL is a no-op. */
void sakke_kms_free(struct sakke_kms *kms);

/*
 * RFC 6508 6.1.1: K = [(a + z)^-1 mod q]P for identifier id. SKM_EZERO when
 * a + z = 0 mod q (no key exists for that identifier).
 */
int sakke_rsk_derive(const struct sakke_kms *kms, const uint8_t *id, size_t idlen,
    uint8_t rsk[SAKKE_POINT_LEN]);

/*
 * n derivations sharing one inversion mod q and one mod p. status[i]
 * receives 0 or the SKM_E* of entry i; the call returns 0 when the batch
 * ran (even if some entries failed) or an SKM_E* for the whole batch.
 */
int sakke_rsk_derive_batch(const struct sakke_kms *kms, size_t n,
    const uint8_t *const ids[], const size_t idlens[],
    uint8_t (*rsks)[SAKKE_POINT_LEN], int status[]);

/*
 * Z_S from its 257-octet encoding; SKM_EPOINT if not a point of order q.
 * Builds its fixed-base table and pairing lines (~2.8 MB).
 */
int sakke_pub_new(struct sakke_pub **pub, const uint8_t z_s[SAKKE_POINT_LEN]);
int sakke_pub_export(const struct sakke_pub *pub, uint8_t z_s[SAKKE_POINT_LEN]);
void sakke_pub_free(struct sakke_pub *pub);

/*
 * RFC 6508 6.1.2: 0 iff <[a]P + Z_S, K> = g, else SKM_EVERIFY or SKM_EPOINT
 * (K not on the curve). The equation alone does not exclude a K with a
 * small-order component; sakke_user_new() also checks that K has order q.
 */
int sakke_rsk_validate(const struct sakke_pub *pub, const uint8_t *id, size_t idlen,
    const uint8_t rsk[SAKKE_POINT_LEN]);

/*
 * RFC 6508 6.2.1: encapsulates ssv to identifier id; sed = R_(b,S) || H.
 * g^r is hashed as its minimal-length big-endian encoding (the convention of
 * the deployed reference code).
 */
int sakke_encapsulate(const struct sakke_pub *pub, const uint8_t *id, size_t idlen,
    const uint8_t ssv[SAKKE_SSV_LEN], uint8_t sed[SAKKE_SED_LEN]);

/*
 * n encapsulations (ssvs[i] to ids[i]) as a group key server sends one
 * key to many receivers: the same seds as n calls of sakke_encapsulate(),
 * computed side by side with shared inversions. status[i] receives 0 or
 * the SKM_E* of entry i (its sed is then zeroed); the call returns 0 when
 * the batch ran or an SKM_E* for the whole batch (every status set to it).
 * Safe to call from several threads at once on the same pub.
 */
int sakke_encapsulate_batch(const struct sakke_pub *pub, size_t n,
    const uint8_t *const ids[], const size_t idlens[],
    const uint8_t (*ssvs)[SAKKE_SSV_LEN], uint8_t (*seds)[SAKKE_SED_LEN],
    int status[]);

/*
 * A receiver key: validates rsk for id against pub (as sakke_rsk_validate,
 * plus the order of K: SKM_EPOINT) and precomputes what decapsulation needs
 * for this key period (~1.8 MB of tables, built in some tens of ms). The
 * result does not refer to pub.
 */
int sakke_user_new(struct sakke_user **user, const struct sakke_pub *pub,
    const uint8_t *id, size_t idlen, const uint8_t rsk[SAKKE_POINT_LEN]);
void sakke_user_free(struct sakke_user *user);

/*
 * RFC 6508 6.2.2 with the mandatory TEST = R check. Accepts w hashed either
 * minimal-length or padded to 128 octets; the TEST check decides which.
 * SKM_EVERIFY when neither gives TEST = R; ssv is then zeroed.
 */
int sakke_decapsulate(const struct sakke_user *user, const uint8_t sed[SAKKE_SED_LEN],
    uint8_t ssv[SAKKE_SSV_LEN]);

#endif
