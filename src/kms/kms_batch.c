/* SPDX-License-Identifier: ISC */
/*
 * Key sets of many identities for one period at once, for skmsd's
 * rollover precomputation: the SAKKE keys share one inversion per batch
 * (sakke_rsk_derive_batch), which is most of the cost of a derivation.
 * The results equal kms_keyset_derive() one by one.
 */
#include "kms/kms.h"
#include "common/err.h"
#include "common/time.h"
#include "lib/period.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

int
kms_keyset_derive_batch(const struct kms *k, size_t n, const char *const uris[],
    const size_t lens[], uint64_t period_no, struct kms_keyset ks[], int status[])
{
	const struct domain_rec *d = &k->domain;
	const uint8_t **ids = NULL;
	size_t *idlens = NULL, i;
	int *ust = NULL;
	uint8_t (*rsks)[SAKKE_POINT_LEN] = NULL;
	const struct kms_gen *g;
	uint64_t start, end;
	int rc;

	if (n == 0)
		return 0;
	memset(ks, 0, n * sizeof(*ks));
	if ((g = kms_gen_of_period(k, period_no)) == NULL)
		return SKM_ENOTFOUND;
	if (g->sakke == NULL || g->eccsi == NULL)
		return SKM_ESTATE;
	if ((rc = kms_validity_period(k, period_no)) != 0)
		return rc;
	if ((rc = period_bounds(period_no, d->user_key_period, d->user_key_offset,
	    &start, &end)) != 0)
		return rc;
	rc = SKM_ENOMEM;
	if ((ids = calloc(n, sizeof(*ids))) == NULL ||
	    (idlens = calloc(n, sizeof(*idlens))) == NULL ||
	    (ust = calloc(n, sizeof(*ust))) == NULL ||
	    (rsks = OPENSSL_secure_zalloc(n * sizeof(*rsks))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		ust[i] = lens[i] == 0 ? SKM_EINVAL :
		    uid_derive(uris[i], lens[i], d->kms_uri, strlen(d->kms_uri),
		    d->user_key_period, d->user_key_offset, period_no, ks[i].uid);
		ks[i].period_no = period_no;
		ks[i].gen = g->rec.id;
		ks[i].valid_from = time_ntp_to_unix(start);
		ks[i].valid_to = time_ntp_to_unix(end);
		ids[i] = ks[i].uid;
		idlens[i] = sizeof(ks[i].uid);
	}
	if ((rc = sakke_rsk_derive_batch(g->sakke, n, ids, idlens, rsks, status)) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (status[i] == 0)
			status[i] = ust[i];
		if (status[i] == 0) {
			memcpy(ks[i].rsk, rsks[i], SAKKE_POINT_LEN);
			status[i] = eccsi_ssk_derive(g->eccsi, ks[i].uid, sizeof(ks[i].uid),
			    ks[i].ssk, ks[i].pvt);
		}
		if (status[i] != 0)
			kms_keyset_clear(&ks[i]);
	}
out:
	if (rsks != NULL)
		OPENSSL_secure_clear_free(rsks, n * sizeof(*rsks));
	free(ust);
	free(idlens);
	free(ids);
	if (rc != 0)
		for (i = 0; i < n; i++)
			kms_keyset_clear(&ks[i]);
	return rc;
}
