/* SPDX-License-Identifier: ISC */
/*
 * The verified-token cache (see auth_cache.h): a direct-mapped table
 * indexed by the digest, so it is bounded without any eviction list; a
 * collision simply replaces the older entry. The digest of a token an
 * attacker cannot sign is useless to them, and a forged token has a
 * different digest, so the table can only answer for tokens that verified.
 */
#include "server/auth_cache.h"
#include "common/err.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

struct auth_cache_ent {
	uint8_t digest[AUTH_CACHE_DIGEST];
	int used;
	int64_t verified;		/* when verification concluded */
	struct auth_result res;
};

struct auth_cache {
	pthread_mutex_t mu;
	size_t mask;
	uint64_t hits;
	struct auth_cache_ent *slots;
};

int
auth_cache_new(unsigned slots, struct auth_cache **out)
{
	struct auth_cache *c;
	size_t n = 1;

	*out = NULL;
	if (slots == 0)
		return 0;
	while (n < slots && n < ((size_t)1 << 20))
		n <<= 1;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return SKM_ENOMEM;
	if ((c->slots = calloc(n, sizeof(*c->slots))) == NULL) {
		free(c);
		return SKM_ENOMEM;
	}
	c->mask = n - 1;
	pthread_mutex_init(&c->mu, NULL);
	*out = c;
	return 0;
}

void
auth_cache_free(struct auth_cache *c)
{
	if (c == NULL)
		return;
	OPENSSL_cleanse(c->slots, (c->mask + 1) * sizeof(*c->slots));
	free(c->slots);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

static struct auth_cache_ent *
auth_cache_slot(struct auth_cache *c, const uint8_t d[AUTH_CACHE_DIGEST])
{
	size_t i = (size_t)d[0] | (size_t)d[1] << 8 | (size_t)d[2] << 16 |
	    (size_t)d[3] << 24;

	return &c->slots[i & c->mask];
}

int
auth_cache_get(struct auth_cache *c, const uint8_t d[AUTH_CACHE_DIGEST],
    int64_t now, int64_t leeway, struct auth_result *res)
{
	struct auth_cache_ent *e;
	int rc = SKM_ENOTFOUND;

	if (c == NULL)
		return SKM_ENOTFOUND;
	pthread_mutex_lock(&c->mu);
	e = auth_cache_slot(c, d);
	/*
	 * nbf and iat only pass more easily as time goes on, exp less: a
	 * success at e->verified holds at now >= e->verified as long as exp
	 * (RFC 7519 4.1.4, with the leeway) still does. An earlier now, after
	 * the clock stepped back, gets the full verification.
	 */
	if (e->used && CRYPTO_memcmp(e->digest, d, AUTH_CACHE_DIGEST) == 0 &&
	    now >= e->verified && e->res.expires > now - leeway) {
		*res = e->res;
		c->hits++;
		rc = 0;
	}
	pthread_mutex_unlock(&c->mu);
	return rc;
}

void
auth_cache_put(struct auth_cache *c, const uint8_t d[AUTH_CACHE_DIGEST],
    int64_t now, const struct auth_result *res)
{
	struct auth_cache_ent *e;

	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	e = auth_cache_slot(c, d);
	memcpy(e->digest, d, AUTH_CACHE_DIGEST);
	e->verified = now;
	e->res = *res;
	e->used = 1;
	pthread_mutex_unlock(&c->mu);
}

uint64_t
auth_cache_hits(struct auth_cache *c)
{
	uint64_t n;

	if (c == NULL)
		return 0;
	pthread_mutex_lock(&c->mu);
	n = c->hits;
	pthread_mutex_unlock(&c->mu);
	return n;
}
