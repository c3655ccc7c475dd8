/* SPDX-License-Identifier: ISC */
/*
 * The public KMS document checks: client/kmsdoc.c parses, client/kmscheck.c
 * decides, and a handle keeps the parsed document (secrets in the secure
 * heap, cleansed by kmsdoc_free).
 */
#include <stdlib.h>
#include <string.h>

#include <skm/kms.h>

#include "client/kmscheck.h"
#include "client/kmsdoc.h"
#include "common/err.h"

struct skm_kms_cert {
	struct kmsdoc *doc;
	const struct kmsdoc_cert *c;	/* in doc */
};

struct skm_kms_keyset {
	struct kmsdoc *doc;		/* SECRET: holds the keys */
	const struct kmsdoc_keyset *ks;	/* in doc */
};

int
skm_kms_cert_parse(const char *xml, size_t len, int64_t now, struct skm_kms_cert **cert,
    char *why, size_t whylen)
{
	struct skm_kms_cert *h = NULL;
	int err;

	if (cert == NULL)
		return skm_why(why, whylen, SKM_EINVAL, "no result handle");
	*cert = NULL;
	if (xml == NULL)
		return skm_why(why, whylen, SKM_EINVAL, "no document");
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return skm_why(why, whylen, SKM_ENOMEM, "out of memory");
	if ((err = kmsdoc_parse(xml, len, &h->doc, why, whylen)) != 0)
		goto out;
	if ((h->doc->kind != KMSDOC_CERT && h->doc->kind != KMSDOC_INIT) ||
	    h->doc->ncerts == 0) {
		err = skm_why(why, whylen, SKM_EPARSE, "a %s document is no certificate",
		    kmsdoc_kind_name(h->doc->kind));
		goto out;
	}
	h->c = &h->doc->certs[0];
	if ((err = kmscheck_cert(h->c, now, why, whylen)) != 0)
		goto out;
	*cert = h;
	h = NULL;
out:
	skm_kms_cert_free(h);
	return err;
}

void
skm_kms_cert_free(struct skm_kms_cert *cert)
{
	if (cert == NULL)
		return;
	kmsdoc_free(cert->doc);
	free(cert);
}

const char *
skm_kms_cert_kms_uri(const struct skm_kms_cert *cert)
{
	return cert->c->kms_uri;
}

uint64_t
skm_kms_cert_key_period(const struct skm_kms_cert *cert)
{
	return cert->c->user_key_period;
}

uint64_t
skm_kms_cert_key_offset(const struct skm_kms_cert *cert)
{
	return cert->c->user_key_offset;
}

void
skm_kms_cert_z(const struct skm_kms_cert *cert, uint8_t z[SKM_SAKKE_POINT_LEN])
{
	memcpy(z, cert->c->pub_enc_key, SKM_SAKKE_POINT_LEN);
}

void
skm_kms_cert_kpak(const struct skm_kms_cert *cert, uint8_t kpak[SKM_ECCSI_POINT_LEN])
{
	memcpy(kpak, cert->c->pub_auth_key, SKM_ECCSI_POINT_LEN);
}

int
skm_kms_keyset_parse(const struct skm_kms_cert *cert, const char *uri, const char *xml,
    size_t len, size_t index, struct skm_kms_keyset **ks, char *why, size_t whylen)
{
	struct skm_kms_keyset *h = NULL;
	int err;

	if (ks == NULL)
		return skm_why(why, whylen, SKM_EINVAL, "no result handle");
	*ks = NULL;
	if (cert == NULL || uri == NULL || xml == NULL)
		return skm_why(why, whylen, SKM_EINVAL, "no certificate, URI or document");
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return skm_why(why, whylen, SKM_ENOMEM, "out of memory");
	if ((err = kmsdoc_parse(xml, len, &h->doc, why, whylen)) != 0)
		goto out;
	if (h->doc->kind != KMSDOC_KEYSET && h->doc->kind != KMSDOC_KEYPROV) {
		err = skm_why(why, whylen, SKM_EPARSE, "a %s document is no key set",
		    kmsdoc_kind_name(h->doc->kind));
		goto out;
	}
	if (index >= h->doc->nkeysets) {
		err = skm_why(why, whylen, SKM_ENOTFOUND, "the document has %zu key set(s)",
		    h->doc->nkeysets);
		goto out;
	}
	h->ks = &h->doc->keysets[index];
	if ((err = kmscheck_keyset(cert->c, h->ks, uri, why, whylen)) != 0)
		goto out;
	*ks = h;
	h = NULL;
out:
	skm_kms_keyset_free(h);
	return err;
}

void
skm_kms_keyset_free(struct skm_kms_keyset *ks)
{
	if (ks == NULL)
		return;
	kmsdoc_free(ks->doc);
	free(ks);
}

const char *
skm_kms_keyset_user_uri(const struct skm_kms_keyset *ks)
{
	return ks->ks->user_uri;
}

uint64_t
skm_kms_keyset_period(const struct skm_kms_keyset *ks)
{
	return ks->ks->period_no;
}

void
skm_kms_keyset_rsk(const struct skm_kms_keyset *ks, uint8_t rsk[SKM_SAKKE_POINT_LEN])
{
	memcpy(rsk, ks->ks->rsk, SKM_SAKKE_POINT_LEN);
}

void
skm_kms_keyset_ssk(const struct skm_kms_keyset *ks, uint8_t ssk[SKM_ECCSI_SCALAR_LEN])
{
	memcpy(ssk, ks->ks->ssk, SKM_ECCSI_SCALAR_LEN);
}

void
skm_kms_keyset_pvt(const struct skm_kms_keyset *ks, uint8_t pvt[SKM_ECCSI_POINT_LEN])
{
	memcpy(pvt, ks->ks->pvt, SKM_ECCSI_POINT_LEN);
}
