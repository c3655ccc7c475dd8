/* SPDX-License-Identifier: ISC */
/*
 * The per-identity token buckets (see ratelimit.h). A bucket is one time:
 * the instant at which it is full again ("tat", as in the generic cell
 * rate algorithm), so it refills exactly, with no rounding, and a bucket
 * whose time has passed is full and equal to an empty slot. Buckets sit
 * in a set-associative table indexed by SipHash-2-4 of the identity under
 * a key drawn at start: a caller who does not know the key can neither
 * aim identities at another's set nor share another's bucket (the whole
 * 64-bit hash is compared). Sets are spread over a fixed number of
 * shards, each with its own lock and its own copy of the limits, so a
 * reload changes a shard's limits and rescales its buckets in one step.
 * Nothing is allocated after ratelimit_new().
 */
#include "server/ratelimit.h"
#include "common/err.h"
#include "common/siphash.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#define RATELIMIT_SHARDS	64

struct ratelimit_slot {
	uint64_t tag;		/* hash of the identity; 0 for a slot never used */
	uint64_t tat;		/* ms: full again from then on */
};

struct ratelimit_shard {
	pthread_mutex_t mu;
	uint64_t interval;	/* ms per token */
	uint64_t cap;		/* burst * interval: the debt of an empty bucket */
	char pad[64];		/* the next shard's lock on another cache line */
};

struct ratelimit {
	atomic_bool on;
	struct siphash *hash;	/* keyed at start */
	size_t nsets;
	struct ratelimit_slot *slots;	/* nsets * RATELIMIT_WAYS */
	struct ratelimit_shard shards[RATELIMIT_SHARDS];
};

/*
 * The coarse clock: its resolution of a tick (a few milliseconds) is ample
 * for tokens a second or more apart, and it costs a sixth of the precise
 * one (7 against 46 ns, measured on the development machine).
 */
uint64_t
ratelimit_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int
ratelimit_new(size_t max_ids, unsigned burst, uint64_t interval_ms,
    struct ratelimit **out)
{
	struct ratelimit *rl;
	uint8_t key[SIPHASH_KEY_LEN];
	size_t i;

	*out = NULL;
	if (max_ids == 0 || (burst > 0 && interval_ms == 0))
		return SKM_EINVAL;
	if ((rl = calloc(1, sizeof(*rl))) == NULL)
		return SKM_ENOMEM;
	/* ratelimit_set() below sets the limits; until then every shard is empty. */
	for (i = 0; i < RATELIMIT_SHARDS; i++) {
		pthread_mutex_init(&rl->shards[i].mu, NULL);
		rl->shards[i].interval = 1;
	}
	rl->nsets = (max_ids + RATELIMIT_WAYS - 1) / RATELIMIT_WAYS;
	if ((rl->slots = calloc(rl->nsets, RATELIMIT_WAYS * sizeof(*rl->slots))) == NULL) {
		ratelimit_free(rl);
		return SKM_ENOMEM;
	}
	if (RAND_bytes(key, sizeof(key)) != 1 || siphash_new(key, &rl->hash) != 0) {
		OPENSSL_cleanse(key, sizeof(key));
		ratelimit_free(rl);
		return SKM_ECRYPTO;
	}
	OPENSSL_cleanse(key, sizeof(key));
	ratelimit_set(rl, burst, interval_ms, 0);
	*out = rl;
	return 0;
}

/* The debt of a bucket at now, in milliseconds: 0 for a full one. */
static uint64_t
ratelimit_debt(const struct ratelimit_slot *s, uint64_t now)
{
	return s->tat > now ? s->tat - now : 0;
}

bool
ratelimit_enabled(const struct ratelimit *rl)
{
	return atomic_load_explicit(&rl->on, memory_order_relaxed);
}

int
ratelimit_take(struct ratelimit *rl, const char *id, size_t len, uint64_t now,
    struct ratelimit_verdict *v)
{
	struct ratelimit_shard *sh;
	struct ratelimit_slot *set, *s = NULL;
	uint64_t h, debt;
	size_t si, i, victim = 0;
	int rc = 0;

	v->retry_after = 0;
	v->evicted = 0;
	if (!atomic_load_explicit(&rl->on, memory_order_relaxed))
		return 0;
	/* Without its hash an identity cannot be placed: it is not limited. */
	if (siphash_sum(rl->hash, id, len, &h) != 0)
		return 0;
	/* The top half picks the set (any count, no modulo), the low bits the shard. */
	si = (size_t)(((h >> 32) * (uint64_t)rl->nsets) >> 32);
	set = &rl->slots[si * RATELIMIT_WAYS];
	sh = &rl->shards[si % RATELIMIT_SHARDS];

	pthread_mutex_lock(&sh->mu);
	for (i = 0; i < RATELIMIT_WAYS; i++) {
		if (set[i].tag == h) {
			s = &set[i];
			break;
		}
		if (set[i].tat < set[victim].tat)
			victim = i;
	}
	if (s == NULL) {
		/* The fullest bucket goes: dropping it forgives the least debt. */
		s = &set[victim];
		v->evicted = s->tag != 0 && s->tat > now;
		s->tag = h;
		s->tat = 0;
	}
	debt = ratelimit_debt(s, now) + sh->interval;
	if (debt > sh->cap) {
		/* The next token is due when the debt is down to cap again. */
		v->retry_after = (unsigned)((debt - sh->cap + 999) / 1000);
		rc = SKM_EBUSY;
	} else
		s->tat = now + debt;
	pthread_mutex_unlock(&sh->mu);
	return rc;
}

/* debt * to / from without overflow: debt < 2^46, from and to < 2^30. */
static uint64_t
ratelimit_scale(uint64_t debt, uint64_t from, uint64_t to)
{
	return debt / from * to + debt % from * to / from;
}

/*
 * Each bucket keeps the share of a token it lacks: its debt is counted
 * again in the new interval, and at most an empty bucket's.
 */
static void
ratelimit_rescale(struct ratelimit *rl, size_t shard, uint64_t interval, uint64_t cap,
    uint64_t now)
{
	struct ratelimit_shard *sh = &rl->shards[shard];
	struct ratelimit_slot *s;
	uint64_t debt;
	size_t si, w;

	for (si = shard; si < rl->nsets; si += RATELIMIT_SHARDS)
		for (w = 0; w < RATELIMIT_WAYS; w++) {
			s = &rl->slots[si * RATELIMIT_WAYS + w];
			if ((debt = ratelimit_debt(s, now)) == 0)
				continue;
			debt = ratelimit_scale(debt, sh->interval, interval);
			s->tat = now + (debt < cap ? debt : cap);
		}
}

void
ratelimit_set(struct ratelimit *rl, unsigned burst, uint64_t interval_ms,
    uint64_t now)
{
	struct ratelimit_shard *sh;
	uint64_t cap;
	size_t i;

	if (burst == 0) {
		atomic_store(&rl->on, false);
		return;
	}
	if (interval_ms == 0)
		return;
	if (burst > RATELIMIT_BURST_MAX)
		burst = RATELIMIT_BURST_MAX;
	if (interval_ms > RATELIMIT_INTERVAL_MAX)
		interval_ms = RATELIMIT_INTERVAL_MAX;
	cap = (uint64_t)burst * interval_ms;
	for (i = 0; i < RATELIMIT_SHARDS; i++) {
		sh = &rl->shards[i];
		pthread_mutex_lock(&sh->mu);
		if (sh->interval != interval_ms || sh->cap != cap)
			ratelimit_rescale(rl, i, interval_ms, cap, now);
		sh->interval = interval_ms;
		sh->cap = cap;
		pthread_mutex_unlock(&sh->mu);
	}
	atomic_store(&rl->on, true);
}

size_t
ratelimit_memory(const struct ratelimit *rl)
{
	return sizeof(*rl) + rl->nsets * RATELIMIT_WAYS * sizeof(*rl->slots);
}

void
ratelimit_free(struct ratelimit *rl)
{
	size_t i;

	if (rl == NULL)
		return;
	for (i = 0; i < RATELIMIT_SHARDS; i++)
		pthread_mutex_destroy(&rl->shards[i].mu);
	free(rl->slots);
	siphash_free(rl->hash);
	free(rl);
}
