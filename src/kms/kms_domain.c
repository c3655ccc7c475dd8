/* SPDX-License-Identifier: ISC */
/*
 * Creating a domain: fresh master secrets, sealed in the same write
 * transaction as the domain record and its audit entry, so a crash leaves
 * either no domain or a complete one.
 */
#include "kms/kms.h"
#include "common/err.h"
#include "store/audit.h"
#include "store/kek.h"
#include "store/secrets.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

static int
kms_copy(char *dst, size_t cap, const char *src)
{
	size_t n = src != NULL ? strlen(src) : 0;

	if (n >= cap)
		return SKM_ELEN;
	memcpy(dst, n > 0 ? src : "", n);
	dst[n] = '\0';
	return 0;
}

static int
kms_domain_rec(struct domain_rec *d, const struct kms_domain_params *p,
    const struct kek_ref *ref)
{
	size_t i;
	int rc;

	if (p->kms_uri == NULL || p->kms_uri[0] == '\0' || p->key_period == 0 ||
	    p->key_offset >= p->key_period || p->valid_to <= p->valid_from ||
	    p->ndomains > DOMAIN_LIST_MAX)
		return SKM_EINVAL;
	memset(d, 0, sizeof(*d));
	if ((rc = kms_copy(d->kms_uri, sizeof(d->kms_uri), p->kms_uri)) != 0 ||
	    (rc = kms_copy(d->cert_uri, sizeof(d->cert_uri), p->cert_uri)) != 0 ||
	    (rc = kms_copy(d->issuer, sizeof(d->issuer), p->issuer)) != 0)
		return rc;
	for (i = 0; i < p->ndomains; i++)
		if ((rc = kms_copy(d->kms_domain_list[i], sizeof(d->kms_domain_list[i]),
		    p->domains[i])) != 0)
			return rc;
	d->n_domains = p->ndomains;
	d->user_key_period = p->key_period;
	d->user_key_offset = p->key_offset;
	d->user_id_format = 2;
	d->parameter_set = 1;
	d->valid_from = p->valid_from;
	d->valid_to = p->valid_to;
	d->kek = *ref;
	return 0;
}

int
kms_domain_create(struct store *st, const struct kms_domain_params *p,
    const struct kek_ref *ref, const struct kek *kek, const char *actor, int64_t now)
{
	uint8_t plain[KMS_SECRETS_LEN];
	struct eccsi_kms *eccsi = NULL;
	struct sakke_kms *sakke = NULL;
	struct domain_rec *d;
	struct store_txn t;
	struct audit_rec a;
	char detail[DOMAIN_URI_MAX + 64];
	int rc;

	if ((d = OPENSSL_zalloc(sizeof(*d))) == NULL)
		return SKM_ENOMEM;
	if ((rc = kms_domain_rec(d, p, ref)) != 0)
		goto out;
	if ((rc = eccsi_kms_generate(&eccsi)) != 0 ||
	    (rc = sakke_kms_generate(&sakke)) != 0 ||
	    (rc = eccsi_kms_kpak(eccsi, d->kpak)) != 0 ||
	    (rc = sakke_pub_export(sakke_kms_pub(sakke), d->z)) != 0 ||
	    (rc = eccsi_kms_export(eccsi, plain, plain + ECCSI_SCALAR_LEN)) != 0 ||
	    (rc = sakke_kms_export(sakke, plain + ECCSI_SCALAR_LEN + ECCSI_PRF_KEY_LEN)) != 0)
		goto out;
	snprintf(detail, sizeof(detail), "kms-uri %s period %llu offset %llu",
	    d->kms_uri, (unsigned long long)d->user_key_period,
	    (unsigned long long)d->user_key_offset);
	memset(&a, 0, sizeof(a));
	a.time = now;
	a.actor = actor;
	a.action = "init";
	a.detail = detail;
	if ((rc = store_txn_begin(st, 1, &t)) != 0)
		goto out;
	store_domain_put(&t, d, 0);
	store_secrets_put(&t, kek, plain, sizeof(plain));
	store_audit_append(&t, &a, NULL);
	rc = store_txn_commit(&t);
out:
	OPENSSL_cleanse(plain, sizeof(plain));
	eccsi_kms_free(eccsi);
	sakke_kms_free(sakke);
	OPENSSL_free(d);
	return rc;
}
