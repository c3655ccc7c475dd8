/* SPDX-License-Identifier: ISC */
/*
 * Opening a domain: unsealing its master secrets into libskm objects and
 * the public views (certificate, periods) derived from the domain record.
 */
#include "kms/kms.h"
#include "kms/kms_int.h"
#include "common/err.h"
#include "common/time.h"
#include "lib/period.h"
#include "store/kek.h"
#include "store/secrets.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

/* The unsealed secrets must reproduce the published keys: a check that the
 * domain record and the secrets belong together. */
static int
kms_check_public(const struct kms *k, char *why, size_t whylen)
{
	uint8_t kpak[ECCSI_POINT_LEN], z[SAKKE_POINT_LEN];
	int rc;

	if ((rc = eccsi_kms_kpak(k->eccsi, kpak)) != 0 ||
	    (rc = sakke_pub_export(sakke_kms_pub(k->sakke), z)) != 0)
		return rc;
	if (memcmp(kpak, k->domain.kpak, sizeof(kpak)) != 0 ||
	    memcmp(z, k->domain.z, sizeof(z)) != 0) {
		snprintf(why, whylen, "master secrets do not match the domain's public keys");
		return SKM_EVERIFY;
	}
	return 0;
}

int
kms_open(struct store *st, const char *kek_file, const char *passphrase_file,
    struct kms **out, char *why, size_t whylen)
{
	const char *kek_path;
	uint8_t plain[KMS_SECRETS_LEN];
	struct store_txn t;
	struct kek *kek = NULL;
	struct kms *k;
	size_t i, len = 0;
	int rc;

	*out = NULL;
	why[0] = '\0';
	if ((k = OPENSSL_zalloc(sizeof(*k))) == NULL)
		return SKM_ENOMEM;
	if ((rc = store_txn_begin(st, 0, &t)) != 0)
		goto out;
	if ((rc = store_domain_get(&t, &k->domain)) != 0) {
		store_txn_abort(&t);
		snprintf(why, whylen, rc == SKM_ENOTFOUND ? "no domain: run 'skmsctl init'" :
		    "domain record: %s", skm_strerror(rc));
		goto out;
	}
	if ((rc = kms_kek_load(&k->domain.kek, kek_file, passphrase_file, &kek_path,
	    &kek, why, whylen)) != 0) {
		store_txn_abort(&t);
		goto out;
	}
	rc = store_secrets_get(&t, kek, plain, sizeof(plain), &len);
	store_txn_abort(&t);
	if (rc != 0) {
		kms_kek_unseal_why(&k->domain.kek, kek_path, rc, why, whylen);
		goto out;
	}
	if (len != KMS_SECRETS_LEN) {
		snprintf(why, whylen, "master secrets have %zu octets, not %d", len,
		    KMS_SECRETS_LEN);
		rc = SKM_ESTORE;
		goto out;
	}
	if ((rc = eccsi_kms_load(&k->eccsi, plain, plain + ECCSI_SCALAR_LEN)) != 0 ||
	    (rc = sakke_kms_load(&k->sakke, plain + ECCSI_SCALAR_LEN + ECCSI_PRF_KEY_LEN,
	    SAKKE_FE_LEN)) != 0) {
		snprintf(why, whylen, "master secrets: %s", skm_strerror(rc));
		goto out;
	}
	if ((rc = kms_check_public(k, why, whylen)) != 0)
		goto out;
	for (i = 0; i < k->domain.n_domains && i < DOMAIN_LIST_MAX; i++)
		k->domains[i] = k->domain.kms_domain_list[i];
	*out = k;
	k = NULL;
out:
	OPENSSL_cleanse(plain, sizeof(plain));
	kek_free(kek);
	kms_free(k);
	return rc;
}

int
kms_open_public(struct store *st, struct kms **out)
{
	struct store_txn t;
	struct kms *k;
	size_t i;
	int rc;

	*out = NULL;
	if ((k = OPENSSL_zalloc(sizeof(*k))) == NULL)
		return SKM_ENOMEM;
	if ((rc = store_txn_begin(st, 0, &t)) == 0) {
		rc = store_domain_get(&t, &k->domain);
		store_txn_abort(&t);
	}
	if (rc != 0) {
		kms_free(k);
		return rc;
	}
	for (i = 0; i < k->domain.n_domains && i < DOMAIN_LIST_MAX; i++)
		k->domains[i] = k->domain.kms_domain_list[i];
	*out = k;
	return 0;
}

void
kms_free(struct kms *k)
{
	if (k == NULL)
		return;
	sakke_kms_free(k->sakke);
	eccsi_kms_free(k->eccsi);
	OPENSSL_free(k);
}

void
kms_cert(const struct kms *k, struct kmsxml_cert *c)
{
	memset(c, 0, sizeof(*c));
	c->role = "Root";
	c->cert_uri = k->domain.cert_uri[0] != '\0' ? k->domain.cert_uri : NULL;
	c->kms_uri = k->domain.kms_uri;
	c->issuer = k->domain.issuer[0] != '\0' ? k->domain.issuer : NULL;
	c->valid_from = k->domain.valid_from;
	c->valid_to = k->domain.valid_to;
	c->revoked = k->domain.revoked;
	c->user_key_period = k->domain.user_key_period;
	c->user_key_offset = k->domain.user_key_offset;
	memcpy(c->pub_enc_key, k->domain.z, sizeof(c->pub_enc_key));
	memcpy(c->pub_auth_key, k->domain.kpak, sizeof(c->pub_auth_key));
	c->domains = k->domains;
	c->ndomains = k->domain.n_domains;
}

int
kms_period_at(const struct kms *k, int64_t unix_time, uint64_t *period_no,
    int64_t *start, int64_t *end)
{
	uint64_t ntp, s, e;
	int rc;

	if ((rc = time_unix_to_ntp_checked(unix_time, &ntp)) != 0 ||
	    (rc = period_number(ntp, k->domain.user_key_period, k->domain.user_key_offset,
	    period_no)) != 0 ||
	    (rc = period_bounds(*period_no, k->domain.user_key_period,
	    k->domain.user_key_offset, &s, &e)) != 0)
		return rc;
	if (start != NULL)
		*start = time_ntp_to_unix(s);
	if (end != NULL)
		*end = time_ntp_to_unix(e);
	return 0;
}

int
kms_period_bounds(const struct kms *k, uint64_t period_no, int64_t *start, int64_t *end)
{
	uint64_t s, e;
	int rc;

	if ((rc = period_bounds(period_no, k->domain.user_key_period,
	    k->domain.user_key_offset, &s, &e)) != 0)
		return rc;
	*start = time_ntp_to_unix(s);
	*end = time_ntp_to_unix(e);
	return 0;
}
