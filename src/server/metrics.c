/* SPDX-License-Identifier: ISC */
/*
 * Counters for /metrics (see metrics.h): fixed arrays of relaxed atomics,
 * so worker threads and the loop update them without locks, and a
 * renderer for the Prometheus text format 0.0.4. No label value comes
 * from a client, so nothing rendered here needs escaping.
 */
#include "config.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "common/err.h"
#include "server/errmap.h"
#include "server/metrics.h"

/* The statuses the KMS answers with; any other is counted as "other". */
static const int metrics_statuses[] = {
	200, 400, 401, 403, 404, 405, 408, 413, 415, 417, 429, 431, 500, 501, 503, 504, 505,
};
#define METRICS_NSTATUS	(sizeof(metrics_statuses) / sizeof(metrics_statuses[0]))

/* Upper bounds in seconds; the last bucket is +Inf. */
static const double metrics_bounds[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};
#define METRICS_NBOUNDS	(sizeof(metrics_bounds) / sizeof(metrics_bounds[0]))

static const char *const metrics_endpoints[METRICS_NENDPOINTS] = {
	[METRICS_INIT] = "init",
	[METRICS_KEYPROV] = "keyprov",
	[METRICS_CERTCACHE] = "certcache",
	[METRICS_OTHER] = "other",
};

static _Atomic uint64_t metrics_req[METRICS_NENDPOINTS][METRICS_NSTATUS + 1];
static _Atomic uint64_t metrics_hist[METRICS_NBOUNDS + 1];
static _Atomic uint64_t metrics_hist_usec;
static _Atomic uint64_t metrics_keysets;
static _Atomic uint64_t metrics_hits;
static _Atomic uint64_t metrics_misses;
static _Atomic uint64_t metrics_period;
static _Atomic int64_t metrics_conns;
static _Atomic uint64_t metrics_audit_early;
static _Atomic uint64_t metrics_audit_unrecorded;
static _Atomic uint64_t metrics_rl_refused;
static _Atomic uint64_t metrics_rl_evicted;
static _Atomic uint64_t metrics_store_used;
static _Atomic uint64_t metrics_store_size;
static _Atomic int metrics_store_high;
static _Atomic uint64_t metrics_address_limited;
static _Atomic int64_t metrics_valid_to;
static _Atomic int metrics_have_valid_to;
static _Atomic uint64_t metrics_precomputed;
static _Atomic int metrics_have_precomputed;
static _Atomic uint64_t metrics_precompute_left;
static _Atomic uint64_t metrics_audit_lag_ms;
static _Atomic uint64_t metrics_audit_disk;
static _Atomic uint64_t metrics_refusals[ERRMAP_COUNT];
static _Atomic int metrics_have_replica;
static _Atomic int64_t metrics_replica_last;
static _Atomic uint64_t metrics_replica_changes;
static _Atomic unsigned metrics_replica_max_staleness;
static _Atomic int metrics_db_up;

void
metrics_request(enum metrics_endpoint ep, int status, double seconds)
{
	size_t i;

	if ((unsigned)ep >= METRICS_NENDPOINTS)
		ep = METRICS_OTHER;
	for (i = 0; i < METRICS_NSTATUS && metrics_statuses[i] != status; i++)
		;
	atomic_fetch_add_explicit(&metrics_req[ep][i], 1, memory_order_relaxed);
	if (seconds < 0)
		seconds = 0;
	for (i = 0; i < METRICS_NBOUNDS && seconds > metrics_bounds[i]; i++)
		;
	atomic_fetch_add_explicit(&metrics_hist[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&metrics_hist_usec, (uint64_t)(seconds * 1e6),
	    memory_order_relaxed);
}

void
metrics_keysets_derived(unsigned n)
{
	atomic_fetch_add_explicit(&metrics_keysets, n, memory_order_relaxed);
}

void
metrics_cache_lookup(int hit)
{
	atomic_fetch_add_explicit(hit ? &metrics_hits : &metrics_misses, 1,
	    memory_order_relaxed);
}

void
metrics_current_period(uint64_t period_no)
{
	atomic_store_explicit(&metrics_period, period_no, memory_order_relaxed);
}

void
metrics_connections(int delta)
{
	atomic_fetch_add_explicit(&metrics_conns, delta, memory_order_relaxed);
}

void
metrics_audit_early_reply(void)
{
	atomic_fetch_add_explicit(&metrics_audit_early, 1, memory_order_relaxed);
}

void
metrics_audit_lost(unsigned n)
{
	atomic_fetch_add_explicit(&metrics_audit_unrecorded, n, memory_order_relaxed);
}

void
metrics_ratelimit_refused(void)
{
	atomic_fetch_add_explicit(&metrics_rl_refused, 1, memory_order_relaxed);
}

void
metrics_ratelimit_evicted(void)
{
	atomic_fetch_add_explicit(&metrics_rl_evicted, 1, memory_order_relaxed);
}

int
metrics_store_usage(uint64_t used, uint64_t size)
{
	int high = atomic_load_explicit(&metrics_store_high, memory_order_relaxed);

	atomic_store_explicit(&metrics_store_used, used, memory_order_relaxed);
	atomic_store_explicit(&metrics_store_size, size, memory_order_relaxed);
	/* Octets up to 2^56 (the map size is at most 1 TiB): no overflow. */
	if (!high && size > 0 && used * 100 >= size * METRICS_STORE_WARN) {
		atomic_store_explicit(&metrics_store_high, 1, memory_order_relaxed);
		return 1;
	}
	if (high && used * 100 < size * METRICS_STORE_REARM)
		atomic_store_explicit(&metrics_store_high, 0, memory_order_relaxed);
	return 0;
}

void
metrics_address_limit(void)
{
	atomic_fetch_add_explicit(&metrics_address_limited, 1, memory_order_relaxed);
}

void
metrics_cert_valid_to(int64_t valid_to)
{
	atomic_store_explicit(&metrics_valid_to, valid_to, memory_order_relaxed);
	atomic_store_explicit(&metrics_have_valid_to, 1, memory_order_relaxed);
}

void
metrics_precomputed_period(uint64_t period_no)
{
	atomic_store_explicit(&metrics_precomputed, period_no, memory_order_relaxed);
	atomic_store_explicit(&metrics_have_precomputed, 1, memory_order_relaxed);
}

void
metrics_precompute_pending(uint64_t n)
{
	atomic_store_explicit(&metrics_precompute_left, n, memory_order_relaxed);
}

void
metrics_audit_disk_writes(uint64_t total)
{
	atomic_store_explicit(&metrics_audit_disk, total, memory_order_relaxed);
}

void
metrics_audit_lag(double seconds)
{
	if (seconds < 0)
		seconds = 0;
	atomic_store_explicit(&metrics_audit_lag_ms, (uint64_t)(seconds * 1000),
	    memory_order_relaxed);
}

void
metrics_replica_sync(int64_t unix_seconds)
{
	atomic_store_explicit(&metrics_replica_last, unix_seconds, memory_order_relaxed);
	atomic_store_explicit(&metrics_have_replica, 1, memory_order_relaxed);
}

void
metrics_replica_seq_lag(uint64_t changes)
{
	atomic_store_explicit(&metrics_replica_changes, changes, memory_order_relaxed);
}

void
metrics_replica_staleness(unsigned seconds)
{
	atomic_store_explicit(&metrics_replica_max_staleness, seconds, memory_order_relaxed);
}

void
metrics_database_up(int up)
{
	atomic_store_explicit(&metrics_db_up, up != 0, memory_order_relaxed);
}

void
metrics_refusal(int id)
{
	if (id > 0 && id < ERRMAP_COUNT)
		atomic_fetch_add_explicit(&metrics_refusals[id], 1, memory_order_relaxed);
}

#define LOAD(x)	atomic_load_explicit(&(x), memory_order_relaxed)

/* Another service's own series (metrics_set_extra), set once before serving. */
static void (*metrics_extra)(FILE *f, void *arg);
static void *metrics_extra_arg;

void
metrics_set_extra(void (*render)(FILE *f, void *arg), void *arg)
{
	metrics_extra = render;
	metrics_extra_arg = arg;
}

int
metrics_render(char **out, size_t *len)
{
	char *buf = NULL;
	size_t size = 0, i, e;
	uint64_t cum = 0, n;
	FILE *f;
	int rc = SKM_ENOMEM;

	*out = NULL;
	*len = 0;
	if ((f = open_memstream(&buf, &size)) == NULL)
		return SKM_ENOMEM;
	fputs("# HELP skms_requests_total KMS requests answered, by endpoint and HTTP status.\n"
	    "# TYPE skms_requests_total counter\n", f);
	for (e = 0; e < METRICS_NENDPOINTS; e++) {
		for (i = 0; i <= METRICS_NSTATUS; i++) {
			if ((n = LOAD(metrics_req[e][i])) == 0)
				continue;
			if (i < METRICS_NSTATUS)
				fprintf(f, "skms_requests_total{endpoint=\"%s\",status=\"%d\"} %llu\n",
				    metrics_endpoints[e], metrics_statuses[i], (unsigned long long)n);
			else
				fprintf(f, "skms_requests_total{endpoint=\"%s\",status=\"other\"} %llu\n",
				    metrics_endpoints[e], (unsigned long long)n);
		}
	}
	fputs("# HELP skms_request_duration_seconds Time from a request's arrival to its reply.\n"
	    "# TYPE skms_request_duration_seconds histogram\n", f);
	for (i = 0; i < METRICS_NBOUNDS; i++) {
		cum += LOAD(metrics_hist[i]);
		fprintf(f, "skms_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
		    metrics_bounds[i], (unsigned long long)cum);
	}
	cum += LOAD(metrics_hist[METRICS_NBOUNDS]);
	fprintf(f, "skms_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
	    "skms_request_duration_seconds_sum %.6f\n"
	    "skms_request_duration_seconds_count %llu\n",
	    (unsigned long long)cum, (double)LOAD(metrics_hist_usec) / 1e6,
	    (unsigned long long)cum);
	fprintf(f, "# HELP skms_keysets_derived_total Key sets derived.\n"
	    "# TYPE skms_keysets_derived_total counter\n"
	    "skms_keysets_derived_total %llu\n"
	    "# HELP skms_cache_lookups_total Key-set cache lookups, by result.\n"
	    "# TYPE skms_cache_lookups_total counter\n"
	    "skms_cache_lookups_total{result=\"hit\"} %llu\n"
	    "skms_cache_lookups_total{result=\"miss\"} %llu\n"
	    "# HELP skms_current_period Current key period number.\n"
	    "# TYPE skms_current_period gauge\n"
	    "skms_current_period %llu\n"
	    "# HELP skms_open_connections Open client connections.\n"
	    "# TYPE skms_open_connections gauge\n"
	    "skms_open_connections %lld\n"
	    "# HELP skms_audit_early_replies_total Key sets sent inside the audit commit window.\n"
	    "# TYPE skms_audit_early_replies_total counter\n"
	    "skms_audit_early_replies_total %llu\n"
	    "# HELP skms_audit_unrecorded_total Key sets sent early whose audit commit failed.\n"
	    "# TYPE skms_audit_unrecorded_total counter\n"
	    "skms_audit_unrecorded_total %llu\n"
	    "# HELP skms_store_used_bytes Octets of the store's map in use (free pages not counted).\n"
	    "# TYPE skms_store_used_bytes gauge\n"
	    "skms_store_used_bytes %llu\n"
	    "# HELP skms_store_map_size_bytes The store's map size: writes fail beyond it.\n"
	    "# TYPE skms_store_map_size_bytes gauge\n"
	    "skms_store_map_size_bytes %llu\n",
	    (unsigned long long)LOAD(metrics_keysets), (unsigned long long)LOAD(metrics_hits),
	    (unsigned long long)LOAD(metrics_misses), (unsigned long long)LOAD(metrics_period),
	    (long long)LOAD(metrics_conns), (unsigned long long)LOAD(metrics_audit_early),
	    (unsigned long long)LOAD(metrics_audit_unrecorded),
	    (unsigned long long)LOAD(metrics_store_used),
	    (unsigned long long)LOAD(metrics_store_size));
	fprintf(f, "# HELP skms_ratelimit_refused_total Requests refused by the per-identity rate limit.\n"
	    "# TYPE skms_ratelimit_refused_total counter\n"
	    "skms_ratelimit_refused_total %llu\n"
	    "# HELP skms_ratelimit_evictions_total Rate-limit buckets dropped while owing tokens.\n"
	    "# TYPE skms_ratelimit_evictions_total counter\n"
	    "skms_ratelimit_evictions_total %llu\n",
	    (unsigned long long)LOAD(metrics_rl_refused),
	    (unsigned long long)LOAD(metrics_rl_evicted));
	fprintf(f, "# HELP skms_connections_over_address_limit_total Connections closed at "
	    "accept: their source had server.max-connections-per-address open.\n"
	    "# TYPE skms_connections_over_address_limit_total counter\n"
	    "skms_connections_over_address_limit_total %llu\n",
	    (unsigned long long)LOAD(metrics_address_limited));
	fputs("# HELP skms_kms_errors_total KmsError replies of the KMS interface, by ErrorCode.\n"
	    "# TYPE skms_kms_errors_total counter\n", f);
	for (i = 1; i < ERRMAP_COUNT; i++)
		if ((n = LOAD(metrics_refusals[i])) != 0)
			fprintf(f, "skms_kms_errors_total{code=\"%d\"} %llu\n",
			    errmap_get((enum errmap_id)i)->code, (unsigned long long)n);
	fprintf(f, "# HELP skms_precompute_pending Identities the running precomputation "
	    "has still to derive key sets for; 0 between runs.\n"
	    "# TYPE skms_precompute_pending gauge\n"
	    "skms_precompute_pending %llu\n"
	    "# HELP skms_audit_journal_lag_seconds Age of the oldest audit journal record "
	    "not yet moved into the store.\n"
	    "# TYPE skms_audit_journal_lag_seconds gauge\n"
	    "skms_audit_journal_lag_seconds %.3f\n"
	    "# HELP skms_audit_disk_writes_total Audit journal writes that reached the "
	    "disk: group writes (audit.durability flush) or flushes (write).\n"
	    "# TYPE skms_audit_disk_writes_total counter\n"
	    "skms_audit_disk_writes_total %llu\n",
	    (unsigned long long)LOAD(metrics_precompute_left),
	    (double)LOAD(metrics_audit_lag_ms) / 1e3,
	    (unsigned long long)LOAD(metrics_audit_disk));
	/* No sample until a run ends: a daemon that never precomputes raises no alert. */
	fputs("# HELP skms_precomputed_period The last key period whose key sets "
	    "precomputation finished.\n"
	    "# TYPE skms_precomputed_period gauge\n", f);
	if (LOAD(metrics_have_precomputed))
		fprintf(f, "skms_precomputed_period %llu\n",
		    (unsigned long long)LOAD(metrics_precomputed));
	/* Cluster nodes only; the lag is -1 for a store never synced. */
	if (LOAD(metrics_have_replica))
		fprintf(f, "# HELP skms_replica_lag_seconds Seconds since the local store "
		    "last caught up with the database; -1 before the first sync.\n"
		    "# TYPE skms_replica_lag_seconds gauge\n"
		    "skms_replica_lag_seconds %lld\n"
		    "# HELP skms_replica_sequence_lag Changes the database had at the "
		    "last pull that the local store had not applied.\n"
		    "# TYPE skms_replica_sequence_lag gauge\n"
		    "skms_replica_sequence_lag %llu\n"
		    "# HELP skms_replica_max_staleness_seconds store.max-staleness: the lag "
		    "past which key sets are withheld (503, 50304).\n"
		    "# TYPE skms_replica_max_staleness_seconds gauge\n"
		    "skms_replica_max_staleness_seconds %u\n"
		    "# HELP skms_database_up 1 when the cluster database answered the "
		    "last pull, else 0.\n"
		    "# TYPE skms_database_up gauge\n"
		    "skms_database_up %d\n",
		    LOAD(metrics_replica_last) == 0 ? -1LL :
		    (long long)(time(NULL) - LOAD(metrics_replica_last)),
		    (unsigned long long)LOAD(metrics_replica_changes),
		    LOAD(metrics_replica_max_staleness), LOAD(metrics_db_up));
	/* Read at rendering, not at the last timer tick: exact to the second. */
	if (LOAD(metrics_have_valid_to))
		fprintf(f, "# HELP skms_root_certificate_expiry_seconds Seconds until the "
		    "Root KmsCertificate's ValidTo; negative once it has passed.\n"
		    "# TYPE skms_root_certificate_expiry_seconds gauge\n"
		    "skms_root_certificate_expiry_seconds %lld\n",
		    (long long)(LOAD(metrics_valid_to) - (int64_t)time(NULL)));
	if (metrics_extra != NULL)
		metrics_extra(f, metrics_extra_arg);
	if (ferror(f)) {
		fclose(f);
		goto out;
	}
	if (fclose(f) != 0)
		goto out;
	*out = buf;
	*len = size;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	return rc;
}
