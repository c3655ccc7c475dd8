/* SPDX-License-Identifier: ISC */
/*
 * Counters for the Prometheus text endpoint (/metrics on its own loopback
 * listener). Updated from any thread with atomic operations; rendered on
 * the loop thread.
 */
#ifndef SKM_SERVER_METRICS_H
#define SKM_SERVER_METRICS_H

#include <stddef.h>
#include <stdint.h>

enum metrics_endpoint {
	METRICS_INIT = 0,
	METRICS_KEYPROV,
	METRICS_CERTCACHE,
	METRICS_OTHER,
	METRICS_NENDPOINTS,
};

/* One answered request: endpoint, HTTP status, seconds from arrival to reply. */
void metrics_request(enum metrics_endpoint ep, int status, double seconds);
void metrics_keysets_derived(unsigned n);
void metrics_cache_lookup(int hit);
void metrics_current_period(uint64_t period_no);
void metrics_connections(int delta);
/* Audit commit window (auditq.h): a reply sent early; n such replies left unrecorded. */
void metrics_audit_early_reply(void);
void metrics_audit_lost(unsigned n);
/* Rate limit (ratelimit.h): a request refused; a bucket still owing tokens dropped. */
void metrics_ratelimit_refused(void);
void metrics_ratelimit_evicted(void);

/*
 * The store's usage (store_usage()), from one thread. Returns 1 when
 * used has just reached METRICS_STORE_WARN percent of size, else 0; it
 * returns 1 again only after usage has fallen below METRICS_STORE_REARM
 * percent, so a store hovering at the mark warns once.
 */
#define METRICS_STORE_WARN	80
#define METRICS_STORE_REARM	75
int metrics_store_usage(uint64_t used, uint64_t size);
/* A connection closed at accept, over server.max-connections-per-address. */
void metrics_address_limit(void);

/*
 * The ValidTo (Unix seconds) of the Root certificate in force: the gauge
 * of seconds until then is rendered from the next call on, computed
 * against the clock at rendering.
 */
void metrics_cert_valid_to(int64_t valid_to);

/*
 * Precomputation (precompute.h): a run for period_no ended (rendered
 * from the first call on), and how many identities the run in progress
 * has left (0 when none runs).
 */
void metrics_precomputed_period(uint64_t period_no);
void metrics_precompute_pending(uint64_t n);

/*
 * Age in seconds of the oldest audit journal record still waiting to move
 * into the store (0 when none waits), set by the importer at each tick.
 */
void metrics_audit_lag(double seconds);

/* The journal's writes that reached the disk so far (auditj_flushes()). */
void metrics_audit_disk_writes(uint64_t total);

/*
 * Cluster node (replica.h): the Unix time of the last complete sync with
 * the database (0: never; the lag gauge is rendered from the first call
 * on, against the clock at rendering), the changes the database has that
 * the local store has not applied, and whether the database answers.
 */
void metrics_replica_sync(int64_t unix_seconds);
void metrics_replica_seq_lag(uint64_t changes);
void metrics_database_up(int up);
void metrics_replica_staleness(unsigned seconds);
/* A KmsError reply of the KMS interface: its errmap_id (errmap.h). */
void metrics_refusal(int id);

/*
 * Another service's own series (skgmsd's deliveries): render(f, arg) is
 * called at the end of each exposition, on the thread rendering it. Set
 * once before serving.
 */
#include <stdio.h>
void metrics_set_extra(void (*render)(FILE *f, void *arg), void *arg);

/* The Prometheus text exposition; *out is freed with free(). */
int metrics_render(char **out, size_t *len);

#endif
