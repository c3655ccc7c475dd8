/* SPDX-License-Identifier: ISC */
/*
 * One run per boundary: a listing job (the store scan runs on a worker,
 * not the loop), then batch jobs, at most one per worker thread in
 * flight, so every core derives while the pool's queue keeps room for
 * live requests: a request that needs a derivation meanwhile waits for
 * one batch at most, since each finished batch hands its worker to the
 * queue before the next is queued. Each job seals its results into the
 * cache on the worker; the loop only chains the next jobs and re-arms
 * the timer.
 * The target period's own generation of master secrets derives it
 * (kms_keyset_derive_batch picks it), so before a rollover's boundary the
 * next period comes from the next secrets; the listing job first loads
 * a generation added since the last request (kms_refresh).
 */
#include "server/precompute.h"
#include "common/err.h"
#include "conf/conf.h"
#include "kms/kms.h"
#include "server/cache.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/pool.h"
#include "store/identity.h"
#include "store/period.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <openssl/crypto.h>

/* Jobs in flight at most (and so worker threads used). */
#define PRECOMPUTE_JOBS_MAX	64

/* One job in flight: the listing or a batch of the identities [from, from + n). */
struct precompute_job {
	struct pool_job job;
	struct precompute *pc;
	size_t from, n;
	unsigned derived;		/* by the batch */
	int busy;
};

struct precompute {
	struct event_base *base;
	struct store *st;
	const struct kms *kms;
	struct pool *pool;
	struct cache *cache;
	struct event *timer;
	unsigned lead, batch, max_entries;
	int running, freeing;
	uint64_t last;			/* last period done */
	uint64_t target;		/* period being prepared */
	int64_t tstart, tend;
	char **uris;			/* identities to derive */
	size_t *lens;
	size_t n, cap, next;		/* next: the first not yet given to a batch */
	int listed;
	struct timespec began;		/* when the target's listing began */
	unsigned njobs, inflight;
	struct precompute_job jobs[PRECOMPUTE_JOBS_MAX];
};

static void precompute_arm(struct precompute *pc);
static void precompute_step(struct precompute *pc);

static void
precompute_list_free(struct precompute *pc)
{
	size_t i;

	for (i = 0; i < pc->n; i++)
		free(pc->uris[i]);
	free(pc->uris);
	free(pc->lens);
	pc->uris = NULL;
	pc->lens = NULL;
	pc->n = pc->cap = pc->next = 0;
}

struct precompute_scan {
	struct precompute *pc;
	struct store_txn *t;
	int64_t now;
};

static int
precompute_one(const struct identity_rec *r, void *arg)
{
	struct precompute_scan *s = arg;
	struct precompute *pc = s->pc;
	char **nu;
	size_t *nl, cap;

	if (pc->n >= pc->max_entries)
		return 1;
	if (store_period_issue(s->t, r->uri, r->uri_len, pc->target, pc->tstart,
	    pc->tend, s->now) != 0 || cache_has(pc->cache, (const char *)r->uri, r->uri_len,
	    pc->target))
		return 0;
	if (pc->n == pc->cap) {
		cap = pc->cap != 0 ? pc->cap * 2 : 256;
		if ((nu = realloc(pc->uris, cap * sizeof(*nu))) == NULL)
			return SKM_ENOMEM;
		pc->uris = nu;
		if ((nl = realloc(pc->lens, cap * sizeof(*nl))) == NULL)
			return SKM_ENOMEM;
		pc->lens = nl;
		pc->cap = cap;
	}
	if ((pc->uris[pc->n] = malloc(r->uri_len + 1)) == NULL)
		return SKM_ENOMEM;
	memcpy(pc->uris[pc->n], r->uri, r->uri_len);
	pc->uris[pc->n][r->uri_len] = '\0';
	pc->lens[pc->n++] = r->uri_len;
	return 0;
}

/* Worker: every identity the store allows in the target period. */
static void
precompute_list(void *arg)
{
	struct precompute *pc = ((struct precompute_job *)arg)->pc;
	struct precompute_scan s = { pc, NULL, (int64_t)time(NULL) };
	struct store_txn t;
	char why[256];

	if (kms_refresh(pc->kms, pc->st, NULL, why, sizeof(why)) != 0)
		log_warnx("precompute: rollover: %s", why[0] != '\0' ? why : "failed");
	if (store_txn_begin(pc->st, 0, &t) != 0)
		return;
	s.t = &t;
	if (store_identity_list(&t, 0, pc->tstart, precompute_one, &s) < 0)
		log_warnx("precompute: listing identities failed");
	store_txn_abort(&t);
}

/*
 * Worker: one batch, sealed into the cache. The list is not changed while
 * batches run; each reads its own range of it.
 */
static void
precompute_batch(void *arg)
{
	struct precompute_job *j = arg;
	struct precompute *pc = j->pc;
	struct kms_keyset *ks = NULL;
	int *status = NULL;
	size_t i;

	j->derived = 0;
	if ((ks = OPENSSL_zalloc(j->n * sizeof(*ks))) == NULL ||
	    (status = calloc(j->n, sizeof(*status))) == NULL)
		goto out;
	if (kms_keyset_derive_batch(pc->kms, j->n, (const char *const *)pc->uris + j->from,
	    pc->lens + j->from, pc->target, ks, status) != 0)
		goto out;
	for (i = 0; i < j->n; i++)
		if (status[i] == 0 && cache_put(pc->cache, pc->uris[j->from + i],
		    pc->lens[j->from + i], &ks[i]) == 0)
			j->derived++;
out:
	if (ks != NULL)
		OPENSSL_clear_free(ks, j->n * sizeof(*ks));
	free(status);
}

/* Identities not yet derived: not given to a batch, or in one in flight. */
static size_t
precompute_left(const struct precompute *pc)
{
	size_t left = pc->n - pc->next;
	unsigned i;

	if (!pc->running || !pc->listed)
		return 0;
	for (i = 0; i < pc->njobs; i++)
		if (pc->jobs[i].busy)
			left += pc->jobs[i].n;
	return left;
}

/* Loop: a job finished. */
static void
precompute_done(void *arg)
{
	struct precompute_job *j = arg;
	struct precompute *pc = j->pc;

	if (j->derived > 0)
		metrics_keysets_derived(j->derived);
	j->derived = 0;
	j->busy = 0;
	pc->inflight--;
	pc->listed = 1;
	precompute_step(pc);
	metrics_precompute_pending(precompute_left(pc));
}

static void
precompute_finish(struct precompute *pc)
{
	struct timespec now;
	double took;

	clock_gettime(CLOCK_MONOTONIC, &now);
	took = (double)(now.tv_sec - pc->began.tv_sec) +
	    (double)(now.tv_nsec - pc->began.tv_nsec) / 1e9;
	if (!pc->freeing && pc->n > 0)
		log_info("precompute: key sets of period %llu ready (%zu identities, %.3f s)",
		    (unsigned long long)pc->target, pc->n, took);
	pc->last = pc->target;
	pc->running = 0;
	precompute_list_free(pc);
	metrics_precompute_pending(0);
	if (!pc->freeing)
		metrics_precomputed_period(pc->last);
	if (!pc->freeing)
		precompute_arm(pc);
}

/* Queues j for the listing (from == n == 0, before the list) or a batch. */
static int
precompute_submit(struct precompute *pc, struct precompute_job *j)
{
	j->job.work = pc->listed ? precompute_batch : precompute_list;
	j->job.done = precompute_done;
	j->job.arg = j;
	j->pc = pc;
	if (pool_submit(pc->pool, &j->job) != 0)
		return -1;
	j->busy = 1;
	pc->inflight++;
	return 0;
}

static void
precompute_step(struct precompute *pc)
{
	struct timeval tv = { 0, 200000 };
	struct precompute_job *j;
	unsigned i;

	if (pc->inflight > 0 && (pc->freeing || !pc->listed))
		return;
	if (pc->freeing || (pc->listed && pc->next >= pc->n && pc->inflight == 0)) {
		precompute_finish(pc);
		return;
	}
	if (!pc->listed) {
		pc->jobs[0].from = pc->jobs[0].n = 0;
		if (precompute_submit(pc, &pc->jobs[0]) != 0)
			/* The queue is full of live requests: they go first. */
			evtimer_add(pc->timer, &tv);
		return;
	}
	for (i = 0; i < pc->njobs && pc->next < pc->n; i++) {
		j = &pc->jobs[i];
		if (j->busy)
			continue;
		j->from = pc->next;
		j->n = pc->n - pc->next < pc->batch ? pc->n - pc->next : pc->batch;
		if (precompute_submit(pc, j) != 0) {
			/* Tried again later: the jobs in flight, or the timer. */
			if (pc->inflight == 0)
				evtimer_add(pc->timer, &tv);
			return;
		}
		pc->next += j->n;
	}
}

static void
precompute_fire(evutil_socket_t fd, short what, void *arg)
{
	struct precompute *pc = arg;
	uint64_t cur;
	int64_t start, end;

	int64_t now = (int64_t)time(NULL);

	if (pc->running) {
		precompute_step(pc);
		return;
	}
	if (kms_period_at(pc->kms, now, &cur, &start, &end) != 0)
		return;
	/*
	 * The wake-up after a boundary only re-arms: deriving the period after
	 * next right then would compete with the rollover's own requests and
	 * evict the key sets they are about to ask for.
	 */
	if (now < precompute_due(pc->last, cur, end, pc->lead)) {
		precompute_arm(pc);
		return;
	}
	if (kms_period_bounds(pc->kms, cur + 1, &pc->tstart, &pc->tend) != 0)
		return;
	/* Key sets that would outlive the Root certificate are never made. */
	if (kms_validity_period(pc->kms, cur + 1) != 0) {
		log_warnx("precompute: period %llu is outside the root certificate's "
		    "validity: none of its key sets is derived",
		    (unsigned long long)(cur + 1));
		pc->last = cur + 1;
		/* Nothing is left to do for it: not an unfinished run. */
		metrics_precomputed_period(pc->last);
		precompute_arm(pc);
		return;
	}
	pc->target = cur + 1;
	pc->running = 1;
	pc->listed = 0;
	clock_gettime(CLOCK_MONOTONIC, &pc->began);
	precompute_step(pc);
}

int64_t
precompute_due(uint64_t last, uint64_t cur, int64_t end, unsigned lead)
{
	/* Done for the coming boundary: wake after it for the one after. */
	return last == cur + 1 ? end + 1 : end - (int64_t)lead;
}

static void
precompute_arm(struct precompute *pc)
{
	struct timeval tv = { 0, 0 };
	int64_t now = (int64_t)time(NULL), start, end, at;
	uint64_t cur;

	evtimer_del(pc->timer);
	if (pc->lead == 0 || pc->max_entries == 0 || pc->running)
		return;
	if (kms_period_at(pc->kms, now, &cur, &start, &end) != 0)
		return;
	at = precompute_due(pc->last, cur, end, pc->lead);
	if (at > now)
		tv.tv_sec = at - now;
	evtimer_add(pc->timer, &tv);
}

int
precompute_new(struct event_base *base, const struct conf *cf, struct store *st,
    const struct kms *kms, struct pool *pool, struct cache *cache,
    struct precompute **out)
{
	struct precompute *pc;

	*out = NULL;
	if ((pc = calloc(1, sizeof(*pc))) == NULL)
		return SKM_ENOMEM;
	pc->base = base;
	pc->st = st;
	pc->kms = kms;
	pc->pool = pool;
	pc->cache = cache;
	pc->njobs = cf->server.workers;
	if (pc->njobs < 1)
		pc->njobs = 1;
	if (pc->njobs > PRECOMPUTE_JOBS_MAX)
		pc->njobs = PRECOMPUTE_JOBS_MAX;
	if ((pc->timer = evtimer_new(base, precompute_fire, pc)) == NULL) {
		free(pc);
		return SKM_ENOMEM;
	}
	precompute_reload(pc, cf);
	*out = pc;
	return 0;
}

void
precompute_reload(struct precompute *pc, const struct conf *cf)
{
	pc->lead = cf->precompute.lead_time;
	pc->batch = cf->precompute.batch_size > 0 ? cf->precompute.batch_size : 1;
	pc->max_entries = cf->cache.max_entries;
	precompute_arm(pc);
}

uint64_t
precompute_last(const struct precompute *pc)
{
	return pc->last;
}

void
precompute_free(struct precompute *pc)
{
	if (pc == NULL)
		return;
	pc->freeing = 1;
	evtimer_del(pc->timer);
	if (pc->running)
		/* A job in flight still points at pc: the pool finishes it first. */
		pool_stop(pc->pool);
	if (pc->running)
		pool_drain(pc->pool);
	precompute_list_free(pc);
	event_free(pc->timer);
	free(pc);
}
