/* SPDX-License-Identifier: ISC */
/*
 * Key sets: everything an identity receives for one key period. The UID
 * binds identity, KMS and period (TS 33.180 F.2.1); both keys are derived
 * from it, deterministically, so any process of the domain derives the same
 * key set. Only for periods the Root certificate covers (kms_validity.c).
 */
#include "kms/kms.h"
#include "common/err.h"
#include "common/time.h"
#include "lib/period.h"

#include <string.h>

#include <openssl/crypto.h>

int
kms_keyset_derive(const struct kms *k, const char *uri, size_t urilen,
    uint64_t period_no, struct kms_keyset *ks)
{
	const struct domain_rec *d = &k->domain;
	const struct kms_gen *g;
	uint64_t start, end;
	int rc;

	memset(ks, 0, sizeof(*ks));
	if (urilen == 0)
		return SKM_EINVAL;
	/* The period's generation: its start decides, so a period never straddles two. */
	if ((g = kms_gen_of_period(k, period_no)) == NULL)
		return SKM_ENOTFOUND;
	if (g->sakke == NULL || g->eccsi == NULL)
		return SKM_ESTATE;
	if ((rc = kms_validity_period(k, period_no)) != 0)
		return rc;
	if ((rc = period_bounds(period_no, d->user_key_period, d->user_key_offset,
	    &start, &end)) != 0)
		return rc;
	if ((rc = uid_derive(uri, urilen, d->kms_uri, strlen(d->kms_uri),
	    d->user_key_period, d->user_key_offset, period_no, ks->uid)) != 0)
		return rc;
	ks->period_no = period_no;
	ks->gen = g->rec.id;
	ks->valid_from = time_ntp_to_unix(start);
	ks->valid_to = time_ntp_to_unix(end);
	if ((rc = sakke_rsk_derive(g->sakke, ks->uid, sizeof(ks->uid), ks->rsk)) != 0 ||
	    (rc = eccsi_ssk_derive(g->eccsi, ks->uid, sizeof(ks->uid), ks->ssk,
	    ks->pvt)) != 0)
		kms_keyset_clear(ks);
	return rc;
}

void
kms_keyset_xml(const struct kms *k, const struct kms_keyset *ks, const char *uri,
    struct kmsxml_keyset *x)
{
	const struct kms_gen *g = kms_gen_by_id(k, ks->gen);

	memset(x, 0, sizeof(*x));
	x->kms_uri = k->domain.kms_uri;
	/* CertUri names the certificate whose secrets made the key set. */
	x->cert_uri = g != NULL && g->rec.cert_uri[0] != '\0' ? g->rec.cert_uri : NULL;
	x->issuer = k->domain.issuer[0] != '\0' ? k->domain.issuer : NULL;
	x->user_uri = uri;
	memcpy(x->user_id, ks->uid, sizeof(x->user_id));
	x->valid_from = ks->valid_from;
	x->valid_to = ks->valid_to;
	x->period_no = ks->period_no;
	x->rsk = ks->rsk;
	x->ssk = ks->ssk;
	x->pvt = ks->pvt;
}

void
kms_keyset_clear(struct kms_keyset *ks)
{
	OPENSSL_cleanse(ks, sizeof(*ks));
}
