/* SPDX-License-Identifier: ISC */
/*
 * Rollover precomputation: precompute.lead-time before each key-period
 * boundary, derive the next period's key sets of every identity allowed
 * in it, in batches of precompute.batch-size on the worker pool, into the
 * cache, so the storm of clients fetching their new keys at the boundary
 * is served from memory. It only fills the cache: whether a caller gets a
 * key set is still decided per request.
 */
#ifndef SKM_SERVER_PRECOMPUTE_H
#define SKM_SERVER_PRECOMPUTE_H

#include <stdint.h>

struct cache;
struct conf;
struct event_base;
struct kms;
struct pool;
struct precompute;
struct store;

/* Arms the timer on base (nothing runs when lead-time or the cache is 0). */
int precompute_new(struct event_base *base, const struct conf *cf, struct store *st,
    const struct kms *kms, struct pool *pool, struct cache *cache,
    struct precompute **out);

/* New lead time and batch size (loop thread); re-arms the timer. */
void precompute_reload(struct precompute *pc, const struct conf *cf);

/*
 * When the run for period cur + 1 may start (Unix seconds): lead seconds
 * before end, the end of period cur; or, once last (the period last
 * precomputed) is cur + 1, just after end, only to re-arm for the next.
 */
int64_t precompute_due(uint64_t last, uint64_t cur, int64_t end, unsigned lead);

/* The last period fully precomputed (0 before the first run). */
uint64_t precompute_last(const struct precompute *pc);

/* Stops the timer; a batch in flight finishes on the pool first. */
void precompute_free(struct precompute *pc);

#endif
