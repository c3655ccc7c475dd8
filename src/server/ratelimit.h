/* SPDX-License-Identifier: ISC */
/*
 * Per-identity rate limit of KMS requests: a token bucket per
 * authenticated identity (ratelimit.* in skms.yaml), in one table of
 * fixed size shared by every loop thread. Memory is allocated once by
 * ratelimit_new() and never grows, however many identities call: when a
 * bucket is needed and its set is full, the fullest bucket of the set is
 * dropped (a full bucket holds no state, so usually nothing is lost).
 * Times are milliseconds on a clock the caller reads (ratelimit_now() in
 * skmsd, a fixed value in tests). Knows nothing of HTTP or the config.
 */
#ifndef SKM_SERVER_RATELIMIT_H
#define SKM_SERVER_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Buckets per set: an identity can live in any way of its set. */
#define RATELIMIT_WAYS		8
/* Larger limits are taken as these. */
#define RATELIMIT_BURST_MAX	100000
#define RATELIMIT_INTERVAL_MAX	(7ULL * 86400 * 1000)

struct ratelimit;

/* What ratelimit_take() decided beyond its return value. */
struct ratelimit_verdict {
	unsigned retry_after;	/* refused: whole seconds until a token is due, >= 1 */
	int evicted;		/* a bucket with tokens spent was dropped for this one */
};

/*
 * A table of room for max_ids buckets (rounded up to a multiple of
 * RATELIMIT_WAYS), each identity allowed burst requests at once and one
 * more every interval_ms; burst 0 turns the limit off. *out is freed with
 * ratelimit_free(). Returns 0, SKM_EINVAL (max_ids 0, or interval_ms 0
 * with burst > 0) or SKM_ENOMEM.
 */
int ratelimit_new(size_t max_ids, unsigned burst, uint64_t interval_ms,
    struct ratelimit **out);

/* Is the limit on? Lets a caller skip reading the clock when it is not. */
bool ratelimit_enabled(const struct ratelimit *rl);

/*
 * Takes one token from the bucket of the len octets of id at time now.
 * Returns 0 (allowed, or the limit is off) or SKM_EBUSY (no token; see
 * v->retry_after). Safe from any thread.
 */
int ratelimit_take(struct ratelimit *rl, const char *id, size_t len, uint64_t now,
    struct ratelimit_verdict *v);

/*
 * New limits from now on (a reload). Buckets are kept: each keeps the
 * share of its burst it had, at most the new burst, and refills at the new
 * rate. burst 0 turns the limit off and leaves the buckets as they are.
 * interval_ms 0 with burst > 0 is ignored. Safe from any thread, but
 * not to be called by two threads at once (the reloading thread calls it).
 */
void ratelimit_set(struct ratelimit *rl, unsigned burst, uint64_t interval_ms,
    uint64_t now);

/* Octets the table holds, fixed at ratelimit_new(): the memory bound. */
size_t ratelimit_memory(const struct ratelimit *rl);

/* Milliseconds on the monotonic clock, to a few milliseconds. */
uint64_t ratelimit_now(void);

void ratelimit_free(struct ratelimit *rl);

#endif
