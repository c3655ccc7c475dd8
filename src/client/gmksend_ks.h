/* SPDX-License-Identifier: ISC */
/*
 * The GMS's keys for gmksend, from its keystore identity: the key set of
 * the period of a time (fetched when absent, if asked), the ECCSI signer
 * over it, the KMS public key Z, the UIDs' parameters of the period's
 * certificate. Shared by 'skmc gms' / 'skmc gmk make' and skgmsd.
 */
#ifndef SKM_CLIENT_GMKSEND_KS_H
#define SKM_CLIENT_GMKSEND_KS_H

#include <stddef.h>
#include <stdint.h>

#include "client/gmksend.h"

struct ks;

/*
 * Fills the keys and identities of s (signer, z, gms_uri, gms_uid,
 * kms_uri, key_period, key_offset, period_no, ts) for Unix time now and
 * NTP fraction frac. On failure *what names the step ("certificate", "key
 * period", "key set", "signing key", "KMS public key") and why says why;
 * a key set that cannot be fetched is SKM_EUNREACH (or another code),
 * one absent and not fetched SKM_ENOTFOUND. Free with gmksend_ks_free();
 * s->gms_uri and s->kms_uri point into ks (valid until ks_close).
 */
int gmksend_ks(struct ks *ks, int64_t now, uint32_t frac, int fetch, struct gmksend *s,
    const char **what, char *why, size_t whylen);

/* Frees the signer and Z of s. */
void gmksend_ks_free(struct gmksend *s);

#endif
