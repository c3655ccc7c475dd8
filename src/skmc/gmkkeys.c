/* SPDX-License-Identifier: ISC */
/*
 * Key material callbacks for the GMK checks. Z is made once per
 * certificate (a table build of about 1 MB), when a message of that
 * certificate's periods first needs it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/kmsdoc.h"
#include "client/ks.h"
#include "client/ks_revoked.h"
#include "common/err.h"
#include "skmc/gmkkeys.h"

static int
rsk_from_ks(void *arg, uint64_t period_no, uint8_t rsk[SAKKE_POINT_LEN], char *why,
    size_t whylen)
{
	struct gmkkeys *g = arg;
	const struct kmsdoc_keyset *set;
	int err;

	if ((err = ks_keyset(g->ks, period_no, g->fetch, &set, why, whylen)) != 0)
		return err;
	memcpy(rsk, set->rsk, SAKKE_POINT_LEN);
	return 0;
}

/* The certificate of the period (the one its key set names): KPAK and Z. */
static int
cert_from_ks(void *arg, uint64_t period_no, const uint8_t **kpak,
    const struct sakke_pub **z, char *why, size_t whylen)
{
	struct gmkkeys *g = arg;
	const struct kmsdoc_cert *c;
	int err;

	if ((err = ks_cert_for_period(g->ks, period_no, &c, why, whylen)) != 0)
		return err;
	/* A certificate the KMS revoked vouches for nothing (ks_revoked.h). */
	if (ks_revoked_is(g->ks, c->cert_uri))
		return skm_why(why, whylen, SKM_EREVOKED, "certificate %s of period %" PRIu64
		    " was revoked by the KMS", c->cert_uri, period_no);
	if (c != g->cert) {
		sakke_pub_free(g->z);
		g->z = NULL;
		g->cert = NULL;
		if ((err = sakke_pub_new(&g->z, c->pub_enc_key)) != 0)
			return skm_why(why, whylen, err, "KMS public key: %s", skm_strerror(err));
		g->cert = c;
	}
	*kpak = c->pub_auth_key;
	*z = g->z;
	return 0;
}

static int
revoked_load(struct gmkkeys *g)
{
	size_t i;
	int err;

	if ((err = ks_revoked_list(g->ks, &g->revoked, &g->nrevoked)) != 0 ||
	    g->nrevoked == 0)
		return err;
	g->uri = calloc(g->nrevoked, sizeof(*g->uri));
	g->kpak = calloc(g->nrevoked, sizeof(*g->kpak));
	if (g->uri == NULL || g->kpak == NULL)
		return SKM_ENOMEM;
	for (i = 0; i < g->nrevoked; i++) {
		g->uri[i] = g->revoked[i]->certs[0].cert_uri != NULL ?
		    g->revoked[i]->certs[0].cert_uri : "(no CertUri)";
		g->kpak[i] = g->revoked[i]->certs[0].pub_auth_key;
	}
	return 0;
}

int
gmkkeys_load(struct gmkkeys *g, struct ks *ks, int fetch, const char **what, char *why,
    size_t whylen)
{
	const struct kmsdoc_cert *cert;
	int err;

	memset(g, 0, sizeof(*g));
	g->ks = ks;
	g->fetch = fetch;
	*what = "certificate";
	/* A Root the KMS revoked is replaced first, when fetching is allowed. */
	if (fetch && (err = ks_revoked_renew(ks, why, whylen)) < 0)
		goto out;
	if ((err = ks_cert(ks, &cert, why, whylen)) != 0)
		goto out;
	if (ks_revoked_is(ks, cert->cert_uri)) {
		err = skm_why(why, whylen, SKM_EREVOKED, "certificate %s is revoked by the "
		    "KMS: nothing signed under it is accepted (run skmc fetch)",
		    cert->cert_uri);
		goto out;
	}
	if ((err = revoked_load(g)) != 0) {
		*what = "revoked certificates";
		skm_why(why, whylen, err, "%s", skm_strerror(err));
		goto out;
	}
	g->k.my_uri = ks_uri(ks);
	g->k.kms_uri = cert->kms_uri;
	g->k.key_period = cert->user_key_period;
	g->k.key_offset = cert->user_key_offset;
	g->k.rsk = rsk_from_ks;
	g->k.cert = cert_from_ks;
	g->k.arg = g;
	g->k.revoked_uri = g->uri;
	g->k.revoked_kpak = g->kpak;
	g->k.nrevoked = g->nrevoked;
	return 0;
out:
	gmkkeys_free(g);
	return err;
}

void
gmkkeys_free(struct gmkkeys *g)
{
	sakke_pub_free(g->z);
	ks_revoked_free(g->revoked, g->nrevoked);
	free(g->uri);
	free(g->kpak);
	memset(g, 0, sizeof(*g));
}
