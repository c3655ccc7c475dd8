/* SPDX-License-Identifier: ISC */
/*
 * The replica follower of a cluster node (store.backend: postgresql).
 * skmsd keeps serving from its own LMDB store in store.path; this module
 * keeps that store a copy of the database's records (table skms_record:
 * domain, sealed secrets, generations, identities, periods, certificates,
 * counters) so that no request waits for the database.
 *
 * One thread of its own, with blocking libpq: it connects, LISTENs on
 * skms_change, and applies every change of sequence number above its mark,
 * in sequence order, to the local store in one LMDB transaction per batch
 * together with the mark (STORE_META_REPLICA: the last sequence number
 * applied and the time of the last complete sync). It pulls when notified
 * and once a second when not, which doubles as the liveness check of the
 * database; on any failure it reconnects with a doubling back-off (0.1 s
 * to 5 s). The request path never waits for it: the records it writes are
 * read by the next LMDB read transaction, as a change made by skmsctl on
 * the local store always was (revocations are checked per request;
 * generations through their serial, kms_refresh()).
 *
 * A node whose last complete sync is older than max-staleness withholds
 * key sets (replica_stale()), since it may be missing a revocation.
 */
#ifndef SKM_SERVER_REPLICA_H
#define SKM_SERVER_REPLICA_H

#include <stddef.h>
#include <stdint.h>

struct replica;
struct store;

/*
 * One synchronous pull into st (skmsd's start, before the domain is
 * opened): a store never synced, or one ahead of the database (a database
 * made anew), is emptied of replicated records first and filled whole.
 * *applied (may be NULL) gets the number of changes applied.
 */
int replica_sync_once(struct store *st, const char *conninfo,
    const char *password_file, size_t *applied, char *why, size_t whylen);

/* Starts the follower thread; the strings are copied. */
int replica_start(struct store *st, const char *conninfo, const char *password_file,
    unsigned max_staleness, struct replica **out);

/* New max-staleness (SIGHUP). */
void replica_set_staleness(struct replica *r, unsigned seconds);

/* 1 when key sets must be withheld: the last complete sync is too old. Any thread. */
int replica_stale(struct replica *r);

/* Stops the thread and frees r; NULL is ignored. */
void replica_stop(struct replica *r);

/* Records applied to the local store by a replica, skipping the node's own classes. */
int replica_replicated(const uint8_t *key, size_t klen);

#endif
