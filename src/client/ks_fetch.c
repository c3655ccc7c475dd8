/* SPDX-License-Identifier: ISC */
/*
 * Fetching key sets into the keystore: a KMS KeyProvision request per
 * period (kmsget), the response parsed (kmsdoc) and every key set checked
 * (kmscheck, under the certificate its CertUri names) before any is
 * stored, so one bad answer stores nothing. It does not decide when to
 * fetch (skmc fetch and watch do).
 * An identity given a Transport Key (skmc init --trk-file) asks with a
 * signed request and takes only signed responses (kmstk.h).
 */
#include "client/ks_impl.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "client/kmscheck.h"
#include "client/kmsdoc.h"
#include "client/kmsget.h"
#include "client/kmstk.h"
#include "client/ks_revoked.h"
#include "common/err.h"
#include "common/time.h"

int
ks_tk_load(const struct ks *ks, struct kmstk **out, char *why, size_t whylen)
{
	char path[4096];
	int err;

	*out = NULL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", ks->path, KMSTK_FILE) >=
	    sizeof(path))
		return skm_why(why, whylen, SKM_ELEN, "keystore path too long");
	if ((*out = OPENSSL_secure_zalloc(sizeof(**out))) == NULL)
		return SKM_ENOMEM;
	if ((err = kmstk_load(*out, path, why, whylen)) != 0) {
		OPENSSL_secure_clear_free(*out, sizeof(**out));
		*out = NULL;
	}
	return err == SKM_ENOTFOUND ? 0 : err;
}

/* The key set of period_no in a KeyProvision response; NULL otherwise. */
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
	return 0;
}

/*
 * The key set under the certificate its CertUri names. A CertUri this
 * keystore does not hold (a rollover it has not heard of) makes one KMS
 * Initialize, which brings the certificate in force and the next one, and
 * one CertCache: the new certificate may replace one the KMS revoked (an
 * emergency rollover), whose key sets are erased then (ks_revoked.h).
 */
static int
ks_fetch_check(struct ks *ks, const struct kmsdoc_keyset *set, int *refreshed, char *why,
    size_t whylen)
{
	const struct kmsdoc_cert *c;
	int err;

	if (set->cert_uri != NULL && ks_cert_by_uri(ks, set->cert_uri, &c) != 0 &&
	    !*refreshed) {
		*refreshed = 1;
		if ((err = ks_refresh(ks, (int64_t)time(NULL), NULL, why, whylen)) != 0 ||
		    (err = ks_revoked_follow(ks, why, whylen)) < 0)
			return err;
	}
	return ks_check_keyset(ks, set, why, whylen);
}

int
ks_fetch(struct ks *ks, const uint64_t *periods, size_t n, char *why, size_t whylen)
{
	const struct kmsdoc_cert *cert;
	const struct kmsdoc_keyset *set;
	struct kmsget_target t;
	struct kmstk *tk = NULL;
	struct kmsdoc **docs = NULL;
	char **texts = NULL, *body = NULL;
	size_t *lens = NULL, i, len = 0;
	int64_t start, end;
	int err, refreshed = 0;

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
	if ((err = ks_tk_load(ks, &tk, why, whylen)) != 0)
		return err;
	t.tk = tk;
	t.user_uri = ks->uri;
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
		if (err != 0 || (err = ks_fetch_pick(ks, cert, docs[i], periods[i], &set, sub,
		    sizeof(sub))) != 0 ||
		    (err = ks_fetch_check(ks, set, &refreshed, sub, sizeof(sub))) != 0) {
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
	if (tk != NULL)
		OPENSSL_secure_clear_free(tk, sizeof(*tk));
	return err;
}
