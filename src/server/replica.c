/* SPDX-License-Identifier: ISC */
/*
 * The replica follower (see replica.h). The mark, key STORE_C_META ||
 * STORE_META_REPLICA, value:
 *
 *   u8 version (1) | u64 last sequence number applied | i64 Unix time of
 *   the last complete sync
 *
 * is written in the transaction that applies a batch, and refreshed now and
 * then while nothing changes, so that a restart without the database
 * counts its staleness from the last sync, not from the start.
 *
 * Not replicated (the node's own): the audit (0x40), and the META keys of
 * the schema version, the audit counter, the journal mark and this mark.
 */
/* pipe2 */
#define _GNU_SOURCE

#include "server/replica.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/pgconn.h"
#include "common/be.h"
#include "common/err.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#define REPLICA_MARK_V1		1
#define REPLICA_BATCH		"5000"	/* changes per pull and LMDB transaction */
#define REPLICA_POLL_MS		1000	/* pull at least this often */
#define REPLICA_BACKOFF_MIN	0.1
#define REPLICA_BACKOFF_MAX	5.0

struct replica {
	struct store *st;
	char *conninfo;
	char *password_file;
	pthread_t th;
	int started;
	int wake[2];			/* a write stops the thread */
	_Atomic unsigned max_staleness;
	_Atomic int64_t last_sync;	/* Unix seconds of the last complete sync; 0: never */
	int64_t mark_time;		/* the sync time in the mark */
	struct log_rate rate;
};

static const uint8_t replica_mark_key[] = { STORE_C_META, STORE_META_REPLICA };

static int64_t
replica_now(void)
{
	return (int64_t)time(NULL);
}

int
replica_replicated(const uint8_t *key, size_t klen)
{
	if (klen == 0 || key[0] == STORE_C_AUDIT)
		return 0;
	if (key[0] == STORE_C_META)
		return klen == 2 && (key[1] == STORE_META_CACHENUM ||
		    key[1] == STORE_META_GENERATION_SERIAL);
	return 1;
}

/* The mark in t: *seq and *when 0 when there is none. */
static int
replica_mark_get(struct store_txn *t, uint64_t *seq, int64_t *when)
{
	const uint8_t *v;
	size_t vlen;
	int rc;

	*seq = 0;
	*when = 0;
	rc = store_txn_get(t, replica_mark_key, sizeof(replica_mark_key), &v, &vlen);
	if (rc == SKM_ENOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if (vlen != 17 || v[0] != REPLICA_MARK_V1)
		return SKM_ESTORE;
	*seq = be_get(v + 1, 8);
	*when = (int64_t)be_get(v + 9, 8);
	return 0;
}

static int
replica_mark_put(struct store_txn *t, uint64_t seq, int64_t when)
{
	uint8_t v[17];

	v[0] = REPLICA_MARK_V1;
	be_put(v + 1, seq, 8);
	be_put(v + 9, (uint64_t)when, 8);
	return store_txn_put(t, replica_mark_key, sizeof(replica_mark_key), v, sizeof(v), 0);
}

static int
replica_collect(const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen,
    void *arg)
{
	uint8_t ***keys = arg;
	size_t n = 0;
	uint8_t **k;

	(void)val;
	(void)vlen;
	if (!replica_replicated(key, klen))
		return 0;
	for (k = *keys; k != NULL && k[n] != NULL; n++)
		;
	if ((k = realloc(*keys, (n + 2) * sizeof(*k))) == NULL)
		return SKM_ENOMEM;
	*keys = k;
	if ((k[n] = malloc(klen + 2)) == NULL)
		return SKM_ENOMEM;
	be_put(k[n], klen, 2);
	memcpy(k[n] + 2, key, klen);
	k[n + 1] = NULL;
	return 0;
}

/* Removes every replicated record from t: before a full sync. */
static int
replica_clear(struct store_txn *t)
{
	uint8_t **keys = NULL;
	size_t i;
	int rc;

	rc = store_txn_scan(t, NULL, 0, NULL, 0, replica_collect, &keys);
	for (i = 0; keys != NULL && keys[i] != NULL; i++) {
		if (rc == 0)
			rc = store_txn_del(t, keys[i] + 2, (size_t)be_get(keys[i], 2));
		free(keys[i]);
	}
	free(keys);
	return rc;
}

/* One row (k, v, seq) of res into t; a NULL v deletes. */
static int
replica_apply_row(struct store_txn *t, PGresult *res, int i)
{
	const uint8_t *key = (const uint8_t *)PQgetvalue(res, i, 0), *old;
	size_t klen = (size_t)PQgetlength(res, i, 0), olen;

	if (klen == 0 || klen > STORE_KEY_MAX)
		return SKM_ESTORE;
	if (!replica_replicated(key, klen))
		return 0;
	if (PQgetisnull(res, i, 1)) {
		/* A delete of what this store never had is no change. */
		if (store_txn_get(t, key, klen, &old, &olen) != 0)
			return 0;
		return store_txn_del(t, key, klen);
	}
	return store_txn_put(t, key, klen, (const uint8_t *)PQgetvalue(res, i, 1),
	    (size_t)PQgetlength(res, i, 1), 0);
}

/*
 * Pulls and applies every change above the mark, a batch per transaction.
 * A mark above the database's highest sequence (a database made anew), or
 * no mark at all, makes it a full sync. *applied counts the changes.
 */
static int
replica_pull(struct replica *r, struct store *st, PGconn *c, size_t *applied,
    char *why, size_t whylen)
{
	const char *params[1];
	char last_s[24], err[256];
	struct store_txn t;
	PGresult *res = NULL;
	uint64_t last, top, seq;
	int64_t when, now;
	int rc, n, i, full;

	*applied = 0;
	if ((rc = store_txn_begin(st, 0, &t)) != 0)
		return skm_why(why, whylen, rc, "local store: %s", skm_strerror(rc));
	rc = replica_mark_get(&t, &last, &when);
	store_txn_abort(&t);
	if (rc != 0)
		return skm_why(why, whylen, rc, "local store mark: %s", skm_strerror(rc));
	res = PQexecParams(c, "SELECT coalesce(max(seq), 0) FROM skms_record", 0, NULL,
	    NULL, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		rc = skm_why(why, whylen, SKM_EUNREACH, "%s", pgconn_error(c, err,
		    sizeof(err)));
		PQclear(res);
		return rc;
	}
	top = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	/* Never synced (no mark), or a database made anew since. */
	full = when == 0 || last > top;
	if (last > top)
		log_warnx("replica: the local store is ahead of the database (change %"
		    PRIu64 " > %" PRIu64 "): full sync", last, top);
	if (full)
		last = 0;
	metrics_replica_seq_lag(top > last ? top - last : 0);
	for (;;) {
		snprintf(last_s, sizeof(last_s), "%" PRIu64, last);
		params[0] = last_s;
		res = PQexecParams(c, "SELECT k, v, seq FROM skms_record WHERE seq > $1 "
		    "ORDER BY seq LIMIT " REPLICA_BATCH, 1, NULL, params, NULL, NULL, 1);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			rc = skm_why(why, whylen, SKM_EUNREACH, "%s", pgconn_error(c, err,
			    sizeof(err)));
			PQclear(res);
			return rc;
		}
		n = PQntuples(res);
		now = replica_now();
		if (n == 0 && !full && (r == NULL || now - r->mark_time <
		    (int64_t)atomic_load(&r->max_staleness) / 4)) {
			PQclear(res);
			break;
		}
		if ((rc = store_txn_begin(st, 1, &t)) != 0) {
			PQclear(res);
			return skm_why(why, whylen, rc, "local store: %s", skm_strerror(rc));
		}
		if (full)
			rc = replica_clear(&t);
		seq = last;
		for (i = 0; i < n && rc == 0; i++) {
			if (PQgetlength(res, i, 2) != 8)
				rc = SKM_ESTORE;
			else if ((rc = replica_apply_row(&t, res, i)) == 0)
				seq = be_get((const uint8_t *)PQgetvalue(res, i, 2), 8);
		}
		PQclear(res);
		if (rc == 0)
			rc = replica_mark_put(&t, seq, now);
		if (rc != 0) {
			store_txn_abort(&t);
			return skm_why(why, whylen, rc, "applying changes: %s",
			    skm_strerror(rc));
		}
		if ((rc = store_txn_commit(&t)) != 0)
			return skm_why(why, whylen, rc, "local store: %s", skm_strerror(rc));
		if (r != NULL)
			r->mark_time = now;
		*applied += (size_t)n;
		last = seq;
		full = 0;
		if (n < atoi(REPLICA_BATCH))
			break;
	}
	metrics_replica_seq_lag(top > last ? top - last : 0);
	return 0;
}

int
replica_sync_once(struct store *st, const char *conninfo, const char *password_file,
    size_t *applied, char *why, size_t whylen)
{
	PGconn *c;
	size_t n = 0;
	int rc;

	if ((rc = pgconn_open(conninfo, password_file, &c, why, whylen)) != 0)
		return rc;
	rc = replica_pull(NULL, st, c, &n, why, whylen);
	PQfinish(c);
	if (applied != NULL)
		*applied = n;
	if (rc == 0)
		metrics_replica_sync(replica_now());
	return rc;
}

/* Waits up to ms for c's socket (c may be NULL) or the stop pipe; 1 when stopping. */
static int
replica_wait(struct replica *r, PGconn *c, int ms)
{
	struct pollfd p[2];
	int n = 1;

	p[0].fd = r->wake[0];
	p[0].events = POLLIN;
	if (c != NULL && PQsocket(c) >= 0) {
		p[1].fd = PQsocket(c);
		p[1].events = POLLIN;
		n = 2;
	}
	if (poll(p, (nfds_t)n, ms) < 0 && errno != EINTR)
		return 0;
	return (p[0].revents & POLLIN) != 0;
}

/* The connection's news since the last pull: 0 (none or some), else failed. */
static int
replica_drain(PGconn *c)
{
	PGnotify *nt;

	if (PQconsumeInput(c) != 1)
		return SKM_EUNREACH;
	while ((nt = PQnotifies(c)) != NULL)
		PQfreemem(nt);
	return 0;
}

static void *
replica_main(void *arg)
{
	struct replica *r = arg;
	PGconn *c = NULL;
	PGresult *res;
	double backoff = REPLICA_BACKOFF_MIN;
	char why[512];
	size_t n;
	int rc, was_up = -1;

	for (;;) {
		if (c == NULL) {
			rc = pgconn_open(r->conninfo, r->password_file, &c, why, sizeof(why));
			if (rc == 0) {
				res = PQexec(c, "LISTEN skms_change");
				if (PQresultStatus(res) != PGRES_COMMAND_OK)
					rc = skm_why(why, sizeof(why), SKM_EUNREACH, "listen: %s",
					    PQerrorMessage(c));
				PQclear(res);
			}
			if (rc != 0) {
				PQfinish(c);
				c = NULL;
				metrics_database_up(0);
				if (was_up != 0 || log_rate_ok(&r->rate))
					log_warnx("replica: database: %s (retrying)", why);
				was_up = 0;
				if (replica_wait(r, NULL, (int)(backoff * 1000)))
					break;
				backoff = backoff * 2 > REPLICA_BACKOFF_MAX ? REPLICA_BACKOFF_MAX :
				    backoff * 2;
				continue;
			}
			backoff = REPLICA_BACKOFF_MIN;
		}
		if ((rc = replica_pull(r, r->st, c, &n, why, sizeof(why))) != 0) {
			if (was_up != 0 || log_rate_ok(&r->rate))
				log_warnx("replica: %s", why);
			was_up = 0;
			metrics_database_up(0);
			PQfinish(c);
			c = NULL;
			continue;
		}
		if (was_up != 1)
			log_info("replica: in sync with the database");
		was_up = 1;
		atomic_store(&r->last_sync, replica_now());
		metrics_database_up(1);
		metrics_replica_sync(replica_now());
		if (n > 0)
			log_debug("replica: %zu change%s applied", n, n == 1 ? "" : "s");
		if (replica_wait(r, c, REPLICA_POLL_MS))
			break;
		if (replica_drain(c) != 0) {
			PQfinish(c);
			c = NULL;
		}
	}
	PQfinish(c);
	return NULL;
}

int
replica_start(struct store *st, const char *conninfo, const char *password_file,
    unsigned max_staleness, struct replica **out)
{
	struct replica *r;
	struct store_txn t;
	uint64_t seq;
	int64_t when = 0;
	int rc;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return SKM_ENOMEM;
	r->st = st;
	r->wake[0] = r->wake[1] = -1;
	r->rate.interval = 60;
	r->rate.burst = 3;
	atomic_init(&r->max_staleness, max_staleness);
	metrics_replica_staleness(max_staleness);
	rc = SKM_ENOMEM;
	if ((r->conninfo = strdup(conninfo)) == NULL ||
	    (r->password_file = strdup(password_file)) == NULL)
		goto fail;
	rc = SKM_EIO;
	if (pipe2(r->wake, O_CLOEXEC) != 0)
		goto fail;
	/* Stale from the last sync this store remembers, not from now. */
	if ((rc = store_txn_begin(st, 0, &t)) != 0)
		goto fail;
	rc = replica_mark_get(&t, &seq, &when);
	store_txn_abort(&t);
	if (rc != 0)
		goto fail;
	r->mark_time = when;
	atomic_init(&r->last_sync, when);
	metrics_replica_sync(when);
	if ((rc = pthread_create(&r->th, NULL, replica_main, r)) != 0) {
		rc = SKM_ENOMEM;
		goto fail;
	}
	r->started = 1;
	*out = r;
	return 0;
fail:
	replica_stop(r);
	return rc;
}

void
replica_set_staleness(struct replica *r, unsigned seconds)
{
	atomic_store(&r->max_staleness, seconds);
	metrics_replica_staleness(seconds);
}

int
replica_stale(struct replica *r)
{
	int64_t last = atomic_load(&r->last_sync);

	return last == 0 || replica_now() - last > (int64_t)atomic_load(&r->max_staleness);
}

void
replica_stop(struct replica *r)
{
	if (r == NULL)
		return;
	if (r->started) {
		(void)!write(r->wake[1], "x", 1);
		pthread_join(r->th, NULL);
	}
	if (r->wake[0] >= 0)
		close(r->wake[0]);
	if (r->wake[1] >= 0)
		close(r->wake[1]);
	free(r->conninfo);
	free(r->password_file);
	free(r);
}
