/* SPDX-License-Identifier: ISC */
/*
 * Opening a domain: loading its key-encryption key, unsealing the master
 * secrets of every generation (kms_gen.c), and the key periods derived
 * from the domain record.
 */
#include "kms/kms.h"
#include "kms/kms_impl.h"
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

int
kms_open(struct store *st, const char *kek_file, const char *passphrase_file,
    struct kms **out, char *why, size_t whylen)
{
	const char *kek_path;
	struct store_txn t;
	struct kek *kek = NULL;
	struct kms *k;
	size_t i;
	int rc;

	*out = NULL;
	why[0] = '\0';
	if ((k = OPENSSL_zalloc(sizeof(*k))) == NULL)
		return SKM_ENOMEM;
	if ((rc = kms_tkc_new(k)) != 0 || (rc = store_txn_begin(st, 0, &t)) != 0)
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
	/* The key stays with k: a rollover made while it runs is unsealed with it. */
	rc = kms_gens_open(k, &t, kek, why, whylen);
	store_txn_abort(&t);
	if (rc == SKM_EVERIFY)
		kms_kek_unseal_why(&k->domain.kek, kek_path, rc, why, whylen);
	if (rc != 0)
		goto out;
	for (i = 0; i < k->domain.n_domains && i < DOMAIN_LIST_MAX; i++)
		k->domains[i] = k->domain.kms_domain_list[i];
	*out = k;
	k = NULL;
out:
	kms_free(k);
	return rc;
}

int
kms_open_public(struct store *st, struct kms **out)
{
	struct store_txn t;
	struct kms *k;
	char why[256];
	size_t i;
	int rc;

	*out = NULL;
	if ((k = OPENSSL_zalloc(sizeof(*k))) == NULL)
		return SKM_ENOMEM;
	if ((rc = store_txn_begin(st, 0, &t)) == 0) {
		if ((rc = store_domain_get(&t, &k->domain)) == 0)
			rc = kms_gens_open(k, &t, NULL, why, sizeof(why));
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
	kms_gens_free(k);
	kms_tkc_free(k);
	OPENSSL_free(k);
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
