/* SPDX-License-Identifier: ISC */
/*
 * What an accepted GMK holds (skm_gmk_accept fills it, gmk.c reads it),
 * and the domain both a sender and a receiver are in.
 */
#ifndef SKM_LIBSKM_GMK_IMPL_H
#define SKM_LIBSKM_GMK_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include <skm/gmk.h>

#include "lib/mikey_kp.h"
#include "lib/sakke.h"

struct skm_gmk {
	uint8_t *key;			/* SECRET: SKM_GMK_LEN octets, secure heap */
	uint32_t id;
	uint32_t guk_id;
	char *initiator;
	int64_t timestamp;
	int64_t activation;
	int64_t expiry;
	uint32_t status;
	char *text;			/* NULL when none */
	char *groups[MIKEY_KP_GROUPS_MAX];
	size_t ngroups;
	char *hint;			/* the notification's group, or NULL */
};

/* One identity in one KMS domain, with the domain's public keys. */
struct gmk_domain {
	char *uri;
	char *kms_uri;
	uint64_t key_period;
	uint64_t key_offset;
	uint8_t kpak[SKM_ECCSI_POINT_LEN];
	struct sakke_pub *z;
};

/* Checks and copies the arguments into d; gmk_domain_clear releases them. */
int gmk_domain_init(struct gmk_domain *d, const char *uri, const char *kms_uri,
    uint64_t key_period, uint64_t key_offset, const uint8_t kpak[SKM_ECCSI_POINT_LEN],
    const uint8_t z[SKM_SAKKE_POINT_LEN]);
void gmk_domain_clear(struct gmk_domain *d);

/* The UID of d->uri (or of uri when not NULL) for period_no. */
int gmk_domain_uid(const struct gmk_domain *d, const char *uri, uint64_t period_no,
    uint8_t uid[32]);

#endif
