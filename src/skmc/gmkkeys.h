/* SPDX-License-Identifier: ISC */
/*
 * The receiving identity's key material for the GMK checks (accept.h),
 * taken from the keystore: the RSK and the certificate of each message's
 * period (fetched when allowed), and the certificates the KMS revoked.
 * Shared by skmc gmk accept and skmc listen so both run the same checks.
 */
#ifndef SKM_SKMC_GMKKEYS_H
#define SKM_SKMC_GMKKEYS_H

#include <stddef.h>

#include "client/accept.h"

struct ks;
struct kmsdoc;
struct kmsdoc_cert;

struct gmkkeys {
	struct accept_keys k;		/* what accept_run is given */
	struct ks *ks;			/* borrowed */
	int fetch;
	const struct kmsdoc_cert *cert;	/* the one z was made for */
	struct sakke_pub *z;
	struct kmsdoc **revoked;	/* the revoked certificates */
	const char **uri;
	const uint8_t **kpak;
	size_t nrevoked;
};

/*
 * Fills g for ks (which must outlive it). With fetch, a Root the KMS
 * revoked is replaced first (ks_revoked_renew). On failure *what names
 * the part ("certificate", "revoked certificates") and why the reason; g
 * is then freed already.
 */
int gmkkeys_load(struct gmkkeys *g, struct ks *ks, int fetch, const char **what, char *why,
    size_t whylen);

void gmkkeys_free(struct gmkkeys *g);

#endif
