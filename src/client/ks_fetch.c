/* SPDX-License-Identifier: ISC */
/*
 * Fetching key sets into the keystore: a KMS KeyProvision request per
 * period (kmsget), the response parsed (kmsdoc) and every key set checked
 * (kmscheck) before any is stored, so one bad answer stores nothing. It
 * does not decide when to fetch (skmc fetch and watch do).
 */
#include "client/ks_impl.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "client/kmscheck.h"
#include "client/kmsdoc.h"
#include "client/kmsget.h"
#include "client/ks_revoked.h"
#include "common/err.h"
#include "common/time.h"

/* Does the response carry period_no's key set under another CertUri than the Root's? */
static int
ks_fetch_other(const struct kmsdoc_cert *cert, const struct kmsdoc *doc, uint64_t period_no)
{
	size_t i;

	if (doc->kind != KMSDOC_KEYPROV || cert->cert_uri == NULL)
		return 0;
	for (i = 0; i < doc->nkeysets; i++)
		if (doc->keysets[i].period_no == period_no)
			return doc->keysets[i].cert_uri != NULL &&
			    strcmp(doc->keysets[i].cert_uri, cert->cert_uri) != 0;
	return 0;
}

/* The key set of period_no in a KeyProvision response, checked; NULL otherwise. */
static int
ks_fetch_pick(struct ks *ks, const struct kmsdoc_cert *cert, const struct kmsdoc *doc,
    uint64_t period_no, const struct kmsdoc_keyset **out, char *why, size_t whylen)
{
	size_t i;

	*out = NULL;
	if (doc->kind != KMSDOC_KEYPROV)
		return skm_why(why, whylen, SKM_EPARSE, "expected a KeyProv response, got %s",
		    kmsdoc_kind_name(doc->kind));
	/* NOTES 2.13 (3): the response's KmsUri is the one UIDs are made with. */
	if (doc->kms_uri != NULL && strcmp(doc->kms_uri, cert->kms_uri) != 0)
		return skm_why(why, whylen, SKM_EINVAL,
		    "KmsResponse/KmsUri '%s' is not the Root certificate's '%s'", doc->kms_uri,
		    cert->kms_uri);
	if (doc->user_uri != NULL && strcmp(doc->user_uri, ks->uri) != 0)
		return skm_why(why, whylen, SKM_EINVAL, "KmsResponse/UserUri '%s' is not %s",
		    doc->user_uri, ks->uri);
	for (i = 0; i < doc->nkeysets; i++)
		if (doc->keysets[i].period_no == period_no)
			break;
	if (i == doc->nkeysets)
		return skm_why(why, whylen, SKM_ENOTFOUND,
		    "the response holds no key set for period %" PRIu64, period_no);
	*out = &doc->keysets[i];
	return kmscheck_keyset(cert, *out, ks->uri, why, whylen);
}

/* One attempt; *other is set when a key set came under another certificate than the Root. */
static int
ks_fetch_once(struct ks *ks, const uint64_t *periods, size_t n, int *other, char *why,
    size_t whylen)
{
	const struct kmsdoc_cert *cert;
	const struct kmsdoc_keyset *set;
	struct kmsget_target t;
	struct kmsdoc **docs = NULL;
	char **texts = NULL, *body = NULL;
	size_t *lens = NULL, i, len = 0;
	int64_t start, end;
	int err;

	if ((err = ks_cert(ks, &cert, why, whylen)) != 0)
		return err;
	memset(&t, 0, sizeof(t));
	t.server = ks->set.server;
	t.token_file = ks->set.token_file;
	t.cacert = ks->set.cacert;
	t.client_cert = ks->set.client_cert;
	t.client_key = ks->set.client_key;
	t.timeout = ks->timeout;
	if (t.server == NULL)
		return skm_why(why, whylen, SKM_EINVAL,
		    "%s has no server (imported offline; run skmc init)", ks->uri);
	docs = calloc(n ? n : 1, sizeof(*docs));
	texts = calloc(n ? n : 1, sizeof(*texts));
	lens = calloc(n ? n : 1, sizeof(*lens));
	if (docs == NULL || texts == NULL || lens == NULL) {
		err = SKM_ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		char sub[KS_WHY_MAX] = "";

		if ((err = ks_period_bounds(ks, periods[i], &start, &end)) != 0) {
			skm_why(why, whylen, err, "period %" PRIu64 ": %s", periods[i],
			    skm_strerror(err));
			goto out;
		}
		/* D.2: the period is named by a time inside it: its start. */
		if ((err = kmsget_keyprov(&t, ks->uri, time_unix_to_ntp(start), &body, &len,
		    sub, sizeof(sub))) != 0) {
			skm_why(why, whylen, err, "keyprov for period %" PRIu64 ": %s", periods[i],
			    sub);
			goto out;
		}
		err = kmsdoc_parse(body, len, &docs[i], sub, sizeof(sub));
		kmsget_free(body, len);
		body = NULL;
		if (err == 0 && ks_fetch_other(cert, docs[i], periods[i]))
			*other = 1;
		if (err != 0 || (err = ks_fetch_pick(ks, cert, docs[i], periods[i], &set, sub,
		    sizeof(sub))) != 0) {
			skm_why(why, whylen, err, "period %" PRIu64 ": %s", periods[i], sub);
			goto out;
		}
		texts[i] = set->xml;
		lens[i] = set->xmllen;
	}
	err = ks_put_keysets(ks, periods, texts, lens, n, why, whylen);
out:
	kmsget_free(body, len);
	for (i = 0; docs != NULL && i < n; i++)
		kmsdoc_free(docs[i]);
	free(docs);
	free(texts);
	free(lens);
	return err;
}

int
ks_fetch(struct ks *ks, const uint64_t *periods, size_t n, char *why, size_t whylen)
{
	int other = 0, err, rc;

	err = ks_fetch_once(ks, periods, n, &other, why, whylen);
	/*
	 * A key set under another certificate: the KMS may have revoked the
	 * Root (an emergency rollover). Then its replacement is taken up and
	 * the fetch made again under it.
	 */
	if (err != 0 && other) {
		char sub[KS_WHY_MAX] = "";

		if ((rc = ks_revoked_follow(ks, sub, sizeof(sub))) < 0)
			return skm_why(why, whylen, rc, "%s", sub);
		if (rc == 1)
			err = ks_fetch_once(ks, periods, n, &other, why, whylen);
	}
	return err;
}
