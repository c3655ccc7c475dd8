/* SPDX-License-Identifier: ISC */
/*
 * The GMS's keys for gmksend (see gmksend_ks.h): everything the same for
 * every member is prepared once here.
 */
#include <stdio.h>
#include <string.h>

#include "client/gmksend_ks.h"
#include "client/kmsdoc.h"
#include "client/ks.h"
#include "common/err.h"
#include "common/time.h"
#include "lib/period.h"

int
gmksend_ks(struct ks *ks, int64_t now, uint32_t frac, int fetch, struct gmksend *s,
    const char **what, char *why, size_t whylen)
{
	const struct kmsdoc_cert *cert;
	const struct kmsdoc_keyset *set;
	struct eccsi_signer *signer = NULL;
	struct sakke_pub *z = NULL;
	uint64_t ntp;
	int err;

	s->signer = NULL;
	s->z = NULL;
	*what = "certificate";
	if ((err = ks_cert(ks, &cert, why, whylen)) != 0)
		return err;
	*what = "key period";
	if (time_unix_to_ntp_checked(now, &ntp) != 0 ||
	    period_number(ntp, cert->user_key_period, cert->user_key_offset,
	    &s->period_no) != 0) {
		snprintf(why, whylen, "none for the current time");
		return SKM_ERANGE;
	}
	/* The GMS signs with its own key set for the period of the T payload. */
	*what = "key set";
	if ((err = ks_keyset(ks, s->period_no, fetch, &set, why, whylen)) != 0)
		return err;
	/*
	 * Across a rollover the period's certificate, the one its key set
	 * names, gives the KPAK, Z and the UID parameters of everyone.
	 */
	*what = "certificate";
	if ((err = ks_cert_for_period(ks, s->period_no, &cert, why, whylen)) != 0)
		return err;
	s->gms_uri = ks_uri(ks);
	s->kms_uri = cert->kms_uri;
	s->key_period = cert->user_key_period;
	s->key_offset = cert->user_key_offset;
	s->ts = ntp << 32 | frac;
	*what = "signing key";
	if ((err = uid_derive(s->gms_uri, strlen(s->gms_uri), s->kms_uri, strlen(s->kms_uri),
	    s->key_period, s->key_offset, s->period_no, s->gms_uid)) != 0 ||
	    (err = eccsi_signer_new(&signer, cert->pub_auth_key, s->gms_uid, UID_LEN,
	    set->ssk, set->pvt)) != 0) {
		snprintf(why, whylen, "%s", skm_strerror(err));
		return err;
	}
	s->signer = signer;
	/* Members are in the KMS domain of the GMS: Z of the period's certificate. */
	*what = "KMS public key";
	if ((err = sakke_pub_new(&z, cert->pub_enc_key)) != 0) {
		snprintf(why, whylen, "%s", skm_strerror(err));
		gmksend_ks_free(s);
		return err;
	}
	s->z = z;
	return 0;
}

void
gmksend_ks_free(struct gmksend *s)
{
	sakke_pub_free((struct sakke_pub *)(uintptr_t)s->z);
	eccsi_signer_free((struct eccsi_signer *)(uintptr_t)s->signer);
	s->z = NULL;
	s->signer = NULL;
}
