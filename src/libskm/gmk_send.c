/* SPDX-License-Identifier: ISC */
/*
 * The public GMK sender: a GMS identity with its ECCSI signers per key
 * period, and one I_MESSAGE per call made by lib/mikey_gmk.c.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/err.h"
#include "common/time.h"
#include "lib/eccsi.h"
#include "lib/mikey_gmk.h"
#include "lib/period.h"
#include "lib/uid.h"
#include "libskm/gmk_impl.h"

_Static_assert(SKM_GMK_LEN == MIKEY_GMK_LEN, "GMK length");
_Static_assert(SKM_GMK_STATUS_VALID == MIKEY_KP_STATUS_VALID, "GMK status bit");

struct period_signer {
	uint64_t period_no;
	struct eccsi_signer *signer;	/* SECRET */
};

struct skm_gmk_sender {
	struct gmk_domain d;
	struct period_signer *signers;
	size_t n;
};

int
skm_gmk_sender_new(struct skm_gmk_sender **s, const char *gms_uri, const char *kms_uri,
    uint64_t key_period, uint64_t key_offset, const uint8_t kpak[SKM_ECCSI_POINT_LEN],
    const uint8_t z[SKM_SAKKE_POINT_LEN])
{
	struct skm_gmk_sender *h;
	int err;

	if (s == NULL)
		return SKM_EINVAL;
	*s = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return SKM_ENOMEM;
	if ((err = gmk_domain_init(&h->d, gms_uri, kms_uri, key_period, key_offset, kpak,
	    z)) != 0) {
		free(h);
		return err;
	}
	*s = h;
	return 0;
}

void
skm_gmk_sender_free(struct skm_gmk_sender *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		eccsi_signer_free(s->signers[i].signer);
	free(s->signers);
	gmk_domain_clear(&s->d);
	free(s);
}

static struct period_signer *
find(const struct skm_gmk_sender *s, uint64_t period_no)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->signers[i].period_no == period_no)
			return &s->signers[i];
	return NULL;
}

int
skm_gmk_sender_add_keys(struct skm_gmk_sender *s, uint64_t period_no,
    const uint8_t ssk[SKM_ECCSI_SCALAR_LEN], const uint8_t pvt[SKM_ECCSI_POINT_LEN])
{
	struct eccsi_signer *signer = NULL;
	struct period_signer *p, *grown;
	uint8_t uid[UID_LEN];
	int err;

	if (s == NULL || ssk == NULL || pvt == NULL)
		return SKM_EINVAL;
	if ((err = gmk_domain_uid(&s->d, NULL, period_no, uid)) != 0 ||
	    (err = eccsi_signer_new(&signer, s->d.kpak, uid, UID_LEN, ssk, pvt)) != 0)
		return err;
	if ((p = find(s, period_no)) != NULL) {
		eccsi_signer_free(p->signer);
		p->signer = signer;
		return 0;
	}
	if ((grown = realloc(s->signers, (s->n + 1) * sizeof(*grown))) == NULL) {
		eccsi_signer_free(signer);
		return SKM_ENOMEM;
	}
	s->signers = grown;
	s->signers[s->n].period_no = period_no;
	s->signers[s->n].signer = signer;
	s->n++;
	return 0;
}

int
skm_gmk_make(const struct skm_gmk_sender *s, const char *user_uri,
    const uint8_t gmk[SKM_GMK_LEN], uint32_t gmk_id, int64_t now, const char *group,
    int64_t activation, int64_t expiry, unsigned flags, uint8_t **msg, size_t *len)
{
	struct mikey_gmk_send m;
	struct mikey_kp kp;
	const struct period_signer *p;
	uint8_t gms_uid[UID_LEN], user_uid[UID_LEN];
	uint64_t ntp, period_no;
	int err;

	if (msg != NULL)
		*msg = NULL;
	if (len != NULL)
		*len = 0;
	if (s == NULL || user_uri == NULL || *user_uri == '\0' || gmk == NULL ||
	    msg == NULL || len == NULL || (flags & ~(unsigned)SKM_GMK_HIDE_IDS) != 0 ||
	    activation < 0 || expiry < 0 || (group != NULL && *group == '\0'))
		return SKM_EINVAL;
	/* TS 33.180 F.2.1: the keys of the period of the T payload sign. */
	if ((err = time_unix_to_ntp_checked(now, &ntp)) != 0 ||
	    (err = period_number(ntp, s->d.key_period, s->d.key_offset, &period_no)) != 0)
		return err;
	if ((p = find(s, period_no)) == NULL)
		return SKM_ENOTFOUND;
	if ((err = gmk_domain_uid(&s->d, NULL, period_no, gms_uid)) != 0 ||
	    (err = gmk_domain_uid(&s->d, user_uri, period_no, user_uid)) != 0)
		return err;
	memset(&kp, 0, sizeof(kp));
	kp.key_type = MIKEY_KP_TYPE_GMK;
	kp.status = MIKEY_KP_STATUS_VALID;
	kp.activation = (uint64_t)activation;
	kp.expiry = (uint64_t)expiry;
	kp.groups[0] = (char *)(uintptr_t)group;
	kp.ngroups = 1;
	memset(&m, 0, sizeof(m));
	m.signer = p->signer;
	m.gms_uri = s->d.uri;
	m.gms_uid = gms_uid;
	m.user_uri = user_uri;
	m.user_uid = user_uid;
	m.kms_uri = s->d.kms_uri;
	m.z = s->d.z;
	m.ts = ntp << 32;
	m.gmk = gmk;
	m.gmk_id = gmk_id;
	m.kp = group != NULL ? &kp : NULL;
	m.hide = (flags & SKM_GMK_HIDE_IDS) != 0;
	return mikey_gmk_make(&m, msg, len);
}
