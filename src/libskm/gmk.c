/* SPDX-License-Identifier: ISC */
/*
 * The parts of the public GMK API shared by sender and receiver: the
 * domain of an identity, an accepted GMK's accessors, and skm_free.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/err.h"
#include "lib/eccsi.h"
#include "lib/uid.h"
#include "libskm/gmk_impl.h"

/* The longest URI accepted: what the client's files and messages keep. */
#define URI_MAX	255

static int
uri_ok(const char *s)
{
	size_t n;

	return s != NULL && (n = strlen(s)) > 0 && n <= URI_MAX;
}

int
gmk_domain_init(struct gmk_domain *d, const char *uri, const char *kms_uri,
    uint64_t key_period, uint64_t key_offset, const uint8_t kpak[SKM_ECCSI_POINT_LEN],
    const uint8_t z[SKM_SAKKE_POINT_LEN])
{
	int err;

	memset(d, 0, sizeof(*d));
	if (!uri_ok(uri) || !uri_ok(kms_uri) || key_period == 0 || kpak == NULL || z == NULL)
		return SKM_EINVAL;
	if ((err = eccsi_point_check(kpak)) != 0)
		return err;
	if ((d->uri = strdup(uri)) == NULL || (d->kms_uri = strdup(kms_uri)) == NULL) {
		err = SKM_ENOMEM;
		goto out;
	}
	d->key_period = key_period;
	d->key_offset = key_offset;
	memcpy(d->kpak, kpak, sizeof(d->kpak));
	err = sakke_pub_new(&d->z, z);
out:
	if (err != 0)
		gmk_domain_clear(d);
	return err;
}

void
gmk_domain_clear(struct gmk_domain *d)
{
	free(d->uri);
	free(d->kms_uri);
	sakke_pub_free(d->z);
	memset(d, 0, sizeof(*d));
}

int
gmk_domain_uid(const struct gmk_domain *d, const char *uri, uint64_t period_no,
    uint8_t uid[UID_LEN])
{
	if (uri == NULL)
		uri = d->uri;
	return uid_derive(uri, strlen(uri), d->kms_uri, strlen(d->kms_uri), d->key_period,
	    d->key_offset, period_no, uid);
}

void
skm_gmk_free(struct skm_gmk *gmk)
{
	size_t i;

	if (gmk == NULL)
		return;
	if (gmk->key != NULL)
		OPENSSL_secure_clear_free(gmk->key, SKM_GMK_LEN);
	free(gmk->initiator);
	free(gmk->text);
	for (i = 0; i < gmk->ngroups; i++)
		free(gmk->groups[i]);
	free(gmk->hint);
	free(gmk);
}

void
skm_gmk_key(const struct skm_gmk *gmk, uint8_t key[SKM_GMK_LEN])
{
	memcpy(key, gmk->key, SKM_GMK_LEN);
}

uint32_t
skm_gmk_id(const struct skm_gmk *gmk)
{
	return gmk->id;
}

uint32_t
skm_gmk_guk_id(const struct skm_gmk *gmk)
{
	return gmk->guk_id;
}

const char *
skm_gmk_initiator(const struct skm_gmk *gmk)
{
	return gmk->initiator;
}

int64_t
skm_gmk_timestamp(const struct skm_gmk *gmk)
{
	return gmk->timestamp;
}

int64_t
skm_gmk_activation(const struct skm_gmk *gmk)
{
	return gmk->activation;
}

int64_t
skm_gmk_expiry(const struct skm_gmk *gmk)
{
	return gmk->expiry;
}

uint32_t
skm_gmk_status(const struct skm_gmk *gmk)
{
	return gmk->status;
}

const char *
skm_gmk_text(const struct skm_gmk *gmk)
{
	return gmk->text;
}

size_t
skm_gmk_group_count(const struct skm_gmk *gmk)
{
	return gmk->ngroups;
}

const char *
skm_gmk_group(const struct skm_gmk *gmk, size_t i)
{
	return i < gmk->ngroups ? gmk->groups[i] : NULL;
}

const char *
skm_gmk_group_hint(const struct skm_gmk *gmk)
{
	return gmk->hint;
}

void
skm_free(void *buf)
{
	OPENSSL_free(buf);
}
