/* SPDX-License-Identifier: ISC */
/*
 * A bounded cache of access tokens whose signature and claims verified,
 * keyed by the SHA-256 of the token, so a client that reuses its token
 * costs one hash instead of a signature verification. It holds only what
 * verification concluded (identity, jti, issuer, exp) and the time it was
 * concluded, never the token. It must not decide authorisation: whether
 * the identity is registered, revoked or valid is still read from the
 * store at every request. Safe to use from several threads at once.
 */
#ifndef SKM_SERVER_AUTH_CACHE_H
#define SKM_SERVER_AUTH_CACHE_H

#include <stdint.h>

#include "server/auth.h"

#define AUTH_CACHE_DIGEST	32	/* SHA-256 */

struct auth_cache;

/* A cache of at most slots entries (rounded up to a power of two); 0 disables it. */
int auth_cache_new(unsigned slots, struct auth_cache **out);
void auth_cache_free(struct auth_cache *c);

/*
 * 0 and the result cached for the token digest d when it verified at a
 * time at or before now and has not expired (exp beyond now - leeway);
 * otherwise SKM_ENOTFOUND and the caller verifies the token in full.
 */
int auth_cache_get(struct auth_cache *c, const uint8_t d[AUTH_CACHE_DIGEST],
    int64_t now, int64_t leeway, struct auth_result *res);

/* Records that the token digest d verified at time now as res. */
void auth_cache_put(struct auth_cache *c, const uint8_t d[AUTH_CACHE_DIGEST],
    int64_t now, const struct auth_result *res);

/* Lookups answered from the cache so far. */
uint64_t auth_cache_hits(struct auth_cache *c);

#endif
