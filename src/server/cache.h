/* SPDX-License-Identifier: ISC */
/*
 * A bounded LRU cache of derived key sets keyed by (identity URI, key
 * period), so repeated requests and the rollover storm are served without
 * derivation. Entries are sealed with AES-256-GCM under a random key that
 * lives only in the OpenSSL secure heap of this process (the URI and the
 * period are the associated data); a plaintext key set exists only in the
 * caller's buffer. Thread-safe. It caches key material only, never an
 * authorisation decision.
 */
#ifndef SKM_SERVER_CACHE_H
#define SKM_SERVER_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "kms/kms.h"

struct cache;

/* At most max_entries key sets (0: nothing is ever kept). */
int cache_new(unsigned max_entries, struct cache **out);

/* Unseals the key set of (uri, period_no) into ks; SKM_ENOTFOUND on a miss. */
int cache_get(struct cache *c, const char *uri, size_t len, uint64_t period_no,
    struct kms_keyset *ks);

/* 1 when (uri, period_no) is cached, else 0; does not refresh the entry. */
int cache_has(struct cache *c, const char *uri, size_t len, uint64_t period_no);

/* Seals and stores ks for uri (replacing an older copy), evicting the LRU entry. */
int cache_put(struct cache *c, const char *uri, size_t len, const struct kms_keyset *ks);

/*
 * Removes (cleansed) every entry for which stale(arg, period, generation)
 * is 1, holding the cache's lock: a rollover's change of a period's
 * generation. Returns how many.
 */
unsigned cache_drop(struct cache *c, int (*stale)(void *arg, uint64_t period_no,
    uint32_t gen), void *arg);

/* Entries held now. */
unsigned cache_count(struct cache *c);

/* Cleanses and frees every entry and the sealing key; NULL is ignored. */
void cache_free(struct cache *c);

#endif
