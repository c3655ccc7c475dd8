/* SPDX-License-Identifier: ISC */
/*
 * The audit writer thread. A synchronous write costs a disk flush; one
 * per key set would cap the rollover storm at the disk's sync rate, so
 * every record that arrived while the previous write ran goes into the
 * next group: one journal write (auditj.h), or one LMDB transaction for
 * enrolments and when there is no journal. A group smaller than the group
 * size may first wait the group delay for more (auditq_gather()). A
 * failed group fails every record in it: those replies become 503. Inside
 * the commit window (auditq.h) a reply leaves before its record is on
 * disk; the queue then holds a copy of the record, and the age of the
 * oldest such copy not yet written bounds what a crash can lose. The
 * store is never opened with MDB_NOSYNC for this: a host crash with
 * unordered writeback could then corrupt the whole store, secrets
 * included, not just lose the last records.
 */
#include "server/auditq.h"
#include "common/err.h"
#include "common/time.h"
#include "server/auditj.h"
#include "server/log.h"
#include "server/metrics.h"
#include "store/audit.h"
#include "store/identity.h"
#include "store/store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Seconds a writer waits for the importer to free a journal half. */
#define AUDITQ_JOURNAL_WAIT	5
/* Seconds between two reads of the store's usage by the importer. */
#define AUDITQ_USAGE_EVERY	1.0

struct auditq {
	struct store *st;
	struct pool *pool;
	int group;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct auditq_item *head, *tail;
	int stopping;
	pthread_t thread;
	int started;
	uint64_t commits;
	double window;			/* seconds; 0: every reply waits */
	double queued_early;		/* oldest queued copy (monotonic s), 0: none */
	double flight_early;		/* oldest copy being committed, 0: none */
	int failed;			/* the last commit failed: no early replies */
	int idle;			/* the writer waits on cv */
	unsigned queued;		/* records in head..tail */
	double queued_first;		/* when the first of them came (monotonic s) */
	double delay;			/* seconds a group may wait to grow; 0: none */
	unsigned target;		/* records that end that wait */
	int gathering;			/* the writer waits for the group to grow */
	int urgent;			/* an enrolment is queued: no waiting */
	struct auditj *j;		/* the journal, or NULL: one commit per group */
	pthread_t importer;
	int importing;			/* the importer thread runs */
	pthread_cond_t imp_cv;		/* importer: work; writer: an import ended */
	int imp_stop;
	struct log_rate imp_rate;
	double usage_at;		/* last usage read (monotonic s), 0: never */
	pthread_t flusher;		/* write-back journal: flushes it (auditj_flush) */
	int flushing;			/* the flusher runs; write-back: submitters append */
	pthread_cond_t fl_cv;		/* flusher: a first unflushed write, or stop */
	int fl_idle;			/* the flusher waits for a write */
	int fl_stop;
	struct log_rate fl_rate;
};

static void
auditq_one(struct store_txn *t, struct auditq_item *it)
{
	struct identity_rec id;
	struct audit_rec ar;

	if (it->enroll && store_identity_get(t, (const uint8_t *)it->uri, it->uri_len,
	    &id) == SKM_ENOTFOUND) {
		/* A concurrent request may have enrolled it: checked above, so no EEXIST. */
		memset(&id, 0, sizeof(id));
		id.uri = (const uint8_t *)it->uri;
		id.uri_len = it->uri_len;
		id.role = IDENTITY_USER;
		id.created = it->time;
		id.valid_from = it->enroll_from;
		store_identity_put(t, &id, 0);
		memset(&ar, 0, sizeof(ar));
		ar.time = it->time;
		ar.actor = "skmsd";
		ar.action = "user enroll";
		ar.uri = (const uint8_t *)it->uri;
		ar.uri_len = it->uri_len;
		ar.detail = "enroll-on-first-token";
		store_audit_append(t, &ar, NULL);
	}
	memset(&ar, 0, sizeof(ar));
	ar.time = it->time;
	ar.actor = "skmsd";
	ar.action = it->action;
	ar.uri = (const uint8_t *)it->uri;
	ar.uri_len = it->uri_len;
	ar.detail = it->detail;
	store_audit_append(t, &ar, NULL);
}

/* The journal's view of an item: pointers into it, valid while it lives. */
static void
auditq_rec(struct auditj_rec *r, const struct auditq_item *it)
{
	r->time = it->time;
	r->action = it->action;
	r->uri = it->uri;
	r->uri_len = it->uri_len;
	r->detail = it->detail;
}

/*
 * A write-back journal was written: the flusher, if it waits for a first
 * unflushed write, starts the clock. Called with q->mu held.
 */
static void
auditq_written(struct auditq *q)
{
	if (q->flushing && q->fl_idle)
		pthread_cond_signal(&q->fl_cv);
}

/* us microseconds from now on the clock pthread_cond_timedwait() uses. */
static void
auditq_deadline(struct timespec *ts, long us)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += us / 1000000L;
	ts->tv_nsec += us % 1000000L * 1000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* One LMDB commit for the batch: enrolments, and every record without a journal. */
static int
auditq_commit(struct auditq *q, struct auditq_item *batch)
{
	struct auditq_item *it;
	struct store_txn t;
	int rc;

	if ((rc = store_txn_begin(q->st, 1, &t)) == 0) {
		for (it = batch; it != NULL; it = it->next)
			auditq_one(&t, it);
		rc = store_txn_commit(&t);
	}
	return rc;
}

/*
 * The batch as journal groups, on disk when this returns 0. A full
 * journal waits for the importer, for at most AUDITQ_JOURNAL_WAIT seconds.
 */
static int
auditq_journal(struct auditq *q, struct auditq_item *batch)
{
	struct auditj_rec *recs;
	struct auditq_item *it;
	struct timespec until;
	size_t n = 0, done = 0, more;
	int rc, waited = 0;

	for (it = batch; it != NULL; it = it->next)
		n++;
	if ((recs = calloc(n, sizeof(*recs))) == NULL)
		return SKM_ENOMEM;
	n = 0;
	for (it = batch; it != NULL; it = it->next, n++)
		auditq_rec(&recs[n], it);
	for (;;) {
		rc = auditj_append(q->j, recs + done, n - done, &more);
		/* Groups on disk before a full half are not written twice. */
		done += more;
		if (rc != SKM_EBUSY || waited++ >= AUDITQ_JOURNAL_WAIT * 20)
			break;
		auditq_deadline(&until, 50 * 1000L);
		pthread_mutex_lock(&q->mu);
		pthread_cond_broadcast(&q->imp_cv);
		pthread_cond_timedwait(&q->imp_cv, &q->mu, &until);
		pthread_mutex_unlock(&q->mu);
	}
	free(recs);
	return rc;
}

static void
auditq_write(struct auditq *q, struct auditq_item *batch)
{
	struct auditq_item *it, *next;
	unsigned lost = 0;
	int rc, enroll = 0;

	for (it = batch; it != NULL; it = it->next)
		enroll |= it->enroll;
	/* An enrolment changes the store itself: it takes the LMDB path. */
	rc = q->j != NULL && !enroll ? auditq_journal(q, batch) : auditq_commit(q, batch);
	pthread_mutex_lock(&q->mu);
	if (rc == 0)
		auditq_written(q);
	q->commits++;
	q->flight_early = 0;
	q->failed = rc != 0;
	for (it = batch; rc != 0 && it != NULL; it = it->next)
		lost += it->copy != 0;
	pthread_mutex_unlock(&q->mu);
	if (lost > 0) {
		metrics_audit_lost(lost);
		log_warnx("audit commit failed: %s: %u key sets sent inside the commit "
		    "window have no audit record", skm_strerror(rc), lost);
	}
	for (it = batch; it != NULL; it = next) {
		next = it->next;
		if (it->copy) {
			/* Its reply has left; only the record was left to write. */
			free(it);
			continue;
		}
		it->rc = rc;
		it->job.work = NULL;
		it->job.done = it->done;
		it->job.arg = it->arg;
		pool_post(q->pool, &it->job);
	}
}

/*
 * Group delay, called with q->mu held and a record queued: a group smaller
 * than the target waits for more records until its first one has waited
 * the delay. A write costs a disk flush whatever it holds (a write and a
 * flush on a disk without forced-unit-access writes): with a new TLS
 * connection per request, groups of one or two records cost about 30 us
 * of CPU time per key set and slow the event loop down with them. Once
 * enough records wait they go at once: under load the previous write has
 * already let the group grow. Enrolments, a stop and a shorter delay end
 * the wait.
 */
static void
auditq_gather(struct auditq *q)
{
	struct timespec until;
	double left;

	if (q->delay <= 0 || !q->group)
		return;
	while (q->queued < q->target && !q->stopping && !q->urgent) {
		left = q->queued_first + q->delay - time_monotonic();
		if (left <= 0)
			break;
		auditq_deadline(&until, (long)(left * 1e6) + 1);
		q->gathering = 1;
		pthread_cond_timedwait(&q->cv, &q->mu, &until);
		q->gathering = 0;
	}
}

static void *
auditq_writer(void *arg)
{
	struct auditq *q = arg;
	struct auditq_item *batch;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (q->head == NULL && !q->stopping) {
			q->idle = 1;
			pthread_cond_wait(&q->cv, &q->mu);
			q->idle = 0;
		}
		if (q->head != NULL && !q->stopping)
			auditq_gather(q);
		if ((batch = q->head) == NULL)
			break;
		/*
		 * Copies move to the transaction being written. One at a
		 * time, the queue keeps its oldest-copy time: an upper bound
		 * on the age of the copies left.
		 */
		q->flight_early = q->queued_early;
		if (q->group) {
			q->head = q->tail = NULL;
			q->queued_early = 0;
			q->queued = 0;
			q->urgent = 0;
		} else {
			if ((q->head = batch->next) == NULL) {
				q->tail = NULL;
				q->queued_early = 0;
				q->urgent = 0;
			}
			batch->next = NULL;
			q->queued--;
		}
		pthread_mutex_unlock(&q->mu);
		auditq_write(q, batch);
		pthread_mutex_lock(&q->mu);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

/*
 * The store's usage for /metrics, read by the importer (it alone fills the
 * store from the journal) about once a second rather than per request,
 * and a warning as it passes the mark: a full store withholds every key
 * set (503), so the operator hears of it while there is time to archive.
 */
static void
auditq_usage(struct auditq *q)
{
	uint64_t used, size;
	double now = time_monotonic();

	if (q->usage_at != 0 && now - q->usage_at < AUDITQ_USAGE_EVERY)
		return;
	q->usage_at = now;
	if (store_usage(q->st, &used, &size) != 0 || metrics_store_usage(used, size) == 0)
		return;
	log_warnx("store %llu%% full (%llu of %llu octets in use): archive old audit "
	    "entries (skmsctl audit archive) or raise store.map-size",
	    (unsigned long long)(used * 100 / size), (unsigned long long)used,
	    (unsigned long long)size);
}

/*
 * The importer: seals the journal's generation when due and moves sealed
 * ones into the store, off the writer's path. A failed import is retried;
 * meanwhile the writer fills the other half, then waits, then fails.
 */
static void *
auditq_importer(void *arg)
{
	struct auditq *q = arg;
	struct timespec until;
	int rc, stop;

	for (;;) {
		auditq_usage(q);
		(void)auditj_seal_due(q->j, 0);
		if ((rc = auditj_import(q->j)) != 0 && log_rate_ok(&q->imp_rate))
			log_warnx("audit journal: cannot move records into the store: %s",
			    skm_strerror(rc));
		metrics_audit_lag(auditj_lag(q->j, time_monotonic()));
		/* Sampled here, every tick, rather than on every write's path. */
		metrics_audit_disk_writes(auditj_flushes(q->j));
		auditq_deadline(&until, (rc != 0 ? 250 : 50) * 1000L);
		pthread_mutex_lock(&q->mu);
		/* An import ended (or failed): a writer waiting for room retries. */
		pthread_cond_broadcast(&q->imp_cv);
		if (!q->imp_stop)
			pthread_cond_timedwait(&q->imp_cv, &q->mu, &until);
		stop = q->imp_stop;
		pthread_mutex_unlock(&q->mu);
		if (stop)
			return NULL;
	}
}

/*
 * The flusher (write-back journal): puts written groups on disk at most
 * the flush delay after the first of them was written. A failed flush
 * is retried; meanwhile the journal refuses appends (auditj.h).
 */
static void *
auditq_flusher(void *arg)
{
	struct auditq *q = arg;
	struct timespec until;
	double wait;
	int rc;

	pthread_mutex_lock(&q->mu);
	while (!q->fl_stop) {
		wait = auditj_flush_wait(q->j, time_monotonic());
		if (wait < 0) {
			q->fl_idle = 1;
			pthread_cond_wait(&q->fl_cv, &q->mu);
			q->fl_idle = 0;
			continue;
		}
		if (wait > 0) {
			auditq_deadline(&until, (long)(wait * 1e6) + 1);
			pthread_cond_timedwait(&q->fl_cv, &q->mu, &until);
			continue;
		}
		pthread_mutex_unlock(&q->mu);
		rc = auditj_flush(q->j);
		if (rc != 0 && log_rate_ok(&q->fl_rate))
			log_warnx("audit journal: cannot flush to disk: %s: key sets "
			    "are refused until a flush succeeds", skm_strerror(rc));
		pthread_mutex_lock(&q->mu);
		if (rc != 0 && !q->fl_stop) {
			auditq_deadline(&until, 250 * 1000L);
			pthread_cond_timedwait(&q->fl_cv, &q->mu, &until);
		}
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

int
auditq_new(struct store *st, struct pool *pool, int group, unsigned window_ms,
    struct auditj *journal, struct auditq **out)
{
	struct auditq *q;

	*out = NULL;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return SKM_ENOMEM;
	q->st = st;
	q->pool = pool;
	q->group = group;
	q->target = 1;
	pthread_mutex_init(&q->mu, NULL);
	auditq_set_window(q, window_ms);
	pthread_cond_init(&q->cv, NULL);
	pthread_cond_init(&q->imp_cv, NULL);
	pthread_cond_init(&q->fl_cv, NULL);
	q->imp_rate.interval = 10;
	q->imp_rate.burst = 3;
	q->fl_rate.interval = 10;
	q->fl_rate.burst = 3;
	/* Set before the threads start; on failure the caller keeps the journal. */
	q->j = journal;
	if (pthread_create(&q->thread, NULL, auditq_writer, q) != 0)
		goto fail;
	q->started = 1;
	if (journal != NULL) {
		if (pthread_create(&q->importer, NULL, auditq_importer, q) != 0)
			goto fail;
		q->importing = 1;
		if (auditj_write_back(journal)) {
			if (pthread_create(&q->flusher, NULL, auditq_flusher, q) != 0)
				goto fail;
			q->flushing = 1;
		}
	}
	*out = q;
	return 0;
fail:
	/* Nothing was queued: the threads stop without touching the journal. */
	q->j = NULL;
	auditq_free(q);
	return SKM_ENOMEM;
}

/* Is a reply sent now still inside the window? Called with q->mu held. */
static int
auditq_in_window(const struct auditq *q, double now)
{
	double oldest = q->queued_early;

	if (q->flight_early != 0 && (oldest == 0 || q->flight_early < oldest))
		oldest = q->flight_early;
	return q->window > 0 && !q->failed && (oldest == 0 || now - oldest < q->window);
}

/*
 * Write-back journal: the submitting thread appends the record itself. A
 * record in the page cache survives a killed skmsd, so its reply may leave
 * now; through the writer thread it would cost two thread wake-ups per
 * reply (to the writer, and back to the loop) for the same write. 0 when
 * written; otherwise the record takes the queue, where a full journal
 * waits for the importer and an error reaches it->done.
 */
static int
auditq_direct(struct auditq *q, const struct auditq_item *it)
{
	struct auditj_rec r;

	auditq_rec(&r, it);
	if (auditj_append(q->j, &r, 1, NULL) != 0)
		return -1;
	pthread_mutex_lock(&q->mu);
	auditq_written(q);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

int
auditq_submit(struct auditq *q, struct auditq_item *it)
{
	struct auditq_item *cp = NULL;
	double now = 0;
	int sent = AUDITQ_WAIT;

	/*
	 * A flusher runs only for a write-back journal. An enrolment changes
	 * the store: it always takes the writer.
	 */
	if (q->flushing && !it->enroll && auditq_direct(q, it) == 0)
		return AUDITQ_SENT;
	it->next = NULL;
	it->rc = SKM_ESTATE;
	it->copy = 0;
	now = time_monotonic();
	/* An enrolment changes the store: its reply always waits. */
	if (!it->enroll)
		cp = malloc(sizeof(*cp));
	pthread_mutex_lock(&q->mu);
	if (cp != NULL && auditq_in_window(q, now)) {
		*cp = *it;
		cp->copy = 1;
		it = cp;
		cp = NULL;
		if (q->queued_early == 0)
			q->queued_early = now;
		sent = AUDITQ_SENT;
	}
	if (q->tail != NULL) {
		q->tail->next = it;
	} else {
		q->head = it;
		q->queued_first = now;
	}
	q->tail = it;
	q->queued++;
	q->urgent |= it->enroll;
	/*
	 * A busy writer takes the whole list when its commit ends: no
	 * wake-up. A gathering one wakes when the group is big enough.
	 */
	if (q->idle || (q->gathering && (q->queued >= q->target || q->urgent)))
		pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	free(cp);
	if (sent == AUDITQ_SENT)
		metrics_audit_early_reply();
	return sent;
}

void
auditq_set_group(struct auditq *q, unsigned delay_us, unsigned target)
{
	pthread_mutex_lock(&q->mu);
	q->delay = delay_us / 1e6;
	q->target = target > 0 ? target : 1;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

void
auditq_set_flush(struct auditq *q, unsigned flush_ms)
{
	if (q->j != NULL)
		auditj_set_flush_ms(q->j, flush_ms);
	pthread_mutex_lock(&q->mu);
	pthread_cond_signal(&q->fl_cv);
	pthread_mutex_unlock(&q->mu);
}

void
auditq_set_window(struct auditq *q, unsigned window_ms)
{
	pthread_mutex_lock(&q->mu);
	q->window = window_ms / 1000.0;
	pthread_mutex_unlock(&q->mu);
}

uint64_t
auditq_commits(struct auditq *q)
{
	uint64_t n;

	pthread_mutex_lock(&q->mu);
	n = q->commits;
	pthread_mutex_unlock(&q->mu);
	return n;
}

void
auditq_free(struct auditq *q)
{
	if (q == NULL)
		return;
	pthread_mutex_lock(&q->mu);
	q->stopping = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	if (q->started)
		pthread_join(q->thread, NULL);
	if (q->importing) {
		pthread_mutex_lock(&q->mu);
		q->imp_stop = 1;
		pthread_cond_broadcast(&q->imp_cv);
		pthread_mutex_unlock(&q->mu);
		pthread_join(q->importer, NULL);
	}
	if (q->flushing) {
		pthread_mutex_lock(&q->mu);
		q->fl_stop = 1;
		pthread_cond_broadcast(&q->fl_cv);
		pthread_mutex_unlock(&q->mu);
		pthread_join(q->flusher, NULL);
	}
	/* The threads are gone: what the journal holds moves into the store now. */
	auditj_close(q->j, 1);
	pthread_cond_destroy(&q->fl_cv);
	pthread_cond_destroy(&q->imp_cv);
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	free(q);
}
