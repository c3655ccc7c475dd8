/* SPDX-License-Identifier: ISC */
/*
 * KMS Initialize for an identity already in the keystore: how a client
 * learns of a master-secret rollover. The certificate in force and, while
 * a rollover is scheduled, the next one (skms:NextKmsCertificate) are
 * checked like the one skmc init stored and kept beside it, so key sets of
 * both periods validate across the boundary. A client that slept through
 * the boundary gets the new certificate in force the same way. Nothing is
 * stored unless both certificates passed. A held next certificate the
 * KMS no longer announces is dropped with its key sets.
 */
#include "client/ks_impl.h"

#include <string.h>

#include "client/kmscheck.h"
#include "client/kmsdoc.h"
#include "client/kmsget.h"
#include "client/ks_revoked.h"
#include "common/err.h"

/* Role Root when given, and kmscheck_cert at now. */
static int
ks_refresh_check(const struct kmsdoc_cert *c, int64_t now, char *why, size_t whylen)
{
	char sub[KS_WHY_MAX] = "";
	int err;

	if (c->role != NULL && strcmp(c->role, "Root") != 0)
		return skm_why(why, whylen, SKM_EINVAL, "KmsCertificate: Role is not Root");
	if ((err = kmscheck_cert(c, now, sub, sizeof(sub))) != 0)
		return skm_why(why, whylen, err, "%s", sub);
	return 0;
}

/*
 * Held next certificates other than the one announced (next_uri, NULL when
 * none): the KMS withdrew that rollover (an emergency rollover replaces a
 * scheduled one, deleting its secrets). Dropped with their key sets.
 */
static int
ks_refresh_withdraw(struct ks *ks, int64_t now, const char *next_uri, char *why,
    size_t whylen)
{
	struct ks_certinfo *v = NULL;
	size_t n = 0, i;
	int err;

	if ((err = ks_certs(ks, now, &v, &n, why, whylen)) != 0)
		return err;
	for (i = 0; i < n && err == 0; i++)
		if (v[i].state == KS_CERT_NEXT && v[i].cert->cert_uri != NULL &&
		    (next_uri == NULL || strcmp(v[i].cert->cert_uri, next_uri) != 0))
			err = ks_cert_drop(ks, v[i].cert->cert_uri, why, whylen);
	ks_certs_free(v, n);
	return err;
}

int
ks_refresh(struct ks *ks, int64_t now, struct ks_refresh_result *r, char *why,
    size_t whylen)
{
	struct ks_refresh_result res = { 0, 0, 0 };
	struct kmsget_target t;
	struct kmsdoc *doc = NULL;
	const struct kmsdoc_cert *cur, *c;
	char sub[KS_WHY_MAX] = "", *body = NULL;
	size_t len = 0;
	int err;

	if (r != NULL)
		memset(r, 0, sizeof(*r));
	if ((err = ks_cert(ks, &cur, why, whylen)) != 0)
		return err;
	if (ks->set.server == NULL)
		return skm_why(why, whylen, SKM_EINVAL,
		    "%s has no server (imported offline; run skmc init)", ks->uri);
	memset(&t, 0, sizeof(t));
	t.server = ks->set.server;
	t.token_file = ks->set.token_file;
	t.cacert = ks->set.cacert;
	t.client_cert = ks->set.client_cert;
	t.client_key = ks->set.client_key;
	t.timeout = ks->timeout;
	if ((err = kmsget_init(&t, &body, &len, sub, sizeof(sub))) != 0)
		return skm_why(why, whylen, err, "init: %s", sub);
	if ((err = kmsdoc_parse(body, len, &doc, sub, sizeof(sub))) != 0) {
		skm_why(why, whylen, err, "init response: %s", sub);
		goto out;
	}
	if (doc->kind != KMSDOC_INIT || doc->ncerts != 1) {
		err = skm_why(why, whylen, SKM_EPARSE, "init response: not a KmsInit");
		goto out;
	}
	/* NOTES 2.13 (3): the response's KmsUri is the one UIDs are made with. */
	if (doc->kms_uri != NULL && strcmp(doc->kms_uri, cur->kms_uri) != 0) {
		err = skm_why(why, whylen, SKM_EINVAL,
		    "init response: KmsUri '%.80s' is not the keystore's '%.80s'", doc->kms_uri,
		    cur->kms_uri);
		goto out;
	}
	c = &doc->certs[0];
	if ((err = ks_refresh_check(c, now, why, whylen)) != 0)
		goto out;
	/* A certificate the KMS revoked never joins the set again. */
	if (ks_revoked_is(ks, c->cert_uri) || (doc->next != NULL &&
	    ks_revoked_is(ks, doc->next->cert_uri))) {
		err = skm_why(why, whylen, SKM_EREVOKED, "init response: certificate '%.80s' "
		    "was revoked by the KMS", ks_revoked_is(ks, c->cert_uri) ? c->cert_uri :
		    doc->next->cert_uri);
		goto out;
	}
	if (doc->next != NULL) {
		if ((err = kmscheck_next(c, doc->next, sub, sizeof(sub))) != 0) {
			skm_why(why, whylen, err, "%s", sub);
			goto out;
		}
		res.has_next = 1;
	}
	/* Both checked: now stored, the one in force first. */
	if ((err = ks_put_cert(ks, c->xml, c->xmllen, &res.current_added, why, whylen)) != 0)
		goto out;
	if (doc->next != NULL && (err = ks_put_cert(ks, doc->next->xml, doc->next->xmllen,
	    &res.next_added, why, whylen)) != 0)
		goto out;
	if ((err = ks_refresh_withdraw(ks, now, doc->next != NULL ? doc->next->cert_uri :
	    NULL, why, whylen)) != 0)
		goto out;
	if (r != NULL)
		*r = res;
out:
	kmsdoc_free(doc);
	kmsget_free(body, len);
	return err;
}
