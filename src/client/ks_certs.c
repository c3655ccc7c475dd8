/* SPDX-License-Identifier: ISC */
/*
 * The keystore's Root certificates across a master-secret rollover:
 * root.xml (the one init or import stored) and certs/<CertUri>.xml (the
 * next one announced by KMS Init, or one that came into force since).
 * States are not stored: they follow from the certificates' ValidFrom and
 * the time asked, so a boundary needs no write. A retired certificate
 * stays as long as a held key set names it. A certificate the KMS revoked
 * (a record under revoked/, ks_revoked.h) is never in force while a later
 * or equally recent one is held, and leaves the set when that one comes
 * (ks_revoked_learn drops it with ks_cert_drop). Nothing here contacts a KMS
 * (ks_refresh does) or stores a certificate kmscheck has not passed (the
 * caller's job).
 */
#include "client/ks_impl.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/kmscheck.h"
#include "client/kmsdoc.h"
#include "client/ks_revoked.h"
#include "common/err.h"
#include "common/secfile.h"
#include "common/time.h"
#include "lib/period.h"

const char *
ks_cert_state_name(enum ks_cert_state state)
{
	switch (state) {
	case KS_CERT_CURRENT:
		return "current";
	case KS_CERT_NEXT:
		return "next";
	case KS_CERT_REVOKED:
		return "revoked";
	default:
		return "retired";
	}
}

void
ks_certs_drop(struct ks *ks)
{
	ks_docs_free(&ks->certs, &ks->ncerts);
	ks_docs_free(&ks->dead, &ks->ndead);
}

static int
ks_cert_path(const struct ks *ks, const char *uri, char *out, size_t len)
{
	char name[NAME_MAX + 1];
	int n, err;

	if ((err = ks_dirname(uri, name, sizeof(name) - 4)) != 0)
		return err;
	n = snprintf(out, len, "%s/%s/%s.xml", ks->path, KS_CERTS, name);
	return n < 0 || (size_t)n >= len ? SKM_ELEN : 0;
}

/* Reads one certificate document; *doc is NULL when the file is not there. */
static int
ks_cert_read(const char *path, struct kmsdoc **doc, char *why, size_t whylen)
{
	char *buf = NULL;
	size_t len = 0;
	int err;

	*doc = NULL;
	if ((err = ks_read(path, 0, &buf, &len)) != 0)
		return err == SKM_ENOTFOUND ? err :
		    skm_why(why, whylen, err, "%s: %s", path, skm_strerror(err));
	err = kmsdoc_parse(buf, len, doc, why, whylen);
	ks_buf_free(buf, len);
	if (err != 0)
		return err;
	if ((*doc)->kind != KMSDOC_CERT || (*doc)->ncerts != 1) {
		kmsdoc_free(*doc);
		*doc = NULL;
		return skm_why(why, whylen, SKM_EPARSE, "%s: not a KmsCertificate", path);
	}
	return 0;
}

static int
ks_certs_add(struct ks *ks, struct kmsdoc *doc)
{
	struct kmsdoc **nv;

	if ((nv = realloc(ks->certs, (ks->ncerts + 1) * sizeof(*nv))) == NULL)
		return SKM_ENOMEM;
	ks->certs = nv;
	ks->certs[ks->ncerts++] = doc;
	return 0;
}

static int
ks_same_uri(const struct kmsdoc_cert *c, const char *uri)
{
	return c->cert_uri != NULL && uri != NULL && strcmp(c->cert_uri, uri) == 0;
}

/*
 * Whether two documents are the same certificate: the same CertUri, or
 * without one, the same public keys.
 */
static int
ks_same_cert(const struct kmsdoc_cert *a, const struct kmsdoc_cert *b)
{
	if (a->cert_uri != NULL && b->cert_uri != NULL)
		return strcmp(a->cert_uri, b->cert_uri) == 0;
	return memcmp(a->pub_enc_key, b->pub_enc_key, sizeof(a->pub_enc_key)) == 0 &&
	    memcmp(a->pub_auth_key, b->pub_auth_key, sizeof(a->pub_auth_key)) == 0;
}

/* root.xml, then certs/ (a CertUri already held is a left-over copy: skipped). */
static int
ks_certs_load(struct ks *ks, char *why, size_t whylen)
{
	char path[PATH_MAX], dir[PATH_MAX];
	struct kmsdoc *doc = NULL;
	struct dirent *de;
	DIR *d;
	size_t i;
	int err;

	if (ks->ncerts > 0)
		return 0;
	if ((err = ks_join(path, sizeof(path), ks->path, KS_ROOT)) != 0)
		return err;
	if ((err = ks_cert_read(path, &doc, why, whylen)) != 0)
		return err == SKM_ENOTFOUND ? skm_why(why, whylen, err, "%s: %s", path,
		    skm_strerror(err)) : err;
	if ((err = ks_certs_add(ks, doc)) != 0) {
		kmsdoc_free(doc);
		return err;
	}
	if ((err = ks_join(dir, sizeof(dir), ks->path, KS_CERTS)) != 0)
		goto fail;
	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		err = skm_why(why, whylen, SKM_EIO, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	while ((de = readdir(d)) != NULL) {
		size_t nl = strlen(de->d_name);

		if (de->d_name[0] == '.' || nl < 5 || strcmp(de->d_name + nl - 4, ".xml") != 0)
			continue;
		if ((err = ks_join(path, sizeof(path), dir, de->d_name)) != 0 ||
		    (err = ks_cert_read(path, &doc, why, whylen)) != 0) {
			if (err == SKM_ENOTFOUND)
				continue;
			closedir(d);
			goto fail;
		}
		for (i = 0; i < ks->ncerts; i++)
			if (ks_same_uri(&ks->certs[i]->certs[0], doc->certs[0].cert_uri))
				break;
		if (i < ks->ncerts || (err = ks_certs_add(ks, doc)) != 0) {
			kmsdoc_free(doc);
			if (err != 0) {
				closedir(d);
				goto fail;
			}
		}
	}
	closedir(d);
	return 0;
fail:
	ks_certs_drop(ks);
	return err;
}

static int
ks_cert_revoked(const struct ks *ks, size_t i)
{
	return ks_revoked_in(ks->path, ks->certs[i]->certs[0].cert_uri);
}

/*
 * The index of the certificate in force at now: the latest ValidFrom not
 * after now; of two with the same, the one not revoked (an emergency
 * rollover's certificate may take effect when the revoked one did).
 */
static size_t
ks_current_index(const struct ks *ks, int64_t now)
{
	size_t i, best = 0;
	int found = 0, best_revoked = 0, r;

	for (i = 0; i < ks->ncerts; i++) {
		const struct kmsdoc_cert *c = &ks->certs[i]->certs[0];

		if (c->valid_from > now)
			continue;
		r = ks_cert_revoked(ks, i);
		if (!found || c->valid_from > ks->certs[best]->certs[0].valid_from ||
		    (c->valid_from == ks->certs[best]->certs[0].valid_from && best_revoked &&
		    !r)) {
			best = i;
			best_revoked = r;
			found = 1;
		}
	}
	if (found)
		return best;
	/* None in force yet (a clock behind the KMS): the earliest. */
	for (i = 1; i < ks->ncerts; i++)
		if (ks->certs[i]->certs[0].valid_from < ks->certs[best]->certs[0].valid_from)
			best = i;
	return best;
}

static enum ks_cert_state
ks_state(const struct ks *ks, size_t i, int64_t now)
{
	size_t cur = ks_current_index(ks, now);

	if (i == cur)
		return KS_CERT_CURRENT;
	if (ks_cert_revoked(ks, i))
		return KS_CERT_REVOKED;
	return ks->certs[i]->certs[0].valid_from > ks->certs[cur]->certs[0].valid_from ?
	    KS_CERT_NEXT : KS_CERT_RETIRED;
}

int
ks_cert(struct ks *ks, const struct kmsdoc_cert **cert, char *why, size_t whylen)
{
	int err;

	if ((err = ks_certs_load(ks, why, whylen)) != 0)
		return err;
	*cert = &ks->certs[ks_current_index(ks, (int64_t)time(NULL))]->certs[0];
	return 0;
}

int
ks_cert_next(struct ks *ks, int64_t now, const struct kmsdoc_cert **cert)
{
	size_t i, best = SIZE_MAX;
	int err;

	*cert = NULL;
	if ((err = ks_certs_load(ks, NULL, 0)) != 0)
		return err;
	for (i = 0; i < ks->ncerts; i++)
		if (ks_state(ks, i, now) == KS_CERT_NEXT && (best == SIZE_MAX ||
		    ks->certs[i]->certs[0].valid_from < ks->certs[best]->certs[0].valid_from))
			best = i;
	if (best == SIZE_MAX)
		return SKM_ENOTFOUND;
	*cert = &ks->certs[best]->certs[0];
	return 0;
}

int
ks_cert_by_uri(struct ks *ks, const char *uri, const struct kmsdoc_cert **cert)
{
	size_t i;
	int err;

	*cert = NULL;
	if ((err = ks_certs_load(ks, NULL, 0)) != 0)
		return err;
	for (i = 0; i < ks->ncerts; i++)
		if (ks_same_uri(&ks->certs[i]->certs[0], uri)) {
			*cert = &ks->certs[i]->certs[0];
			return 0;
		}
	return SKM_ENOTFOUND;
}

/* By ValidFrom alone: the latest one before the period's end. */
static int
ks_cert_by_time(struct ks *ks, uint64_t period_no, const struct kmsdoc_cert **cert)
{
	int64_t start, end;
	int err;

	if ((err = ks_period_bounds(ks, period_no, &start, &end)) != 0)
		return err;
	*cert = &ks->certs[ks_current_index(ks, end - 1)]->certs[0];
	return 0;
}

int
ks_cert_of_keyset(struct ks *ks, const struct kmsdoc_keyset *set,
    const struct kmsdoc_cert **cert, char *why, size_t whylen)
{
	int err;

	if ((err = ks_certs_load(ks, why, whylen)) != 0)
		return err;
	if (set->cert_uri == NULL)
		return ks_cert_by_time(ks, set->period_no, cert);
	if (ks_cert_by_uri(ks, set->cert_uri, cert) != 0)
		return skm_why(why, whylen, SKM_ENOTFOUND,
		    "KmsKeySet/CertUri: '%.80s' is no certificate of this keystore",
		    set->cert_uri);
	return 0;
}

int
ks_check_keyset(struct ks *ks, const struct kmsdoc_keyset *set, char *why, size_t whylen)
{
	const struct kmsdoc_cert *c;
	int64_t start, end;
	int err;

	if ((err = ks_cert_of_keyset(ks, set, &c, why, whylen)) != 0)
		return err;
	/* A certificate the KMS revoked vouches for nothing (ks_revoked.h). */
	if (ks_revoked_in(ks->path, c->cert_uri))
		return skm_why(why, whylen, SKM_EREVOKED, "the key set of period %" PRIu64
		    " is under certificate %.80s, which the KMS revoked", set->period_no,
		    c->cert_uri);
	if ((err = ks_period_bounds(ks, set->period_no, &start, &end)) != 0)
		return skm_why(why, whylen, err, "KmsKeySet/KeyPeriodNo: %" PRIu64 ": %s",
		    set->period_no, skm_strerror(err));
	/* The certificate must be in force during the period (its keys sign it). */
	if ((c->valid_from != 0 && end <= c->valid_from) ||
	    (c->valid_to != 0 && start > c->valid_to))
		return skm_why(why, whylen, SKM_ERANGE, "KmsKeySet: period %" PRIu64
		    " is outside the validity of certificate '%.80s'", set->period_no,
		    c->cert_uri != NULL ? c->cert_uri : "");
	return kmscheck_keyset(c, set, ks->uri, why, whylen);
}

/* The CertUri a stored key set names, parsed but not checked; NULL when none. */
static int
ks_keyset_uri(struct ks *ks, uint64_t period_no, char **uri)
{
	char path[PATH_MAX], *buf = NULL;
	struct kmsdoc *doc = NULL;
	size_t len = 0;
	int n, err;

	*uri = NULL;
	n = snprintf(path, sizeof(path), "%s/%s/%" PRIu64 ".xml", ks->path, KS_KEYS, period_no);
	if (n < 0 || (size_t)n >= sizeof(path))
		return SKM_ELEN;
	if ((err = ks_read(path, 1, &buf, &len)) != 0)
		return err;
	err = kmsdoc_parse(buf, len, &doc, NULL, 0);
	ks_buf_free(buf, len);
	if (err != 0)
		return err;
	if (doc->kind != KMSDOC_KEYSET || doc->nkeysets != 1)
		err = SKM_EPARSE;
	else if (doc->keysets[0].cert_uri != NULL &&
	    (*uri = strdup(doc->keysets[0].cert_uri)) == NULL)
		err = SKM_ENOMEM;
	kmsdoc_free(doc);
	return err;
}

int
ks_cert_for_period(struct ks *ks, uint64_t period_no, const struct kmsdoc_cert **cert,
    char *why, size_t whylen)
{
	char *uri = NULL;
	int err;

	if ((err = ks_certs_load(ks, why, whylen)) != 0)
		return err;
	if (ks_keyset_uri(ks, period_no, &uri) == 0 && uri != NULL) {
		err = ks_cert_by_uri(ks, uri, cert);
		if (err != 0)
			skm_why(why, whylen, err, "the key set of period %" PRIu64 " names "
			    "certificate '%.80s', which this keystore does not hold", period_no,
			    uri);
		free(uri);
		return err;
	}
	free(uri);
	return ks_cert_by_time(ks, period_no, cert);
}

int
ks_keyset_stale(struct ks *ks, uint64_t period_no)
{
	const struct kmsdoc_cert *c;
	char *uri = NULL;
	int stale = 0;

	if (ks_certs_load(ks, NULL, 0) != 0 || ks_keyset_uri(ks, period_no, &uri) != 0)
		return 0;
	if (uri != NULL && ks_cert_by_time(ks, period_no, &c) == 0)
		stale = !ks_same_uri(c, uri);
	free(uri);
	return stale;
}

void
ks_certs_free(struct ks_certinfo *certs, size_t n)
{
	size_t i;

	for (i = 0; certs != NULL && i < n; i++)
		free(certs[i].periods);
	free(certs);
}

static int
ks_info_cmp(const void *a, const void *b)
{
	const struct ks_certinfo *x = a, *y = b;

	return x->cert->valid_from < y->cert->valid_from ? -1 :
	    x->cert->valid_from > y->cert->valid_from;
}

int
ks_certs(struct ks *ks, int64_t now, struct ks_certinfo **out, size_t *nout, char *why,
    size_t whylen)
{
	struct ks_certinfo *v = NULL;
	const struct kmsdoc_cert *c;
	uint64_t *periods = NULL, *np;
	char *uri;
	size_t n = 0, i, j;
	int err;

	*out = NULL;
	*nout = 0;
	if ((err = ks_certs_load(ks, why, whylen)) != 0)
		return err;
	if ((v = calloc(ks->ncerts, sizeof(*v))) == NULL)
		return SKM_ENOMEM;
	for (i = 0; i < ks->ncerts; i++) {
		v[i].cert = &ks->certs[i]->certs[0];
		v[i].state = ks_state(ks, i, now);
	}
	if ((err = ks_periods(ks, &periods, &n)) != 0) {
		skm_why(why, whylen, err, "cannot list key sets: %s", skm_strerror(err));
		goto out;
	}
	for (j = 0; j < n; j++) {
		/* A key set that cannot be read belongs to none: nothing keeps a certificate for it. */
		if (ks_keyset_uri(ks, periods[j], &uri) != 0)
			continue;
		if (uri != NULL)
			err = ks_cert_by_uri(ks, uri, &c);
		else
			err = ks_cert_by_time(ks, periods[j], &c);
		free(uri);
		if (err != 0) {
			err = 0;
			continue;
		}
		for (i = 0; i < ks->ncerts; i++)
			if (v[i].cert == c)
				break;
		if ((np = realloc(v[i].periods, (v[i].nperiods + 1) * sizeof(*np))) == NULL) {
			err = SKM_ENOMEM;
			goto out;
		}
		v[i].periods = np;
		v[i].periods[v[i].nperiods++] = periods[j];
	}
	qsort(v, ks->ncerts, sizeof(*v), ks_info_cmp);
	*out = v;
	*nout = ks->ncerts;
	v = NULL;
out:
	ks_certs_free(v, ks->ncerts);
	free(periods);
	return err;
}

/* Whether two certificates make the same UIDs and key periods. */
static int
ks_same_scheme(const struct kmsdoc_cert *a, const struct kmsdoc_cert *b)
{
	return a->kms_uri != NULL && b->kms_uri != NULL && strcmp(a->kms_uri, b->kms_uri) == 0 &&
	    a->user_key_period == b->user_key_period &&
	    a->user_key_offset == b->user_key_offset;
}

static int
ks_certs_retire(struct ks *ks, size_t i)
{
	struct kmsdoc **nv;

	if ((nv = realloc(ks->dead, (ks->ndead + 1) * sizeof(*nv))) == NULL)
		return SKM_ENOMEM;
	ks->dead = nv;
	ks->dead[ks->ndead++] = ks->certs[i];
	return 0;
}

int
ks_put_cert(struct ks *ks, const char *text, size_t len, int *added, char *why,
    size_t whylen)
{
	char path[PATH_MAX], dir[PATH_MAX];
	struct kmsdoc *doc = NULL;
	const struct kmsdoc_cert *c;
	size_t i;
	int err;

	if (added != NULL)
		*added = 0;
	if ((err = ks_certs_load(ks, why, whylen)) != 0)
		return err;
	if ((err = kmsdoc_parse(text, len, &doc, why, whylen)) != 0)
		return err;
	if (doc->kind != KMSDOC_CERT || doc->ncerts != 1) {
		err = skm_why(why, whylen, SKM_EINVAL, "not a KmsCertificate document");
		goto out;
	}
	c = &doc->certs[0];
	/* A rollover keeps them (TS 33.180 F.2.1: the UIDs depend on them). */
	if (!ks_same_scheme(c, &ks->certs[0]->certs[0])) {
		err = skm_why(why, whylen, SKM_EINVAL, "certificate '%.80s' has another KmsUri, "
		    "key period or offset than the keystore's (run skmc init)", c->cert_uri);
		goto out;
	}
	for (i = 0; i < ks->ncerts; i++)
		if (ks_same_cert(&ks->certs[i]->certs[0], c))
			break;
	/* CertUri is optional (D.3.2): only one certificate can be without it. */
	if (i == ks->ncerts && (c->cert_uri == NULL || *c->cert_uri == '\0')) {
		err = skm_why(why, whylen, SKM_EINVAL,
		    "KmsCertificate/CertUri: missing, and the keys are not the held ones");
		goto out;
	}
	/* Held as it is (or, without a CertUri, held under its keys). */
	if (i < ks->ncerts && (c->cert_uri == NULL ||
	    (ks->certs[i]->certs[0].xmllen == c->xmllen &&
	    memcmp(ks->certs[i]->certs[0].xml, c->xml, c->xmllen) == 0)))
		goto out;
	if (i == 0) {
		err = ks_join(path, sizeof(path), ks->path, KS_ROOT);
	} else {
		if ((err = ks_join(dir, sizeof(dir), ks->path, KS_CERTS)) == 0 &&
		    (err = ks_mkdir(dir)) == 0)
			err = ks_cert_path(ks, c->cert_uri, path, sizeof(path));
	}
	if (err != 0 || (err = secfile_write(path, (const uint8_t *)c->xml, c->xmllen,
	    1)) != 0) {
		skm_why(why, whylen, err, "certificate '%.80s': cannot store: %s", c->cert_uri,
		    skm_strerror(err));
		goto out;
	}
	if (i < ks->ncerts) {
		if ((err = ks_certs_retire(ks, i)) != 0)
			goto out;
		ks->certs[i] = doc;
	} else {
		if ((err = ks_certs_add(ks, doc)) != 0)
			goto out;
		if (added != NULL)
			*added = 1;
	}
	doc = NULL;
out:
	kmsdoc_free(doc);
	return err;
}

/*
 * Removes certificate i. root.xml is never left without the certificate in
 * force: when i is root.xml's, the current one is written there first and
 * its certs/ copy erased after (a copy left by a crash is skipped on load).
 */
static int
ks_cert_remove(struct ks *ks, size_t i, int64_t now, char *why, size_t whylen)
{
	char path[PATH_MAX];
	size_t cur = ks_current_index(ks, now);
	const struct kmsdoc_cert *c = &ks->certs[i]->certs[0];
	int err;

	if (i == cur)
		return skm_why(why, whylen, SKM_EBUSY, "certificate '%.80s' is in force",
		    c->cert_uri != NULL ? c->cert_uri : "");
	if (i == 0) {
		const struct kmsdoc_cert *cc = &ks->certs[cur]->certs[0];

		if ((err = ks_join(path, sizeof(path), ks->path, KS_ROOT)) != 0 ||
		    (err = secfile_write(path, (const uint8_t *)cc->xml, cc->xmllen, 1)) != 0)
			return skm_why(why, whylen, err, "%s: %s", KS_ROOT, skm_strerror(err));
		if ((err = ks_cert_path(ks, cc->cert_uri, path, sizeof(path))) != 0)
			return err;
		if ((err = secfile_erase(path)) != 0 && err != SKM_ENOTFOUND)
			return skm_why(why, whylen, err, "%s: %s", path, skm_strerror(err));
		/* The current one moves to [0]; the old root is retired in memory. */
		if ((err = ks_certs_retire(ks, 0)) != 0)
			return err;
		ks->certs[0] = ks->certs[cur];
		ks->certs[cur] = ks->certs[--ks->ncerts];
		return 0;
	}
	if ((err = ks_cert_path(ks, c->cert_uri, path, sizeof(path))) != 0)
		return err;
	if ((err = secfile_erase(path)) != 0 && err != SKM_ENOTFOUND)
		return skm_why(why, whylen, err, "%s: %s", path, skm_strerror(err));
	if ((err = ks_certs_retire(ks, i)) != 0)
		return err;
	ks->certs[i] = ks->certs[--ks->ncerts];
	return 0;
}

int
ks_cert_drop(struct ks *ks, const char *uri, char *why, size_t whylen)
{
	char path[PATH_MAX];
	struct ks_certinfo *v = NULL;
	int64_t now = (int64_t)time(NULL);
	size_t n = 0, i, j;
	int err;

	if ((err = ks_certs(ks, now, &v, &n, why, whylen)) != 0)
		return err;
	for (i = 0; i < n; i++)
		if (ks_same_uri(v[i].cert, uri))
			break;
	if (i == n) {
		err = skm_why(why, whylen, SKM_ENOTFOUND, "no certificate '%.80s'", uri);
		goto out;
	}
	if (v[i].state == KS_CERT_CURRENT) {
		err = skm_why(why, whylen, SKM_EBUSY, "certificate '%.80s' is in force", uri);
		goto out;
	}
	for (j = 0; j < v[i].nperiods; j++) {
		int nn = snprintf(path, sizeof(path), "%s/%s/%" PRIu64 ".xml", ks->path,
		    KS_KEYS, v[i].periods[j]);

		if (nn < 0 || (size_t)nn >= sizeof(path)) {
			err = SKM_ELEN;
			goto out;
		}
		if ((err = secfile_erase(path)) != 0 && err != SKM_ENOTFOUND) {
			skm_why(why, whylen, err, "%s: %s", path, skm_strerror(err));
			goto out;
		}
	}
	ks_keys_drop(ks);
	for (j = 0; j < ks->ncerts; j++)
		if (ks_same_uri(&ks->certs[j]->certs[0], uri))
			break;
	err = ks_cert_remove(ks, j, now, why, whylen);
out:
	ks_certs_free(v, n);
	return err;
}

int
ks_tidy(struct ks *ks, int64_t now, size_t *dropped, char *why, size_t whylen)
{
	struct ks_certinfo *v = NULL;
	size_t n = 0, i, j, count = 0;
	int err;

	if (dropped != NULL)
		*dropped = 0;
	if ((err = ks_certs(ks, now, &v, &n, why, whylen)) != 0)
		return err;
	for (i = 0; i < n; i++) {
		if ((v[i].state != KS_CERT_RETIRED && v[i].state != KS_CERT_REVOKED) ||
		    v[i].nperiods > 0)
			continue;
		for (j = 0; j < ks->ncerts; j++)
			if (&ks->certs[j]->certs[0] == v[i].cert)
				break;
		if (j == ks->ncerts)
			continue;
		if ((err = ks_cert_remove(ks, j, now, why, whylen)) != 0)
			goto out;
		count++;
	}
	if (dropped != NULL)
		*dropped = count;
out:
	ks_certs_free(v, n);
	return err;
}

int
ks_certs_erase_all(const char *idpath)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int err = 0, e;

	if ((err = ks_join(dir, sizeof(dir), idpath, KS_CERTS)) != 0)
		return err;
	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : SKM_EIO;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (ks_join(path, sizeof(path), dir, de->d_name) != 0)
			continue;
		if ((e = secfile_erase(path)) != 0 && e != SKM_ENOTFOUND && err == 0)
			err = e;
	}
	closedir(d);
	return err;
}
